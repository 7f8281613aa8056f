"""What the attention and positions pages compute and claim holds, with the real models."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest

from nlpguide.lessons.attention import (
    AttentionCapture,
    AttentionWeights,
    bert_attention_io,
    causal_mask,
    cosine_similarity,
    layer_norm,
    multi_head_attention,
    previous_token_weight,
    relative_position_bucket,
    rope_inverse_frequencies,
    rope_rotate,
    softmax,
)

#: The pages' sentence, layer and tolerance (docs/bert/attention.md).
SENTENCE = "The bank by the river raised its interest rates."
LAYER = 2
ATOL = 1e-5


@cache
def _bert() -> tuple[Any, Any]:
    import torch

    from nlpguide.models import encoder

    torch.set_num_threads(1)
    return encoder(attn_implementation="eager")  # type: ignore[no-any-return]


@cache
def _t5() -> Any:
    from nlpguide.models import seq2seq

    return seq2seq()[1]


@cache
def _decoder_config() -> Any:
    from transformers import AutoConfig

    from nlpguide.models import default_path

    return AutoConfig.from_pretrained(default_path("decoder"))


def _layer(layer: int, text: str = SENTENCE) -> tuple[AttentionCapture, AttentionWeights, Any]:
    tok, bert = _bert()
    io = bert_attention_io(tok, bert, text, layer=layer)
    block = bert.encoder.layer[layer]
    sa = block.attention.self
    w = AttentionWeights.from_linear(
        sa.query, sa.key, sa.value, block.attention.output.dense,
        heads=bert.config.num_attention_heads,
    )  # fmt: skip
    return io, w, block


class TestNumpyParts:
    def test_softmax_rows_are_distributions(self) -> None:
        """softmax turns each row into non-negative weights summing to 1, and -inf into 0."""
        p = softmax(np.array([[3.0, -1.0, -np.inf], [0.0, 0.0, 0.0]]))
        assert np.allclose(p.sum(axis=1), 1.0)
        assert p[0, 2] == 0.0
        assert np.allclose(p[1], 1 / 3)

    def test_causal_mask_shape(self) -> None:
        """causal_mask is 0 on and below the diagonal and -inf above it."""
        m = causal_mask(4)
        assert np.all(m[np.tril_indices(4)] == 0.0)
        assert np.all(m[np.triu_indices(4, k=1)] == -np.inf)

    def test_layer_norm_standardises(self) -> None:
        """With unit gain and zero bias, every row has mean 0 and variance 1."""
        x = np.random.default_rng(0).normal(size=(5, 16)) * 3 + 2
        y = layer_norm(x, np.ones(16), np.zeros(16))
        assert np.allclose(y.mean(axis=1), 0.0, atol=1e-12)
        assert np.allclose(y.var(axis=1), 1.0, atol=1e-9)

    def test_cross_attention_shape(self) -> None:
        """With context=, the weights are queries x context rows, the output one row per query."""
        w = AttentionWeights.random(width=8, heads=2, seed=1)
        rng = np.random.default_rng(0)
        out, probs = multi_head_attention(
            rng.normal(size=(3, 8)), w, context=rng.normal(size=(5, 8))
        )
        assert out.shape == (3, 8)
        assert probs.shape == (2, 3, 5)


@pytest.mark.models
class TestHandComputationMatchesBert:
    @pytest.mark.parametrize("layer", range(6))
    def test_every_layer(self, layer: int) -> None:
        """In every MiniLM layer, the numpy weights and sublayer output equal the model's."""
        io, w, block = _layer(layer)
        out, probs = multi_head_attention(io.hidden_in, w)
        norm = block.attention.output.LayerNorm
        sublayer = layer_norm(
            io.hidden_in + out,
            norm.weight.detach().numpy(),
            norm.bias.detach().numpy(),
            eps=norm.eps,
        )
        assert np.allclose(probs, io.probabilities, rtol=0, atol=ATOL)
        assert np.allclose(sublayer, io.sublayer_out, rtol=0, atol=ATOL)

    def test_wrong_scaling_does_not_match(self) -> None:
        """Leaving out the division by sqrt(d_k) breaks the match: the check can fail."""
        io, w, _ = _layer(LAYER)
        _, unscaled = multi_head_attention(io.hidden_in, w, scale=False)
        assert not np.allclose(unscaled, io.probabilities, rtol=0, atol=ATOL)

    def test_unscaled_weights_are_sharper(self) -> None:
        """The scaling exercise: without the division the largest weight per row is larger."""
        io, w, _ = _layer(LAYER)
        _, scaled = multi_head_attention(io.hidden_in, w)
        _, unscaled = multi_head_attention(io.hidden_in, w, scale=False)
        assert unscaled.max(axis=-1).mean() > scaled.max(axis=-1).mean()

    def test_drawn_head_looks_back_or_at_cls(self) -> None:
        """The page's head puts most of every row's weight on [CLS] or the previous token."""
        io, w, _ = _layer(LAYER)
        _, probs = multi_head_attention(io.hidden_in, w)
        head = int(previous_token_weight(probs).argmax())
        rows = np.arange(1, probs.shape[1])
        share = probs[head, rows, 0] + probs[head, rows, rows - 1]
        assert share.min() > 0.5


