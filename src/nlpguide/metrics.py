"""Scores for generated text: the reference libraries behind a numpy-free core.

* :func:`exact_match` for one-word answers (T5's topic task), in plain Python;
* :func:`rouge_l_f1` / :func:`mean_rouge_l_f1` for headlines: Google's
  ``rouge-score`` (``RougeScorer(["rougeL"], use_stemmer=True)``, F1);
* :func:`bleu` and :func:`chrf` for translation: ``sacrebleu``, corpus-level;
* two baselines: :func:`majority_baseline` (the most common label) and
  :func:`lead_words` (an article's first words as its headline).

``rouge-score`` and ``sacrebleu`` are imported only inside the functions that
use them, so ``import nlpguide.metrics`` costs neither: they come with the
``metrics`` extra (``pip install "nlpguide[metrics]"``, part of ``models``).

ROUGE-L is computed with Porter stemming (:data:`ROUGE_USE_STEMMER`), the
setting of transformers' summarisation examples and of the model cards that
report ROUGE for headline models, so that "kill" and "killed" match.

>>> exact_match(["sport", "tech"], ["Sport", "business"])
0.5
>>> round(rouge_l_f1("police kill the gunman", "police killed the gunman"), 3)
1.0
>>> round(rouge_l_f1("shares rise in tokyo", "tokyo shares rise"), 3)
0.571
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from . import _check

__all__ = [
    "ROUGE_USE_STEMMER",
    "bleu",
    "chrf",
    "exact_match",
    "lead_words",
    "majority_baseline",
    "mean_rouge_l_f1",
    "rouge_l_f1",
    "word_tokens",
]

#: ROUGE-L with Porter stemming, as transformers' ``run_summarization.py`` scores it.
ROUGE_USE_STEMMER = True

_WORD = re.compile(r"[a-z0-9]+")
_EXTRA = 'pip install "nlpguide[metrics]" (also part of "nlpguide[models]")'


def _missing(function: str, package: str) -> ImportError:
    return ImportError(f"{function} needs the {package} package: {_EXTRA}")


@functools.lru_cache(maxsize=2)
def _rouge_scorer(use_stemmer: bool) -> Any:
    try:
        from rouge_score import rouge_scorer  # noqa: PLC0415 - optional, heavy (nltk)
    except ImportError as err:
        raise _missing("rouge_l_f1", "rouge-score") from err
    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=use_stemmer)


def _sacrebleu(function: str) -> Any:
    try:
        import sacrebleu  # noqa: PLC0415 - optional
    except ImportError as err:
        raise _missing(function, "sacrebleu") from err
    return sacrebleu


def word_tokens(text: str) -> list[str]:
    """Lowercased runs of ``[a-z0-9]``: the tokens ``rouge-score`` splits text into.

    The same rule as ``rouge_score.tokenize`` before stemming: everything else,
    apostrophes and accented letters included, separates tokens.

    >>> word_tokens("Don't PANIC: 3.5% rise in Q1!")
    ['don', 't', 'panic', '3', '5', 'rise', 'in', 'q1']
    """
    _check.text("text", text, empty=True)
    return _WORD.findall(text.lower())


def rouge_l_f1(hypothesis: str, reference: str, *, use_stemmer: bool = ROUGE_USE_STEMMER) -> float:
    """ROUGE-L F1 (Lin, 2004) of one pair, from ``rouge-score``.

    LCS-based precision ``LCS / len(hyp)`` and recall ``LCS / len(ref)`` on
    :func:`word_tokens` (Porter-stemmed unless ``use_stemmer=False``), and
    their harmonic mean. A side without tokens scores 0.0, as in ``rouge-score``.

    >>> round(rouge_l_f1("police kill the gunman", "police killed the gunman",
    ...                  use_stemmer=False), 4)
    0.75
    >>> rouge_l_f1("Same words", "same, WORDS!")
    1.0
    """
    _check.text("hypothesis", hypothesis, empty=True)
    _check.text("reference", reference, empty=True)
    _check.boolean("use_stemmer", use_stemmer)
    # rouge-score's argument order is (target, prediction).
    return float(_rouge_scorer(use_stemmer).score(reference, hypothesis)["rougeL"].fmeasure)


def _pairs(hypotheses: object, references: object) -> tuple[list[str], list[str]]:
    hyps = _check.strings("hypotheses", hypotheses)
    refs = _check.strings("references", references)
    if len(hyps) != len(refs):
        raise ValueError(f"{len(hyps)} hypotheses for {len(refs)} references")
    if not refs:
        raise ValueError("a score over nothing is undefined: pass at least one pair")
    return hyps, refs


def mean_rouge_l_f1(
    hypotheses: Sequence[str],
    references: Sequence[str],
    *,
    use_stemmer: bool = ROUGE_USE_STEMMER,
) -> float:
    """The mean of :func:`rouge_l_f1` over aligned pairs: the figure papers report.

    >>> round(mean_rouge_l_f1(["tokyo shares rise", "a b"], ["shares rise in tokyo", "a b"]), 4)
    0.7857
    """
    hyps, refs = _pairs(hypotheses, references)
    _check.boolean("use_stemmer", use_stemmer)
    scores = [rouge_l_f1(h, r, use_stemmer=use_stemmer) for h, r in zip(hyps, refs, strict=True)]
    return sum(scores) / len(scores)


def bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU (0-100) with one reference per hypothesis: ``sacrebleu.corpus_bleu``.

    sacrebleu's defaults (13a tokenisation, exponential smoothing), so the
    figure is comparable with published ones.

    >>> round(bleu(["the cat sat on the mat"], ["the cat sat on the mat"]), 6)
    100.0
    """
    hyps, refs = _pairs(hypotheses, references)
    return float(_sacrebleu("bleu").corpus_bleu(hyps, [refs]).score)


def chrf(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus chrF (0-100, character 6-grams, beta 2): ``sacrebleu.corpus_chrf``.

    >>> round(chrf(["Insérer une table"], ["Insérer un tableau"]), 1) < 100
    True
    """
    hyps, refs = _pairs(hypotheses, references)
    return float(_sacrebleu("chrf").corpus_chrf(hyps, [refs]).score)


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
