"""Bad-input fuzzing of :mod:`nlpguide.models.attention` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from fuzz_support import (
    NON_SEQUENCE_OR_STR,
    NON_STR,
    TEXT,
    UNTOUCHABLE_TOKENIZER,
    attempt,
    bad_count,
    contract,
    draw_broken,
    fuzz,
    rejects,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def _attention():
    from nlpguide.models import attention

    return attention


def stochastic_rows(n: int, m: int) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, (n, m), elements=st.floats(0.01, 1)).map(
        lambda w: w / w.sum(axis=1, keepdims=True)
    )


class FakeVocabTokenizer:
    """A WordPiece/BPE-like vocabulary: ids map to tokens, unknown ids to None."""

    vocab = ("[CLS]", "\u0120the", "\u2581bank", "\u010a", "rates", "##s")

    def __len__(self) -> int:
        return len(self.vocab)

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str | None]:
        return [self.vocab[i] if 0 <= i < len(self.vocab) else None for i in ids]


class TestAttention:
    @fuzz(200)
    @given(data=st.data())
    def test_attention_map(self, data: st.DataObject) -> None:
        """An AttentionMap holds (queries x keys) row-stochastic weights, or names what is wrong."""
        attention = _attention()
        n, m = data.draw(st.integers(1, 5), label="n"), data.draw(st.integers(1, 5), label="m")
        broken = draw_broken(data.draw, ["title", "queries", "keys", "weights", "layer"], 1)
        kwargs: dict[str, Any] = {
            "title": data.draw(TEXT, label="title"),
            "queries": tuple(data.draw(st.lists(TEXT, min_size=n, max_size=n), label="queries")),
            "keys": tuple(data.draw(st.lists(TEXT, min_size=m, max_size=m), label="keys")),
            "weights": data.draw(stochastic_rows(n, m), label="weights"),
            "layer": data.draw(st.integers(0, 48), label="layer"),
        }
        bad = {
            "title": NON_STR,
            "queries": st.one_of(st.just((1,) * n), st.just("q" * n), st.none(), st.just(n)),
            "keys": st.one_of(st.just((None,) * m), st.just("k" * m), st.none()),
            "weights": st.one_of(
                st.just(np.full((n, m), math.nan)),
                st.just(np.full((n, m), 1.0 / m) * -1),
                st.just(np.full((n, m), 2.0)),
                st.just(np.ones((n + 1, m)) / m),
                st.just("weights"),
                st.none(),
            ),
            "layer": st.one_of(bad_count(0), st.sampled_from([1.0, "0", None])),
        }
        for name in broken:
            kwargs[name] = data.draw(bad[name], label=f"bad {name}")

        def sane(amap: Any) -> None:
            assert amap.shape == (n, m)
            assert isinstance(amap.causal, bool)
            assert np.allclose(amap.weights.sum(axis=1), 1.0, atol=1e-4)

        contract(
            "nlpguide.models.attention.AttentionMap",
            lambda: attention.AttentionMap(**kwargs),
            broken,
            sane,
            names={"weights": r"weight", "queries": r"queries|weights", "keys": r"keys|weights"},
        )

    @fuzz(250)
    @given(
        weights=st.one_of(
            st.integers(0, 5).flatmap(
                lambda n: hnp.arrays(
                    np.float64, (n, n), elements=st.one_of(st.just(0.0), st.floats(-1, 1))
                )
            ),
            hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4)),
            st.just([[1.0, 0.0], [0.5]]),
            st.just([[1j, 0], [0, 1]]),
            NON_STR,
        ),
        atol=st.one_of(
            st.floats(0, 1),
            st.just(1e300),
            st.sampled_from(
                [
                    math.nan,
                    math.inf,
                    -math.inf,
                    -1e-300,
                    -1,
                    True,
                    None,
                    "0",
                    0.5j,
                    [0.1],
                    np.float64("nan"),
                ]
            ),
        ),
    )
    def test_is_causal(self, weights: Any, atol: Any) -> None:
        """is_causal is whether nothing above the diagonal exceeds atol, for a finite square."""
        attention = _attention()
        out = attempt(
            "nlpguide.models.attention.is_causal", lambda: attention.is_causal(weights, atol=atol)
        )
        if out.ok:
            w = np.asarray(weights, dtype=np.float64)
            assert np.isfinite(w).all()
            assert math.isfinite(atol)
            assert atol >= 0
            assert out.value == bool(np.all(np.abs(np.triu(w, 1)) <= atol))

    @fuzz(200)
    @given(
        ids=st.one_of(
            st.lists(st.integers(0, 5), max_size=6),
            st.lists(st.sampled_from([np.int64(1), np.int32(2)]), max_size=3),
            st.sampled_from([[6], [-1], [10**30], [1.0], [1.5], [True], ["1"], [None]]),
            NON_SEQUENCE_OR_STR,
        )
    )
    def test_token_labels(self, ids: Any) -> None:
        """token_labels gives one label per in-vocabulary id, word-start markers as ␣."""
        attention = _attention()
        out = attempt(
            "nlpguide.models.attention.token_labels",
            lambda: attention.token_labels(FakeVocabTokenizer(), ids),
        )
        if out.ok:
            assert all(
                isinstance(i, int | np.integer)
                and not isinstance(i, bool)
                and 0 <= i < len(FakeVocabTokenizer.vocab)
                for i in ids
            ), ids
            expected = [FakeVocabTokenizer.vocab[i] for i in ids]
            assert out.value == tuple(
                t.replace("\u0120", "\u2423").replace("\u2581", "\u2423").replace("\u010a", "\\n")
                for t in expected
            )


class FakeLayeredModel:
    """A model whose config says how many layers it has; running it fails the test."""

    def __init__(self, **config: int) -> None:
        self.config = SimpleNamespace(**config)

    def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the model ran before the arguments were checked")


@pytest.mark.models
class TestAttentionWithModels:
    @fuzz(200)
    @given(
        which=st.sampled_from(
            ["encoder_self_attention", "decoder_self_attention", "seq2seq_attention"]
        ),
        text=st.one_of(st.just("The bank raised rates."), st.sampled_from(["", " \n"]), NON_STR),
        layer=st.one_of(st.integers(-6, 5), st.sampled_from([6, -7, 10**9]), bad_count(-(10**9))),
    )
    def test_checks_first(self, which: str, text: Any, layer: Any) -> None:
        """Text and layer are checked before the model runs (6 layers: -6..5 allowed)."""
        attention = _attention()
        model = FakeLayeredModel(num_hidden_layers=6, num_layers=6, num_decoder_layers=6)
        fn = getattr(attention, which)
        args = (text, text) if which == "seq2seq_attention" else (text,)
        good_layer = isinstance(layer, int) and not isinstance(layer, bool) and -6 <= layer < 6
        assume(not (isinstance(text, str) and text.strip() and good_layer))
        rejects(
            f"nlpguide.models.attention.{which}",
            lambda: fn(UNTOUCHABLE_TOKENIZER, model, *args, layer=layer),
        )


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.models.attention.AttentionMap": "TestAttention.test_attention_map",
    "nlpguide.models.attention.is_causal": "TestAttention.test_is_causal",
    "nlpguide.models.attention.token_labels": "TestAttention.test_token_labels",
    "nlpguide.models.attention.encoder_self_attention": "TestAttentionWithModels.test_checks_first",
    "nlpguide.models.attention.decoder_self_attention": "TestAttentionWithModels.test_checks_first",
    "nlpguide.models.attention.seq2seq_attention": "TestAttentionWithModels.test_checks_first",
}
