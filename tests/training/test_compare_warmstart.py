"""Tests for training/compare_warmstart.py: the warm-start headline comparison."""

from __future__ import annotations

import json
from pathlib import Path

import compare_warmstart as cw
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpguide.metrics import rouge_l_f1


class TestSettings:
    """Settings reject values that cannot run."""

    @pytest.mark.parametrize(
        ("field", "value"),
        [("batch_size", 0), ("max_source_tokens", -1), ("max_new_tokens", 1.5), ("max_steps", 0)],
    )
    def test_bad_int_field(self, field: str, value: object) -> None:
        """A non-positive or non-int size raises ValueError naming the field."""
        with pytest.raises(ValueError, match=field):
            cw.Settings(**{field: value})  # type: ignore[arg-type]

    @given(st.floats(max_value=0.0, allow_nan=False))
    @settings(max_examples=20)
    def test_bad_budget(self, budget: float) -> None:
        """A budget of zero minutes or less raises ValueError."""
        with pytest.raises(ValueError, match="budget_minutes"):
            cw.Settings(budget_minutes=budget)


class TestRougeTable:
    """rouge_table is the mean of the BBC T5's own rouge_l_f1."""

    @given(st.lists(st.tuples(st.text(max_size=30), st.text(max_size=30)), min_size=1, max_size=6))
    @settings(max_examples=50, deadline=None)  # the first call imports rouge-score (nltk)
    def test_mean_of_rouge_l(self, pairs: list[tuple[str, str]]) -> None:
        """The table equals the mean of rouge_l_f1 over the pairs, and lies in [0, 1]."""
        hyps, refs = [h for h, _ in pairs], [r for _, r in pairs]
        expected = sum(rouge_l_f1(h, r) for h, r in pairs) / len(pairs)
        got = cw.rouge_table(hyps, refs)
        assert got == pytest.approx(expected)
        assert 0.0 <= got <= 1.0

    def test_length_mismatch(self) -> None:
        """Unpaired lists raise ValueError instead of zipping silently."""
        with pytest.raises(ValueError, match="2 hypotheses for 1 references"):
            cw.rouge_table(["a", "b"], ["a"])

    def test_empty(self) -> None:
        """No pairs raise ValueError: a mean of nothing is undefined."""
        with pytest.raises(ValueError, match="at least one pair"):
            cw.rouge_table([], [])


@pytest.mark.models
class TestSmokeRun:
    """A two-step run on 8 articles writes a complete, consistent record."""

    def test_two_steps(self, tmp_path: Path) -> None:
        """The record has the figures, the BBC T5's figures from its record and a decision."""
        import torch

        from nlpguide.data import bbc_split

        torch.set_num_threads(1)
        full = bbc_split()
        splits = {"train": full["train"][:8], "test": full["test"][:4]}
        record = cw.compare(
            cw.Settings(budget_minutes=1.0, max_steps=2, batch_size=4, max_new_tokens=4),
            splits=splits,
        )
        out = tmp_path / "r.json"
        out.write_text(json.dumps(record), encoding="utf-8")
        record = json.loads(out.read_text(encoding="utf-8"))
        test = record["metrics"]["test"]
        assert record["timing"]["steps"] == 2
        assert record["timing"]["stopped"] == "max_steps"
        assert 45_000_000 < record["model"]["parameters"] < 55_000_000
        assert record["data"]["train_articles"] == 8
        assert 0.0 <= test["warmstart_rouge_l_f1_greedy"] <= 1.0
        expected_base = cw.rouge_table(
            [" ".join(a.text.split()[:8]) for a in splits["test"]],
            [a.title for a in splits["test"]],
        )
        assert test["first8_rouge_l_f1"] == pytest.approx(expected_base)
        t5 = json.loads(cw.BBC_T5_RECORD.read_text(encoding="utf-8"))["metrics"]["test"]
        assert test["t5_rouge_l_f1_greedy"] == t5["headline_rouge_l_f1_greedy"]
        assert len(record["samples"]) == 4
        assert all(isinstance(s["warmstart_greedy"], str) for s in record["samples"])
        assert "BBC T5" in record["decision"]
