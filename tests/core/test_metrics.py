"""Tests for nlpguide.metrics: exact match, ROUGE-L and the two baselines, in plain Python."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpguide.metrics import (
    exact_match,
    lcs_length,
    lead_words,
    majority_baseline,
    rouge_l_f1,
    word_tokens,
)


class TestRougeL:
    @pytest.mark.parametrize(
        ("hyp", "ref", "expected"),
        [
            # Lin (2004): LCS 3 of 4 on both sides.
            ("police kill the gunman", "police killed the gunman", 0.75),
            # LCS "the gunman": P = R = 2/4.
            ("the gunman kill police", "police killed the gunman", 0.5),
            # P = 2/2, R = 2/6 -> F1 = 2 * 1 * (1/3) / (4/3) = 0.5.
            ("the cat", "the cat sat on the mat", 0.5),
            ("Same WORDS!", "same, words", 1.0),
            ("nothing shared", "entirely different", 0.0),
            ("", "a reference", 0.0),
            ("...", "!!!", 1.0),
        ],
    )
    def test_hand_checked(self, hyp: str, ref: str, expected: float) -> None:
        """ROUGE-L F1 matches values worked out by hand."""
        assert rouge_l_f1(hyp, ref) == pytest.approx(expected)

    def test_tokens(self) -> None:
        """Tokens are lowercased [a-z0-9] runs, as in rouge_score without stemming."""
        assert word_tokens("U.S. Q1 sales-rise: 3%") == ["u", "s", "q1", "sales", "rise", "3"]
        assert word_tokens("café naïve") == ["caf", "na", "ve"]

    @settings(max_examples=100)
    @given(a=st.text(max_size=60), b=st.text(max_size=60))
    def test_range_and_symmetry(self, a: str, b: str) -> None:
        """Scores lie in [0, 1] and F1 does not depend on which side is the reference."""
        score = rouge_l_f1(a, b)
        assert 0.0 <= score <= 1.0
        assert score == pytest.approx(rouge_l_f1(b, a))

    @settings(max_examples=100)
    @given(text=st.text(max_size=80))
    def test_identical_is_one(self, text: str) -> None:
        """A text scored against itself gets exactly 1."""
        assert rouge_l_f1(text, text) == 1.0

    @settings(max_examples=100)
    @given(a=st.lists(st.sampled_from("abcd")), b=st.lists(st.sampled_from("abcd")))
    def test_lcs_bounds(self, a: list[str], b: list[str]) -> None:
        """The LCS is no longer than either side, symmetric, and a subsequence scores its length."""
        n = lcs_length(a, b)
        assert n <= min(len(a), len(b))
        assert n == lcs_length(b, a)
        assert lcs_length(a[::2], a) == len(a[::2])

    @pytest.mark.parametrize("bad", [None, 1.5, ["a"]])
    def test_bad_input(self, bad: Any) -> None:
        """Non-str input is a TypeError, not a silent zero."""
        with pytest.raises(TypeError, match=r"must be a str"):
            rouge_l_f1(bad, "reference")

    @pytest.mark.parametrize("bad", [None, "abc", [1, 2]])
    def test_lcs_bad_input(self, bad: Any) -> None:
        """lcs_length takes lists of str: anything else is a TypeError naming the argument."""
        with pytest.raises(TypeError, match=r"^a must"):
            lcs_length(bad, ["a"])
        with pytest.raises(TypeError, match=r"^b must"):
            lcs_length(["a"], bad)


class TestExactMatch:
    def test_folds_case_and_spaces_only(self) -> None:
        """Exact match ignores case and surrounding spaces, nothing else."""
        assert exact_match([" Sport", "tech", "politic"], ["sport", "tech", "politics"]) == 2 / 3
        assert exact_match(("a b",), ("a  b",)) == 0.0

    @pytest.mark.parametrize(("preds", "refs"), [(["a"], []), ([], [])])
    def test_lengths(self, preds: list[str], refs: list[str]) -> None:
        """Mismatched or empty inputs raise ValueError."""
        with pytest.raises(ValueError, match=r"predictions|nothing"):
            exact_match(preds, refs)

    @pytest.mark.parametrize(
        ("preds", "refs", "name"),
        [
            ("sport", ["sport"], "predictions"),
            (["a"], [None], "references"),
            (None, ["a"], "predictions"),
        ],
    )
    def test_types(self, preds: Any, refs: Any, name: str) -> None:
        """A bare str, a non-str item or None is a TypeError naming the argument."""
        with pytest.raises(TypeError, match=rf"^{name} must"):
            exact_match(preds, refs)


class TestBaselines:
    def test_majority(self) -> None:
        """The majority class comes from train; ties go to the first label alphabetically."""
        assert majority_baseline(["sport", "business", "sport"], ["sport", "tech"]) == (
            "sport",
            0.5,
        )
        assert majority_baseline(["tech", "business"], ["business"]) == ("business", 1.0)

    def test_majority_bad(self) -> None:
        """An empty train split is a ValueError; an empty test split has no score to give."""
        with pytest.raises(ValueError, match=r"empty"):
            majority_baseline([], ["a"])
        with pytest.raises(ValueError, match=r"nothing"):
            majority_baseline(["a"], [])
        with pytest.raises(TypeError, match=r"^train_labels must"):
            majority_baseline("ab", ["a"])

    def test_lead_words(self) -> None:
        """The headline baseline is the first n words, or all when fewer."""
        assert lead_words("a b  c\nd e", 3) == "a b c"
        assert lead_words("a b", 8) == "a b"
        assert lead_words("", 2) == ""
        assert lead_words(" ".join(map(str, range(20)))) == "0 1 2 3 4 5 6 7"

    @pytest.mark.parametrize(
        ("text", "n", "error", "match"),
        [
            ("a", 0, ValueError, "^n must be an int >= 1"),
            ("a", 2.0, TypeError, "^n must be an int"),
            ("a", True, TypeError, "^n must be an int"),
            (None, 2, TypeError, "^text must be a str"),
        ],
    )
    def test_lead_words_bad(self, text: Any, n: Any, error: type[Exception], match: str) -> None:
        """A bad n or text follows the contract: TypeError for the type, ValueError for the value."""
        with pytest.raises(error, match=match):
            lead_words(text, n)


class TestImportCost:
    def test_needs_no_numpy(self) -> None:
        """Scoring imports neither numpy nor torch: the metrics are plain Python."""
        code = (
            "import sys; from nlpguide.metrics import rouge_l_f1; rouge_l_f1('a b', 'b'); "
            "print(sorted(m for m in ('numpy', 'torch') if m in sys.modules))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "[]"
