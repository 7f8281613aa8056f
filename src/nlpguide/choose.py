"""Choosing the model: which architecture for which task, and what it costs.

The guide's quick-reference table is data here (:data:`QUICK_REFERENCE`), rendered
for the docs and the command line by :func:`render_table`.  :func:`recommend`
maps a task described in plain words ("spam detection", "Q&A") to a row of that
table.  The sizes and costs of a model, :func:`parameter_count`,
:func:`forward_flops` and :func:`memory_estimate`, live in ``nlpguide.sizes``
and are re-exported here: they take a bundled name, a ``config.json`` dict, or the
path of a local ``config.json``.

Only the standard library is imported, never numpy, torch or transformers, so
``nlpguide table`` answers at once.

>>> recommend("spam detection").architecture
'encoder'
>>> f"{parameter_count('bert-base-uncased'):,}"
'109,482,240'
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from nlpguide import _check, _markdown
from nlpguide.sizes import (
    DTYPES,
    LORA_TARGET_MODULES,
    OPTIONAL_KEYS,
    SUPPORTED_MODEL_TYPES,
    MemoryEstimate,
    TrainingMemory,
    counted_model_class,
    flops_per_token,
    forward_flops,
    known_models,
    load_config,
    memory_estimate,
    parameter_count,
    reference_config,
)

__all__ = [
    "ARCHITECTURES",
    "DTYPES",
    "LORA_TARGET_MODULES",
    "OPTIONAL_KEYS",
    "QUICK_REFERENCE",
    "SUPPORTED_MODEL_TYPES",
    "TABLE_FORMATS",
    "TABLE_HEADERS",
    "MemoryEstimate",
    "QuickReferenceRow",
    "Recommendation",
    "TrainingMemory",
    "counted_model_class",
    "flops_per_token",
    "forward_flops",
    "known_models",
    "known_tasks",
    "load_config",
    "memory_estimate",
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
    cell = _check.text(field, value)
    # One printable, single-spaced line, so every renderer lays it out without loss (the
    # Markdown writer folds runs of whitespace).
    if not cell.isprintable() or " ".join(cell.split()) != cell:
        raise ValueError(
            f"{field} must be printable text on one line, single-spaced, got {value!r}"
        )


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
        _check.instance("models", self.models, tuple)
        if not self.models:
            raise ValueError("models must name at least one model")
        for model in self.models:
            _check_cell("each model", model)
        _check.choice("architecture", self.architecture, ARCHITECTURES)

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


def _render_markdown(rows: Sequence[QuickReferenceRow]) -> str:
    return _markdown.table(TABLE_HEADERS, [row.cells() for row in rows])


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

    Cells are escaped for the format: Markdown's special characters (``|``, ``\\``,
    ``*``, ``_``, backticks, ``<``, ``>`` and brackets) by the package's one Markdown
    table writer, ``<``, ``>``, ``&`` and quotes in HTML.  *rows* defaults to
    :data:`QUICK_REFERENCE`.

    >>> print(render_table("markdown").splitlines()[0])
    | Task | Best model | Why | Architecture |
    >>> print(render_table("text").splitlines()[2])
    Classification  BERT          Bidirectional context      encoder
    """
    renderer = _RENDERERS[_check.choice("fmt", fmt, TABLE_FORMATS)]
    given: object = rows  # typed callers pass rows; check what untyped ones pass
    if isinstance(given, str) or not isinstance(given, Sequence):
        raise TypeError(f"rows must be a sequence of QuickReferenceRow, got {type(rows).__name__}")
    for row in rows:
        _check.instance("each of rows", row, QuickReferenceRow)
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
    _check.instance("task", task, str)
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
