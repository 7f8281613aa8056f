"""Attention patterns of the three architectures, from real forward passes.

Every transformer layer mixes each position with the positions it *attends to*;
the attention weights say how much. Which positions are allowed is what tells
the three families apart:

* an **encoder** (BERT) lets every token see every token: a full square;
* a **decoder** (GPT, LLaMA) lets a token see only itself and the tokens
  before it: the square's upper triangle is zero (a causal mask);
* an **encoder-decoder** (T5) has both, plus *cross-attention*: each target
  token looks at every source token, a rectangle.

The functions below run a model with ``output_attentions=True`` and return one
layer's weights, averaged over its heads, as an :class:`AttentionMap`. Load the
models with ``attn_implementation="eager"``: the fused kernels do not return
the weights.

>>> import numpy as np
>>> is_causal(np.array([[1.0, 0.0], [0.4, 0.6]]))
True
>>> is_causal(np.full((2, 2), 0.5))
False
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _check

__all__ = [
    "AttentionMap",
    "decoder_self_attention",
    "encoder_self_attention",
    "is_causal",
    "seq2seq_attention",
    "token_labels",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class AttentionMap:
    """One layer's attention weights, averaged over heads: rows are queries, columns keys.

    Each row is a probability distribution over the keys (it sums to 1).

    >>> m = AttentionMap("toy", ("a", "b"), ("a", "b"), np.array([[1.0, 0.0], [0.5, 0.5]]), 0)
    >>> m.shape, m.causal
    ((2, 2), True)
    """

    title: str
    queries: tuple[str, ...]
    keys: tuple[str, ...]
    weights: FloatArray
    layer: int

    def __post_init__(self) -> None:
        if not isinstance(self.title, str):
            raise TypeError(f"title must be a str, got {type(self.title).__name__}")
        for name in ("queries", "keys"):
            object.__setattr__(self, name, tuple(_check.strings(name, getattr(self, name))))
        layer: object = self.layer
        if isinstance(layer, bool) or not isinstance(layer, int):
            raise TypeError(f"layer must be an int, got {type(layer).__name__}")
        if layer < 0:
            raise ValueError(f"layer must be >= 0 (the layer's index), got {layer}")
        w = _real_matrix("weights", self.weights)
        if w.shape != (len(self.queries), len(self.keys)):
            raise ValueError(
                f"weights have shape {w.shape}, expected "
                f"({len(self.queries)} queries, {len(self.keys)} keys)"
            )
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError("attention weights must be finite and non-negative")
        if not np.allclose(w.sum(axis=1), 1.0, atol=1e-4):
            raise ValueError("each row of attention weights must sum to 1")
        object.__setattr__(self, "weights", w)

    @property
    def shape(self) -> tuple[int, int]:
        """(queries, keys)."""
        rows, cols = self.weights.shape
        return int(rows), int(cols)

    @property
    def causal(self) -> bool:
        """Whether no query attends to a later position (square maps only)."""
        return self.shape[0] == self.shape[1] and is_causal(self.weights)


def is_causal(weights: npt.ArrayLike, *, atol: float = 0.0) -> bool:
    """Whether a square weight matrix is zero above its diagonal (within *atol*).

    >>> is_causal([[1.0, 1e-9], [0.5, 0.5]], atol=1e-6)
    True
    """
    w = _real_matrix("weights", weights)
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise ValueError(f"weights must be a square matrix, got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite (no NaN or infinity)")
    given: object = atol
    if isinstance(given, bool) or not isinstance(given, int | float):
        raise TypeError(f"atol must be a real number, got {type(given).__name__}")
    if not 0.0 <= atol < math.inf:  # also rejects NaN, which would make nothing causal
        raise ValueError(f"atol must be a finite number >= 0, got {atol!r}")
    return bool(np.all(np.abs(np.triu(w, k=1)) <= atol))


def _real_matrix(name: str, values: object) -> FloatArray:
    """``values`` as a float64 array; a clear error for text, complex or ragged input."""
    try:
        array = np.asarray(values)
    except ValueError:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of real numbers") from None
    if array.dtype.kind not in "biuf":  # complex, str, object, ...
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return np.asarray(array, dtype=np.float64)


def token_labels(tokenizer: Any, ids: Sequence[int]) -> tuple[str, ...]:
    """Token strings for plot axes, word-start markers (``Ġ``, ``▁``) shown as ``␣``.

    ::

        token_labels(tok, [791, 4248])     # ('the', 'bank') for a WordPiece tokenizer
    """
    given: object = ids
    if isinstance(given, str | bytes) or not isinstance(given, Sequence):
        raise TypeError(f"ids must be a sequence of token ids, got {type(given).__name__}")
    size = len(tokenizer) if hasattr(tokenizer, "__len__") else None
    for i in ids:
        if isinstance(i, bool | np.bool_) or not isinstance(i, int | np.integer):
            raise TypeError(f"token ids must be ints, got {type(i).__name__}")
        if i < 0 or (size is not None and i >= size):
            raise ValueError(f"token id {i} is outside this tokenizer's vocabulary [0, {size})")
    tokens = tokenizer.convert_ids_to_tokens([int(i) for i in ids])
    # An id the tokenizer does not know (None from convert_ids_to_tokens): no label to show.
    unknown = [i for i, t in zip(ids, tokens, strict=True) if not isinstance(t, str)]
    if unknown:
        raise ValueError(f"token id {unknown[0]} has no token in this tokenizer")
    return tuple(t.replace("Ġ", "␣").replace("▁", "␣").replace("Ċ", "\\n") for t in tokens)


def _layer(stack: Any, layer: object, what: str) -> FloatArray:
    if not stack or stack[0] is None:
        raise ValueError(
            f"the model returned no {what} weights: load it with attn_implementation='eager'"
        )
    _check.integer("layer", layer, minimum=-len(stack), maximum=len(stack) - 1)
    # (batch, heads, queries, keys) -> the mean over heads of the first sequence
    return np.asarray(stack[layer][0].float().mean(dim=0).cpu().numpy(), dtype=np.float64)


def _check_layer(layer: object, model: Any, *count_keys: str) -> None:
    """Check ``layer`` before the forward pass, against the config's layer counts if known."""
    if isinstance(layer, bool) or not isinstance(layer, int):
        raise TypeError(f"layer must be an int, got {type(layer).__name__}")
    config = getattr(model, "config", None)
    counts = [getattr(config, key, None) for key in count_keys]
    known = [n for n in counts if isinstance(n, int) and not isinstance(n, bool) and n > 0]
    if known:
        n = min(known)
        if not -n <= layer < n:
            raise ValueError(f"layer must be an int in [{-n}, {n - 1}], got {layer!r}")


