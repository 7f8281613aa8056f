"""Scores for generated text, in plain Python: the core needs neither numpy nor torch.

* :func:`exact_match` for one-word answers (T5's topic task);
* :func:`rouge_l_f1` on :func:`word_tokens` (via :func:`lcs_length`) for headlines;
* two baselines: :func:`majority_baseline` (the most common label) and
  :func:`lead_words` (an article's first words as its headline).

>>> exact_match(["sport", "tech"], ["Sport", "business"])
0.5
>>> round(rouge_l_f1("shares rise in tokyo", "tokyo shares rise"), 3)
0.571
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from . import _check

__all__ = [
    "exact_match",
    "lcs_length",
    "lead_words",
    "majority_baseline",
    "rouge_l_f1",
    "word_tokens",
]

_WORD = re.compile(r"[a-z0-9]+")


def word_tokens(text: str) -> list[str]:
    """Lowercased runs of ``[a-z0-9]``: the tokens ROUGE is computed on.

    The same rule as Google's ``rouge_score`` without stemming: everything else,
    apostrophes and accented letters included, separates tokens.

    >>> word_tokens("Don't PANIC: 3.5% rise in Q1!")
    ['don', 't', 'panic', '3', '5', 'rise', 'in', 'q1']
    """
    _check.text("text", text, empty=True)
    return _WORD.findall(text.lower())


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token sequences.

    >>> lcs_length("police killed the gunman".split(), "police kill the gunman".split())
    3
    """
    a, b = _check.strings("a", a), _check.strings("b", b)
    if len(a) < len(b):
        a, b = b, a
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal = 0  # row[j - 1] of the previous row
        for j, y in enumerate(b, start=1):
            above = row[j]
            row[j] = diagonal + 1 if x == y else max(row[j], row[j - 1])
            diagonal = above
    return row[-1]


def rouge_l_f1(hypothesis: str, reference: str) -> float:
    """ROUGE-L F1 (Lin, 2004) on :func:`word_tokens`: LCS-based precision and recall.

    ``P = LCS / len(hyp)``, ``R = LCS / len(ref)``, ``F1 = 2PR / (P + R)``. Two
    texts without any tokens score 1.0 (they agree); one empty side scores 0.0.

    >>> round(rouge_l_f1("police kill the gunman", "police killed the gunman"), 4)
    0.75
    >>> rouge_l_f1("Same words", "same, WORDS!")
    1.0
    """
    hyp, ref = word_tokens(hypothesis), word_tokens(reference)
    if not hyp and not ref:
        return 1.0
    lcs = lcs_length(hyp, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(hyp), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def exact_match(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Share of predictions equal to their reference after stripping spaces and case.

    >>> exact_match(["sport", " Tech", "politics"], ["sport", "tech", "business"])
    0.6666666666666666
    """
    _check.strings("predictions", predictions)
    _check.strings("references", references)
    if len(predictions) != len(references):
        msg = f"{len(predictions)} predictions for {len(references)} references"
        raise ValueError(msg)
    if not references:
        msg = "exact match of nothing is undefined: pass at least one pair"
        raise ValueError(msg)
    hits = sum(
        p.strip().lower() == r.strip().lower() for p, r in zip(predictions, references, strict=True)
    )
    return hits / len(references)


def majority_baseline(train_labels: Sequence[str], test_labels: Sequence[str]) -> tuple[str, float]:
    """The train split's most common label and its exact match on ``test_labels``.

    Ties go to the label that sorts first, so the baseline is reproducible.

    >>> majority_baseline(["a", "b", "b"], ["b", "a", "b", "c"])
    ('b', 0.5)
    """
    _check.strings("train_labels", train_labels)
    _check.strings("test_labels", test_labels)
    if not train_labels:
        msg = "train_labels is empty: no majority class"
        raise ValueError(msg)
    counts = Counter(train_labels)
    label = min(counts, key=lambda k: (-counts[k], k))
    return label, exact_match([label] * len(test_labels), test_labels)


def lead_words(text: str, n: int = 8) -> str:
    """The first ``n`` whitespace-separated words: the headline baseline.

    >>> lead_words("Quarterly profits at US media giant TimeWarner jumped 76%", 4)
    'Quarterly profits at US'
    """
    _check.text("text", text, empty=True)
    _check.integer("n", n, minimum=1)
    return " ".join(text.split()[:n])
