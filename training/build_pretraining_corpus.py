"""Build the unlabelled English and French text for the T5's stage 1: ``--out DIR``.

``python training/build_pretraining_corpus.py --out DIR`` writes ``DIR/corpus.txt``
(one paragraph a line) and ``DIR/corpus.json`` (the packages, their licences and
sha256, the counts). ``train_t5_multitask.py --pretrain-corpus DIR/corpus.txt`` adds
the paragraphs to span-corruption pre-training, beside the labelled pairs' two sides
and the BBC bodies.

No sentence corpus of English or French ships in a registry (``../shared/ASSETS.md``),
but documentation does, in both languages: Debian's reference manual, the GIMP manual,
the GNOME user help and the Linux man pages, each in English and in its French
translation. They are documentation, not dialogue, and the French is not aligned with
the English: the T5 only ever reads them with spans masked out, never as pairs.

Like ``build_translation_data.py``, every package is pinned by version and sha256 and
fetched with ``apt-get download``; this machine's own files are never read. Two guards:

- **Held-out text.** A sentence equal (case and spacing aside) to the English or the
  French of any shipped validation or test pair, of either domain, is dropped, so
  pre-training never sees an evaluation target.
- **The lesson's sentence.** A paragraph that
  :func:`build_translation_data.is_lesson_sentence` flags is dropped.

The corpus is not shipped: the packages are GPL-2+, GPL-3+, GFDL-NIV-1.2+ and
CC-BY-SA-3.0 documentation (recorded per source), and a run that used it says so in its
record.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_translation_data import (
    _QUOTES,  # typographic apostrophes written as the pairs write them
    Source,
    add_download_options,
    downloads_folder,
    fetch,
    is_lesson_sentence,
)

__all__ = ["CORPUS_SOURCES", "build", "held_out_keys", "html_paragraphs", "main", "man_paragraphs"]

#: The fewest words a paragraph keeps (shorter ones are headings and table cells).
MIN_WORDS = 5


def _doc(
    key: str, version: str, sha256: str, licence: str, files: str, notes: str, reader: str = "html"
) -> Source:
    """A Debian documentation package; ``files`` selects the text inside it, ``reader``
    (``"html"``, for HTML and Mallard, or ``"man"``, for roff) reads each file."""
    return Source(
        key=key,
        registry="debian",
        package=key,
        version=version,
        filename=f"{key}_{version.replace(':', '%3a')}_all.deb",
        sha256=sha256,
        licence=licence,
        catalogues=files,
        notes=notes,
        domain="pretraining",
        reader=reader,
    )


CORPUS_SOURCES: tuple[Source, ...] = (
    _doc(
        "debian-reference-en",
        "2.100",
        "9f31d3a17df505de09689ca255512ea58c1fc47c59bb1b0c7bf1c23362e9743f",
        "GPL-2+",
        r"^usr/share/debian-reference/[^/]+\.en\.html$",
        "Debian Reference (Osamu Aoki), English",
    ),
    _doc(
        "debian-reference-fr",
        "2.100",
        "01424cba9bfa2e13166da22d3d692d33a22ec7d8ef935ec81fd8802746087f65",
        "GPL-2+",
        r"^usr/share/debian-reference/[^/]+\.fr\.html$",
        "Debian Reference, French translation",
    ),
    _doc(
        "gimp-help-en",
        "2.10.34-2",
        "a2deec76763aaf2fcdd197bac0736cdcb0770ba993d48d233329e1c92b0bfe36",
        "GFDL-NIV-1.2+ (gimp-help-common's copyright file)",
        r"^usr/share/gimp/2\.0/help/en/.+\.html$",
        "GNU Image Manipulation Program user manual, English",
    ),
    _doc(
        "gimp-help-fr",
        "2.10.34-2",
        "6f1409dc1078f6660490a399e6da0a37cb31c4224b66da400fdf2148c33e4cf6",
        "GFDL-NIV-1.2+ (gimp-help-common's copyright file)",
        r"^usr/share/gimp/2\.0/help/fr/.+\.html$",
        "GIMP user manual, French translation",
    ),
    _doc(
        "gnome-user-docs",
        "43.0-2",
        "0d635a840747958ca84da778b40d341f1155603851f922c9a171f5a181d6a39f",
        "CC-BY-SA-3.0",
        r"^usr/share/help/(C|fr)/[^/]+/[^/]+\.page$",
        "GNOME user help, English (C) and French",
    ),
    _doc(
        "manpages",
        "6.03-2",
        "efa1ba4cd19ad7baeae959c9209a7eb74be2ebb858bcabb412597bfc9f588c91",
        "GPL-2+ and other free licences (per page)",
        r"^usr/share/man/man[1-8]/[^/]+\.gz$",
        "Linux man-pages, English",
        reader="man",
    ),
    _doc(
        "manpages-fr",
        "4.18.1-1",
        "ec29759cc0e4a44dc7719c1e32869d0060667049e584f09556f0d982b969ea33",
        "GPL-3+ (translations; the pages' own licences apply)",
        r"^usr/share/man/fr/man[1-8]/[^/]+\.gz$",
        "French man pages (po4a translations; untranslated paragraphs stay English)",
        reader="man",
    ),
)


class _Paragraphs(HTMLParser):
    """Collects the text of every ``<p>`` (HTML and Mallard); skips ``<pre>``/scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._text: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        if tag in {"pre", "script", "style", "screen", "code:block"}:
            self._skip += 1
        elif tag == "p" and self._text is None:
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"pre", "script", "style", "screen", "code:block"}:
            self._skip = max(0, self._skip - 1)
        elif tag == "p" and self._text is not None:
            self.paragraphs.append(" ".join("".join(self._text).split()))
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None and not self._skip:
            self._text.append(data)