def _check_text(name: str, text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    if not text.strip():
        raise ValueError(f"{name} is empty")
    return text


def _index(layer: int, n_layers: int) -> int:
    return layer % n_layers


def _self_attention(
    tokenizer: Any,
    model: Any,
    text: str,
    layer: int,
    title: str,
    tokenizer_kw: dict[str, Any],
    model_kw: dict[str, Any],
) -> AttentionMap:
    """The self-attention map of one layer of an encoder or a decoder-only model."""
    import torch  # noqa: PLC0415

    _check_text("text", text)
    _check_layer(layer, model, "num_hidden_layers")
    enc = tokenizer(text, return_tensors="pt", **tokenizer_kw)
    with torch.inference_mode():
        out = model(**enc, output_attentions=True, **model_kw)
    labels = token_labels(tokenizer, enc["input_ids"][0].tolist())
    weights = _layer(out.attentions, layer, "self-attention")
    return AttentionMap(title, labels, labels, weights, _index(layer, len(out.attentions)))


def encoder_self_attention(
    tokenizer: Any, model: Any, text: str, *, layer: int = -1
) -> AttentionMap:
    """Self-attention of an encoder (BERT family) over *text*, special tokens included.

    ::

        tok, bert = encoder(attn_implementation="eager")
        encoder_self_attention(tok, bert, "The bank raised rates.").causal     # False
    """
    return _self_attention(tokenizer, model, text, layer, "encoder self-attention", {}, {})


def decoder_self_attention(
    tokenizer: Any, model: Any, text: str, *, layer: int = -1
) -> AttentionMap:
    """Self-attention of a decoder-only model (GPT, LLaMA) over *text*.

    ::

        tok, lm = decoder(attn_implementation="eager")
        decoder_self_attention(tok, lm, "The bank raised rates.").causal       # True
    """
    return _self_attention(
        tokenizer,
        model,
        text,
        layer,
        "decoder self-attention (causal)",
        {"return_token_type_ids": False},
        {"use_cache": False},
    )


def seq2seq_attention(
    tokenizer: Any, model: Any, source: str, target: str, *, layer: int = -1
) -> tuple[AttentionMap, AttentionMap, AttentionMap]:
    """Encoder self-, decoder self- and cross-attention of an encoder-decoder (T5).

    The decoder is *teacher-forced* with *target* as in training: its input is
    the target shifted right behind the decoder start token, so row *i* is the
    step that predicts target token *i*. *layer* indexes the encoder's and the
    decoder's layers separately::

        tok, t5 = seq2seq()
        t5.set_attn_implementation("eager")
        enc, dec, cross = seq2seq_attention(tok, t5, "summarize: Rates rose.", "Rates up")
        cross.shape                                  # (target tokens, source tokens)
    """
    import torch  # noqa: PLC0415

    _check_text("source", source)
    _check_text("target", target)
    # layer indexes both stacks, so it must fit the shallower one.
    _check_layer(layer, model, "num_layers", "num_decoder_layers")
    enc = tokenizer(source, return_tensors="pt")
    labels = tokenizer(target, return_tensors="pt").input_ids
    start = model.config.decoder_start_token_id
    decoder_ids = torch.cat([torch.full((1, 1), start, dtype=labels.dtype), labels[:, :-1]], dim=1)
    with torch.inference_mode():
        out = model(**enc, decoder_input_ids=decoder_ids, output_attentions=True, use_cache=False)
    src = token_labels(tokenizer, enc["input_ids"][0].tolist())
    tgt = token_labels(tokenizer, decoder_ids[0].tolist())
    n_enc, n_dec = len(out.encoder_attentions), len(out.decoder_attentions)
    e = _layer(out.encoder_attentions, layer, "encoder self-attention")
    d = _layer(out.decoder_attentions, layer, "decoder self-attention")
    c = _layer(out.cross_attentions, layer, "cross-attention")
    return (
        AttentionMap("encoder self-attention", src, src, e, _index(layer, n_enc)),
        AttentionMap("decoder self-attention (causal)", tgt, tgt, d, _index(layer, n_dec)),
        AttentionMap("cross-attention", tgt, src, c, _index(layer, n_dec)),
    )
