"""Zero-shot topic classification with a decoder, and the cost of it next to an encoder.

A chat decoder can classify without training: list the topics in the prompt,
start the answer for it (``"This article is about"``) and compare the
probabilities it gives each topic word as the next token. Only the label words
compete, so the answer is always one of them (the decoder is *constrained* to
the labels). :class:`ZeroShotClassifier` does this with one forward pass per
document, computing logits at the last position only.

Small models favour some label words whatever the text says. *Contextual
calibration* (Zhao et al., "Calibrate before use", ICML 2021) measures that
bias on content-free inputs (``"N/A"``, ``""``, ``"[MASK]"`` in place of the
article) and divides it out; no labelled example is used, so it stays
zero-shot. :class:`ZeroShotResult` keeps both the raw and the calibrated
predictions.

:func:`time_classifier` times a fine-tuned encoder on the same texts, and
:func:`scoring_flops` / :func:`classifier_flops` give the matching closed-form
FLOPs (from :func:`nlpguide.choose.forward_flops`), for the guide's "cost of the
wrong model" page.

>>> join_labels(("business", "sport", "tech"))
'business, sport or tech'
>>> print(topic_messages("Arsenal beat Chelsea.", ("sport", "tech"))[0]["content"])
Is this news article about sport or tech?
<BLANKLINE>
Arsenal beat Chelsea.
"""

from __future__ import annotations

import string
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from .. import _check
from ..choose import forward_flops
from ..data import BBC_LABELS

