"""T5's text-to-text framing, string for string as the reference implementation.

T5 (Raffel et al., 2020, *Exploring the Limits of Transfer Learning with a Unified
Text-to-Text Transformer*) casts every task as "text in, text out": the task is named
in the input text and the label is a word in the output text. This module rebuilds the
strings of the reference code, google-research/text-to-text-transfer-transformer
(``t5/data/preprocessors.py``, ``t5/data/glue_utils.py``, ``t5/data/postprocessors.py``;
the paper's appendix D shows one example per task), so the guide can show and test
exactly what the model saw:

- :func:`frame` builds a task's input text, :data:`TASKS` lists the tasks (:class:`TaskSpec`);
- :func:`encode_target` and :func:`decode_target` map labels to T5's target text and back;
- :func:`span_corruption` is T5's pre-training objective and :func:`length_stats` gives the
  exact input and target lengths it produces.

``frame`` and ``TASKS`` use the standard library only; numpy is imported by
``span_corruption`` when it is called.

>>> frame("mnli", premise="A man is eating.", hypothesis="Someone eats.")
'mnli hypothesis: Someone eats. premise: A man is eating.'
>>> encode_target("mnli", 0), decode_target("mnli", "contradiction")
('entailment', 2)
>>> list(TASKS)[:4], TASKS["boolq"].benchmark
(['cola', 'sst2', 'mrpc', 'qqp'], 'SuperGLUE')
"""

from __future__ import annotations

import difflib
import math
import numbers
import operator
import re
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, NamedTuple, SupportsFloat, SupportsIndex

from . import _check

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    import numpy as np

__all__ = [
    "TASKS",
    "LengthStats",
    "SpanCorruption",
    "TaskSpec",
    "decode_target",
    "encode_target",
    "frame",
    "length_stats",
    "span_corruption",
]

