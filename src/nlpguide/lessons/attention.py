"""Helpers behind the attention and positions pages (``docs/bert/``): attention by hand.

The pages and their tests share these, so a test checks the very code the
pages show:

* :class:`AttentionWeights` and :func:`multi_head_attention`: scaled
  dot-product, multi-head attention in numpy from a real layer's projection
  matrices, with :func:`softmax`, :func:`causal_mask` and :func:`layer_norm`;
  :func:`previous_token_weight` measures how much a head looks one token back;
* :func:`bert_attention_io`: what enters one BERT layer and what its attention
  sublayer returns, captured from a real forward pass, to compare with;
* :func:`cosine_similarity`, :func:`relative_position_bucket` (T5's bucketing
  of relative distances), :func:`rope_inverse_frequencies` and
  :func:`rope_rotate` (rotary position embeddings, as in LLaMA).

>>> scores = np.array([[0.0, 1.0], [2.0, 2.0]])
>>> softmax(scores + causal_mask(2)).round(3).tolist()
[[1.0, 0.0], [0.5, 0.5]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from nlpguide import _check

__all__ = [
    "AttentionCapture",
    "AttentionWeights",
    "bert_attention_io",
    "causal_mask",
    "cosine_similarity",
    "layer_norm",
    "multi_head_attention",
    "previous_token_weight",
    "relative_position_bucket",
    "rope_inverse_frequencies",
    "rope_rotate",
    "softmax",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _real(name: str, values: object, ndim: int | None = None, *, axes: int = 0) -> FloatArray:
    """``values`` as a float64 array of ``ndim`` dimensions (when given), or at least ``axes``."""
    if isinstance(values, str | bytes) or values is None or _check.is_bool(values):
        raise TypeError(f"{name} must be an array of real numbers, got {type(values).__name__}")
    try:
        array = np.asarray(values)
    except ValueError:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of real numbers") from None
    if array.dtype.kind not in "iuf":  # bool, complex, str, object, ...
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    array = np.asarray(array, dtype=np.float64)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {array.shape}")
    if array.ndim < axes:
        raise ValueError(f"{name} must have at least {axes} dimension(s), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    return array


def _finite(name: str, array: FloatArray) -> FloatArray:
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return array


def softmax(scores: npt.ArrayLike, *, axis: int = -1) -> FloatArray:
    """The softmax of *scores* along *axis*: each slice becomes a probability distribution.

    ``-inf`` scores (masked positions) get probability 0; a slice must keep at
    least one finite score.

    >>> softmax([1.0, 1.0, -np.inf]).tolist()
    [0.5, 0.5, 0.0]
    """
    s = _real("scores", scores, axes=1)
    if np.any(np.isnan(s)) or np.any(s == np.inf):
        raise ValueError("scores must not be NaN or +infinity")
    axis = _check.integer("axis", axis, minimum=-s.ndim, maximum=s.ndim - 1)
    top = np.max(s, axis=axis, keepdims=True)
    if np.any(top == -np.inf):
        raise ValueError("every slice of scores needs at least one finite score")
    # Subtracting the row's largest score changes nothing in exact arithmetic and
    # keeps exp() from overflowing.
    e = np.exp(s - top)
    return np.asarray(e / e.sum(axis=axis, keepdims=True), dtype=np.float64)


def causal_mask(n: int) -> FloatArray:
    """The additive causal mask of a decoder: 0 where query *i* may see key *j* (j <= i), else -inf.

    >>> causal_mask(3)
    array([[  0., -inf, -inf],
           [  0.,   0., -inf],
           [  0.,   0.,   0.]])
    """
    n = _check.integer("n", n, minimum=1, maximum=100_000)
    return np.where(np.tri(n, dtype=bool), 0.0, -np.inf)


def layer_norm(
    x: npt.ArrayLike, gamma: npt.ArrayLike, beta: npt.ArrayLike, *, eps: float = 1e-12
) -> FloatArray:
    """Layer normalisation over the last axis: ``(x - mean) / sqrt(var + eps) * gamma + beta``.

    >>> layer_norm([[1.0, 3.0]], [1.0, 1.0], [0.0, 0.0]).round(6).tolist()
    [[-1.0, 1.0]]
    """
    a = _finite("x", _real("x", x, axes=1))
    g = _finite("gamma", _real("gamma", gamma, ndim=1))
    b = _finite("beta", _real("beta", beta, ndim=1))
    eps = _check.real("eps", eps, low=0.0, low_open=True)
    if g.shape[0] != a.shape[-1] or b.shape[0] != a.shape[-1]:
        raise ValueError(
            f"gamma and beta must have {a.shape[-1]} values (x's last axis), "
            f"got {g.shape[0]} and {b.shape[0]}"
        )
    mean = a.mean(axis=-1, keepdims=True)
    var = a.var(axis=-1, keepdims=True)  # the biased variance, as torch's LayerNorm
    return np.asarray((a - mean) / np.sqrt(var + eps) * g + b, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class AttentionWeights:
    """One attention layer's projections as float64 arrays, applied as ``x @ w + b``.

    ``w_q``, ``w_k``, ``w_v`` map the model width to ``heads * d_k``; ``w_o``
    maps the concatenated heads back. A layer without biases (T5) has zero ones.

    >>> w = AttentionWeights.random(width=8, heads=2, seed=0)
    >>> w.w_q.shape, w.heads, w.d_k
    ((8, 8), 2, 4)
    """

    w_q: FloatArray
    b_q: FloatArray
    w_k: FloatArray
    b_k: FloatArray
    w_v: FloatArray
    b_v: FloatArray
    w_o: FloatArray
    b_o: FloatArray
    heads: int

    def __post_init__(self) -> None:
        heads = _check.integer("heads", self.heads, minimum=1)
        arrays = {}
        for name in ("w_q", "w_k", "w_v", "w_o"):
            arrays[name] = _finite(name, _real(name, getattr(self, name), ndim=2))
        for name in ("b_q", "b_k", "b_v", "b_o"):
            arrays[name] = _finite(name, _real(name, getattr(self, name), ndim=1))
        width, inner = arrays["w_q"].shape
        if inner % heads:
            raise ValueError(f"heads must divide the projection width {inner}, got {heads}")
        expected = {
            "w_k": (width, inner), "w_v": (width, inner), "w_o": (inner, width),
            "b_q": (inner,), "b_k": (inner,), "b_v": (inner,), "b_o": (width,),
        }  # fmt: skip
        for name, shape in expected.items():
            if arrays[name].shape != shape:
                raise ValueError(f"{name} has shape {arrays[name].shape}, expected {shape}")
        for name, array in arrays.items():
            object.__setattr__(self, name, array)
        object.__setattr__(self, "heads", heads)

    @classmethod
    def _of(cls, parts: list[FloatArray], heads: int) -> AttentionWeights:
        w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o = parts
        return cls(w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, heads=heads)

    @property
    def d_k(self) -> int:
        """The width of one head's queries, keys and values."""
        return int(self.w_q.shape[1]) // self.heads

    @classmethod
    def from_linear(
        cls, query: Any, key: Any, value: Any, output: Any, *, heads: int
    ) -> AttentionWeights:
        """The weights of four ``torch.nn.Linear`` layers (``y = x Wᵀ + b``), transposed to ``x @ w``.

        ::

            sa = bert.encoder.layer[0].attention.self
            AttentionWeights.from_linear(sa.query, sa.key, sa.value,
                                         bert.encoder.layer[0].attention.output.dense,
                                         heads=bert.config.num_attention_heads)
        """
        _check.integer("heads", heads, minimum=1)
        parts: list[FloatArray] = []
        for name, layer in (("query", query), ("key", key), ("value", value), ("output", output)):
            weight = getattr(layer, "weight", None)
            if weight is None or not hasattr(weight, "detach"):
                raise TypeError(f"{name} must be a torch.nn.Linear, got {type(layer).__name__}")
            w = np.asarray(weight.detach().double().cpu().numpy()).T
            bias = getattr(layer, "bias", None)
            b = np.zeros(w.shape[1]) if bias is None else bias.detach().double().cpu().numpy()
            parts += [w, np.asarray(b, dtype=np.float64)]
        return cls._of(parts, heads)

    @classmethod
    def random(cls, *, width: int, heads: int, seed: int = 0) -> AttentionWeights:
        """Random weights of a ``width``-wide layer (for tests and exercises), scaled by 1/√width."""
        width = _check.integer("width", width, minimum=1, maximum=4096)
        heads = _check.integer("heads", heads, minimum=1, maximum=width)
        if width % heads:
            raise ValueError(f"heads must divide width {width}, got {heads}")
        rng = np.random.default_rng(_check.integer("seed", seed, minimum=0))
        draws = [rng.normal(size=(width, width)) / np.sqrt(width) for _ in range(4)]
        biases = [rng.normal(size=width) * 0.1 for _ in range(4)]
        parts = [a for pair in zip(draws, biases, strict=True) for a in pair]
        return cls._of(parts, heads)


