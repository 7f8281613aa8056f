"""The shipped English→French splits of both domains: sizes, disjointness, provenance, licences, the sha256 guard."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from fresh_python import imported_by

from nlpguide import data
from nlpguide.data import TranslationPair, translation_pairs

FOLDER = Path(data.__file__).parent / "data_files" / "translation_en_fr"
SPLITS = ("validation", "test")
DOMAINS = ("software", "general")
#: Every shipped split: (domain, split).
SHIPPED = tuple((domain, split) for domain in DOMAINS for split in SPLITS)


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((FOLDER / "SOURCES.json").read_text(encoding="utf-8"))
    return result


@pytest.fixture(scope="module")
def pairs() -> dict[str, tuple[TranslationPair, ...]]:
    return {split: translation_pairs(split) for split in SPLITS}


@pytest.fixture(scope="module")
def shipped() -> dict[tuple[str, str], tuple[TranslationPair, ...]]:
    return {(d, s): translation_pairs(s, domain=d) for d, s in SHIPPED}


def _stem(domain: str, split: str) -> str:
    return split if domain == "software" else f"general_{split}"


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

    def test_real_translations(self, pairs: dict[str, tuple[TranslationPair, ...]]) -> None:
        """Most pairs are not copies, and the English averages a few words."""
        for split in SPLITS:
            copies = sum(p.english == p.french for p in pairs[split])
            assert copies < 0.05 * len(pairs[split])
            words = sum(len(p.english.split()) for p in pairs[split]) / len(pairs[split])
            assert 4.0 < words < 9.0


class TestProvenance:
    def test_never_from_machine_locale(
        self, shipped: dict[tuple[str, str], tuple[TranslationPair, ...]]
    ) -> None:
        """No pair's catalogue (either domain) lies under /usr/share/locale, in a package or on disk."""
        for split in shipped.values():
            for p in split:
                package, sep, inside = p.source.partition(":")
                assert sep
                assert package
                path = PurePosixPath(inside)
                assert not path.is_absolute()
                assert path.parts[:3] != ("usr", "share", "locale")
                assert path.suffix == ".mo"

    def test_sources_listed(
        self, shipped: dict[tuple[str, str], tuple[TranslationPair, ...]], record: dict[str, Any]
    ) -> None:
        """Every pair's package and catalogue is one SOURCES.json lists, with a licence and sha256."""
        listed = {s["key"]: s for s in record["sources"]}
        for split in shipped.values():
            for p in split:
                package, _, inside = p.source.partition(":")
                assert inside in listed[package]["catalogues"]
        licences = {"MPL-2.0", "BSD-2-Clause", "BSD-3-Clause", "MIT", "GPL-2.0-or-later"}
        for source in listed.values():
            assert source["licence"] in licences
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
        for domain, split in SHIPPED:
            stem = _stem(domain, split)
            payload = (FOLDER / f"{stem}.tsv").read_bytes()
            digest = hashlib.sha256(payload).hexdigest()
            assert record["splits"][stem]["sha256"] == digest == data.TRANSLATION_SHA256[stem]
            assert record["splits"][stem]["pairs"] == len(translation_pairs(split, domain=domain))
            assert record["splits"][stem]["shipped"] is True
        assert set(data.TRANSLATION_SHA256) == {_stem(d, s) for d, s in SHIPPED}

    def test_train_recorded_not_shipped(self, record: dict[str, Any]) -> None:
        """Both train splits are recorded (size, sha256) but not in the package."""
        for name in ("train", "general_train"):
            train = record["splits"][name]
            assert train["shipped"] is False
            assert train["pairs"] > 15000
            assert len(train["sha256"]) == 64
            assert not (FOLDER / f"{name}.tsv").exists()

    def test_small(self) -> None:
        """Each shipped file stays under 2 MB, all of them under 1.5 MB together."""
        sizes = [f.stat().st_size for f in FOLDER.iterdir()]
        assert max(sizes) < 2_000_000
        assert sum(sizes) < 1_500_000


