"""The site's join of a cell's stream chunks: what a page shows depends on what it printed."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from site_pages import load_file

EXT = Path(__file__).resolve().parents[2] / "docs" / "_ext" / "streams.py"


streams = load_file("site_streams", EXT)
# The generation page's sampling cell, as the kernel sent it in one of two cold builds.
PRINTED = (
    "T=0.5: top token p=0.41; top-p 0.9 keeps 3 tokens\n"
    "T=1.0: top token p=0.24; top-p 0.9 keeps 32 tokens\n"
    "T=1.5: top token p=0.09; top-p 0.9 keeps 880 tokens\n"
)


def _chunks(text: str, cuts: list[int], name: str = "stdout") -> list[dict[str, Any]]:
    edges = [0, *sorted(set(cuts)), len(text)]
    return [
        {"output_type": "stream", "name": name, "text": text[a:b]}
        for a, b in itertools.pairwise(edges)
    ]


class TestJoin:
    def test_cut_before_a_newline_adds_no_blank_line(self) -> None:
        """The cut that made two builds differ (text, then its newline with the next line) joins exactly."""
        cut = PRINTED.index("\nT=1.0")
        [merged] = streams.coalesce_streams(_chunks(PRINTED, [cut]))
        assert merged["text"] == PRINTED

    @given(st.lists(st.integers(min_value=1, max_value=len(PRINTED) - 1), max_size=8))
    def test_any_chunking_shows_the_same_text(self, cuts: list[int]) -> None:
        """However the stream is cut into chunks, the page shows the same text."""
        [merged] = streams.coalesce_streams(_chunks(PRINTED, cuts))
        assert merged["text"] == PRINTED

    def test_leaves_the_notebooks_chunks_as_sent(self) -> None:
        """The written notebook keeps the kernel's chunks, so joining them never repeats a line."""
        chunks = _chunks(PRINTED, [10, 70])
        streams.coalesce_streams(chunks)
        assert "".join(c["text"] for c in chunks) == PRINTED

    def test_progress_bar_keeps_its_last_state(self) -> None:
        """Carriage-return redraws collapse to the last one, and trailing blank lines to one newline."""
        chunks = _chunks("10%\r50%\r100%\ndone\n\n\n", [4, 8])
        [merged] = streams.coalesce_streams(chunks)
        assert merged["text"] == "100%\ndone\n"

    def test_stdout_comes_before_adjacent_stderr(self) -> None:
        """Two adjacent streams are ordered stdout first, since their order is a race."""
        outputs = [*_chunks("warn\n", [], "stderr"), *_chunks("out\n", [], "stdout")]
        merged = streams.coalesce_streams(outputs)
        assert [o["name"] for o in merged] == ["stdout", "stderr"]

    def test_other_outputs_keep_their_place(self) -> None:
        """A figure between two chunks stays after the joined stream."""
        image = {"output_type": "display_data", "data": {"image/png": "AAAA"}, "metadata": {}}
        outputs = [_chunks("a\n", [])[0], image, _chunks("b\n", [])[0]]
        merged = streams.coalesce_streams(outputs)
        assert [o["output_type"] for o in merged] == ["stream", "display_data"]
        assert merged[0]["text"] == "a\nb\n"


class TestSetup:
    def test_the_renderer_calls_the_exact_join(self) -> None:
        """After setup, myst-nb's renderer uses this join and not its own."""
        from myst_nb.core import render

        original = render.coalesce_streams
        try:
            streams.setup(None)
            assert render.coalesce_streams is streams.coalesce_streams
        finally:
            render.coalesce_streams = original
