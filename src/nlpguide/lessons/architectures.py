"""Block diagrams of the three architectures, drawn from a model's ``config.json``.

The architectures page (``docs/decoders/architectures.md``) draws MiniLM (BERT), the
shipped T5 and SmolLM2 (LLaMA) with :func:`draw`, and its test checks that every
number in a drawing is the config's own:

* :func:`describe` reads what a diagram shows from a config: the stacks, and in each
  its layers, heads, widths, feed-forward size and which tokens its attention sees;
* :func:`draw` draws that as a block diagram on a matplotlib ``Axes``: a
  bidirectional encoder, a causal decoder, or an encoder stack whose output feeds
  the cross-attention of every decoder layer.

A config is a ``config.json`` mapping, its path (or its folder's), or the name of a
config bundled with :mod:`nlpguide.sizes` (:func:`nlpguide.sizes.known_models`):

>>> arch = describe("bert-base-uncased")
>>> arch.kind, arch.stacks[0].layers, arch.stacks[0].heads, arch.stacks[0].ffn
('encoder', 12, 12, 3072)
>>> [s.cross_attention for s in describe("t5-small").stacks]
[False, True]

Drawing needs matplotlib (the ``docs`` extra); :func:`describe` needs only the
standard library.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from nlpguide import _check
from nlpguide.sizes import load_config, parameter_count, reference_config

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["COLOURS", "SUPPORTED_MODEL_TYPES", "Architecture", "Stack", "describe", "draw"]

Kind = Literal["encoder", "decoder", "encoder-decoder"]

#: One colour per architecture, as in the site's other figures (the size bars of the
#: architectures page): encoder blue, encoder-decoder orange, decoder green.
COLOURS: Mapping[str, str] = {
    "encoder": "#4c72b0",
    "encoder-decoder": "#dd8452",
    "decoder": "#55a868",
}

_ENCODERS = ("bert", "roberta")
_SEQ2SEQ = ("t5", "mt5", "umt5")
_DECODERS = ("llama", "mistral", "qwen2", "gpt2")
#: The ``model_type`` values :func:`describe` reads.
SUPPORTED_MODEL_TYPES: tuple[str, ...] = _ENCODERS + _SEQ2SEQ + _DECODERS


@dataclass(frozen=True, slots=True)
class Stack:
    """One stack of identical transformer layers, as its config sets it."""

    name: str  #: "encoder" or "decoder"
    layers: int
    hidden: int  #: the width of every token's vector between layers
    heads: int  #: query heads
    kv_heads: int  #: key/value heads (fewer than ``heads``: grouped-query attention)
    head_dim: int
    ffn: int  #: the feed-forward layer's inner width
    activation: str  #: the feed-forward activation, as the config names it
    gated: bool  #: a gated feed-forward (two input projections, as LLaMA and T5 v1.1)
    causal: bool  #: self-attention sees only earlier tokens
    cross_attention: bool  #: each layer also attends to the encoder's output


@dataclass(frozen=True, slots=True)
class Architecture:
    """What :func:`draw` shows: the stacks, the vocabulary, positions and size."""

    model_type: str
    kind: Kind
    stacks: tuple[Stack, ...]
    vocab_size: int
    positions: str  #: where word order comes from, in a few words
    parameters: int  #: from :func:`nlpguide.sizes.parameter_count`


def _fields(config: object) -> Mapping[str, object]:
    if isinstance(config, Mapping):
        return config
    if isinstance(config, os.PathLike):
        return load_config(config)
    if isinstance(config, str):
        if config and Path(config).expanduser().exists():
            return load_config(Path(config).expanduser())
        return reference_config(config)  # ValueError naming the known models
    raise TypeError(
        "config must be a config.json mapping, its path, or a bundled model name "
        f"(str), got {type(config).__name__}"
    )


def _dim(fields: Mapping[str, object], key: str, default: int | None = None) -> int:
    value = fields.get(key)
    if value is None:
        if default is None:
            model_type = fields.get("model_type")
            raise ValueError(f"config for model_type {model_type!r} is missing key {key!r}")
        return default
    return _check.integer(f"config[{key!r}]", value, minimum=1)


def _word(fields: Mapping[str, object], key: str, default: str) -> str:
    value = fields.get(key)
    return default if value is None else _check.text(f"config[{key!r}]", value)


def _rope_theta(fields: Mapping[str, object]) -> float | None:
    # transformers 5 writes rope_parameters; older configs a top-level rope_theta.
    rope = fields.get("rope_parameters")
    value = rope.get("rope_theta") if isinstance(rope, Mapping) else fields.get("rope_theta")
    return None if value is None else _check.real("config['rope_theta']", value, low=0.0)


def _encoder(f: Mapping[str, object]) -> tuple[tuple[Stack, ...], str]:
    hidden, heads = _dim(f, "hidden_size"), _dim(f, "num_attention_heads")
    stack = Stack(
        "encoder", _dim(f, "num_hidden_layers"), hidden, heads, heads, hidden // heads,
        _dim(f, "intermediate_size"), _word(f, "hidden_act", "gelu"), gated=False,
        causal=False, cross_attention=False,
    )  # fmt: skip
    positions = f"learned positions (up to {_dim(f, 'max_position_embeddings'):,})"
    return (stack,), positions


def _seq2seq(f: Mapping[str, object]) -> tuple[tuple[Stack, ...], str]:
    layers = _dim(f, "num_layers")
    projection = _word(f, "feed_forward_proj", "relu" if f["model_type"] == "t5" else "gated-gelu")
    gated = projection.startswith("gated-")
    encoder = Stack(
        "encoder", layers, _dim(f, "d_model"), _dim(f, "num_heads"), _dim(f, "num_heads"),
        _dim(f, "d_kv"), _dim(f, "d_ff"), projection.removeprefix("gated-"), gated=gated,
        causal=False, cross_attention=False,
    )  # fmt: skip
    decoder = replace(
        encoder, name="decoder", layers=_dim(f, "num_decoder_layers", layers), causal=True,
        cross_attention=True,
    )  # fmt: skip
    stacks = (encoder, decoder)
    buckets = _dim(f, "relative_attention_num_buckets", 32)
    return stacks, f"relative position bias ({buckets} buckets)"


def _decoder(f: Mapping[str, object]) -> tuple[tuple[Stack, ...], str]:
    if f["model_type"] == "gpt2":
        hidden, heads = _dim(f, "n_embd"), _dim(f, "n_head")
        stack = Stack(
            "decoder", _dim(f, "n_layer"), hidden, heads, heads, hidden // heads,
            _dim(f, "n_inner", 4 * hidden), _word(f, "activation_function", "gelu_new"),
            gated=False, causal=True, cross_attention=False,
        )  # fmt: skip
        return (stack,), f"learned positions (up to {_dim(f, 'n_positions'):,})"
    hidden, heads = _dim(f, "hidden_size"), _dim(f, "num_attention_heads")
    stack = Stack(
        "decoder", _dim(f, "num_hidden_layers"), hidden, heads,
        _dim(f, "num_key_value_heads", heads), _dim(f, "head_dim", hidden // heads),
        _dim(f, "intermediate_size"), _word(f, "hidden_act", "silu"), gated=True,
        causal=True, cross_attention=False,
    )  # fmt: skip
    theta = _rope_theta(f)
    return (stack,), "rotary positions (RoPE)" + (f", θ = {theta:,.0f}" if theta else "")


def describe(config: Mapping[str, object] | str | os.PathLike[str]) -> Architecture:
    """What a block diagram of *config* shows, read from the config alone.

    *config* is a ``config.json`` mapping, the path of a ``config.json`` or of its
    folder, or the name of a config bundled with :mod:`nlpguide.sizes`.  A missing
    size key or a ``model_type`` outside :data:`SUPPORTED_MODEL_TYPES` raises
    :class:`ValueError` naming it.

    >>> stack = describe("Llama-2-7b-hf").stacks[0]
    >>> stack.layers, stack.heads, stack.kv_heads, stack.causal
    (32, 32, 32, True)
    >>> describe({"model_type": "gpt-j"})
    Traceback (most recent call last):
    ...
    ValueError: config['model_type'] must be one of bert, roberta, t5, mt5, umt5, \
