"""Bad-input fuzzing of :mod:`nlpguide.metrics` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Callable
from typing import Any

import pytest
from fuzz_support import (
    BAD_INPUT,
    BAD_STR_LISTS,
    NON_STR,
    TEXT,
    TEXT_OR_HUGE,
    WORD_LISTS,
    Outcome,
    attempt,
    bad_count,
    fuzz,
)
from hypothesis import given
from hypothesis import strategies as st

from nlpguide import metrics

#: tests/core runs without the metrics extra too (nox -s tests_core).
REFERENCE_LIBRARIES = all(importlib.util.find_spec(m) for m in ("rouge_score", "sacrebleu"))


def scored(target: str, call: Callable[[], Any]) -> Outcome:
    """attempt(), where a missing reference library must be an ImportError naming the extra."""
    if REFERENCE_LIBRARIES:
        return attempt(target, call)
    out = attempt(target, call, (*BAD_INPUT, ImportError))
    if isinstance(out.error, ImportError):
        assert "nlpguide[metrics]" in str(out.error)
        return Outcome(False, error=out.error)
    return out


class TestMetrics:
    @fuzz(200)
    @given(
        predictions=st.one_of(WORD_LISTS, BAD_STR_LISTS),
        references=st.one_of(WORD_LISTS, BAD_STR_LISTS),
    )
    def test_exact_match(self, predictions: Any, references: Any) -> None:
        """exact_match is the share of equal (case- and space-folded) pairs, in [0, 1]."""
        if isinstance(predictions, list) and isinstance(references, list) and references:
            predictions = (predictions * len(references))[: len(references)] or references
        out = attempt(
            "nlpguide.metrics.exact_match", lambda: metrics.exact_match(predictions, references)
        )
        if out.ok:
            assert 0.0 <= out.value <= 1.0
            assert isinstance(predictions, list | tuple)
            assert all(isinstance(p, str) for p in [*predictions, *references])

    @fuzz(150)
    @given(train=st.one_of(WORD_LISTS, BAD_STR_LISTS), test=st.one_of(WORD_LISTS, BAD_STR_LISTS))
    def test_majority_baseline(self, train: Any, test: Any) -> None:
        """majority_baseline picks a train label and scores it in [0, 1], or raises clearly."""
        out = attempt(
            "nlpguide.metrics.majority_baseline", lambda: metrics.majority_baseline(train, test)
        )
        if out.ok:
            label, score = out.value
            assert isinstance(train, list | tuple)
            assert isinstance(test, list | tuple)
            assert isinstance(label, str)
            assert label in train
            assert 0.0 <= score <= 1.0

    @fuzz(200)
    @given(text=st.one_of(TEXT_OR_HUGE, NON_STR), n=st.one_of(st.integers(1, 50), bad_count(1)))
    def test_lead_words(self, text: Any, n: Any) -> None:
        """lead_words keeps the first n whitespace-separated words."""
        out = attempt("nlpguide.metrics.lead_words", lambda: metrics.lead_words(text, n))
        if out.ok:
            assert isinstance(n, int)
            assert not isinstance(n, bool)
            assert out.value.split() == text.split()[:n]

    @fuzz(200)
    @given(hypothesis=st.one_of(TEXT, NON_STR), reference=st.one_of(TEXT, NON_STR))
    def test_rouge_l_f1(self, hypothesis: Any, reference: Any) -> None:
        """ROUGE-L F1 is in [0, 1] and symmetric; without rouge-score, a clear ImportError."""
        out = scored(
            "nlpguide.metrics.rouge_l_f1", lambda: metrics.rouge_l_f1(hypothesis, reference)
        )
        if out.ok:
            assert 0.0 <= out.value <= 1.0
            assert out.value == pytest.approx(metrics.rouge_l_f1(reference, hypothesis))

    @fuzz(100)
    @given(
        hypotheses=st.one_of(WORD_LISTS, BAD_STR_LISTS),
        references=st.one_of(WORD_LISTS, BAD_STR_LISTS),
    )
    def test_corpus_scores(self, hypotheses: Any, references: Any) -> None:
        """mean ROUGE-L lies in [0, 1], BLEU and chrF in [0, 100]; bad lists fail clearly."""
        if isinstance(hypotheses, list) and isinstance(references, list) and references:
            hypotheses = (hypotheses * len(references))[: len(references)] or references
        scores: tuple[tuple[str, Callable[[Any, Any], float], float], ...] = (
            ("mean_rouge_l_f1", metrics.mean_rouge_l_f1, 1.0),
            ("bleu", metrics.bleu, 100.0),
            ("chrf", metrics.chrf, 100.0),
        )
        for name, score, top in scores:
            out = scored(
                f"nlpguide.metrics.{name}", functools.partial(score, hypotheses, references)
            )
            if out.ok:
                assert 0.0 <= out.value <= top + 1e-9

    @fuzz(150)
    @given(text=st.one_of(TEXT_OR_HUGE, NON_STR))
    def test_word_tokens(self, text: Any) -> None:
        """word_tokens are lowercase [a-z0-9] runs."""
        out = attempt("nlpguide.metrics.word_tokens", lambda: metrics.word_tokens(text))
        if out.ok:
            assert all(re.fullmatch("[a-z0-9]+", t) for t in out.value)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.metrics.exact_match": "TestMetrics.test_exact_match",
    "nlpguide.metrics.majority_baseline": "TestMetrics.test_majority_baseline",
    "nlpguide.metrics.lead_words": "TestMetrics.test_lead_words",
    "nlpguide.metrics.rouge_l_f1": "TestMetrics.test_rouge_l_f1",
    "nlpguide.metrics.word_tokens": "TestMetrics.test_word_tokens",
    "nlpguide.metrics.mean_rouge_l_f1": "TestMetrics.test_corpus_scores",
    "nlpguide.metrics.bleu": "TestMetrics.test_corpus_scores",
    "nlpguide.metrics.chrf": "TestMetrics.test_corpus_scores",
}
