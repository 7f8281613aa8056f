"""The shipped English→French splits: sizes, disjointness, provenance and the sha256 guard."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from fresh_python import imported_by

from nlpguide import data
from nlpguide.catalogues import CLEANING_RULES_VERSION, clean_catalogue_pair
from nlpguide.data import TranslationPair, translation_pairs

FOLDER = Path(data.__file__).parent / "data_files" / "translation_en_fr"
SPLITS = ("validation", "test")


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((FOLDER / "SOURCES.json").read_text(encoding="utf-8"))
    return result


@pytest.fixture(scope="module")
def pairs() -> dict[str, tuple[TranslationPair, ...]]:
    return {split: translation_pairs(split) for split in SPLITS}


class TestSplits:
    def test_sizes(self, pairs: dict[str, tuple[TranslationPair, ...]]) -> None:
        """Validation and test hold 1,000 pairs each, one per English string."""
        for split in SPLITS:
            assert len(pairs[split]) == 1000
            assert len({p.english for p in pairs[split]}) == 1000

    def test_default_is_test(self, pairs: dict[str, tuple[TranslationPair, ...]]) -> None:
        """translation_pairs() with no argument is the test split."""
        assert translation_pairs() == pairs["test"]

    def test_no_english_in_both(self, pairs: dict[str, tuple[TranslationPair, ...]]) -> None:
        """No English string, even folded for case and trailing punctuation, is in both splits."""

        def keys(split: str) -> set[str]:
            return {p.english.casefold().rstrip(" .:…!?") for p in pairs[split]}

        assert not {p.english for p in pairs["validation"]} & {p.english for p in pairs["test"]}
        assert not keys("validation") & keys("test")

    def test_sorted(self, pairs: dict[str, tuple[TranslationPair, ...]]) -> None:
        """Each split is sorted by English string."""
        for split in SPLITS:
            englishes = [p.english for p in pairs[split]]
            assert englishes == sorted(englishes)

    def test_pairs_are_clean(self, pairs: dict[str, tuple[TranslationPair, ...]]) -> None:
        """Every shipped pair is left unchanged by the cleaning rules (default marks)."""
        for split in SPLITS:
            for p in pairs[split]:
                assert clean_catalogue_pair(p.english, p.french) == (p.english, p.french)

    def test_real_translations(self, pairs: dict[str, tuple[TranslationPair, ...]]) -> None:
        """Most pairs are not copies, and the English averages a few words."""
        for split in SPLITS:
            copies = sum(p.english == p.french for p in pairs[split])
            assert copies < 0.05 * len(pairs[split])
            words = sum(len(p.english.split()) for p in pairs[split]) / len(pairs[split])
            assert 4.0 < words < 9.0


class TestProvenance:
    def test_never_from_machine_locale(self, pairs: dict[str, tuple[TranslationPair, ...]]) -> None:
        """No pair's catalogue lies under /usr/share/locale, in a package or on disk."""
        for split in SPLITS:
            for p in pairs[split]:
                package, sep, inside = p.source.partition(":")
                assert sep
                assert package
                path = PurePosixPath(inside)
                assert not path.is_absolute()
                assert path.parts[:3] != ("usr", "share", "locale")
                assert path.suffix == ".mo"

    def test_sources_listed(
        self, pairs: dict[str, tuple[TranslationPair, ...]], record: dict[str, Any]
    ) -> None:
        """Every pair's package and catalogue is one SOURCES.json lists, with a licence and sha256."""
        listed = {s["key"]: s for s in record["sources"]}
        for split in SPLITS:
            for p in pairs[split]:
                package, _, inside = p.source.partition(":")
                assert inside in listed[package]["catalogues"]
        for source in listed.values():
            assert source["licence"] in {"MPL-2.0", "BSD-2-Clause", "BSD-3-Clause", "MIT"}
            assert len(source["sha256"]) == 64
            assert source["version"]

    def test_main_licences(self, record: dict[str, Any]) -> None:
        """LibreOffice is MPL-2.0, Sphinx BSD-2-Clause, Django BSD-3-Clause."""
        licences = {s["key"]: s["licence"] for s in record["sources"]}
        assert licences["libreoffice-l10n-fr"] == "MPL-2.0"
        assert licences["sphinx"] == "BSD-2-Clause"
        assert licences["django"] == "BSD-3-Clause"

    def test_record_matches_files(self, record: dict[str, Any]) -> None:
        """SOURCES.json, TRANSLATION_SHA256 and the shipped bytes agree on every split's sha256."""
        for split in SPLITS:
            payload = (FOLDER / f"{split}.tsv").read_bytes()
            digest = hashlib.sha256(payload).hexdigest()
            assert record["splits"][split]["sha256"] == digest == data.TRANSLATION_SHA256[split]
            assert record["splits"][split]["pairs"] == 1000
            assert record["splits"][split]["shipped"] is True

    def test_train_recorded_not_shipped(self, record: dict[str, Any]) -> None:
        """The train split is recorded (size, sha256) but not in the package."""
        train = record["splits"]["train"]
        assert train["shipped"] is False
        assert train["pairs"] > 15000
        assert len(train["sha256"]) == 64
        assert not (FOLDER / "train.tsv").exists()

    def test_rules_version(self, record: dict[str, Any]) -> None:
        """The splits were built with the cleaning rules this package has."""
        assert record["cleaning_rules_version"] == CLEANING_RULES_VERSION

    def test_small(self) -> None:
        """The shipped files stay well under 1 MB together."""
        assert sum(f.stat().st_size for f in FOLDER.iterdir()) < 600_000


