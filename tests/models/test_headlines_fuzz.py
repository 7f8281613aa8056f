"""Bad-input fuzzing of the headline adapter's helpers and loader (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fuzz_support import (
    NON_STR,
    TEXT,
    UNTOUCHABLE_MODEL,
    UNTOUCHABLE_TOKENIZER,
    attempt,
    bad_count,
    fuzz,
    rejects,
)
from hypothesis import given
from hypothesis import strategies as st

from nlpguide.models import decoder, headline_decoder
from nlpguide.models import headlines as hl

pytestmark = pytest.mark.models

_TOKENIZER: list[Any] = []


def _tok() -> Any:
    """SmolLM2's tokenizer, loaded once for the whole file."""
    if not _TOKENIZER:
        _TOKENIZER.append(decoder()[0])
    return _TOKENIZER[0]


class TestHeadlines:
    @fuzz(100)
    @given(text=st.one_of(TEXT, NON_STR), n=st.one_of(st.integers(1, 64), bad_count(1)))
    def test_lead_text(self, text: Any, n: Any) -> None:
        """lead_text keeps at most n tokens of a non-empty text; else a clear error."""
        out = attempt(
            "nlpguide.models.headlines.lead_text", lambda: hl.lead_text(text, _tok(), lead_tokens=n)
        )
        if out.ok:
            assert isinstance(out.value, str)
            assert len(_tok()(out.value, add_special_tokens=False)["input_ids"]) <= n + 2

    @fuzz(100)
    @given(text=st.one_of(TEXT, NON_STR))
    def test_headline_messages(self, text: Any) -> None:
        """Two turns, the user's ending with the article's lead."""
        out = attempt(
            "nlpguide.models.headlines.headline_messages", lambda: hl.headline_messages(text)
        )
        if out.ok:
            assert [m["role"] for m in out.value] == ["system", "user"]
            assert out.value[1]["content"].endswith(text.strip())

    @fuzz(60)
    @given(text=st.one_of(TEXT, NON_STR), bad_tok=st.booleans())
    def test_headline_prompt(self, text: Any, bad_tok: bool) -> None:
        """The prompt ends at the assistant turn; a non-tokenizer is a TypeError."""
        tok: Any = "tokenizer" if bad_tok else _tok()
        out = attempt(
            "nlpguide.models.headlines.headline_prompt", lambda: hl.headline_prompt(tok, text)
        )
        if out.ok:
            assert not bad_tok
            assert out.value.endswith("<|im_start|>assistant\n")

    @fuzz(150)
    @given(text=st.one_of(TEXT, NON_STR))
    def test_clean_headline(self, text: Any) -> None:
        """One line, stripped, taken from the generation."""
        out = attempt("nlpguide.models.headlines.clean_headline", lambda: hl.clean_headline(text))
        if out.ok:
            assert "\n" not in out.value
            assert out.value == out.value.strip()

    @fuzz(60)
    @given(
        texts=st.one_of(st.just("one article"), st.lists(NON_STR, min_size=1, max_size=2)),
        size=st.one_of(st.integers(1, 4), bad_count(1)),
    )
    def test_generate_headlines_checks_first(self, texts: Any, size: Any) -> None:
        """Bad texts or batch sizes are refused before the tokenizer or model is touched."""
        rejects(
            "nlpguide.models.headlines.generate_headlines",
            lambda: hl.generate_headlines(
                UNTOUCHABLE_TOKENIZER, UNTOUCHABLE_MODEL, texts, batch_size=size
            ),
        )

    @fuzz(40)
    @given(folder=st.one_of(NON_STR, st.just("/no/such/folder")))
    def test_read_record(self, folder: Any) -> None:
        """A non-path is a TypeError and a folder without a record a FileNotFoundError."""
        if isinstance(folder, str):
            with pytest.raises(FileNotFoundError, match="headline adapter"):
                hl.read_record(folder)
            return
        rejects("nlpguide.models.headlines.read_record", lambda: hl.read_record(folder), "folder")

    @fuzz(40)
    @given(
        merge=st.one_of(
            NON_STR.filter(lambda v: not isinstance(v, bool)), st.sampled_from([0, 1, "yes"])
        )
    )
    def test_headline_decoder(self, merge: Any) -> None:
        """merge must be a bool: anything else is a TypeError before a model loads."""
        rejects("nlpguide.models.headline_decoder", lambda: headline_decoder(merge=merge), "merge")


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.models.headline_decoder": "TestHeadlines.test_headline_decoder",
    "nlpguide.models.headlines.lead_text": "TestHeadlines.test_lead_text",
    "nlpguide.models.headlines.headline_messages": "TestHeadlines.test_headline_messages",
    "nlpguide.models.headlines.headline_prompt": "TestHeadlines.test_headline_prompt",
    "nlpguide.models.headlines.clean_headline": "TestHeadlines.test_clean_headline",
    "nlpguide.models.headlines.generate_headlines": "TestHeadlines.test_generate_headlines_checks_first",
    "nlpguide.models.headlines.read_record": "TestHeadlines.test_read_record",
}
