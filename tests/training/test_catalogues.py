"""training/catalogues.py: one class per cleaning rule, deduplication, the shipped splits."""

from __future__ import annotations

import doctest
import json
from collections import Counter
from pathlib import Path

import catalogues as cat
import pytest
from argument_contract import ContractTests, Row
from catalogues import clean_catalogue_pair, deduplicate, drop_reason, placeholders
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpguide import data
from nlpguide.data import translation_pairs

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
PROPERTY = settings(max_examples=200, derandomize=True, database=None, deadline=None)


class TestContext:
    def test_context_is_stripped(self) -> None:
        """The msgctxt before the first EOT character goes; the French is untouched."""
        assert clean_catalogue_pair("dialog|label1\x04Open File", "Ouvrir un fichier") == (
            "Open File",
            "Ouvrir un fichier",
        )

    def test_no_context(self) -> None:
        """An entry without a context keeps its English whole."""
        assert clean_catalogue_pair("Open File", "Ouvrir un fichier") == (
            "Open File",
            "Ouvrir un fichier",
        )


class TestPlaceholders:
    @pytest.mark.parametrize(
        ("text", "found"),
        [
            ("Delete %s and %d more", ["%s", "%d"]),
            ("%(count)s items in {dest}", ["%(count)s", "{dest}"]),
            ("{0} of {}", ["{0}", "{}"]),
            ("$1 rows in $(ARG1) for $name$", ["$1", "$(ARG1)", "$name$"]),
            ("%1 of %2", ["%1", "%2"]),
            ("%PRODUCTNAME %PRODUCTVERSION", ["%PRODUCTNAME", "%PRODUCTVERSION"]),
            ("Page #PAGENUMBER#", ["#PAGENUMBER#"]),
            ("%1$s then %.2f", ["%1$s", "%.2f"]),
            ("100%% done, a 25% factor", []),
            ("Arguments {tour: ITour}", []),
        ],
    )
    def test_found(self, text: str, found: list[str]) -> None:
        """Each placeholder syntax is recognised; literal percent signs and spaced braces are not."""
        assert placeholders(text) == found

    @pytest.mark.parametrize(
        ("english", "french"),
        [
            ("Delete %s", "Supprimer"),
            ("{0} selected", "sélectionné"),
            ("Insert $1", "Insérer"),
            ("Page %1 of %2", "Page %1"),
            ("Hello %(name)s", "Bonjour %(nom)s"),
            ("%s and %s", "%s"),
        ],
    )
    def test_mismatch_drops(self, english: str, french: str) -> None:
        """A placeholder missing, renamed or not repeated on one side drops the pair."""
        assert clean_catalogue_pair(english, french) is None
        assert drop_reason(english, french) == "placeholders"

    def test_reordered_placeholders_kept(self) -> None:
        """The same placeholders in another order are a good pair and stay in the text."""
        assert clean_catalogue_pair("%1 on page %2", "page %2 : %1") == (
            "%1 on page %2",
            "page %2 : %1",
        )

    def test_placeholders_keep_their_underscores(self) -> None:
        """Accelerator stripping does not touch a placeholder's own underscore."""
        assert clean_catalogue_pair(
            "_Value %(file_name)s", "_Valeur %(file_name)s", accelerators="~_"
        ) == ("Value %(file_name)s", "Valeur %(file_name)s")


class TestAccelerators:
    @pytest.mark.parametrize(
        ("english", "french", "expected"),
        [
            ("~Save", "~Enregistrer", ("Save", "Enregistrer")),
            ("d~river class", "classe de p~ilote", ("driver class", "classe de pilote")),
            ("Y_ear", "_Année", ("Year", "Année")),
            ("Line _1", "Ligne _1", ("Line 1", "Ligne 1")),
            ("Ig_nore ~~ here", "Ignorer ~~ ici", ("Ignore ~ here", "Ignorer ~ ici")),
            (
                "a tilde (~) before",
                "un tilde (~) avant",
                ("a tilde (~) before", "un tilde (~) avant"),
            ),
        ],
    )
    def test_libreoffice_marks(self, english: str, french: str, expected: tuple[str, str]) -> None:
        """With accelerators="~_" a mark before a letter or digit goes, a doubled mark is literal."""
        assert clean_catalogue_pair(english, french, accelerators="~_") == expected

    def test_default_keeps_underscores(self) -> None:
        """Catalogues without mnemonics keep identifiers such as known_hosts whole."""
        assert clean_catalogue_pair("Edit known_hosts now", "Modifier known_hosts") == (
            "Edit known_hosts now",
            "Modifier known_hosts",
        )

    def test_ampersand_marks(self) -> None:
        """With accelerators="&" an ampersand before a letter goes and "&&" is one ampersand."""
        assert clean_catalogue_pair("&File && Folder", "&Fichier && dossier", accelerators="&") == (
            "File & Folder",
            "Fichier & dossier",
        )

    def test_ampersand_kept_by_default(self) -> None:
        """Without "&" in accelerators, "Date&Time" keeps its ampersand."""
        assert clean_catalogue_pair("Date&Time", "Date&Heure") == ("Date&Time", "Date&Heure")

    @pytest.mark.parametrize("marks", ["x", "~-", "__~?"])
    def test_unknown_mark(self, marks: str) -> None:
        """A mark outside ACCELERATOR_MARKS raises ValueError naming accelerators."""
        with pytest.raises(ValueError, match="accelerators"):
            clean_catalogue_pair("Open", "Ouvrir", accelerators=marks)


