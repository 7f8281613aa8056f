"""Bad-input fuzzing of :mod:`nlpguide.choose` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fuzz_support import (
    JUNK,
    NON_SEQUENCE_OR_STR,
    NON_STR,
    TEXT,
    TEXT_OR_HUGE,
    WORDY,
    attempt,
    check_plain_record,
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

    @fuzz(60)
    @given(extra=st.lists(JUNK, min_size=1, max_size=2))
    def test_no_argument_functions(self, extra: list[Any]) -> None:
        """known_tasks takes no arguments and always gives the same answer."""
        fn = choose.known_tasks
        rejects("nlpguide.choose.known_tasks", lambda: fn(*extra), mentions="known_tasks")
        out = attempt("nlpguide.choose.known_tasks", fn)
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
#: The sizes and costs choose re-exports from nlpguide.sizes are fuzzed in test_sizes_fuzz.py.
REGISTRY: dict[str, str] = {
    "nlpguide.choose.recommend": "TestChoose.test_recommend",
    "nlpguide.choose.render_table": "TestChoose.test_render_table",
    "nlpguide.choose.QuickReferenceRow": "TestChoose.test_quick_reference_row",
    "nlpguide.choose.known_tasks": "TestChoose.test_no_argument_functions",
    "nlpguide.choose.Recommendation": "TestRecords.test_plain_records",
}