def multi_head_attention(
    x: npt.ArrayLike,
    weights: AttentionWeights,
    *,
    context: npt.ArrayLike | None = None,
    mask: npt.ArrayLike | None = None,
    scale: bool = True,
) -> tuple[FloatArray, FloatArray]:
    """Multi-head scaled dot-product attention of the rows of *x*, in numpy.

    Returns the output (one row per query token, the model's width) and the
    attention probabilities ``(heads, queries, keys)``. Queries come from *x*;
    keys and values from *context* (cross-attention) or from *x* itself
    (self-attention). *mask* is added to the scores (0 keeps, ``-inf`` hides);
    ``scale=False`` skips the division by √d_k, as T5 does.

    >>> w = AttentionWeights.random(width=8, heads=2)
    >>> out, probs = multi_head_attention(np.ones((3, 8)), w)
    >>> out.shape, probs.shape
    ((3, 8), (2, 3, 3))
    """
    _check.instance("weights", weights, AttentionWeights)
    x = _finite("x", _real("x", x, ndim=2))
    kv = x if context is None else _finite("context", _real("context", context, ndim=2))
    _check.boolean("scale", scale)
    width = weights.w_q.shape[0]
    for name, rows in (("x", x), ("context", kv)):
        if rows.shape[1] != width:
            raise ValueError(
                f"{name} rows must have the layer's width {width}, got {rows.shape[1]}"
            )
    h, d_k = weights.heads, weights.d_k
    q = x @ weights.w_q + weights.b_q  # (1) Q = X W_Q + b_Q
    k = kv @ weights.w_k + weights.b_k  # (2) K = X W_K + b_K
    v = kv @ weights.w_v + weights.b_v  # (3) V = X W_V + b_V
    # (4) split the width into h heads of d_k: (heads, tokens, d_k)
    q, k, v = (m.reshape(len(m), h, d_k).transpose(1, 0, 2) for m in (q, k, v))
    scores = q @ k.transpose(0, 2, 1)  # (5) Q Kᵀ, one matrix per head
    if scale:
        scores = scores / np.sqrt(d_k)  # (6) divided by √d_k
    if mask is not None:
        scores = scores + _mask(mask, scores.shape[1:])  # (7) + M
    probs = softmax(scores, axis=-1)  # (8) softmax over the keys
    heads = probs @ v  # (9) each head: a weighted average of values
    # (10) the heads side by side again: (tokens, h * d_k)
    concat = heads.transpose(1, 0, 2).reshape(len(x), h * d_k)
    return concat @ weights.w_o + weights.b_o, probs  # (11) times W_O, + b_O


