"""Page code fits the reading column (no line a page shows is over 87 characters) and
seeds one way: a page that runs models calls ``seed_everything()`` first; any other
page never imports torch and passes its seeds to the core helpers (``rng=``).

The column, measured in headless chromium on the built site (sphinx-book-theme 1.4 on
pydata-sphinx-theme 0.20): at a 1400 px wide window a code cell's input box is 768 px
wide, 736 px inside its padding, and the theme's 14 px monospace (DejaVu Sans Mono
here, 8.43 px a character) fits 87 characters before the box scrolls sideways; at
1280 px, 75. Issue 14 asked for about 80; issue 23 for a normal formatter width (88)
rather than lines chopped to 80: 87 is the widest that does not scroll at 1400 px.

What a page shows as code, read from the sources: every line of its code cells and
fenced code blocks, and the lines a ``literalinclude`` brings in from the package (the
``:pyobject:``, from ``:start-at:``, less ``:dedent:``), but not cells tagged
``remove-input`` or ``remove-cell``, whose code is never shown, nor a cell's metadata.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from site_pages import CODE_COLUMN, DOCS, code_lines, docname, source_pages


@pytest.mark.parametrize("page", source_pages(), ids=docname)
class TestCodeFitsTheColumn:
    def test_no_code_line_is_too_long(self, page: Path) -> None:
        """Every line of code the page shows is at most 87 characters."""
        long = [line for line in code_lines(page) if len(line.text) > CODE_COLUMN]
        assert not long, f"{len(long)} lines over {CODE_COLUMN} characters:\n" + "\n".join(
            f"{line.where} ({len(line.text)}): {line.text.strip()}" for line in long
        )


_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_MODEL_CODE = re.compile(
    r"^\s*(?:import|from) (?:torch|transformers|peft|nlpguide\.models)\b", re.MULTILINE
)


@pytest.mark.parametrize("page", source_pages(), ids=docname)
class TestSeeding:
    def test_one_seeding_story(self, page: Path) -> None:
        """A page with model code seeds all in its first cell; any other never imports torch."""
        cells = _CELL.findall(page.read_text(encoding="utf-8"))
        if any(_MODEL_CODE.search(cell) for cell in cells):
            assert "seed_everything()" in cells[0], "the first cell must call seed_everything()"
        else:
            assert not re.search(r"seed_everything|import torch", "\n".join(cells))


class TestWhatCounts:
    def _page(self, tmp_path: Path, body: str) -> Path:
        page = tmp_path / "page.md"
        page.write_text("---\nkernelspec:\n  name: python3\n---\n\n# Page\n\n" + body)
        return page

    def test_code_cell_lines_count(self, tmp_path: Path) -> None:
        """The lines of a code cell are shown code; its options are not."""
        body = "```{code-cell} python\n:tags: [hide-input]\nx = 1\ny = 2\n```\n"
        assert [c.text for c in code_lines(self._page(tmp_path, body))] == ["x = 1", "y = 2"]

    def test_cell_metadata_is_not_code(self, tmp_path: Path) -> None:
        """A cell's YAML metadata block (captions, alt text) is not shown as code."""
        body = (
            "```{code-cell} python\n---\nmystnb:\n  image:\n    alt: " + "a" * 90 + "\n---\n"
            "plot()\n```\n"
        )
        assert [c.text for c in code_lines(self._page(tmp_path, body))] == ["plot()"]

    def test_removed_input_is_not_shown(self, tmp_path: Path) -> None:
        """A remove-input cell's code is never on the page, so it does not count."""
        body = "```{code-cell} python\n:tags: [remove-input]\n" + "x" * 99 + "\n```\n"
        assert code_lines(self._page(tmp_path, body)) == []

    def test_fenced_code_counts(self, tmp_path: Path) -> None:
        """A plain fenced python block is shown code."""
        body = "```python\nimport this\n```\n"
        assert [c.text for c in code_lines(self._page(tmp_path, body))] == ["import this"]

    def test_included_function_counts(self, tmp_path: Path) -> None:
        """A literalinclude'd function is read from the package, from its def line on."""
        source = DOCS.parent / "src" / "nlpguide" / "models" / "finetune.py"
        body = "".join(
            f"```{{literalinclude}} {source}\n:language: python\n:pyobject: {name}\n```\n\n"
            for name in ("build_trainer", "add_lora")
        )
        shown = [c for c in code_lines(self._page(tmp_path, body)) if "->" in c.where]
        assert shown[0].text == "def build_trainer("
        assert any("finetune.py:add_lora" in c.where for c in shown)

    def test_start_at_and_dedent_apply(self) -> None:
        """``:start-at:`` and ``:dedent:`` cut the included lines as Sphinx does."""
        shown = [c for c in code_lines(DOCS / "t5" / "text-to-text.md") if "t5_view" in c.where]
        assert shown[0].text.startswith("# No new layer: the task is named in the input")
