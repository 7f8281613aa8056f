"""The numbers a reader sees in a page's prose, and the reviewed list that backs them.

The brief: a number in page prose is inserted from a computed value (myst-nb
``glue``), or is an outside fact with its source cited, or is asserted by a test.
Glued numbers are not in the Markdown source; a number still typed in a page's
prose needs a reviewed entry in ``tests/site/prose_numbers.toml`` that says what
backs it. ``tests/site/test_prose_numbers.py`` holds the pages to that.

What counts as prose (:func:`extract`): everything a reader reads as text outside
code (code cells, fenced blocks, inline code), maths (``$...$``, ``$$...$$``,
``{math}``), roles (``{glue:text}``, ``{term}``, ``{doc}`` ... whose content is a
name or a computed value), directive options, link targets and URLs, HTML tags
and comments, front matter, cell markers and numbered-list markers.

What counts as a number: a run of digits in prose, with its decimal part,
thousands commas and a unit glued to it (``2.9M``, ``41 s`` is ``41``, ``2.1x``,
``90%``), and the spelled-out quantities ``eleven`` to ``ninety``. Not numbers:
small counts (``0`` to ``10``, ``one`` to ``ten``, ordinals), orders of magnitude
(``a few dozen``, ``hundreds``, ``millions``), a value the page's own code types
(``60 steps`` beside ``max_steps=60``, ``15%`` beside ``0.15``), digits inside a
name (``t5-small``, ``bf16``, ``GPT-2``, ``Llama-2-7b``, ``MiniLM-L6-v2``), the
year of a citation (``Devlin et al., 2018``, ``ICML 2006``), a version after a
software name (``Python 3.12``, ``Pyodide 0.27.7``), an arXiv identifier and a
step marker, an integer alone in parentheses (``(11) the output projection``).

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

#: Spelled-out quantities that are checked like digits, and their values.
NUMBER_WORDS = {
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip

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
    backing: str  # "check", "test", "source" or "example"
    by: str

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


_CODE = re.compile(r"^```(?:\{code-cell\}|python)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_LITERAL = re.compile(r"(?<![\w.])\d[\d_]*(?:\.\d+)?(?:e[-+]?\d+)?")


def _value(number: str) -> float:
    return float(re.sub(r"[,_]", "", number))


def code_values(text: str) -> set[float]:
    """The numbers typed in the code cells and ``python`` blocks of the page ``text``.

    >>> sorted(code_values("```{code-cell} python\\nsteps, lr = 5_000, 3e-4\\n```\\n"))
    [0.0003, 5000.0]
    """
    return {_value(m) for cell in _CODE.findall(text) for m in _LITERAL.findall(cell)}


def extract(page: str, text: str) -> list[Number]:
    """Every number in the prose of the MyST page ``text`` (named ``page``).

    >>> [n.number for n in extract("p.md", "Trained for 41 s on `2` CPUs, $d=384$.")]
    ['41']
    >>> [n.number for n in extract("p.md", "```{code-cell} python\\nx = 3\\n```\\n")]
    []
    >>> [n.number for n in extract("p.md", "See arXiv:1907.11692: 3 of 37 runs.")]
    ['37']
    """
    found: list[Number] = []
    in_code = code_values(text)
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
            unit, number = match.group("unit"), match.group("num")
            if _is_name(checked, match.start(), match.end(), unit):
                continue
            if _is_year_or_version(shown, match.start(), number):
                continue
            suffix = unit if unit in UNITS or unit in {"%", "\u00d7"} else ""
            value = _value(number)
            if (not suffix and number.isdigit() and value <= 10) or value in in_code:
                continue  # a small count, or a value the page's code types
            if checked[match.start() - 1 : match.end() + 1] == f"({number})":
                continue  # (11): a step marker that numbers a piece of code
            if suffix == "%" and value / 100 in in_code:
                continue
            numbers.append((match.start(), number + suffix))
        for match in re.finditer(r"[A-Za-z]+", checked):
            if NUMBER_WORDS.get(match.group(0).lower()) not in in_code | {None}:
                numbers.append((match.start(), match.group(0)))
        for start, token in numbers:
            line = first + shown.count("\n", 0, start)
            found.append(Number(page, line, token, collapsed, where[start]))
    found.sort(key=lambda n: (n.line, n.start))
    return found


# -- the allow-list ------------------------------------------------------------------


def load_allow_list(path: Path = ALLOW_LIST) -> list[Entry]:
    """The reviewed entries of ``path``, in file order."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Entry(page, str(item["number"]), str(item["context"]), backing, str(item[backing]))
        for page, items in data.get("page", {}).items()
        for item in items
        for backing in ("check", "test", "source", "example")
        if backing in item
    ]


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
