"""Choosing the model: which architecture and which checkpoints for a task, and what they cost.

:func:`recommend` reads a task described in the reader's own words ("sentiment of
tweets", "summarise meeting notes") and the constraints that go with it (labelled
examples, a memory or latency budget, languages, CPU only), and answers with an
architecture, two or three real Hugging Face Hub checkpoints, smallest first, with
their size and cost, and the reasons.  The rules are plain data: the
:data:`CATALOGUE` of tasks, each with its keywords and checkpoints, and the lesson's
three :data:`QUESTIONS`, asked when the words do not decide.  No hidden model.

The guide's quick-reference table is data too (:data:`QUICK_REFERENCE`), rendered by
:func:`render_table`.  The sizes and costs of a model, :func:`parameter_count`,
:func:`forward_flops` and :func:`memory_estimate`, live in ``nlpguide.sizes`` and are
re-exported here: they take a bundled name, a ``config.json`` dict, or the path of a
local ``config.json``.

Only the standard library is imported, never numpy, torch or transformers, so
``nlpguide recommend`` answers at once and the module runs in the browser.

>>> recommend("spam detection").architecture
'encoder'
>>> f"{parameter_count('bert-base-uncased'):,}"
'109,482,240'
"""

from __future__ import annotations

import difflib
import functools
import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
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
    "CATALOGUE",
    "CATALOGUE_BY_NAME",
    "CPU_FLOPS",
    "CPU_ONLY_MS",
    "DATA_SCORE",
    "DTYPES",
    "KEYWORD_SCORE",
    "LORA_TARGET_MODULES",
    "MANY_EXAMPLES",
    "MEMORY_DTYPE",
    "MEMORY_TOKENS",
    "NEW_TOKENS",
    "OPTIONAL_KEYS",
    "QUESTIONS",
    "QUICK_REFERENCE",
    "REQUEST_TOKENS",
    "ROLES",
    "ROLE_VERBS",
    "SUPPORTED_MODEL_TYPES",
    "TABLE_FORMATS",
    "TABLE_HEADERS",
    "VERB_SCORE",
    "Checkpoint",
    "MemoryEstimate",
    "Question",
    "QuickReferenceRow",
    "Recommendation",
    "Task",
    "TrainingMemory",
    "checkpoint",
    "counted_model_class",
    "flops_per_token",
    "forward_flops",
    "known_models",
    "known_tasks",
    "load_config",
    "memory_estimate",
    "parameter_count",
    "parse_memory",
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
    QuickReferenceRow("Chat / open QA", ("GPT", "LLaMA"), "Autoregressive generation", "decoder"),
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


#: The lesson's three families by what they do with the text.
ROLES: Final[Mapping[Architecture, Literal["understand", "generate", "transform"]]] = (
    MappingProxyType(
        {"encoder": "understand", "decoder": "generate", "encoder-decoder": "transform"}
    )
)


@dataclass(frozen=True)
class Task:
    """One entry of :data:`CATALOGUE`: a task a practitioner would name, and its models.

    *keywords* are phrases whose words are stems: a stem of four letters or more
    matches any word that starts with it ("summar" matches "summarise" and
    "summaries"), a shorter one only the word itself or its plural ("qa", "ner").  Each
    word of a matched keyword scores 1, each *hint* (a generic verb such as "detect"
    or "write") 0.6, each *data* phrase (what the text is: "tweets", "support tickets")
    0.5.  *checkpoints* are public Hub names for English, *multilingual* those for
    other languages; *ready* names the checkpoints that already do the task as
    published (the others are pre-trained bases to fine-tune).  Without labelled
    examples and without a ready checkpoint, :func:`recommend` follows *zero_shot*,
    the name of another task.  *output* says what comes out ("a label for each text").

    >>> task = CATALOGUE_BY_NAME["sentiment analysis"]
    >>> task.architecture, task.output
    ('encoder', 'a label for each text')
    """

    name: str
    architecture: Architecture
    output: str
    keywords: tuple[str, ...]
    checkpoints: tuple[str, ...]
    multilingual: tuple[str, ...]
    ready: frozenset[str] = frozenset()
    data: tuple[str, ...] = ()
    pipeline_task: str | None = None
    zero_shot: str | None = None
    usage: str = "no pipeline in transformers 5: AutoModelForSeq2SeqLM and generate()"


_ZSC: Final = "zero-shot classification"
_INSTRUCT: Final = "instruction following"
# Pre-trained encoders to fine-tune on one's own labels, English and multilingual.
_ENCODER_BASES: Final = (
    "google/electra-small-discriminator",
    "distilbert/distilbert-base-uncased",
    "FacebookAI/roberta-base",
)
_MULTILINGUAL_BASES: Final = (
    "distilbert/distilbert-base-multilingual-cased",
    "google-bert/bert-base-multilingual-cased",
)
_EMBEDDERS: Final = (
    "sentence-transformers/all-MiniLM-L6-v2",
    "sentence-transformers/all-MiniLM-L12-v2",
    "BAAI/bge-base-en-v1.5",
)
_MULTILINGUAL_EMBEDDERS: Final = (
    "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
    "sentence-transformers/distiluse-base-multilingual-cased-v2",
)
_FLAN: Final = ("google/flan-t5-small", "google/flan-t5-base", "google/flan-t5-large")
_MT5: Final = ("google/mt5-small", "google/mt5-base")
_INSTRUCT_DECODERS: Final = (
    "HuggingFaceTB/SmolLM2-360M-Instruct",
    "Qwen/Qwen2.5-0.5B-Instruct",
    "Qwen/Qwen2.5-1.5B-Instruct",
)
_MULTILINGUAL_DECODERS: Final = (
    "Qwen/Qwen2.5-0.5B-Instruct",
    "meta-llama/Llama-3.2-1B-Instruct",
    "Qwen/Qwen2.5-1.5B-Instruct",
)
_LABEL: Final = "a label for each text"
_VECTOR: Final = "a vector or a score"
_REWORDED: Final = "the input, reworded"
_NEW_TEXT: Final = "new text"
_CLASSIFY: Final = "text-classification"
_FEATURES: Final = "feature-extraction"
_GENERATE: Final = "text-generation"


def _bases_task(name: str, keywords: tuple[str, ...], **kwargs: tuple[str, ...]) -> Task:
    """A classification task with no ready checkpoint: fine-tune a base, or go zero-shot."""
    return Task(
        name,
        "encoder",
        _LABEL,
        keywords,
        _ENCODER_BASES,
        _MULTILINGUAL_BASES,
        pipeline_task=_CLASSIFY,
        zero_shot=_ZSC,
        **kwargs,  # type: ignore[arg-type]
    )