__all__ = [
    "ANSWER_PREFIX",
    "CONTENT_FREE_TEXTS",
    "QUESTION",
    "ClassifierRun",
    "ZeroShotClassifier",
    "ZeroShotResult",
    "classifier_flops",
    "join_labels",
    "scoring_flops",
    "time_classifier",
    "topic_messages",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The user's message; ``{labels}`` and ``{text}`` are filled in.
QUESTION: Final = "Is this news article about {labels}?\n\n{text}"
#: The start of the assistant's answer; the next token is scored for each label.
ANSWER_PREFIX: Final = "This article is about"
#: Stand-ins for "no article" that measure the model's bias towards each label.
CONTENT_FREE_TEXTS: Final = ("N/A", "", "[MASK]")


def join_labels(labels: Sequence[str]) -> str:
    """The labels as a prompt lists them: ``"a, b or c"``.

    >>> join_labels(["yes", "no"])
    'yes or no'
    """
    names = _check_labels(labels)
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _check_labels(labels: object) -> tuple[str, ...]:
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise TypeError(f"labels must be a sequence of str, got {type(labels).__name__}")
    names = tuple(labels)
    if len(names) < 2:
        raise ValueError(f"labels must hold at least two labels, got {names!r}")
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"labels must all be str, got {name!r} in {names!r}")
        if not name.strip() or name != name.strip():
            raise ValueError(f"labels must be non-empty words without outer spaces, got {name!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"labels must be distinct, got {names!r}")
    return names


def topic_messages(
    text: str, labels: Sequence[str], *, question: str = QUESTION
) -> list[dict[str, str]]:
    """The one-turn chat that asks for the topic of *text* among *labels*.

    >>> topic_messages("x", ["a", "b"], question="{labels}: {text}")
    [{'role': 'user', 'content': 'a or b: x'}]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    _check_question(question)
    content = question.format(labels=join_labels(labels), text=text)
    return [{"role": "user", "content": content}]


def _check_question(question: object) -> None:
    """A str.format template whose only fields are {labels} and {text}, both present."""
    if not isinstance(question, str):
        raise TypeError(f"question must be a str template, got {type(question).__name__}")
    try:
        parts = list(string.Formatter().parse(question))
    except ValueError as err:  # a lone "{" or "}"
        raise ValueError(
            f"question is not a valid template ({err}; write literal braces as {{{{ }}}}), "
            f"got {question!r}"
        ) from None
    fields = [(name, spec) for _, name, spec, _ in parts if name is not None]
    if {name for name, _ in fields} != {"labels", "text"} or any(spec for _, spec in fields):
        raise ValueError(
            "question must contain {labels} and {text} and no other fields or format specs "
            f"(write literal braces as {{{{ }}}}), got {question!r}"
        )


def _check_texts(texts: object) -> None:
    if not _check.strings("texts", texts):
        raise ValueError("texts is empty: nothing to classify")


def _check_fillers(fillers: object) -> None:
    if not _check.strings("fillers", fillers):
        raise ValueError("fillers must hold at least one str")


@dataclass(frozen=True, eq=False)
class ZeroShotResult:
    """What :meth:`ZeroShotClassifier.classify` measured, one row per document.

    ``log_probs[i, j]`` is the log-probability (over the whole vocabulary) that
    the answer continues with label *j* for document *i*; ``bias`` holds the
    label probabilities on content-free inputs (renormalised over the labels).

    >>> r = ZeroShotResult(("a", "b"), np.log([[0.6, 0.3], [0.5, 0.4]]),
    ...                    np.array([0.8, 0.2]), np.array([0.1, 0.3]), np.array([40, 50]), 0)
    >>> r.predictions(calibrated=False).tolist(), r.predictions().tolist()
    ([0, 0], [1, 1])
    >>> r.accuracy([0, 1]), r.ms_per_document
    (0.5, 200.0)
    """

    labels: tuple[str, ...]
    log_probs: FloatArray
    bias: FloatArray
    seconds: FloatArray  #: wall-clock seconds per document (prompt, tokens, forward pass)
    prompt_tokens: IntArray  #: tokens in each document's prompt
    truncated: int  #: documents cut to ``max_text_tokens``

    def __post_init__(self) -> None:
        labels = _check_labels(self.labels)
        object.__setattr__(self, "labels", labels)
        log_probs = _array("log_probs", self.log_probs, 2, "f")
        n, k = log_probs.shape
        if n < 1:
            raise ValueError("log_probs must have a row for at least one document")
        if k != len(labels):
            raise ValueError(f"log_probs must have one column per label ({len(labels)}), got {k}")
        if np.isnan(log_probs).any() or (log_probs > 0).any():
            raise ValueError("log_probs must be log-probabilities: <= 0, never NaN")
        bias = _array("bias", self.bias, 1, "f")
        if bias.shape != (k,):
            raise ValueError(f"bias must have one column per label ({k}), got shape {bias.shape}")
        if not (np.isfinite(bias) & (bias > 0)).all():
            raise ValueError(f"bias must hold positive label probabilities, got {bias!r}")
        _check_per_document("seconds", self.seconds, n, "f")
        _check_per_document("prompt_tokens", self.prompt_tokens, n, "iu")
        _check_truncated(self.truncated, n)

    def scores(self, *, calibrated: bool = True) -> FloatArray:
        """Per-document label scores: log-probabilities, minus ``log(bias)`` if calibrated."""
        lp = np.asarray(self.log_probs, dtype=np.float64)
        return lp - np.log(self.bias) if calibrated else lp

    def predictions(self, *, calibrated: bool = True) -> IntArray:
        """The index of the best-scoring label for each document."""
        return np.asarray(self.scores(calibrated=calibrated).argmax(axis=1), dtype=np.int64)

    def accuracy(self, labels: npt.ArrayLike, *, calibrated: bool = True) -> float:
        """Share of documents whose prediction equals *labels* (label indices)."""
        y = np.asarray(labels)
        pred = self.predictions(calibrated=calibrated)
        if y.shape != pred.shape:
            raise ValueError(f"expected {pred.shape[0]} labels, got shape {y.shape}")
        return float(np.mean(pred == y))

    @property
    def ms_per_document(self) -> float:
        """Mean milliseconds per document."""
        return float(np.mean(self.seconds) * 1000)


class ZeroShotClassifier:
    """Classify texts by the label word a chat decoder would say next.

    The prompt is the model's chat template around :func:`topic_messages`,
    followed by *answer_prefix*; each label is scored as the single token
    ``" " + label``. A label that is not one token raises :class:`ValueError`.
    Texts are cut to their first *max_text_tokens* tokens (counted in
    :attr:`ZeroShotResult.truncated`)::

        tok, lm = decoder()
        clf = ZeroShotClassifier(tok, lm, BBC_LABELS, max_text_tokens=64)
        result = clf.classify(texts)
        result.accuracy(labels), result.ms_per_document
    """

    def __init__(
        self,
        tokenizer: Any,
        model: Any,
        labels: Sequence[str] = BBC_LABELS,
        *,
        max_text_tokens: int = 64,
        question: str = QUESTION,
        answer_prefix: str = ANSWER_PREFIX,
    ) -> None:
        self.labels = _check_labels(labels)
        self.max_text_tokens = _check.integer("max_text_tokens", max_text_tokens, minimum=1)
        topic_messages("", self.labels, question=question)  # validates the template
        if _check.text("answer_prefix", answer_prefix, empty=True) != answer_prefix.rstrip():
            raise ValueError(
                f"answer_prefix must be a str without trailing spaces, got {answer_prefix!r}"
            )
        self.tokenizer = tokenizer
        self.model = model
        self.question = question
        self.answer_prefix = answer_prefix
        self.label_token_ids = self._label_ids()

    def _label_ids(self) -> tuple[int, ...]:
        ids = []
        for label in self.labels:
            pieces = self.tokenizer.encode(" " + label, add_special_tokens=False)
            if len(pieces) != 1:
                shown = self.tokenizer.convert_ids_to_tokens(pieces)
                raise ValueError(
                    f"label {label!r} is {len(pieces)} tokens {shown} for this tokenizer; "
                    "zero-shot scoring here needs labels that are one token each"
                )
            ids.append(int(pieces[0]))
        return tuple(ids)

    def cut(self, text: str) -> tuple[str, bool]:
        """*text* cut to its first ``max_text_tokens`` tokens, and whether it was cut."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        ids = self.tokenizer.encode(text, add_special_tokens=False)
        if len(ids) <= self.max_text_tokens:
            return text, False
        return str(self.tokenizer.decode(ids[: self.max_text_tokens])), True

    def prompt(self, text: str) -> str:
        """The full prompt string for *text* (already cut), ending with the answer prefix."""
        messages = topic_messages(text, self.labels, question=self.question)
        chat = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=False
        )
        return str(chat) + self.answer_prefix

    def _label_log_probs(self, prompt: str) -> tuple[FloatArray, int]:
        import torch  # noqa: PLC0415

        enc = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        with torch.inference_mode():
            # Logits at the last position only: the LM head over every position is waste.
            logits = self.model(**enc, logits_to_keep=1, use_cache=False).logits[0, -1]
        log_probs = torch.log_softmax(logits.float(), dim=-1)[list(self.label_token_ids)]
        return log_probs.double().numpy(), int(enc["input_ids"].shape[1])

    def label_log_probs(self, text: str) -> FloatArray:
        """Log-probability of each label as the answer's next token, for *text* (cut first)."""
        return self._label_log_probs(self.prompt(self.cut(text)[0]))[0]

    def bias(self, fillers: Sequence[str] = CONTENT_FREE_TEXTS) -> FloatArray:
        """The label probabilities with content-free *fillers* as the article, averaged.

        Each filler's probabilities are renormalised over the labels before the
        average, as in contextual calibration.
        """
        _check_fillers(fillers)
        rows = []
        for filler in fillers:
            lp = self._label_log_probs(self.prompt(filler))[0]
            p = np.exp(lp - lp.max())
            rows.append(p / p.sum())
        return np.asarray(np.mean(rows, axis=0), dtype=np.float64)

    def classify(
        self, texts: Sequence[str], *, fillers: Sequence[str] = CONTENT_FREE_TEXTS
    ) -> ZeroShotResult:
        """Score every text (one forward pass each, timed) and measure the label bias."""
        _check_texts(texts)
        _check_fillers(fillers)
        bias = self.bias(fillers)
        rows, seconds, tokens, cut_count = [], [], [], 0
        for text in texts:
            start = time.perf_counter()
            short, was_cut = self.cut(text)
            lp, n = self._label_log_probs(self.prompt(short))
            seconds.append(time.perf_counter() - start)
            rows.append(lp)
            tokens.append(n)
            cut_count += was_cut
        return ZeroShotResult(
            labels=self.labels,
            log_probs=np.asarray(rows, dtype=np.float64),
            bias=bias,
            seconds=np.asarray(seconds, dtype=np.float64),
            prompt_tokens=np.asarray(tokens, dtype=np.int64),
            truncated=cut_count,
        )


