"""Tests for training/build_translation_data.py on tiny fake packages (no download)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import struct
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import build_translation_data as btd
import pytest
from catalogues import CLEANING_RULES, CLEANING_RULES_VERSION

HEADER = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n > 1);\n"


def mo_bytes(entries: dict[str, str]) -> bytes:
    """A GNU .mo file: msgid -> msgstr; plural entries as "one\\0many" -> "un\\0des"."""
    items = sorted({"": HEADER, **entries}.items())
    ids = [k.encode() for k, _ in items]
    strs = [v.encode() for _, v in items]
    n = len(items)
    start = 7 * 4 + 16 * n
    blob = b""
    id_table, str_table = [], []
    for s in ids:
        id_table.append((len(s), start + len(blob)))
        blob += s + b"\0"
    for s in strs:
        str_table.append((len(s), start + len(blob)))
        blob += s + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0)
    out += b"".join(struct.pack("<2I", *e) for e in id_table)
    out += b"".join(struct.pack("<2I", *e) for e in str_table)
    return out + blob


UI = {
    "menu|open\x04~Open": "~Ouvrir",
    "Open": "Ouvrir",  # the same English again, translated the same way
    "Save": "Enregistrer",
    "Save:": "Enregistrer :",  # same split group as "Save"
    "Close the document": "Fermer le document",
    "Delete %s": "Supprimer",  # placeholder lost: dropped
    "<=": "<=",  # no letters: dropped
    "Open Office XML": "Open Office XML",  # multi-word copy: dropped
    "%1 row\x00%1 rows": "%1 ligne\x00%1 lignes",  # plural: singular kept
    "Y_ear": "_Année",
}
WEB = {
    "Open": "Ouvert",  # loses to the two "Ouvrir" above
    "Edit known_hosts": "Modifier known_hosts",
    "Insert a new table": "Insérer un nouveau tableau",
    "Cancel": "Annuler",
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_deb(folder: Path, catalogues: dict[str, dict[str, str]]) -> Path:
    root = folder / "debroot"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        "Package: fake-l10n-fr\nVersion: 1.0\nArchitecture: all\n"
        "Maintainer: nlpguide <nlpguide@example.org>\nDescription: test catalogues\n",
        encoding="utf-8",
    )
    for relpath, entries in catalogues.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(mo_bytes(entries))
    deb = folder / "fake-l10n-fr_1.0_all.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(root), str(deb)],
        check=True,
        capture_output=True,
    )
    return deb


def make_wheel(folder: Path, members: dict[str, bytes]) -> Path:
    wheel = folder / "fakeweb-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for name, payload in members.items():
            z.writestr(name, payload)
    return wheel


def deb_source(deb: Path, catalogues: str = r"^usr/lib/fake/fr/LC_MESSAGES/[^/]+\.mo$") -> Any:
    return btd.Source(
        key="fake-l10n-fr",
        registry="debian",
        package="fake-l10n-fr",
        version="1.0",
        filename=deb.name,
        sha256=_sha(deb),
        licence="MPL-2.0",
        catalogues=catalogues,
        accelerators="~_",
    )


def wheel_source(wheel: Path) -> Any:
    fake = deb_source(wheel, btd._WHEEL_FR)
    return dataclasses.replace(
        fake,
        key="fakeweb",
        registry="pypi",
        package="fakeweb",
        licence="BSD-3-Clause",
        accelerators="",
    )


@pytest.fixture
def packages(tmp_path: Path) -> tuple[Path, list[Any]]:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    deb = make_deb(tmp_path, {"usr/lib/fake/fr/LC_MESSAGES/ui.mo": UI})
    deb.rename(downloads / deb.name)
    wheel = make_wheel(
        downloads,
        {
            "fakeweb/locale/fr/LC_MESSAGES/web.mo": mo_bytes(WEB),
            "fakeweb/locale/de/LC_MESSAGES/web.mo": mo_bytes({"Cancel": "Abbrechen"}),
            "fakeweb/__init__.py": b"",
        },
    )
    return downloads, [deb_source(downloads / deb.name), wheel_source(wheel)]


def run(downloads: Path, out: Path, sources: list[Any], test: int = 2, val: int = 2) -> int:
    argv = ["--out", str(out), "--downloads", str(downloads), "--no-download"]
    argv += ["--test-size", str(test), "--validation-size", str(val)]
    return btd.main(argv, sources=sources)


def read_split(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "english\tfrench\tsource"
    assert lines[-1] == ""
    return [line.split("\t") for line in lines[1:-1]]


class TestBuild:
    def test_pairs_and_record(self, packages: tuple[Path, list[Any]], tmp_path: Path) -> None:
        """The job writes three disjoint splits of clean, deduplicated pairs and a full record."""
        downloads, sources = packages
        out = tmp_path / "out"
        assert run(downloads, out, sources) == 0
        rows = {name: read_split(out / f"{name}.tsv") for name in ("train", "validation", "test")}
        assert len(rows["test"]) == len(rows["validation"]) == 2
        pairs = {en: fr for split in rows.values() for en, fr, _ in split}
        assert pairs == {
            "Open": "Ouvrir",
            "Save": "Enregistrer",
            "Save:": "Enregistrer :",
            "Close the document": "Fermer le document",
            "%1 row": "%1 ligne",
            "Year": "Année",
            "Edit known_hosts": "Modifier known_hosts",
            "Insert a new table": "Insérer un nouveau tableau",
            "Cancel": "Annuler",
        }
        englishes = [en for split in rows.values() for en, _, _ in split]
        assert len(englishes) == len(set(englishes))
        record = json.loads((out / "SOURCES.json").read_text(encoding="utf-8"))
        counts = {s["key"]: s["counts"] for s in record["sources"]}
        assert counts["fake-l10n-fr"]["entries (singular forms)"] == 11  # with the header
        assert counts["fake-l10n-fr"]["plural forms > 0 dropped"] == 1
        assert counts["fake-l10n-fr"]["dropped: placeholders"] == 1
        assert counts["fake-l10n-fr"]["dropped: empty"] == 1
        assert counts["fake-l10n-fr"]["dropped: no letters"] == 1
        assert counts["fake-l10n-fr"]["dropped: copy"] == 1
        assert counts["fake-l10n-fr"]["kept after cleaning"] == 7
        assert counts["fake-l10n-fr"]["unique English strings"] == 6
        assert counts["fakeweb"]["kept after cleaning"] == 4
        for name, split in rows.items():
            entry = record["splits"][name]
            assert entry["pairs"] == len(split)
            assert entry["sha256"] == _sha(out / f"{name}.tsv")
        assert record["cleaning_rules_version"] == CLEANING_RULES_VERSION

    def test_sources_name_the_catalogue(
        self, packages: tuple[Path, list[Any]], tmp_path: Path
    ) -> None:
        """Each pair names its package and catalogue; German catalogues are not read."""
        downloads, sources = packages
        out = tmp_path / "out"
        run(downloads, out, sources)
        found = {
            src
            for name in ("train", "validation", "test")
            for *_, src in read_split(out / f"{name}.tsv")
        }
        assert found == {
            "fake-l10n-fr:usr/lib/fake/fr/LC_MESSAGES/ui.mo",
            "fakeweb:fakeweb/locale/fr/LC_MESSAGES/web.mo",
        }

    def test_split_groups_case_and_punctuation(
        self, packages: tuple[Path, list[Any]], tmp_path: Path
    ) -> None:
        """ "Save" and "Save:" always land in the same split."""
        downloads, sources = packages
        for sizes in ((1, 1), (2, 2), (3, 2)):
            out = tmp_path / f"out{sizes}"
            run(downloads, out, sources, *sizes)
            where = {
                en: name
                for name in ("train", "validation", "test")
                for en, _, _ in read_split(out / f"{name}.tsv")
            }
            assert where["Save"] == where["Save:"]

    def test_deterministic(self, packages: tuple[Path, list[Any]], tmp_path: Path) -> None:
        """Two runs write byte-identical files."""
        downloads, sources = packages
        run(downloads, tmp_path / "a", sources)
        run(downloads, tmp_path / "b", sources)
        for name in ("train.tsv", "validation.tsv", "test.tsv", "SOURCES.json"):
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()

    def test_too_few_pairs(self, packages: tuple[Path, list[Any]], tmp_path: Path) -> None:
        """Asking for more test pairs than there are raises ValueError."""
        downloads, sources = packages
        with pytest.raises(ValueError, match="test split"):
            run(downloads, tmp_path / "out", sources, test=50)


class TestPinning:
    def test_sha256_mismatch(self, packages: tuple[Path, list[Any]], tmp_path: Path) -> None:
        """A package file that is not the pinned one stops the job."""
        downloads, sources = packages
        with (downloads / sources[1].filename).open("ab") as f:
            f.write(b"\0")
        with pytest.raises(RuntimeError, match="not the pinned package file"):
            run(downloads, tmp_path / "out", sources)

    def test_missing_without_download(
        self, packages: tuple[Path, list[Any]], tmp_path: Path
    ) -> None:
        """With --no-download a missing package file is an error, not a fetch."""
        downloads, sources = packages
        (downloads / sources[0].filename).unlink()
        with pytest.raises(FileNotFoundError, match="no-download"):
            run(downloads, tmp_path / "out", sources)

    def test_fetch_commands_pin_versions(self) -> None:
        """Every shipped source is fetched by exact version and has a recorded sha256."""
        for source in btd.SOURCES:
            line = source.fetch_line
            assert f"={source.version}" in line
            assert len(source.sha256) == 64
            if source.registry == "debian":
                assert line.startswith("apt-get download ")
            else:
                assert "--no-deps" in line
                assert source.fetch_command(Path("d"))[-3].endswith(f"=={source.version}")

    def test_po_without_mo(self, tmp_path: Path) -> None:
        """A French .po without its compiled .mo stops the job instead of being skipped."""
        wheel = make_wheel(
            tmp_path,
            {
                "fakeweb/locale/fr/LC_MESSAGES/web.mo": mo_bytes(WEB),
                "fakeweb/locale/fr/LC_MESSAGES/extra.po": b'msgid "Open"\nmsgstr "Ouvrir"\n',
            },
        )
        with pytest.raises(RuntimeError, match=r"extra\.po has no compiled \.mo"):
            run(tmp_path, tmp_path / "out", [wheel_source(wheel)])


class TestMachineLocale:
    def test_package_catalogue_under_usr_share_locale(self, tmp_path: Path) -> None:
        """A .deb whose French catalogue sits in usr/share/locale is refused."""
        downloads = tmp_path / "downloads"
        downloads.mkdir()
        deb = make_deb(tmp_path, {"usr/share/locale/fr/LC_MESSAGES/app.mo": UI})
        deb.rename(downloads / deb.name)
        source = deb_source(downloads / deb.name, catalogues=r"/fr/LC_MESSAGES/[^/]+\.mo$")
        with pytest.raises(RuntimeError, match="refusing to read"):
            run(downloads, tmp_path / "out", [source])

    def test_wheel_member_under_usr_share_locale(self, tmp_path: Path) -> None:
        """A wheel member in usr/share/locale (a data file) is refused too."""
        wheel = make_wheel(
            tmp_path,
            {
                "fakeweb/locale/fr/LC_MESSAGES/web.mo": mo_bytes(WEB),
                "usr/share/locale/fr/LC_MESSAGES/web.mo": mo_bytes(WEB),
            },
        )
        with pytest.raises(RuntimeError, match="refusing to read"):
            run(tmp_path, tmp_path / "out", [wheel_source(wheel)])

    @pytest.mark.parametrize(
        "path",
        [
            "/usr/share/locale/fr/LC_MESSAGES/coreutils.mo",
            "usr/share/locale/fr/LC_MESSAGES/coreutils.mo",
            "/usr/share/locale",
        ],
    )
    def test_paths_refused(self, path: str) -> None:
        """This machine's locale folder is refused as a path on disk or inside a package."""
        with pytest.raises(RuntimeError, match="refusing to read"):
            btd.refuse_machine_locale(path)

    def test_symlink_into_machine_locale(self, tmp_path: Path) -> None:
        """A link that resolves into /usr/share/locale is refused before it is read."""
        link = tmp_path / "ui.mo"
        link.symlink_to("/usr/share/locale/fr/LC_MESSAGES/coreutils.mo")
        with pytest.raises(RuntimeError, match="refusing to read"):
            btd.refuse_machine_locale(link)

    @pytest.mark.parametrize(
        "path",
        ["usr/lib/libreoffice/program/resource/fr/LC_MESSAGES/sw.mo", "/tmp/x/usr/share/locale"],
    )
    def test_other_paths_allowed(self, path: str) -> None:
        """Catalogue paths elsewhere pass the guard."""
        btd.refuse_machine_locale(path)