def html_paragraphs(markup: str) -> list[str]:
    """The text of each paragraph of an HTML or Mallard page, whitespace collapsed.

    >>> html_paragraphs("<h1>T</h1><p>Open the <b>file</b>.</p><pre>x</pre><p>Done</p>")
    ['Open the file.', 'Done']
    """
    parser = _Paragraphs()
    parser.feed(markup)
    parser.close()
    return parser.paragraphs


_FONT = re.compile(r"\\f(?:\[[^\]]*\]|\(..|.)")
_SPECIAL = {r"\-": "-", r"\(aq": "'", r"\[aq]": "'", r"\(em": "—", r"\[em]": "—", r"\e": "\\"}
_SPECIAL_RE = re.compile("|".join(re.escape(k) for k in _SPECIAL))
_OTHER_ESCAPE = re.compile(r"\\(?:\[[^\]]*\]|\(..|[ &|^~0:/,]|\*\(..|\*\[[^\]]*\]|\*.|.)")
#: Macros whose arguments are running text; every other request ends a paragraph.
_TEXT_MACROS = {"B", "I", "BR", "RB", "IR", "RI", "BI", "IB", "SM", "SB"}


def _unescape(line: str) -> str:
    """A roff line's text: fonts dropped, a few special characters named, other escapes gone."""
    text = _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], _FONT.sub("", line))
    return _OTHER_ESCAPE.sub(" ", text).replace("\\", "")


def man_paragraphs(source: str) -> list[str]:
    r"""The running text of a man page's source (roff), one string per paragraph.

    >>> man_paragraphs('.SH NAME\nls \\- list\n.PP\nThe \\fBls\\fP command\n.B lists\nfiles.')
    ['ls - list', 'The ls command lists files.']
    """
    paragraphs: list[str] = []
    current: list[str] = []
    in_example = False

    def close() -> None:
        text = " ".join(" ".join(current).split())
        if text:
            paragraphs.append(text)
        current.clear()

    for line in source.splitlines():
        if line.startswith((".", "'")):
            macro, _, rest = line[1:].strip().partition(" ")
            if macro in {"EX", "nf"}:
                close()
                in_example = True
            elif macro in {"EE", "fi"}:
                in_example = False
            elif macro in _TEXT_MACROS and not in_example:
                current.append(_unescape(rest.replace('"', "")))
            else:
                close()
            continue
        if in_example:
            continue
        current.append(_unescape(line))
    close()
    return paragraphs


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def held_out_keys() -> set[str]:
    """Both sides of every shipped validation and test pair, as :func:`_key` compares."""
    from nlpguide.data import translation_pairs

    return {
        _key(side)
        for split in ("validation", "test")
        for domain in ("software", "general")
        for pair in translation_pairs(split, domain=domain)
        for side in (pair.english, pair.french)
    }