# fmt: off
#: The tasks :func:`recommend` knows, specific ones before the generic one of each family.
CATALOGUE: Final[tuple[Task, ...]] = (
    # ---------------------------------------------------------------- understand
    Task(
        "sentiment analysis",
        "encoder",
        _LABEL,
        ("sentiment", "opinion", "polarit", "positive or negative", "emotion", "mood",
         "feeling", "star rating", "satisf"),
        ("distilbert/distilbert-base-uncased-finetuned-sst-2-english",
         "cardiffnlp/twitter-roberta-base-sentiment-latest",
         "siebert/sentiment-roberta-large-english"),
        ("lxyuan/distilbert-base-multilingual-cased-sentiments-student",
         "nlptown/bert-base-multilingual-uncased-sentiment"),
        ready=frozenset({
            "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
            "cardiffnlp/twitter-roberta-base-sentiment-latest",
            "siebert/sentiment-roberta-large-english",
            "lxyuan/distilbert-base-multilingual-cased-sentiments-student",
            "nlptown/bert-base-multilingual-uncased-sentiment",
        }),
        data=("tweet", "review", "feedback", "survey answer"),
        pipeline_task=_CLASSIFY,
    ),
    _bases_task(
        "topic classification",
        ("topic", "categor", "subject", "genre", "news categor"),
        data=("news", "article", "document", "paper"),
    ),
    _bases_task(
        "spam detection",
        ("spam", "phishing", "junk", "scam", "fraud"),
        data=("email", "sms", "text messag", "inbox"),
    ),
    _bases_task(
        "intent detection",
        ("intent", "rout", "triage", "voice assistant", "user request", "command",
         "dispatch"),
        data=("ticket", "support ticket", "utterance", "customer messag", "query"),
    ),
    Task(
        "toxicity detection",
        "encoder",
        _LABEL,
        ("toxic", "hate", "hate speech", "offensive", "abus", "moderat", "profan",
         "harass", "insult", "obscen", "cyberbully"),
        ("martin-ha/toxic-comment-model", "unitary/toxic-bert"),
        _MULTILINGUAL_BASES,
        ready=frozenset({"martin-ha/toxic-comment-model", "unitary/toxic-bert"}),
        data=("comment", "post", "forum", "chat messag"),
        pipeline_task=_CLASSIFY,
        zero_shot=_ZSC,
    ),
    Task(
        _ZSC,
        "encoder",
        _LABEL,
        ("zero shot", "without train", "no train", "without label", "no label", "unlabel",
         "without example", "no example", "any label", "new label", "without annotat"),
        ("typeform/distilbert-base-uncased-mnli",
         "cross-encoder/nli-distilroberta-base",
         "FacebookAI/roberta-large-mnli"),
        _MULTILINGUAL_DECODERS,
        ready=frozenset({
            "typeform/distilbert-base-uncased-mnli",
            "cross-encoder/nli-distilroberta-base",
            "FacebookAI/roberta-large-mnli",
            *_MULTILINGUAL_DECODERS,
        }),
        pipeline_task="zero-shot-classification",
    ),
    Task(
        "natural language inference",
        "encoder",
        "a label for each pair of texts",
        ("inferen", "entail", "contradict", "nli", "mnli", "claim verif", "fact check",
         "fact verif", "follows from"),
        ("cross-encoder/nli-distilroberta-base",
         "typeform/distilbert-base-uncased-mnli",
         "FacebookAI/roberta-large-mnli"),
        _MULTILINGUAL_BASES,
        ready=frozenset({
            "cross-encoder/nli-distilroberta-base",
            "typeform/distilbert-base-uncased-mnli",
            "FacebookAI/roberta-large-mnli",
        }),
        data=("claim", "premise", "hypothes"),
        pipeline_task=_CLASSIFY,
        zero_shot=_INSTRUCT,
    ),
    Task(
        "sentence similarity",
        "encoder",
        _VECTOR,
        ("similar", "similarit", "sts", "same meaning", "paraphrase detect",
         "paraphrase identif", "how close", "semantic match", "compare sentenc",
         "compare text", "text match"),
        _EMBEDDERS,
        _MULTILINGUAL_EMBEDDERS,
        ready=frozenset({*_EMBEDDERS, *_MULTILINGUAL_EMBEDDERS}),
        pipeline_task=_FEATURES,
    ),
    Task(
        "semantic search",
        "encoder",
        _VECTOR,
        ("search", "retriev", "find relevant", "information retrieval", "embed", "vector",
         "look up", "lookup", "knowledge base", "recommend"),
        ("sentence-transformers/multi-qa-MiniLM-L6-cos-v1",
         "BAAI/bge-small-en-v1.5",
         "BAAI/bge-base-en-v1.5"),
        _MULTILINGUAL_EMBEDDERS,
        ready=frozenset({
            "sentence-transformers/multi-qa-MiniLM-L6-cos-v1",
            "BAAI/bge-small-en-v1.5",
            "BAAI/bge-base-en-v1.5",
            *_MULTILINGUAL_EMBEDDERS,
        }),
        data=("documentation", "docs", "faq", "corpus", "catalog"),
        pipeline_task=_FEATURES,
    ),
    Task(
        "deduplication",
        "encoder",
        _VECTOR,
        ("duplicat", "dedup", "de dup", "near identical", "identical", "record linkage",
         "entity resolution", "same product", "repeated"),
        _EMBEDDERS[:2],
        _MULTILINGUAL_EMBEDDERS,
        ready=frozenset({*_EMBEDDERS[:2], *_MULTILINGUAL_EMBEDDERS}),
        data=("listing", "bug report", "record"),
        pipeline_task=_FEATURES,
    ),
    Task(
        "clustering",
        "encoder",
        _VECTOR,
        ("cluster", "group", "topic model", "themes", "segment"),
        _EMBEDDERS,
        _MULTILINGUAL_EMBEDDERS,
        ready=frozenset({*_EMBEDDERS, *_MULTILINGUAL_EMBEDDERS}),
        pipeline_task=_FEATURES,
    ),
    Task(
        "reranking",
        "encoder",
        _VECTOR,
        ("rerank", "re rank", "rank", "cross encod", "order result", "relevance scor"),
        ("cross-encoder/ms-marco-MiniLM-L-6-v2", "cross-encoder/ms-marco-MiniLM-L-12-v2"),
        _MULTILINGUAL_EMBEDDERS,
        ready=frozenset({
            "cross-encoder/ms-marco-MiniLM-L-6-v2",
            "cross-encoder/ms-marco-MiniLM-L-12-v2",
            *_MULTILINGUAL_EMBEDDERS,
        }),
        data=("search result", "passage", "candidate"),
        pipeline_task=_CLASSIFY,
    ),
    Task(
        "named entity recognition",
        "encoder",
        "a label for each word",
        ("named entit", "entit", "ner", "person", "organi", "place", "location",
         "anonymi", "pii", "redact", "de identif", "personal data", "mention", "slot fill",
         "extract date", "drug"),
        ("dslim/distilbert-NER", "dslim/bert-base-NER", "dslim/bert-large-NER"),
        ("Davlan/bert-base-multilingual-cased-ner-hrl",
         "distilbert/distilbert-base-multilingual-cased"),
        ready=frozenset({
            "dslim/distilbert-NER",
            "dslim/bert-base-NER",
            "dslim/bert-large-NER",
            "Davlan/bert-base-multilingual-cased-ner-hrl",
        }),
        data=("name", "contract", "clinical note", "resume", "invoice", "medical record"),
        pipeline_task="token-classification",
        zero_shot=_INSTRUCT,
    ),
    Task(
        "part-of-speech tagging",
        "encoder",
        "a label for each word",
        ("part of speech", "pos", "pos tag", "tagg", "tag", "tags", "grammatical role",
         "word class", "noun", "verb", "chunk", "lemma", "morpholog", "syntactic",
         "dependency pars", "parse"),
        ("vblagoje/bert-english-uncased-finetuned-pos",
         "distilbert/distilbert-base-uncased",
         "FacebookAI/roberta-base"),
        _MULTILINGUAL_BASES,
        ready=frozenset({"vblagoje/bert-english-uncased-finetuned-pos"}),
        pipeline_task="token-classification",
        zero_shot=_INSTRUCT,
    ),
    Task(
        "extractive question answering",
        "encoder",
        "a span of the input",
        ("extractive", "span", "squad", "answer span", "extractive question answer",
         "reading comprehension", "find the answer", "highlight",
         "answer from the text"),
        ("distilbert/distilbert-base-cased-distilled-squad",
         "deepset/minilm-uncased-squad2",
         "deepset/roberta-base-squad2"),
        _MULTILINGUAL_BASES,
        ready=frozenset({
            "distilbert/distilbert-base-cased-distilled-squad",
            "deepset/minilm-uncased-squad2",
            "deepset/roberta-base-squad2",
        }),
        data=("paragraph", "passage", "context"),
        zero_shot=_INSTRUCT,
        usage="no pipeline in transformers 5: AutoModelForQuestionAnswering, and the span "
              "between the best start and end logits",
    ),
    Task(
        "fill-mask",
        "encoder",
        "a word for each blank",
        ("mask", "fill in", "blank", "missing word", "cloze", "masked language"),
        ("distilbert/distilbert-base-uncased",
         "google-bert/bert-base-uncased",
         "FacebookAI/roberta-base"),
        _MULTILINGUAL_BASES,
        ready=frozenset({
            "distilbert/distilbert-base-uncased",
            "google-bert/bert-base-uncased",
            "FacebookAI/roberta-base",
            *_MULTILINGUAL_BASES,
        }),
        pipeline_task="fill-mask",
    ),
    Task(
        "keyword extraction",
        "encoder",
        "a few words of the input",
        ("keyword", "keyphrase", "key phrase", "key term", "hashtag", "index term"),
        _EMBEDDERS[:2],
        _MULTILINGUAL_EMBEDDERS,
        ready=frozenset({*_EMBEDDERS[:2], *_MULTILINGUAL_EMBEDDERS}),
        pipeline_task=_FEATURES,
    ),
    _bases_task(
        "language identification",
        ("which language", "language detect", "language identif", "detect the language",
         "identify the language", "what language", "langid"),
    ),
    Task(
        "text classification",
        "encoder",
        _LABEL,
        ("classif", "text classif", "sarcas", "irony", "ironic", "clickbait", "fake",
         "misinform", "propaganda", "stance", "grammatical", "acceptab", "urgen",
         "priorit", "bias"),
        _ENCODER_BASES,
        _MULTILINGUAL_BASES,
        pipeline_task=_CLASSIFY,
        zero_shot=_ZSC,
    ),
    # ----------------------------------------------------------------- transform
    Task(
        "summarization",
        "encoder-decoder",
        "the input, shorter",
        ("summar", "tldr", "tl dr", "digest", "condens", "shorten", "gist", "recap",
         "abstractive", "key points", "minutes", "synopsis", "overview", "brief"),
        ("google-t5/t5-small", "sshleifer/distilbart-cnn-12-6", "facebook/bart-large-cnn"),
        ("google/mt5-small", "csebuetnlp/mT5_multilingual_XLSum"),
        ready=frozenset({
            "google-t5/t5-small",
            "sshleifer/distilbart-cnn-12-6",
            "facebook/bart-large-cnn",
            "csebuetnlp/mT5_multilingual_XLSum",
        }),
        data=("meeting notes", "report", "transcript", "long document", "thread"),
        zero_shot=_INSTRUCT,
    ),
    Task(
        "headline generation",
        "encoder-decoder",
        "the input, shorter",
        ("headline", "title", "subject line", "caption"),
        (*_FLAN[:2], "facebook/bart-base"),
        _MT5,
        ready=frozenset(_FLAN),
        zero_shot=_INSTRUCT,
    ),
    Task(
        "translation",
        "encoder-decoder",
        "the input, in another language",
        ("translat", "machine translat", "mt", "locali", "into english", "to english",
         "from english"),
        ("google-t5/t5-small", "Helsinki-NLP/opus-mt-en-de",
         "facebook/mbart-large-50-many-to-many-mmt"),
        ("facebook/mbart-large-50-many-to-many-mmt",),
        ready=frozenset({
            "google-t5/t5-small",
            "Helsinki-NLP/opus-mt-en-de",
            "Helsinki-NLP/opus-mt-en-fr",
            "facebook/mbart-large-50-many-to-many-mmt",
        }),
        zero_shot=_INSTRUCT,
    ),
    Task(
        "paraphrase generation",
        "encoder-decoder",
        _REWORDED,
        ("paraphras", "reword", "rephras", "say it differently", "augment", "restate"),
        (*_FLAN[:2], "facebook/bart-base"),
        _MT5,
        ready=frozenset(_FLAN),
        zero_shot=_INSTRUCT,
    ),
    Task(
        "text simplification",
        "encoder-decoder",
        _REWORDED,
        ("simplif", "simpler", "plain language", "plain english", "easy to read",
         "easier to read", "readab", "for children", "for kids"),
        (*_FLAN[:2], "facebook/bart-base"),
        _MT5,
        ready=frozenset(_FLAN),
        zero_shot=_INSTRUCT,
    ),
    Task(
        "grammar correction",
        "encoder-decoder",
        _REWORDED,
        ("grammar", "grammatical error", "spell", "typo", "proofread", "correct error",
         "fix error", "error correct", "gec", "mistake", "punctuat"),
        ("google/flan-t5-small", "vennify/t5-base-grammar-correction", "google/flan-t5-base"),
        _MT5,
        ready=frozenset({"vennify/t5-base-grammar-correction", *_FLAN}),
        zero_shot=_INSTRUCT,
    ),
    Task(
        "style transfer",
        "encoder-decoder",
        _REWORDED,
        ("formal", "informal", "style", "tone", "polite", "detoxif", "register",
         "more professional", "less formal"),
        (*_FLAN[:2], "facebook/bart-base"),
        _MT5,
        ready=frozenset(_FLAN),
        zero_shot=_INSTRUCT,
    ),
    Task(
        "question generation",
        "encoder-decoder",
        "questions about the input",
        ("question generat", "generat question", "generat question about", "quiz", "flashcard", "exam question",
         "ask question about", "comprehension question"),
        _FLAN,
        _MT5,
        ready=frozenset(_FLAN),
        zero_shot=_INSTRUCT,
    ),
    Task(
        "data-to-text",
        "encoder-decoder",
        "the input, in words",
        ("data to text", "table to text", "table", "structured data", "into a sentence",
         "into sentences", "describe the data", "verbali", "records into"),
        _FLAN,
        _MT5,
        ready=frozenset(_FLAN),
        zero_shot=_INSTRUCT,
    ),
    Task(
        "text rewriting",
        "encoder-decoder",
        _REWORDED,
        ("text to text", "seq2seq", "sequence to sequence", "rewrit", "transform the text"),
        _FLAN,
        _MT5,
        ready=frozenset(_FLAN),
        zero_shot=_INSTRUCT,
    ),
    # ------------------------------------------------------------------ generate
    Task(
        "chat",
        "decoder",
        "a reply",
        ("chat", "chatbot", "chat bot", "convers", "dialog", "assistant", "agent",
         "role play", "roleplay", "persona", "companion", "talk", "tutor", "game character"),
        _INSTRUCT_DECODERS,
        _MULTILINGUAL_DECODERS,
        ready=frozenset({*_INSTRUCT_DECODERS, *_MULTILINGUAL_DECODERS}),
        pipeline_task=_GENERATE,
    ),
    Task(
        "question answering",
        "decoder",
        "an answer in new words",
        ("question answer", "answer question", "answering question", "qa", "q a",
         "open domain", "open ended", "closed book", "trivia", "explain",
         "retrieval augmented generat", "rag", "ask about", "questions about"),
        _INSTRUCT_DECODERS,
        _MULTILINGUAL_DECODERS,
        ready=frozenset({*_INSTRUCT_DECODERS, *_MULTILINGUAL_DECODERS}),
        data=("internal document", "knowledge", "manual", "handbook"),
        pipeline_task=_GENERATE,
    ),
    Task(
        "story generation",
        "decoder",
        _NEW_TEXT,
        ("fiction", "poem", "poetry", "lyric", "novel", "narrative",
         "creative", "joke", "screenplay", "fairy tale", "plot", "song"),
        ("distilbert/distilgpt2", "openai-community/gpt2", "HuggingFaceTB/SmolLM2-360M"),
        _MULTILINGUAL_DECODERS,
        ready=frozenset({
            "distilbert/distilgpt2",
            "openai-community/gpt2",
            "HuggingFaceTB/SmolLM2-360M",
            *_MULTILINGUAL_DECODERS,
        }),
        data=("story", "stories", "tale"),
        pipeline_task=_GENERATE,
    ),
    Task(
        "writing assistance",
        "decoder",
        _NEW_TEXT,
        ("writing assist", "draft", "copywrit", "marketing", "slogan", "advert", "write product description",
         "from bullet point", "from notes"),
        _INSTRUCT_DECODERS,
        _MULTILINGUAL_DECODERS,
        ready=frozenset({*_INSTRUCT_DECODERS, *_MULTILINGUAL_DECODERS}),
        data=("email", "product description", "letter", "post", "essay", "newsletter",
              "press release", "blog"),
        pipeline_task=_GENERATE,
    ),
    Task(
        "code generation",
        "decoder",
        "code",
        ("code", "coding", "program", "python", "javascript", "sql", "function",
         "docstring", "script", "regex", "bash", "copilot", "query language", "snippet"),
        ("Qwen/Qwen2.5-Coder-0.5B-Instruct", "Qwen/Qwen2.5-Coder-1.5B-Instruct"),
        ("Qwen/Qwen2.5-Coder-0.5B-Instruct", "Qwen/Qwen2.5-Coder-1.5B-Instruct"),
        ready=frozenset({"Qwen/Qwen2.5-Coder-0.5B-Instruct", "Qwen/Qwen2.5-Coder-1.5B-Instruct"}),
        pipeline_task=_GENERATE,
    ),
    Task(
        "text completion",
        "decoder",
        "the input, continued",
        ("complet", "autocomplet", "auto complet", "next word", "continu",
         "predict the next", "language model", "causal lm", "suggest the next"),
        ("distilbert/distilgpt2", "openai-community/gpt2", "HuggingFaceTB/SmolLM2-135M"),
        _MULTILINGUAL_DECODERS,
        ready=frozenset({
            "distilbert/distilgpt2",
            "openai-community/gpt2",
            "HuggingFaceTB/SmolLM2-135M",
            *_MULTILINGUAL_DECODERS,
        }),
        pipeline_task=_GENERATE,
    ),
    Task(
        _INSTRUCT,
        "decoder",
        _NEW_TEXT,
        ("instruction", "prompt", "llm", "large language model", "gpt", "text generat",
         "generative", "brainstorm"),
        ("HuggingFaceTB/SmolLM2-135M-Instruct", *_INSTRUCT_DECODERS[:2]),
        _MULTILINGUAL_DECODERS,
        ready=frozenset({
            "HuggingFaceTB/SmolLM2-135M-Instruct",
            *_INSTRUCT_DECODERS,
            *_MULTILINGUAL_DECODERS,
        }),
        pipeline_task=_GENERATE,
    ),
)
# fmt: on