@dataclass(frozen=True, eq=False)
class ClassifierRun:
    """A fine-tuned encoder's predictions on texts, each timed on its own.

    >>> run = ClassifierRun(np.array([1, 0]), np.array([0.01, 0.03]), np.array([98, 60]), 1)
    >>> run.accuracy([1, 1]), run.ms_per_document
    (0.5, 20.0)
    """

    predictions: IntArray
    seconds: FloatArray  #: wall-clock seconds per document (tokens and forward pass)
    tokens: IntArray  #: tokens the encoder read per document (special tokens included)
    truncated: int  #: documents cut to ``max_length``

    def __post_init__(self) -> None:
        predictions = _array("predictions", self.predictions, 1, "iu")
        n = predictions.shape[0]
        if n < 1 or (predictions < 0).any():
            raise ValueError("predictions must hold at least one label index, none negative")
        _check_per_document("seconds", self.seconds, n, "f")
        _check_per_document("tokens", self.tokens, n, "iu")
        _check_truncated(self.truncated, n)

    def accuracy(self, labels: npt.ArrayLike) -> float:
        """Share of documents whose prediction equals *labels* (label indices)."""
        y = np.asarray(labels)
        if y.shape != self.predictions.shape:
            raise ValueError(f"expected {self.predictions.shape[0]} labels, got shape {y.shape}")
        return float(np.mean(self.predictions == y))

    @property
    def ms_per_document(self) -> float:
        """Mean milliseconds per document."""
        return float(np.mean(self.seconds) * 1000)


