"""Fuzz tests for the English→French loader: any argument loads a split or is refused clearly."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpguide.data import TranslationPair, translation_pairs

FUZZ = settings(max_examples=60, derandomize=True, database=None, deadline=None)
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
NON_STR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.binary(max_size=4),
    st.lists(st.text(max_size=2), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)  # fmt: skip


class TestTranslationPairsFuzz:
    @FUZZ
    @given(split=st.one_of(st.sampled_from(["test", "validation", "train"]), ANY_TEXT, NON_STR))
    def test_any_split(self, split: Any) -> None:
        """A known split loads 1,000 pairs; another str is a ValueError, another type a TypeError."""
        if split in ("test", "validation") and isinstance(split, str):
            assert len(translation_pairs(split)) == 1000
        elif isinstance(split, str):
            with pytest.raises(ValueError, match="split"):
                translation_pairs(split)
        else:
            with pytest.raises(TypeError, match="split"):
                translation_pairs(split)


class TestTranslationPairFuzz:
    @FUZZ
    @given(
        english=st.one_of(ANY_TEXT, NON_STR),
        french=st.one_of(ANY_TEXT, NON_STR),
        source=st.one_of(ANY_TEXT, NON_STR),
    )
    def test_fields(self, english: Any, french: Any, source: Any) -> None:
        """Three non-blank str make a pair; otherwise the first bad field is named."""
        fields = {"english": english, "french": french, "source": source}
        bad = [
            name
            for name, value in fields.items()
            if not isinstance(value, str) or not value.strip()
        ]
        if not bad:
            pair = TranslationPair(english, french, source)
            assert (pair.english, pair.french, pair.source) == (english, french, source)
            return
        error = TypeError if not isinstance(fields[bad[0]], str) else ValueError
        with pytest.raises(error, match=bad[0]):
            TranslationPair(english, french, source)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
#: nlpguide.data is listed in tests/models/test_fuzz_coverage.py (bbc_news needs datasets);
#: its numpy-free loader and record are fuzzed here, in the core layer.
REGISTRY: dict[str, str] = {
    "nlpguide.data.translation_pairs": "TestTranslationPairsFuzz.test_any_split",
    "nlpguide.data.TranslationPair": "TestTranslationPairFuzz.test_fields",
}