#: Catalogue task by name.
CATALOGUE_BY_NAME: Final[Mapping[str, Task]] = MappingProxyType({t.name: t for t in CATALOGUE})


@dataclass(frozen=True)
class Question:
    """One of the lesson's three questions, for when the words do not decide.

    A "yes" leads to *task*, the generic task of the family *architecture*.

    >>> [q.role for q in QUESTIONS]
    ['understand', 'generate', 'transform']
    """

    role: Literal["understand", "generate", "transform"]
    text: str
    architecture: Architecture
    task: str


#: The lesson's three questions, in its order: understand, generate, transform.
QUESTIONS: Final[tuple[Question, ...]] = (
    Question(
        "understand",
        "Does the output come from the input itself: a label, a span or a score for it?",
        "encoder",
        "text classification",
    ),
    Question(
        "generate",
        "Is the output new text that the input does not contain (a reply, a story, code)?",
        "decoder",
        _INSTRUCT,
    ),
    Question(
        "transform",
        "Is the output the input rewritten: shorter, in another language or in other words?",
        "encoder-decoder",
        "text rewriting",
    ),
)


def _check_catalogue() -> None:
    names = [t.name for t in CATALOGUE]
    if len(set(names)) != len(names):
        raise RuntimeError("two catalogue tasks share a name")
    for task in CATALOGUE:
        for route in (task.checkpoints, task.multilingual):
            if not route or len({_model_architecture(n) for n in route}) != 1:
                raise RuntimeError(f"{task.name}: a route must hold checkpoints of one family")
        if _model_architecture(task.checkpoints[0]) != task.architecture:
            raise RuntimeError(f"{task.name}: its checkpoints are not {task.architecture}s")
        if task.zero_shot is not None and task.zero_shot not in CATALOGUE_BY_NAME:
            raise RuntimeError(f"{task.name}: unknown zero_shot task {task.zero_shot!r}")
    for question in QUESTIONS:
        if CATALOGUE_BY_NAME[question.task].architecture != question.architecture:
            raise RuntimeError(f"question {question.role!r} leads to another family")


