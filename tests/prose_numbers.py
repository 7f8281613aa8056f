"""The numbers a reader sees in a page's prose, and the reviewed list that backs them.

The brief: a number in page prose is inserted from a computed value (myst-nb
``glue``), or is an outside fact with its source cited, or is asserted by a test.
Glued numbers are not in the Markdown source, so every number still typed in a
page's prose must have a reviewed entry in ``tests/site/prose_numbers.toml`` that
says what backs it. ``tests/site/test_prose_numbers.py`` holds the pages to that.

What counts as prose (:func:`extract`): everything a reader reads as text outside
code (code cells, fenced blocks, inline code), maths (``$...$``, ``$$...$$``,
``{math}``), roles (``{glue:text}``, ``{term}``, ``{doc}`` ... whose content is a
name or a computed value), directive options, link targets and URLs, HTML tags
and comments, front matter, cell markers and numbered-list markers.

What counts as a number: a run of digits in prose, with its decimal part,
thousands commas and a unit glued to it (``2.9M``, ``41 s`` is ``41``, ``2.1x``,
``90%``), and spelled-out quantities larger than ten (``a dozen``, ``thirty``,
``hundreds``): those are estimates, the kind that drift from the measurement.
Not numbers: digits inside a name (``t5-small``, ``bf16``, ``GPT-2``,
``Llama-2-7b``, ``ROUGE-1``, ``MiniLM-L6-v2``), ordinal and small counting words
(``first``, ``one line``, ``three families``), the year of a citation
(``Devlin et al., 2018``, ``ICML 2006``), a version after a software name
(``Python 3.12``, ``transformers 5``, ``Pyodide 0.27.7``), an arXiv identifier
(``arXiv:1907.11692``) and step markers: bare integers in parentheses that number
the steps of a piece of code, ``(1)`` to ``(n)`` with none missing on the page
(``(1)-(3)`` names the steps between), as in ``(5) the scores``.

This module imports nothing outside the standard library.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOW_LIST = ROOT / "tests" / "site" / "prose_numbers.toml"

#: Directives whose body is code, maths or configuration, never prose.
CODE_DIRECTIVES = frozenset(
    {
        "code-cell", "code-block", "code", "sourcecode", "math", "literalinclude",
        "toctree", "mermaid", "graphviz", "raw", "eval-rst", "autosummary",
        "automodule", "autoclass", "autofunction", "glue", "glue:any", "glue:figure",
        "glue:math", "glue:text", "jupyter-execute", "include", "bibliography",
    }
)  # fmt: skip

#: Directives whose argument is a title the reader reads (other arguments are names).
TITLED = frozenset({"admonition", "grid-item-card", "card", "dropdown", "tab-item", "topic"})

#: Software whose version may follow its name in prose (``Python 3.12``).
VERSIONED = frozenset(
    {
        "python", "cpython", "numpy", "torch", "pytorch", "transformers", "pyodide",
        "sphinx", "myst-nb", "peft", "spacy", "node", "npm", "datasets", "accelerate",
        "tokenizers", "jupyter", "sentencepiece", "safetensors", "hypothesis",
        "pytest", "ruff", "mypy", "chromium", "debian", "ubuntu", "version", "v",
        "sacrebleu", "rouge-score", "scikit-learn", "pandas", "matplotlib",
    }
)  # fmt: skip

#: Spelled-out quantities that are checked like digits (``one`` to ``ten`` are not).
NUMBER_WORDS = frozenset(
    {
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty",
        "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion",
        "trillion", "dozen",
    }
)  # fmt: skip

#: Letters that may follow a number as its unit (``135M``, ``41s``, ``2.1x``, ``8px``).
UNITS = frozenset(
    {"k", "K", "M", "B", "G", "T", "s", "ms", "x", "px", "GB", "MB", "KB", "GiB", "MiB"}
)

_NUMBER = re.compile(
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)*(?:e[-+]?\d+)?)(?P<unit>[A-Za-z]+|%|\u00d7)?"
)
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
_OPTION = re.compile(r"^\s*:[\w-]+:(\s.*)?$")
# One pass over a paragraph: the first of these that starts at a place wins.
_INLINE = re.compile(
    r"(?P<role>\{(?P<r_name>[\w:.-]+)\}(?P<r_ticks>`+)(?P<r_body>.*?)(?P=r_ticks))"
    r"|(?P<code>(?P<c_ticks>`+)(?P<c_body>.+?)(?P=c_ticks))"
    r"|(?P<math>(?<![\\$])\$(?!\$)(?P<m_body>[^$\n]+?)(?<!\\)\$(?!\d))"
    r"|(?P<link>!?\[(?P<l_text>[^\]]*)\]\([^)]*\))"
    r"|<(?:https?|mailto|file):[^>]*>"
    r"|https?://\S+"
    r"|<!--.*?-->"
    r"|</?[A-Za-z][^>]*>"
    r"|\{\{.*?\}\}"
    r"|\[\^[^\]]+\]",
    re.DOTALL,
)
_LIST_MARKER = re.compile(r"^(\s*(?:[-*+]\s+)?)\d+[.)](?=\s)")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class Number:
    """One number in a page's prose: where it is and the sentence around it."""

    page: str
    line: int
    number: str
    paragraph: str  # the paragraph as plain text, whitespace collapsed
    start: int  # where the number starts in ``paragraph``

    @property
    def context(self) -> str:
        """The words around the number, for a failure message or a new entry."""
        left = self.paragraph.rfind(" ", 0, max(self.start - 40, 0)) + 1
        right = self.paragraph.find(" ", self.start + len(self.number) + 40)
        return self.paragraph[left : right if right >= 0 else None].strip()