class TestReadMo:
    def test_plural_keeps_singular(self) -> None:
        """A plural entry gives its msgid with the first msgstr; contexts stay for the cleaner."""
        entries = dict(
            btd.read_mo(
                mo_bytes({"one file\x00%d files": "un fichier\x00%d fichiers", "c\x04A": "B"})
            )
        )
        assert entries["one file"] == "un fichier"
        assert entries["c\x04A"] == "B"
        assert "%d files" not in entries


# --------------------------------------------------------------------------- general domain

WESNOTH_FR = "usr/share/games/wesnoth/1.16/locale/fr/LC_MESSAGES"
CAMPAIGN_A = {  # held out as test
    "I see a house in the distance!": "Je vois une maison au loin\u00a0!",
    "Move on. We must hurry!": "Avancez. Nous devons nous dépêcher\u00a0!",
    "Cancel": "Annuler",  # also a software string: the software split keeps it
}
CAMPAIGN_B = {  # held out as validation
    "The night is cold.": "La nuit est froide.",
    "I see a house in the distance!": "Je vois une maison au loin !",  # test has it
}
CORE = {
    "female^Elvish Fighter": "Combattante elfe",
    "What a wonderful house!": "Quelle maison merveilleuse\u00a0!",  # lesson guard
    "Move on": "Avancez",  # the test split's "Move on." has its key: dropped from train
    "$unit.name has fallen": "$unit.name est tombé",
    "&units/elves.png=Elves": "&units/elves.png=Elfes",
}
ENG_FRA = "house /haus/\nmaison\nwonderful /w/\n1. merveilleux\n2. magnifique\n"
FRA_ENG = "maison /m/ <n, fem>\nhouse\narbre /a/ <n, masc>\ntree\nhomme /o/ <n, masc>\nman\n"