_ENCODER_TYPES: Final = frozenset({"bert", "roberta", "albert", "electra", "distilbert"})
_SEQ2SEQ_TYPES: Final = frozenset({"t5", "mt5", "umt5", "bart", "mbart", "marian"})


def _model_architecture(name: str) -> Architecture:
    model_type = reference_config(name)["model_type"]
    if model_type in _ENCODER_TYPES:
        return "encoder"
    return "encoder-decoder" if model_type in _SEQ2SEQ_TYPES else "decoder"


# ------------------------------------------------------------- checkpoints and costs

#: Precision, batch and length at which ``Checkpoint.memory`` is counted.
MEMORY_DTYPE: Final = "fp32"
MEMORY_TOKENS: Final = 512
#: The request ``Checkpoint.cpu_ms`` times: this many input tokens, and this many
#: new tokens for a model that writes text.
REQUEST_TOKENS: Final = 128
NEW_TOKENS: Final = 32
#: The CPU speed assumed for ``Checkpoint.cpu_ms``, in FLOP/s: a recent multi-core
#: laptop or server CPU in fp32.  A rough figure: measure on your own machine.
CPU_FLOPS: Final = 2e11
#: ``cpu_only=True`` keeps the checkpoints whose estimated request fits in this time.
CPU_ONLY_MS: Final = 1000.0
#: ``examples`` from this many up counts as "many": a full fine-tune pays off.
MANY_EXAMPLES: Final = 1000


