"""Bad-input fuzzing of :mod:`nlpguide.choose` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from fuzz_support import (
    BAD_DIM,
    CONFIGS,
    JUNK,
    MODEL_NAMES,
    NON_SEQUENCE_OR_STR,
    NON_STR,
    TEXT,
    TEXT_OR_HUGE,
    WORDY,
    attempt,
    bad_config,
    check_plain_record,
    contract,
    fuzz,
    rejects,
)
from hypothesis import given
from hypothesis import strategies as st

from nlpguide import choose


class TestChoose:
    @fuzz(300)
    @given(
        task=st.one_of(
            st.sampled_from([a for aliases in choose.known_tasks().values() for a in aliases]),
            st.sampled_from(["Sentiment-Analysis!!", "  NER  ", "Q & A", "chat/qa"]),
            TEXT_OR_HUGE,
            NON_STR,
        )
    )
    def test_recommend(self, task: Any) -> None:
        """recommend resolves a task to a quick-reference row, or raises a clear error."""
        out = attempt("nlpguide.choose.recommend", lambda: choose.recommend(task))
        if out.ok:
            rec = out.value
            assert rec.task in choose.known_tasks()
            assert rec.architecture in choose.ARCHITECTURES
            assert choose.recommend(rec.task) == rec

    @fuzz(200)
    @given(
        fmt=st.one_of(st.sampled_from(choose.TABLE_FORMATS), TEXT, NON_STR),
        rows=st.one_of(
            st.just(choose.QUICK_REFERENCE),
            st.lists(st.sampled_from(choose.QUICK_REFERENCE), max_size=4),
            st.lists(
                st.sampled_from([*choose.QUICK_REFERENCE, "row", None, 3]), min_size=1, max_size=3
            ),
            NON_SEQUENCE_OR_STR,
        ),
    )
    def test_render_table(self, fmt: Any, rows: Any) -> None:
        """render_table gives one line (or <tr>) per row plus the header, or a clear error."""
        out = attempt("nlpguide.choose.render_table", lambda: choose.render_table(fmt, rows=rows))
        if out.ok:
            n = len(rows)
            if fmt == "html":
                assert out.value.count("<tr>") == n + 1
            else:
                assert len(out.value.splitlines()) == n + 2

    @fuzz(200)
    @given(
        task=st.one_of(WORDY, TEXT, NON_STR),
        models=st.one_of(
            st.lists(WORDY, min_size=1, max_size=3).map(tuple),
            st.just(()),
            st.just(["BERT"]),
            st.just(("ok", "")),
            NON_STR,
        ),
        why=st.one_of(WORDY, TEXT),
        architecture=st.one_of(st.sampled_from(choose.ARCHITECTURES), TEXT, NON_STR),
    )
    def test_quick_reference_row(self, task: Any, models: Any, why: Any, architecture: Any) -> None:
        """A QuickReferenceRow renders in every format, or its bad cell is named."""
        out = attempt(
            "nlpguide.choose.QuickReferenceRow",
            lambda: choose.QuickReferenceRow(task, models, why, architecture),
        )
        if out.ok:
            for fmt in choose.TABLE_FORMATS:
                assert choose.render_table(fmt, rows=[out.value])

    @fuzz(200)
    @given(name=st.one_of(MODEL_NAMES, TEXT, NON_STR))
    def test_reference_config(self, name: Any) -> None:
        """reference_config returns a fresh copy of a bundled config, or a clear error."""
        out = attempt("nlpguide.choose.reference_config", lambda: choose.reference_config(name))
        if out.ok:
            assert out.value["model_type"] in choose.SUPPORTED_MODEL_TYPES
            out.value["model_type"] = "spoiled"
            assert choose.reference_config(name)["model_type"] != "spoiled"

    @fuzz(300)
    @given(data=st.data())
    def test_counts_and_flops(self, data: st.DataObject) -> None:
        """Parameter and FLOP counts are positive and finite, or the bad key / value is named."""
        config = data.draw(st.one_of(CONFIGS, MODEL_NAMES), label="config")
        broken: frozenset[str] = frozenset()
        names: dict[str, str] = {}
        if isinstance(config, dict) and data.draw(st.booleans(), label="spoil config"):
            config, key_pattern = bad_config(data.draw, config)
            broken, names = frozenset({"config"}), {"config": key_pattern}
        elif data.draw(st.integers(0, 9), label="junk config") == 0:
            config = data.draw(st.one_of(NON_STR, TEXT.filter(lambda t: not t.strip())))
            broken, names = frozenset({"config"}), {"config": r"model|config|name"}
        tokens = data.draw(st.one_of(st.integers(1, 4096), st.just(10**60)), label="tokens")
        if not broken and data.draw(st.integers(0, 4), label="bad tokens") == 0:
            tokens = data.draw(BAD_DIM)  # type: ignore[assignment]
            broken = frozenset({"tokens"})

        def sane_count(count: int) -> None:
            assert isinstance(count, int)
            assert not isinstance(count, bool)
            assert count > 0

        def sane_class(name: str) -> None:
            assert re.fullmatch(r"[A-Z]\w+(Model|LM|Generation)", name), name

        def sane_rate(rate: float) -> None:
            assert isinstance(rate, float)
            assert math.isfinite(rate)
            assert rate > 0

        contract(
            "nlpguide.choose.parameter_count",
            lambda: choose.parameter_count(config),
            broken - {"tokens"},
            sane_count,
            names=names,
        )
        contract(
            "nlpguide.choose.counted_model_class",
            lambda: choose.counted_model_class(config),
            broken - {"tokens"},
            sane_class,
            names=names,
        )
        contract(
            "nlpguide.choose.forward_flops",
            lambda: choose.forward_flops(config, tokens),
            broken,
            sane_count,
            names={**names, "tokens": r"tokens"},
        )
        contract(
            "nlpguide.choose.flops_per_token",
            lambda: choose.flops_per_token(config, tokens),
            broken,
            sane_rate,
            names={**names, "tokens": r"tokens"},
            allowed_when_valid=r"too large",
        )

    @fuzz(150)
    @given(
        name=st.sampled_from(["t5-small", "facebook/bart-base", "gpt2", "bert-base-uncased"]),
        target=st.one_of(st.none(), st.integers(1, 512), BAD_DIM),
    )
    def test_target_tokens(self, name: str, target: Any) -> None:
        """target_tokens is accepted for encoder-decoders only, and must be a positive int."""
        out = attempt(
            "nlpguide.choose.forward_flops",
            lambda: choose.forward_flops(name, 16, target_tokens=target),
        )
        enc_dec = choose.counted_model_class(name).endswith("ConditionalGeneration")
        valid = target is None or (
            enc_dec and isinstance(target, int) and not isinstance(target, bool) and target >= 1
        )
        assert out.ok == valid, out.error
        if not out.ok:
            assert "target_tokens" in str(out.error)

    @fuzz(60)
    @given(extra=st.lists(JUNK, min_size=1, max_size=2))
    def test_no_argument_functions(self, extra: list[Any]) -> None:
        """known_tasks and known_models take no arguments and always give the same answer."""
        for name, fn in (
            ("known_tasks", choose.known_tasks),
            ("known_models", choose.known_models),
        ):
            rejects(f"nlpguide.choose.{name}", lambda fn=fn: fn(*extra), mentions=name)  # type: ignore[misc]
            out = attempt(f"nlpguide.choose.{name}", fn)
            assert out.ok
            assert out.value
            assert out.value == fn()


class TestRecords:
    """Plain result records: they hold what they are given and print it."""

    RECORDS: tuple[tuple[str, Callable[..., Any]], ...] = (
        ("nlpguide.choose.Recommendation", choose.Recommendation),
    )

    @fuzz(60)
    @given(which=st.sampled_from(RECORDS), data=st.data())
    def test_plain_records(
        self, which: tuple[str, Callable[..., Any]], data: st.DataObject
    ) -> None:
        """A plain record keeps every field as given and reprs without error."""
        check_plain_record(*which, data)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.choose.recommend": "TestChoose.test_recommend",
    "nlpguide.choose.render_table": "TestChoose.test_render_table",
    "nlpguide.choose.QuickReferenceRow": "TestChoose.test_quick_reference_row",
    "nlpguide.choose.reference_config": "TestChoose.test_reference_config",
    "nlpguide.choose.parameter_count": "TestChoose.test_counts_and_flops",
    "nlpguide.choose.counted_model_class": "TestChoose.test_counts_and_flops",
    "nlpguide.choose.forward_flops": "TestChoose.test_counts_and_flops",
    "nlpguide.choose.flops_per_token": "TestChoose.test_counts_and_flops",
    "nlpguide.choose.known_tasks": "TestChoose.test_no_argument_functions",
    "nlpguide.choose.known_models": "TestChoose.test_no_argument_functions",
    "nlpguide.choose.Recommendation": "TestRecords.test_plain_records",
}
