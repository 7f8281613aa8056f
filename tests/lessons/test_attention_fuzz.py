"""Bad-input fuzzing of :mod:`nlpguide.lessons.attention` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
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

from nlpguide.lessons import attention as att

T = "nlpguide.lessons.attention."
#: Not an array of finite real numbers of the right kind.
BAD_ARRAY: st.SearchStrategy[Any] = st.one_of(
    JUNK.filter(lambda v: not isinstance(v, int | float | np.ndarray | list)),
    st.sampled_from([[], [[]], [[1.0], [1.0, 2.0]], [["a"]], [[1j]], "abc", None, True]),
)
FINITE = st.floats(-1e3, 1e3, allow_nan=False)
MATRICES = st.integers(1, 4).flatmap(
    lambda n: st.lists(st.lists(FINITE, min_size=3, max_size=3), min_size=n, max_size=n)
)


class TestNumpyFunctions:
    @fuzz(60)
    @given(scores=st.one_of(MATRICES, BAD_ARRAY))
    def test_softmax(self, scores: Any) -> None:
        """Finite scores give rows summing to 1; anything else is rejected naming scores."""
        out = attempt(T + "softmax", lambda: att.softmax(scores))
        if out.ok:
            assert np.allclose(out.value.sum(axis=-1), 1.0)
        else:
            assert "scores" in str(out.error)

    @fuzz(40)
    @given(n=bad_count(1))
    def test_causal_mask(self, n: Any) -> None:
        """n must be an int >= 1."""
        rejects(T + "causal_mask", lambda: att.causal_mask(n), "n")

    @fuzz(60)
    @given(x=st.one_of(MATRICES, BAD_ARRAY), eps=st.sampled_from([1e-12, 0.0, -1.0, math.nan, "1"]))
    def test_layer_norm(self, x: Any, eps: Any) -> None:
        """Rows of width 3 with a positive eps normalise; bad x or eps are named."""
        out = attempt(T + "layer_norm", lambda: att.layer_norm(x, [1.0] * 3, [0.0] * 3, eps=eps))
        if out.ok:
            assert out.value.shape[-1] == 3
        else:
            assert "x" in str(out.error) or "eps" in str(out.error)

    @fuzz(60)
    @given(vectors=st.one_of(MATRICES, BAD_ARRAY, st.just([[0.0, 0.0, 0.0]])))
    def test_cosine_similarity(self, vectors: Any) -> None:
        """Non-zero rows give a symmetric matrix in [-1, 1]; zero or bad rows are rejected."""
        out = attempt(T + "cosine_similarity", lambda: att.cosine_similarity(vectors))
        if out.ok:
            assert np.allclose(out.value, out.value.T)
            assert np.all(np.abs(out.value) <= 1.0)
        else:
            assert "vectors" in str(out.error)

    @fuzz(60)
    @given(p=st.one_of(BAD_ARRAY, st.just(np.ones((2, 1, 1))), st.just(np.ones((2, 3)))))
    def test_previous_token_weight(self, p: Any) -> None:
        """Only a (heads, n, n) array with n >= 2 is accepted."""
        rejects(T + "previous_token_weight", lambda: att.previous_token_weight(p), "probabilities")


class TestWeights:
    @fuzz(40)
    @given(width=st.one_of(bad_count(1), st.just(6)), heads=st.one_of(bad_count(1), st.just(4)))
    def test_random_weights(self, width: Any, heads: Any) -> None:
        """width and heads must be ints >= 1 with heads dividing width."""
        out = attempt(
            T + "AttentionWeights", lambda: att.AttentionWeights.random(width=width, heads=heads)
        )
        assert not out.ok
        assert "width" in str(out.error) or "heads" in str(out.error)

    @fuzz(40)
    @given(heads=st.one_of(bad_count(1), st.just(3)))
    def test_from_linear_rejects(self, heads: Any) -> None:
        """from_linear wants torch Linear layers and heads that divide their width."""
        rejects(
            T + "AttentionWeights",
            lambda: att.AttentionWeights.from_linear(
                object(), object(), object(), object(), heads=heads
            ),
        )

    @fuzz(60)
    @given(
        weights=st.one_of(JUNK, st.just(att.AttentionWeights.random(width=4, heads=2))),
        x=st.one_of(st.just(np.ones((3, 4))), st.just(np.ones((3, 5))), BAD_ARRAY),
        scale=st.sampled_from([True, False, 1, None]),
        mask=st.sampled_from([None, np.zeros((3, 3)), np.zeros((2, 2)), np.full((3, 3), np.nan)]),
    )
    def test_multi_head_attention(self, weights: Any, x: Any, scale: Any, mask: Any) -> None:
        """Valid input gives (3, 4) outputs and (2, 3, 3) weights; anything else is rejected."""
        out = attempt(
            T + "multi_head_attention",
            lambda: att.multi_head_attention(x, weights, mask=mask, scale=scale),
        )
        if out.ok:
            assert out.value[0].shape == (3, 4)
            assert out.value[1].shape == (2, 3, 3)
        else:
            assert any(n in str(out.error) for n in ("weights", "x", "scale", "mask"))


class TestPositions:
    @fuzz(60)
    @given(
        rel=st.one_of(st.lists(st.integers(-10**6, 10**6), min_size=1), BAD_ARRAY,
                      st.just([0.5]), st.just([math.inf])),
        buckets=st.one_of(st.just(32), bad_count(4)),
    )  # fmt: skip
    def test_relative_position_bucket(self, rel: Any, buckets: Any) -> None:
        """Whole distances give buckets in [0, 32); bad distances or bucket counts are named."""
        out = attempt(
            T + "relative_position_bucket",
            lambda: att.relative_position_bucket(rel, num_buckets=buckets),
        )
        if out.ok:
            assert np.all((out.value >= 0) & (out.value < 32))
        else:
            assert "relative_position" in str(out.error) or "num_buckets" in str(out.error)

    @fuzz(40)
    @given(
        head_dim=st.one_of(bad_count(2), st.just(7), st.just(64)),
        theta=st.sampled_from([1.0, 0.5, -1.0, math.nan, "1e4", 10_000.0]),
    )
    def test_rope_inverse_frequencies(self, head_dim: Any, theta: Any) -> None:
        """An even head_dim >= 2 and theta > 1 give head_dim / 2 frequencies in (0, 1]."""
        out = attempt(
            T + "rope_inverse_frequencies", lambda: att.rope_inverse_frequencies(head_dim, theta)
        )
        if out.ok:
            assert len(out.value) == head_dim // 2
            assert np.all((out.value > 0) & (out.value <= 1))
        else:
            assert "head_dim" in str(out.error) or "theta" in str(out.error)

    @fuzz(40)
    @given(
        x=st.one_of(st.just(np.ones((2, 4))), st.just(np.ones((2, 3))), BAD_ARRAY),
        positions=st.one_of(st.just([0, 1]), st.just([0]), BAD_ARRAY),
    )
    def test_rope_rotate(self, x: Any, positions: Any) -> None:
        """Rotation keeps each row's length; mismatched shapes are rejected by name."""
        out = attempt(T + "rope_rotate", lambda: att.rope_rotate(x, positions, [1.0, 0.1]))
        if out.ok:
            assert np.allclose(np.linalg.norm(out.value, axis=1), 2.0)
        else:
            assert "x" in str(out.error) or "positions" in str(out.error)