@dataclass(frozen=True)
class Checkpoint:
    """A public Hugging Face Hub checkpoint and what it costs, from its bundled config.

    ``parameters`` is :func:`parameter_count`; ``memory`` the bytes to run it
    (``MemoryEstimate.inference`` in fp32 for one sequence of 512 tokens: the
    weights, plus the KV cache of a model that writes text); ``cpu_ms`` the time of one
    request estimated from :func:`forward_flops` (128 input tokens, and 32 new tokens
    for a model that writes text) at :data:`CPU_FLOPS`; ``ready`` whether the
    checkpoint does the task as published (otherwise it is a base to fine-tune).

    >>> ckpt = checkpoint("sentence-transformers/all-MiniLM-L6-v2")
    >>> f"{ckpt.parameters:,} parameters, {ckpt.memory / 2**20:.0f} MiB"
    '22,713,216 parameters, 87 MiB'
    """

    name: str
    architecture: Architecture
    parameters: int
    memory: int
    cpu_ms: float
    ready: bool = True


@functools.cache
def _costs(name: str) -> tuple[Architecture, int, int, float]:
    arch = _model_architecture(name)
    memory = memory_estimate(name, dtype=MEMORY_DTYPE, batch=1, seq_len=MEMORY_TOKENS)
    if arch == "encoder":
        flops = forward_flops(name, REQUEST_TOKENS)
    elif arch == "encoder-decoder":
        flops = forward_flops(name, REQUEST_TOKENS, target_tokens=NEW_TOKENS)
    else:
        flops = forward_flops(name, REQUEST_TOKENS + NEW_TOKENS)
    return arch, memory.parameters, memory.inference, flops / CPU_FLOPS * 1000


def _full_names() -> dict[str, str]:
    index: dict[str, str] = {}
    for name in known_models():
        index[name.casefold()] = name
        index[name.rpartition("/")[2].casefold()] = name
    return index


_FULL_NAMES: Final = _full_names()


def checkpoint(name: str, *, ready: bool = True) -> Checkpoint:
    """The :class:`Checkpoint` record of a bundled model (any name :func:`known_models` takes).

    >>> checkpoint("t5-small").name, checkpoint("t5-small").architecture
    ('google-t5/t5-small', 'encoder-decoder')
    """
    reference_config(name)  # a str, and bundled: else the error names the known models
    arch, parameters, memory, cpu_ms = _costs(_FULL_NAMES[name.strip().casefold()])
    return Checkpoint(
        _FULL_NAMES[name.strip().casefold()],
        arch,
        parameters,
        memory,
        round(cpu_ms, 1),
        _check.boolean("ready", ready),
    )


# ------------------------------------------------------------------------- matching

_WORDS: Final = re.compile(r"[^\W_]+")
#: Words read from a description: enough for any task statement, and bounded.
_MAX_WORDS: Final = 200


def _stems(phrase: str) -> tuple[str, ...]:
    return tuple(_WORDS.findall(phrase.casefold()))


@functools.cache
def _phrase(phrase: str) -> tuple[str, ...]:
    return _stems(phrase)


def _stem_matches(stem: str, word: str) -> bool:
    if len(stem) <= 3:
        return word in {stem, stem + "s"}
    return word.startswith(stem)


def _near(word: str, stem: str) -> bool:
    """A misspelling of a stem: same first three letters, and 85 % alike (difflib)."""
    if len(stem) < 5 or len(word) < 5 or word[:3] != stem[:3]:
        return False
    return any(
        difflib.SequenceMatcher(None, word[:n], stem).ratio() >= 0.85
        for n in (len(stem) - 1, len(stem), len(stem) + 1)
    )


