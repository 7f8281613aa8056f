"""Bad-input fuzzing of :func:`nlpguide.data.imdb_reviews` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

from typing import Any

from fuzz_support import HUGE_INT, JUNK, attempt, fuzz
from hypothesis import given
from hypothesis import strategies as st

from nlpguide import data


class TestImdbReviews:
    @fuzz(120)
    @given(
        split=st.one_of(st.sampled_from(["train", "test", "validation", "Train"]), JUNK),
        n=st.one_of(
            st.none(), st.integers(-3, 30), st.sampled_from([24789, 24790, HUGE_INT]), JUNK
        ),
    )
    def test_imdb_reviews(self, split: Any, n: Any) -> None:
        """A known split and n in 1..its size give n rows; anything else is a clear error."""
        out = attempt("nlpguide.data.imdb_reviews", lambda: data.imdb_reviews(split, n))
        if out.ok:
            assert split in ("train", "test")
            rows = len(out.value["text"])
            assert rows == len(out.value["label"])
            if n is not None:
                assert isinstance(n, int)
                assert not isinstance(n, bool)
                assert rows == n


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.data.imdb_reviews": "TestImdbReviews.test_imdb_reviews",
}
