"""Every number in the site's prose is glued, cited or checked (issue 14, "Truth").

The extractor (``tests/prose_numbers.py``) finds the numbers a reader sees in the
prose of docs/**/*.md and README.md, less glued numbers, small counts and values the
page's own code types; each must have a reviewed entry in
``tests/site/prose_numbers.toml`` that names its backing, and that backing is checked
here: a ``check`` expression must be True, a ``test`` must exist.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Callable
from typing import Any

import prose_numbers
import pytest
from prose_numbers import ALLOW_LIST, ROOT, Entry, Number, extract, load_allow_list

from nlpguide.data import BBC_LABELS
from nlpguide.sizes import forward_flops, parameter_count, reference_config
from nlpguide.text2text import encode_target, length_stats

ARTEFACTS = ROOT / "src" / "nlpguide" / "models" / "artefacts"
BACKINGS = ("check", "test", "source", "example")
SAFE_BUILTINS = {"abs": abs, "all": all, "any": any, "len": len, "range": range, "round": round}


def _artefact(path: str) -> Any:
    return json.loads((ARTEFACTS / path).read_text(encoding="utf-8"))


#: The names a ``check`` expression may use: nlpguide's numpy-free core and the records.
CHECK_NAMES: dict[str, Callable[..., Any] | Any] = {
    "math": math,
    "BBC_LABELS": BBC_LABELS,
    "parameter_count": lambda m: parameter_count(_config_path(m)),
    "forward_flops": forward_flops,
    "config": reference_config,
    "length_stats": length_stats,
    "encode_target": encode_target,
    "artefact": lambda path: _Artefact(path, _artefact(path)),
    "read": lambda path: (ROOT / path).read_text(encoding="utf-8"),
}


class _Artefact(dict[str, Any]):
    """An artefact's JSON, which ``parameter_count`` also accepts (it is a config)."""

    def __init__(self, path: str, data: Any) -> None:
        super().__init__(data)
        self.path = ARTEFACTS / path


def _config_path(model: Any) -> Any:
    return str(model.path) if isinstance(model, _Artefact) else model


@pytest.fixture(scope="module")
def found() -> list[Number]:
    return prose_numbers.extract_all(prose_numbers.pages())


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return load_allow_list()


def _numbers(text: str) -> list[str]:
    return [n.number for n in extract("page.md", textwrap.dedent(text))]


# -- the extractor ----------------------------------------------------------------------


class TestExtractorFinds:
    def test_numbers_in_prose(self) -> None:
        """Integers, decimals, thousands, units and percentages in prose are found."""
        text = "It has 2.9M parameters, 1,781 articles, 41 s and 15% masked."
        assert _numbers(text) == ["2.9M", "1,781", "41", "15%"]

    def test_spelled_out_quantities(self) -> None:
        """Eleven to ninety spelled out are numbers; small counts and magnitudes are not."""
        text = "twelve pieces, about thirty, a few dozen, millions of rows"
        assert _numbers(text) == ["twelve", "thirty"]
        assert _numbers("the first of three families, one line, 3 steps, 10 heads") == []

    def test_headings_lists_tables_and_admonitions(self) -> None:
        """Headings, list items, table cells and admonition bodies are prose."""
        page = """
        ## The 80 rule

        - about 70 pieces
        | model | 60.5M |

        :::{admonition} Note 40
        :class: tip
        It took 12 steps.
        :::
        """
        assert _numbers(page) == ["80", "70", "60.5M", "40", "12"]

    def test_line_numbers(self) -> None:
        """Each number carries the line of the page it is on."""
        found = extract("p.md", "intro 3\n\nfirst line\nthen 42 here\n")
        assert [(n.line, n.number) for n in found] == [(4, "42")]

    def test_ranges_and_ratios(self) -> None:
        """Both ends of a range and a ratio's sign are read: 2004-2005, 20-100x, 2.1x."""
        text = "from 2004-2005, 20-100x dearer, 2.1\u00d7 slower"
        assert _numbers(text) == ["2004", "2005", "20", "100x", "2.1\u00d7"]