@functools.cache
def _all_stems() -> frozenset[str]:
    verbs = [v for role in ROLE_VERBS.values() for v in role]
    phrases = [p for t in CATALOGUE for p in (*t.keywords, *t.data)] + verbs
    return frozenset(stem for p in phrases for stem in _phrase(p))


@dataclass(frozen=True)
class _Match:
    task: Task
    score: float
    words: tuple[str, ...]
    misspelt: tuple[tuple[str, str], ...]


#: The score of each matched keyword word, of any data word, and of any role verb.
KEYWORD_SCORE: Final = 1.0
DATA_SCORE: Final = 0.5
VERB_SCORE: Final = 0.6

# fmt: off
#: Verbs that say what the model does with the text, by the lesson's three roles.  A
#: role's verb adds 0.6 to each task of its family that the words already point to,
#: and alone it leads to the family's generic task (the one its question leads to).
ROLE_VERBS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "understand": ("classif", "label", "flag", "detect", "identif", "recogni", "sort",
                   "filter", "assign", "judge", "decide", "predict", "spot", "score",
                   "extract", "find", "measure", "match", "compar", "check", "whether",
                   "tell apart", "yes or no", "analy", "monitor"),
    "generate": ("generat", "write", "compos", "creat", "produce", "invent", "imagin",
                 "tell", "brainstorm", "new text", "come up with", "answer"),
    "transform": ("rewrit", "convert", "transform", "turn", "fix", "correct", "edit",
                  "change", "adapt", "make", "render"),
})
# fmt: on
#: Each family's generic task: where its question's "yes" leads.
_GENERIC: Final = {q.architecture: q.task for q in QUESTIONS}


@functools.lru_cache(maxsize=8192)
def _readings(word: str) -> tuple[frozenset[str], frozenset[str]]:
    """The catalogue stems *word* matches as written, and those it misspells."""
    exact = frozenset(stem for stem in _all_stems() if _stem_matches(stem, word))
    near = frozenset(() if exact else (stem for stem in _all_stems() if _near(word, stem)))
    return exact, near


def _find(
    phrase: tuple[str, ...], words: Sequence[str]
) -> tuple[list[str], list[tuple[str, str]]] | None:
    """The words of *words* that match *phrase* (consecutive), and the misspelt ones."""
    for start in range(len(words) - len(phrase) + 1):
        found, misspelt = [], []
        for stem, word in zip(phrase, words[start : start + len(phrase)], strict=True):
            exact, near = _readings(word)
            if stem in exact:
                found.append(word)
            elif stem in near:
                found.append(word)
                misspelt.append((word, stem))
            else:
                break
        else:
            return found, misspelt
    return None


def _score(task: Task, words: Sequence[str]) -> _Match:
    score, matched, misspelt = 0.0, [], []
    for phrase in task.keywords:
        hit = _find(_phrase(phrase), words)
        if hit:
            score += KEYWORD_SCORE * len(hit[0])
            matched += hit[0]
            misspelt += hit[1]
    verbs = ROLE_VERBS[ROLES[task.architecture]]
    for phrases, weight in ((task.data, DATA_SCORE), (verbs, VERB_SCORE)):
        if phrases is verbs and not score and task.name != _GENERIC[task.architecture]:
            break  # a verb supports a task the words point to, or its family's generic one
        hits = [h for h in (_find(_phrase(p), words) for p in phrases) if h]
        if hits:  # any number of data words (or of verbs) counts once
            score += weight
            for found, wrong in hits:
                matched += found
                misspelt += wrong
    return _Match(task, score, tuple(dict.fromkeys(matched)), tuple(dict.fromkeys(misspelt)))


def _rank(words: Sequence[str]) -> list[_Match]:
    matches = [m for m in (_score(t, words) for t in CATALOGUE) if m.score > 0]
    # Highest score first; a tie goes to the task listed first in the catalogue.
    return sorted(matches, key=lambda m: -m.score)


# ------------------------------------------------------------------------ languages

_LANGUAGE_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it",
        "portuguese": "pt", "dutch": "nl", "russian": "ru", "chinese": "zh",
        "japanese": "ja", "korean": "ko", "arabic": "ar", "hindi": "hi", "turkish": "tr",
        "polish": "pl", "swedish": "sv", "ukrainian": "uk", "romanian": "ro",
        "czech": "cs", "greek": "el", "finnish": "fi", "danish": "da", "norwegian": "no",
        "hebrew": "he", "indonesian": "id", "vietnamese": "vi", "thai": "th",
        "persian": "fa", "bengali": "bn", "swahili": "sw", "catalan": "ca",
        "hungarian": "hu", "urdu": "ur", "tamil": "ta",
    }
)  # fmt: skip
#: Words that mean "more than one language".
_MULTILINGUAL_WORDS: Final = ("multilingual", "cross lingual", "crosslingual", "many languages")
#: Marian en->X models bundled, by target language.
_OPUS_MT: Final[Mapping[str, str]] = MappingProxyType(
    {"de": "Helsinki-NLP/opus-mt-en-de", "fr": "Helsinki-NLP/opus-mt-en-fr"}
)
#: The target languages t5-small was trained to translate English into.
_T5_TARGETS: Final = ("de", "fr", "ro")


def _language(value: str) -> str:
    key = value.strip().casefold()
    if key in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[key]
    if key in {"mul", "multilingual"}:
        return "mul"
    if key.isascii() and key.isalpha() and len(key) in (2, 3):
        return key
    raise ValueError(
        "languages must hold ISO 639 codes ('fr', 'de') or English language names "
        f"('French'), got {value!r}"
    )


def _check_languages(languages: object) -> tuple[str, ...] | None:
    if languages is None:
        return None
    if isinstance(languages, str):
        items: list[str] = [languages]
    elif isinstance(languages, Sequence):
        items = [_check.instance("each of languages", item, str) for item in languages]
    else:
        raise TypeError(
            f"languages must be a str or a sequence of str, got {type(languages).__name__}"
        )
    if not items:
        raise ValueError("languages must name at least one language, got an empty sequence")
    return tuple(dict.fromkeys(_language(item) for item in items))


def _languages_in(words: Sequence[str]) -> tuple[str, ...]:
    found = [_LANGUAGE_NAMES[w] for w in words if w in _LANGUAGE_NAMES]
    if any(_find(_phrase(p), words) for p in _MULTILINGUAL_WORDS):
        found.append("mul")
    return tuple(dict.fromkeys(found))


# --------------------------------------------------------------------------- memory

_UNITS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
        "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
        "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
    }
)  # fmt: skip
_SIZE: Final = re.compile(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)\s*", re.IGNORECASE)