class TestMarkup:
    def test_html_tags(self) -> None:
        """Inline tags vanish, <br> leaves a space, entities are decoded."""
        assert clean_catalogue_pair(
            "Put <code>%(code)s</code> here.<BR>Then &amp; <b>now</b> &#169;",
            "Mettez <code>%(code)s</code> ici.<BR>Puis &amp; <b>maintenant</b> &#169;",
        ) == (
            "Put %(code)s here. Then & now \u00a9",
            "Mettez %(code)s ici. Puis & maintenant \u00a9",
        )

    def test_help_tags(self) -> None:
        """LibreOffice help markup (<ahelp hid=...>) is removed with its attributes."""
        assert clean_catalogue_pair(
            '<ahelp hid=".">Inserts a <emph>table</emph>.</ahelp>',
            '<ahelp hid=".">Insère un <emph>tableau</emph>.</ahelp>',
        ) == ("Inserts a table.", "Insère un tableau.")

    @pytest.mark.parametrize(
        "text", ["<All Files>", "<None>", "P (F<=f) left-tail", "< No Module >"]
    )
    def test_text_in_angle_brackets_kept(self, text: str) -> None:
        """Angle brackets that are text, not tags, stay."""
        assert clean_catalogue_pair(text, text + " fr") == (text, text + " fr")


class TestWhitespace:
    def test_runs_collapse(self) -> None:
        """Line breaks, tabs and no-break spaces become single spaces; ends are trimmed."""
        assert clean_catalogue_pair(
            "  The file\n\ndoes not exist.\t", "Le fichier\n\nn'existe pas\u202f!\n"
        ) == ("The file does not exist.", "Le fichier n'existe pas !")


class TestDrops:
    @pytest.mark.parametrize(
        ("english", "french"),
        [
            ("", "Project-Id-Version: LibreOffice\nContent-Type: text/plain; charset=UTF-8\n"),
            ("Open", ""),
            ("ctx\x04<b></b>", "<b></b>"),
            ("~", "~"),
        ],
    )
    def test_empty(self, english: str, french: str) -> None:
        """The catalogue header, untranslated entries and strings cleaned to nothing drop as empty."""
        assert drop_reason(english, french, accelerators="~_") in {"empty", "no letters"}
        assert clean_catalogue_pair(english, french, accelerators="~_") is None

    def test_header_is_empty(self) -> None:
        """The header entry (msgid "") is dropped by the empty rule."""
        assert drop_reason("", "Language: fr\n") == "empty"

    @pytest.mark.parametrize(
        ("english", "french"), [("<=", "<="), ("75%", "75 %"), ("%s: %s", "%s : %s"), ("...", "…")]
    )
    def test_no_letters(self, english: str, french: str) -> None:
        """Symbols, numbers and bare placeholders drop as "no letters"."""
        assert drop_reason(english, french) == "no letters"

    def test_letters_on_one_side_only(self) -> None:
        """A pair needs letters on both sides."""
        assert drop_reason("Dash", "—") == "no letters"

    def test_multiword_copy_dropped(self) -> None:
        """An untranslated multi-word string (French equal to English) is dropped as a copy."""
        assert drop_reason("Open Office XML", "Open Office XML") == "copy"

    @pytest.mark.parametrize("word", ["OK", "Format", "Zoom", "COMBIN"])
    def test_one_word_copy_kept(self, word: str) -> None:
        """One-word copies are real French and stay."""
        assert clean_catalogue_pair(word, word) == (word, word)

    def test_copy_is_judged_after_cleaning(self) -> None:
        """Strings that differ only by accelerators are copies once cleaned."""
        assert drop_reason("~Open file", "Open ~file", accelerators="~_") == "copy"

    def test_reasons_are_listed(self) -> None:
        """Every reason drop_reason gives is one of CLEANING_RULES."""
        reasons = {
            drop_reason(e, f)
            for e, f in [("%s", "x"), ("", "x"), ("<=", "<="), ("A B", "A B"), ("A", "B")]
        }
        assert reasons == {*cat.CLEANING_RULES, None}