def _mask(mask: npt.ArrayLike, shape: tuple[int, ...]) -> FloatArray:
    """*mask* checked: (queries, keys), each entry 0 (keep) or -inf (hide) or a finite bias."""
    m = _real("mask", mask, ndim=2)
    if m.shape != shape:
        raise ValueError(f"mask must have shape {shape} (queries, keys), got {m.shape}")
    if np.any(np.isnan(m)) or np.any(m == np.inf):
        raise ValueError("mask must not hold NaN or +infinity")
    return m


def previous_token_weight(probabilities: npt.ArrayLike) -> FloatArray:
    """Each head's mean weight on the token just before the query: one value per head.

    *probabilities* is ``(heads, tokens, tokens)``; the first query, which has no
    previous token, is left out.

    >>> previous_token_weight([[[1.0, 0.0], [0.75, 0.25]]]).tolist()
    [0.75]
    """
    p = _finite("probabilities", _real("probabilities", probabilities, ndim=3))
    if p.shape[1] != p.shape[2] or p.shape[1] < 2:
        raise ValueError(
            f"probabilities must be (heads, n, n) with n >= 2 tokens, got shape {p.shape}"
        )
    return np.asarray(np.diagonal(p, offset=-1, axis1=1, axis2=2).mean(axis=1))