def parse_memory(memory: str | int) -> int:
    """A memory budget in bytes: an int, or a size with its unit ("4GB", "512 MiB").

    KB, MB, GB and TB are powers of 1000; KiB, MiB, GiB and TiB powers of 1024.

    >>> parse_memory("4GB"), parse_memory("512 MiB"), parse_memory(1000)
    (4000000000, 536870912, 1000)
    """
    if isinstance(memory, str):
        match = _SIZE.fullmatch(memory)
        unit = match[2].casefold() if match else ""
        if match is None or unit not in _UNITS:
            raise ValueError(
                "memory must be a size with a unit, such as '4GB', '512MB' or '1.5GiB' "
                f"(B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), got {memory!r}"
            )
        size = int(float(match[1]) * _UNITS[unit])
        if size < 1:
            raise ValueError(f"memory must be at least 1 byte, got {memory!r}")
        return size
    if _check.is_bool(memory) or not isinstance(memory, int):
        raise TypeError(
            f"memory must be an int (bytes) or a str such as '4GB', got {type(memory).__name__}"
        )
    return _check.integer("memory", memory, minimum=1)


def _size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1000
    return ""  # pragma: no cover


# --------------------------------------------------------------------- recommending


@dataclass(frozen=True)
class Recommendation:
    """What :func:`recommend` answers for a task described in plain words.

    ``task`` is the :data:`CATALOGUE` task the words matched, and ``architecture`` the
    family of the recommended checkpoints; both are ``None`` when the words do not
    decide, and ``questions`` then holds the lesson's three questions (it is empty
    otherwise).  ``checkpoints`` are real Hub checkpoints, smallest first, with their
    size and cost; ``approach`` says how to use them with the labelled examples given;
    ``reasons`` give the words that decided, the rule that fired, and what each
    constraint changed.  ``pipeline_task`` is the transformers 5 ``pipeline()`` task,
    or ``None`` where it has none (summarization, translation, extractive question
    answering); ``usage`` says how to run the checkpoints either way.

    >>> rec = recommend("summarise meeting notes")
    >>> rec.task, rec.architecture, rec.models[0]
    ('summarization', 'encoder-decoder', 'google-t5/t5-small')
    """

    description: str
    task: str | None
    architecture: Architecture | None
    approach: str
    checkpoints: tuple[Checkpoint, ...]
    reasons: tuple[str, ...]
    questions: tuple[str, ...] = ()
    pipeline_task: str | None = None
    usage: str = ""

    @property
    def models(self) -> tuple[str, ...]:
        """The checkpoints' Hub names, smallest first."""
        return tuple(c.name for c in self.checkpoints)

    @property
    def decided(self) -> bool:
        """Whether the words decided a task (otherwise ``questions`` ask)."""
        return self.task is not None


def known_tasks() -> dict[str, tuple[str, ...]]:
    """Each :data:`CATALOGUE` task and the keywords that lead to it.

    >>> len(known_tasks()) == len(CATALOGUE)
    True
    >>> "sentiment" in known_tasks()["sentiment analysis"]
    True
    """
    return {t.name: t.keywords for t in CATALOGUE}