def _array(name: str, value: object, ndim: int, kinds: str) -> npt.NDArray[Any]:
    """A numpy array of ``ndim`` dimensions whose dtype kind is one of ``kinds``."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(value).__name__}")
    if value.ndim != ndim or value.dtype.kind not in kinds:
        raise ValueError(
            f"{name} must be a {ndim}-D {'integer' if kinds == 'iu' else 'float'} array, "
            f"got {value.ndim}-D {value.dtype}"
        )
    return value


def _check_per_document(name: str, value: object, n: int, kinds: str) -> None:
    """One finite, non-negative entry per document."""
    array = _array(name, value, 1, kinds)
    if array.shape != (n,):
        raise ValueError(f"{name} must have one entry per document ({n}), got {array.shape[0]}")
    if not (np.isfinite(array) & (array >= 0)).all():
        raise ValueError(f"{name} must be finite and non-negative")


def _check_truncated(value: object, n: int) -> None:
    _check.integer("truncated (documents cut)", value, minimum=0, maximum=n)


def time_classifier(
    tokenizer: Any, model: Any, texts: Sequence[str], *, max_length: int
) -> ClassifierRun:
    """Classify *texts* one at a time with a sequence-classification model, timing each.

    One document per forward pass (batch of one), the same as the decoder's
    zero-shot run, so milliseconds per document compare like with like::

        result = finetune_classifier(cache="reuse")
        run = time_classifier(result.tokenizer, result.model, texts, max_length=96)
    """
    import torch  # noqa: PLC0415

    _check_texts(texts)
    _check.integer("max_length", max_length, minimum=1)
    # Counted outside the timed loop: the cut is reported, not silent.
    full = tokenizer(list(texts), truncation=False, verbose=False)["input_ids"]
    cut = sum(len(ids) > max_length for ids in full)
    preds, seconds, tokens = [], [], []
    with torch.inference_mode():
        for text in texts:
            start = time.perf_counter()
            enc = tokenizer(text, truncation=True, max_length=max_length, return_tensors="pt")
            logits = model(**enc).logits[0]
            preds.append(int(logits.argmax()))
            seconds.append(time.perf_counter() - start)
            tokens.append(int(enc["input_ids"].shape[1]))
    return ClassifierRun(
        predictions=np.asarray(preds, dtype=np.int64),
        seconds=np.asarray(seconds, dtype=np.float64),
        tokens=np.asarray(tokens, dtype=np.int64),
        truncated=int(cut),
    )


def _config_fields(config: object) -> Mapping[str, object]:
    """A bundled model's name or a config mapping, as the fields of its config."""
    from ..choose import reference_config  # noqa: PLC0415

    if isinstance(config, str):
        return reference_config(config)
    if not isinstance(config, Mapping):
        raise TypeError(
            f"config must be a model name (str) or a config mapping, got {type(config).__name__}"
        )
    return config


def _lm_head_shape(config: Mapping[str, object]) -> tuple[int, int]:
    model_type = config.get("model_type")
    keys = {"llama": "hidden_size", "gpt2": "n_embd"}
    if model_type not in keys:
        raise ValueError(
            f"scoring_flops supports decoder model_type 'llama' or 'gpt2', got {model_type!r}"
        )
    hidden, vocab = config.get(keys[str(model_type)]), config.get("vocab_size")
    if not isinstance(hidden, int) or not isinstance(vocab, int):
        raise TypeError("config must give the hidden size and vocab_size as ints")
    return hidden, vocab


def scoring_flops(config: str | Mapping[str, object], tokens: int) -> int:
    """FLOPs of one decoder pass over *tokens* tokens with logits at the last position only.

    :func:`nlpguide.choose.forward_flops` counts the LM head at every position;
    scoring the next token needs it at one, so the other ``tokens - 1`` rows of
    that matrix multiplication are subtracted.

    >>> full = forward_flops("gpt2", 100)
    >>> full - scoring_flops("gpt2", 100) == 2 * 99 * 768 * 50257
    True
    """
    fields = _config_fields(config)
    hidden, vocab = _lm_head_shape(fields)
    n = _check.integer("tokens", tokens, minimum=1)
    return forward_flops(fields, n) - 2 * (n - 1) * hidden * vocab


def classifier_flops(config: str | Mapping[str, object], tokens: int, num_labels: int) -> int:
    """FLOPs of one BERT-family classifier pass: the encoder plus the *num_labels*-way head.

    >>> classifier_flops("bert-base-uncased", 128, 5) - forward_flops("bert-base-uncased", 128)
    7680
    """
    fields = _config_fields(config)
    hidden = fields.get("hidden_size")
    if fields.get("model_type") not in ("bert",) or not isinstance(hidden, int):
        raise ValueError("classifier_flops expects a BERT config (model_type 'bert', hidden_size)")
    n = _check.integer("tokens", tokens, minimum=1)
    return forward_flops(fields, n) + 2 * hidden * _check.integer(
        "num_labels", num_labels, minimum=1
    )
