"""Every lesson page ends with exercises whose executed solutions check their own answers.

The sources are read as text: each lesson page (every page of a chapter folder except
its ``index.md``, so new pages are covered as they arrive) ends with a ``## Exercises``
section of 2-4 ``{exercise}`` directives. Each exercise has one solution after it, in
the gated form (``{solution-start}`` ... ``{solution-end}``, the only form that can hold
executed cells under myst-nb), shown as a dropdown. A solution's cells hold an ``assert``
that encodes the stated answer (in a hidden cell: the reader sees the code they would
type, not the check), so a solution whose output stops supporting
its answer fails the build (``nb_execution_raise_on_error``, checked here and, in a tiny
build, shown to fail); and every number in a solution's prose is glued from a cell of
that solution, never typed.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from site_pages import HEADER

DOCS = Path(__file__).resolve().parents[2] / "docs"
CHAPTERS = sorted(p for p in DOCS.iterdir() if p.is_dir() and (p / "index.md").is_file())
LESSON_PAGES = sorted(
    page for chapter in CHAPTERS for page in chapter.glob("*.md") if page.name != "index.md"
)
MIN_EXERCISES, MAX_EXERCISES = 2, 4

FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<arg>.*)$")
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`(?P<key>[^`:]+)(?::[^`]*)?`")
GLUE_CALL = re.compile(r"""\bglue\(\s*(?P<q>["'])(?P<key>[^"']+)(?P=q)""")
NOT_PROSE = re.compile(
    r"\{\w+(?::\w+)?\}`[^`]*`|``[^`]*``|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$", re.DOTALL
)


@dataclasses.dataclass
class Solution:
    """A gated solution: its target label, options, code cells and prose."""

    label: str
    line: int
    options: dict[str, str]
    cells: list[str] = dataclasses.field(default_factory=list)
    prose: list[str] = dataclasses.field(default_factory=list)
    closed: bool = False


@dataclasses.dataclass
class Page:
    """What a page's source says about its exercises."""

    exercises: dict[str, int]  # label -> line
    unlabelled: list[int]
    solutions: list[Solution]
    ungated: list[int]  # lines of {solution} directives (cannot hold executed cells)
    section_line: int | None  # the "## Exercises" heading
    last_h2_line: int | None
    directive_lines: list[int]  # lines of every exercise and solution directive


def _options(lines: list[str], start: int) -> dict[str, str]:
    """The ``:key: value`` lines right after a directive's first line."""
    found = {}
    for line in lines[start:]:
        match = re.match(r"^:([\w-]+):\s*(.*)$", line)
        if not match:
            break
        found[match[1]] = match[2].strip()
    return found


def parse(text: str) -> Page:
    """Read exercises, solutions and their cells from a MyST page."""
    lines = text.splitlines()
    page = Page({}, [], [], [], None, None, [])
    current: Solution | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            page.last_h2_line = i + 1
            if line.strip() == "## Exercises":
                page.section_line = i + 1
        match = FENCE.match(line)
        if not match:
            if current is not None:
                current.prose.append(line)
            i += 1
            continue
        fence, name, arg = match["fence"], match["name"], match["arg"].strip()
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == fence), len(lines))
        body = lines[i + 1 : end]
        if name == "exercise":
            page.directive_lines.append(i + 1)
            label = _options(lines, i + 1).get("label")
            if label:
                page.exercises[label] = i + 1
            else:
                page.unlabelled.append(i + 1)
        elif name == "solution":
            page.directive_lines.append(i + 1)
            page.ungated.append(i + 1)
        elif name == "solution-start":
            page.directive_lines.append(i + 1)
            current = Solution(arg, i + 1, _options(lines, i + 1))
            page.solutions.append(current)
        elif name == "solution-end":
            if current is not None:
                current.closed = True
            current = None
        elif name == "code-cell" and current is not None:
            current.cells.append("\n".join(b for b in body if not b.startswith(":")))
        elif current is not None:
            current.prose.extend(body)
        i = end + 1
    return page


def _has_assert(source: str) -> bool:
    return any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(source)))