def _quote(words: Sequence[str]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def _undecided(description: str, ranked: list[_Match], reasons: list[str]) -> Recommendation:
    if ranked:
        tied = [m for m in ranked if m.score == ranked[0].score]
        reasons.append(
            "the words fit tasks of different families equally well: "
            + "; ".join(f"{m.task.name} ({m.task.architecture}, {_quote(m.words)})" for m in tied)
        )
    else:
        reasons.append("no word of the description names a task in the catalogue")
    reasons.append("answer the lesson's three questions: the first 'yes' decides the family")
    return Recommendation(
        description=description,
        task=None,
        architecture=None,
        approach="undecided: answer the questions, or name the task in other words",
        checkpoints=(),
        reasons=tuple(reasons),
        questions=tuple(q.text for q in QUESTIONS),
    )


def _route(
    task: Task, languages: tuple[str, ...] | None, reasons: list[str]
) -> tuple[tuple[str, ...], bool]:
    """The task's checkpoints for these languages; the bool says "multilingual"."""
    others = [code for code in languages or () if code not in ("en", "mul")]
    if task.name == "translation" and others:
        codes = [code for code in languages or () if code != "mul"]
        source, target = ("en", codes[0]) if len(codes) == 1 else (codes[0], codes[1])
        names = []
        if source == "en" and target in _OPUS_MT:
            names.append(_OPUS_MT[target])
        if source == "en" and target in _T5_TARGETS:
            names.append("google-t5/t5-small")
        names.append("facebook/mbart-large-50-many-to-many-mmt")
        assumed = " (English assumed as the source)" if len(codes) == 1 else ""
        reasons.append(
            f"languages: {source} -> {target}{assumed}: "
            + ("a Marian opus-mt model for the pair, " if len(names) > 1 else "")
            + ("t5-small (trained on en->de/fr/ro), " if "google-t5/t5-small" in names else "")
            + "mBART-50 (50 languages, any direction)"
        )
        return tuple(names), True
    if "mul" in (languages or ()) and not others:
        others = ["several languages"]
    if others:
        reasons.append(
            f"languages: {', '.join(others)}, not English only, so multilingual checkpoints"
        )
        return task.multilingual, True
    if languages:
        reasons.append("languages: English only, so the English checkpoints")
    return task.checkpoints, False


def recommend(
    task: str,
    *,
    examples: int | None = None,
    memory: str | int | None = None,
    latency_ms: float | None = None,
    languages: str | Sequence[str] | None = None,
    cpu_only: bool = False,
) -> Recommendation:
    """Recommend an architecture and real checkpoints for a task described in plain words.

    **The task.**  The words of *task* are matched against the keywords of every
    :data:`CATALOGUE` task (see :class:`Task`: a keyword word scores 1, a generic verb
    0.6, a word that names the data 0.5; misspellings of a keyword count when they are
    85 % alike).  The highest score wins; a tie goes to the task listed first when the
    tied tasks share a family.  When no task scores, or tasks of different families tie,
    the answer is undecided: ``task`` and ``architecture`` are ``None`` and
    ``questions`` holds the lesson's three questions (:data:`QUESTIONS`).  A string
    never raises.

    **Constraints.**  *examples* (labelled examples you have) and *languages* choose
    which checkpoints: with ``examples=0`` a task whose checkpoints need fine-tuning
    moves to its zero-shot route (an NLI classifier, or an instruction-tuned decoder);
    1 to 999 examples suggest fine-tuning the smallest checkpoint (or LoRA), 1000 and
    more a full fine-tune.  *languages* (ISO codes or English names, also read from the
    description: "French tweets") other than English choose multilingual checkpoints,
    and a language pair chooses translation models.  *memory* (bytes, or a size such as
    "4GB"), *latency_ms* and *cpu_only* only narrow: they drop the checkpoints whose
    ``Checkpoint.memory`` or estimated CPU time (``Checkpoint.cpu_ms``,
    at most :data:`CPU_ONLY_MS` on a CPU) exceeds the budget, and never add one.
    The reasons say what each constraint changed.

    >>> rec = recommend("sentiment of tweets")
    >>> rec.task, rec.architecture
    ('sentiment analysis', 'encoder')
    >>> recommend("spam detection", examples=0).task
    'zero-shot classification'
    >>> recommend("translate", languages=["en", "fr"]).models
    ('google-t5/t5-small', 'Helsinki-NLP/opus-mt-en-fr', 'facebook/mbart-large-50-many-to-many-mmt')
    >>> recommend("knitting").questions[0]
    'Does the output come from the input itself: a label, a span or a score for it?'
    """
    description = _check.text("task", task, empty=True)
    n_examples = None if examples is None else _check.integer("examples", examples, minimum=0)
    budget = None if memory is None else parse_memory(memory)
    latency = (
        None if latency_ms is None else _check.real("latency_ms", latency_ms, low=0, low_open=True)
    )
    wanted = _check_languages(languages)
    on_cpu = _check.boolean("cpu_only", cpu_only)

    words = _stems(description)[:_MAX_WORDS]
    reasons: list[str] = []
    ranked = _rank(words)
    if not ranked or (
        len(ranked) > 1
        and ranked[1].score == ranked[0].score
        and ranked[1].task.architecture != ranked[0].task.architecture
    ):
        return _undecided(description, ranked, reasons)
    best = ranked[0]
    rule = f"the highest score, {best.score:g}"
    if len(ranked) > 1:
        rule += f", against {ranked[1].score:g} for {ranked[1].task.name}"
    reasons.append(f"words {_quote(best.words)} -> task '{best.task.name}' ({rule})")
    for wrong, stem in best.misspelt:
        reasons.append(f"read '{wrong}' as a spelling of '{stem}'")
    chosen = best.task
    reasons.append(
        f"{chosen.name} gives {chosen.output}: {ROLES[chosen.architecture]} -> "
        f"{chosen.architecture}"
    )
    if wanted is None:
        found = _languages_in(words)
        if found:
            wanted = found
            reasons.append(f"languages named in the description: {', '.join(found)}")

    names, multilingual = _route(chosen, wanted, reasons)
    ready_names = chosen.ready
    approach = ""
    if n_examples == 0:
        if any(n in ready_names for n in names):
            names = tuple(n for n in names if n in ready_names)
            approach = "use as published: no labelled examples needed"
            reasons.append("examples=0: only the checkpoints that already do the task")
        elif chosen.zero_shot is not None:
            chosen = CATALOGUE_BY_NAME[chosen.zero_shot]
            names = chosen.multilingual if multilingual else chosen.checkpoints
            ready_names = chosen.ready
            approach = (
                "zero-shot: name your labels, an NLI model scores each"
                if chosen.name == _ZSC and _model_architecture(names[0]) == "encoder"
                else "zero-shot: describe the task in a prompt to an instruction-tuned decoder"
            )
            reasons.append(
                f"examples=0 and no checkpoint that does the task as published: "
                f"route to '{chosen.name}'"
            )
    if not approach:
        approach = _approach(names, ready_names, n_examples, reasons)

    checkpoints = sorted(
        (checkpoint(n, ready=n in ready_names) for n in names), key=lambda c: c.parameters
    )
    checkpoints = _narrow(checkpoints, budget, latency, on_cpu, reasons)
    architecture = _model_architecture(names[0])
    if architecture != best.task.architecture:
        reasons.append(f"the route changed the family: {best.task.architecture} -> {architecture}")
    pipeline_task = chosen.pipeline_task if architecture == chosen.architecture else _GENERATE
    return Recommendation(
        description=description,
        task=chosen.name,
        architecture=architecture,
        approach=approach,
        checkpoints=tuple(checkpoints),
        reasons=tuple(reasons),
        pipeline_task=pipeline_task,
        usage=(
            f'pipeline("{pipeline_task}", model=<a checkpoint>)' if pipeline_task else chosen.usage
        ),
    )


def _approach(
    names: Sequence[str],
    ready: frozenset[str],
    examples: int | None,
    reasons: list[str],
) -> str:
    if any(n in ready for n in names):
        if examples:
            reasons.append(
                f"examples={examples:,}: enough to measure the published checkpoints on your "
                "data, and to fine-tune them if they fall short"
            )
        return "use as published; fine-tune on your own examples if it falls short"
    if examples is None:
        return "fine-tune on labelled examples (how many you have decides how)"
    if examples >= MANY_EXAMPLES:
        reasons.append(
            f"examples={examples:,} (at least {MANY_EXAMPLES:,}): a full fine-tune of any "
            "of the checkpoints"
        )
        return "full fine-tune"
    reasons.append(
        f"examples={examples:,} (fewer than {MANY_EXAMPLES:,}): fine-tune the smallest "
        "checkpoint, or LoRA on a larger one; few examples do not justify a large model"
    )
    return "fine-tune the smallest checkpoint, or LoRA"


def _narrow(
    checkpoints: list[Checkpoint],
    budget: int | None,
    latency: float | None,
    on_cpu: bool,
    reasons: list[str],
) -> list[Checkpoint]:
    limits: list[tuple[str, Callable[[Checkpoint], bool]]] = []
    if budget is not None:
        limits.append(
            (
                f"memory={_size(budget)}: drops those needing more to run",
                lambda c: c.memory <= budget,
            )
        )
    if latency is not None:
        limits.append(
            (
                f"latency_ms={latency:g}: drops those estimated slower on a CPU",
                lambda c: c.cpu_ms <= latency,
            )
        )
    if on_cpu:
        limits.append(
            (
                f"cpu_only: drops those estimated over {CPU_ONLY_MS:g} ms a request on a CPU",
                lambda c: c.cpu_ms <= CPU_ONLY_MS,
            )
        )
    for text, keep in limits:
        kept = [c for c in checkpoints if keep(c)]
        dropped = [c.name for c in checkpoints if not keep(c)]
        detail = f"dropped {', '.join(dropped)}" if dropped else "all fit"
        if checkpoints and not kept:
            small = checkpoints[0]
            detail += (
                f"; none fits: the smallest needs {_size(small.memory)} and "
                f"{small.cpu_ms:g} ms, so relax the budget"
            )
        reasons.append(f"{text} ({detail})")
        checkpoints = kept
    return checkpoints


_check_catalogue()