@dataclass(frozen=True, eq=False)
class AttentionCapture:
    """One BERT layer's attention, read from a real forward pass.

    ``hidden_in`` (tokens, width) enters the layer; ``probabilities``
    (heads, tokens, tokens) are the model's attention weights; ``sublayer_out``
    (tokens, width) is what its attention sublayer (attention, output
    projection, residual and LayerNorm) returns.
    """

    tokens: tuple[str, ...]
    hidden_in: FloatArray
    probabilities: FloatArray
    sublayer_out: FloatArray
    layer: int


def bert_attention_io(tokenizer: Any, model: Any, text: str, *, layer: int) -> AttentionCapture:
    """Run a ``BertModel`` (loaded with eager attention) on *text* and capture one layer.

    ::

        tok, bert = encoder(attn_implementation="eager")
        io = bert_attention_io(tok, bert, "The bank raised rates.", layer=2)
        io.probabilities.shape           # (heads, tokens, tokens)
    """
    import torch  # noqa: PLC0415

    text = _check.text("text", text)
    layer = _check.integer("layer", layer, minimum=0)
    blocks = getattr(getattr(model, "encoder", None), "layer", None)
    if blocks is None or not hasattr(blocks, "__len__"):
        raise TypeError(f"model must be a transformers BertModel, got {type(model).__name__}")
    if layer >= len(blocks):
        raise ValueError(f"layer must be an int in [0, {len(blocks) - 1}], got {layer}")
    captured: dict[str, Any] = {}

    def keep(_module: Any, _inputs: Any, output: Any) -> None:
        captured["out"] = output[0]  # BertAttention returns (output, weights)

    enc = tokenizer(text, return_tensors="pt")
    handle = blocks[layer].attention.register_forward_hook(keep)
    try:
        with torch.inference_mode():
            out = model(**enc, output_hidden_states=True, output_attentions=True)
    finally:
        handle.remove()
    if not out.attentions or out.attentions[0] is None:
        raise ValueError(
            "the model returned no attention weights: load it with attn_implementation='eager'"
        )

    def arr(t: Any) -> FloatArray:
        return np.asarray(t[0].double().numpy(), dtype=np.float64)

    return AttentionCapture(
        tokens=tuple(tokenizer.convert_ids_to_tokens(enc["input_ids"][0].tolist())),
        hidden_in=arr(out.hidden_states[layer]),  # hidden_states[0]: the embeddings
        probabilities=arr(out.attentions[layer]),
        sublayer_out=arr(captured["out"]),
        layer=layer,
    )


def cosine_similarity(vectors: npt.ArrayLike) -> FloatArray:
    """The cosine similarity of every pair of rows of *vectors*: an (n, n) matrix.

    >>> cosine_similarity([[1.0, 0.0], [1.0, 1.0]]).round(3).tolist()
    [[1.0, 0.707], [0.707, 1.0]]
    """
    v = _finite("vectors", _real("vectors", vectors, ndim=2))
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("vectors must not contain a zero row (its direction is undefined)")
    unit = v / norms
    return np.asarray(np.clip(unit @ unit.T, -1.0, 1.0), dtype=np.float64)