def problems(text: str) -> list[str]:
    """Everything wrong with a lesson page's exercises; empty when all is well."""
    page = parse(text)
    found: list[str] = []
    count = len(page.exercises) + len(page.unlabelled)
    if not MIN_EXERCISES <= count <= MAX_EXERCISES:
        found.append(f"{count} exercises, not {MIN_EXERCISES}-{MAX_EXERCISES}")
    if page.section_line is None:
        found.append("no '## Exercises' section")
    elif page.last_h2_line != page.section_line:
        found.append(f"'## Exercises' (line {page.section_line}) is not the last section")
    elif any(line < page.section_line for line in page.directive_lines):
        found.append("an exercise or solution sits above '## Exercises'")
    found += [f"line {n}: exercise without a :label:" for n in page.unlabelled]
    found += [
        f"line {n}: {{solution}} cannot hold executed cells: use solution-start/-end"
        for n in page.ungated
    ]
    for label, line in page.exercises.items():
        mine = [s for s in page.solutions if s.label == label]
        if len(mine) != 1:
            found.append(f"exercise {label!r} has {len(mine)} solutions, not 1")
        elif mine[0].line < line:
            found.append(f"the solution of {label!r} comes before its exercise")
    for sol in page.solutions:
        where = f"solution of {sol.label!r} (line {sol.line})"
        if sol.label not in page.exercises:
            found.append(f"{where}: no exercise with that label on this page")
        if not sol.closed:
            found.append(f"{where}: no solution-end")
        if "dropdown" not in sol.options.get("class", "").split():
            found.append(f"{where}: not hidden (add ':class: dropdown')")
        if not sol.cells:
            found.append(f"{where}: no code cell, so nothing checks the answer")
        checked = False
        for k, cell in enumerate(sol.cells, start=1):
            try:
                checked = _has_assert(cell) or checked
            except SyntaxError as err:
                found.append(f"{where}, cell {k}: does not parse ({err.msg})")
        if sol.cells and not checked:
            found.append(f"{where}: no assert encodes the answer")
        prose = "\n".join(sol.prose)
        glued = {m["key"] for cell in sol.cells for m in GLUE_CALL.finditer(cell)}
        for m in GLUE_ROLE.finditer(prose):
            if m["key"] not in glued:
                found.append(f"{where}: {m['key']!r} is shown but not glued by its cells")
        typed = re.findall(r"(?<![\w-])\d[\d.,]*", NOT_PROSE.sub("", prose))
        if typed:
            found.append(f"{where}: typed numbers in the prose {typed}: glue them")
    return found


def _labels(page: Path) -> list[str]:
    return list(parse(page.read_text(encoding="utf-8")).exercises)