@dataclass(frozen=True)
class Entry:
    """One reviewed allow-list entry: a number, the words around it and its backing."""

    page: str
    number: str
    context: str
    backing: str  # "check", "test", "code", "source" or "example"
    by: str
    index: int  # its position among the page's entries, for messages
    file: str | None = None  # where a "code" backing is, if not the page's own code

    def covers(self, found: Number) -> bool:
        """Whether this entry backs ``found``: same number, inside this context."""
        if found.page != self.page or found.number != self.number:
            return False
        context = plain(self.context)
        at = found.paragraph.find(context)
        while at >= 0:
            if at <= found.start and found.start + len(found.number) <= at + len(context):
                return True
            at = found.paragraph.find(context, at + 1)
        return False


# -- turning Markdown into prose segments -------------------------------------------


_EMPHASIS = re.compile(r"(?<![\w*])[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?![\w*])")


def _segments(text: str) -> Iterator[tuple[str, bool]]:
    """(text as shown, whether its numbers are checked) for each piece of ``text``."""
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            yield _EMPHASIS.sub("", text[pos : match.start()]), True
        lines = "\n" * match.group(0).count("\n")  # keep the line count
        if match.group("role") is not None:
            name, body = match.group("r_name"), match.group("r_body")
            # A role's body is a name, a target or a computed value: shown, not checked.
            if name.startswith("glue"):
                yield "⟨glued⟩" + lines, False
            else:
                yield re.sub(r"\s*<[^>]*>$", "", body) + lines, False
        elif match.group("code") is not None:
            yield match.group("c_body"), False
        elif match.group("math") is not None:
            yield match.group("m_body"), False
        elif match.group("link") is not None:
            yield _EMPHASIS.sub("", match.group("l_text")) + lines, True  # target dropped
        else:  # a URL, an HTML tag or comment, a substitution, a footnote mark
            yield " " + lines, False
        pos = match.end()
    yield _EMPHASIS.sub("", text[pos:]), True


def _strip_inline(text: str) -> tuple[str, str]:
    """(visible text, the same with everything not checked blanked), aligned."""
    shown: list[str] = []
    checked: list[str] = []
    for piece, check in _segments(text):
        shown.append(piece)
        checked.append(piece if check else re.sub(r"[^\n]", " ", piece))
    return "".join(shown), "".join(checked)