class TestTypes:
    @pytest.mark.parametrize(
        ("args", "kwargs", "name"),
        [
            ((b"Open", "Ouvrir"), {}, "english"),
            (("Open", None), {}, "french"),
            (("Open", "Ouvrir"), {"accelerators": None}, "accelerators"),
        ],
    )
    def test_wrong_types(
        self, args: tuple[object, ...], kwargs: dict[str, object], name: str
    ) -> None:
        """A non-str argument raises TypeError naming it, in both functions."""
        with pytest.raises(TypeError, match=name):
            clean_catalogue_pair(*args, **kwargs)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=name):
            drop_reason(*args, **kwargs)  # type: ignore[arg-type]

    def test_placeholders_type(self) -> None:
        """placeholders() of a non-str raises TypeError naming text."""
        with pytest.raises(TypeError, match="text"):
            placeholders(3)  # type: ignore[arg-type]


class TestDeduplicate:
    def test_most_frequent_wins(self) -> None:
        """The French given most often for an English string is kept."""
        pairs = [("Open", "Ouvert"), ("Open", "Ouvrir"), ("Open", "Ouvrir")]
        assert deduplicate(pairs) == {"Open": "Ouvrir"}

    def test_ties_by_code_point_order(self) -> None:
        """A tie goes to the French first in code-point order, whatever the input order."""
        assert deduplicate([("Open", "Ouvrir"), ("Open", "Ouvert")]) == {"Open": "Ouvert"}
        assert deduplicate([("Open", "Ouvert"), ("Open", "Ouvrir")]) == {"Open": "Ouvert"}

    def test_sorted_by_english(self) -> None:
        """The result is sorted by English string, one entry each."""
        out = deduplicate([("b", "B"), ("a", "A"), ("b", "B2"), ("c", "C")])
        assert list(out) == ["a", "b", "c"]

    def test_empty(self) -> None:
        """No pairs give an empty mapping."""
        assert deduplicate([]) == {}

    @pytest.mark.parametrize(
        ("pairs", "error"),
        [
            ("Open", TypeError),
            (None, TypeError),
            ([["Open", "Ouvrir"]], TypeError),
            ([("Open",)], ValueError),
            ([("Open", "Ouvrir", "x")], ValueError),
            ([("Open", 3)], TypeError),
        ],
    )
    def test_bad_pairs(self, pairs: object, error: type[Exception]) -> None:
        """A non-list, a non-tuple item or an item that is not two str raises clearly."""
        with pytest.raises(error, match=r"pairs|french"):
            deduplicate(pairs)  # type: ignore[arg-type]


class TestProperties:
    @PROPERTY
    @given(english=CATALOGUE_TEXT, french=CATALOGUE_TEXT, marks=MARKS)
    def test_result_is_clean_or_dropped(self, english: str, french: str, marks: str) -> None:
        """A kept pair is two non-empty, whitespace-normalised strings with letters; a dropped one has a reason."""
        pair = clean_catalogue_pair(english, french, accelerators=marks)
        reason = drop_reason(english, french, accelerators=marks)
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

    @PROPERTY
    @given(english=CATALOGUE_TEXT, french=CATALOGUE_TEXT)
    def test_mismatched_placeholders_never_kept(self, english: str, french: str) -> None:
        """A pair whose raw sides differ in placeholders is never kept."""
        source = english.partition("\x04")[2] if "\x04" in english else english
        if Counter(placeholders(source)) != Counter(placeholders(french)):
            assert clean_catalogue_pair(english, french) is None


class TestShippedSplits:
    def test_pairs_are_clean(self) -> None:
        """Every shipped pair, of both domains, is left unchanged by the cleaning rules."""
        for domain in ("software", "general"):
            for split in ("validation", "test"):
                for p in translation_pairs(split, domain=domain):
                    assert clean_catalogue_pair(p.english, p.french) == (p.english, p.french)

    def test_rules_version(self) -> None:
        """The splits were built with the cleaning rules this module has."""
        folder = Path(data.__file__).parent / "data_files" / "translation_en_fr"
        record = json.loads((folder / "SOURCES.json").read_text(encoding="utf-8"))
        assert record["cleaning_rules_version"] == cat.CLEANING_RULES_VERSION


#: The cleaning functions' argument checks (the package's contract, tests/argument_contract.py).
CATALOGUE_ROWS = [
    Row(cat.placeholders, {"text": "%s files"}, [("text", 5, TypeError)]),
    Row(
        cat.deduplicate,
        {"pairs": [("a", "b")]},
        [
            ("pairs", 5, TypeError),
            ("pairs", [("a",)], ValueError),
        ],
    ),
    Row(
        cat.clean_catalogue_pair,
        {"english": "Open file", "french": "Ouvrir"},
        [
            ("english", 5, TypeError),
            ("french", None, TypeError),
            ("accelerators", 5, TypeError),
        ],
    ),
    Row(
        cat.drop_reason,
        {"english": "Open file", "french": "Ouvrir"},
        [
            ("english", b"x", TypeError),
            ("french", 5, TypeError),
            ("accelerators", None, TypeError),
        ],
    ),
]


class TestArguments(ContractTests):
    """Training code keeps the package's contract: a bad argument is refused by name."""

    TABLE = CATALOGUE_ROWS
    MODULES = ("catalogues",)


def test_docstring_examples() -> None:
    """The module's examples run as written."""
    assert doctest.testmod(cat).failed == 0
