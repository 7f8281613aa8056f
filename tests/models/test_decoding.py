"""Tests for nlpguide.models.decoding's pure parts: greedy steps, traces, timings."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpguide.models.decoding import (
    Candidate,
    GenerationTiming,
    GreedyStep,
    show_token,
    trace_markdown,
)


class TestGreedyStep:
    def test_candidates_must_be_sorted(self) -> None:
        """A step whose candidates are not by falling probability is rejected."""
        with pytest.raises(ValueError, match="sorted by falling probability"):
            GreedyStep(0, (Candidate("a", 1, 0.2), Candidate("b", 2, 0.5)))

    def test_needs_a_candidate(self) -> None:
        """A step without candidates is rejected."""
        with pytest.raises(ValueError, match="at least one candidate"):
            GreedyStep(0, ())

    def test_margin_of_a_lone_candidate(self) -> None:
        """A single candidate leads by its own probability."""
        assert GreedyStep(0, (Candidate("a", 1, 0.7),)).margin == pytest.approx(0.7)


class TestTraceMarkdown:
    @given(st.lists(st.integers(1, 5), min_size=1, max_size=6))
    @settings(max_examples=30)
    def test_one_row_per_step_same_width(self, widths: list[int]) -> None:
        """Every row of the table has the same number of cells, one row per step."""
        trace = [
            GreedyStep(i, tuple(Candidate(f"t{j}", j, 0.5 ** (j + 1)) for j in range(w)))
            for i, w in enumerate(widths)
        ]
        lines = trace_markdown(trace).splitlines()
        assert len(lines) == 2 + len(widths)
        # Cell borders are the unescaped pipes.
        borders = {len(re.findall(r"(?<!\\)\|", line)) for line in lines}
        assert borders == {2 + 2 * max(widths)}

    def test_empty_trace(self) -> None:
        """An empty trace raises instead of rendering a header alone."""
        with pytest.raises(ValueError, match="empty"):
            trace_markdown([])

    def test_special_characters_escaped(self) -> None:
        """Spaces, newlines and pipes in tokens cannot break the table."""
        row = trace_markdown([GreedyStep(0, (Candidate(" a|\n", 1, 1.0),))]).splitlines()[2]
        assert row == "| 1 | `␣a\\|\\n` | 1.000 |"

    def test_carriage_return_and_line_separator_cannot_break_the_table(self) -> None:
        """A token holding "\\r" or U+2028 broke trace_markdown's table row (fuzzing found)."""
        table = trace_markdown([GreedyStep(0, (Candidate("a\rb\u2028c", 1, 0.5),))])
        assert table.splitlines()[2] == "| 1 | `a\\rb\\u2028c` | 0.500 |"

    def test_show_token_rejects_bytes(self) -> None:
        """show_token takes str only."""
        with pytest.raises(TypeError, match="token must be a str"):
            show_token(b"x")  # type: ignore[arg-type]


class TestGenerationTiming:
    def test_median_of_runs(self) -> None:
        """The median is the middle run, not the mean."""
        assert GenerationTiming(True, 4, (1.0, 9.0, 2.0), (1,)).median == 2.0
