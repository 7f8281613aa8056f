"""Sizes, FLOPs and memory of a transformer, from its ``config.json`` alone.

:func:`parameter_count`, :func:`forward_flops` and :func:`memory_estimate` take a
bundled model name (:func:`known_models`), a ``config.json`` mapping, or the path of a
Hugging Face ``config.json`` (or of the folder holding it).  They need no torch, no
numpy and no network: only the standard library is imported, and the results are
closed-form counts checked against transformers itself.  :mod:`nlpguide.choose`
re-exports every public name.

>>> parameter_count("bert-base-uncased")
109482240
>>> memory_estimate("Llama-2-7b-hf", dtype="bf16", batch=1, seq_len=4096).kv_cache
2147483648

**Families and the class counted.**  A count is that of the model class a
checkpoint is usually published for, each tied tensor once:

===============================  ===================================================
``model_type``                   class counted
===============================  ===================================================
``bert``, ``roberta``            ``BertModel``, ``RobertaModel`` (with pooler)
``albert``                       ``AlbertModel`` (with pooler; shared layers once)
``electra``                      ``ElectraModel`` (no pooler)
``distilbert``                   ``DistilBertModel`` (no pooler)
``t5``, ``mt5``, ``umt5``        ``T5``/``MT5``/``UMT5ForConditionalGeneration``
``bart``, ``mbart``              ``BartForConditionalGeneration``, ``MBart...``
``marian``                       ``MarianMTModel``
``gpt2``                         ``GPT2LMHeadModel``
``llama``, ``mistral``,          ``LlamaForCausalLM``, ``MistralForCausalLM``,
``qwen2``, ``gemma``             ``Qwen2ForCausalLM``, ``GemmaForCausalLM``
===============================  ===================================================

Encoders are counted without a task head; SmolLM and SmolLM2 are ``llama``.  The
result equals ``sum(p.numel() for p in model.parameters())`` for that class
instantiated from the config by transformers 5, with one exception: for the T5
family with ``tie_word_embeddings=False`` (T5 v1.1, mT5, UMT5, flan-T5) transformers 5
builds a tied model and unties ``lm_head`` only when it loads a checkpoint, and this
module counts the loaded, untied model.  Frozen parameters (Marian's sinusoidal
positions, DistilBERT's with ``sinusoidal_pos_embds``) are counted, as ``parameters()``
yields them, but never trained.

**Which keys are read.**  The size keys of each family (``hidden_size``,
``num_hidden_layers``, ``vocab_size``, ...) are required: a missing one raises
:class:`ValueError` naming it.  Only these keys may be left out, and they then take the
default of transformers' own config class (:data:`OPTIONAL_KEYS` lists them): T5
family ``num_decoder_layers`` (= ``num_layers``), ``relative_attention_num_buckets``
(32), ``feed_forward_proj`` (``"relu"`` for t5, ``"gated-gelu"`` for mt5 and umt5),
``tie_word_embeddings`` (true); ALBERT ``num_hidden_groups`` and ``inner_group_num``
(1); DistilBERT ``sinusoidal_pos_embds`` (false); BART family ``tie_word_embeddings``
(true), Marian ``decoder_vocab_size`` (= ``vocab_size``) and
``share_encoder_decoder_embeddings`` (true); GPT-2 ``n_inner`` (4 x ``n_embd``) and
``tie_word_embeddings`` (true); LLaMA family ``num_key_value_heads`` (llama: the number
of heads; mistral 8, qwen2 32, gemma 16), ``head_dim`` (hidden size / heads; gemma
256), ``tie_word_embeddings`` (false; gemma true), ``attention_bias`` and
``mlp_bias`` (false, where the class has them).  An explicit ``null`` means the same as
a missing key, as in transformers.

**What a FLOP is.**  :func:`forward_flops` counts 2 FLOPs per multiply-accumulate of
every matrix multiplication in one forward pass over a batch of one: the linear layers
(including the LM head, and the pooler, which sees one token) and, per attention head,
``Q @ K^T`` and ``softmax @ V`` over the full square (masked positions are computed,
then discarded).  Bias additions, activations, softmax, norms, embedding lookups and
position encodings are not counted.  This is what
:class:`torch.utils.flop_counter.FlopCounterMode` reports for the same forward pass
with ``attn_implementation="eager"``.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final, Literal, TypeAlias

from nlpguide import _check
from nlpguide._reference_configs import REFERENCE_CONFIGS

__all__ = [
    "DTYPES",
    "LORA_TARGET_MODULES",
    "OPTIONAL_KEYS",
    "SUPPORTED_MODEL_TYPES",
    "MemoryEstimate",
    "TrainingMemory",
    "counted_model_class",
    "flops_per_token",
    "forward_flops",
    "known_models",
    "load_config",
    "memory_estimate",
    "parameter_count",
    "reference_config",
]

#: What the functions accept as a model: a bundled name, a config mapping or a path.
ModelSpec: TypeAlias = "str | os.PathLike[str] | Mapping[str, object]"

#: ``model_type`` values the functions accept, by family.
SUPPORTED_MODEL_TYPES: Final = (
    "bert",
    "roberta",
    "albert",
    "electra",
    "distilbert",
    "t5",
    "mt5",
    "umt5",
    "bart",
    "mbart",
    "marian",
    "gpt2",
    "llama",
    "mistral",
    "qwen2",
    "gemma",
)

_LLAMA_FAMILY: Final = ("llama", "mistral", "qwen2", "gemma")
_T5_FAMILY: Final = ("t5", "mt5", "umt5")
_BART_FAMILY: Final = ("bart", "mbart", "marian")

#: Keys a config may leave out, per ``model_type``; each takes transformers' default.
OPTIONAL_KEYS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "bert": frozenset(),
        "roberta": frozenset(),
        "albert": frozenset({"num_hidden_groups", "inner_group_num"}),
        "electra": frozenset(),
        "distilbert": frozenset({"sinusoidal_pos_embds"}),
        **dict.fromkeys(
            _T5_FAMILY,
            frozenset(
                {
                    "num_decoder_layers",
                    "relative_attention_num_buckets",
                    "feed_forward_proj",
                    "tie_word_embeddings",
                }
            ),
        ),
        "bart": frozenset({"tie_word_embeddings"}),
        "mbart": frozenset({"tie_word_embeddings"}),
        "marian": frozenset(
            {"tie_word_embeddings", "decoder_vocab_size", "share_encoder_decoder_embeddings"}
        ),
        "gpt2": frozenset({"n_inner", "tie_word_embeddings"}),
        "llama": frozenset(
            {"num_key_value_heads", "head_dim", "tie_word_embeddings", "attention_bias", "mlp_bias"}
        ),
        "mistral": frozenset({"num_key_value_heads", "head_dim", "tie_word_embeddings"}),
        "qwen2": frozenset({"num_key_value_heads", "head_dim", "tie_word_embeddings"}),
        "gemma": frozenset(
            {"num_key_value_heads", "head_dim", "tie_word_embeddings", "attention_bias"}
        ),
    }
)

#: LoRA's "usual target modules" per ``model_type``: peft's own default
#: (``TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING``) where peft has one; for
#: albert, distilbert, umt5, mbart and marian, which peft leaves without a default, the
#: same choice (the attention's query and value projections) under their module names.
LORA_TARGET_MODULES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "bert": ("query", "value"),
        "roberta": ("query", "value"),
        "electra": ("query", "value"),
        "albert": ("query", "value"),
        "distilbert": ("q_lin", "v_lin"),
        "t5": ("q", "v"),
        "mt5": ("q", "v"),
        "umt5": ("q", "v"),
        "bart": ("q_proj", "v_proj"),
        "mbart": ("q_proj", "v_proj"),
        "marian": ("q_proj", "v_proj"),
        "gpt2": ("c_attn",),
        "llama": ("q_proj", "v_proj"),
        "mistral": ("q_proj", "v_proj"),
        "qwen2": ("q_proj", "v_proj"),
        "gemma": ("q_proj", "v_proj"),
    }
)

Dtype: TypeAlias = Literal["fp32", "fp16", "bf16"]
#: Data types :func:`memory_estimate` accepts, with their size in bytes.
DTYPES: Final[Mapping[str, int]] = MappingProxyType({"fp32": 4, "fp16": 2, "bf16": 2})
_DTYPE_ALIASES: Final = {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16"}
#: Storage formats reported in :attr:`MemoryEstimate.weights`, with bits per parameter.
_WEIGHT_BITS: Final = {"fp32": 32, "bf16": 16, "int8": 8, "int4": 4}
TrainingRecipe: TypeAlias = Literal["mixed", "pure"]
_RECIPES: Final = ("mixed", "pure")

# A config.json is a few kB; anything far larger is not one (and is not read whole).
_MAX_CONFIG_BYTES: Final = 4 * 2**20

# Which token rows a matrix multiplication runs over: the input (encoder) tokens,
# the target (decoder) tokens, or only the first token (the pooler).
_Rows = Literal["input", "target", "first"]


@dataclass(frozen=True)
class _Linear:
    name: str  # the module's own name, which peft's target_modules match
    fan_in: int
    fan_out: int
    rows: _Rows
    count: int  # module instances: what the parameters count
    bias: bool
    tied: bool = False  # the weight is another parameter: it costs FLOPs, not parameters
    calls: int | None = None  # applications per forward pass (ALBERT reuses its layers)


@dataclass(frozen=True)
class _Attention:
    heads: int
    head_dim: int
    queries: _Rows
    keys: _Rows
    count: int


@dataclass(frozen=True)
class _Architecture:
    model_type: str
    model_class: str
    encoder_decoder: bool
    linears: tuple[_Linear, ...]
    attentions: tuple[_Attention, ...]
    other_parameters: int  # embeddings, norms, relative-position tables
    frozen_parameters: int = 0  # of other_parameters: requires_grad=False
    # Cached key and value elements per token: the generating stack's self-attention,
    # and (encoder-decoders) the cross-attention per encoder token.
    kv_self: int = 0
    kv_cross: int = 0


class _Config:
    """Typed, validated reads from a ``config.json`` mapping."""

    def __init__(self, fields: Mapping[str, object], model_type: str) -> None:
        self.fields = fields
        self.model_type = model_type

    def dim(self, key: str, default: int | None = None) -> int:
        value = self.fields.get(key)
        if value is None:  # transformers reads an explicit null as "use the default"
            if default is None:
                raise ValueError(
                    f"config for model_type {self.model_type!r} is missing required key {key!r}"
                )
            return default
        return _check.integer(f"config[{key!r}]", value, minimum=1)

    def flag(self, key: str, default: bool) -> bool:
        value = self.fields.get(key)
        if value is None:
            return default
        return _check.boolean(f"config[{key!r}]", value)

    def reject(self, key: str) -> None:
        if self.flag(key, default=False):
            raise ValueError(
                f"config[{key!r}] is true; counting is only implemented for "
                f"{self.model_type!r} models without it"
            )

    def head_dim(self, width: int, heads: int, width_key: str, heads_key: str) -> int:
        if width % heads:
            raise ValueError(
                f"config[{width_key!r}]={width} must be a multiple of config[{heads_key!r}]={heads}"
            )
        return width // heads


# ------------------------------------------------------------------ encoders


def _bert_layers(h: int, ffn: int, layers: int, calls: int | None = None) -> tuple[_Linear, ...]:
    """One BERT-style block: query, key, value, attention output, intermediate, output."""
    return (
        *(_Linear(n, h, h, "input", layers, True, calls=calls) for n in ("query", "key", "value")),
        _Linear("dense", h, h, "input", layers, True, calls=calls),  # attention output
        _Linear("dense", h, ffn, "input", layers, True, calls=calls),  # intermediate
        _Linear("dense", ffn, h, "input", layers, True, calls=calls),  # output
    )


def _bert(c: _Config) -> _Architecture:
    h, layers = c.dim("hidden_size"), c.dim("num_hidden_layers")
    heads, ffn = c.dim("num_attention_heads"), c.dim("intermediate_size")
    vocab, positions = c.dim("vocab_size"), c.dim("max_position_embeddings")
    types = c.dim("type_vocab_size")
    c.reject("add_cross_attention")
    head_dim = c.head_dim(h, heads, "hidden_size", "num_attention_heads")
    embeddings = (vocab + positions + types) * h + 2 * h
    return _Architecture(
        model_type=c.model_type,
        model_class={"bert": "BertModel", "roberta": "RobertaModel"}[c.model_type],
        encoder_decoder=False,
        linears=(
            *_bert_layers(h, ffn, layers),
            _Linear("dense", h, h, "first", 1, True),  # the pooler sees [CLS] only
        ),
        attentions=(_Attention(heads, head_dim, "input", "input", layers),),
        other_parameters=embeddings + layers * 2 * (2 * h),
    )


def _electra(c: _Config) -> _Architecture:
    h, layers = c.dim("hidden_size"), c.dim("num_hidden_layers")
    heads, ffn = c.dim("num_attention_heads"), c.dim("intermediate_size")
    vocab, positions = c.dim("vocab_size"), c.dim("max_position_embeddings")
    types, e = c.dim("type_vocab_size"), c.dim("embedding_size")
    c.reject("add_cross_attention")
    head_dim = c.head_dim(h, heads, "hidden_size", "num_attention_heads")
    # Embeddings live in embedding_size and are projected up when it differs.
    project = (_Linear("embeddings_project", e, h, "input", 1, True),) if e != h else ()
    return _Architecture(
        model_type=c.model_type,
        model_class="ElectraModel",
        encoder_decoder=False,
        linears=(*project, *_bert_layers(h, ffn, layers)),
        attentions=(_Attention(heads, head_dim, "input", "input", layers),),
        other_parameters=(vocab + positions + types) * e + 2 * e + layers * 2 * (2 * h),
    )


def _albert(c: _Config) -> _Architecture:
    h, layers = c.dim("hidden_size"), c.dim("num_hidden_layers")
    heads, ffn = c.dim("num_attention_heads"), c.dim("intermediate_size")
    vocab, positions = c.dim("vocab_size"), c.dim("max_position_embeddings")
    types, e = c.dim("type_vocab_size"), c.dim("embedding_size")
    groups, inner = c.dim("num_hidden_groups", default=1), c.dim("inner_group_num", default=1)
    head_dim = c.head_dim(h, heads, "hidden_size", "num_attention_heads")
    # groups x inner distinct layers hold the parameters; each of the num_hidden_layers
    # steps runs one group, so a forward pass applies layers x inner of them.
    instances, calls = groups * inner, layers * inner
    block = (
        *(_Linear(n, h, h, "input", instances, True, calls=calls) for n in ("query", "key")),
        _Linear("value", h, h, "input", instances, True, calls=calls),
        _Linear("dense", h, h, "input", instances, True, calls=calls),
        _Linear("ffn", h, ffn, "input", instances, True, calls=calls),
        _Linear("ffn_output", ffn, h, "input", instances, True, calls=calls),
    )
    return _Architecture(
        model_type=c.model_type,
        model_class="AlbertModel",
        encoder_decoder=False,
        linears=(
            _Linear("embedding_hidden_mapping_in", e, h, "input", 1, True),
            *block,
            _Linear("pooler", h, h, "first", 1, True),
        ),
        attentions=(_Attention(heads, head_dim, "input", "input", calls),),
        other_parameters=(vocab + positions + types) * e + 2 * e + instances * 2 * (2 * h),
    )


def _distilbert(c: _Config) -> _Architecture:
    d, layers = c.dim("dim"), c.dim("n_layers")
    heads, ffn = c.dim("n_heads"), c.dim("hidden_dim")
    vocab, positions = c.dim("vocab_size"), c.dim("max_position_embeddings")
    sinusoidal = c.flag("sinusoidal_pos_embds", default=False)
    head_dim = c.head_dim(d, heads, "dim", "n_heads")
    # Sinusoidal position embeddings are still a parameter tensor, frozen.
    embeddings = (vocab + positions) * d + 2 * d
    return _Architecture(
        model_type=c.model_type,
        model_class="DistilBertModel",
        encoder_decoder=False,
        linears=(
            *(_Linear(n, d, d, "input", layers, True) for n in ("q_lin", "k_lin", "v_lin")),
            _Linear("out_lin", d, d, "input", layers, True),
            _Linear("lin1", d, ffn, "input", layers, True),
            _Linear("lin2", ffn, d, "input", layers, True),
        ),
        attentions=(_Attention(heads, head_dim, "input", "input", layers),),
        other_parameters=embeddings + layers * 2 * (2 * d),
        frozen_parameters=positions * d if sinusoidal else 0,
    )


# ------------------------------------------------------------ encoder-decoders


def _t5_gated(c: _Config) -> bool:
    proj = c.fields.get("feed_forward_proj")
    if proj is None:
        proj = "relu" if c.model_type == "t5" else "gated-gelu"
    proj = _check.instance("config['feed_forward_proj']", proj, str)
    parts = proj.split("-")
    if not all(parts) or len(parts) > 2 or (len(parts) == 2 and parts[0] != "gated"):
        raise ValueError(
            f"config['feed_forward_proj'] must look like 'relu' or 'gated-gelu', got {proj!r}"
        )
    return len(parts) == 2


def _t5(c: _Config) -> _Architecture:
    d, d_ff, d_kv = c.dim("d_model"), c.dim("d_ff"), c.dim("d_kv")
    heads, vocab = c.dim("num_heads"), c.dim("vocab_size")
    enc = c.dim("num_layers")
    dec = c.dim("num_decoder_layers", default=enc)
    buckets = c.dim("relative_attention_num_buckets", default=32)
    tied = c.flag("tie_word_embeddings", default=True)
    wi = ("wi_0", "wi_1") if _t5_gated(c) else ("wi",)
    inner = heads * d_kv
    # T5 and mT5 give the first block of each stack the relative-position table; UMT5
    # gives one to every self-attention.  Norms have a weight only (RMS norm).
    tables = enc + dec if c.model_type == "umt5" else 2
    other = vocab * d + tables * buckets * heads + (2 * enc + 1) * d + (3 * dec + 1) * d

    def attention(rows: _Rows, kv_rows: _Rows, n: int) -> tuple[_Linear, ...]:
        return (
            _Linear("q", d, inner, rows, n, False),
            _Linear("k", d, inner, kv_rows, n, False),
            _Linear("v", d, inner, kv_rows, n, False),
            _Linear("o", inner, d, rows, n, False),
        )

    def ffn(rows: _Rows, n: int) -> tuple[_Linear, ...]:
        up = tuple(_Linear(name, d, d_ff, rows, n, False) for name in wi)
        return (*up, _Linear("wo", d_ff, d, rows, n, False))

    classes = {"t5": "T5", "mt5": "MT5", "umt5": "UMT5"}
    return _Architecture(
        model_type=c.model_type,
        model_class=f"{classes[c.model_type]}ForConditionalGeneration",
        encoder_decoder=True,
        linears=(
            *attention("input", "input", enc),
            *ffn("input", enc),
            *attention("target", "target", dec),
            *attention("target", "input", dec),  # cross-attention: keys from the encoder
            *ffn("target", dec),
            _Linear("lm_head", d, vocab, "target", 1, False, tied=tied),
        ),
        attentions=(
            _Attention(heads, d_kv, "input", "input", enc),
            _Attention(heads, d_kv, "target", "target", dec),
            _Attention(heads, d_kv, "target", "input", dec),
        ),
        other_parameters=other,
        kv_self=2 * dec * inner,
        kv_cross=2 * dec * inner,
    )


def _bart(c: _Config) -> _Architecture:
    d, vocab, positions = c.dim("d_model"), c.dim("vocab_size"), c.dim("max_position_embeddings")
    enc, dec = c.dim("encoder_layers"), c.dim("decoder_layers")
    enc_heads, dec_heads = c.dim("encoder_attention_heads"), c.dim("decoder_attention_heads")
    enc_ffn, dec_ffn = c.dim("encoder_ffn_dim"), c.dim("decoder_ffn_dim")
    tied = c.flag("tie_word_embeddings", default=True)
    enc_hd = c.head_dim(d, enc_heads, "d_model", "encoder_attention_heads")
    dec_hd = c.head_dim(d, dec_heads, "d_model", "decoder_attention_heads")
    frozen = 0
    target_vocab = vocab
    if c.model_type == "marian":
        shared = c.flag("share_encoder_decoder_embeddings", default=True)
        target_vocab = c.dim("decoder_vocab_size", default=vocab)
        if shared and target_vocab != vocab:
            raise ValueError(
                f"config['decoder_vocab_size']={target_vocab} must equal "
                f"config['vocab_size']={vocab} when share_encoder_decoder_embeddings is true"
            )
        # Shared: one table (untied, encoder and decoder get their own as well).  Not
        # shared: the encoder's and the decoder's, which lm_head may tie to.
        token_tables = vocab * d * (1 if tied else 3) if shared else (vocab + target_vocab) * d
        # Sinusoidal positions, no offset: a frozen parameter tensor in each stack.
        frozen = 2 * positions * d
        embeddings = token_tables + frozen
        norms = enc * 2 * (2 * d) + dec * 3 * (2 * d)
        model_class = "MarianMTModel"
    else:
        # Untied, transformers 5 gives the encoder and decoder their own token tables too.
        token_tables = vocab * d * (1 if tied else 3)
        # Learned positions are offset by 2 (a fairseq legacy), in each stack, and each
        # stack normalises its embeddings; mBART also normalises each stack's output.
        final_norms = 2 * (2 * d) if c.model_type == "mbart" else 0
        embeddings = token_tables + 2 * (positions + 2) * d + 2 * (2 * d) + final_norms
        norms = enc * 2 * (2 * d) + dec * 3 * (2 * d)
        model_class = {"bart": "Bart", "mbart": "MBart"}[c.model_type] + "ForConditionalGeneration"

    def attention(rows: _Rows, kv_rows: _Rows, n: int) -> tuple[_Linear, ...]:
        return (
            _Linear("q_proj", d, d, rows, n, True),
            _Linear("k_proj", d, d, kv_rows, n, True),
            _Linear("v_proj", d, d, kv_rows, n, True),
            _Linear("out_proj", d, d, rows, n, True),
        )

    return _Architecture(
        model_type=c.model_type,
        model_class=model_class,
        encoder_decoder=True,
        linears=(
            *attention("input", "input", enc),
            _Linear("fc1", d, enc_ffn, "input", enc, True),
            _Linear("fc2", enc_ffn, d, "input", enc, True),
            *attention("target", "target", dec),
            *attention("target", "input", dec),  # cross-attention: keys from the encoder
            _Linear("fc1", d, dec_ffn, "target", dec, True),
            _Linear("fc2", dec_ffn, d, "target", dec, True),
            _Linear("lm_head", d, target_vocab, "target", 1, False, tied=tied),
        ),
        attentions=(
            _Attention(enc_heads, enc_hd, "input", "input", enc),
            _Attention(dec_heads, dec_hd, "target", "target", dec),
            _Attention(dec_heads, dec_hd, "target", "input", dec),
        ),
        other_parameters=embeddings + norms,
        frozen_parameters=frozen,
        kv_self=2 * dec * d,
        kv_cross=2 * dec * d,
    )


# ------------------------------------------------------------------ decoders


def _gpt2(c: _Config) -> _Architecture:
    d, layers, heads = c.dim("n_embd"), c.dim("n_layer"), c.dim("n_head")
    vocab, positions = c.dim("vocab_size"), c.dim("n_positions")
    ffn = c.dim("n_inner", default=4 * d)
    tied = c.flag("tie_word_embeddings", default=True)
    c.reject("add_cross_attention")
    head_dim = c.head_dim(d, heads, "n_embd", "n_head")
    return _Architecture(
        model_type=c.model_type,
        model_class="GPT2LMHeadModel",
        encoder_decoder=False,
        linears=(
            _Linear("c_attn", d, 3 * d, "input", layers, True),  # fused q, k, v
            _Linear("c_proj", d, d, "input", layers, True),
            _Linear("c_fc", d, ffn, "input", layers, True),
            _Linear("c_proj", ffn, d, "input", layers, True),
            _Linear("lm_head", d, vocab, "input", 1, False, tied=tied),
        ),
        attentions=(_Attention(heads, head_dim, "input", "input", layers),),
        other_parameters=(vocab + positions) * d + layers * 2 * (2 * d) + 2 * d,
        kv_self=2 * layers * d,
    )


# transformers' class defaults for the LLaMA family: (num_key_value_heads, head_dim,
# tie_word_embeddings); None means "derived": the number of heads, hidden_size / heads.
_LLAMA_DEFAULTS: Final[dict[str, tuple[int | None, int | None, bool]]] = {
    "llama": (None, None, False),
    "mistral": (8, None, False),
    "qwen2": (32, None, False),
    "gemma": (16, 256, True),
}


def _llama(c: _Config) -> _Architecture:
    h, layers = c.dim("hidden_size"), c.dim("num_hidden_layers")
    heads, ffn, vocab = (
        c.dim("num_attention_heads"),
        c.dim("intermediate_size"),
        c.dim("vocab_size"),
    )
    kv_default, head_dim_default, tie_default = _LLAMA_DEFAULTS[c.model_type]
    kv_heads = c.dim("num_key_value_heads", default=kv_default or heads)
    # As the config classes: an explicit head_dim frees hidden_size from being a multiple
    # of the number of heads.
    if c.fields.get("head_dim") is None and head_dim_default is None:
        head_dim = c.head_dim(h, heads, "hidden_size", "num_attention_heads")
    else:
        head_dim = c.dim("head_dim", default=head_dim_default)
    if heads % kv_heads:
        raise ValueError(
            f"config['num_attention_heads']={heads} must be a multiple of "
            f"config['num_key_value_heads']={kv_heads}"
        )
    # Qwen2 always biases q, k and v (never o); Mistral and Qwen2 have no switch for it.
    has_switch = c.model_type in ("llama", "gemma")
    attn_bias = c.flag("attention_bias", False) if has_switch else False
    qkv_bias = attn_bias or c.model_type == "qwen2"
    mlp_bias = c.flag("mlp_bias", False) if c.model_type == "llama" else False
    tied = c.flag("tie_word_embeddings", default=tie_default)
    q, kv = heads * head_dim, kv_heads * head_dim
    classes = {"llama": "Llama", "mistral": "Mistral", "qwen2": "Qwen2", "gemma": "Gemma"}
    return _Architecture(
        model_type=c.model_type,
        model_class=f"{classes[c.model_type]}ForCausalLM",
        encoder_decoder=False,
        linears=(
            _Linear("q_proj", h, q, "input", layers, qkv_bias),
            _Linear("k_proj", h, kv, "input", layers, qkv_bias),
            _Linear("v_proj", h, kv, "input", layers, qkv_bias),
            _Linear("o_proj", q, h, "input", layers, attn_bias),
            _Linear("gate_proj", h, ffn, "input", layers, mlp_bias),
            _Linear("up_proj", h, ffn, "input", layers, mlp_bias),
            _Linear("down_proj", ffn, h, "input", layers, mlp_bias),
            _Linear("lm_head", h, vocab, "input", 1, False, tied=tied),
        ),
        # Grouped K/V heads are repeated, so every query head does its own matmuls.
        attentions=(_Attention(heads, head_dim, "input", "input", layers),),
        other_parameters=vocab * h + (2 * layers + 1) * h,  # RMS norms: weight only
        kv_self=2 * layers * kv,  # the cache holds the grouped heads only
    )


_BUILDERS: Final[dict[str, Callable[[_Config], _Architecture]]] = {
    "bert": _bert,
    "roberta": _bert,
    "albert": _albert,
    "electra": _electra,
    "distilbert": _distilbert,
    **dict.fromkeys(_T5_FAMILY, _t5),
    **dict.fromkeys(_BART_FAMILY, _bart),
    "gpt2": _gpt2,
    **dict.fromkeys(_LLAMA_FAMILY, _llama),
}


# ------------------------------------------------------------- names and paths


def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name in REFERENCE_CONFIGS:
        index[name.casefold()] = name
        index[name.rpartition("/")[2].casefold()] = name
    return index


_NAME_INDEX: Final = _name_index()


def known_models() -> tuple[str, ...]:
    """The hub names of the bundled reference configs.

    Each is also accepted without its owner (``"t5-small"``), in any case.

    >>> "google-bert/bert-base-uncased" in known_models()
    True
    """
    return tuple(REFERENCE_CONFIGS)


def _unknown_name(name: str) -> ValueError:
    key = name.strip().casefold()
    close = difflib.get_close_matches(key, _NAME_INDEX, n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(_NAME_INDEX[c] for c in close)}?)" if close else ""
    return ValueError(
        f"unknown model {name!r}{hint}; known models: {', '.join(REFERENCE_CONFIGS)}; "
        "or pass a config dict or the path of a config.json (no such file or folder exists)"
    )


def reference_config(name: str) -> dict[str, object]:
    """A copy of the bundled config fields for the model *name*.

    >>> reference_config("T5-Small")["d_model"]
    512
    """
    _check.instance("name", name, str)
    key = name.strip().casefold()
    if key not in _NAME_INDEX:
        raise _unknown_name(name)
    return dict(REFERENCE_CONFIGS[_NAME_INDEX[key]])


def load_config(path: str | os.PathLike[str]) -> dict[str, object]:
    """The fields of a Hugging Face ``config.json``, given its path or its folder's.

    Unreadable files, invalid JSON and JSON that is not an object raise
    :class:`ValueError` naming the path.

    >>> import json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    >>> load_config(folder)
    {'model_type': 'gpt2'}
    """
    _check.instance("path", path, (str, os.PathLike))
    file = Path(path)
    if "\x00" in str(file):  # the OS cannot even look such a name up
        raise ValueError(f"cannot read config {str(file)!r}: the path holds a NUL character")
    try:
        if file.is_dir():
            file = file / "config.json"
        # Only a regular file: a device or a pipe could block or never end.
        if not file.is_file():
            reason = "no such file" if not file.exists() else "not a regular file"
            raise ValueError(f"cannot read config {str(file)!r}: {reason}")
        with file.open("rb") as stream:
            raw = stream.read(_MAX_CONFIG_BYTES + 1)
        if len(raw) > _MAX_CONFIG_BYTES:
            raise ValueError(
                f"config {str(file)!r} is larger than {_MAX_CONFIG_BYTES:,} bytes: "
                "not a config.json"
            )
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ValueError(f"cannot read config {str(file)!r}: {reason}") from None
    try:
        fields = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"config {str(file)!r} is not valid JSON: {err}") from None
    if not isinstance(fields, dict):  # a bad file is a bad value, whatever its JSON type
        raise ValueError(  # noqa: TRY004
            f"config {str(file)!r} must hold a JSON object, got {type(fields).__name__}"
        )
    return fields


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except (OSError, ValueError):  # a name too long, or with a NUL: no such file
        return False


def _expanded(text: str) -> str:
    try:
        return str(Path(text).expanduser())
    except (RuntimeError, ValueError):  # no home folder to expand "~" to, or a NUL
        return text


def _looks_like_path(text: str) -> bool:
    # Hub names are "name" or "owner/name"; anything else with a separator is a path.
    separators = text.count("/") + (text.count(os.sep) if os.sep != "/" else 0)
    return text.startswith((".", "/", "~")) or text.endswith(".json") or separators > 1


def _fields(model: object) -> Mapping[str, object]:
    if isinstance(model, Mapping):
        return model
    if isinstance(model, os.PathLike):
        return load_config(model)
    if isinstance(model, str):
        key = model.strip().casefold()
        if key in _NAME_INDEX:  # a bundled name wins: pass a Path to read such a folder
            return REFERENCE_CONFIGS[_NAME_INDEX[key]]
        path = _expanded(model)
        if model and _exists(path):
            return load_config(path)
        if _looks_like_path(model):
            raise ValueError(f"no such config file or folder: {model!r}")
        raise _unknown_name(model)
    raise TypeError(
        "expected a model name (str), a config mapping or a path to a config.json, "
        f"got {type(model).__name__}"
    )


def _architecture(model: object) -> _Architecture:
    fields = _fields(model)
    model_type = fields.get("model_type")
    if model_type is None:
        raise ValueError("config is missing required key 'model_type'")
    model_type = _check.instance("config['model_type']", model_type, str)
    builder = _BUILDERS.get(model_type)
    if builder is None:
        raise ValueError(
            f"unsupported model_type {model_type!r}; supported: {', '.join(SUPPORTED_MODEL_TYPES)}"
        )
    return builder(_Config(fields, model_type))


# ------------------------------------------------------------------- counts


def counted_model_class(model: ModelSpec) -> str:
    """The transformers class whose parameters :func:`parameter_count` counts.

    >>> counted_model_class("gpt2")
    'GPT2LMHeadModel'
    >>> counted_model_class({"model_type": "t5", "d_model": 64, "d_ff": 128, "d_kv": 16,
    ...                      "num_heads": 4, "num_layers": 2, "vocab_size": 100})
    'T5ForConditionalGeneration'
    """
    return _architecture(model).model_class


def _parameters(arch: _Architecture) -> int:
    linear = sum(
        lin.count * (lin.fan_in * lin.fan_out * (not lin.tied) + lin.fan_out * lin.bias)
        for lin in arch.linears
    )
    return arch.other_parameters + linear


def parameter_count(model: ModelSpec) -> int:
    """Count the parameters of a model from its config, without building it.

    *model* is a name from :func:`known_models` (with or without its owner, any case),
    a mapping with ``model_type`` and that type's size keys, spelled as in
    ``config.json``, or the path of a ``config.json`` or of its folder (a
    :class:`str` that names a bundled model is read as the name).  See the module
    docstring for the class counted and the keys that may be left out.

    >>> parameter_count("t5-small")
    60506624
    >>> parameter_count("meta-llama/Llama-2-7b-hf")
    6738415616
    >>> parameter_count({"model_type": "gpt2", "n_embd": 64, "n_layer": 2, "n_head": 4,
    ...                  "vocab_size": 1000, "n_positions": 128})
    172288
    """
    return _parameters(_architecture(model))


def _token_rows(arch: _Architecture, tokens: object, target_tokens: object) -> dict[_Rows, int]:
    n_input = _check.integer("tokens", tokens, minimum=1)
    if target_tokens is None:
        n_target = n_input
    elif not arch.encoder_decoder:
        raise ValueError(
            f"target_tokens only applies to encoder-decoder models, not {arch.model_class}"
        )
    else:
        n_target = _check.integer("target_tokens", target_tokens, minimum=1)
    return {"input": n_input, "target": n_target, "first": 1}


def forward_flops(model: ModelSpec, tokens: int, *, target_tokens: int | None = None) -> int:
    """FLOPs of one forward pass over *tokens* tokens (batch of one).

    Counts 2 FLOPs per multiply-accumulate of every matrix multiplication: the
    linear layers (LM head and pooler included) and each head's ``Q @ K^T`` and
    ``weights @ V`` over the full (unmasked) square; see the module docstring.  For
    encoder-decoders *tokens* is the encoder length and *target_tokens* the decoder
    length (default: the same).  *model* is as for :func:`parameter_count`.

    >>> f"{forward_flops('bert-base-uncased', 128) / 1e9:.1f} GFLOPs"
    '22.3 GFLOPs'
    >>> forward_flops("t5-small", 64, target_tokens=16) < forward_flops("t5-small", 64)
    True
    """
    arch = _architecture(model)
    rows = _token_rows(arch, tokens, target_tokens)
    linear = sum(
        2
        * (lin.count if lin.calls is None else lin.calls)
        * rows[lin.rows]
        * lin.fan_in
        * lin.fan_out
        for lin in arch.linears
    )
    # Two matmuls per head: scores = Q @ K^T, then scores @ V.
    attention = sum(
        2 * 2 * a.count * a.heads * rows[a.queries] * rows[a.keys] * a.head_dim
        for a in arch.attentions
    )
    return linear + attention


def flops_per_token(model: ModelSpec, tokens: int, *, target_tokens: int | None = None) -> float:
    """Average forward FLOPs per processed token: :func:`forward_flops` over the token count.

    Encoder-decoders process ``tokens + target_tokens`` tokens.  Away from very
    long contexts this is close to the rule of thumb ``2 x parameters``, less
    the embedding tables that no matmul touches.

    >>> round(flops_per_token("gpt2", 1) / parameter_count("gpt2"), 1)
    2.0
    """
    arch = _architecture(model)
    rows = _token_rows(arch, tokens, target_tokens)
    processed = rows["input"] + (rows["target"] if arch.encoder_decoder else 0)
    try:
        return forward_flops(model, tokens, target_tokens=target_tokens) / processed
    except OverflowError:  # the exact int count is fine, its float is not
        raise ValueError(
            "the FLOPs per token are too large for a float (above 1.8e308); use forward_flops "
            "for the exact count"
        ) from None


# ------------------------------------------------------------------- memory


@dataclass(frozen=True)
class TrainingMemory:
    """Memory a training step holds for the parameters: weights, gradients, AdamW moments.

    All sizes are in bytes.  ``weights`` covers every parameter (frozen ones too);
    ``gradients`` and ``optimizer`` (AdamW's two moments) only the
    ``trainable_parameters``.

    >>> m = memory_estimate("gpt2", dtype="fp32", batch=1, seq_len=8).full_finetune
    >>> m.total == m.weights + m.gradients + m.optimizer == 16 * m.trainable_parameters
    True
    """

    trainable_parameters: int
    weights: int
    gradients: int
    optimizer: int

    @property
    def total(self) -> int:
        """``weights + gradients + optimizer``, in bytes."""
        return self.weights + self.gradients + self.optimizer


@dataclass(frozen=True)
class MemoryEstimate:
    """What :func:`memory_estimate` returns; every size is in bytes.

    ``weights`` maps ``"fp32"``, ``"bf16"`` (also fp16's size), ``"int8"`` and
    ``"int4"`` to the bytes of all parameters stored that way.  ``kv_cache_per_token``
    is the key/value cache one token adds, in ``dtype`` (0 for encoders, which keep no
    cache); ``kv_cache`` the cache for ``batch`` sequences of ``seq_len`` tokens.
    ``inference`` is ``weights[dtype] + kv_cache``.  ``full_finetune`` is the training
    memory of a full fine-tune with AdamW; ``lora`` that of LoRA of rank ``lora_rank``
    on ``lora_targets``, or ``None`` without a rank.
    """

    model_class: str
    parameters: int
    dtype: str
    batch: int
    seq_len: int
    weights: Mapping[str, int]
    kv_cache_per_token: int
    kv_cache: int
    full_finetune: TrainingMemory
    training: str
    lora_rank: int | None = None
    lora_targets: tuple[str, ...] = ()
    lora: TrainingMemory | None = field(default=None)

    @property
    def inference(self) -> int:
        """Weights in ``dtype`` plus the KV cache, in bytes."""
        return self.weights[self.dtype if self.dtype == "fp32" else "bf16"] + self.kv_cache


def _lora_parameters(arch: _Architecture, rank: int, targets: Sequence[str]) -> int:
    wanted = set(targets)
    found = {lin.name for lin in arch.linears}
    missing = sorted(wanted - found)
    if missing:
        raise ValueError(
            f"lora_targets {missing} name no linear layer of {arch.model_class}; its layers: "
            f"{', '.join(sorted(found))}"
        )
    # Each adapted layer gains A (rank x fan_in) and B (fan_out x rank).
    return sum(
        lin.count * rank * (lin.fan_in + lin.fan_out) for lin in arch.linears if lin.name in wanted
    )


def _training(parameters: int, trainable: int, dtype: str, recipe: str) -> TrainingMemory:
    # "mixed" is automatic mixed precision: fp32 weights, gradients and moments, with
    # dtype only for the (transient) casts autocast makes; "pure" keeps all in dtype.
    width = DTYPES[dtype] if recipe == "pure" else 4
    return TrainingMemory(trainable, parameters * width, trainable * width, 2 * trainable * width)


def memory_estimate(
    model: ModelSpec,
    *,
    dtype: str,
    batch: int,
    seq_len: int,
    training: TrainingRecipe | None = None,
    lora_rank: int | None = None,
    lora_targets: Sequence[str] | None = None,
) -> MemoryEstimate:
    """Memory for the weights, the KV cache, and a training step, from the config alone.

    *model* is as for :func:`parameter_count`.  *dtype* (``"fp32"``, ``"bf16"`` or
    ``"fp16"``; ``"float32"`` etc. also) is the precision the model runs in: it sizes
    the KV cache, :attr:`MemoryEstimate.inference` and the training figures.  The KV
    cache holds, per token and layer, one key and one value per *key/value* head (so
    grouped-query attention caches ``num_key_value_heads``, not every head); for
    encoder-decoders it is the decoder's self-attention cache over ``seq_len`` target
    tokens plus its cross-attention cache over ``seq_len`` encoder tokens.  Encoders
    keep no cache.

    Training memory, for a full fine-tune and for LoRA, counts AdamW on the trainable
    parameters.  ``training="mixed"`` (the default, also spelled ``None``) is automatic
    mixed precision, as ``torch.autocast`` and transformers' ``Trainer(bf16=True)`` run
    it: weights, gradients and both moments stay in fp32 (4 + 4 + 8 = 16 bytes a
    parameter) and *dtype* only names the compute casts.  ``training="pure"`` keeps weights, gradients
    and both moments in *dtype* (4 x its width: 8 bytes a parameter in bf16).  For LoRA
    the base weights are frozen in *dtype* (no gradients, no moments) and the adapters
    are trained under the same recipe (peft keeps adapters in fp32, which is "mixed").
    LoRA of rank *lora_rank* adapts every linear layer named in *lora_targets*
    (default: ``LORA_TARGET_MODULES``, peft's own choice), adding
    ``rank x (fan_in + fan_out)`` parameters to each, as peft does with ``bias="none"``.

    **Not included:** activations (they grow with batch and sequence, and depend on
    checkpointing and the attention kernel), temporary buffers, the framework's and the
    allocator's overhead, the CUDA context (several hundred MB per GPU), quantisation
    scales and zero points (``int8``/``int4`` are bare ``bits / 8`` per parameter), and
    non-parameter buffers (position ids, rotary frequencies, BART's
    ``final_logits_bias``).  Expect a real run to need more.

    **Against accelerate.**  ``accelerate estimate-memory`` builds the model with
    ``init_empty_weights`` and adds up its tensors; offline, on the same class, its fp32
    "Total Size" equals ``weights["fp32"]`` plus two things this function leaves out:
    each tied table counted again (``init_empty_weights`` re-creates parameters as they
    are registered, so the LM head and the token tables transformers ties come apart:
    one more vocabulary table for GPT-2, Gemma or Qwen2-0.5B, three for T5 and BART),
    and the buffers.  Its fp32 "Training using Adam" is 4 x its total, as here (16
    bytes a parameter).  Its command line also measures the base ``AutoModel`` (no LM
    head, so an untied head such as Llama-2's is missing), and for fp16/bf16 it reports
    the largest single component of mixed-precision training (the fp32 moments, 2 x the
    fp32 size), where this function adds the components up.

    >>> m = memory_estimate("Llama-2-7b-hf", dtype="bf16", batch=1, seq_len=4096,
    ...                     lora_rank=8)
    >>> f"{m.weights['bf16'] / 2**30:.1f} GiB", f"{m.kv_cache_per_token / 2**10:.0f} KiB"
    ('12.6 GiB', '512 KiB')
    >>> m.full_finetune.total / m.parameters, m.lora.trainable_parameters
    (16.0, 4194304)
    >>> memory_estimate("bert-base-uncased", dtype="fp32", batch=8, seq_len=128).kv_cache
    0
    """
    arch = _architecture(model)
    _check.instance("dtype", dtype, str)
    key = _DTYPE_ALIASES.get(dtype, dtype)
    checked_dtype = _check.choice("dtype", key, tuple(DTYPES))
    n_batch = _check.integer("batch", batch, minimum=1)
    n_seq = _check.integer("seq_len", seq_len, minimum=1)
    recipe = "mixed" if training is None else _check.choice("training", training, _RECIPES)
    rank = None if lora_rank is None else _check.integer("lora_rank", lora_rank, minimum=1)
    if lora_targets is None:
        targets = LORA_TARGET_MODULES[arch.model_type]
    else:
        names = _check.strings("lora_targets", lora_targets)
        targets = tuple(_check.text("each of lora_targets", t) for t in names)
        if not targets:
            raise ValueError("lora_targets must name at least one module")
    parameters = _parameters(arch)
    width = DTYPES[checked_dtype]
    per_token = (arch.kv_self + arch.kv_cross) * width
    lora = None
    if rank is not None:
        adapters = _lora_parameters(arch, rank, targets)
        adapter_memory = _training(adapters, adapters, checked_dtype, recipe)
        lora = TrainingMemory(
            adapters,
            parameters * width + adapter_memory.weights,
            adapter_memory.gradients,
            adapter_memory.optimizer,
        )
    return MemoryEstimate(
        model_class=arch.model_class,
        parameters=parameters,
        dtype=checked_dtype,
        batch=n_batch,
        seq_len=n_seq,
        weights=MappingProxyType(
            {fmt: -(-parameters * bits // 8) for fmt, bits in _WEIGHT_BITS.items()}
        ),
        kv_cache_per_token=per_token,
        kv_cache=n_batch * n_seq * per_token,
        full_finetune=_training(
            parameters, parameters - arch.frozen_parameters, checked_dtype, recipe
        ),
        training=recipe,
        lora_rank=rank,
        lora_targets=targets if rank is not None else (),
        lora=lora,
    )