def plain(text: str) -> str:
    """A context as a reader sees it: markup dropped, whitespace collapsed.

    Entries copy their context from the page, with or without its markup (roles,
    inline code, links, emphasis); both compare equal to the visible text.

    >>> plain("its **2.9M** {term}`parameters <params>` and `</s>`")
    'its 2.9M parameters and </s>'
    """
    text = re.sub(
        r"\{([\w:.-]+)\}(`+)(.*?)\2",
        lambda m: (
            "⟨glued⟩" if m.group(1).startswith("glue") else re.sub(r"\s*<[^>]*>$", "", m.group(3))
        ),
        text,
    )
    text = re.sub(r"(`+)(.+?)\1", r"\2", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return " ".join(_EMPHASIS.sub("", text).split())


def _prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) for every line of prose in a MyST page."""
    lines = text.splitlines()
    i = 0
    if lines and lines[0].strip() == "---":  # front matter
        i = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), len(lines)) + 1
    stack: list[tuple[str, int, bool]] = []  # (fence char, length, body is prose)
    in_comment = in_math = False
    options = False  # just after a directive: its options come first
    while i < len(lines):
        line = lines[i]
        number = i + 1
        i += 1
        skipping = bool(stack) and not stack[-1][2]
        fence = _FENCE.match(line)
        if (
            fence
            and stack
            and fence["fence"][0] == stack[-1][0]
            and len(fence["fence"]) >= stack[-1][1]
            and not fence["info"].strip()
        ):
            stack.pop()
            options = False
            continue
        if skipping:
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        if in_math:
            in_math = line.strip() != "$$" and not line.rstrip().endswith("$$")
            continue
        if fence:
            info = fence["info"].strip()
            directive = re.match(r"\{([\w:.-]+)\}", info)
            if directive:
                prose = directive.group(1) not in CODE_DIRECTIVES
            else:
                prose = fence["fence"][0] == ":" and not info  # a bare ``:::`` block
            stack.append((fence["fence"][0], len(fence["fence"]), prose))
            options = True
            if prose and directive and directive.group(1) in TITLED:  # a title is prose
                yield number, info[directive.end() :]
            continue
        if options:
            if _OPTION.match(line):
                continue
            if line.strip() == "---":  # a YAML block of options
                i = (
                    next((j for j in range(i, len(lines)) if lines[j].strip() == "---"), len(lines))
                    + 1
                )
                continue
            options = False
        stripped = line.strip()
        if stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            continue
        if stripped.startswith("$$"):
            in_math = not (len(stripped) > 2 and stripped.endswith("$$"))
            continue
        if (
            stripped.startswith(("%", "+++"))
            or re.fullmatch(r"\(.*\)=", stripped)  # a target label
            or re.match(r"^\[[^\]]+\]:\s", stripped)  # a link definition
        ):
            continue
        yield (
            number,
            _LIST_MARKER.sub(
                lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), line
            ),
        )


def _paragraphs(text: str) -> Iterator[list[tuple[int, str]]]:
    paragraph: list[tuple[int, str]] = []
    last = 0
    for number, line in _prose_lines(text):
        structural = line.lstrip().startswith(("|", "#", "- ", "* ", "+ ")) or re.match(
            r"^\s*\d+[.)]\s", line
        )
        if not line.strip() or number != last + 1 or structural:
            if paragraph:
                yield paragraph
            paragraph = []
        if line.strip():
            paragraph.append((number, line))
        last = number
    if paragraph:
        yield paragraph


_ARXIV = re.compile(r"arXiv:\s*$", re.IGNORECASE)


def _is_name(checked: str, start: int, end: int, unit: str | None) -> bool:
    before = checked[:start]
    if _ARXIV.search(before):
        return True  # arXiv:1907.11692 names a paper
    if before and (before[-1].isalnum() or before[-1] in "_." or before[-1] == "\\"):
        return True  # t5, bf16, v2, L6, .5 of a file name
    if before.endswith("-"):
        word = re.search(r"[\w.-]*$", before[:-1])
        # GPT-2, Llama-2-7b, ROUGE-1, SmolLM2-135M: a name. top-5, 2004-2005: numbers.
        if word and re.search(r"[A-Z]", word.group(0)):
            return True
    if unit and unit not in UNITS and unit not in {"%", "\u00d7"}:
        return True  # 2d, 7b, 3rd? a name or an ordinal
    return checked[end : end + 1] == "-" and bool(re.match(r"-[A-Z]", checked[end : end + 2]))


def _is_year_or_version(shown: str, start: int, number: str) -> bool:
    before = shown[:start].rstrip()
    word = re.search(r"([\w-]+)\s*(?:≥|>=|==|<=|<|>)?\s*$", before)
    if word and word.group(1).lower() in VERSIONED:
        return True
    if number.count(".") >= 2:
        return True
    if _YEAR.fullmatch(number):
        # A citation: "Devlin et al., 2018", "(Raffel et al., 2020", "ICML 2006",
        # "Greene & Cunningham, 2006", "Touvron et al. (2023)".
        return bool(
            re.search(r"(et\s+al\.?,?|et\s+al\.\s+\(|[A-Z][\w&.-]*,|[A-Z]{2,}|\()\s*$", before)
        )
    return False


_STEP_RANGE = re.compile(r"\((\d+)\)\s*[\u2013-]\s*\($")


def _is_step_marker(checked: str, start: int, end: int) -> bool:
    """Whether the number at ``start:end`` is alone in parentheses, like ``(5)``."""
    return checked[start - 1 : start] == "(" and checked[end : end + 1] == ")"


def _step_markers(markers: list[int]) -> bool:
    """Whether a page's parenthesised integers number steps: 1 to n, none missing.

    ``markers`` holds the steps named, those inside a range (``(1)-(3)``) included.

    >>> _step_markers([1, 2, 3, 3, 4])
    True
    >>> _step_markers([1, 37]), _step_markers([3]), _step_markers([1])
    (False, False, False)
    """
    return len(set(markers)) >= 2 and set(markers) == set(range(1, max(markers) + 1))


def extract(page: str, text: str) -> list[Number]:
    """Every number in the prose of the MyST page ``text`` (named ``page``).

    >>> [n.number for n in extract("p.md", "Trained for 41 s on `2` CPUs, $d=384$.")]
    ['41']
    >>> [n.number for n in extract("p.md", "```{code-cell} python\\nx = 3\\n```\\n")]
    []
    >>> [n.number for n in extract("p.md", "See arXiv:1907.11692: (1) then (2), 37 runs.")]
    ['37']
    """
    found: list[Number] = []
    markers: list[Number] = []  # (n) on its own: step markers if 1..n are all there
    steps: list[int] = []  # the steps they name, with those a range implies
    for paragraph in _paragraphs(text):
        first = paragraph[0][0]
        raw = "\n".join(line for _, line in paragraph)
        shown, checked = _strip_inline(raw)
        collapsed = " ".join(shown.split())
        where: dict[int, int] = {}  # where a visible character lands in ``collapsed``
        out, space = 0, True
        for i, char in enumerate(shown):
            if char.isspace():
                out += not space
                space = True
            else:
                where[i], out, space = out, out + 1, False
        numbers: list[tuple[int, str]] = []
        for match in _NUMBER.finditer(checked):
            unit = match.group("unit")
            if _is_name(checked, match.start(), match.end(), unit):
                continue
            if _is_year_or_version(shown, match.start(), match.group("num")):
                continue
            suffix = unit if unit in UNITS or unit in {"%", "\u00d7"} else ""
            if not suffix and _is_step_marker(checked, match.start(), match.end()):
                marker = match.group("num")
                if marker.isdigit():
                    # (1)-(3) names step 2 as well
                    since = _STEP_RANGE.search(checked[: match.start()])
                    low = int(since.group(1)) if since else int(marker)
                    steps.extend(range(min(low, int(marker)), int(marker) + 1))
                    line = first + shown.count("\n", 0, match.start())
                    markers.append(Number(page, line, marker, collapsed, where[match.start()]))
                    continue
            numbers.append((match.start(), match.group("num") + suffix))
        for match in re.finditer(r"[A-Za-z]+", checked):
            word = match.group(0).lower()
            if word in NUMBER_WORDS or (word.endswith("s") and word[:-1] in NUMBER_WORDS):
                numbers.append((match.start(), match.group(0)))
        for start, token in numbers:
            line = first + shown.count("\n", 0, start)
            found.append(Number(page, line, token, collapsed, where[start]))
    if not _step_markers(steps):
        found += markers  # not a numbering of steps: quantities like any other
    found.sort(key=lambda n: (n.line, n.start))
    return found


# -- the allow-list ------------------------------------------------------------------


def load_allow_list(path: Path = ALLOW_LIST) -> list[Entry]:
    """The reviewed entries of ``path``, in file order."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries: list[Entry] = []
    for page, items in data.get("page", {}).items():
        for index, item in enumerate(items):
            entries.append(
                Entry(
                    page=page,
                    number=str(item["number"]),
                    context=str(item["context"]),
                    backing=str(item["backing"]),
                    by=str(item["by"]),
                    index=index,
                    file=str(item["file"]) if "file" in item else None,
                )
            )
    return entries


