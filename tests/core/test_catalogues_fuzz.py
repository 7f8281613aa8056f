"""Fuzz tests for nlpguide.catalogues: any input is cleaned, dropped or refused clearly."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpguide import catalogues as cat

FUZZ = settings(max_examples=200, derandomize=True, database=None, deadline=None)

# Text with the catalogues' own syntax mixed into arbitrary unicode.
PIECES = st.sampled_from(
    [
        "~", "_", "&", "~~", "%s", "%d", "%%", "%(name)s", "{0}", "{}", "$1", "$(ARG1)", "%1",
        "%PRODUCTNAME", "<b>", "</b>", "<br>", "<None>", "&amp;", "&#169;", "\x04", "\n",
        "\u00a0", " ", "Open", "Ouvrir", "file", "é", "<=", "75",
    ]
)  # fmt: skip
CATALOGUE_TEXT = st.one_of(
    st.lists(PIECES, max_size=8).map("".join),
    st.text(st.characters(exclude_categories=()), max_size=30),
)
MARKS = st.sets(st.sampled_from(cat.ACCELERATOR_MARKS)).map("".join)
NON_STR = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.binary(max_size=4),
    st.lists(st.text(max_size=2), max_size=2),
)


class TestCleanFuzz:
    @FUZZ
    @given(english=CATALOGUE_TEXT, french=CATALOGUE_TEXT, marks=MARKS)
    def test_result_is_clean_or_dropped(self, english: str, french: str, marks: str) -> None:
        """A kept pair is two non-empty, whitespace-normalised strings with letters; a dropped one has a reason."""
        pair = cat.clean_catalogue_pair(english, french, accelerators=marks)
        reason = cat.drop_reason(english, french, accelerators=marks)
        if pair is None:
            assert reason in cat.CLEANING_RULES
            return
        assert reason is None
        for side in pair:
            assert side
            assert " ".join(side.split()) == side
            assert any(c.isalpha() for c in side)
        en, fr = pair
        assert en != fr or len(en.split()) == 1

    @FUZZ
    @given(english=CATALOGUE_TEXT, french=CATALOGUE_TEXT)
    def test_mismatched_placeholders_never_kept(self, english: str, french: str) -> None:
        """A pair whose raw sides differ in placeholders is never kept."""
        source = english.partition("\x04")[2] if "\x04" in english else english
        if Counter(cat.placeholders(source)) != Counter(cat.placeholders(french)):
            assert cat.clean_catalogue_pair(english, french) is None

    @FUZZ
    @given(
        english=st.one_of(CATALOGUE_TEXT, NON_STR),
        french=st.one_of(CATALOGUE_TEXT, NON_STR),
        marks=st.one_of(MARKS, st.text(max_size=3), NON_STR),
    )
    def test_bad_arguments_named(self, english: Any, french: Any, marks: Any) -> None:
        """A wrong type raises TypeError and an unknown mark ValueError, naming the argument."""
        bad_type = [
            name
            for name, value in (("english", english), ("french", french), ("accelerators", marks))
            if not isinstance(value, str)
        ]
        bad_marks = isinstance(marks, str) and not set(marks) <= set(cat.ACCELERATOR_MARKS)
        for function in (cat.clean_catalogue_pair, cat.drop_reason):
            if bad_type:
                with pytest.raises(TypeError, match=bad_type[0]):
                    function(english, french, accelerators=marks)
            elif bad_marks:
                with pytest.raises(ValueError, match="accelerators"):
                    function(english, french, accelerators=marks)
            else:
                function(english, french, accelerators=marks)


class TestPlaceholdersFuzz:
    @FUZZ
    @given(text=CATALOGUE_TEXT)
    def test_found_in_text(self, text: str) -> None:
        """Every placeholder found is a piece of the text, and a literal %% is never one."""
        found = cat.placeholders(text)
        assert "%%" not in found
        rest = text
        for item in found:
            assert item in rest
            rest = rest[rest.index(item) + len(item) :]

    @FUZZ
    @given(value=NON_STR)
    def test_non_str(self, value: Any) -> None:
        """A non-str raises TypeError naming text."""
        with pytest.raises(TypeError, match="text"):
            cat.placeholders(value)


class TestDeduplicateFuzz:
    @FUZZ
    @given(pairs=st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("xyz")), max_size=12))
    def test_keeps_a_most_frequent_translation(self, pairs: list[tuple[str, str]]) -> None:
        """One entry per English string, whose French is one of its most frequent."""
        out = cat.deduplicate(pairs)
        assert list(out) == sorted({en for en, _ in pairs})
        for english, french in out.items():
            counts = Counter(fr for en, fr in pairs if en == english)
            assert counts[french] == max(counts.values())
            assert french == min(fr for fr, n in counts.items() if n == counts[french])

    @FUZZ
    @given(
        pairs=st.one_of(
            NON_STR.filter(lambda v: not isinstance(v, list)),
            st.text(max_size=3),
            st.lists(
                st.one_of(NON_STR, st.tuples(st.text(max_size=2)), st.tuples(NON_STR, NON_STR)),
                min_size=1,
                max_size=3,
            ),
        )
    )
    def test_bad_pairs(self, pairs: Any) -> None:
        """Anything but a list of (str, str) tuples raises TypeError or ValueError naming it."""
        with pytest.raises((TypeError, ValueError), match=r"pairs|english|french"):
            cat.deduplicate(pairs)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.catalogues.clean_catalogue_pair": "TestCleanFuzz.test_bad_arguments_named",
    "nlpguide.catalogues.drop_reason": "TestCleanFuzz.test_bad_arguments_named",
    "nlpguide.catalogues.placeholders": "TestPlaceholdersFuzz.test_non_str",
    "nlpguide.catalogues.deduplicate": "TestDeduplicateFuzz.test_bad_pairs",
}