def dictd(entries: str) -> tuple[bytes, bytes]:
    """A dictd pair (.index text, .dict.dz bytes) from 'headword line\\nbody' blocks."""
    import gzip

    digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    def b64(n: int) -> str:
        out = ""
        while True:
            out = digits[n % 64] + out
            n //= 64
            if not n:
                return out

    blocks, current = [], ""
    for line in entries.strip("\n").split("\n"):
        if "/" in line and current:
            blocks.append(current)
            current = ""
        current += line + "\n"
    blocks.append(current)
    data, index = b"", ["00databaseinfo\tA\tB"]
    for block in blocks:
        head = block.split(" ")[0]
        index.append(f"{head}\t{b64(len(data))}\t{b64(len(block.encode()))}")
        data += block.encode()
    return ("\n".join(index) + "\n").encode(), gzip.compress(data)


def general_source(deb: Path, name: str, reader: str, held_out_as: str = "") -> Any:
    catalogues = (
        btd._WESNOTH_FR if reader == "wesnoth" else rf"^usr/share/dictd/{name}\.(index|dict\.dz)$"
    )
    return dataclasses.replace(
        deb_source(deb, catalogues),
        key=name,
        package=name,
        licence="GPL-2.0-or-later",
        accelerators="",
        domain="general",
        reader=reader,
        held_out_as=held_out_as,
    )


