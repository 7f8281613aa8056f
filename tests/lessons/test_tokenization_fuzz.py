"""Bad-input fuzzing of :mod:`nlpguide.lessons.tokenization` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fuzz_support import BAD_STR_LISTS, JUNK, UNTOUCHABLE_TOKENIZER, bad_count, fuzz, rejects
from hypothesis import given
from hypothesis import strategies as st

from nlpguide.lessons import tokenization


def _measure(which: str) -> Callable[..., Any]:
    fn: Callable[..., Any] = getattr(tokenization, which)
    if which == "kept_share":
        return lambda tok, texts: fn(tok, texts, max_length=8)
    return fn


class TestArguments:
    @fuzz(30)
    @given(extra=st.lists(JUNK, min_size=1, max_size=2))
    def test_load_tokenizers_takes_no_arguments(self, extra: list[Any]) -> None:
        """load_tokenizers takes no arguments: any is a TypeError naming it."""
        rejects(
            "nlpguide.lessons.tokenization.load_tokenizers",
            lambda: tokenization.load_tokenizers(*extra),
            "load_tokenizers",
        )

    @fuzz(80)
    @given(which=st.sampled_from(["tokens_per_word", "kept_share"]), texts=BAD_STR_LISTS)
    def test_bad_texts_checked_first(self, which: str, texts: Any) -> None:
        """Texts that are no list of str are rejected by name before the tokenizer is used."""
        measure = _measure(which)
        rejects(
            f"nlpguide.lessons.tokenization.{which}",
            lambda: measure(UNTOUCHABLE_TOKENIZER, texts),
            mentions="texts",
        )

    @fuzz(40)
    @given(blank=st.text(" \t\n\r\u00a0\u2003", max_size=5))
    def test_blank_text_has_no_words(self, blank: str) -> None:
        """A text without words cannot give tokens per word: rejected before the tokenizer is used."""
        rejects(
            "nlpguide.lessons.tokenization.tokens_per_word",
            lambda: tokenization.tokens_per_word(UNTOUCHABLE_TOKENIZER, ["word", blank]),
            mentions="texts",
        )

    @fuzz(60)
    @given(max_length=bad_count(1))
    def test_bad_max_length_checked_first(self, max_length: Any) -> None:
        """A max_length that is no int >= 1 is rejected by name before the tokenizer is used."""
        rejects(
            "nlpguide.lessons.tokenization.kept_share",
            lambda: tokenization.kept_share(UNTOUCHABLE_TOKENIZER, ["a"], max_length=max_length),
            mentions="max_length",
        )


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.lessons.tokenization.load_tokenizers": (
        "TestArguments.test_load_tokenizers_takes_no_arguments"
    ),
    "nlpguide.lessons.tokenization.tokens_per_word": "TestArguments.test_bad_texts_checked_first",
    "nlpguide.lessons.tokenization.kept_share": "TestArguments.test_bad_max_length_checked_first",
}