#: Text whose digits are not prose numbers, by why not.
NOT_NUMBERS = {
    "inline code, glue and other roles": (
        "`max_length=96`, {glue:text}`secs:.1f` s, {doc}`page 2 <p2>`"
    ),
    "inline code split by a line break": "run `nlpguide mask\n--seed 0` now",
    "inline and display maths": "with $d_k = 64$ and\n\n$$\n\\sqrt{384}\n$$\n",
    "digits inside names": (
        "t5-small, bf16, GPT-2, Llama-2-7b, ROUGE-1, all-MiniLM-L6-v2, SmolLM2-135M"
    ),
    "citation years and versions": (
        "(Devlin et al., 2018), ICML 2006, Python 3.12, transformers 5, Pyodide 0.27.7"
    ),
    "a citation split inside et al.": "(Raffel et\nal., 2020) and Liu et\nal. (2019)",
    "list markers and comments": "1. first\n2. second\n\n% 5 notes\n<!-- 6 -->\n",
}


class TestExtractorIgnores:
    @pytest.mark.parametrize("text", NOT_NUMBERS.values(), ids=NOT_NUMBERS.keys())
    def test_not_numbers(self, text: str) -> None:
        """Code, roles, maths, names, citations, versions and markers hold no prose number."""
        assert _numbers(text) == []

    def test_code_cells_and_fences(self) -> None:
        """Code cells and fenced code blocks are code, not prose."""
        page = """
        ```{code-cell} python
        steps = 60
        ```

        ```python
        x = 3
        ```
        """
        assert _numbers(page) == []

    def test_directive_options_and_front_matter(self) -> None:
        """Front matter, directive options and a grid's layout argument are not prose."""
        page = """---
        kernelspec:
          name: python3
        ---

        ::::{grid} 1 1 3 3
        :gutter: 2
        ::::
        """
        assert _numbers(page) == []

    def test_link_targets_and_urls(self) -> None:
        """Link targets and URLs are addresses; the link's text is prose."""
        assert _numbers("[page 50](p/2.md) <http://localhost:8000> https://x.org/1") == ["50"]

    def test_arxiv_identifiers(self) -> None:
        """An arXiv identifier names a paper, in a link's text or not; a count beside it is read."""
        text = "[arXiv:1907.11692](https://arxiv.org/abs/1907.11692), ArXiv: 1810.04805v2, 12 runs"
        assert _numbers(text) == ["12"]

    def test_step_markers(self) -> None:
        """An integer alone in parentheses numbers a step of code: (11) the projection."""
        assert _numbers("(10) the heads side by side, (11) the output, (12 s) later") == ["12"]

    def test_values_the_page_code_types(self) -> None:
        """A setting the page's code types is seen there: 60 steps, 5,000, 20%, twenty."""
        page = """
        ```{code-cell} python
        train(steps=60, shift=5_000, p=0.2, every=20)
        ```

        It runs 60 steps with shifts of 5,000, masks 20% and keeps twenty, in 61 s.
        """
        assert _numbers(page) == ["61"]


class TestEntryCovers:
    def test_context_must_hold_the_number(self) -> None:
        """An entry covers a number only inside its context, and only the same number."""
        found = extract("p.md", "The model has 30 layers and 30 heads.")
        entry = Entry("p.md", "30", "30 layers", "check", "True")
        assert [entry.covers(n) for n in found] == [True, False]

    def test_markup_is_compared_as_read(self) -> None:
        """A context copied without markup still matches a page with roles and bold."""
        found = extract("p.md", "its **2.9M** {term}`parameters <params>`")
        entry = Entry("p.md", "2.9M", "its 2.9M parameters", "check", "True")
        assert entry.covers(found[0])


# -- the site -------------------------------------------------------------------------


def _advice(number: Number) -> str:
    return (
        f"{number.page}:{number.line}: the number {number.number!r} in "
        f"'{number.context}' has no reviewed backing.\n"
        "  If the page computed it, glue it: glue('name', value, display=False) in the "
        "cell, {glue:text}`name` in the text.\n"
        "  If it is an outside fact, add an entry under [[page."
        f'"{number.page}"]] in tests/site/prose_numbers.toml:\n'
        f'    number = "{number.number}"\n    context = "{number.context}"\n'
        "    source = the source the page cites, or check = an expression that holds "
        "(see the file's header)"
    )