class TestLessonPages:
    def test_the_chapters_have_lesson_pages(self) -> None:
        """The page list is found (a wrong folder would make every other test vacuous)."""
        assert len(LESSON_PAGES) >= 12
        assert {p.parent.name for p in LESSON_PAGES} >= {"bert", "t5", "decoders"}

    @pytest.mark.parametrize("page", LESSON_PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
    def test_exercises_are_complete_and_checked(self, page: Path) -> None:
        """2-4 exercises at the end, each with a hidden, executed, asserting solution."""
        assert problems(page.read_text(encoding="utf-8")) == []

    def test_labels_are_unique_across_the_site(self) -> None:
        """An exercise label is a site-wide reference target, so two pages cannot share one."""
        labels = [label for page in LESSON_PAGES for label in _labels(page)]
        assert len(labels) == len(set(labels)), sorted(labels)


class TestConfiguration:
    def test_extensions_and_failing_cells(self) -> None:
        """conf.py loads sphinx-exercise and togglebutton, and a failing cell fails the build."""
        tree = ast.parse((DOCS / "conf.py").read_text(encoding="utf-8"))
        values = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        extensions = ast.literal_eval(values["extensions"])
        assert {"sphinx_exercise", "sphinx_togglebutton"} <= set(extensions)
        assert ast.literal_eval(values["nb_execution_raise_on_error"]) is True


GOOD = """# Tiny

Text.

## Exercises

```{exercise} Predict a product
:label: ex-tiny-product

Predict `6 * 7`.
```

```{solution-start} ex-tiny-product
:class: dropdown
```

```{code-cell} python
from myst_nb import glue

product = 6 * 7
assert product == 42, product
glue("ex-tiny-product", product, display=False)
```

The product is {glue:text}`ex-tiny-product`, as predicted.

```{solution-end}
```

```{exercise} Predict a sum
:label: ex-tiny-sum

Predict `6 + 7`.
```

```{solution-start} ex-tiny-sum
:class: dropdown
```

```{code-cell} python
assert 6 + 7 == 13
```

```{solution-end}
```
"""


class TestTheChecker:
    def test_a_complete_page_passes(self) -> None:
        """The tiny page of this module, written as the lesson pages are, has no problem."""
        assert problems(GOOD) == []

    def test_a_missing_solution_is_found(self) -> None:
        """An exercise whose solution is gone is reported by its label."""
        cut = GOOD[: GOOD.index("```{solution-start} ex-tiny-sum")]
        assert any("'ex-tiny-sum' has 0 solutions" in p for p in problems(cut))

    def test_a_solution_without_assert_is_found(self) -> None:
        """A solution cell that only prints cannot fail, so it is reported."""
        text = GOOD.replace("assert 6 + 7 == 13", "print(6 + 7)")
        assert any("no assert" in p for p in problems(text))

    def test_a_typed_number_is_found(self) -> None:
        """A number typed into a solution's prose instead of glued is reported."""
        text = GOOD.replace("{glue:text}`ex-tiny-product`", "42")
        assert any("typed numbers" in p and "42" in p for p in problems(text))

    def test_a_glue_key_no_cell_sets_is_found(self) -> None:
        """Prose that shows a key its solution's cells never glue is reported."""
        text = GOOD.replace("{glue:text}`ex-tiny-product`", "{glue:text}`ex-other`")
        assert any("'ex-other' is shown but not glued" in p for p in problems(text))

    def test_a_visible_solution_is_found(self) -> None:
        """A solution without the dropdown class would show the answer at once."""
        assert any("not hidden" in p for p in problems(GOOD.replace(":class: dropdown\n", "")))

    def test_too_few_exercises_and_a_late_section_are_found(self) -> None:
        """One exercise is too few, and a section after the exercises is reported."""
        one = GOOD[: GOOD.index("```{exercise} Predict a sum")] + "## Later\n\nMore.\n"
        found = problems(one)
        assert "1 exercises, not 2-4" in found
        assert any("not the last section" in p for p in found)


def _build(tmp_path: Path, page: str) -> subprocess.CompletedProcess[str]:
    """Build a one-page site with the site's own conf.py, as ``nox -s docs`` does."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(DOCS / "conf.py", src / "conf.py")
    shutil.copytree(DOCS / "_static", src / "_static")
    shutil.copytree(DOCS / "_ext", src / "_ext")
    (src / "index.md").write_text("# Tiny\n\n```{toctree}\nexercises\n```\n")
    (src / "exercises.md").write_text(HEADER + page)
    env = {**os.environ, "NLPGUIDE_DOCS_EXECUTION": "force"}
    flags = ["-T", "-n", "-W", "--keep-going", "-b", "html", "-q"]
    return subprocess.run(
        [sys.executable, "-m", "sphinx", *flags, str(src), str(tmp_path / "html")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


@pytest.mark.slow
class TestTinyBuild:
    def test_solution_runs_hidden_and_glued(self, tmp_path: Path) -> None:
        """The gated solution builds under -n -W, in a dropdown, with its glued answer."""
        result = _build(tmp_path, GOOD)
        assert result.returncode == 0, result.stderr
        html = (tmp_path / "html" / "exercises.html").read_text(encoding="utf-8")
        assert re.search(r'class="solution dropdown admonition"', html)
        assert '<span class="pasted-text">42</span>' in html
        assert "togglebutton" in html  # the script that makes the dropdown fold

    def test_a_wrong_answer_fails_the_build(self, tmp_path: Path) -> None:
        """A solution whose computed value contradicts its assert stops the build."""
        result = _build(tmp_path, GOOD.replace("product == 42", "product == 41"))
        assert result.returncode != 0
        assert "AssertionError" in result.stdout + result.stderr