@pytest.mark.models
class TestCausalMask:
    def test_weights_are_causal_and_first_row_is_one(self) -> None:
        """With the mask, no head looks ahead, and the first token puts all weight on itself."""
        from nlpguide.models.attention import is_causal

        io, w, _ = _layer(LAYER)
        _, probs = multi_head_attention(io.hidden_in, w, mask=causal_mask(len(io.tokens)))
        assert all(is_causal(p) for p in probs)
        assert np.all(probs[:, 0, 0] == 1.0)

    def test_earlier_outputs_ignore_a_later_edit(self) -> None:
        """Editing one token's vector leaves every earlier output exactly as it was, masked."""
        io, w, _ = _layer(LAYER)
        n = len(io.tokens)
        changed = io.tokens.index("rates")
        edited = io.hidden_in.copy()
        edited[changed] = io.hidden_in[io.tokens.index("river")]
        before, _ = multi_head_attention(io.hidden_in, w, mask=causal_mask(n))
        after, _ = multi_head_attention(edited, w, mask=causal_mask(n))
        assert np.array_equal(after[:changed], before[:changed])
        assert np.all(np.abs(after[changed:] - before[changed:]).max(axis=1) > 0)
        # Without the mask the same edit reaches every earlier position.
        full_before, _ = multi_head_attention(io.hidden_in, w)
        full_after, _ = multi_head_attention(edited, w)
        assert np.all(np.abs(full_after[:changed] - full_before[:changed]).max(axis=1) > 0)

    def test_order_blind_without_positions(self) -> None:
        """Permuting the rows entering a layer permutes its outputs and changes nothing else."""
        io, w, _ = _layer(0, "The dog bit the man.")
        order = np.random.default_rng(0).permutation(len(io.tokens))
        out, _ = multi_head_attention(io.hidden_in, w)
        shuffled, _ = multi_head_attention(io.hidden_in[order], w)
        assert np.allclose(shuffled, out[order], rtol=0, atol=1e-9)


class TestT5Buckets:
    @pytest.mark.parametrize("bidirectional", [True, False])
    @pytest.mark.parametrize(("buckets", "distance"), [(32, 128), (64, 256), (16, 40)])
    def test_equals_transformers(self, bidirectional: bool, buckets: int, distance: int) -> None:
        """The numpy buckets equal transformers' T5Attention._relative_position_bucket."""
        import torch
        from transformers.models.t5.modeling_t5 import T5Attention

        rel = torch.arange(-5000, 5001)
        theirs = T5Attention._relative_position_bucket(
            rel, bidirectional=bidirectional, num_buckets=buckets, max_distance=distance
        ).numpy()
        ours = relative_position_bucket(
            rel.numpy(), bidirectional=bidirectional, num_buckets=buckets, max_distance=distance
        )
        assert np.array_equal(ours, theirs)

    def test_decoder_keys_to_the_right_share_bucket_zero(self) -> None:
        """A decoder's buckets count distance to the left only: every key to the right is 0."""
        assert np.all(relative_position_bucket(np.arange(0, 600), bidirectional=False) == 0)

    def test_last_bucket_starts_before_max_distance(self) -> None:
        """The last bucket is reached before max_distance, and beyond it nothing changes."""
        far = np.arange(1, 1000)
        enc = relative_position_bucket(far)
        dec = relative_position_bucket(-far, bidirectional=False)
        assert far[enc == 31][0] < 128
        assert far[dec == 31][0] < 128
        assert np.all(enc[far >= 128] == 31)
        assert relative_position_bucket([200]) == relative_position_bucket([1000])


