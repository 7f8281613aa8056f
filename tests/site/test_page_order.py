"""The page order: what the toctrees say, what the prose says, what the theme links.

The reading order is the depth-first walk of the toctrees from ``docs/index.md``. Prose
that says where a page sits must agree with it: a link whose text says *next* or
*previous*, the first link of a paragraph that starts ``Next:`` or of a ``## Next``
section, and the bare words *next page* or *previous page* (which must be a link, so
that the reader knows which page is meant). The theme's own previous / next links in
the built HTML are checked against the same order in ``test_site_html.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import site_pages
from site_pages import DOCS, docname, order_claims, reading_order, source_pages

ORDER = reading_order()


class TestReadingOrder:
    def test_every_page_is_in_a_toctree_once(self) -> None:
        """Each page of docs/ is reached from the root toctree exactly once."""
        assert sorted(ORDER) == sorted(docname(page) for page in source_pages())

    def test_lessons_come_before_the_reference(self) -> None:
        """The root toctree lists the chapters, then the summary, then the reference."""
        chapters = [ORDER.index(name) for name in ("bert/index", "t5/index", "decoders/index")]
        assert chapters == sorted(chapters)
        assert ORDER.index("complete") < ORDER.index("glossary") < ORDER.index("api")


@pytest.mark.parametrize("page", source_pages(), ids=docname)
class TestProseAgrees:
    def test_next_and_previous_name_the_neighbours(self, page: Path) -> None:
        """Every "next" or "previous" in the prose links to that page in the order."""
        index = ORDER.index(docname(page))
        wrong = []
        for claim in order_claims(page):
            step = 1 if claim.says == "next" else -1
            neighbour = ORDER[index + step] if 0 <= index + step < len(ORDER) else None
            if claim.target != neighbour:
                wrong.append(
                    f"{page.relative_to(DOCS)}:{claim.line}: says {claim.says} is "
                    f"{claim.target or 'an unnamed page'}, the toctree says {neighbour}"
                )
        assert not wrong, "\n".join(wrong)


class TestClaims:
    @pytest.fixture
    def docs(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        monkeypatch.setattr(site_pages, "DOCS", tmp_path)
        return tmp_path

    def _claims(self, docs: Path, body: str) -> list[tuple[str, str | None]]:
        page = docs / "a.md"
        page.write_text("# A\n\n" + body)
        return [(c.says, c.target) for c in order_claims(page)]

    def test_link_text(self, docs: Path) -> None:
        """A link whose text says "next page" claims its target."""
        assert self._claims(docs, "The [next page](b.md) trains it.\n") == [("next", "b")]

    def test_next_paragraph(self, docs: Path) -> None:
        """ "Next: [X](x.md)" claims x."""
        assert self._claims(docs, "Next: the [summary](c.md).\n") == [("next", "c")]

    def test_next_section(self, docs: Path) -> None:
        """The first link under a "## Next" heading is the claim."""
        assert self._claims(docs, "## Next\n\n[Choosing](d.md) decides.\n") == [("next", "d")]

    def test_unlinked_words(self, docs: Path) -> None:
        """ "the previous\\npage" with no link is a claim with no target."""
        assert self._claims(docs, "As the previous\npage showed.\n") == [("previous", None)]

    def test_code_is_not_a_claim(self, docs: Path) -> None:
        """Words in code cells are not prose."""
        assert self._claims(docs, "```{code-cell} python\n# the next page\n```\n") == []