@pytest.fixture
def general(
    packages: tuple[Path, list[Any]], make_deb: Callable[..., Path]
) -> tuple[Path, list[Any]]:
    """The software fakes plus three Wesnoth packages and the two dictionaries."""
    downloads, sources = packages
    made = []
    for name, entries, held in (
        ("wesnoth-a", CAMPAIGN_A, "test"),
        ("wesnoth-b", CAMPAIGN_B, "validation"),
        ("wesnoth-core", CORE, ""),
    ):
        deb = make_deb(downloads, name, {f"{WESNOTH_FR}/{name}.mo": mo_bytes(entries)})
        made.append(general_source(deb, name, "wesnoth", held))
    for name, text in (("freedict-eng-fra", ENG_FRA), ("freedict-fra-eng", FRA_ENG)):
        index, packed = dictd(text)
        deb = make_deb(
            downloads,
            name,
            {f"usr/share/dictd/{name}.index": index, f"usr/share/dictd/{name}.dict.dz": packed},
        )
        made.append(general_source(deb, name, "freedict"))
    return downloads, [*sources, *made]


def run_general(downloads: Path, out: Path, sources: list[Any]) -> dict[str, list[list[str]]]:
    argv = ["--out", str(out), "--downloads", str(downloads), "--no-download"]
    argv += ["--test-size", "2", "--validation-size", "2", "--general-min-pairs", "1"]
    assert btd.main(argv, sources=sources) == 0
    names = ("train", "validation", "test", "general_train", "general_validation", "general_test")
    return {name: read_split(out / f"{name}.tsv") for name in names}