Benchmark = Literal["GLUE", "SuperGLUE", "SQuAD", "CNN/DM", "WMT"]
FieldValue = str | Sequence[str]
Label = str | SupportsIndex | SupportsFloat  # a label word, class index or STS-B score


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One T5 task: how its input is framed and which words its targets use.

    ``prefix`` is the task marker T5 puts first (``"{source}"``/``"{target}"`` are filled in
    for ``translate``; SQuAD has none, it is recognised by its field names). ``fields`` are
    the keyword arguments :func:`frame` needs, in the order they appear in the input.
    ``label_words`` are the target words indexed by class (as in GLUE/TFDS), or ``None``
    when the target is free text (or a number, for ``stsb``).

    >>> TASKS["qnli"].fields, TASKS["qnli"].label_words
    (('question', 'sentence'), ('entailment', 'not_entailment'))
    >>> TASKS["squad"].label_words is None
    True
    """

    name: str
    prefix: str
    fields: tuple[str, ...]
    label_words: tuple[str, ...] | None
    description: str
    benchmark: Benchmark


_FALSE_TRUE = ("False", "True")
_NLI2 = ("entailment", "not_entailment")

# Label words are TFDS's ``label_classes``, which T5 uses verbatim as targets. GLUE-style
# fields are in alphabetical order because ``preprocessors.glue`` sorts feature names,
# except multirc and wic, whose order ``glue_utils.get_glue_text_preprocessor`` fixes.
_SPECS = (
    TaskSpec("cola", "cola", ("sentence",), ("unacceptable", "acceptable"),
             "CoLA: is the sentence grammatically acceptable?", "GLUE"),
    TaskSpec("sst2", "sst2", ("sentence",), ("negative", "positive"),
             "SST-2: is the sentiment of the movie-review sentence positive?", "GLUE"),
    TaskSpec("mrpc", "mrpc", ("sentence1", "sentence2"), ("not_equivalent", "equivalent"),
             "MRPC: are the two sentences paraphrases of each other?", "GLUE"),
    TaskSpec("qqp", "qqp", ("question1", "question2"), ("not_duplicate", "duplicate"),
             "QQP: do the two Quora questions ask the same thing?", "GLUE"),
    TaskSpec("stsb", "stsb", ("sentence1", "sentence2"), None,
             "STS-B: similarity of two sentences, 0 to 5, written in steps of 0.2.", "GLUE"),
    TaskSpec("mnli", "mnli", ("hypothesis", "premise"),
             ("entailment", "neutral", "contradiction"),
             "MNLI: does the premise entail, contradict or not decide the hypothesis?", "GLUE"),
    TaskSpec("qnli", "qnli", ("question", "sentence"), _NLI2,
             "QNLI: does the sentence contain the answer to the question?", "GLUE"),
    TaskSpec("rte", "rte", ("sentence1", "sentence2"), _NLI2,
             "RTE (GLUE form): does sentence1 entail sentence2?", "GLUE"),
    TaskSpec("boolq", "boolq", ("passage", "question"), _FALSE_TRUE,
             "BoolQ: is the answer to the yes/no question about the passage yes?", "SuperGLUE"),
    TaskSpec("cb", "cb", ("hypothesis", "premise"),
             ("entailment", "contradiction", "neutral"),
             "CommitmentBank: three-way entailment between premise and hypothesis.", "SuperGLUE"),
    TaskSpec("copa", "copa", ("choice1", "choice2", "premise", "question"),
             ("choice1", "choice2"),
             "COPA: which choice is the cause (or effect) of the premise?", "SuperGLUE"),
    TaskSpec("multirc", "multirc", ("question", "answer", "paragraph"), _FALSE_TRUE,
             "MultiRC: is this answer to the question about the paragraph correct?",
             "SuperGLUE"),
    TaskSpec("wic", "wic", ("sentence1", "sentence2", "word"), _FALSE_TRUE,
             "WiC: is the word used with the same meaning in both sentences?", "SuperGLUE"),
    TaskSpec("wsc", "wsc:", ("text", "pronoun"), None,
             "WSC (T5's simple form): name what the *marked* pronoun refers to.", "SuperGLUE"),
    TaskSpec("record", "record", ("query", "entities", "passage"), None,
             "ReCoRD: which entity of the passage fills @placeholder in the query?",
             "SuperGLUE"),
    TaskSpec("squad", "", ("question", "context"), None,
             "SQuAD v1.1: give the span of the context that answers the question.", "SQuAD"),
    TaskSpec("summarize", "summarize:", ("text",), None,
             "CNN/Daily Mail: write a short abstractive summary of the article.", "CNN/DM"),
    TaskSpec("translate", "translate {source} to {target}:", ("source", "target", "text"), None,
             "WMT: translate text between the named languages (T5: English to German, "
             "French, Romanian).", "WMT"),
)  # fmt: skip

TASKS: Mapping[str, TaskSpec] = MappingProxyType({spec.name: spec for spec in _SPECS})
"""Read-only registry of the supported T5 tasks, by name (see the module's examples)."""

_COPA_QUESTIONS = ("cause", "effect")
_MAX_STSB = 5.0


# ----------------------------------------------------------------------------- framing


def frame(task: str, /, **fields: FieldValue) -> str:
    """Build the input text T5 feeds its encoder for ``task``.

    Fields are passed by name (see ``TASKS[task].fields``); every value must be a
    non-empty ``str`` (only ReCoRD's ``entities`` is a list of strings). The formats,
    from ``t5/data/preprocessors.py``:

    - GLUE and SuperGLUE (``preprocessors.glue``): the task name, then ``field: value``
      pairs with fields in alphabetical order (multirc: question, answer, paragraph).
      MultiRC then drops ``<b>``/``</b>`` and turns ``<br>`` into a space, as T5 does.
      (SuperGLUE's RTE uses premise/hypothesis; ``"rte"`` here is the GLUE form.)
    - ``stsb``: ``stsb sentence1: ... sentence2: ...`` (``preprocessors.stsb``).
    - ``wsc``: T5 did not train on the ``wsc text: ...`` True/False form but on
      ``wsc_simple``: ``wsc: <text with the *pronoun* starred>``, target = the referent.
      The first occurrence of ``pronoun`` that follows a space and precedes a space,
      ``.`` or ``,`` is starred, as in T5's ``definite_pronoun_resolution_simple``
      (``wsc_simple`` picks the occurrence by word index instead).
    - ``record``: ``record query: ... entities: A, B, C passage: ...`` with the
      ``@highlight`` markers of the passage turned into sentence breaks.
    - ``squad``: ``question: ... context: ...`` with T5's punctuation padding (a space on
      both sides of every non-word character, whitespace runs collapsed), so the text may
      end with a space, exactly as T5's own test expects.
    - ``summarize``: ``summarize: <text>``.
    - ``translate``: ``translate <source> to <target>: <text>``; T5 writes the English
      names of the languages (``"German"``, not ``"de"``).

    Raises ``ValueError`` for an unknown task (suggesting close names), a missing or
    unexpected field (listing the expected ones), an empty or whitespace-only value, and
    ``TypeError`` for a value that is not a string.

    >>> frame("cola", sentence="The book was by John written.")
    'cola sentence: The book was by John written.'
    >>> frame("stsb", sentence1="Big news.", sentence2="No idea.")
    'stsb sentence1: Big news. sentence2: No idea.'
    >>> frame("translate", source="English", target="German", text="That is good.")
    'translate English to German: That is good.'
    >>> frame("squad", question="A question?", context="Some context.")
    'question: A question ? context: Some context . '
    >>> frame("wsc", text="Mitchell asked Tom if he could lend some money.", pronoun="he")
    'wsc: Mitchell asked Tom if *he* could lend some money.'
    >>> frame("mnl", premise="p", hypothesis="h")
    Traceback (most recent call last):
    ...
    ValueError: unknown task 'mnl' (did you mean 'mnli'?); known tasks: cola, sst2, ...
    """
    spec = _spec(task)
    values = _check_fields(spec, fields)
    return _RENDERERS.get(spec.name, _render_glue)(spec, values)


def _spec(task: object) -> TaskSpec:
    if not isinstance(task, str):
        raise TypeError(f"task must be a str naming a task, got {type(task).__name__}")
    spec = TASKS.get(task)
    if spec is not None:
        return spec
    close = difflib.get_close_matches(task.strip().lower(), list(TASKS), n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
    raise ValueError(f"unknown task {task!r}{hint}; known tasks: {', '.join(TASKS)}")


def _check_fields(spec: TaskSpec, fields: Mapping[str, object]) -> dict[str, str]:
    expected = ", ".join(spec.fields)
    unexpected = [name for name in fields if name not in spec.fields]
    if unexpected:
        close = {name: difflib.get_close_matches(name, spec.fields, n=1) for name in unexpected}
        hints = "".join(f" ({n!r}: did you mean {c[0]!r}?)" for n, c in close.items() if c)
        names = ", ".join(map(repr, unexpected))
        raise ValueError(
            f"unexpected field(s) {names} for task {spec.name!r}{hints}; expected: {expected}"
        )
    missing = [name for name in spec.fields if name not in fields]
    if missing:
        names = ", ".join(map(repr, missing))
        raise ValueError(f"task {spec.name!r} is missing field(s) {names}; expected: {expected}")
    return {name: _check_value(spec, name, fields[name]) for name in spec.fields}


def _check_value(spec: TaskSpec, name: str, value: object) -> str:
    if spec.name == "record" and name == "entities":
        return _check_entities(value)
    if not isinstance(value, str):
        raise TypeError(
            f"field {name!r} of task {spec.name!r} must be a str, got {type(value).__name__}"
        )
    if not value.strip():
        # T5 would happily frame an empty field, but the example would teach nothing.
        raise ValueError(f"field {name!r} of task {spec.name!r} is empty or only whitespace")
    if spec.name == "copa" and name == "question" and value not in _COPA_QUESTIONS:
        raise ValueError(f"copa's question must be 'cause' or 'effect', got {value!r}")
    if spec.name == "record" and name == "query" and "@placeholder" not in value:
        raise ValueError("record's query must contain '@placeholder' (the blank to fill)")
    return value


def _check_entities(value: object) -> str:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(
            "field 'entities' of task 'record' must be a list of str (the candidate "
            f"entities), got {type(value).__name__}"
        )
    if not value:
        raise ValueError("field 'entities' of task 'record' is an empty list")
    for entity in value:
        if not isinstance(entity, str):
            raise TypeError(f"record entities must be str, got {type(entity).__name__}")
        if not entity.strip():
            raise ValueError("record entities must not be empty or only whitespace")
    # preprocessors.record joins the entity list with ", ".
    return ", ".join(value)


def _render_glue(spec: TaskSpec, values: Mapping[str, str]) -> str:
    # preprocessors.glue: [benchmark, "key:", value, ...] joined with single spaces.
    parts = [spec.prefix]
    for name in spec.fields:
        parts += [f"{name}:", values[name]]
    return " ".join(parts)


def _render_multirc(spec: TaskSpec, values: Mapping[str, str]) -> str:
    # preprocessors.glue strips MultiRC's HTML from the whole joined string.
    joined = _render_glue(spec, values).replace("<br>", " ")
    return re.sub(r"<(/)?b>", "", joined)


def _render_record(spec: TaskSpec, values: Mapping[str, str]) -> str:
    # preprocessors.record: "@highlight" lines (CNN/DM bullet points) become sentences.
    passage = re.sub(r"(\.|\?|\!|\"|\')\n@highlight\n", r"\1 ", values["passage"])
    passage = re.sub(r"\n@highlight\n", ". ", passage)
    return _render_glue(spec, {**values, "passage": passage})


def _render_wsc(spec: TaskSpec, values: Mapping[str, str]) -> str:
    # definite_pronoun_resolution_simple's regex (T5 does not escape; words need no escaping).
    pattern = " (" + re.escape(values["pronoun"]) + r")( |\.|,)"
    if re.search(pattern, values["text"]) is None:
        raise ValueError(
            f"pronoun {values['pronoun']!r} does not occur in the wsc text as a word preceded "
            "by a space and followed by a space, '.' or ','"
        )
    return f"{spec.prefix} " + re.sub(pattern, r" *\1*\2", values["text"], count=1)


def _pad_punctuation(text: str) -> str:
    # preprocessors._pad_punctuation: space around every non-word char, collapse runs.
    return re.sub(r"\s+", " ", re.sub(r"(\W)", r" \1 ", text))


def _render_squad(_spec: TaskSpec, values: Mapping[str, str]) -> str:
    # preprocessors._string_join joins with spaces and collapses whitespace again.
    parts = ["question:", _pad_punctuation(values["question"])]
    parts += ["context:", _pad_punctuation(values["context"])]
    return re.sub(r"\s+", " ", " ".join(parts))


def _render_summarize(spec: TaskSpec, values: Mapping[str, str]) -> str:
    return f"{spec.prefix} {values['text']}"


def _render_translate(spec: TaskSpec, values: Mapping[str, str]) -> str:
    head = spec.prefix.format(source=values["source"], target=values["target"])
    return f"{head} {values['text']}"


_RENDERERS: Mapping[str, Callable[[TaskSpec, Mapping[str, str]], str]] = MappingProxyType(
    {
        "multirc": _render_multirc,
        "record": _render_record,
        "wsc": _render_wsc,
        "squad": _render_squad,
        "summarize": _render_summarize,
        "translate": _render_translate,
    }
)


# ----------------------------------------------------------------------------- targets


def encode_target(task: str, label: Label) -> str:
    """Return T5's target text for ``label``.

    - Classification tasks take the class index as in GLUE/TFDS (``int``, numpy ints too,
      not ``bool``) or the label word itself, and return the label word
      (``TASKS[task].label_words``). COPA's words are ``choice1``/``choice2``.
    - ``stsb`` takes a score in [0, 5] and returns ``round(score * 5) / 5`` with one
      decimal, as ``preprocessors.stsb`` (ties go to the even multiple of 0.2, as
      ``tf.round`` does).
    - Free-text tasks (``squad``, ``summarize``, ``translate``, ``wsc`` whose target is the
      referent, ``record`` whose target is the entity) take the text; SQuAD answers get
      the same punctuation padding as the input, as T5's ``preprocessors.squad`` does.

    T5 writes ``<unk>`` for unlabelled test examples (label -1); here -1 is an error.

    >>> encode_target("cola", 1), encode_target("cola", "unacceptable")
    ('acceptable', 'unacceptable')
    >>> encode_target("copa", 1)
    'choice2'
    >>> encode_target("stsb", 1.66)
    '1.6'
    >>> encode_target("squad", "The answer.")
    'The answer . '
    """
    spec = _spec(task)
    if spec.name == "stsb":
        return f"{_stsb_score(label, 'label'):.1f}"
    if spec.label_words is None:
        return _free_text_target(spec, label)
    return spec.label_words[_class_index(spec, spec.label_words, label)]


def decode_target(task: str, text: str) -> int | float | str:
    """Map T5's output text back to a label: the inverse of :func:`encode_target`.

    Classification tasks return the class index; the text must be one of the label words
    exactly (case and spacing included, as ``postprocessors.string_label_to_class_id``).
    ``stsb`` returns the score as a float (``postprocessors.string_to_float``). Free-text
    tasks return the text unchanged.

    Text that is no valid label raises ``ValueError``. T5's postprocessors instead turn it
    into ``-1``, which the metrics then count as a wrong answer.

    >>> decode_target("rte", "not_entailment")
    1
    >>> decode_target("stsb", "3.4")
    3.4
    >>> decode_target("sst2", "Positive")
    Traceback (most recent call last):
    ...
    ValueError: 'Positive' is no sst2 label; expected one of 'negative', 'positive' ...
    """
    spec = _spec(task)
    if not isinstance(text, str):
        raise TypeError(f"text to decode must be a str, got {type(text).__name__}")
    if spec.name == "stsb":
        return _decode_stsb(text)
    if spec.label_words is None:
        return text
    if text in spec.label_words:
        return spec.label_words.index(text)
    words = ", ".join(map(repr, spec.label_words))
    raise ValueError(
        f"{text!r} is no {spec.name} label; expected one of {words} "
        "(T5's postprocessors would map it to -1, an always-wrong class)"
    )


def _class_index(spec: TaskSpec, words: tuple[str, ...], label: object) -> int:
    if isinstance(label, str):
        if label in words:
            return words.index(label)
        raise ValueError(
            f"{label!r} is no {spec.name} label word; expected one of {', '.join(words)}"
        )
    if _check.is_bool(label):  # numpy's bool too: numpy 2.0 only warns on its index()
        raise TypeError(f"{spec.name} labels are class indices or words, not bool")
    try:
        index = operator.index(label)  # type: ignore[arg-type]  # its TypeError is the check
    except TypeError:
        raise TypeError(
            f"{spec.name} label must be an int class index or a label word, "
            f"got {type(label).__name__}"
        ) from None
    if not 0 <= index < len(words):
        raise ValueError(
            f"{spec.name} class index must be in 0..{len(words) - 1}, got {index} "
            "(T5 writes '<unk>' for unlabelled examples, label -1)"
        )
    return index


def _stsb_score(score: object, what: str) -> float:
    if isinstance(score, bool) or not isinstance(score, numbers.Real):
        raise TypeError(f"stsb {what} must be a real number, got {type(score).__name__}")
    try:
        value = float(score)
    except OverflowError:  # an int beyond float's range
        raise ValueError(f"stsb {what} must be a finite number in [0, 5], got a huge int") from None
    if not 0.0 <= value <= _MAX_STSB:  # also rejects NaN
        raise ValueError(f"stsb {what} must be a finite number in [0, 5], got {value!r}")
    # Python's round, like tf.round, sends ties to even.
    return round(value * 5) / 5


def _decode_stsb(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is no stsb score (T5's string_to_float would return -1)"
        ) from None
    if not 0.0 <= value <= _MAX_STSB:
        raise ValueError(f"stsb score must be a finite number in [0, 5], got {text!r}")
    return value + 0.0  # "-0" and "-0.0" read as 0.0


def _free_text_target(spec: TaskSpec, label: object) -> str:
    if not isinstance(label, str):
        raise TypeError(f"the {spec.name} target is text, got {type(label).__name__}")
    if not label.strip():
        raise ValueError(f"the {spec.name} target is empty or only whitespace")
    return _pad_punctuation(label) if spec.name == "squad" else label


# ----------------------------------------------------------------------- span corruption

_SENTINEL = "<extra_id_{}>"
# T5 counts sequence lengths in int32 (and float32 could not hold larger ones exactly).
_MAX_LENGTH = 2**31 - 1
_SENTINEL_RE = re.compile(r"<extra_id_(\d+)>")


class SpanCorruption(NamedTuple):
    """Inputs and targets of one span-corruption example; unpacks as ``(inputs, targets)``.

    >>> ex = SpanCorruption(["a", "<extra_id_0>", "d"], ["<extra_id_0>", "b", "c"])
    >>> ex.reconstruct(), ex.noise_mask
    (['a', 'b', 'c', 'd'], [False, True, True, False])
    """

    inputs: list[str]
    targets: list[str]

    def reconstruct(self) -> list[str]:
        """Return the original tokens: each input sentinel replaced by its target span.

        >>> SpanCorruption(["x", "<extra_id_0>"], ["<extra_id_0>", "y"]).reconstruct()
        ['x', 'y']
        """
        return [token for token, _ in self._merge()]

    @property
    def noise_mask(self) -> list[bool]:
        """Which original tokens were noise (moved to the targets).

        >>> SpanCorruption(["x", "<extra_id_0>"], ["<extra_id_0>", "y"]).noise_mask
        [False, True]
        """
        return [is_noise for _, is_noise in self._merge()]

    def _merge(self) -> list[tuple[str, bool]]:
        for name in ("inputs", "targets"):
            _check.strings(name, getattr(self, name))
        spans = _target_spans(self.targets)
        merged: list[tuple[str, bool]] = []
        used = 0
        for token in self.inputs:
            index = _sentinel_index(token)
            if index is None:
                merged.append((token, False))
                continue
            # Sentinels are numbered in order of appearance, in inputs as in targets.
            if index != used or index >= len(spans):
                raise ValueError(f"input sentinel {token} has no matching target span")
            merged += [(t, True) for t in spans[index]]
            used += 1
        if used != len(spans):
            raise ValueError(f"inputs use {used} sentinels but targets hold {len(spans)} spans")
        return merged


def _sentinel_index(token: str) -> int | None:
    match = _SENTINEL_RE.fullmatch(token)
    return None if match is None else int(match.group(1))


def _target_spans(targets: Sequence[str]) -> list[list[str]]:
    spans: list[list[str]] = []
    for token in targets:
        index = _sentinel_index(token)
        if index is None:
            if not spans:
                raise ValueError("targets must start with the sentinel <extra_id_0>")
            spans[-1].append(token)
        elif index == len(spans):
            spans.append([])
        else:
            raise ValueError(f"target sentinels must count up from 0; found {token}")
    return spans


class LengthStats(NamedTuple):
    """Token counts of span-corruption inputs and targets, sentinels included, EOS not.

    >>> length_stats(512)
    LengthStats(inputs=461, targets=103)
    """

    inputs: int
    targets: int


def length_stats(
    n: int, noise_density: float = 0.15, mean_noise_span_length: float = 3.0
) -> LengthStats:
    """Exact lengths of :func:`span_corruption`'s inputs and targets for ``n`` tokens.

    The counts do not depend on the random draw: with ``k`` noise tokens in ``s`` spans,
    inputs hold ``n - k`` kept tokens plus ``s`` sentinels and targets ``k`` noise tokens
    plus ``s`` sentinels. T5's ``random_spans_helper`` adds 1 to each for the EOS token the
    pipeline appends later (and uses float64 where the mask uses float32, so it can be
    off by one token at exact ties; this follows the mask). ``n`` is at most
    ``2**31 - 1``, T5's int32 length.

    >>> length_stats(70, noise_density=0.2, mean_noise_span_length=2.0)
    LengthStats(inputs=63, targets=21)
    """
    num_noise, num_spans = _span_counts(n, noise_density, mean_noise_span_length)
    return LengthStats(n - num_noise + num_spans, num_noise + num_spans)


def span_corruption(
    tokens: Sequence[str],
    *,
    noise_density: float = 0.15,
    mean_noise_span_length: float = 3.0,
    rng: int | np.random.Generator | None = None,
) -> SpanCorruption:
    """Apply T5's pre-training objective (span corruption) to a token sequence.

    Follows ``random_spans_noise_mask`` and ``noise_span_to_unique_sentinel`` in
    ``t5/data/preprocessors.py``:

    - ``num_noise = round(n * noise_density)`` clamped to ``[1, n - 1]``, and
      ``num_spans = max(1, round(num_noise / mean_noise_span_length))``, computed in
      float32 with ties to even as TensorFlow does (``n=190`` gives 29 noise tokens, not
      the 28 of float64 arithmetic);
    - noise and kept tokens are each cut into ``num_spans`` non-empty spans uniformly at
      random; spans alternate kept, noise, kept, noise, ..., so the sequence always ends
      with noise (with a single span, the noise is the tail);
    - inputs replace each noise span by one sentinel ``<extra_id_0>``, ``<extra_id_1>``,
      ...; targets replace each kept span by the same sentinel, so they start with
      ``<extra_id_0>`` and end with the last noise span: there is no closing sentinel
      (the paper's figure shows one because its text ends with kept tokens), and the EOS
      token is appended later by T5's pipeline, not here.

    ``tokens`` must hold at least 2 non-empty strings, none of which looks like a
    sentinel. ``rng`` is ``None`` (fresh entropy), an ``int`` seed or a
    ``numpy.random.Generator``. The reference code fails when there are more noise
    spans than kept tokens (e.g. ``mean_noise_span_length=1`` with density > 0.5); this
    raises ``ValueError`` there. T5's vocabulary has 100 sentinels, enough for about
    2000 tokens at the default settings.

    >>> words = "Thank you for inviting me to your party last week .".split()
    >>> inputs, targets = span_corruption(words, rng=0)
    >>> " ".join(inputs)
    'Thank you for inviting me to your party last <extra_id_0>'
    >>> targets
    ['<extra_id_0>', 'week', '.']
    >>> ex = span_corruption(words * 4, noise_density=0.3, rng=1)
    >>> ex.reconstruct() == words * 4, sum(ex.noise_mask), len(ex.inputs) + len(ex.targets)
    (True, 13, 52)
    """
    import numpy as np  # noqa: PLC0415 - lazy: framing must not pay for numpy

    seq = _check_tokens(tokens)
    num_noise, num_spans = _span_counts(len(seq), noise_density, mean_noise_span_length)
    generator = _check.generator("rng", rng)
    noise_lengths = _random_segmentation(num_noise, num_spans, generator)
    kept_lengths = _random_segmentation(len(seq) - num_noise, num_spans, generator)
    interleaved = np.stack([kept_lengths, noise_lengths], axis=1).reshape(-1)
    mask = np.repeat(np.tile([False, True], num_spans), interleaved).tolist()
    return SpanCorruption(_spans_to_sentinels(seq, mask), _spans_to_sentinels(seq, _not(mask)))


def _not(mask: list[bool]) -> list[bool]:
    return [not m for m in mask]


def _check_tokens(tokens: object) -> list[str]:
    if isinstance(tokens, str | bytes) or not isinstance(tokens, Sequence):
        raise TypeError(
            "tokens must be a sequence of str tokens (e.g. text.split()), "
            f"got {type(tokens).__name__}"
        )
    seq = list(tokens)
    for token in seq:
        if not isinstance(token, str):
            raise TypeError(f"tokens must be str, got {type(token).__name__}")
        if not token:
            raise ValueError("tokens must be non-empty strings")
        if _SENTINEL_RE.fullmatch(token):
            raise ValueError(f"token {token!r} is a sentinel; sentinels cannot be corrupted")
    if len(seq) < 2:
        raise ValueError(f"span corruption needs at least 2 tokens, got {len(seq)}")
    return seq


def _f32(x: float) -> float:
    # Round to the nearest float32. Products and quotients of float32 values computed in
    # float64 and then rounded this way equal TensorFlow's float32 results exactly.
    try:
        value: float = struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.inf
    return value


def _span_counts(
    n: object, noise_density: object, mean_noise_span_length: object
) -> tuple[int, int]:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    length = int(n)
    # An int too long to print (4300+ digits) is shown by its size.
    shown = str(length) if length.bit_length() < 64 else f"an int of {length.bit_length()} bits"
    if length < 2:
        raise ValueError(f"span corruption needs at least 2 tokens, got {shown}")
    if length > _MAX_LENGTH:
        raise ValueError(
            f"n must be at most 2**31 - 1 tokens (T5 counts lengths in int32), got {shown}"
        )
    density = _check.real(
        "noise_density", noise_density, low=0.0, high=1.0, low_open=True, high_open=True
    )
    mean = _check.real("mean_noise_span_length", mean_noise_span_length, low=1.0)
    num_noise = round(_f32(_f32(length) * _f32(density)))
    num_noise = min(max(num_noise, 1), length - 1)
    num_spans = max(round(_f32(_f32(num_noise) / _f32(mean))), 1)
    if num_spans > length - num_noise:
        raise ValueError(
            f"{length} tokens at noise_density={density} give {num_noise} noise tokens in "
            f"{num_spans} spans but only {length - num_noise} kept tokens to separate them; "
            "T5's random_spans_noise_mask cannot build this mask: lower noise_density or "
            "raise mean_noise_span_length"
        )
    return num_noise, num_spans


def _random_segmentation(
    num_items: int, num_segments: int, generator: np.random.Generator
) -> np.ndarray[tuple[int], np.dtype[np.intp]]:
    import numpy as np  # noqa: PLC0415 - lazy, see span_corruption

    # As the reference: shuffle (num_segments - 1) segment starts among the num_items - 1
    # gaps between items, so every split into non-empty segments is equally likely.
    starts = generator.permutation(np.arange(num_items - 1) < num_segments - 1)
    # np.intp throughout: bincount and repeat take platform integers only, and those are
    # int32 on wasm32, where Pyodide runs this in the reader's browser.
    segment_id = np.cumsum(np.concatenate([[0], starts.astype(np.intp)]))
    return np.bincount(segment_id, minlength=num_segments)


def _spans_to_sentinels(tokens: Sequence[str], mask: Sequence[bool]) -> list[str]:
    # noise_span_to_unique_sentinel: the first token of each masked run becomes the next
    # sentinel, the rest of the run is dropped.
    out: list[str] = []
    sentinels = 0
    previous = False
    for token, masked in zip(tokens, mask, strict=True):
        if not masked:
            out.append(token)
        elif not previous:
            out.append(_SENTINEL.format(sentinels))
            sentinels += 1
        previous = masked
    return out
