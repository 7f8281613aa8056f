"""training/build_pretraining_corpus.py on tiny fake documentation packages (no download)."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import build_pretraining_corpus as bpc
import pytest

from nlpguide.data import translation_pairs

PAGE = (
    "<html><body><h1>Layers</h1><p>A layer is a sheet of <b>transparent</b> film.</p>"
    "<pre>gimp --batch</pre><p>Short.</p>"
    "<p>Open the file in the editor. {held}</p>"
    "<p>Our wonderful house has three rooms and a garden.</p></body></html>"
)
MAN = (
    ".TH LS 1\n.SH NAME\nls \\- list directory contents\n.SH DESCRIPTION\nList information "
    "about the \\fBFILEs\\fP (the current directory by default).\n.EX\nls -l /tmp\n.EE\n"
    ".PP\nSort entries alphabetically if none of\n.B \\-cftuvSUX\nis specified.\n"
)


class TestHtmlParagraphs:
    def test_paragraph_text_only(self) -> None:
        """Inline markup is kept as text; headings and <pre> are not paragraphs."""
        assert bpc.html_paragraphs(PAGE.format(held="")) == [
            "A layer is a sheet of transparent film.",
            "Short.",
            "Open the file in the editor.",
            "Our wonderful house has three rooms and a garden.",
        ]

    def test_mallard_pages(self) -> None:
        """GNOME's Mallard XML uses <p> too; code blocks are skipped."""
        page = (
            "<page><title>X</title><p>Click the <gui>Settings</gui> icon.</p><code>x</code></page>"
        )
        assert bpc.html_paragraphs(page) == ["Click the Settings icon."]


class TestManParagraphs:
    def test_running_text(self) -> None:
        """Requests break paragraphs, font escapes go, examples are skipped."""
        assert bpc.man_paragraphs(MAN) == [
            "ls - list directory contents",
            "List information about the FILEs (the current directory by default).",
            "Sort entries alphabetically if none of -cftuvSUX is specified.",
        ]


class TestClean:
    def test_guards(self) -> None:
        """Held-out sentences are cut, the lesson guard and the length floor drop paragraphs."""
        held = translation_pairs("test", domain="general")[0]
        counts: dict[str, int] = {}
        kept = list(
            bpc.clean(
                bpc.html_paragraphs(PAGE.format(held=held.french.upper())),
                bpc.held_out_keys(),
                counts,
            )
        )
        assert kept == ["A layer is a sheet of transparent film.", "Open the file in the editor."]
        assert counts == {"too_short": 1, "held_out_sentences": 1, "lesson_guard": 1}

    def test_held_out_keys_cover_every_split_and_side(self) -> None:
        """Both sides of the validation and test pairs of both domains are held out."""
        keys = bpc.held_out_keys()
        for split in ("validation", "test"):
            for domain in ("software", "general"):
                pair = translation_pairs(split, domain=domain)[-1]
                assert " ".join(pair.english.casefold().split()) in keys
                assert " ".join(pair.french.casefold().split()) in keys

    def test_typographic_apostrophes(self) -> None:
        """French typography's right single quote becomes the pairs' apostrophe."""
        out = list(bpc.clean(["L\u2019outil de sélection rectangulaire est là."], set(), {}))
        assert out == ["L'outil de sélection rectangulaire est là."]


class TestBuild:
    @pytest.fixture
    def built(
        self, tmp_path: Path, make_deb: Callable[..., Path]
    ) -> tuple[dict[str, object], Path]:
        downloads, out = tmp_path / "downloads", tmp_path / "out"
        downloads.mkdir()
        files = {
            "usr/share/doc/fake/index.html": PAGE.format(held="").encode(),
            "usr/share/doc/fake/copy.html": PAGE.format(held="").encode(),
            "usr/share/man/man1/ls.1.gz": gzip.compress(MAN.encode()),
            "usr/share/doc/fake/skip.txt": b"not selected",
        }
        deb = make_deb(downloads, "fake-doc", files)
        html = dataclasses.replace(
            bpc.CORPUS_SOURCES[0],
            key="fake-doc",
            package="fake-doc",
            version="1.0",
            filename=deb.name,
            sha256=hashlib.sha256(deb.read_bytes()).hexdigest(),
            catalogues=r"^usr/share/doc/fake/.+\.html$",
        )
        man = dataclasses.replace(html, catalogues=r"^usr/share/man/man1/.+\.gz$", reader="man")
        record = bpc.build([html, man], downloads, out, download=False, held_out=set())
        return record, out

    def test_corpus_and_record(self, built: tuple[dict[str, object], Path]) -> None:
        """One paragraph a line, duplicates once, and a record that hashes the file."""
        record, out = built
        lines = (out / "corpus.txt").read_text().splitlines()
        assert lines == [
            "A layer is a sheet of transparent film.",
            "Open the file in the editor.",
            "ls - list directory contents",
            "List information about the FILEs (the current directory by default).",
            "Sort entries alphabetically if none of -cftuvSUX is specified.",
        ]
        assert record["sha256"] == hashlib.sha256((out / "corpus.txt").read_bytes()).hexdigest()
        assert record == json.loads((out / "corpus.json").read_text())
        sources: list[dict[str, Any]] = record["sources"]  # type: ignore[assignment]
        first, second = sources
        assert first["counts"] == {
            "files": 2,
            "paragraphs": 2,
            "duplicates": 2,
            "too_short": 2,
            "lesson_guard": 2,
        }
        assert second["counts"]["paragraphs"] == 3
        assert first["licence"] == "GPL-2+"

    def test_main_reads_the_downloads_folder(
        self, tmp_path: Path, make_deb: Callable[..., Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """main() with --downloads and --no-download builds from the pinned file there."""
        downloads = tmp_path / "downloads"
        downloads.mkdir()
        deb = make_deb(
            downloads, "fake-doc", {"usr/share/doc/fake/a.html": PAGE.format(held="").encode()}
        )
        source = dataclasses.replace(
            bpc.CORPUS_SOURCES[0],
            package="fake-doc",
            version="1.0",
            filename=deb.name,
            sha256=hashlib.sha256(deb.read_bytes()).hexdigest(),
            catalogues=r"^usr/share/doc/fake/.+\.html$",
        )
        argv = ["--out", str(tmp_path / "out"), "--downloads", str(downloads), "--no-download"]
        assert bpc.main(argv, sources=[source]) == 0
        assert (tmp_path / "out" / "corpus.txt").read_text().splitlines() == [
            "A layer is a sheet of transparent film.",
            "Open the file in the editor.",
        ]
        assert "corpus: 2 paragraphs, 14 words" in capsys.readouterr().out

    def test_another_package_file_is_refused(self, tmp_path: Path) -> None:
        """A .deb whose sha256 is not the pinned one stops the job."""
        (tmp_path / bpc.CORPUS_SOURCES[0].filename).write_bytes(b"not the package")
        with pytest.raises(RuntimeError, match="not the pinned package file"):
            bpc.build(
                bpc.CORPUS_SOURCES[:1], tmp_path, tmp_path / "o", download=False, held_out=set()
            )


class TestSources:
    def test_pinned_debian_documentation(self) -> None:
        """Every source is a pinned Debian package with a licence and a reader."""
        for source in bpc.CORPUS_SOURCES:
            assert source.registry == "debian"
            assert len(source.sha256) == 64
            assert source.licence
            assert source.reader in {"html", "man"}
            assert "/usr/share/locale" not in source.catalogues