@pytest.mark.models
class TestT5Bias:
    @pytest.mark.parametrize("stack", ["encoder", "decoder"])
    def test_lookup_equals_compute_bias(self, stack: str) -> None:
        """Looking up each bucket's bias by hand gives the matrix the model's compute_bias adds."""
        import torch

        first = getattr(_t5(), stack).block[0].layer[0].SelfAttention
        table = first.relative_attention_bias.weight.detach().double().numpy()
        n = 40
        rel = np.arange(n)[None, :] - np.arange(n)[:, None]
        buckets = relative_position_bucket(rel, bidirectional=stack == "encoder")
        with torch.inference_mode():
            theirs = first.compute_bias(n, n)[0].double().numpy()
        assert np.allclose(table[buckets].transpose(2, 0, 1), theirs, rtol=0, atol=1e-7)

    @pytest.mark.parametrize("stack", ["encoder", "decoder"])
    def test_only_first_layer_has_a_table(self, stack: str) -> None:
        """Only each stack's first layer holds a bias table (the page prints this)."""
        blocks = getattr(_t5(), stack).block
        own = [b.layer[0].SelfAttention.has_relative_attention_bias for b in blocks]
        assert own == [True] + [False] * (len(blocks) - 1)


@pytest.mark.models
class TestShippedT5Buckets:
    def test_same_buckets_as_t5_small(self) -> None:
        """The shipped T5 sorts distances into t5-small's buckets (the positions page's note)."""
        from transformers import T5Config

        from nlpguide.sizes import reference_config

        config = _t5().config
        small = reference_config("t5-small")
        assert config.relative_attention_num_buckets == small["relative_attention_num_buckets"]
        # t5-small's config.json leaves max_distance to T5Config's default
        assert "relative_attention_max_distance" not in small
        default = T5Config().relative_attention_max_distance
        assert config.relative_attention_max_distance == default


#: The attention page's cross-attention example: English in, LibreOffice's French out.
ENGLISH, FRENCH = "Default Paragraph Style", "Style de paragraphe par défaut"


@cache
def _t5_cross() -> tuple[dict[str, Any], Any, AttentionWeights]:
    """What goes in and out of the first decoder layer's cross-attention, teacher-forced."""
    import torch

    from nlpguide.models import seq2seq
    from nlpguide.models.t5 import translate_source

    tok, t5 = seq2seq(attn_implementation="eager")
    source = tok(translate_source(ENGLISH), return_tensors="pt")
    target = tok(FRENCH, return_tensors="pt").input_ids
    start = torch.tensor([[t5.config.decoder_start_token_id]])
    decoder_ids = torch.cat([start, target[:, :-1]], dim=1)
    seen: dict[str, Any] = {}

    def keep(_module: Any, args: Any, kwargs: Any, output: Any) -> None:
        seen["queries_from"] = args[0][0].double().numpy()
        seen["keys_from"] = kwargs["key_value_states"][0].double().numpy()
        seen["output"] = output[0][0].double().numpy()

    cross = t5.decoder.block[0].layer[1].EncDecAttention
    handle = cross.register_forward_hook(keep, with_kwargs=True)
    try:
        with torch.inference_mode():
            out = t5(**source, decoder_input_ids=decoder_ids, output_attentions=True)
    finally:
        handle.remove()
    seen["n_source"], seen["n_target"] = source.input_ids.shape[1], target.shape[1]
    w = AttentionWeights.from_linear(cross.q, cross.k, cross.v, cross.o, heads=t5.config.num_heads)
    return seen, out, w


@pytest.mark.models
class TestHandComputationMatchesT5:
    def test_cross_attention_unscaled(self) -> None:
        """Queries from the decoder, keys from the encoder, no division by sqrt(d_k): T5's numbers."""
        seen, out, w = _t5_cross()
        ours, probs = multi_head_attention(
            seen["queries_from"], w, context=seen["keys_from"], scale=False
        )
        assert np.allclose(probs, out.cross_attentions[0][0].double().numpy(), rtol=0, atol=ATOL)
        assert np.allclose(ours, seen["output"], rtol=0, atol=ATOL)

    def test_scaling_does_not_match(self) -> None:
        """Dividing by sqrt(d_k), as BERT does, breaks the match: T5 really leaves it out."""
        seen, out, w = _t5_cross()
        _, scaled = multi_head_attention(seen["queries_from"], w, context=seen["keys_from"])
        assert not np.allclose(scaled, out.cross_attentions[0][0].double().numpy(), atol=ATOL)

    def test_shapes(self) -> None:
        """Encoder maps are source x source, decoder maps target x target, cross target x source."""
        seen, out, _ = _t5_cross()
        heads = _t5().config.num_heads
        src, tgt = seen["n_source"], seen["n_target"]
        assert out.encoder_attentions[0].shape == (1, heads, src, src)
        assert out.decoder_attentions[0].shape == (1, heads, tgt, tgt)
        assert out.cross_attentions[0].shape == (1, heads, tgt, src)
        assert src != tgt  # so the rectangle is not square by accident


