"""Choosing the model: which architecture for which task, and what it costs.

The guide's quick-reference table is data here (:data:`QUICK_REFERENCE`), rendered
for the docs and the command line by :func:`render_table`.  :func:`recommend`
maps a task described in plain words ("spam detection", "Q&A") to a row of that
table, and :func:`parameter_count` / :func:`forward_flops` give closed-form sizes
and costs for a bundled model name or any ``config.json`` dict.

Only the standard library is imported, never numpy, torch or transformers, so
``nlpguide table`` answers at once.

>>> recommend("spam detection").architecture
'encoder'
>>> f"{parameter_count('bert-base-uncased'):,}"
'109,482,240'

**What is counted.**  :func:`parameter_count` counts the parameters of the model
class a checkpoint is usually published for, each tied tensor once:

========================  ==================================================
``model_type``            class counted
========================  ==================================================
``bert``                  ``BertModel`` (embeddings, encoder, pooler)
``distilbert``            ``DistilBertModel`` (no pooler)
``t5``                    ``T5ForConditionalGeneration``
``bart``                  ``BartForConditionalGeneration``
``gpt2``                  ``GPT2LMHeadModel``
``llama``                 ``LlamaForCausalLM``
========================  ==================================================

The LM head is counted unless ``tie_word_embeddings`` ties it to the input
embeddings.  The result equals ``sum(p.numel() for p in model.parameters())``
for that class instantiated from the config by transformers 5, with one
exception: for T5 with ``tie_word_embeddings=False`` (T5 v1.1, flan-T5)
transformers 5 builds a tied model and unties ``lm_head`` only when it loads a
checkpoint, and this module counts the loaded, untied model.  (An untied BART
also gets separate encoder and decoder token tables, as in transformers 5.)

**What a FLOP is.**  :func:`forward_flops` counts 2 FLOPs per multiply-accumulate
of every matrix multiplication in one forward pass over a batch of one: the
linear layers (including the LM head, and BERT's pooler, which sees one token)
and, per attention head, ``Q @ K^T`` and ``softmax @ V`` over the full square
(masked positions are computed, then discarded).  Bias additions, activations,
softmax, norms, embedding lookups and position encodings are not counted.  This
is what :class:`torch.utils.flop_counter.FlopCounterMode` reports for the same
forward pass with ``attn_implementation="eager"``.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from nlpguide._reference_configs import REFERENCE_CONFIGS

__all__ = [
    "ARCHITECTURES",
    "QUICK_REFERENCE",
    "SUPPORTED_MODEL_TYPES",
    "TABLE_FORMATS",
    "TABLE_HEADERS",
    "QuickReferenceRow",
    "Recommendation",
    "counted_model_class",
    "flops_per_token",
    "forward_flops",
    "known_models",
    "known_tasks",
    "parameter_count",
    "recommend",
    "reference_config",
    "render_table",
]

Architecture = Literal["encoder", "encoder-decoder", "decoder"]
TableFormat = Literal["markdown", "html", "text"]

#: The three transformer families, in the order the guide introduces them.
ARCHITECTURES: Final[tuple[Architecture, ...]] = ("encoder", "encoder-decoder", "decoder")
#: Column headers of the quick-reference table.
TABLE_HEADERS: Final = ("Task", "Best model", "Why", "Architecture")
#: Formats :func:`render_table` can produce.
TABLE_FORMATS: Final[tuple[TableFormat, ...]] = ("markdown", "html", "text")


def _check_cell(field: str, value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str, got {type(value).__name__}")
    # One printable line, so every renderer can lay it out without loss.
    if not value.strip() or not value.isprintable():
        raise ValueError(f"{field} must be non-empty printable text on one line, got {value!r}")


@dataclass(frozen=True)
class QuickReferenceRow:
    """One row of the quick-reference table: a task and the models that suit it.

    >>> row = QuickReferenceRow("NER", ("BERT", "SpaCy"), "Token-level understanding", "encoder")
    >>> row.best_model
    'BERT / SpaCy'
    """

    task: str
    models: tuple[str, ...]
    why: str
    architecture: Architecture

    def __post_init__(self) -> None:
        _check_cell("task", self.task)
        _check_cell("why", self.why)
        if not isinstance(self.models, tuple):
            raise TypeError(f"models must be a tuple of str, got {type(self.models).__name__}")
        if not self.models:
            raise ValueError("models must name at least one model")
        for model in self.models:
            _check_cell("each model", model)
        if self.architecture not in ARCHITECTURES:
            raise ValueError(
                f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}"
            )

    @property
    def best_model(self) -> str:
        """The models as the table's "Best model" cell shows them.

        >>> QUICK_REFERENCE[2].best_model
        'T5 / BART'
        """
        return " / ".join(self.models)

    def cells(self) -> tuple[str, str, str, str]:
        """The row's cells, in the order of :data:`TABLE_HEADERS`.

        >>> QUICK_REFERENCE[0].cells()
        ('Classification', 'BERT', 'Bidirectional context', 'encoder')
        """
        return (self.task, self.best_model, self.why, self.architecture)


#: The lesson's quick-reference table: which model family for which task.
QUICK_REFERENCE: Final[tuple[QuickReferenceRow, ...]] = (
    QuickReferenceRow("Classification", ("BERT",), "Bidirectional context", "encoder"),
    QuickReferenceRow("NER", ("BERT", "SpaCy"), "Token-level understanding", "encoder"),
    QuickReferenceRow(
        "Summarization", ("T5", "BART"), "Encoder-decoder structure", "encoder-decoder"
    ),
    QuickReferenceRow("Chat / QA", ("GPT", "LLaMA"), "Autoregressive generation", "decoder"),
    QuickReferenceRow("Translation", ("T5", "mBART"), "Cross-lingual transfer", "encoder-decoder"),
)


def _markdown_cell(text: str) -> str:
    # Escape the escape character first, so an escaped pipe stays unambiguous.
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _render_markdown(rows: Sequence[QuickReferenceRow]) -> str:
    lines = [
        "| " + " | ".join(TABLE_HEADERS) + " |",
        "| " + " | ".join("---" for _ in TABLE_HEADERS) + " |",
    ]
    lines += ["| " + " | ".join(map(_markdown_cell, row.cells())) + " |" for row in rows]
    return "\n".join(lines)


def _render_html(rows: Sequence[QuickReferenceRow]) -> str:
    def tr(tag: str, cells: Sequence[str]) -> str:
        return "<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells) + "</tr>"

    head = ["<table>", "<thead>", tr("th", TABLE_HEADERS), "</thead>", "<tbody>"]
    body = [tr("td", row.cells()) for row in rows]
    return "\n".join([*head, *body, "</tbody>", "</table>"])


def _render_text(rows: Sequence[QuickReferenceRow]) -> str:
    table = [TABLE_HEADERS, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(TABLE_HEADERS))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(table[0]), line(["-" * w for w in widths]), *map(line, table[1:])])


_RENDERERS: Final[dict[str, Callable[[Sequence[QuickReferenceRow]], str]]] = {
    "markdown": _render_markdown,
    "html": _render_html,
    "text": _render_text,
}


def render_table(
    fmt: TableFormat = "markdown", *, rows: Sequence[QuickReferenceRow] = QUICK_REFERENCE
) -> str:
    """Render the quick-reference table as markdown, HTML or aligned plain text.

    Cells are escaped for the format: ``|`` (and ``\\``) in markdown, ``<``,
    ``>``, ``&`` and quotes in HTML.  *rows* defaults to :data:`QUICK_REFERENCE`.

    >>> print(render_table("markdown").splitlines()[0])
    | Task | Best model | Why | Architecture |
    >>> print(render_table("text").splitlines()[2])
    Classification  BERT          Bidirectional context      encoder
    """
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a str, got {type(fmt).__name__}")
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"unknown table format {fmt!r}; choose one of {TABLE_FORMATS}")
    given: object = rows  # typed callers pass rows; check what untyped ones pass
    if isinstance(given, str) or not isinstance(given, Sequence):
        raise TypeError(f"rows must be a sequence of QuickReferenceRow, got {type(rows).__name__}")
    for row in rows:
        if not isinstance(row, QuickReferenceRow):
            raise TypeError(f"rows must hold QuickReferenceRow items, got {type(row).__name__}")
    return renderer(rows)


# --------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class Recommendation:
    """What :func:`recommend` suggests for a task.

    ``task``, ``architecture``, ``models`` and ``why`` come from the
    :data:`QUICK_REFERENCE` row.  ``pipeline_task`` is the transformers 5
    ``pipeline()`` task name, or ``None`` where transformers 5 has none;
    ``usage`` says how to run the model either way, and ``cost_note`` what drives
    its cost.

    >>> rec = recommend("summary")
    >>> rec.task, rec.models, rec.pipeline_task
    ('Summarization', ('T5', 'BART'), None)
    """

    task: str
    architecture: Architecture
    models: tuple[str, ...]
    why: str
    pipeline_task: str | None
    usage: str
    cost_note: str


@dataclass(frozen=True)
class _TaskDetails:
    pipeline_task: str | None
    usage: str
    cost_note: str
    aliases: tuple[str, ...]


_SEQ2SEQ_USAGE: Final = (
    "transformers 5 removed the {0!r} pipeline: load AutoModelForSeq2SeqLM and call generate()"
)

# Keyed by QUICK_REFERENCE task; _build_alias_index checks the keys match.
_TASK_DETAILS: Final[dict[str, _TaskDetails]] = {
    "Classification": _TaskDetails(
        pipeline_task="text-classification",
        usage='pipeline("text-classification", model=...) or AutoModelForSequenceClassification',
        cost_note="Cheap: one encoder pass per text; a small encoder (MiniLM, DistilBERT) often "
        "suffices on a CPU.",
        aliases=(
            "classification",
            "text classification",
            "sequence classification",
            "document classification",
            "text categorization",
            "text categorisation",
            "sentiment",
            "sentiment analysis",
            "sentiment classification",
            "topic classification",
            "topic labelling",
            "topic labeling",
            "spam detection",
            "spam filtering",
            "spam",
            "intent classification",
            "intent detection",
        ),
    ),
    "NER": _TaskDetails(
        pipeline_task="token-classification",
        usage='pipeline("token-classification", model=..., aggregation_strategy="simple")',
        cost_note="Cheap: one encoder pass labels every token; spaCy's small CNN pipeline is "
        "cheaper still.",
        aliases=(
            "ner",
            "named entity recognition",
            "named-entity recognition",
            "named entities",
            "entity recognition",
            "entity extraction",
            "entity tagging",
            "token classification",
        ),
    ),
    "Summarization": _TaskDetails(
        pipeline_task=None,
        usage=_SEQ2SEQ_USAGE.format("summarization"),
        cost_note="Moderate: one encoder pass, then one decoder pass per generated token; "
        "summary length drives the cost.",
        aliases=(
            "summarization",
            "summarisation",
            "summary",
            "summaries",
            "summarize",
            "summarise",
            "text summarization",
            "abstractive summarization",
        ),
    ),
    "Chat / QA": _TaskDetails(
        pipeline_task="text-generation",
        usage='pipeline("text-generation", model=...) with a chat model and its chat template',
        cost_note="Expensive: one pass through the whole decoder per generated token, and chat "
        "models are usually the largest.",
        aliases=(
            "chat",
            "chat qa",
            "chatbot",
            "chat bot",
            "dialogue",
            "dialog",
            "conversation",
            "conversational ai",
            "assistant",
            "qa",
            "q&a",
            "question answering",
            "text generation",
        ),
    ),
    "Translation": _TaskDetails(
        pipeline_task=None,
        usage=_SEQ2SEQ_USAGE.format("translation"),
        cost_note="Moderate: like summarization, output length drives the cost; multilingual "
        "vocabularies make the embeddings large.",
        aliases=("translation", "machine translation", "mt", "translate", "translating"),
    ),
}

_ROW_BY_TASK: Final = {row.task: row for row in QUICK_REFERENCE}


def _normalise_task(text: str) -> str:
    # Case, punctuation and spacing carry no meaning in a task name.
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def _build_alias_index() -> dict[str, str]:
    if set(_TASK_DETAILS) != set(_ROW_BY_TASK):
        raise RuntimeError("_TASK_DETAILS and QUICK_REFERENCE name different tasks")
    index: dict[str, str] = {}
    for task, details in _TASK_DETAILS.items():
        for alias in (task, *details.aliases):
            key = _normalise_task(alias)
            if index.setdefault(key, task) != task:
                raise RuntimeError(f"alias {alias!r} names two tasks")
    return index


_ALIAS_INDEX: Final = _build_alias_index()


def known_tasks() -> dict[str, tuple[str, ...]]:
    """Map each canonical task of :data:`QUICK_REFERENCE` to the aliases :func:`recommend` accepts.

    Matching ignores case, punctuation and spacing, so "Sentiment-Analysis"
    matches the alias "sentiment analysis".

    >>> list(known_tasks())
    ['Classification', 'NER', 'Summarization', 'Chat / QA', 'Translation']
    >>> "spam detection" in known_tasks()["Classification"]
    True
    """
    return {row.task: _TASK_DETAILS[row.task].aliases for row in QUICK_REFERENCE}


def _unknown_task_message(task: str, key: str) -> str:
    close = difflib.get_close_matches(key, _ALIAS_INDEX, n=3, cutoff=0.6)
    hint = ", ".join(f"{c!r} ({_ALIAS_INDEX[c]})" for c in close) or "none"
    tasks = ", ".join(row.task for row in QUICK_REFERENCE)
    return (
        f"unknown task {task!r}; closest known tasks: {hint}; known tasks: {tasks} "
        "(see known_tasks() for every alias)"
    )


def recommend(task: str) -> Recommendation:
    """Recommend a model family for *task*, described in plain words.

    Case, punctuation and spacing are ignored, and common aliases are accepted
    (see :func:`known_tasks`).  An unknown task raises :class:`ValueError`
    naming the closest known ones.

    >>> rec = recommend("Sentiment analysis")
    >>> rec.task, rec.models, rec.pipeline_task
    ('Classification', ('BERT',), 'text-classification')
    >>> recommend("chatbot").architecture
    'decoder'
    >>> recommend("sumarization")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown task 'sumarization'; closest known tasks: 'summarization' (Summarization), ...
    """
    if not isinstance(task, str):
        raise TypeError(f"task must be a str, got {type(task).__name__}")
    key = _normalise_task(task)
    if not key:
        raise ValueError(f"task must name a task, got {task!r}; see known_tasks()")
    canonical = _ALIAS_INDEX.get(key)
    if canonical is None:
        raise ValueError(_unknown_task_message(task, key))
    row, details = _ROW_BY_TASK[canonical], _TASK_DETAILS[canonical]
    return Recommendation(
        task=row.task,
        architecture=row.architecture,
        models=row.models,
        why=row.why,
        pipeline_task=details.pipeline_task,
        usage=details.usage,
        cost_note=details.cost_note,
    )


# ---------------------------------------------------------------- sizes and costs

#: ``model_type`` values :func:`parameter_count` and :func:`forward_flops` accept.
SUPPORTED_MODEL_TYPES: Final = ("bert", "distilbert", "t5", "bart", "gpt2", "llama")

# Which token rows a matrix multiplication runs over: the input (encoder) tokens,
# the target (decoder) tokens, or only the first token (BERT's pooler).
_Rows = Literal["input", "target", "first"]


@dataclass(frozen=True)
class _Linear:
    fan_in: int
    fan_out: int
    rows: _Rows
    count: int
    bias: bool
    tied: bool = False  # the weight is another parameter: it costs FLOPs, not parameters


@dataclass(frozen=True)
class _Attention:
    heads: int
    head_dim: int
    queries: _Rows
    keys: _Rows
    count: int


@dataclass(frozen=True)
class _Architecture:
    model_class: str
    encoder_decoder: bool
    linears: tuple[_Linear, ...]
    attentions: tuple[_Attention, ...]
    other_parameters: int  # embeddings, norms, relative-position tables


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
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"config[{key!r}] must be a positive int, got {value!r}")
        if value < 1:
            raise ValueError(f"config[{key!r}] must be a positive int, got {value!r}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.fields.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise TypeError(f"config[{key!r}] must be a bool, got {value!r}")
        return value

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


def _bert(c: _Config) -> _Architecture:
    h, layers = c.dim("hidden_size"), c.dim("num_hidden_layers")
    heads, ffn = c.dim("num_attention_heads"), c.dim("intermediate_size")
    vocab, positions = c.dim("vocab_size"), c.dim("max_position_embeddings")
    types = c.dim("type_vocab_size")
    c.reject("add_cross_attention")
    head_dim = c.head_dim(h, heads, "hidden_size", "num_attention_heads")
    embeddings = (vocab + positions + types) * h + 2 * h
    return _Architecture(
        model_class="BertModel",
        encoder_decoder=False,
        linears=(
            _Linear(h, h, "input", 4 * layers, bias=True),  # query, key, value, output
            _Linear(h, ffn, "input", layers, bias=True),
            _Linear(ffn, h, "input", layers, bias=True),
            _Linear(h, h, "first", 1, bias=True),  # the pooler sees [CLS] only
        ),
        attentions=(_Attention(heads, head_dim, "input", "input", layers),),
        other_parameters=embeddings + layers * 2 * (2 * h),
    )


def _distilbert(c: _Config) -> _Architecture:
    d, layers = c.dim("dim"), c.dim("n_layers")
    heads, ffn = c.dim("n_heads"), c.dim("hidden_dim")
    vocab, positions = c.dim("vocab_size"), c.dim("max_position_embeddings")
    head_dim = c.head_dim(d, heads, "dim", "n_heads")
    # Sinusoidal position embeddings are still a (frozen) parameter tensor.
    embeddings = (vocab + positions) * d + 2 * d
    return _Architecture(
        model_class="DistilBertModel",
        encoder_decoder=False,
        linears=(
            _Linear(d, d, "input", 4 * layers, bias=True),
            _Linear(d, ffn, "input", layers, bias=True),
            _Linear(ffn, d, "input", layers, bias=True),
        ),
        attentions=(_Attention(heads, head_dim, "input", "input", layers),),
        other_parameters=embeddings + layers * 2 * (2 * d),
    )


def _t5_gated(c: _Config) -> bool:
    proj = c.fields.get("feed_forward_proj")
    if proj is None:
        proj = "relu"
    if not isinstance(proj, str):
        raise TypeError(f"config['feed_forward_proj'] must be a str, got {proj!r}")
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
    wi = 2 if _t5_gated(c) else 1
    inner = heads * d_kv
    # The first block of each stack owns the relative-position table; norms have
    # a weight only (RMS norm).  Encoder: 2 per block + final; decoder: 3 + final.
    other = vocab * d + 2 * buckets * heads + (2 * enc + 1) * d + (3 * dec + 1) * d
    return _Architecture(
        model_class="T5ForConditionalGeneration",
        encoder_decoder=True,
        linears=(
            _Linear(d, inner, "input", 3 * enc, bias=False),
            _Linear(inner, d, "input", enc, bias=False),
            _Linear(d, d_ff, "input", wi * enc, bias=False),
            _Linear(d_ff, d, "input", enc, bias=False),
            _Linear(d, inner, "target", 3 * dec, bias=False),  # self-attention q, k, v
            _Linear(inner, d, "target", dec, bias=False),
            _Linear(d, inner, "target", dec, bias=False),  # cross-attention q
            _Linear(d, inner, "input", 2 * dec, bias=False),  # cross-attention k, v
            _Linear(inner, d, "target", dec, bias=False),
            _Linear(d, d_ff, "target", wi * dec, bias=False),
            _Linear(d_ff, d, "target", dec, bias=False),
            _Linear(d, vocab, "target", 1, bias=False, tied=tied),
        ),
        attentions=(
            _Attention(heads, d_kv, "input", "input", enc),
            _Attention(heads, d_kv, "target", "target", dec),
            _Attention(heads, d_kv, "target", "input", dec),
        ),
        other_parameters=other,
    )


def _bart(c: _Config) -> _Architecture:
    d, vocab, positions = c.dim("d_model"), c.dim("vocab_size"), c.dim("max_position_embeddings")
    enc, dec = c.dim("encoder_layers"), c.dim("decoder_layers")
    enc_heads, dec_heads = c.dim("encoder_attention_heads"), c.dim("decoder_attention_heads")
    enc_ffn, dec_ffn = c.dim("encoder_ffn_dim"), c.dim("decoder_ffn_dim")
    tied = c.flag("tie_word_embeddings", default=True)
    enc_hd = c.head_dim(d, enc_heads, "d_model", "encoder_attention_heads")
    dec_hd = c.head_dim(d, dec_heads, "d_model", "decoder_attention_heads")
    # Untied, transformers 5 gives the encoder and decoder their own token tables too.
    token_tables = vocab * d * (1 if tied else 3)
    # Learned positions are offset by 2 (a fairseq legacy), in each stack.
    embeddings = token_tables + 2 * (positions + 2) * d + 2 * (2 * d)
    norms = enc * 2 * (2 * d) + dec * 3 * (2 * d)
    return _Architecture(
        model_class="BartForConditionalGeneration",
        encoder_decoder=True,
        linears=(
            _Linear(d, d, "input", 4 * enc, bias=True),
            _Linear(d, enc_ffn, "input", enc, bias=True),
            _Linear(enc_ffn, d, "input", enc, bias=True),
            _Linear(d, d, "target", 4 * dec, bias=True),  # self-attention q, k, v, out
            _Linear(d, d, "target", 2 * dec, bias=True),  # cross-attention q, out
            _Linear(d, d, "input", 2 * dec, bias=True),  # cross-attention k, v
            _Linear(d, dec_ffn, "target", dec, bias=True),
            _Linear(dec_ffn, d, "target", dec, bias=True),
            _Linear(d, vocab, "target", 1, bias=False, tied=tied),
        ),
        attentions=(
            _Attention(enc_heads, enc_hd, "input", "input", enc),
            _Attention(dec_heads, dec_hd, "target", "target", dec),
            _Attention(dec_heads, dec_hd, "target", "input", dec),
        ),
        other_parameters=embeddings + norms,
    )


def _gpt2(c: _Config) -> _Architecture:
    d, layers, heads = c.dim("n_embd"), c.dim("n_layer"), c.dim("n_head")
    vocab, positions = c.dim("vocab_size"), c.dim("n_positions")
    ffn = c.dim("n_inner", default=4 * d)
    tied = c.flag("tie_word_embeddings", default=True)
    c.reject("add_cross_attention")
    head_dim = c.head_dim(d, heads, "n_embd", "n_head")
    return _Architecture(
        model_class="GPT2LMHeadModel",
        encoder_decoder=False,
        linears=(
            _Linear(d, 3 * d, "input", layers, bias=True),  # fused q, k, v
            _Linear(d, d, "input", layers, bias=True),
            _Linear(d, ffn, "input", layers, bias=True),
            _Linear(ffn, d, "input", layers, bias=True),
            _Linear(d, vocab, "input", 1, bias=False, tied=tied),
        ),
        attentions=(_Attention(heads, head_dim, "input", "input", layers),),
        other_parameters=(vocab + positions) * d + layers * 2 * (2 * d) + 2 * d,
    )


def _llama(c: _Config) -> _Architecture:
    h, layers = c.dim("hidden_size"), c.dim("num_hidden_layers")
    heads, ffn, vocab = (
        c.dim("num_attention_heads"),
        c.dim("intermediate_size"),
        c.dim("vocab_size"),
    )
    kv_heads = c.dim("num_key_value_heads", default=heads)
    # As LlamaConfig: an explicit head_dim frees hidden_size from being a multiple of heads.
    if c.fields.get("head_dim") is None:
        head_dim = c.head_dim(h, heads, "hidden_size", "num_attention_heads")
    else:
        head_dim = c.dim("head_dim")
    if heads % kv_heads:
        raise ValueError(
            f"config['num_attention_heads']={heads} must be a multiple of "
            f"config['num_key_value_heads']={kv_heads}"
        )
    attn_bias, mlp_bias = c.flag("attention_bias", False), c.flag("mlp_bias", False)
    tied = c.flag("tie_word_embeddings", default=False)
    return _Architecture(
        model_class="LlamaForCausalLM",
        encoder_decoder=False,
        linears=(
            _Linear(h, heads * head_dim, "input", layers, bias=attn_bias),
            _Linear(h, kv_heads * head_dim, "input", 2 * layers, bias=attn_bias),
            _Linear(heads * head_dim, h, "input", layers, bias=attn_bias),
            _Linear(h, ffn, "input", 2 * layers, bias=mlp_bias),  # gate and up
            _Linear(ffn, h, "input", layers, bias=mlp_bias),
            _Linear(h, vocab, "input", 1, bias=False, tied=tied),
        ),
        # Grouped K/V heads are repeated, so every query head does its own matmuls.
        attentions=(_Attention(heads, head_dim, "input", "input", layers),),
        other_parameters=vocab * h + (2 * layers + 1) * h,  # RMS norms: weight only
    )


_BUILDERS: Final[dict[str, Callable[[_Config], _Architecture]]] = {
    "bert": _bert,
    "distilbert": _distilbert,
    "t5": _t5,
    "bart": _bart,
    "gpt2": _gpt2,
    "llama": _llama,
}


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


def _resolve_name(name: str) -> str:
    key = name.strip().casefold()
    if key in _NAME_INDEX:
        return _NAME_INDEX[key]
    close = difflib.get_close_matches(key, _NAME_INDEX, n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(_NAME_INDEX[c] for c in close)}?)" if close else ""
    raise ValueError(
        f"unknown model {name!r}{hint}; known models: {', '.join(REFERENCE_CONFIGS)}; "
        "or pass a config dict"
    )


def reference_config(name: str) -> dict[str, object]:
    """A copy of the bundled config fields for the model *name*.

    >>> reference_config("T5-Small")["d_model"]
    512
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    return dict(REFERENCE_CONFIGS[_resolve_name(name)])


