"""Bad-input fuzzing of :mod:`nlpguide.lessons.t5` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fuzz_support import (
    JUNK,
    NON_SEQUENCE_OR_STR,
    NON_STR,
    PLAIN_WORD,
    TEXT,
    UNTOUCHABLE_MODEL,
    UNTOUCHABLE_TOKENIZER,
    attempt,
    bad_count,
    check_plain_record,
    fuzz,
    rejects,
)
from hypothesis import assume, given
from hypothesis import strategies as st

from nlpguide import choose
from nlpguide.data import BBC_LABELS, Article
from nlpguide.lessons import t5


@pytest.fixture
def no_model_loading() -> Iterator[None]:
    """Make the loaders the views call fail the test if reached."""
    from nlpguide import models

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a model was loaded before the arguments were checked")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(models, "encoder", boom)
        mp.setattr(models, "seq2seq", boom)
        yield


def _articles() -> st.SearchStrategy[list[Article]]:
    article = st.builds(
        Article,
        st.just("sport/001.txt"),
        st.one_of(PLAIN_WORD, TEXT),
        st.one_of(PLAIN_WORD, TEXT),
        st.sampled_from(BBC_LABELS),
    )
    return st.lists(article, max_size=3)


class TestTables:
    @fuzz(30)
    @given(extra=st.lists(JUNK, min_size=1, max_size=2))
    def test_framing_rows(self, extra: list[Any]) -> None:
        """framing_rows takes no arguments and gives one framed row per T5 task."""
        rejects("nlpguide.lessons.t5.framing_rows", lambda: t5.framing_rows(*extra), "framing_rows")
        out = attempt("nlpguide.lessons.t5.framing_rows", t5.framing_rows)
        assert out.ok
        assert len(out.value) == len(t5.FRAMING_EXAMPLES)

    @fuzz(200)
    @given(data=st.data())
    def test_markdown_table(self, data: st.DataObject) -> None:
        """markdown_table writes one line per row plus two, or rejects a bad header, row, code or align."""
        width = data.draw(st.integers(1, 4), label="width")
        header = data.draw(
            st.one_of(st.lists(TEXT, min_size=width, max_size=width), NON_SEQUENCE_OR_STR),
            label="header",
        )
        cell = st.one_of(TEXT, st.integers(), st.floats(), st.none())
        rows = data.draw(
            st.one_of(
                st.lists(st.lists(cell, min_size=width, max_size=width), max_size=3),
                st.lists(st.lists(cell, max_size=5), min_size=1, max_size=2),
                NON_SEQUENCE_OR_STR,
                st.just([5]),
            ),
            label="rows",
        )
        code = data.draw(
            st.one_of(
                st.booleans(),
                st.lists(st.booleans(), min_size=width, max_size=width),
                st.sampled_from([None, 1, "yes", [True] * (width + 1)]),
            ),
            label="code",
        )
        align = data.draw(
            st.one_of(st.none(), st.text("lrc", min_size=width, max_size=width), TEXT, NON_STR),
            label="align",
        )
        out = attempt(
            "nlpguide.lessons.t5.markdown_table",
            lambda: t5.markdown_table(header, rows, code=code, align=align),  # type: ignore[arg-type]
        )
        if out.ok:
            assert isinstance(header, list | tuple)
            assert len(out.value.splitlines()) == len(rows) + 2

    @fuzz(150)
    @given(
        n=st.one_of(st.integers(2, 4096), bad_count(2)),
        noise_density=st.one_of(
            st.floats(0.01, 0.99), st.sampled_from([0.0, 1.0, math.nan, "0.1"])
        ),
        mean=st.one_of(st.floats(1.0, 10.0), st.sampled_from([0.5, math.inf, None])),
        model=st.one_of(st.sampled_from(["t5-small", "t5-base", "bart-base"]), TEXT, NON_STR),
    )
    def test_objective_cost(self, n: Any, noise_density: Any, mean: Any, model: Any) -> None:
        """objective_cost gives positive counts with span cheaper than full, or a clear error."""
        out = attempt(
            "nlpguide.lessons.t5.objective_cost",
            lambda: t5.objective_cost(n, noise_density, mean, model=model),
        )
        if out.ok:
            cost = out.value
            assert cost.full_inputs == cost.full_targets == n + 1
            assert cost.span_inputs + cost.span_targets <= 2 * n + 2
            assert cost.full_flops == choose.forward_flops(model, n + 1, target_tokens=n + 1)

    @fuzz(100)
    @given(
        articles=st.one_of(_articles(), st.just("not articles"), st.just([None]), st.none()),
        topic=st.one_of(st.sampled_from(BBC_LABELS), TEXT, NON_STR),
        passage_words=st.one_of(st.integers(1, 60), bad_count(1)),
    )
    def test_yes_no_pairs(self, articles: Any, topic: Any, passage_words: Any) -> None:
        """yes_no_pairs frames each article as a BoolQ pair, or rejects a bad argument clearly."""
        out = attempt(
            "nlpguide.lessons.t5.yes_no_pairs",
            lambda: t5.yes_no_pairs(articles, topic, passage_words=passage_words),
        )
        if out.ok:
            assert topic in BBC_LABELS
            assert len(out.value) == len(articles)
            for (source, target), article in zip(out.value, articles, strict=True):
                assert source.startswith("boolq passage: ")
                assert target == str(article.label_text == topic)


@pytest.mark.usefixtures("no_model_loading")
class TestViewsCheckFirst:
    @fuzz(60)
    @given(
        which=st.sampled_from(["bert_view", "t5_view"]),
        sentence=st.one_of(NON_STR, st.sampled_from(["", "  ", "\t\n"])),
    )
    def test_bad_sentence(self, which: str, sentence: Any) -> None:
        """A sentence that is no non-blank str is rejected by name before a model loads."""
        fn: Callable[[Any], Any] = getattr(t5, which)
        rejects(f"nlpguide.lessons.t5.{which}", lambda: fn(sentence), "sentence")


class TestTrainingChecksFirst:
    @fuzz(150)
    @given(
        pairs=st.one_of(
            st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=2),
            st.just([]),
            st.just([("a", 1)]),
            st.just(["ab"]),
            NON_SEQUENCE_OR_STR,
        ),
        steps=st.one_of(st.integers(1, 100), bad_count(1)),
        batch_size=st.one_of(st.integers(1, 64), bad_count(1)),
        lr=st.one_of(st.floats(1e-6, 1.0), st.sampled_from([0.0, -1.0, math.nan, "1e-3", None])),
        seed=st.one_of(st.integers(0, 99), bad_count(0)),
        truncate=st.one_of(st.booleans(), st.sampled_from([0, 1, "yes", None])),
    )
    def test_continue_training(
        self, pairs: Any, steps: Any, batch_size: Any, lr: Any, seed: Any, truncate: Any
    ) -> None:
        """continue_training rejects a bad argument before the tokenizer or model is touched."""

        def count(v: Any, low: int) -> bool:
            return isinstance(v, int) and not isinstance(v, bool) and v >= low

        valid = (
            isinstance(pairs, list)
            and bool(pairs)
            and all(
                isinstance(p, tuple) and len(p) == 2 and all(isinstance(x, str) for x in p)
                for p in pairs
            )
            and count(steps, 1)
            and count(batch_size, 1)
            and isinstance(lr, float)
            and lr > 0
            and count(seed, 0)
            and isinstance(truncate, bool)
        )
        assume(not valid)
        rejects(
            "nlpguide.lessons.t5.continue_training",
            lambda: t5.continue_training(
                UNTOUCHABLE_TOKENIZER,
                UNTOUCHABLE_MODEL,
                pairs,
                steps=steps,
                batch_size=batch_size,
                lr=lr,
                seed=seed,
                truncate=truncate,
            ),
        )

    @fuzz(100)
    @given(
        source=st.one_of(TEXT, NON_STR),
        max_new_tokens=st.one_of(st.integers(1, 64), bad_count(1)),
    )
    def test_cross_attention(self, source: Any, max_new_tokens: Any) -> None:
        """cross_attention rejects a bad source or length before the model is touched."""
        valid = (
            isinstance(source, str)
            and bool(source.strip())
            and isinstance(max_new_tokens, int)
            and not isinstance(max_new_tokens, bool)
            and max_new_tokens >= 1
        )
        assume(not valid)
        rejects(
            "nlpguide.lessons.t5.cross_attention",
            lambda: t5.cross_attention(
                UNTOUCHABLE_TOKENIZER, UNTOUCHABLE_MODEL, source, max_new_tokens=max_new_tokens
            ),
        )


class TestRecords:
    """Plain result records: they hold what they are given and print it."""

    RECORDS: tuple[tuple[str, Callable[..., Any]], ...] = (
        ("nlpguide.lessons.t5.CrossAttention", t5.CrossAttention),
        ("nlpguide.lessons.t5.ObjectiveCost", t5.ObjectiveCost),
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
    "nlpguide.lessons.t5.CrossAttention": "TestRecords.test_plain_records",
    "nlpguide.lessons.t5.ObjectiveCost": "TestRecords.test_plain_records",
    "nlpguide.lessons.t5.bert_view": "TestViewsCheckFirst.test_bad_sentence",
    "nlpguide.lessons.t5.t5_view": "TestViewsCheckFirst.test_bad_sentence",
    "nlpguide.lessons.t5.continue_training": "TestTrainingChecksFirst.test_continue_training",
    "nlpguide.lessons.t5.cross_attention": "TestTrainingChecksFirst.test_cross_attention",
    "nlpguide.lessons.t5.framing_rows": "TestTables.test_framing_rows",
    "nlpguide.lessons.t5.markdown_table": "TestTables.test_markdown_table",
    "nlpguide.lessons.t5.objective_cost": "TestTables.test_objective_cost",
    "nlpguide.lessons.t5.yes_no_pairs": "TestTables.test_yes_no_pairs",
}