def relative_position_bucket(
    relative_position: npt.ArrayLike,
    *,
    bidirectional: bool = True,
    num_buckets: int = 32,
    max_distance: int = 128,
) -> IntArray:
    """T5's bucket of each relative position (key position minus query position).

    Small distances get a bucket each; larger ones share buckets whose width grows
    logarithmically up to *max_distance*, beyond which all distances share the last
    bucket. An encoder (``bidirectional``) spends half the buckets on keys to the
    right; a decoder sees only keys to the left. This is the function of
    ``transformers``' ``T5Attention``, written in numpy (its test checks they agree).

    >>> relative_position_bucket([-1, 0, 1, 200]).tolist()
    [1, 0, 17, 31]
    """
    rp = _real("relative_position", relative_position)
    if not np.all(np.isfinite(rp)) or not np.all(rp == np.round(rp)):
        raise ValueError("relative_position must hold whole numbers")
    _check.boolean("bidirectional", bidirectional)
    num_buckets = _check.integer("num_buckets", num_buckets, minimum=4, maximum=10_000)
    max_distance = _check.integer("max_distance", max_distance, minimum=1, maximum=10**9)
    per_side = num_buckets // 2 if bidirectional else num_buckets
    if max_distance <= per_side // 2:
        raise ValueError(
            f"max_distance must exceed {per_side // 2} (the exact buckets), got {max_distance}"
        )
    rel = rp.astype(np.int64)
    bucket = np.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        bucket += (rel > 0) * num_buckets  # keys to the right: the upper half
        rel = np.abs(rel)
    else:
        rel = -np.minimum(rel, 0)  # a decoder: only the distance back counts
    max_exact = num_buckets // 2  # one bucket each for 0 .. max_exact - 1
    # Log-spaced buckets above; float32 as in transformers, so bucket edges
    # fall on the same distances.
    ratio = np.maximum(rel, max_exact).astype(np.float32) / np.float32(max_exact)
    span = np.log(ratio) / np.float32(np.log(max_distance / max_exact))
    steps = (span * np.float32(num_buckets - max_exact)).astype(np.int64)
    large = np.minimum(max_exact + steps, num_buckets - 1)
    exact_or_log = np.where(rel < max_exact, rel, large)
    return np.asarray(bucket + exact_or_log, dtype=np.int64)


def rope_inverse_frequencies(head_dim: int, theta: float) -> FloatArray:
    """RoPE's angular frequency of each pair of a head's dimensions: ``theta ** (-2i / head_dim)``.

    Pair *i* of a query or key at position *m* is rotated by ``m * freq[i]`` radians.

    >>> rope_inverse_frequencies(4, 10_000.0).tolist()
    [1.0, 0.01]
    """
    head_dim = _check.integer("head_dim", head_dim, minimum=2, maximum=1 << 16)
    if head_dim % 2:
        raise ValueError(f"head_dim must be even (dimensions rotate in pairs), got {head_dim}")
    theta = _check.real("theta", theta, low=1.0, low_open=True)
    return np.asarray(theta ** (-np.arange(0, head_dim, 2) / head_dim), dtype=np.float64)


def rope_rotate(x: npt.ArrayLike, positions: npt.ArrayLike, inv_freq: npt.ArrayLike) -> FloatArray:
    """Rotate each row of *x* (tokens, head_dim) by its position, as LLaMA does.

    LLaMA's layout (transformers' ``rotate_half``) pairs dimension *i* with
    *i + head_dim/2*, and rotates pair *i* at position *m* by ``m * inv_freq[i]``.

    >>> rope_rotate([[1.0, 0.0]], [0], [1.0]).tolist()
    [[1.0, 0.0]]
    """
    v = _finite("x", _real("x", x, ndim=2))
    pos = _finite("positions", _real("positions", positions, ndim=1))
    freq = _finite("inv_freq", _real("inv_freq", inv_freq, ndim=1))
    if v.shape[1] != 2 * freq.shape[0]:
        raise ValueError(
            f"x rows must have 2 * len(inv_freq) = {2 * freq.shape[0]} values, got {v.shape[1]}"
        )
    if pos.shape[0] != v.shape[0]:
        raise ValueError(
            f"positions must have one entry per row of x ({v.shape[0]}), got {pos.shape[0]}"
        )
    angles = np.concatenate([np.outer(pos, freq)] * 2, axis=1)
    half = v.shape[1] // 2
    rotated_half = np.concatenate([-v[:, half:], v[:, :half]], axis=1)
    return np.asarray(v * np.cos(angles) + rotated_half * np.sin(angles), dtype=np.float64)