class TestGeneral:
    def test_held_out_by_source(self, general: tuple[Path, list[Any]], tmp_path: Path) -> None:
        """Whole held-out packages make the general test and validation splits, cut into sentences."""
        rows = run_general(*general[:1], tmp_path / "out", general[1])
        assert {src.split(":")[0] for *_, src in rows["general_test"]} == {"wesnoth-a"}
        assert [(en, fr) for en, fr, _ in rows["general_test"]] == [
            ("I see a house in the distance!", "Je vois une maison au loin !"),
            ("Move on.", "Avancez."),
            ("We must hurry!", "Nous devons nous dépêcher !"),
        ]
        assert [en for en, _, _ in rows["general_validation"]] == ["The night is cold."]

    def test_no_english_in_two_splits(
        self, general: tuple[Path, list[Any]], tmp_path: Path
    ) -> None:
        """Over all six files an English string (case and end punctuation folded) is in one split."""
        rows = run_general(*general[:1], tmp_path / "out", general[1])
        where: dict[str, set[str]] = {}
        for name, split in rows.items():
            for en, _, _ in split:
                where.setdefault(btd.split_key(en), set()).add(name)
        assert all(len(names) == 1 for names in where.values())
        assert where["cancel"] == {"train"}  # software first: "Cancel" left the general test
        record = json.loads((tmp_path / "out" / "SOURCES.json").read_text(encoding="utf-8"))
        assert record["splits"]["general_validation"]["dropped"]["English in an earlier split"] == 1

    def test_lesson_sentence_never_trained_on(
        self, general: tuple[Path, list[Any]], tmp_path: Path
    ) -> None:
        """No training pair has both 'house' and 'wonderful'; the record counts the one dropped."""
        rows = run_general(*general[:1], tmp_path / "out", general[1])
        for split in ("train", "general_train"):
            assert not [en for en, fr, _ in rows[split] if btd.is_lesson_sentence(en, fr)]
            assert not [
                en
                for en, _, _ in rows[split]
                if "house" in en.lower() and "wonderful" in en.lower()
            ]
        record = json.loads((tmp_path / "out" / "SOURCES.json").read_text(encoding="utf-8"))
        assert record["splits"]["general_train"]["dropped"]["like the lesson's sentence"] == 1

    def test_train_pairs(self, general: tuple[Path, list[Any]], tmp_path: Path) -> None:
        """The train split holds cleaned Wesnoth text and the dictionaries' pairs, by rule."""
        rows = run_general(*general[:1], tmp_path / "out", general[1])
        train = {en: fr for en, fr, _ in rows["general_train"]}
        assert train == {
            "Elvish Fighter": "Combattante elfe",
            "house": "maison",
            "wonderful": "merveilleux",
            "the house": "la maison",
            "tree": "arbre",
            "the tree": "l'arbre",
            "man": "homme",
        }

    def test_licence_and_shipping_recorded(
        self, general: tuple[Path, list[Any]], tmp_path: Path
    ) -> None:
        """Each general source's licence, the GPL note and the copy baselines are recorded."""
        run_general(*general[:1], tmp_path / "out", general[1])
        record = json.loads((tmp_path / "out" / "SOURCES.json").read_text(encoding="utf-8"))
        general_keys = {s["key"]: s for s in record["sources"] if s.get("domain") == "general"}
        assert {s["licence"] for s in general_keys.values()} == {"GPL-2.0-or-later"}
        assert general_keys["wesnoth-a"]["held_out_as"] == "test"
        assert "COPYING.GPL-2" in record["general"]["licence"]
        for name in ("validation", "test", "general_validation", "general_test"):
            assert record["splits"][name]["shipped"] is True
            assert set(record["splits"][name]["copy_english"]) == {"chrf", "bleu"}
        assert record["splits"]["general_train"]["shipped"] is False

    def test_too_few_held_out(self, general: tuple[Path, list[Any]], tmp_path: Path) -> None:
        """A held-out split below --general-min-pairs stops the job."""
        downloads, sources = general
        argv = ["--out", str(tmp_path / "o"), "--downloads", str(downloads), "--no-download"]
        argv += ["--test-size", "2", "--validation-size", "2", "--general-min-pairs", "5"]
        with pytest.raises(ValueError, match="general test split"):
            btd.main(argv, sources=sources)