llama, mistral, qwen2, gpt2, got 'gpt-j'
    """
    fields = _fields(config)
    model_type = fields.get("model_type")
    if model_type is None:
        raise ValueError("config is missing key 'model_type'")
    model_type = _check.instance("config['model_type']", model_type, str)
    if model_type not in SUPPORTED_MODEL_TYPES:
        raise ValueError(
            f"config['model_type'] must be one of {', '.join(SUPPORTED_MODEL_TYPES)}, "
            f"got {model_type!r}"
        )
    kind: Kind
    if model_type in _ENCODERS:
        kind, (stacks, positions) = "encoder", _encoder(fields)
    elif model_type in _SEQ2SEQ:
        kind, (stacks, positions) = "encoder-decoder", _seq2seq(fields)
    else:
        kind, (stacks, positions) = "decoder", _decoder(fields)
    for stack in stacks:
        if stack.heads % stack.kv_heads:
            raise ValueError(
                f"config's {stack.kv_heads} key/value heads must divide its "
                f"{stack.heads} attention heads"
            )
    return Architecture(
        model_type, kind, stacks, _dim(fields, "vocab_size"), positions, parameter_count(fields)
    )


# ------------------------------------------------------------------------ drawing

_WIDTH = 1.0  # one stack's column, in data units
_BOX = 0.84  # a block's width inside its column
_BLOCK_H = 0.62  # one sub-block of a layer
_GAP = 0.18
_TIMES = "\N{MULTIPLICATION SIGN}"  # spelled out: ruff flags the literal sign as ambiguous


def _attention_label(stack: Stack, cross: bool = False) -> str:
    if cross:
        what = "cross-attention to the encoder"
    elif stack.causal:
        what = "causal self-attention"
    else:
        what = "self-attention, bidirectional"
    if stack.kv_heads == stack.heads:
        heads = f"{stack.heads} heads {_TIMES} {stack.head_dim}"
    else:
        heads = f"{stack.heads} query, {stack.kv_heads} key/value heads {_TIMES} {stack.head_dim}"
    return f"{what}\n{heads}"


def _ffn_label(stack: Stack) -> str:
    kind = f"gated feed-forward ({stack.activation})" if stack.gated else (
        f"feed-forward ({stack.activation})"
    )  # fmt: skip
    return f"{kind}\n{stack.hidden} → {stack.ffn} → {stack.hidden}"


def _mask(ax: Axes, xy: tuple[float, float], pattern: str, colour: str) -> None:
    """A small grid in the corner of an attention block: which keys each query sees.

    Drawn in points (a ``DrawingArea``), so its cells stay square whatever the
    axes' aspect; the grid is one artist with ``gid="mask-<pattern>"``.
    """
    from matplotlib.offsetbox import AnnotationBbox, DrawingArea  # noqa: PLC0415
    from matplotlib.patches import Rectangle  # noqa: PLC0415

    rows, cols = (3, 5) if pattern == "cross" else (5, 5)
    cell = 4.0
    area = DrawingArea(cols * cell, rows * cell)
    for i in range(rows):
        for j in range(cols):
            seen = pattern != "causal" or j <= i
            area.add_artist(
                Rectangle(
                    (j * cell, (rows - 1 - i) * cell), cell, cell,
                    facecolor=colour if seen else "white", edgecolor="white", linewidth=0.5,
                )
            )  # fmt: skip
    box = AnnotationBbox(area, xy, frameon=False, box_alignment=(1.0, 1.0), pad=0.0)
    box.set_gid(f"mask-{pattern}")
    ax.add_artist(box)


def _block(ax: Axes, x: float, y: float, text: str, colour: str, gid: str) -> None:
    from matplotlib.patches import FancyBboxPatch  # noqa: PLC0415

    ax.add_patch(
        FancyBboxPatch(
            (x - _BOX / 2, y), _BOX, _BLOCK_H, boxstyle="round,pad=0,rounding_size=0.05",
            facecolor="white", edgecolor=colour, linewidth=1.2, gid=gid,
        )
    )  # fmt: skip
    ax.text(x - _BOX / 2 + 0.04, y + _BLOCK_H / 2, text, ha="left", va="center", fontsize=7.5)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], **kw: object) -> None:
    from matplotlib.patches import FancyArrowPatch  # noqa: PLC0415

    style = {"arrowstyle": "-|>", "mutation_scale": 9, "color": "#444444", "linewidth": 1.0}
    ax.add_patch(FancyArrowPatch(start, end, **(style | kw)))  # type: ignore[arg-type,unused-ignore]


def _column(ax: Axes, x: float, stack: Stack, arch: Architecture, colour: str) -> dict[str, float]:
    """Draw one stack bottom-up; return the heights other drawing needs."""
    from matplotlib.patches import FancyBboxPatch  # noqa: PLC0415

    inputs = "source tokens" if arch.kind == "encoder-decoder" and stack.name == "encoder" else (
        "output so far (shifted right)" if arch.kind == "encoder-decoder" else "tokens"
    )  # fmt: skip
    ax.text(x, 0.1, inputs, ha="center", va="center", fontsize=7.5, style="italic")
    _arrow(ax, (x, 0.22), (x, 0.45))
    embed = f"token embeddings {arch.vocab_size:,} {_TIMES} {stack.hidden}"
    if arch.kind != "encoder-decoder":
        embed += f"\n+ {arch.positions}"
    _block(ax, x, 0.45, embed, colour, gid=f"{stack.name}-embeddings")

    blocks = [_attention_label(stack)]
    if stack.cross_attention:
        blocks.append(_attention_label(stack, cross=True))
    blocks.append(_ffn_label(stack))
    bottom = 0.45 + _BLOCK_H + 0.35
    height = len(blocks) * _BLOCK_H + (len(blocks) + 1) * _GAP
    _arrow(ax, (x, 0.45 + _BLOCK_H), (x, bottom))
    ax.add_patch(
        FancyBboxPatch(
            (x - _WIDTH / 2 + 0.02, bottom), _WIDTH - 0.04, height,
            boxstyle="round,pad=0,rounding_size=0.06", facecolor=colour, alpha=0.18,
            edgecolor=colour, linewidth=1.5, gid=f"{stack.name}-stack",
        )
    )  # fmt: skip
    ax.text(x + _WIDTH / 2 - 0.05, bottom + height - 0.03, f"{_TIMES} {stack.layers} layers",
            ha="right", va="top", fontsize=8.5, fontweight="bold", color=colour)  # fmt: skip
    tops = {}
    y = bottom + _GAP
    for i, text in enumerate(blocks):
        cross = stack.cross_attention and i == 1
        name = "cross-attention" if cross else ("self-attention" if i == 0 else "feed-forward")
        _block(ax, x, y, text, colour, gid=f"{stack.name}-{name}")
        if name != "feed-forward":
            pattern = "cross" if cross else ("causal" if stack.causal else "bidirectional")
            _mask(ax, (x + _BOX / 2 - 0.03, y + _BLOCK_H - 0.05), pattern, colour)
        tops[name] = y
        if i + 1 < len(blocks):
            _arrow(ax, (x, y + _BLOCK_H), (x, y + _BLOCK_H + _GAP))
        y += _BLOCK_H + _GAP
    top = bottom + height
    _arrow(ax, (x, top), (x, top + 0.3))
    if stack.name == "decoder":
        out = f"LM head → {arch.vocab_size:,} logits\n(the next token)"
    elif arch.kind == "encoder-decoder":
        out = f"encoder output\none {stack.hidden}-vector per source token"
    else:
        out = f"hidden states: one {stack.hidden}-vector per token\n([CLS] → pooler → classifier)"
    _block(ax, x, top + 0.3, out, colour, gid=f"{stack.name}-output")
    return {"top": top + 0.3 + _BLOCK_H, "cross": tops.get("cross-attention", 0.0)}


def draw(
    config: Mapping[str, object] | str | os.PathLike[str],
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw *config*'s architecture as a block diagram and return the ``Axes``.

    Every number drawn (layers, heads, head size, widths, vocabulary, positions,
    parameters) comes from :func:`describe`.  Attention blocks carry a small grid
    of which keys a query sees: a full square (bidirectional), a lower triangle
    (causal) or a rectangle (cross-attention); the encoder-decoder's arrow from the
    encoder's output to the decoder's cross-attention has ``gid="cross-attention"``.
    Without *ax*, a new figure is made; *title* replaces the first title line (the
    kind and ``model_type``); the second line is the parameter count.

    >>> from matplotlib.figure import Figure
    >>> ax = draw("t5-small", ax=Figure().add_subplot())
    >>> any(t.get_text().endswith(" 6 layers") for t in ax.texts)
    True
    >>> draw("t5-small", ax="left")
    Traceback (most recent call last):
    ...
    TypeError: ax must be a matplotlib Axes, got str
    """
    from matplotlib.axes import Axes  # noqa: PLC0415

    arch = describe(config)
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if title is not None:
        _check.text("title", title)
    if ax is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415

        _, ax = plt.subplots(figsize=(3.6 * len(arch.stacks) + 0.4, 5.2))
    colour = COLOURS[arch.kind]
    xs = [i * (_WIDTH + 0.35) for i in range(len(arch.stacks))]
    heights = [_column(ax, x, s, arch, colour) for x, s in zip(xs, arch.stacks, strict=True)]
    if arch.kind == "encoder-decoder":
        encoder_out = heights[0]["top"] - _BLOCK_H / 2
        cross = heights[1]["cross"] + _BLOCK_H / 2
        _arrow(
            ax, (xs[0] + _BOX / 2, encoder_out), (xs[1] - _BOX / 2, cross),
            connectionstyle="angle3,angleA=0,angleB=90", color=colour, linewidth=1.8,
            gid="cross-attention",
        )  # fmt: skip
        ax.text(
            (xs[0] + xs[1]) / 2, heights[1]["cross"] - 0.05,
            f"{arch.positions}\nin each stack's attention", ha="center", va="top",
            fontsize=7, color="#444444",
        )  # fmt: skip
        ax.text(
            (xs[0] + xs[1]) / 2 - 0.08, encoder_out + 0.14, "read by every decoder layer",
            ha="center", va="bottom", fontsize=7, color=colour,
        )  # fmt: skip
    first = title or f"{arch.kind}: {arch.model_type}"
    ax.set_title(f"{first}\n{arch.parameters / 1e6:,.1f}M parameters", fontsize=10)
    ax.set_xlim(xs[0] - _WIDTH / 2 - 0.05, xs[-1] + _WIDTH / 2 + 0.05)
    ax.set_ylim(-0.05, max(h["top"] for h in heights) + 0.1)
    ax.set_axis_off()
    return ax