def clean(paragraphs: Iterable[str], held_out: set[str], counts: dict[str, int]) -> Iterator[str]:
    """The paragraphs worth keeping, with held-out sentences cut out; ``counts`` tallies.

    >>> counts = {}
    >>> list(clean(["Open the file in the editor. Save all.", "A wonderful house, really.", "Short one"],
    ...            {"save all."}, counts))
    ['Open the file in the editor.']
    >>> counts
    {'held_out_sentences': 1, 'lesson_guard': 1, 'too_short': 1}
    """
    for paragraph in paragraphs:
        sentences = _SENTENCE.split(paragraph)
        kept = [s for s in sentences if _key(s) not in held_out]
        if len(kept) < len(sentences):
            counts["held_out_sentences"] = (
                counts.get("held_out_sentences", 0) + len(sentences) - len(kept)
            )
        text = " ".join(kept).translate(_QUOTES)
        if is_lesson_sentence(text, text):
            counts["lesson_guard"] = counts.get("lesson_guard", 0) + 1
        elif len(text.split()) < MIN_WORDS:
            counts["too_short"] = counts.get("too_short", 0) + 1
        else:
            yield text


def package_texts(source: Source, path: Path) -> Iterator[tuple[str, str]]:
    """``(path inside the package, file text)`` for every selected file of a ``.deb``."""
    wanted = re.compile(source.catalogues)
    with tempfile.TemporaryDirectory(prefix="nlpguide-corpus-") as tmp:
        subprocess.run(["dpkg-deb", "-x", str(path), tmp], check=True)
        for file in sorted(Path(tmp).rglob("*")):
            inner = PurePosixPath(file.relative_to(tmp).as_posix())
            if file.is_file() and not file.is_symlink() and wanted.search(str(inner)):
                data = file.read_bytes()
                if inner.suffix == ".gz":
                    data = gzip.decompress(data)
                yield str(inner), data.decode("utf-8", errors="replace")


def build(
    sources: Sequence[Source], downloads: Path, out: Path, *, download: bool, held_out: set[str]
) -> dict[str, object]:
    """Write ``corpus.txt`` and ``corpus.json`` into ``out``; return the record."""
    out.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    lines: list[str] = []
    record_sources = []
    for source in sources:
        path = fetch(source, downloads, download=download)
        counts: dict[str, int] = {"files": 0, "paragraphs": 0, "duplicates": 0}
        words = 0
        for _, text in package_texts(source, path):
            counts["files"] += 1
            reader = man_paragraphs if source.reader == "man" else html_paragraphs
            for paragraph in clean(reader(text), held_out, counts):
                if paragraph in seen:
                    counts["duplicates"] += 1
                    continue
                seen.add(paragraph)
                lines.append(paragraph)
                counts["paragraphs"] += 1
                words += len(paragraph.split())
        record_sources.append(
            {**source.provenance(), "notes": source.notes, "counts": counts, "words": words}
        )
        print(f"{source.package}: {counts['paragraphs']} paragraphs, {words} words", flush=True)
    data = "".join(f"{line}\n" for line in lines).encode()
    (out / "corpus.txt").write_bytes(data)
    record: dict[str, object] = {
        "file": "corpus.txt",
        "paragraphs": len(lines),
        "words": sum(len(line.split()) for line in lines),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "min_words": MIN_WORDS,
        "sources": record_sources,
    }
    (out / "corpus.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return record


def main(argv: Sequence[str] | None = None, *, sources: Sequence[Source] = CORPUS_SOURCES) -> int:
    """Command line: build the corpus into ``--out`` and print its size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for corpus.txt")
    add_download_options(parser)
    args = parser.parse_args(argv)
    with downloads_folder(args.downloads) as downloads:
        record = build(
            sources,
            downloads,
            args.out,
            download=not args.no_download,
            held_out=held_out_keys(),
        )
    print(
        f"corpus: {record['paragraphs']} paragraphs, {record['words']} words, "
        f"sha256 {record['sha256']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
