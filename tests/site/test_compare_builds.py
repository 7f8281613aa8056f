"""The build comparison behind ``nox -s repro``: it catches changed numbers, not timings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import site_pages

compare_builds = site_pages.compare_builds()


def _cell(text: str, *, tags: tuple[str, ...] = (), png: str | None = None) -> dict[str, object]:
    outputs: list[dict[str, object]] = [{"output_type": "stream", "name": "stdout", "text": text}]
    if png is not None:
        outputs.append({"output_type": "display_data", "data": {"image/png": png}, "metadata": {}})
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "outputs": outputs, "source": ""}


def _build(root: Path, *cells: dict[str, object], page: str = "bert/page.ipynb") -> Path:
    path = root / page
    path.parent.mkdir(parents=True, exist_ok=True)
    notebook = {"cells": [{"cell_type": "markdown", "source": "# P"}, *cells], "nbformat": 4}
    path.write_text(json.dumps(notebook))
    return root


class TestCompare:
    def test_identical_builds_pass(self, tmp_path: Path) -> None:
        """Two builds with the same outputs compare equal, and every output is counted."""
        cells = (
            _cell("accuracy 96.8%\n", png="AAAA"),
            _cell("trained in 43 s\n", tags=("timing",)),
        )
        a = _build(tmp_path / "a", *cells)
        b = _build(tmp_path / "b", *cells)
        report = compare_builds.compare(a, b)
        assert report.differences == []
        assert (report.pages, report.cells, report.outputs, report.images) == (1, 2, 3, 1)

    def test_changed_number_is_a_difference_naming_page_and_cell(self, tmp_path: Path) -> None:
        """A number that changed in an ordinary cell is reported with its page and cell."""
        a = _build(tmp_path / "a", _cell("accuracy 96.8%\n"))
        b = _build(tmp_path / "b", _cell("accuracy 96.4%\n"))
        (difference,) = compare_builds.compare(a, b).differences
        assert "bert/page.ipynb cell 0" in difference
        assert "96.4%" in difference

    def test_labelled_timings_are_masked(self, tmp_path: Path) -> None:
        """In a cell tagged timing, durations and time ratios may differ."""
        a = _build(
            tmp_path / "a", _cell("43 s, 1.5 ms per article, 14x\n", tags=("timing",), png="A")
        )
        b = _build(
            tmp_path / "b", _cell("51 s, 1.9 ms per article, 11.5x\n", tags=("timing",), png="B")
        )
        report = compare_builds.compare(a, b)
        assert report.differences == []
        assert report.masked == 3
        assert report.timing_cells == 1

    def test_other_numbers_in_a_timing_cell_still_count(self, tmp_path: Path) -> None:
        """A timing label does not hide an accuracy printed in the same cell."""
        a = _build(tmp_path / "a", _cell("43 s; accuracy 96.8%\n", tags=("timing",)))
        b = _build(tmp_path / "b", _cell("44 s; accuracy 95.0%\n", tags=("timing",)))
        assert len(compare_builds.compare(a, b).differences) == 1

    def test_unlabelled_timing_is_a_difference(self, tmp_path: Path) -> None:
        """A timing printed in a cell without the tag is not masked: pages must label them."""
        a = _build(tmp_path / "a", _cell("trained in 43 s\n"))
        b = _build(tmp_path / "b", _cell("trained in 44 s\n"))
        assert len(compare_builds.compare(a, b).differences) == 1

    def test_changed_plot_is_a_difference(self, tmp_path: Path) -> None:
        """A plot whose pixels changed (outside timing cells) is a difference."""
        a = _build(tmp_path / "a", _cell("x\n", png="AAAA"))
        b = _build(tmp_path / "b", _cell("x\n", png="AAAB"))
        assert "image/png" in compare_builds.compare(a, b).differences[0]

    def test_missing_page_or_cell_is_a_difference(self, tmp_path: Path) -> None:
        """A page executed in one build only, or with other cells, is reported."""
        a = _build(tmp_path / "a", _cell("x\n"), _cell("y\n"))
        _build(tmp_path / "a", _cell("z\n"), page="t5/other.ipynb")
        b = _build(tmp_path / "b", _cell("x\n"))
        differences = compare_builds.compare(a, b).differences
        assert any("t5/other.ipynb" in d for d in differences)
        assert any("2 vs 1 code cells" in d for d in differences)


class TestMain:
    def test_exit_status(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Exit 0 and a summary line when equal, 1 when not."""
        a = _build(tmp_path / "a", _cell("1\n"))
        b = _build(tmp_path / "b", _cell("1\n"))
        c = _build(tmp_path / "c", _cell("2\n"))
        assert compare_builds.main([str(a), str(b)]) == 0
        assert "1 pages, 1 code cells, 1 outputs (0 images): identical" in capsys.readouterr().out
        assert compare_builds.main([str(a), str(c)]) == 1

    def test_empty_build_is_refused(self, tmp_path: Path) -> None:
        """A folder with no executed pages is an error, not an empty success."""
        a = _build(tmp_path / "a", _cell("1\n"))
        (tmp_path / "empty").mkdir()
        with pytest.raises(SystemExit) as info:
            compare_builds.main([str(a), str(tmp_path / "empty")])
        assert info.value.code == 2
