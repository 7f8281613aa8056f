"""Reading the site's Markdown sources and built HTML for the reader's-path tests.

Shared by ``tests/site/test_glossary.py``, ``test_page_code.py``, ``test_page_order.py``,
``test_site_html.py`` and ``test_docs_build.py``. Nothing here builds the site: the
source checks read ``docs/**/*.md``; the HTML checks read what a build wrote.

**Prose**, for the glossary check, is what a reader reads as running text. Masked out
(replaced by spaces, so positions in the mask are positions in the source): the front
matter, code cells and fenced blocks, headings, directive lines (``:::{note}``,
```` ```{toctree} ````) and their ``:option:`` lines, inline code, maths, MyST roles
(``{func}`...```, and ``{term}`...``` itself), the text and target of Markdown links,
autolinks and HTML comments. Text that is already a link is not a use to link again.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GLOSSARY = DOCS / "glossary.md"

#: The front matter that makes a .md file a MyST notebook (for the tests' tiny sites).
HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---

"""

#: The reading column, in characters of page code: 87 fit at a 1400 px window (measured,
#: see tests/site/test_page_code.py): lines are not chopped shorter than that.
CODE_COLUMN = 87


def source_pages() -> list[Path]:
    """Every Markdown page of the site: docs/**/*.md but the build, extensions and vendor."""
    pages = []
    for path in sorted(DOCS.rglob("*.md")):
        first = path.relative_to(DOCS).parts[0]
        if first.startswith("_") or first == "vendor":
            continue
        pages.append(path)
    return pages


def docname(path: Path) -> str:
    """The Sphinx document name of a page: its path under docs/ without the suffix."""
    return path.relative_to(DOCS).with_suffix("").as_posix()


# -- prose ------------------------------------------------------------------------------

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})(.*)$")
_INLINE_MASKS = [
    re.compile(r"\{[a-z][\w:.-]*\}(`+).+?\1", re.DOTALL),  # MyST roles, {term} among them
    re.compile(r"(`+).+?\1", re.DOTALL),  # inline code
    re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.DOTALL),  # maths
    re.compile(r"<!--.*?-->", re.DOTALL),  # HTML comments
    re.compile(r"<https?://[^>]+>"),  # autolinks
    re.compile(r"!?\[[^\]]*\]\([^)]*\)", re.DOTALL),  # Markdown links and images
    re.compile(r"^\(([\w-]+)\)=\s*$", re.MULTILINE),  # MyST targets
]


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


_CODE_DIRECTIVES = {
    "code-cell",
    "code-block",
    "code",
    "literalinclude",
    "toctree",
    "eval-rst",
    "raw-cell",
    "glue:md",
    "glue:figure",
    "provenance-table",
    "math",
}


def line_kinds(text: str) -> list[str]:
    """What each line of a page is: front, code, directive, option, heading or prose.

    ``code`` covers code cells, fenced blocks and the bodies of code-like directives;
    prose directives (notes, admonitions, tabs, cards, the glossary) keep their bodies
    as prose, and only their opening line and ``:option:`` lines are masked.
    """
    lines = text.split("\n")
    kinds: list[str] = []
    in_front = bool(lines) and lines[0] == "---"
    code_fence: str | None = None  # the fence that opened a code block, while in one
    in_options = False
    for number, line in enumerate(lines):
        if in_front:
            kinds.append("front")
            if number > 0 and line == "---":
                in_front = False
            continue
        if code_fence is not None:
            kinds.append("code")
            stripped = line.strip()
            if stripped.startswith(code_fence) and not stripped.strip(code_fence[0]):
                code_fence = None
            continue
        match = _FENCE.match(line)
        if match:
            fence, rest = match.group(2), match.group(3).strip()
            code_like = not fence.startswith(":") and (
                not rest.startswith("{") or rest.split("}")[0][1:] in _CODE_DIRECTIVES
            )
            kinds.append("directive")
            if code_like:
                code_fence = fence
            else:
                in_options = bool(rest)
            continue
        if in_options and re.match(r"^\s*:[\w-]+:", line):
            kinds.append("option")
            continue
        in_options = False
        kinds.append("heading" if line.lstrip().startswith("#") else "prose")
    return kinds


def prose_mask(text: str) -> str:
    """The page with everything but its prose replaced by spaces (newlines kept)."""
    lines = text.split("\n")
    kinds = line_kinds(text)
    masked = "\n".join(
        line if kind == "prose" else " " * len(line)
        for line, kind in zip(lines, kinds, strict=True)
    )
    for pattern in _INLINE_MASKS:
        for match in pattern.finditer(masked):
            masked = _blank(masked, match.start(), match.end())
    return masked


# -- the glossary ----------------------------------------------------------------------

_TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")


def glossary_terms(text: str | None = None) -> dict[str, str]:
    """The terms of the glossary page, lower-cased (as Sphinx resolves them) to as written.

    A term is a line of the ``{glossary}`` block that starts a definition list item:
    unindented, not blank. Several lines in a row are several terms with one definition.
    """
    text = GLOSSARY.read_text(encoding="utf-8") if text is None else text
    block = re.search(r"^```\{glossary\}[^\n]*\n(.*?)^```\s*$", text, re.DOTALL | re.MULTILINE)
    if block is None:
        raise ValueError("no ```{glossary} block")
    terms = {}
    for line in block.group(1).split("\n"):
        if line and not line[0].isspace() and not line.startswith(":"):
            terms[line.strip().lower()] = line.strip()
    return terms


@dataclasses.dataclass(frozen=True)
class TermLink:
    """One ``{term}`` role in a page: where it is and the term it points to."""

    start: int
    target: str  # lower-cased, as Sphinx resolves it


def term_links(text: str) -> list[TermLink]:
    """The ``{term}`` roles of a page's prose: ``{term}`x``` and ``{term}`text <x>```."""
    kinds = line_kinds(text)
    links = []
    for match in _TERM_ROLE.finditer(text):
        if kinds[text.count("\n", 0, match.start())] != "prose":
            continue  # a role in code is code; one in a heading does not count
        body = match.group(1)
        target = re.search(r"<([^<>]+)>\s*$", body)
        links.append(TermLink(match.start(), (target.group(1) if target else body).strip().lower()))
    return links


