"""Bad-input fuzzing of :mod:`nlpguide.data` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fuzz_support import (
    JUNK,
    NON_STR,
    TEXT,
    attempt,
    fuzz,
    rejects,
)
from hypothesis import given
from hypothesis import strategies as st

from nlpguide import data


class TestData:
    @fuzz(200)
    @given(
        path=st.one_of(st.just("sport/001.txt"), TEXT, NON_STR),
        title=st.one_of(TEXT, NON_STR),
        text=st.one_of(TEXT, NON_STR),
        label_text=st.one_of(st.sampled_from(data.BBC_LABELS), st.just("sports"), TEXT, NON_STR),
    )
    def test_article(self, path: Any, title: Any, text: Any, label_text: Any) -> None:
        """An Article has str fields and a known topic whose index is its label."""
        out = attempt("nlpguide.data.Article", lambda: data.Article(path, title, text, label_text))
        if out.ok:
            assert all(isinstance(v, str) for v in (path, title, text, label_text))
            assert data.BBC_LABELS[out.value.label] == label_text

    @fuzz(40)
    @given(verify=st.one_of(NON_STR, st.text(max_size=3)).filter(lambda v: not isinstance(v, bool)))
    def test_bbc_split_checks_before_reading(self, verify: Any) -> None:
        """bbc_split rejects a non-bool verify before it reads a single article."""

        def boom() -> None:
            raise AssertionError("bbc_split read the corpus before checking verify")

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(data, "bbc_articles", boom)
            rejects("nlpguide.data.bbc_split", lambda: data.bbc_split(verify=verify), "verify")

    @pytest.mark.parametrize("verify", [True, False])
    def test_bbc_split_valid(self, verify: bool) -> None:
        """With or without the hash check the split has its fixed sizes."""
        out = attempt("nlpguide.data.bbc_split", lambda: data.bbc_split(verify=verify))
        assert out.ok
        assert [len(v) for v in out.value.values()] == [1781, 223, 221]

    @fuzz(40)
    @given(extra=st.lists(JUNK, min_size=1, max_size=2))
    def test_no_argument_functions(self, extra: list[Any]) -> None:
        """bbc_articles and bbc_news take no positional arguments."""
        for name, fn in (("bbc_articles", data.bbc_articles), ("bbc_news", data.bbc_news)):
            rejects(f"nlpguide.data.{name}", lambda fn=fn: fn(*extra), mentions=name)  # type: ignore[misc]

    def test_bbc_articles_valid(self) -> None:
        """All 2,225 articles are read, each with a known topic."""
        out = attempt("nlpguide.data.bbc_articles", data.bbc_articles)
        assert out.ok
        assert len(out.value) == 2225
        assert {a.label_text for a in out.value} == set(data.BBC_LABELS)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.data.Article": "TestData.test_article",
    "nlpguide.data.bbc_articles": "TestData.test_no_argument_functions",
    "nlpguide.data.bbc_news": "TestData.test_no_argument_functions",
    "nlpguide.data.bbc_split": "TestData.test_bbc_split_checks_before_reading",
}
