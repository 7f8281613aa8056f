"""Tests for nlpguide._markdown: the one Markdown table writer, every cell shown literally."""

from __future__ import annotations

import pytest

from nlpguide._markdown import cell, table


class TestCell:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("*he*", "\\*he\\*"),
            ("<extra_id_0>", "\\<extra\\_id\\_0\\>"),
            ("a|b", "a\\|b"),
            ("[MASK]", "\\[MASK\\]"),
            ("two\nlines", "two lines"),
            (3.5, "3.5"),
        ],
    )
    def test_escaped(self, value: object, expected: str) -> None:
        """Outside code spans Markdown's special characters are escaped and newlines folded."""
        assert cell(value) == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("<extra_id_0>", "`<extra_id_0>`"),
            ("a|b", "`a\\|b`"),
            ("x`y", "``x`y``"),
            ("`x", "`` `x ``"),
            ("", ""),
        ],
    )
    def test_code(self, value: str, expected: str) -> None:
        """In a code span only | is escaped; a backtick gets a longer fence, padded at the edges."""
        assert cell(value, code=True) == expected


class TestTable:
    def test_layout(self) -> None:
        """A header row, one rule per column by its alignment, then one line per row."""
        out = table(["a", "b", "c"], [[1, "x", "*y*"]], align="lrc", code=[False, True, False])
        assert out.splitlines() == ["| a | b | c |", "|---|---:|:---:|", "| 1 | `x` | \\*y\\* |"]

    def test_rows_may_be_any_iterable(self) -> None:
        """Rows come from a generator as well as from a list."""
        assert table(["n"], ([i] for i in range(2))).splitlines()[2:] == ["| 0 |", "| 1 |"]

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"header": [], "rows": []}, "header"),
            ({"header": ["a"], "rows": [[1, 2]]}, "row 0 has 2 cells"),
            ({"header": ["a", "b"], "rows": [], "code": [True]}, "code has 1 flags"),
            ({"header": ["a"], "rows": [], "align": "x"}, "align"),
            ({"header": ["a"], "rows": [], "align": "ll"}, "align"),
        ],
    )
    def test_bad_shapes(self, kwargs: dict[str, object], match: str) -> None:
        """A shape that does not fit the header is a ValueError saying what is wrong."""
        with pytest.raises(ValueError, match=match):
            table(**kwargs)  # type: ignore[arg-type]