class TestGeneralDomain:
    def test_sizes(self, shipped: dict[tuple[str, str], tuple[TranslationPair, ...]]) -> None:
        """The general validation and test splits hold at least 1,000 pairs, one per English string."""
        for split in SPLITS:
            general = shipped[("general", split)]
            assert len(general) >= 1000
            assert len({p.english for p in general}) == len(general)
            englishes = [p.english for p in general]
            assert englishes == sorted(englishes)

    def test_held_out_by_source(
        self,
        shipped: dict[tuple[str, str], tuple[TranslationPair, ...]],
        record: dict[str, Any],
    ) -> None:
        """Each general split is made of whole sources SOURCES.json holds out for it, and no other."""
        held = {s["key"]: s.get("held_out_as") for s in record["sources"]}
        for split in SPLITS:
            packages = {p.source.partition(":")[0] for p in shipped[("general", split)]}
            assert packages == {key for key, as_ in held.items() if as_ == split}
            assert len(packages) >= 1
        general_train = record["splits"]["general_train"]["by_source"]
        assert not set(general_train) & {key for key, as_ in held.items() if as_}

    def test_no_english_in_two_splits(
        self, shipped: dict[tuple[str, str], tuple[TranslationPair, ...]]
    ) -> None:
        """No English string (case and trailing punctuation folded) is in two shipped splits."""
        seen: dict[str, tuple[str, str]] = {}
        for where, split in shipped.items():
            for p in split:
                key = p.english.casefold().rstrip(" .:…!?")
                assert seen.setdefault(key, where) == where

    def test_story_text(self, shipped: dict[tuple[str, str], tuple[TranslationPair, ...]]) -> None:
        """General pairs are sentences: no markup, few copies, longer than UI strings.

        (That the cleaning rules leave them unchanged: tests/training/test_catalogues.py.)
        """
        for split in SPLITS:
            general = shipped[("general", split)]
            for p in general:
                assert not set("<>{}$[]=|") & set(p.english + p.french)
                assert len(p.english.split()) <= 30
            copies = sum(p.english == p.french for p in general)
            assert copies < 0.05 * len(general)
            words = sum(len(p.english.split()) for p in general) / len(general)
            assert 6.0 < words < 15.0

    def test_gpl_licence_shipped_beside(self, record: dict[str, Any]) -> None:
        """The GPL'd splits carry their licence: COPYING.GPL-2 beside them, said in SOURCES.json and README."""
        licence = (FOLDER / "COPYING.GPL-2").read_text(encoding="utf-8")
        assert "GNU GENERAL PUBLIC LICENSE" in licence
        assert "Version 2" in licence
        for split in SPLITS:
            assert "COPYING.GPL-2" in record["splits"][f"general_{split}"]["licence"]
        assert "COPYING.GPL-2" in record["general"]["licence"]
        readme = (FOLDER / "README.md").read_text(encoding="utf-8")
        assert "COPYING.GPL-2" in readme
        assert "GPL-2.0-or-later" in readme

    def test_copy_baselines_recorded(self, record: dict[str, Any]) -> None:
        """Copying the English is scored on every shipped split, below a real translation."""
        for domain, split in SHIPPED:
            copy = record["splits"][_stem(domain, split)]["copy_english"]
            assert 0.0 < copy["bleu"] < copy["chrf"] < 40.0

    def test_lesson_rule_recorded(self, record: dict[str, Any]) -> None:
        """SOURCES.json says the lesson's sentence is kept out of training, and how."""
        assert "house" in record["general"]["lesson_guard"]
        assert "wonderful" in record["general"]["lesson_guard"]


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

    @pytest.mark.parametrize("domain", ["medical", "", "General"])
    def test_unknown_domain(self, domain: str) -> None:
        """An unknown domain raises ValueError naming domain and the allowed ones."""
        with pytest.raises(ValueError, match="domain must be one of 'general', 'software'"):
            translation_pairs("test", domain=domain)

    @pytest.mark.parametrize("domain", [None, 1, b"general"])
    def test_domain_wrong_type(self, domain: object) -> None:
        """A non-str domain raises TypeError naming domain."""
        with pytest.raises(TypeError, match="domain"):
            translation_pairs("test", domain=domain)  # type: ignore[arg-type]

    def test_general_tampered_copy_fails(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A changed general split fails its own checksum, naming the domain."""
        folder = tmp_path / "translation_en_fr"
        shutil.copytree(FOLDER, folder)
        monkeypatch.setattr(data, "_translation_dir", lambda: folder)
        path = folder / "general_test.tsv"
        path.write_bytes(path.read_bytes().replace(b"\t", b"\tx", 2))
        with pytest.raises(RuntimeError, match="general test split changed"):
            translation_pairs("test", domain="general")

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
