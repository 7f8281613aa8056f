"""Bad-input fuzzing of :mod:`nlpguide.lessons.bert` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fuzz_support import (
    JUNK,
    UNTOUCHABLE_MODEL,
    UNTOUCHABLE_TOKENIZER,
    attempt,
    bad_count,
    check_plain_record,
    fuzz,
    rejects,
)
from hypothesis import given
from hypothesis import strategies as st

from nlpguide.lessons import bert


class TestProbe:
    def test_cloze_probe_valid(self) -> None:
        """The probe is a tuple of sentences with exactly one [MASK] and at least one answer each."""
        out = attempt("nlpguide.lessons.bert.cloze_probe", bert.cloze_probe)
        assert out.ok
        assert len(out.value) >= 30
        for item in out.value:
            assert item.text.count("[MASK]") == 1
            assert item.answers
            assert all(isinstance(a, str) and a for a in item.answers)

    @fuzz(30)
    @given(extra=st.lists(JUNK, min_size=1, max_size=2))
    def test_cloze_probe_takes_no_arguments(self, extra: list[Any]) -> None:
        """cloze_probe takes no arguments: any is a TypeError naming it."""
        rejects(
            "nlpguide.lessons.bert.cloze_probe", lambda: bert.cloze_probe(*extra), "cloze_probe"
        )

    @fuzz(80)
    @given(which=st.sampled_from(["probe_predictions", "probe_score"]), k=bad_count(1))
    def test_bad_k_checked_first(self, which: str, k: Any) -> None:
        """A k that is no int >= 1 is rejected by name before the tokenizer or model is used."""
        fn: Callable[..., Any] = getattr(bert, which)
        rejects(
            f"nlpguide.lessons.bert.{which}",
            lambda: fn(UNTOUCHABLE_TOKENIZER, UNTOUCHABLE_MODEL, k=k),
            mentions="k",
        )


class TestRecords:
    """Plain result records: they hold what they are given and print it."""

    @fuzz(30)
    @given(data=st.data())
    def test_plain_records(self, data: st.DataObject) -> None:
        """A ProbeItem keeps its text and answers as given and reprs without error."""
        check_plain_record("nlpguide.lessons.bert.ProbeItem", bert.ProbeItem, data)


@pytest.mark.models
class TestWithTheModel:
    def test_probe_score_in_range(self) -> None:
        """On the shipped fill-mask model, top-1 is no better than top-5, both shares in [0, 1]."""
        from nlpguide.models import masked_lm

        tok, model = masked_lm()
        top1 = attempt(
            "nlpguide.lessons.bert.probe_score", lambda: bert.probe_score(tok, model, k=1)
        )
        top5 = attempt(
            "nlpguide.lessons.bert.probe_score", lambda: bert.probe_score(tok, model, k=5)
        )
        assert top1.ok
        assert top5.ok
        assert 0.0 <= top1.value <= top5.value <= 1.0
        preds = attempt(
            "nlpguide.lessons.bert.probe_predictions",
            lambda: bert.probe_predictions(tok, model, k=2),
        )
        assert preds.ok
        assert [len(p) for p in preds.value] == [2] * len(bert.cloze_probe())


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.lessons.bert.ProbeItem": "TestRecords.test_plain_records",
    "nlpguide.lessons.bert.cloze_probe": "TestProbe.test_cloze_probe_takes_no_arguments",
    "nlpguide.lessons.bert.probe_predictions": "TestProbe.test_bad_k_checked_first",
    "nlpguide.lessons.bert.probe_score": "TestProbe.test_bad_k_checked_first",
}