class TestModelFunctions:
    @fuzz(40)
    @given(
        text=st.sampled_from(["", "  ", None, 3, b"x"]), layer=st.sampled_from([0, -1, 1.0, "0"])
    )
    def test_bert_attention_io_checks_first(self, text: Any, layer: Any) -> None:
        """Bad text or layer is rejected before the tokenizer or model is used."""
        rejects(
            T + "bert_attention_io",
            lambda: att.bert_attention_io(
                UNTOUCHABLE_TOKENIZER, UNTOUCHABLE_MODEL, text, layer=layer
            ),
        )

    @fuzz(30)
    @given(data=st.data())
    def test_plain_records(self, data: st.DataObject) -> None:
        """An AttentionCapture keeps its fields as given and reprs without error."""
        check_plain_record(T + "AttentionCapture", att.AttentionCapture, data)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.lessons.attention.AttentionCapture": "TestModelFunctions.test_plain_records",
    "nlpguide.lessons.attention.AttentionWeights": "TestWeights.test_random_weights",
    "nlpguide.lessons.attention.bert_attention_io": (
        "TestModelFunctions.test_bert_attention_io_checks_first"
    ),
    "nlpguide.lessons.attention.causal_mask": "TestNumpyFunctions.test_causal_mask",
    "nlpguide.lessons.attention.cosine_similarity": "TestNumpyFunctions.test_cosine_similarity",
    "nlpguide.lessons.attention.layer_norm": "TestNumpyFunctions.test_layer_norm",
    "nlpguide.lessons.attention.multi_head_attention": "TestWeights.test_multi_head_attention",
    "nlpguide.lessons.attention.previous_token_weight": (
        "TestNumpyFunctions.test_previous_token_weight"
    ),
    "nlpguide.lessons.attention.relative_position_bucket": (
        "TestPositions.test_relative_position_bucket"
    ),
    "nlpguide.lessons.attention.rope_inverse_frequencies": (
        "TestPositions.test_rope_inverse_frequencies"
    ),
    "nlpguide.lessons.attention.rope_rotate": "TestPositions.test_rope_rotate",
    "nlpguide.lessons.attention.softmax": "TestNumpyFunctions.test_softmax",
}
