"""Shared by the masking tests: a BERT-like batch and exact binomial checks of its masking.

tests/core/test_mlm.py checks nlpguide.mlm alone; tests/models/test_mlm_reference.py
checks it against transformers' collator with the same statistics.
"""

from __future__ import annotations

import math

import numpy as np

VOCAB = 30522
MASK, CLS, SEP, PAD = 103, 101, 102, 0
# Six binomial standard deviations: a correct implementation fails such a check with
# probability about 2e-9, so with fixed seeds the tests are deterministic, and for any
# other seed they would still essentially never fail; yet on 10^6 tokens 6 sd is ~0.2% of
# the selection rate, far below the size of any real bug (e.g. a 0.15 -> 0.135 rate).
Z = 6.0


def make_batch(rows: int, cols: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """[CLS] ids... [SEP] then padding, ids never equal to [MASK]; plus the special mask."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(999, VOCAB, size=(rows, cols))
    lengths = rng.integers(8, cols + 1, size=rows)
    ids[:, 0] = CLS
    ids[np.arange(rows), lengths - 1] = SEP
    ids[np.arange(cols) >= lengths[:, None]] = PAD
    return ids, np.isin(ids, [CLS, SEP, PAD])


def binomial_sd(n: int, q: float) -> float:
    """Standard deviation of a Binomial(n, q) count."""
    return math.sqrt(n * q * (1.0 - q))


def observed_split(
    original: np.ndarray, out: np.ndarray, selected: np.ndarray
) -> tuple[int, int, int, int]:
    """(selected, shown as [MASK], unchanged, other id) counts over selected positions."""
    before, after = original[selected], out[selected]
    shown_mask = int(np.count_nonzero(after == MASK))
    unchanged = int(np.count_nonzero(after == before))
    return int(before.size), shown_mask, unchanged, int(before.size) - shown_mask - unchanged


def assert_split(counts: tuple[int, int, int, int], m: float, r: float, vocab: int) -> None:
    """The observed split matches its exact expectation within Z sd.

    A random replacement can hit [MASK] or the original id (each with probability
    1/vocab); the expected shares account for that, so the check is exact.
    """
    selected, shown_mask, unchanged, other = counts
    expected = (m + r / vocab, 1 - m - r + r / vocab, r * (1 - 2 / vocab))
    for count, q in zip((shown_mask, unchanged, other), expected, strict=True):
        assert abs(count - selected * q) <= Z * binomial_sd(selected, q), (count, selected, q)
