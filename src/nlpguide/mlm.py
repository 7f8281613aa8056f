"""Masked-language-model (MLM) masking, exactly as BERT does it.

BERT learns by predicting tokens it cannot see. A fraction of the positions in every
sequence is *selected* (15% by default); each selected position becomes ``[MASK]`` 80% of
the time, a uniformly random vocabulary id 10% of the time, and stays unchanged the
remaining 10%. The model is asked to predict the original token at every selected
position, and only there: everywhere else the label is ``-100``, the index that
PyTorch's cross-entropy loss ignores.

Two selection strategies are provided:

``"bernoulli"``
    Every eligible position is selected independently with probability
    ``mlm_probability``, as in Hugging Face ``DataCollatorForLanguageModeling``.
``"fixed"``
    The original recipe of google-research/bert (``create_pretraining_data.py``): exactly
    ``min(max_predictions, max(1, round(n * mlm_probability)))`` positions per sequence,
    chosen uniformly among the eligible ones (never more than there are).

Special tokens (``[CLS]``, ``[SEP]``, padding) are never selected. This module only needs
numpy; it never imports torch or transformers.

>>> import numpy as np
>>> from nlpguide.mlm import mask_tokens
>>> ids = np.array([101, 1996, 4937, 2938, 2006, 1996, 13523, 102])  # [CLS] ... [SEP]
>>> special = np.array([1, 0, 0, 0, 0, 0, 0, 1], dtype=bool)
>>> batch = mask_tokens(ids, mask_token_id=103, vocab_size=30522,
...                     special_tokens_mask=special, strategy="fixed", rng=0)
>>> batch.num_selected  # round(8 * 0.15) = 1
1
>>> bool(batch.selected[special].any())
False
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias, get_args

import numpy as np
import numpy.typing as npt

from . import _check
from ._markdown import cell
from ._mlm_words import WORDS

__all__ = [
    "IGNORE_INDEX",
    "Decision",
    "MLMSimulation",
    "MaskedBatch",
    "Strategy",
    "mask_tokens",
    "simulate_mlm",
    "whole_word_mask",
]

IGNORE_INDEX: Final = -100
"""Label at positions that were not selected (ignored by PyTorch's cross-entropy)."""

Strategy: TypeAlias = Literal["bernoulli", "fixed"]
Decision: TypeAlias = Literal["mask", "random", "keep"]
RNGLike: TypeAlias = np.random.Generator | int | np.integer[Any] | None
IntArray: TypeAlias = npt.NDArray[np.integer[Any]]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

_STRATEGIES: Final = frozenset(get_args(Strategy))
# Tokens that the original BERT code skips by name when it builds word candidates.
_STRUCTURAL_TOKENS: Final = frozenset({"[CLS]", "[SEP]", "[PAD]"})
# Words and punctuation marks are separate positions (as in BERT's basic tokenizer), but
# contractions and hyphenated words stay whole so that the teaching view reads naturally.
_WORD_RE: Final = re.compile(r"\w+(?:['\u2019-]\w+)*|[^\w\s]")
# m + r may exceed 1 by rounding (0.7 + 0.3); anything larger is a real mistake.
_SUM_SLACK: Final = 1e-12
# Positions per chunk in the bernoulli path: what one chunk touches (uniforms, ids, output,
# labels: about 29 bytes a position, 1.9 MB) stays within a typical 2 MB L2 cache.
_CHUNK: Final = 1 << 16


@dataclass(frozen=True, eq=False)
class MaskedBatch:
    """The result of masking: model inputs and the labels to predict.

    ``input_ids`` is a new array with the input's shape and dtype; ``labels`` is an
    ``int64`` array of the same shape holding the original id at every selected position
    and :data:`IGNORE_INDEX` (``-100``) everywhere else.

    >>> import numpy as np
    >>> batch = MaskedBatch(np.array([7, 103, 9]), np.array([-100, 8, -100]))
    >>> batch.selected.tolist(), batch.num_selected
    ([False, True, False], 1)
    """

    input_ids: IntArray
    labels: npt.NDArray[np.int64]

    def __post_init__(self) -> None:
        for name in ("input_ids", "labels"):
            value: object = getattr(self, name)
            if not isinstance(value, np.ndarray) or not np.issubdtype(value.dtype, np.integer):
                shown = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
                raise TypeError(f"{name} must be a numpy integer array, got {shown}")
        if self.input_ids.shape != self.labels.shape:
            raise ValueError(
                "input_ids and labels must have the same shape, got "
                f"{self.input_ids.shape} and {self.labels.shape}"
            )

    @property
    def selected(self) -> BoolArray:
        """Boolean array, true where a position was selected for prediction."""
        return np.not_equal(self.labels, IGNORE_INDEX)

    @property
    def num_selected(self) -> int:
        """How many positions were selected, over the whole batch."""
        return int(np.count_nonzero(self.selected))


@dataclass(frozen=True)
class _Config:
    """Validated scalar arguments shared by the masking functions."""

    mask_token_id: int
    vocab_size: int
    p: float
    mask_prob: float
    random_prob: float
    strategy: Strategy
    max_predictions: int | None


def mask_tokens(
    input_ids: IntArray,
    *,
    mask_token_id: int,
    vocab_size: int,
    special_tokens_mask: npt.NDArray[Any] | None = None,
    attention_mask: npt.NDArray[Any] | None = None,
    mlm_probability: float = 0.15,
    mask_replace_prob: float = 0.8,
    random_replace_prob: float = 0.1,
    strategy: Strategy = "bernoulli",
    max_predictions: int | None = None,
    rng: RNGLike = None,
) -> MaskedBatch:
    """Select positions for MLM and replace them the way BERT does.

    ``input_ids`` is a 1-D sequence or a 2-D batch (one sequence per row) of integer ids
    in ``[0, vocab_size)``; it is never modified. Positions where ``special_tokens_mask``
    is true, or where ``attention_mask`` is false (padding), are never selected. Both
    masks are optional bool or 0/1 integer arrays of the same shape.

    Of the selected positions, a fraction ``mask_replace_prob`` becomes ``mask_token_id``,
    a fraction ``random_replace_prob`` becomes an id drawn uniformly from
    ``[0, vocab_size)`` (which may, rarely, be the original id), and the rest keep their
    token. This equals ``DataCollatorForLanguageModeling``, where the random draw applies
    to the non-``[MASK]`` selections with probability ``r / (1 - m)``: overall
    ``(1 - m) * r / (1 - m) = r``.

    ``strategy="bernoulli"`` selects each eligible position independently with
    probability ``mlm_probability``. One uniform number ``u`` is drawn per position (a
    32-bit integer, read straight from the generator's raw bits); ``u < p`` selects, and
    because ``u`` is then uniform on ``[0, p)`` the same number also decides ``[MASK]``
    (``u < p*m``) or random (``u < p*(m+r)``, a random id drawn only for those positions).
    Probabilities are therefore resolved to 2**-32.

    ``strategy="fixed"`` selects exactly ``min(max_predictions, max(1, round(n *
    mlm_probability)))`` positions per sequence (fewer only when fewer are eligible),
    uniformly without replacement, and then decides mask/random/keep independently per
    position. ``n`` counts the sequence's tokens including special ones, as in the
    original BERT code: the row length, or the row's number of true ``attention_mask``
    entries when an attention mask is given (so padding does not inflate the count).
    ``round`` is Python's (halves to even). ``max_predictions`` (BERT's
    ``max_predictions_per_seq``) is only accepted with ``"fixed"``.

    ``rng`` is ``None`` (fresh entropy), an int seed or a :class:`numpy.random.Generator`;
    the same seed gives the same result.

    >>> import numpy as np
    >>> ids = np.array([[101, 2023, 2003, 1037, 3231, 102],
    ...                 [101, 7592, 2088, 102, 0, 0]])
    >>> special = np.isin(ids, [0, 101, 102])
    >>> out = mask_tokens(ids, mask_token_id=103, vocab_size=30522,
    ...                   special_tokens_mask=special, mlm_probability=1.0,
    ...                   mask_replace_prob=1.0, random_replace_prob=0.0)
    >>> out.input_ids.tolist()
    [[101, 103, 103, 103, 103, 102], [101, 103, 103, 102, 0, 0]]
    >>> out.labels[1].tolist()
    [-100, 7592, 2088, -100, -100, -100]
    >>> a = mask_tokens(ids, mask_token_id=103, vocab_size=30522, rng=42)
    >>> b = mask_tokens(ids, mask_token_id=103, vocab_size=30522, rng=42)
    >>> bool((a.input_ids == b.input_ids).all() and (a.labels == b.labels).all())
    True
    """
    cfg = _check_config(
        mask_token_id=mask_token_id,
        vocab_size=vocab_size,
        mlm_probability=mlm_probability,
        mask_replace_prob=mask_replace_prob,
        random_replace_prob=random_replace_prob,
        strategy=strategy,
        max_predictions=max_predictions,
    )
    ids = _check_input_ids(input_ids, cfg.vocab_size)
    special = _check_flags("special_tokens_mask", special_tokens_mask, ids.shape)
    attention = _check_flags("attention_mask", attention_mask, ids.shape)
    gen = _check.generator("rng", rng)
    if cfg.strategy == "bernoulli":
        return _bernoulli_mask(ids, special, attention, cfg, gen)
    rows = _as_rows(ids.shape)
    quota = _prediction_quota(_row_lengths(rows, attention), cfg.p, cfg.max_predictions)
    allowed = _as_rows_view(_allowed(special, attention), rows)
    sel_idx = _fixed_selection(rows, allowed, quota, gen)
    is_mask, is_random = _decide(sel_idx.size, cfg, gen)
    return _apply(ids, sel_idx, is_mask, is_random, cfg, gen)


def whole_word_mask(
    input_ids: IntArray,
    *,
    mask_token_id: int,
    vocab_size: int,
    tokens: Sequence[str] | Sequence[Sequence[str]] | None = None,
    word_ids: npt.NDArray[Any]
    | Sequence[int | None]
    | Sequence[Sequence[int | None]]
    | None = None,
    special_tokens_mask: npt.NDArray[Any] | None = None,
    attention_mask: npt.NDArray[Any] | None = None,
    mlm_probability: float = 0.15,
    mask_replace_prob: float = 0.8,
    random_replace_prob: float = 0.1,
    strategy: Strategy = "bernoulli",
    max_predictions: int | None = None,
    per_word_decision: bool = True,
    rng: RNGLike = None,
) -> MaskedBatch:
    """Like :func:`mask_tokens`, but select whole words instead of single pieces.

    Words are given by exactly one of:

    ``tokens``
        The WordPiece strings, a sequence of ``str`` for 1-D ``input_ids`` or one such
        sequence per row for 2-D. A word is a piece plus the ``##`` continuation pieces
        that follow it. ``[CLS]``, ``[SEP]`` and ``[PAD]`` belong to no word (the original
        BERT code skips them by name).
    ``word_ids``
        What a fast tokenizer's ``word_ids()`` returns: per position a word number, or
        ``None`` / ``-1`` for positions outside any word. Adjacent positions with the same
        number form one word.

    Positions flagged by ``special_tokens_mask`` or outside ``attention_mask`` are never
    part of a word, whatever the above says.

    ``strategy="bernoulli"`` selects each word independently with ``mlm_probability``
    (transformers' whole-word collator puts the probability on a word's first piece and
    extends the choice to its other pieces: the same thing, though it finds words from
    character offsets, so that ``don ' t`` is one word there and three here).
    ``strategy="fixed"`` is the
    original BERT recipe: the quota ``min(max_predictions, max(1, round(n * p)))`` counts
    *pieces*; words are visited in random order and added while they fit, a word that
    would overshoot the quota being skipped.

    With ``per_word_decision=True`` (default) every piece of a selected word gets the same
    decision ([MASK] / random / keep), drawn once per word; random pieces each get their
    own random id. ``per_word_decision=False`` decides per piece, as the original BERT
    code does. (transformers v5 supports only ``mask_replace_prob=1`` here.)

    >>> import numpy as np
    >>> tokens = ["[CLS]", "un", "##believ", "##able", "news", "[SEP]"]
    >>> ids = np.array([101, 4895, 19025, 3085, 2739, 102])
    >>> out = whole_word_mask(ids, tokens=tokens, mask_token_id=103, vocab_size=30522,
    ...                       mlm_probability=1.0, mask_replace_prob=1.0, random_replace_prob=0.0)
    >>> out.input_ids.tolist()
    [101, 103, 103, 103, 103, 102]
    >>> out = whole_word_mask(ids, word_ids=[None, 0, 0, 0, 1, None], mask_token_id=103,
    ...                       vocab_size=30522, strategy="fixed", mlm_probability=0.5, rng=3)
    >>> # Quota round(6 * 0.5) = 3 pieces: "unbelievable" (3) alone, or "news" (1), after
    >>> # which "unbelievable" no longer fits and is skipped.
    >>> out.selected.tolist() in ([False, True, True, True, False, False],
    ...                           [False, False, False, False, True, False])
    True
    """
    cfg = _check_config(
        mask_token_id=mask_token_id,
        vocab_size=vocab_size,
        mlm_probability=mlm_probability,
        mask_replace_prob=mask_replace_prob,
        random_replace_prob=random_replace_prob,
        strategy=strategy,
        max_predictions=max_predictions,
    )
    if not isinstance(per_word_decision, bool):
        raise TypeError(f"per_word_decision must be a bool, got {type(per_word_decision).__name__}")
    ids = _check_input_ids(input_ids, cfg.vocab_size)
    special = _check_flags("special_tokens_mask", special_tokens_mask, ids.shape)
    attention = _check_flags("attention_mask", attention_mask, ids.shape)
    rows = _as_rows(ids.shape)
    starts, in_word = _word_starts(ids.shape, tokens, word_ids)
    allowed = _allowed(special, attention)
    if allowed is not None:
        in_word &= _as_rows_view(allowed, rows)
        # A piece whose predecessor was removed now begins its own word.
        starts = _starts_after_removal(starts, in_word)
    gen = _check.generator("rng", rng)
    word_of = np.cumsum(starts.reshape(-1)) - 1  # word number of each in-word position
    n_words = int(np.count_nonzero(starts))
    if cfg.strategy == "bernoulli":
        word_selected = gen.random(n_words) < cfg.p
    else:
        quota = _prediction_quota(_row_lengths(rows, attention), cfg.p, cfg.max_predictions)
        word_selected = _greedy_words(starts, in_word, quota, gen)
    flat_in_word = in_word.reshape(-1)
    piece_selected = np.zeros(flat_in_word.shape, dtype=bool)
    piece_selected[flat_in_word] = word_selected[word_of[flat_in_word]]
    sel_idx = np.flatnonzero(piece_selected)
    if per_word_decision:
        chosen_words = np.flatnonzero(word_selected)
        word_mask = np.zeros(n_words, dtype=bool)
        word_random = np.zeros(n_words, dtype=bool)
        word_mask[chosen_words], word_random[chosen_words] = _decide(chosen_words.size, cfg, gen)
        is_mask, is_random = word_mask[word_of[sel_idx]], word_random[word_of[sel_idx]]
    else:
        is_mask, is_random = _decide(sel_idx.size, cfg, gen)
    return _apply(ids, sel_idx, is_mask, is_random, cfg, gen)


@dataclass(frozen=True)
class MLMSimulation:
    """A word-level picture of one MLM step on one sentence (see :func:`simulate_mlm`).

    ``words`` are the positions of the sentence, ``masked_words`` what the model sees,
    and ``decisions`` says for each position what happened: ``"mask"``, ``"random"``,
    ``"keep"``, or ``None`` when the position was not selected.

    >>> sim = MLMSimulation(words=("the", "cat", "sat"), masked_words=("the", "[MASK]", "sat"),
    ...                     decisions=(None, "mask", None))
    >>> sim.targets, sim.selected_positions
    ((None, 'cat', None), (1,))
    >>> print(sim)
    original: the cat sat
    masked:   the [MASK] sat
    targets:  #1 cat ([MASK])
    """

    words: tuple[str, ...]
    masked_words: tuple[str, ...]
    decisions: tuple[Decision | None, ...]
    mask_token: str = "[MASK]"

    def __post_init__(self) -> None:
        for name in ("words", "masked_words", "decisions"):
            value: object = getattr(self, name)
            if isinstance(value, str | bytes) or not isinstance(value, Sequence):
                raise TypeError(f"{name} must be a sequence, got {type(value).__name__}")
            object.__setattr__(self, name, tuple(value))
        _check_word("mask_token", self.mask_token)
        for name in ("words", "masked_words"):
            for i, word in enumerate(getattr(self, name)):
                _check_word(f"{name}[{i}]", word)
        n = len(self.words)
        if len(self.masked_words) != n or len(self.decisions) != n:
            raise ValueError(
                "words, masked_words and decisions must have the same length, got "
                f"{n}, {len(self.masked_words)} and {len(self.decisions)}"
            )
        allowed = (None, *get_args(Decision))
        for i, (word, shown, decision) in enumerate(
            zip(self.words, self.masked_words, self.decisions, strict=True)
        ):
            if decision not in allowed:
                raise ValueError(f"decisions[{i}] must be one of {allowed}, got {decision!r}")
            expected = {None: word, "keep": word, "mask": self.mask_token}.get(decision, shown)
            if shown != expected:
                raise ValueError(
                    f"masked_words[{i}] must be {expected!r} for decision {decision!r}, "
                    f"got {shown!r}"
                )

    @property
    def selected(self) -> tuple[bool, ...]:
        """Per position, whether it was selected for prediction."""
        return tuple(d is not None for d in self.decisions)

    @property
    def selected_positions(self) -> tuple[int, ...]:
        """The selected positions, in increasing order."""
        return tuple(i for i, d in enumerate(self.decisions) if d is not None)

    @property
    def targets(self) -> tuple[str | None, ...]:
        """Per position, the word to predict (the original) or ``None`` (no loss there)."""
        return tuple(
            w if d is not None else None for w, d in zip(self.words, self.decisions, strict=True)
        )

    @property
    def sentence(self) -> str:
        """The original positions joined by single spaces."""
        return " ".join(self.words)

    @property
    def masked_sentence(self) -> str:
        """What the model reads: the masked positions joined by single spaces."""
        return " ".join(self.masked_words)

    def __str__(self) -> str:
        targets = ", ".join(
            f"#{i} {self.words[i]} ({self._became(i)})" for i in self.selected_positions
        )
        return f"original: {self.sentence}\nmasked:   {self.masked_sentence}\ntargets:  {targets}"

    def to_markdown(self) -> str:
        """A Markdown table: position | original | selected | became | target.

        >>> sim = MLMSimulation(words=("a", "b"), masked_words=("a", "[MASK]"),
        ...                     decisions=(None, "mask"))
        >>> print(sim.to_markdown())
        | position | original | selected | became | target |
        |---:|---|:---:|---|---|
        | 0 | a | no | a |  |
        | 1 | b | yes | \\[MASK\\] | b |
        """
        lines = [
            "| position | original | selected | became | target |",
            "|---:|---|:---:|---|---|",
        ]
        for i, (word, decision) in enumerate(zip(self.words, self.decisions, strict=True)):
            selected = decision is not None
            became = self._became(i) if selected else word
            target = word if selected else ""
            cells = (str(i), cell(word), "yes" if selected else "no", cell(became), cell(target))
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def _became(self, i: int) -> str:
        decision = self.decisions[i]
        if decision == "random":
            return f"random: {self.masked_words[i]}"
        if decision == "keep":
            return f"unchanged: {self.words[i]}"
        return self.masked_words[i]


def simulate_mlm(
    sentence: str,
    *,
    mask_rate: float = 0.15,
    mask_replace_prob: float = 0.8,
    random_replace_prob: float = 0.1,
    rng: RNGLike = None,
) -> MLMSimulation:
    """Run BERT's masking recipe on the words of one sentence, for teaching.

    The sentence is split into words and punctuation marks (each its own position, as
    BERT's basic tokenizer does; contractions such as ``don't`` and hyphenated words stay
    whole). Exactly ``max(1, round(n * mask_rate))`` positions are selected (the
    ``"fixed"`` strategy, so a non-empty sentence always has a target); each becomes
    ``[MASK]``, a random word from a small built-in English list (never the original word,
    so that the change is visible), or stays unchanged, with the usual 80/10/10 split.

    >>> sim = simulate_mlm("The cat sat on the mat.", mask_rate=1.0, mask_replace_prob=1.0,
    ...                    random_replace_prob=0.0)
    >>> sim.words
    ('The', 'cat', 'sat', 'on', 'the', 'mat', '.')
    >>> sim.masked_sentence
    '[MASK] [MASK] [MASK] [MASK] [MASK] [MASK] [MASK]'
    >>> len(simulate_mlm("The cat sat on the mat.", rng=0).selected_positions)  # round(7*0.15)
    1
    """
    if not isinstance(sentence, str):
        raise TypeError(f"sentence must be a str, got {type(sentence).__name__}")
    words = tuple(_WORD_RE.findall(sentence))
    if not words:
        raise ValueError("sentence must contain at least one word, got only whitespace")
    cfg = _check_config(
        mask_token_id=0,
        vocab_size=1,
        mlm_probability=_check.probability("mask_rate", mask_rate),
        mask_replace_prob=mask_replace_prob,
        random_replace_prob=random_replace_prob,
        strategy="fixed",
        max_predictions=None,
    )
    gen = _check.generator("rng", rng)
    n = len(words)
    rows = (1, n)
    quota = _prediction_quota(np.array([n]), cfg.p, None)
    positions = _fixed_selection(rows, np.ones(rows, dtype=bool), quota, gen)
    is_mask, is_random = _decide(positions.size, cfg, gen)
    decisions: list[Decision | None] = [None] * n
    masked = list(words)
    for pos, mask, rand in zip(
        positions.tolist(), is_mask.tolist(), is_random.tolist(), strict=True
    ):
        if mask:
            decisions[pos], masked[pos] = "mask", "[MASK]"
        elif rand:
            decisions[pos], masked[pos] = "random", _random_word(words[pos], gen)
        else:
            decisions[pos] = "keep"
    return MLMSimulation(words=words, masked_words=tuple(masked), decisions=tuple(decisions))


# --------------------------------------------------------------------------- validation


def _check_config(
    *,
    mask_token_id: int,
    vocab_size: int,
    mlm_probability: float,
    mask_replace_prob: float,
    random_replace_prob: float,
    strategy: object,
    max_predictions: int | None,
) -> _Config:
    vocab = _check.integer("vocab_size", vocab_size, minimum=1)
    mask_id = _check.integer("mask_token_id", mask_token_id, minimum=0)
    if mask_id >= vocab:
        raise ValueError(f"mask_token_id must be in [0, vocab_size={vocab}), got {mask_id}")
    p = _check.probability("mlm_probability", mlm_probability)
    m = _check.probability("mask_replace_prob", mask_replace_prob)
    r = _check.probability("random_replace_prob", random_replace_prob)
    if m + r > 1 + _SUM_SLACK:
        raise ValueError(
            f"mask_replace_prob + random_replace_prob must be <= 1, got {m} + {r} = {m + r}"
        )
    r = min(r, 1.0 - m)
    _check.choice("strategy", strategy, _STRATEGIES)
    cap = (
        None
        if max_predictions is None
        else _check.integer("max_predictions", max_predictions, minimum=1)
    )
    if cap is not None and strategy != "fixed":
        raise ValueError(
            "max_predictions only applies to strategy='fixed' (bernoulli selection has no "
            "fixed count to cap)"
        )
    checked: Strategy = "fixed" if strategy == "fixed" else "bernoulli"
    return _Config(mask_id, vocab, p, m, r, checked, cap)


def _check_word(name: str, value: object) -> None:
    """One position of the teaching view: a non-empty str with no whitespace in it."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    # Whitespace (line breaks above all) would break the one-line view and the table.
    if value.split() != [value]:
        raise ValueError(f"{name} must be one non-empty word without whitespace, got {value!r}")


def _check_input_ids(input_ids: object, vocab_size: int) -> IntArray:
    if not isinstance(input_ids, np.ndarray):
        raise TypeError(
            f"input_ids must be a numpy integer array, got {type(input_ids).__name__} "
            "(convert with numpy.asarray)"
        )
    if not np.issubdtype(input_ids.dtype, np.integer):
        raise TypeError(f"input_ids must have an integer dtype, got {input_ids.dtype}")
    if input_ids.ndim not in (1, 2):
        raise ValueError(
            f"input_ids must be 1-D (one sequence) or 2-D (a batch), got {input_ids.ndim}-D"
        )
    top = int(np.iinfo(input_ids.dtype).max)
    if vocab_size - 1 > top:
        raise ValueError(
            f"vocab_size={vocab_size} does not fit input_ids' dtype {input_ids.dtype} "
            f"(largest id {top}); random replacements could not be stored"
        )
    # Seen as unsigned, negative ids become huge: one max() checks both ends of the range.
    unsigned = np.dtype(f"u{input_ids.dtype.itemsize}").newbyteorder(input_ids.dtype.byteorder)
    if input_ids.size and int(input_ids.view(unsigned).max()) >= vocab_size:
        low, high = int(input_ids.min()), int(input_ids.max())
        bad = low if low < 0 else high
        raise ValueError(f"input_ids must be in [0, vocab_size={vocab_size}), found {bad}")
    return input_ids


def _check_flags(name: str, flags: object, shape: tuple[int, ...]) -> BoolArray | None:
    if flags is None:
        return None
    if not isinstance(flags, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy bool or 0/1 integer array, got {type(flags).__name__}"
        )
    if flags.shape != shape:
        raise ValueError(f"{name} must have input_ids' shape {shape}, got {flags.shape}")
    if flags.dtype == np.bool_:
        return flags
    if not np.issubdtype(flags.dtype, np.integer):
        raise TypeError(f"{name} must have a bool or integer dtype, got {flags.dtype}")
    if flags.size and (int(flags.min()) < 0 or int(flags.max()) > 1):
        raise ValueError(f"{name} must contain only 0 and 1")
    return flags.astype(bool)


# --------------------------------------------------------------------------- selection


def _allowed(special: BoolArray | None, attention: BoolArray | None) -> BoolArray | None:
    """Positions that may be selected, or None when every position may."""
    if special is None:
        return attention
    allowed = ~special
    if attention is not None:
        allowed &= attention
    return allowed


def _as_rows(shape: tuple[int, ...]) -> tuple[int, int]:
    return (1, shape[0]) if len(shape) == 1 else (shape[0], shape[1])


def _as_rows_view(flags: BoolArray | None, rows: tuple[int, int]) -> BoolArray:
    if flags is None:
        return np.ones(rows, dtype=bool)
    return flags.reshape(rows)


def _row_lengths(rows: tuple[int, int], attention: BoolArray | None) -> npt.NDArray[np.int64]:
    if attention is None:
        return np.full(rows[0], rows[1], dtype=np.int64)
    return np.asarray(np.count_nonzero(attention.reshape(rows), axis=1), dtype=np.int64)


def _prediction_quota(
    lengths: npt.NDArray[np.int64], p: float, cap: int | None
) -> npt.NDArray[np.int64]:
    # np.rint rounds halves to even, exactly like the Python 3 round() of the original code.
    quota = np.maximum(1, np.rint(lengths * p)).astype(np.int64)
    return quota if cap is None else np.asarray(np.minimum(quota, cap), dtype=np.int64)


def _u32_bound(x: float) -> int:
    """Largest 32-bit integer u with ``u / 2**32 < x``, or -1 when there is none.

    ``u <= _u32_bound(x)`` for a uniform 32-bit integer u happens with probability
    ``ceil(x * 2**32) / 2**32``: x rounded up to the 2**-32 grid (``x * 2**32`` is exact in
    float64, a power-of-two scaling).
    """
    return min(math.ceil(x * 2**32), 2**32) - 1


def _uniform_u32(gen: np.random.Generator, n: int) -> npt.NDArray[np.uint32]:
    """``n`` independent uniform 32-bit integers: both halves of each 64-bit raw output.

    This is one uniform number per position, like ``gen.random(n, dtype=np.float32)``
    (which keeps 24 of 32 bits), at half the cost: the bit generator's raw words are used
    as they come. It advances ``gen`` like any other draw.
    """
    words = gen.bit_generator.random_raw((n + 1) // 2)
    return np.asarray(words).view(np.uint32)[:n]


def _bernoulli_mask(
    ids: IntArray,
    special: BoolArray | None,
    attention: BoolArray | None,
    cfg: _Config,
    gen: np.random.Generator,
) -> MaskedBatch:
    """Bernoulli selection and replacement from one uniform 32-bit integer per position.

    ``u <= b_select`` selects; among the selected, ``u <= b_mask`` becomes ``[MASK]`` and
    ``b_mask < u <= b_random`` a random id, drawn only for those positions. Works through
    the flattened batch in cache-sized chunks: each chunk's draws, selection and output stay
    in L2 (it is memory traffic, not arithmetic, that costs).
    """
    b_select = _u32_bound(cfg.p)
    b_mask = _u32_bound(cfg.p * cfg.mask_prob)
    b_random = _u32_bound(cfg.p * (cfg.mask_prob + cfg.random_prob))
    out = np.empty(ids.shape, dtype=ids.dtype)
    labels = np.empty(ids.shape, dtype=np.int64)
    src, out_flat, labels_flat = ids.reshape(-1), out.reshape(-1), labels.reshape(-1)
    special_flat = None if special is None else special.reshape(-1)
    attention_flat = None if attention is None else attention.reshape(-1)
    select, mask = np.uint32(max(b_select, 0)), np.uint32(max(b_mask, 0))
    # b_mask < u <= b_random as one unsigned comparison: u - (b_mask + 1) wraps around below.
    shift, width = np.uint32((b_mask + 1) % 2**32), np.uint32(max(b_random - b_mask - 1, 0))
    for start in range(0, src.size, _CHUNK):
        stop = min(start + _CHUNK, src.size)
        chunk, chunk_labels = out_flat[start:stop], labels_flat[start:stop]
        chunk[...] = src[start:stop]
        chunk_labels.fill(IGNORE_INDEX)
        if b_select < 0:
            continue
        u = _uniform_u32(gen, stop - start)
        selected = u <= select
        if special_flat is not None:  # selected and not special, in one pass
            np.greater(selected, special_flat[start:stop], out=selected)
        if attention_flat is not None:
            selected &= attention_flat[start:stop]
        idx = np.flatnonzero(selected)
        # The new ids are decided on the compact selection, then written with one scatter.
        # (take, putmask and place are the fastest numpy forms of these steps.)
        u_sel = u.take(idx)
        values = chunk.take(idx)
        chunk_labels[idx] = values
        if b_mask >= 0:
            np.putmask(values, u_sel <= mask, cfg.mask_token_id)
        if b_random > b_mask:
            is_random = (u_sel - shift) <= width
            n_random = int(np.count_nonzero(is_random))
            if n_random:
                # ids fit the input's dtype (checked against vocab_size): a safe cast.
                random_ids = gen.integers(0, cfg.vocab_size, size=n_random)
                np.place(values, is_random, random_ids.astype(values.dtype, copy=False))
        chunk[idx] = values
    return MaskedBatch(input_ids=out, labels=labels)


def _fixed_selection(
    rows: tuple[int, int],
    allowed: BoolArray,
    quota: npt.NDArray[np.int64],
    gen: np.random.Generator,
) -> npt.NDArray[np.intp]:
    """Flat indices of ``min(quota, eligible)`` uniform eligible positions per row."""
    quota = np.minimum(quota, np.count_nonzero(allowed, axis=1))
    # The quota smallest of i.i.d. uniform keys form a uniform random subset. Ineligible
    # positions get a key above every uniform, so they are never among them.
    keys = gen.random(rows)
    np.putmask(keys, ~allowed, 2.0)
    if rows[0] == 0 or rows[1] == 0:
        return np.flatnonzero(np.zeros(rows, dtype=bool))
    kth = np.take_along_axis(np.sort(keys, axis=1), np.maximum(quota - 1, 0)[:, None], axis=1)
    selected = (keys <= kth) & (quota > 0)[:, None]
    short = np.flatnonzero(np.count_nonzero(selected, axis=1) != quota)
    if short.size:  # a tie between two float64 uniforms: about 1e-12 per row, but be exact
        order = np.argsort(keys[short], axis=1, kind="stable")
        selected[short] = False
        for row, row_order in zip(short.tolist(), order.tolist(), strict=True):
            selected[row, row_order[: quota[row]]] = True
    return np.flatnonzero(selected)


def _decide(n: int, cfg: _Config, gen: np.random.Generator) -> tuple[BoolArray, BoolArray]:
    """Independent [MASK] / random decisions for ``n`` selected positions (or words)."""
    d = gen.random(n)
    is_mask = d < cfg.mask_prob
    return is_mask, ~is_mask & (d < cfg.mask_prob + cfg.random_prob)


def _apply(
    ids: IntArray,
    sel_idx: npt.NDArray[np.intp],
    is_mask: BoolArray,
    is_random: BoolArray,
    cfg: _Config,
    gen: np.random.Generator,
) -> MaskedBatch:
    out = np.array(ids, order="C", copy=True)
    flat = out.reshape(-1)
    labels = np.full(out.shape, IGNORE_INDEX, dtype=np.int64)
    labels.reshape(-1)[sel_idx] = flat[sel_idx]
    flat[sel_idx[is_mask]] = cfg.mask_token_id
    random_idx = sel_idx[is_random]
    flat[random_idx] = gen.integers(0, cfg.vocab_size, size=random_idx.size)
    return MaskedBatch(input_ids=out, labels=labels)


# --------------------------------------------------------------------------- whole words


def _word_starts(
    shape: tuple[int, ...],
    tokens: Sequence[str] | Sequence[Sequence[str]] | None,
    word_ids: npt.NDArray[Any] | Sequence[int | None] | Sequence[Sequence[int | None]] | None,
) -> tuple[BoolArray, BoolArray]:
    """(starts, in_word) as 2-D row arrays from exactly one of tokens / word_ids."""
    if (tokens is None) == (word_ids is None):
        raise ValueError("give exactly one of tokens= or word_ids= to define the words")
    rows = _as_rows(shape)
    prev_in = np.zeros(rows, dtype=bool)
    if tokens is not None:
        continuation, in_word = _token_flags(tokens, shape)
        prev_in[:, 1:] = in_word[:, :-1]
        return in_word & (~continuation | ~prev_in), in_word
    ids = _word_id_array(word_ids, shape)
    in_word = ids >= 0
    prev_in[:, 1:] = in_word[:, :-1]
    same = np.zeros(rows, dtype=bool)
    same[:, 1:] = ids[:, 1:] == ids[:, :-1]
    return in_word & (~prev_in | ~same), in_word


def _token_flags(
    tokens: Sequence[str] | Sequence[Sequence[str]], shape: tuple[int, ...]
) -> tuple[BoolArray, BoolArray]:
    rows = _as_rows(shape)
    continuation = np.zeros(rows, dtype=bool)
    in_word = np.zeros(rows, dtype=bool)
    for r, row in enumerate(_nested_rows("tokens", tokens, shape)):
        for c, token in enumerate(row):
            if not isinstance(token, str):
                raise TypeError(f"tokens must be strings, got {type(token).__name__}")
            continuation[r, c] = token.startswith("##")
            in_word[r, c] = token not in _STRUCTURAL_TOKENS
    return continuation, in_word


def _word_id_array(word_ids: object, shape: tuple[int, ...]) -> npt.NDArray[np.int64]:
    rows = _as_rows(shape)
    if isinstance(word_ids, np.ndarray):
        if not np.issubdtype(word_ids.dtype, np.integer):
            raise TypeError(f"word_ids must have an integer dtype, got {word_ids.dtype}")
        if word_ids.shape != shape:
            raise ValueError(f"word_ids must have input_ids' shape {shape}, got {word_ids.shape}")
        table = word_ids.reshape(rows).astype(np.int64)
    else:
        table = np.empty(rows, dtype=np.int64)
        for r, row in enumerate(_nested_rows("word_ids", word_ids, shape)):
            for c, value in enumerate(row):
                table[r, c] = (
                    -1 if value is None else _check.integer("word_ids entry", value, minimum=-1)
                )
    if table.size and int(table.min()) < -1:
        raise ValueError("word_ids must be >= 0 for words and None or -1 elsewhere")
    return table


def _nested_rows(name: str, value: object, shape: tuple[int, ...]) -> list[Sequence[Any]]:
    """Split a 1-D or 2-D nested sequence into rows, checking it matches ``shape``."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(
            f"{name} must be a sequence (a sequence of rows for 2-D input_ids), "
            f"got {type(value).__name__}"
        )
    rows = _as_rows(shape)
    table: list[Sequence[Any]] = [value] if len(shape) == 1 else list(value)
    if len(table) != rows[0]:
        raise ValueError(f"{name} must have {rows[0]} rows like input_ids, got {len(table)}")
    for row in table:
        if isinstance(row, str) or not isinstance(row, Sequence):
            raise TypeError(f"each row of {name} must be a sequence, got {type(row).__name__}")
        if len(row) != rows[1]:
            raise ValueError(f"{name} rows must have length {rows[1]}, got {len(row)}")
    return table


