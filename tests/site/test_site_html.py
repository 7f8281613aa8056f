"""The built site's HTML: figures with captions and alt text, and the theme's page order.

Reads ``docs/_build/html`` as ``nox -s docs`` leaves it (no browser needed); marked
``browser`` with the other built-site checks, so ``nox -s browser`` runs it after a
build and the ordinary test run, which has no built site, does not. Glued figures are
covered too, since the check reads what the build wrote.

A figure passes when its ``<img>`` has alt text that says something (not empty, not a
file name or path, which is what docutils writes when a cell gives none, and more than
one word) and sits in a ``<figure>`` with a non-empty caption: myst-nb's cell metadata
``mystnb: {figure: {caption, name}, image: {alt}}``, or a ``{glue:figure}`` with
``:alt:`` and a caption.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from site_pages import DOCS, figure_problems, page_images, prev_next, reading_order

pytestmark = pytest.mark.browser

SITE = DOCS / "_build" / "html"
NOT_BUILT = f"The site is not built ({SITE / 'index.html'} is missing): run `nox -s docs` first."
ORDER = reading_order()


def _html(name: str) -> str:
    path = SITE / f"{name}.html"
    if not path.is_file():
        pytest.fail(NOT_BUILT if not (SITE / "index.html").is_file() else f"{path} is missing")
    return path.read_text(encoding="utf-8")


def _page_of(name: str, href: str) -> str:
    """The document a relative href on the built page ``name`` points to."""
    target = (Path(name).parent / href.split("#", 1)[0]).as_posix()
    parts: list[str] = []
    for part in target.split("/"):
        if part == "..":
            parts.pop()
        elif part not in {"", "."}:
            parts.append(part)
    return "/".join(parts).removesuffix(".html")


@pytest.mark.parametrize("name", ORDER)
class TestFigures:
    def test_every_figure_has_a_caption_and_alt_text(self, name: str) -> None:
        """Each image of the page is a captioned figure whose alt text says what it shows."""
        problems = figure_problems(_html(name))
        assert not problems, "\n".join(f"{name}: {p}" for p in problems)


class TestFiguresExist:
    def test_lessons_have_figures(self) -> None:
        """The check has something to check: the lessons show figures."""
        assert sum(len(page_images(_html(name))) for name in ORDER) > 0


@pytest.mark.parametrize("index", range(len(ORDER)), ids=ORDER)
class TestThemeOrder:
    def test_previous_and_next_follow_the_toctree(self, index: int) -> None:
        """The theme's previous / next links at the foot lead to the toctree neighbours."""
        name = ORDER[index]
        links = {k: _page_of(name, v) for k, v in prev_next(_html(name)).items()}
        expected = {}
        if index > 0:
            expected["prev"] = ORDER[index - 1]
        if index + 1 < len(ORDER):
            expected["next"] = ORDER[index + 1]
        assert links == expected
