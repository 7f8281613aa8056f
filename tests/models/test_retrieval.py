"""Tests for nlpguide.models.retrieval's pure parts: pooling, top-k search, RAG messages."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nlpguide.models.retrieval import Hit, mean_pool, rag_messages, top_k


class TestTopK:
    @given(
        hnp.arrays(
            np.float64, st.tuples(st.integers(1, 12), st.just(4)), elements=st.floats(-1, 1)
        ),
        st.data(),
    )
    @settings(max_examples=50)
    def test_best_first_and_scores_are_dot_products(self, docs: np.ndarray, data: Any) -> None:
        """Hits come best first, with the dot product as score, and k of them."""
        k = data.draw(st.integers(1, docs.shape[0]))
        query = np.array([0.5, 0.5, 0.5, 0.5])
        hits = top_k(query, docs, k=k)
        assert len(hits) == k
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        for h in hits:
            assert h.score == pytest.approx(float(docs[h.index] @ query))
        assert max(scores) == pytest.approx(float((docs @ query).max()))

    def test_ties_keep_index_order(self) -> None:
        """Equal scores are returned in index order, so results are reproducible."""
        assert top_k([1.0], [[0.5], [0.5], [0.5]], k=2) == [Hit(0, 0.5), Hit(1, 0.5)]

    @pytest.mark.parametrize(
        ("k", "error"), [(0, ValueError), (4, ValueError), (True, TypeError), (1.5, TypeError)]
    )
    def test_bad_k(self, k: Any, error: type[Exception]) -> None:
        """k must be an int (else TypeError) between 1 and the number of documents (else ValueError)."""
        with pytest.raises(error, match="k must be an int"):
            top_k([1.0, 0.0], np.eye(2)[[0, 1, 0]], k=k)

    def test_width_mismatch(self) -> None:
        """A query of another width than the documents is rejected."""
        with pytest.raises(ValueError, match="same width"):
            top_k([1.0, 0.0, 0.0], np.eye(2))


class TestMeanPool:
    @given(
        hnp.arrays(np.float64, (2, 5, 3), elements=st.floats(-10, 10)),
        st.integers(1, 5),
    )
    @settings(max_examples=50)
    def test_padding_never_counts(self, vectors: np.ndarray, length: int) -> None:
        """Whatever sits in the padded positions, the mean is over the real tokens only."""
        mask = np.zeros((2, 5), dtype=np.int64)
        mask[:, :length] = 1
        noisy = vectors.copy()
        noisy[:, length:] = 1e6
        assert np.allclose(mean_pool(noisy, mask), vectors[:, :length].mean(axis=1))


class TestRagMessages:
    def test_passages_numbered_before_the_question(self) -> None:
        """Each passage is numbered, and the question comes last."""
        content = rag_messages("Why?", ["first", "second"])[0]["content"]
        assert content.index("Article 1: first") < content.index("Article 2: second")
        assert content.endswith("Question: Why?")

    @pytest.mark.parametrize(("question", "passages"), [("", []), ("Why?", "one passage")])
    def test_bad_input(self, question: str, passages: Any) -> None:
        """An empty question or a bare str of passages is rejected."""
        with pytest.raises((ValueError, TypeError), match=r"question|passages"):
            rag_messages(question, passages)