def _starts_after_removal(starts: BoolArray, in_word: BoolArray) -> BoolArray:
    prev_in = np.zeros(in_word.shape, dtype=bool)
    prev_in[:, 1:] = in_word[:, :-1]
    return in_word & (starts | ~prev_in)


def _greedy_words(
    starts: BoolArray, in_word: BoolArray, quota: npt.NDArray[np.int64], gen: np.random.Generator
) -> BoolArray:
    """The original BERT loop: visit words in random order, add those that fit the quota."""
    n_words = int(np.count_nonzero(starts))
    word_of = np.cumsum(starts.reshape(-1)) - 1
    lengths = np.bincount(word_of[in_word.reshape(-1)], minlength=n_words)
    row_of = np.nonzero(starts)[0]
    selected = np.zeros(n_words, dtype=bool)
    first = 0
    for row, count in enumerate(np.bincount(row_of, minlength=starts.shape[0]).tolist()):
        budget = int(quota[row])
        for word in (first + gen.permutation(count)).tolist():
            if budget == 0:
                break
            if lengths[word] <= budget:
                selected[word] = True
                budget -= int(lengths[word])
        first += count
    return selected


# --------------------------------------------------------------------------- teaching view


def _random_word(original: str, gen: np.random.Generator) -> str:
    candidates = [w for w in WORDS if w != original.lower()]
    return candidates[int(gen.integers(len(candidates)))]
