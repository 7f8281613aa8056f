"""Tests for nlpguide.models.attention: the map, the causality check, and the three model kinds."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from cached_models import decoder, encoder
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nlpguide.models.attention import (
    AttentionMap,
    encoder_self_attention,
    is_causal,
    token_labels,
)


class TestIsCausal:
    @given(
        hnp.arrays(np.float64, st.integers(1, 8).map(lambda n: (n, n)), elements=st.floats(0, 1))
    )
    @settings(max_examples=50)
    def test_lower_triangle_is_causal(self, w: np.ndarray) -> None:
        """Any matrix with zeros above the diagonal is causal; adding weight there is not."""
        lower = np.tril(w)
        assert is_causal(lower)
        if w.shape[0] > 1:
            lower[0, -1] = 0.1
            assert not is_causal(lower)

    def test_not_square(self) -> None:
        """A rectangle has no diagonal to be causal about."""
        with pytest.raises(ValueError, match="square"):
            is_causal(np.zeros((2, 3)))


class TestAttentionMap:
    def test_rows_must_sum_to_one(self) -> None:
        """Weights that are not distributions over the keys are rejected."""
        with pytest.raises(ValueError, match="sum to 1"):
            AttentionMap("x", ("a", "b"), ("a", "b"), np.full((2, 2), 0.3), 0)

    def test_shape_must_match_labels(self) -> None:
        """The weights' shape must be (queries, keys)."""
        with pytest.raises(ValueError, match="expected"):
            AttentionMap("x", ("a",), ("a", "b"), np.eye(2), 0)

    def test_rectangle_is_not_causal(self) -> None:
        """A cross-attention rectangle never reports itself as causal."""
        m = AttentionMap("x", ("a",), ("a", "b"), np.array([[1.0, 0.0]]), 0)
        assert not m.causal


class TestRegressions:
    """Bugs the bad-input fuzzing found, each kept as the plain case that showed it."""

    class SixTokens:
        """A tokenizer of six tokens that knows only the first five."""

        def __len__(self) -> int:
            return 6

        def convert_ids_to_tokens(self, ids: list[int]) -> list[str | None]:
            return [f"t{i}" if i < 5 else None for i in ids]

    class SixLayers:
        """A model of six layers that fails the test if it runs."""

        config = SimpleNamespace(num_hidden_layers=6)

        def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
            raise AssertionError("the model ran before the layer was checked")

    def test_id_past_the_vocabulary_is_refused_not_labelled_none(self) -> None:
        """token_labels(tok, [6]) on a six-token vocabulary returned ('None',)."""
        with pytest.raises(ValueError, match=r"token id 6 is outside .* \[0, 6\)"):
            token_labels(self.SixTokens(), [6])
        with pytest.raises(ValueError, match="token id 5 has no token"):
            token_labels(self.SixTokens(), [5])

    def test_layer_past_the_model_is_refused_before_the_forward_pass(self) -> None:
        """encoder_self_attention(..., layer=6) ran a six-layer model before refusing."""
        with pytest.raises(ValueError, match=r"layer must be an int in \[-6, 5\]"):
            encoder_self_attention(self.SixTokens(), self.SixLayers(), "a b", layer=6)


@pytest.mark.models
class TestArchitecturesPage:
    SENTENCE = "The detective read the letter and named the thief."

    def test_encoder_attention_is_full(self) -> None:
        """MiniLM's self-attention puts weight above the diagonal: it reads both ways."""
        from nlpguide.models.attention import encoder_self_attention

        tok, model = encoder("eager")
        m = encoder_self_attention(tok, model, self.SENTENCE, layer=0)
        assert m.queries[0] == "[CLS]"
        assert not m.causal
        assert np.triu(m.weights, k=1).sum() > 0.5

    def test_decoder_attention_is_causal(self) -> None:
        """SmolLM2's self-attention is exactly zero above the diagonal, in every layer shown."""
        from nlpguide.models.attention import decoder_self_attention

        tok, lm = decoder("eager")
        for layer in (0, -1):
            m = decoder_self_attention(tok, lm, self.SENTENCE, layer=layer)
            assert m.causal
            assert m.layer == (layer % lm.config.num_hidden_layers)

    def test_fused_attention_refused(self) -> None:
        """A model on the fused (sdpa) kernel returns no weights: a clear error, not zeros."""
        from nlpguide.models.attention import decoder_self_attention

        tok, lm = decoder()
        with pytest.raises(ValueError, match="eager"):
            decoder_self_attention(tok, lm, self.SENTENCE)

    def test_seq2seq_shapes_on_a_tiny_t5(self) -> None:
        """On any T5: square encoder map, causal decoder map, target x source cross map."""
        import torch
        from transformers import T5Config, T5ForConditionalGeneration

        from nlpguide.models.attention import seq2seq_attention

        tok, _ = encoder()  # any tokenizer works; the ids only need to fit the vocabulary
        torch.manual_seed(0)
        config = T5Config(  # type: ignore[call-arg]
            vocab_size=len(tok),
            d_model=32,
            d_ff=64,
            d_kv=8,
            num_heads=4,
            num_layers=2,
            num_decoder_layers=2,
            decoder_start_token_id=0,
            attn_implementation="eager",
        )
        model = T5ForConditionalGeneration(config).eval()
        enc, dec, cross = seq2seq_attention(tok, model, "rates rose again", "rates up")
        n_src = len(tok("rates rose again")["input_ids"])
        n_tgt = len(tok("rates up")["input_ids"])
        assert enc.shape == (n_src, n_src)
        assert not enc.causal
        assert dec.shape == (n_tgt, n_tgt)
        assert dec.causal
        assert cross.shape == (n_tgt, n_src)

    def test_shipped_t5_masks(self) -> None:
        """The shipped T5 (the page's encoder-decoder) shows the same three patterns."""
        from nlpguide.models import seq2seq
        from nlpguide.models.attention import seq2seq_attention

        tok, t5 = seq2seq(attn_implementation="eager")
        source = "summarize: The Bank of England raised interest rates again on Thursday."
        enc, dec, cross = seq2seq_attention(tok, t5, source, "Bank raises interest rates")
        assert not enc.causal
        assert dec.causal
        assert cross.shape == (dec.shape[0], enc.shape[0])