@pytest.mark.models
class TestBertPositions:
    def test_similarity_falls_with_distance(self) -> None:
        """Mean cosine similarity of MiniLM's position vectors: 1 > 10 > 100 > 400 apart."""
        positions = _bert()[1].embeddings.position_embeddings.weight.detach().double().numpy()
        s = cosine_similarity(positions)
        mean = {d: np.diagonal(s, d).mean() for d in range(1, len(positions))}
        assert mean[1] > mean[10] > mean[100] > mean[400]
        far = [mean[d] for d in range(200, len(positions))]
        assert min(far) < 0 < max(far)  # "swings around zero" (the figure's alt text)
        assert len(positions) == 512


class TestRope:
    def test_frequencies_and_rotation_equal_transformers(self) -> None:
        """inv_freq and the rotation equal LlamaRotaryEmbedding and apply_rotary_pos_emb."""
        import torch
        from transformers.models.llama.modeling_llama import (
            LlamaRotaryEmbedding,
            apply_rotary_pos_emb,
        )

        cfg = _decoder_config()
        freq = rope_inverse_frequencies(cfg.head_dim, cfg.rope_parameters["rope_theta"])
        rotary = LlamaRotaryEmbedding(cfg)
        assert np.allclose(freq, rotary.inv_freq.double().numpy(), rtol=1e-6)
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(1, 1, 12, cfg.head_dim, dtype=torch.float64, generator=generator)
        positions = torch.arange(100, 112)[None]
        cos, sin = rotary(x, positions)
        theirs, _ = apply_rotary_pos_emb(x, x, cos.double(), sin.double())
        ours = rope_rotate(x[0, 0].numpy(), positions[0].numpy(), freq)
        # transformers forms the angles m * inv_freq in float32 whatever x's
        # dtype, so at m ~ 111 an angle is off by up to a few float32 ulps,
        # and each output by that error times the size of the pair it rotates.
        angle_error = 4 * float(positions.max()) * np.finfo(np.float32).eps
        tolerance = angle_error * 2 * float(x.abs().max())
        assert np.allclose(ours, theirs[0, 0].numpy(), rtol=0, atol=tolerance)
        assert not np.allclose(ours, x[0, 0].numpy(), rtol=0, atol=tolerance)

    def test_score_depends_on_distance_only(self) -> None:
        """Shifting query and key together leaves q.k unchanged; moving one changes it."""
        cfg = _decoder_config()
        freq = rope_inverse_frequencies(cfg.head_dim, cfg.rope_parameters["rope_theta"])
        q, k = np.random.default_rng(0).normal(size=(2, 1, cfg.head_dim))

        def score(m: int, n: int) -> float:
            return float((rope_rotate(q, [m], freq) @ rope_rotate(k, [n], freq).T).item())

        base = score(5, 12)
        for shift in (1, 100, 1000, 5000):
            assert score(5 + shift, 12 + shift) == pytest.approx(base, abs=1e-9)
        assert score(5, 112) != pytest.approx(base, abs=1e-3)

    def test_equal_vectors_score_falls_on_average(self) -> None:
        """Equal query and key: the score falls on average with distance, dipping below 0."""
        cfg = _decoder_config()
        freq = rope_inverse_frequencies(cfg.head_dim, cfg.rope_parameters["rope_theta"])
        gaps = np.arange(1, cfg.max_position_embeddings + 1)
        unit = np.ones(cfg.head_dim) / np.sqrt(cfg.head_dim)
        scores = rope_rotate(np.tile(unit, (len(gaps), 1)), gaps, freq) @ unit
        # The closed form: the mean over the pairs of cos(gap * freq).
        assert np.allclose(scores, np.cos(np.outer(gaps, freq)).mean(axis=1))
        assert scores[:100].mean() > scores[-1000:].mean() > 0
        assert scores.min() < 0
        wavelength = 2 * np.pi / freq
        slow = int((wavelength > cfg.max_position_embeddings).sum())
        assert 0 < slow < len(freq)  # "the slowest pairs" turn less than once