def _architecture(name_or_config: str | Mapping[str, object]) -> _Architecture:
    if isinstance(name_or_config, str):
        fields = REFERENCE_CONFIGS[_resolve_name(name_or_config)]
    elif isinstance(name_or_config, Mapping):
        fields = name_or_config
    else:
        raise TypeError(
            f"expected a model name (str) or a config mapping, got {type(name_or_config).__name__}"
        )
    model_type = fields.get("model_type")
    if model_type is None:
        raise ValueError("config is missing required key 'model_type'")
    if not isinstance(model_type, str):
        raise TypeError(f"config['model_type'] must be a str, got {model_type!r}")
    builder = _BUILDERS.get(model_type)
    if builder is None:
        raise ValueError(
            f"unsupported model_type {model_type!r}; supported: {', '.join(SUPPORTED_MODEL_TYPES)}"
        )
    return builder(_Config(fields, model_type))


def counted_model_class(name_or_config: str | Mapping[str, object]) -> str:
    """The transformers class whose parameters :func:`parameter_count` counts.

    >>> counted_model_class("gpt2")
    'GPT2LMHeadModel'
    >>> counted_model_class({"model_type": "t5", "d_model": 64, "d_ff": 128, "d_kv": 16,
    ...                      "num_heads": 4, "num_layers": 2, "vocab_size": 100})
    'T5ForConditionalGeneration'
    """
    return _architecture(name_or_config).model_class