class TestWesnothCleaning:
    @pytest.mark.parametrize(
        ("english", "french", "expected"),
        [
            ("race+female^Drake", "Dracane", [("Drake", "Dracane")]),
            ("ctx\x04Go back", "Retourner", [("Go back", "Retourner")]),
            ("*Easy", "*Facile", [("Easy", "Facile")]),
            (
                "<italic>text='Castles'</italic> are forts.",
                "Les <italic>text='châteaux'</italic> sont des forts.",
                [("Castles are forts.", "Les châteaux sont des forts.")],
            ),
            (
                "<ref>dst='unit_Orc' text='Orcs'</ref> attack",
                "Les <ref>dst='unit_Orc' text='orcs'</ref> attaquent",
                [("Orcs attack", "Les orcs attaquent")],
            ),
            (
                "<span color='#f00'><b>Don\u2019t</b> go!</span>",
                "<span color='#f00'><b>N\u2019y</b> va pas !</span>",
                [("Don't go!", "N'y va pas !")],
            ),
            (
                "First line.\nSecond line",
                "Première ligne.\nDeuxième ligne",
                [("First line.", "Première ligne."), ("Second line", "Deuxième ligne")],
            ),
            # sentence counts differ: the entry stays whole
            (
                "Thank you. Grog got lost.",
                "Merci, Grog perdu.",
                [("Thank you. Grog got lost.", "Merci, Grog perdu.")],
            ),
        ],
    )
    def test_kept(self, english: str, french: str, expected: list[tuple[str, str]]) -> None:
        """Contexts, help markup, HTML, quotes and line/sentence cuts are cleaned as documented."""
        assert btd.clean_wesnoth_pair(english, french) == expected

    @pytest.mark.parametrize(
        ("english", "french", "reason"),
        [
            ("$unit.name has fallen", "$unit.name est tombé", "variables"),
            ("{prefix}{suffix}", "{prefix}{suffix}", "variables"),
            ("Kill %s", "Tuer %s", "variables"),
            ("&units/elves.png=Elves", "&units/elves.png=Elfes", "images"),
            ("img~BLIT(x)", "img~BLIT(x)", "images"),
            ("<img>src=x</img>Text", "<img>src=x</img>Texte", "markup"),
            ("a=b", "a=b c", "markup"),
            (" ".join(["word"] * 31), " ".join(["mot"] * 31), "too long"),
            ("Open Gates Now", "Open Gates Now", "copy"),
            ("Dacyn.", "Dacyn.", "names"),
            ("", "En-tête", "empty"),
        ],
    )
    def test_dropped(self, english: str, french: str, reason: str) -> None:
        """Variables, images, leftover markup, long and copied entries are dropped, naming the rule."""
        assert btd.clean_wesnoth_pair(english, french) == reason
        assert reason in (*btd.WESNOTH_RULES, *CLEANING_RULES)


