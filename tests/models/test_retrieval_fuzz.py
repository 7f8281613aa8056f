"""Bad-input fuzzing of :mod:`nlpguide.models.retrieval` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from fuzz_support import (
    NON_SEQUENCE_OR_STR,
    NON_STR,
    TEXT,
    TEXT_OR_HUGE,
    UNTOUCHABLE_MODEL,
    UNTOUCHABLE_TOKENIZER,
    WORDY,
    attempt,
    bad_count,
    check_plain_record,
    contract,
    draw_broken,
    fuzz,
    rejects,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nlpguide.models import retrieval


class TestRetrieval:
    @fuzz(200)
    @given(data=st.data())
    def test_mean_pool(self, data: st.DataObject) -> None:
        """mean_pool averages the unmasked vectors of each sequence, or rejects bad shapes."""
        b, t, d = (data.draw(st.integers(1, 4), label=x) for x in "btd")
        vectors = data.draw(hnp.arrays(np.float64, (b, t, d), elements=st.floats(-10, 10)))
        mask = data.draw(
            st.one_of(
                hnp.arrays(np.int64, (b, t), elements=st.integers(0, 1)),
                hnp.arrays(np.bool_, (b, t)),
            ),
            label="mask",
        )
        broken = draw_broken(data.draw, ["token_vectors", "attention_mask"], 1)
        if "token_vectors" in broken:
            vectors = data.draw(
                st.sampled_from([vectors[0], vectors[..., None], None, "v", vectors.tolist()])
            )
        if "attention_mask" in broken:
            mask = data.draw(
                st.sampled_from(
                    [
                        mask[0],
                        np.full((b, t), 2),
                        np.full((b, t + 1), 1),
                        np.full((b, t), -1),
                        None,
                        mask.tolist(),
                    ]
                )
            )

        def sane(pooled: np.ndarray) -> None:
            assert pooled.shape == (b, d)
            for i in range(b):
                keep = np.asarray(mask[i], dtype=bool)
                if keep.any():
                    assert np.allclose(pooled[i], vectors[i][keep].mean(axis=0))
                else:
                    assert np.allclose(pooled[i], 0.0)

        contract(
            "nlpguide.models.retrieval.mean_pool",
            lambda: retrieval.mean_pool(vectors, mask),
            broken,
            sane,
            names={"token_vectors": r"token_vectors", "attention_mask": r"attention_mask"},
        )

    @fuzz(250)
    @given(data=st.data())
    def test_top_k(self, data: st.DataObject) -> None:
        """top_k returns k hits, best first, scored by the dot product; bad input is named."""
        n, w = data.draw(st.integers(1, 8), label="n"), data.draw(st.integers(1, 5), label="w")
        docs = data.draw(hnp.arrays(np.float64, (n, w), elements=st.floats(-1, 1)), label="docs")
        query = data.draw(hnp.arrays(np.float64, (w,), elements=st.floats(-1, 1)), label="q")
        k = data.draw(st.integers(1, n), label="k")
        broken = draw_broken(data.draw, ["query", "documents", "k"], 1)
        if "query" in broken:
            query = data.draw(
                st.sampled_from(
                    [
                        np.full(w, math.nan),
                        np.ones(w + 1),
                        np.ones((1, w)),
                        None,
                        "q",
                        [math.inf] * w,
                    ]
                )
            )
        if "documents" in broken:
            docs = data.draw(
                st.sampled_from(
                    [
                        np.full((n, w), math.nan),
                        np.ones((n, w + 1)),
                        np.ones(w),
                        np.zeros((0, w)),
                        None,
                        [[1.0], [1, 2]],
                    ]
                )
            )
        if "k" in broken:
            k = data.draw(st.one_of(bad_count(1), st.just(n + 1)))  # type: ignore[assignment]

        def sane(hits: list[retrieval.Hit]) -> None:
            assert len(hits) == k
            scores = [h.score for h in hits]
            assert scores == sorted(scores, reverse=True)
            for h in hits:
                assert h.score == pytest.approx(float(docs[h.index] @ query))

        contract(
            "nlpguide.models.retrieval.top_k",
            lambda: retrieval.top_k(query, docs, k=k),
            broken,
            sane,
            names={"query": r"query|finite", "documents": r"documents|finite|k must"},
        )

    @fuzz(200)
    @given(
        question=st.one_of(WORDY, st.sampled_from(["", "  "]), NON_STR),
        passages=st.one_of(
            st.lists(TEXT_OR_HUGE, max_size=3), st.just([None]), st.just([3]), NON_SEQUENCE_OR_STR
        ),
        instruction=st.one_of(st.none(), WORDY, st.sampled_from(["", " ", 0, 5, b"x"])),
    )
    def test_rag_messages(self, question: Any, passages: Any, instruction: Any) -> None:
        """rag_messages asks the question last, after every passage, or raises a clear error."""
        out = attempt(
            "nlpguide.models.retrieval.rag_messages",
            lambda: retrieval.rag_messages(question, passages, instruction=instruction),
        )
        if out.ok:
            (msg,) = out.value
            assert msg["role"] == "user"
            assert msg["content"].endswith(question)
            assert all(isinstance(p, str) and p in msg["content"] for p in passages)
            assert instruction is None or (isinstance(instruction, str) and instruction.strip())
            if instruction is not None and passages:
                assert msg["content"].startswith(instruction)


@pytest.mark.models
class TestRetrievalWithModels:
    @fuzz(150)
    @given(
        texts=st.one_of(
            st.lists(TEXT, min_size=1, max_size=3),
            st.just([]),
            st.just([None]),
            NON_SEQUENCE_OR_STR,
        ),
        max_length=st.one_of(st.integers(1, 512), bad_count(1)),
        batch_size=st.one_of(st.integers(1, 64), bad_count(1)),
    )
    def test_embed_checks_first(self, texts: Any, max_length: Any, batch_size: Any) -> None:
        """embed rejects bad texts or sizes before tokenising anything."""
        valid = (
            isinstance(texts, list)
            and texts
            and all(isinstance(t, str) for t in texts)
            and all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 1
                for v in (max_length, batch_size)
            )
        )
        assume(not valid)
        rejects(
            "nlpguide.models.retrieval.embed",
            lambda: retrieval.embed(
                UNTOUCHABLE_TOKENIZER,
                UNTOUCHABLE_MODEL,
                texts,
                max_length=max_length,
                batch_size=batch_size,
            ),
        )


class TestRecords:
    """Plain result records: they hold what they are given and print it."""

    RECORDS: tuple[tuple[str, Callable[..., Any]], ...] = (
        ("nlpguide.models.retrieval.Hit", retrieval.Hit),
    )

    @fuzz(60)
    @given(which=st.sampled_from(RECORDS), data=st.data())
    def test_plain_records(
        self, which: tuple[str, Callable[..., Any]], data: st.DataObject
    ) -> None:
        """A plain record keeps every field as given and reprs without error."""
        check_plain_record(*which, data)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.models.retrieval.mean_pool": "TestRetrieval.test_mean_pool",
    "nlpguide.models.retrieval.top_k": "TestRetrieval.test_top_k",
    "nlpguide.models.retrieval.rag_messages": "TestRetrieval.test_rag_messages",
    "nlpguide.models.retrieval.embed": "TestRetrievalWithModels.test_embed_checks_first",
    "nlpguide.models.retrieval.Hit": "TestRecords.test_plain_records",
}