def parameter_count(name_or_config: str | Mapping[str, object]) -> int:
    """Count the parameters of a bundled model or of a ``config.json`` dict.

    *name_or_config* is a name from :func:`known_models` (with or without its
    owner, any case) or a mapping with ``model_type`` and that type's size keys,
    spelled as in ``config.json``.  Keys transformers defaults and hub configs
    often omit (``num_decoder_layers``, ``n_inner``, ``num_key_value_heads``,
    ``head_dim``, ``tie_word_embeddings``, ...) take transformers' defaults.
    See the module docstring for which class is counted.

    >>> parameter_count("t5-small")
    60506624
    >>> parameter_count("meta-llama/Llama-2-7b-hf")
    6738415616
    >>> parameter_count({"model_type": "gpt2", "n_embd": 64, "n_layer": 2, "n_head": 4,
    ...                  "vocab_size": 1000, "n_positions": 128})
    172288
    """
    arch = _architecture(name_or_config)
    linear = sum(
        lin.count * (lin.fan_in * lin.fan_out * (not lin.tied) + lin.fan_out * lin.bias)
        for lin in arch.linears
    )
    return arch.other_parameters + linear


def _check_tokens(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def _token_rows(arch: _Architecture, tokens: object, target_tokens: object) -> dict[_Rows, int]:
    n_input = _check_tokens("tokens", tokens)
    if target_tokens is None:
        n_target = n_input
    elif not arch.encoder_decoder:
        raise ValueError(
            f"target_tokens only applies to encoder-decoder models, not {arch.model_class}"
        )
    else:
        n_target = _check_tokens("target_tokens", target_tokens)
    return {"input": n_input, "target": n_target, "first": 1}


def forward_flops(
    name_or_config: str | Mapping[str, object],
    tokens: int,
    *,
    target_tokens: int | None = None,
) -> int:
    """FLOPs of one forward pass over *tokens* tokens (batch of one).

    Counts 2 FLOPs per multiply-accumulate of every matrix multiplication: the
    linear layers (LM head and BERT's pooler included) and each head's
    ``Q @ K^T`` and ``weights @ V`` over the full (unmasked) square; see the
    module docstring.  For encoder-decoders *tokens* is the encoder length and
    *target_tokens* the decoder length (default: the same).

    >>> f"{forward_flops('bert-base-uncased', 128) / 1e9:.1f} GFLOPs"
    '22.3 GFLOPs'
    >>> forward_flops("t5-small", 64, target_tokens=16) < forward_flops("t5-small", 64)
    True
    """
    arch = _architecture(name_or_config)
    rows = _token_rows(arch, tokens, target_tokens)
    linear = sum(2 * lin.count * rows[lin.rows] * lin.fan_in * lin.fan_out for lin in arch.linears)
    # Two matmuls per head: scores = Q @ K^T, then scores @ V.
    attention = sum(
        2 * 2 * a.count * a.heads * rows[a.queries] * rows[a.keys] * a.head_dim
        for a in arch.attentions
    )
    return linear + attention


def flops_per_token(
    name_or_config: str | Mapping[str, object],
    tokens: int,
    *,
    target_tokens: int | None = None,
) -> float:
    """Average forward FLOPs per processed token: :func:`forward_flops` over the token count.

    Encoder-decoders process ``tokens + target_tokens`` tokens.  Away from very
    long contexts this is close to the rule of thumb ``2 x parameters``, less
    the embedding tables that no matmul touches.

    >>> round(flops_per_token("gpt2", 1) / parameter_count("gpt2"), 1)
    2.0
    """
    arch = _architecture(name_or_config)
    rows = _token_rows(arch, tokens, target_tokens)
    processed = rows["input"] + (rows["target"] if arch.encoder_decoder else 0)
    try:
        return forward_flops(name_or_config, tokens, target_tokens=target_tokens) / processed
    except OverflowError:  # the exact int count is fine, its float is not
        raise ValueError(
            "the FLOPs per token are too large for a float (above 1.8e308); use forward_flops "
            "for the exact count"
        ) from None