class TestLessonGuard:
    @pytest.mark.parametrize(
        ("english", "french", "flagged"),
        [
            ("The house is wonderful.", "", True),
            ("WONDERFUL HOUSES", "", True),
            ("A wonderful day at the house of Konrad", "", True),
            ("", "La maison est merveilleuse.", True),
            ("The house is old.", "La maison est vieille.", False),
            ("A wonderful day", "Un jour merveilleux", False),
            ("The household is wonderful", "", False),
        ],
    )
    def test_flags(self, english: str, french: str, flagged: bool) -> None:
        """The guard flags pairs with both words of the lesson's sentence, in either language."""
        assert btd.is_lesson_sentence(english, french) is flagged


class TestFreeDict:
    def test_pairs_and_articles(self) -> None:
        """eng-fra gives word pairs; fra-eng gives word pairs and 'the X' with le/la/l' by rule."""
        index, packed = dictd(FRA_ENG + "eau /o/ <n, fem>\nwater\nmanger /m/ <v>\nto eat\n")
        import gzip

        pairs = btd.freedict_pairs(index.decode(), gzip.decompress(packed), english_first=False)
        assert pairs == [
            ("house", "maison"),
            ("the house", "la maison"),
            ("tree", "arbre"),
            ("the tree", "l'arbre"),
            ("man", "homme"),  # h: no article (h muet or aspiré is not in the dictionary)
            ("water", "eau"),
            ("the water", "l'eau"),
            ("to eat", "manger"),  # a verb: no article
        ]

    def test_first_sense_first_gloss(self) -> None:
        """eng-fra takes the first translation of the first sense."""
        index, packed = dictd(ENG_FRA)
        import gzip

        pairs = btd.freedict_pairs(index.decode(), gzip.decompress(packed), english_first=True)
        assert pairs == [("house", "maison"), ("wonderful", "merveilleux")]


class TestShippedSources:
    def test_general_sources_pinned(self) -> None:
        """Every Wesnoth campaign and both dictionaries are pinned, GPL-2+, domain general."""
        general = [s for s in btd.ALL_SOURCES if s.domain == "general"]
        assert len(general) == 19
        assert {s.licence for s in general} == {"GPL-2.0-or-later"}
        held = {s.package: s.held_out_as for s in general if s.held_out_as}
        assert sorted(held.values()) == ["test", "test", "validation", "validation"]
        assert all(s.fetch_line.startswith("apt-get download ") for s in general)
        assert not any("usr/share/locale" in s.catalogues for s in btd.ALL_SOURCES)