def term_pattern(term: str) -> re.Pattern[str]:
    """Where a term is used: any case, its last word optionally plural (-s, -es).

    Words may be split by any whitespace (a line break). A use is a whole word: no
    letter, digit, ``_`` or ``-`` right before or after it, so ``cross-attention`` is
    not a use of ``attention`` and ``GFLOPs`` not one of ``FLOPs``.
    """
    words = [re.escape(w) for w in term.split()]
    body = r"\s+".join(words)
    return re.compile(rf"(?<![\w-]){body}(?:e?s)?(?![\w-])", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Use:
    """The first plain use of a term in a page's prose, and where it is."""

    term: str
    start: int
    line: int
    text: str


def first_uses(text: str, terms: dict[str, str]) -> dict[str, Use]:
    """The first prose use of each glossary term on a page (terms that do not occur: absent).

    A use inside a longer term's use does not count (``calibration`` in ``contextual
    calibration``): the longer term is the one to link.
    """
    mask = prose_mask(text)
    found: list[tuple[int, int, str]] = []
    for key, term in terms.items():
        found += [(m.start(), m.end(), key) for m in term_pattern(term).finditer(mask)]
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, key in found:
        if any(a <= start and end <= b and (a, b) != (start, end) for a, b, _ in kept):
            continue
        kept.append((start, end, key))
    uses: dict[str, Use] = {}
    for start, end, key in kept:
        if key not in uses:
            line = text.count("\n", 0, start) + 1
            uses[key] = Use(key, start, line, text[start:end])
    return uses


def unlinked_first_uses(text: str, terms: dict[str, str]) -> list[Use]:
    """Terms whose first prose use comes before any ``{term}`` link to them on the page."""
    first_link: dict[str, int] = {}
    for link in term_links(text):
        first_link.setdefault(link.target, link.start)
    return [
        use
        for key, use in sorted(first_uses(text, terms).items(), key=lambda kv: kv[1].start)
        if first_link.get(key, len(text)) > use.start
    ]


# -- page order ------------------------------------------------------------------------


def toctree_entries(path: Path) -> list[str]:
    """The document names a page's ``{toctree}`` blocks list, in order."""
    text = path.read_text(encoding="utf-8")
    entries = []
    for block in re.finditer(r"^```\{toctree\}[^\n]*\n(.*?)^```", text, re.DOTALL | re.MULTILINE):
        for raw in block.group(1).split("\n"):
            entry = raw.strip()
            if not entry or entry.startswith(":"):
                continue
            base = path.parent.relative_to(DOCS)
            entries.append((base / entry).as_posix().removeprefix("./"))
    return entries


def reading_order(root: str = "index") -> list[str]:
    """Every page in the order a reader meets it: depth first through the toctrees."""
    order: list[str] = []

    def visit(name: str) -> None:
        order.append(name)
        for child in toctree_entries(DOCS / f"{name}.md"):
            visit(child)

    visit(root)
    return order


# -- page code -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CodeLine:
    """A line of code as a page shows it."""

    where: str  # page:line, or page:line -> file:object for an included function
    text: str


def _shown_path(path: Path) -> str:
    """A path as messages show it: from the repository root when it is inside it."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


_HIDDEN = ("remove-input", "remove-cell")  # tags of cells whose code the page never shows


def code_lines(path: Path) -> list[CodeLine]:
    """Every line a page shows as code: code cells, fenced code, included functions.

    Cells tagged ``remove-input`` or ``remove-cell`` are left out: the page never shows
    their code (``hide-input`` code is shown when the reader opens it, so it counts).
    """
    text = path.read_text(encoding="utf-8")
    rel = _shown_path(path)
    shown: list[CodeLine] = []
    block: list[CodeLine] = []
    head: list[str] = []  # the cell's options or YAML metadata
    fence: str | None = None
    directive = argument = ""
    in_yaml = False
    for number, line in enumerate(text.split("\n"), start=1):
        if fence is None:
            match = _FENCE.match(line)
            if match and not match.group(2).startswith(":"):
                fence, rest = match.group(2), match.group(3).strip()
                found = re.match(r"\{([\w:-]+)\}\s*(.*)", rest)
                directive, argument = (found.group(1), found.group(2)) if found else ("code", "")
                block, head, in_yaml = [], [], False
            continue
        stripped = line.strip()
        if stripped.startswith(fence) and not stripped.strip(fence[0]):
            options = {
                # MyST reads directive options as YAML: a quoted value loses its quotes.
                key: re.sub(r"^([\"'])(.*)\1$", r"\2", value.strip())
                for key, value in re.findall(
                    r"^:([\w-]+):[ \t]*(.*)$", "\n".join(head), re.MULTILINE
                )
            }
            if directive == "literalinclude":
                shown += _included(path, number, argument, options)
            elif not any(tag in "\n".join(head) for tag in _HIDDEN):
                shown += block
            fence = None
            continue
        if directive != "code" and not block:
            if line == "---" and (in_yaml or not head):
                in_yaml = not in_yaml
                head.append(line)
                continue
            if in_yaml or re.match(r"^:[\w-]+:", line):
                head.append(line)
                continue
        if directive in {"code-cell", "code-block", "code"}:
            block.append(CodeLine(f"{rel}:{number}", line))
    return shown


def _included(page: Path, number: int, argument: str, options: dict[str, str]) -> list[CodeLine]:
    """The lines a ``literalinclude`` shows: the ``:pyobject:``, ``:start-at:``, ``:dedent:``."""
    source = (page.parent / argument).resolve()
    lines = source.read_text(encoding="utf-8").split("\n")
    name = options.get("pyobject")
    if name:
        # As Sphinx's pyobject does: from the first decorator to the object's last line.
        tree = ast.parse("\n".join(lines))
        node = next(
            n
            for n in tree.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and n.name == name
        )
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        assert node.end_lineno is not None
        lines = lines[first - 1 : node.end_lineno]
    if "start-at" in options:
        at = next(i for i, line in enumerate(lines) if options["start-at"] in line)
        lines = lines[at:]
    if "end-at" in options:
        end = next(i for i, line in enumerate(lines) if options["end-at"] in line)
        lines = lines[: end + 1]
    if "end-before" in options:
        end = next(i for i, line in enumerate(lines) if options["end-before"] in line)
        lines = lines[:end]
    if "dedent" in options:
        cut = int(options["dedent"])
        lines = [line[cut:] for line in lines]
    what = f"{_shown_path(page)}:{number} -> {_shown_path(source)}:{name or ''}"
    return [CodeLine(what, line) for line in lines]


# -- built HTML ------------------------------------------------------------------------


@dataclasses.dataclass
class Image:
    """An ``<img>`` in a page's article, with its figure caption if it has one."""

    src: str
    alt: str
    caption: str | None  # None: not in a <figure>


class _Article(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <article> while > 0
        self.images: list[Image] = []
        self.figures: list[list[Image]] = []
        self.captions: list[list[str]] = []
        self.in_caption = 0
        self.prev_next: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        classes = attr.get("class", "").split()
        if tag == "a" and ({"left-prev", "right-next"} & set(classes)):
            self.prev_next["prev" if "left-prev" in classes else "next"] = attr.get("href", "")
        if tag == "article":
            self.depth += 1
        if not self.depth:
            return
        if tag == "figure":
            self.figures.append([])
            self.captions.append([])
        elif tag == "figcaption":
            self.in_caption += 1
        elif tag == "img":
            image = Image(attr.get("src", ""), attr.get("alt", ""), None)
            self.images.append(image)
            if self.figures:
                self.figures[-1].append(image)

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1
        elif tag == "figcaption" and self.in_caption:
            self.in_caption -= 1
        elif tag == "figure" and self.figures:
            caption = " ".join("".join(self.captions.pop()).split())
            for image in self.figures.pop():
                image.caption = caption

    def handle_data(self, data: str) -> None:
        if self.in_caption and self.captions:
            self.captions[-1].append(data)


def page_images(html: str) -> list[Image]:
    """The images of a built page's article (not the theme's), with their captions."""
    parser = _Article()
    parser.feed(html)
    return parser.images


def prev_next(html: str) -> dict[str, str]:
    """The hrefs of the theme's "previous" and "next" links at the foot of a built page."""
    parser = _Article()
    parser.feed(html)
    return parser.prev_next


_FILE_NAME = re.compile(r"(^|[/\\])[\w.-]+\.(png|jpe?g|svg|gif|webp|pdf)$", re.IGNORECASE)


def figure_problems(html: str) -> list[str]:
    """What is wrong with a page's figures: no caption, or no alt text that says anything.

    Alt text says nothing when it is empty, a file name or path (what docutils writes
    when none is given), or the same as the caption would be missing.
    """
    problems = []
    for image in page_images(html):
        name = image.src.rsplit("/", 1)[-1]
        alt = image.alt.strip()
        if not alt:
            problems.append(f"{name}: empty alt text")
        elif _FILE_NAME.search(alt) or alt == image.src or " " not in alt:
            problems.append(f"{name}: alt text is a file name or one word: {alt!r}")
        if image.caption is None:
            problems.append(f"{name}: not a figure (no caption)")
        elif not image.caption:
            problems.append(f"{name}: empty caption")
    return problems


# -- "next" and "previous" in prose ----------------------------------------------------

_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)", re.DOTALL)
_SAYS_ORDER = re.compile(r"\b(next|previous)\b", re.IGNORECASE)
_PAGE_WORDS = re.compile(r"\b(next|previous)\s+page\b", re.IGNORECASE)


def link_target(page: Path, href: str) -> str | None:
    """The document a Markdown link on a page points to (None: not a page of the site)."""
    if "://" in href or href.startswith(("#", "mailto:")):
        return None
    path = href.split("#", 1)[0]
    if not path.endswith(".md"):
        return None
    resolved = (page.parent / path).resolve()
    return resolved.relative_to(DOCS.resolve()).with_suffix("").as_posix()


@dataclasses.dataclass(frozen=True)
class OrderClaim:
    """A place where a page's prose names the next or the previous page."""

    line: int
    says: str  # "next" or "previous"
    target: str | None  # the page it links to (None: it names no page)


def order_claims(page: Path) -> list[OrderClaim]:
    """The prose of a page that says which page comes next or came before.

    Three forms: a link whose text says *next* or *previous* (``[next page](x.md)``);
    a paragraph that starts ``Next:`` or follows a ``## Next`` heading, whose first link
    is the claim; and the words *next page* or *previous page* outside a link, which name
    no page and so are a claim with no target.
    """
    text = page.read_text(encoding="utf-8")
    kinds = line_kinds(text)
    lines = text.split("\n")
    claims: list[OrderClaim] = []
    prose_lines = {i for i, kind in enumerate(kinds) if kind == "prose"}

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos)

    linked: list[tuple[int, int]] = []
    for match in _LINK.finditer(text):
        if line_of(match.start()) not in prose_lines:
            continue
        linked.append((match.start(), match.end()))
        said = _SAYS_ORDER.search(match.group(1))
        if said:
            claims.append(
                OrderClaim(
                    line_of(match.start()) + 1,
                    said.group(1).lower(),
                    link_target(page, match.group(2)),
                )
            )
    for match in _PAGE_WORDS.finditer(prose_mask(text)):
        if not any(a <= match.start() < b for a, b in linked):
            claims.append(OrderClaim(line_of(match.start()) + 1, match.group(1).lower(), None))
    # "Next: [page](...)" paragraphs and "## Next" sections: their first link.
    for number, line in enumerate(lines):
        heading = kinds[number] == "heading" and re.match(r"^#+\s+Next\s*$", line)
        lead = kinds[number] == "prose" and re.match(r"^Next:", line)
        if not (heading or lead):
            continue
        rest = "\n".join(lines[number + (1 if heading else 0) :])
        first = _LINK.search(rest)
        if first is not None and _SAYS_ORDER.search(first.group(1)) is None:
            claims.append(OrderClaim(number + 1, "next", link_target(page, first.group(2))))
    return sorted(claims, key=lambda c: c.line)


def load_file(name: str, path: Path) -> ModuleType:
    """The Python file ``path`` imported as the module ``name`` (docs/_ext, tools/ and
    tests/site are not packages on ``sys.path``)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def compare_builds() -> ModuleType:
    """tools/compare_builds.py, imported as the module ``compare_builds``."""
    return load_file("compare_builds", ROOT / "tools" / "compare_builds.py")