class TestSiteProse:
    def test_every_number_is_backed(self, found: list[Number], entries: list[Entry]) -> None:
        """Every number in the prose of every page has a reviewed allow-list entry."""
        unbacked = [n for n in found if not any(e.covers(n) for e in entries)]
        assert not unbacked, "\n\n".join(_advice(n) for n in unbacked)

    def test_a_typed_measurement_is_caught(self, entries: list[Entry]) -> None:
        """A measurement typed into a page's prose has no entry: the check names it."""
        page = "docs/t5/fine-tuning.md"
        typed = extract(page, "The fine-tune took 41.7 s and reached 23.4% accuracy.")
        unbacked = [n for n in typed if not any(e.covers(n) for e in entries)]
        assert [n.number for n in unbacked] == ["41.7", "23.4%"]
        assert "glue it" in _advice(unbacked[0])

    def test_no_stale_entries(self, found: list[Number], entries: list[Entry]) -> None:
        """Every allow-list entry still covers a number on its page."""
        stale = [e for e in entries if not any(e.covers(n) for n in found)]
        assert not stale, "\n".join(
            f"{ALLOW_LIST.name}: the entry {e.number!r} ('{e.context}') of {e.page} matches "
            "no number on that page any more: delete it, or update its context."
            for e in stale
        )

    def test_the_pages_are_found(self) -> None:
        """The scan covers the lesson pages and README.md."""
        names = {p.relative_to(ROOT).as_posix() for p in prose_numbers.pages()}
        assert {"README.md", "docs/index.md", "docs/t5/fine-tuning.md"} <= names
        assert not any("_build" in n or "vendor" in n for n in names)


class TestBackings:
    def test_entries_are_complete(self, entries: list[Entry]) -> None:
        """Each entry has a known backing, a non-empty 'by' and a context with its number."""
        bad = [
            f"{e.page}: {e.number!r} ({e.context})"
            for e in entries
            if e.backing not in BACKINGS
            or not e.by.strip()
            or e.number not in prose_numbers.plain(e.context)
        ]
        assert not bad, bad

    def test_checks_hold(self, entries: list[Entry]) -> None:
        """Every 'check' expression evaluates to True."""
        failed = []
        for e in entries:
            if e.backing == "check":
                names = {"__builtins__": SAFE_BUILTINS, **CHECK_NAMES}
                # eval: each expression is a reviewed entry of this repository's own file.
                if eval(e.by, names) is not True:
                    failed.append(f"{e.page}: {e.number!r}: {e.by}")
        assert not failed, "\n".join(failed)

    def test_tests_exist(self, entries: list[Entry]) -> None:
        """Every 'test' backing names a test function that exists in that file."""
        missing = []
        for e in entries:
            if e.backing == "test":
                path, *names = e.by.split("::")
                source = (
                    (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).is_file() else ""
                )
                if not names or not all(
                    re.search(rf"^\s*(class|def) {n}\b", source, re.MULTILINE) for n in names
                ):
                    missing.append(f"{e.page}: {e.number!r}: {e.by}")
        assert not missing, "\n".join(missing)


class TestStandIns:
    def test_one_t5_stands_in(self) -> None:
        """Every page names t5-small as the BBC T5's stand-in: it is the nearest T5 in size."""
        bbc = parameter_count(str(ARTEFACTS / "t5" / "config.json"))
        sizes = {
            name: parameter_count(name) for name in ("google-t5/t5-small", "google-t5/t5-base")
        }
        assert min(sizes, key=lambda n: abs(sizes[n] - bbc)) == "google-t5/t5-small"
        named = set()
        for page in prose_numbers.pages():
            text = page.read_text(encoding="utf-8")
            for match in re.finditer(
                r"(?:stands? in for|small T5\*\* that.*?for)\s+\**`?(google-t5/t5-\w+)",
                text,
                re.DOTALL,
            ):
                named.add(match.group(1))
        assert named == {"google-t5/t5-small"}
