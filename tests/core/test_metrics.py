"""Tests for nlpguide.metrics without its reference libraries: exact match, baselines, checks, import cost."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from fresh_python import imported_by

from nlpguide.metrics import (
    bleu,
    chrf,
    exact_match,
    lead_words,
    majority_baseline,
    mean_rouge_l_f1,
    rouge_l_f1,
    word_tokens,
)


class TestWordTokens:
    def test_tokens(self) -> None:
        """Tokens are lowercased [a-z0-9] runs, as rouge-score splits text before stemming."""
        assert word_tokens("U.S. Q1 sales-rise: 3%") == ["u", "s", "q1", "sales", "rise", "3"]
        assert word_tokens("café naïve") == ["caf", "na", "ve"]

    @pytest.mark.parametrize("bad", [None, 1.5, ["a"]])
    def test_bad_input(self, bad: Any) -> None:
        """Non-str input is a TypeError naming the argument."""
        with pytest.raises(TypeError, match=r"^text must be a str"):
            word_tokens(bad)


class TestReferenceScoresCheckFirst:
    """The reference-library scores check their arguments before importing anything."""

    @pytest.mark.parametrize("bad", [None, 1.5, ["a"]])
    def test_rouge_types(self, bad: Any) -> None:
        """A non-str hypothesis or reference is a TypeError naming it."""
        with pytest.raises(TypeError, match=r"^hypothesis must be a str"):
            rouge_l_f1(bad, "reference")
        with pytest.raises(TypeError, match=r"^reference must be a str"):
            rouge_l_f1("hypothesis", bad)
        with pytest.raises(TypeError, match=r"^use_stemmer must be a bool"):
            rouge_l_f1("a", "b", use_stemmer=bad)

    @pytest.mark.parametrize("score", [mean_rouge_l_f1, bleu, chrf])
    def test_corpus_arguments(self, score: Any) -> None:
        """Corpus scores take two equally long, non-empty lists of str."""
        with pytest.raises(TypeError, match=r"^hypotheses must be a list of str"):
            score("a b", ["a b"])
        with pytest.raises(TypeError, match=r"^references must hold str items"):
            score(["a"], [None])
        with pytest.raises(ValueError, match=r"2 hypotheses for 1 references"):
            score(["a", "b"], ["a"])
        with pytest.raises(ValueError, match=r"at least one pair"):
            score([], [])


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
    def test_imports_nothing_heavy(self) -> None:
        """Importing the metrics loads neither numpy, torch, rouge-score nor sacrebleu."""
        code = "import nlpguide.metrics as m; m.exact_match(['a'], ['a'])"
        heavy = ("numpy", "torch", "rouge_score", "sacrebleu", "nltk")
        assert imported_by(code, *heavy) == []

    @pytest.mark.parametrize(
        ("blocked", "call"),
        [
            ("rouge_score", "m.rouge_l_f1('a', 'a')"),
            ("rouge_score", "m.mean_rouge_l_f1(['a'], ['a'])"),
            ("sacrebleu", "m.bleu(['a'], ['a'])"),
            ("sacrebleu", "m.chrf(['a'], ['a'])"),
        ],
    )
    def test_missing_library_names_the_extra(self, blocked: str, call: str) -> None:
        """Without its library a score raises ImportError naming the package and the extra."""
        code = (
            f"import sys; sys.modules[{blocked!r}] = None; import nlpguide.metrics as m\n"
            f"try:\n    {call}\nexcept ImportError as e:\n    print(e)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        package = blocked.replace("_", "-")
        assert f"needs the {package} package" in out.stdout
        assert "nlpguide[metrics]" in out.stdout