class TestChecksum:
    @pytest.fixture
    def copy(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        folder = tmp_path / "translation_en_fr"
        shutil.copytree(FOLDER, folder)
        monkeypatch.setattr(data, "_translation_dir", lambda: folder)
        return folder

    def test_untouched_copy_loads(self, copy: Path) -> None:
        """A faithful copy of the files loads as the shipped one does."""
        assert (copy / "test.tsv").exists()
        assert len(translation_pairs("test")) == 1000

    def test_tampered_copy_fails(self, copy: Path) -> None:
        """One changed French word makes the load fail with the checksum error."""
        path = copy / "test.tsv"
        text = path.read_text(encoding="utf-8")
        first = text.split("\n")[1].split("\t")
        path.write_text(text.replace(first[1], first[1] + "x", 1), encoding="utf-8")
        with pytest.raises(RuntimeError, match="test split changed"):
            translation_pairs("test")

    def test_wrong_layout_fails(self, copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A file without the header is refused even when its checksum is the expected one."""
        path = copy / "validation.tsv"
        payload = b"Open\tOuvrir\tx:y.mo\n"
        path.write_bytes(payload)
        sums = {**data.TRANSLATION_SHA256, "validation": hashlib.sha256(payload).hexdigest()}
        monkeypatch.setattr(data, "TRANSLATION_SHA256", sums)
        with pytest.raises(RuntimeError, match="not a translation split"):
            translation_pairs("validation")


class TestArguments:
    def test_train_is_not_shipped(self) -> None:
        """Asking for the train split says it is not shipped and how to build it."""
        with pytest.raises(ValueError, match="build_translation_data"):
            translation_pairs("train")

    @pytest.mark.parametrize("split", ["dev", "", "Test"])
    def test_unknown_split(self, split: str) -> None:
        """An unknown split name raises ValueError naming split."""
        with pytest.raises(ValueError, match="split"):
            translation_pairs(split)

    @pytest.mark.parametrize("split", [None, 1, b"test", ["test"]])
    def test_wrong_type(self, split: object) -> None:
        """A non-str split raises TypeError naming split."""
        with pytest.raises(TypeError, match="split"):
            translation_pairs(split)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("fields", "error", "name"),
        [
            (("Open", "Ouvrir", None), TypeError, "source"),
            ((1, "Ouvrir", "s"), TypeError, "english"),
            (("Open", " ", "s"), ValueError, "french"),
        ],
    )
    def test_pair_fields(self, fields: tuple[Any, ...], error: type[Exception], name: str) -> None:
        """A TranslationPair needs three non-empty str fields."""
        with pytest.raises(error, match=name):
            TranslationPair(*fields)

    def test_pair_is_frozen(self) -> None:
        """A TranslationPair cannot be changed after it is made."""
        pair = TranslationPair("Open", "Ouvrir", "s:x.mo")
        with pytest.raises(AttributeError):
            pair.french = "Fermer"  # type: ignore[misc]


class TestImports:
    def test_no_numpy(self) -> None:
        """Loading a split imports neither numpy nor torch."""
        code = (
            "from nlpguide.data import translation_pairs\n"
            "assert len(translation_pairs('validation')) == 1000"
        )
        assert imported_by(code, "numpy", "torch") == []