def pages(root: Path = ROOT) -> list[Path]:
    """The pages in scope: every docs/**/*.md the site builds, and README.md."""
    docs = root / "docs"
    found = [
        p
        for p in docs.rglob("*.md")
        if not any(part.startswith("_") or part == "vendor" for part in p.relative_to(docs).parts)
    ]
    return [*sorted(found), root / "README.md"]


def extract_all(paths: Iterable[Path], root: Path = ROOT) -> list[Number]:
    """Every prose number of every page in ``paths``, named relative to ``root``."""
    out: list[Number] = []
    for path in paths:
        out.extend(extract(path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")))
    return out


def draft_entries(paths: Iterable[Path], root: Path = ROOT) -> str:
    """TOML entries, to review and complete, for every number no entry backs yet."""
    entries = load_allow_list()
    out: list[str] = []
    for number in extract_all(paths, root):
        if not any(entry.covers(number) for entry in entries):
            context = number.context.replace("\\", "\\\\").replace('"', '\\"')
            out.append(
                f'[[page."{number.page}"]]  # line {number.line}\n'
                f'number = "{number.number}"\ncontext = "{context}"\n'
                'backing = "check | test | code | source | example"\nby = ""\n'
            )
    return "\n".join(out)


if __name__ == "__main__":  # python tests/prose_numbers.py [PAGE ...]: draft the entries
    import sys

    chosen = [Path(p).resolve() for p in sys.argv[1:]] or pages()
    print(draft_entries(chosen))
