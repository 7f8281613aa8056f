"""Live models: the site's real models run on the reader's own text, in the reader's browser.

A page places a widget with a directive::

    :::{live-model} fill-mask
    :example: The capital of France is [MASK].
    :::

Tasks: ``fill-mask`` (MiniLM with the fill-mask delta), ``classify`` (the fine-tuned BERT
topic classifier), ``translate`` (the shipped English/French T5), ``cross-attention`` (the
same T5, drawing where it looked), ``tokenize`` (WordPiece, SentencePiece and byte-level
BPE side by side) and ``generate`` (SmolLM2-135M-Instruct).

What the browser gets, all from the site's own origin (``_static/live/``):

- the runtimes, from npm at pinned versions: transformers.js with onnxruntime-web's
  single-threaded wasm, and wllama (llama.cpp in wasm) for SmolLM2. ``nox -s docs`` fetches
  them into a cache, checked against ``npm.sha256``; this extension checks them again as
  it copies them, with each package's licence and ``package.json`` beside its files;
- the models, exported at build time from the shipped artefacts and the installed asset
  packages by ``export.py`` (ONNX: int8 weights for the BERTs, fp16 for the T5; SmolLM2's
  GGUF as installed), cached in
  nlpguide's cache folder and keyed on their inputs;
- ``live.js`` (the widgets), ``worker.js`` (transformers.js in a Web Worker) and
  ``generate.js`` (wllama, which runs llama.cpp in a worker of its own).

Nothing loads before the reader clicks; the button says how many bytes it will fetch.
Everything runs single-threaded, since static hosts cannot set COOP/COEP headers.

The torch outputs of the same models on fixed inputs (``reference.json``, for the
browser parity tests) go to ``_build/live-reference.json``, outside the site.
"""

from __future__ import annotations

import html
import json
import shutil
import time
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from tryit import file_sha256, read_sha256_table, track_pages

__all__ = ["setup"]

HERE = Path(__file__).resolve().parent
OWN_FILES = ("live.js", "worker.js", "generate.js", "live.css")
#: task -> the exported model folders it loads, and the runtime it needs.
TASKS: dict[str, tuple[tuple[str, ...], str]] = {
    "fill-mask": (("fill-mask",), "transformers"),
    "classify": (("topic",), "transformers"),
    "translate": (("t5",), "transformers"),
    "cross-attention": (("t5",), "transformers"),
    "tokenize": (("fill-mask/tokenizer", "t5/tokenizer", "smollm2/tokenizer"), "tokenizers"),
    "generate": (("smollm2/model.gguf",), "wllama"),
}
#: runtime -> the files the browser fetches for it (keys of the URLs live.js gets, _urls).
RUNTIME_FETCHED = {
    "transformers": ("transformers", "ortMjs", "ortWasm"),
    "tokenizers": ("transformers",),  # no model runs: onnxruntime's wasm is not fetched
    "wllama": ("wllama", "wllamaWasm"),
}

logger = logging.getLogger(__name__)


class LiveModel(SphinxDirective):
    """``:::{live-model} TASK`` with an optional ``:example:`` (the input shown first)."""

    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {"example": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        task = self.arguments[0]
        if task not in TASKS:
            msg = f"live-model: unknown task {task!r}; use one of {sorted(TASKS)}"
            raise self.error(msg)
        self.env.live_pages.add(self.env.docname)  # type: ignore[attr-defined]
        example = self.options.get("example", "")
        attrs = f'data-task="{task}" data-example="{html.escape(example)}"'
        fallback = (
            "<p class='live-fallback'>A live model runs here in your browser: it needs "
            "JavaScript.</p>"
        )
        block = f'<div class="live-model" {attrs}>{fallback}</div>'
        return [nodes.raw("", block, format="html")]


def _runtime_files(app: Sphinx) -> dict[str, Path]:
    """Every recorded npm file, checked: ``{"<package>@<version>/<path>": cached file}``."""
    root = Path(app.config.live_npm_dir)
    table = read_sha256_table(Path(app.config.live_npm_sha256))
    files = {}
    for name, digest in table.items():
        path = root / name
        if not path.is_file() or file_sha256(path) != digest:
            msg = (
                f"live models: {path} is missing or is not the file recorded in "
                f"{app.config.live_npm_sha256}: fetch the runtimes first (nox -s docs does)"
            )
            raise ExtensionError(msg)
        files[name] = path
    return files


def _export(app: Sphinx, _env: Any) -> None:
    """Export (or find in the cache) the models the live widgets load; check the runtimes."""
    if not app.env.live_pages:  # type: ignore[attr-defined]
        return
    app.live_runtimes = _runtime_files(app)  # type: ignore[attr-defined]
    from livemodels.export import export_all  # noqa: PLC0415 (torch: only when pages need it)

    start = time.monotonic()
    out = Path(app.config.live_models_dir)
    manifest = export_all(out, progress=logger.info)
    logger.info("live models: ready in %s (%.1f s)", out, time.monotonic() - start)
    app.live_manifest = manifest  # type: ignore[attr-defined]


def _bytes(app: Sphinx) -> dict[str, dict[str, int]]:
    """Per task: the bytes of its model files and of its runtime, as the browser fetches them."""
    manifest: dict[str, Any] = app.live_manifest  # type: ignore[attr-defined]
    runtimes: dict[str, Path] = app.live_runtimes  # type: ignore[attr-defined]
    urls = _urls(app)
    sizes = {}
    for task, (parts, runtime) in TASKS.items():
        model = 0
        for part in parts:
            name, _, sub = part.partition("/")
            files = manifest[name]["files"]
            model += sum(n for f, n in files.items() if not sub or f.startswith(sub))
        fetched = [urls[key].removeprefix("npm/") for key in RUNTIME_FETCHED[runtime]]
        code = sum(runtimes[name].stat().st_size for name in fetched)
        sizes[task] = {"model": model, "runtime": code}
    return sizes


def _urls(app: Sphinx) -> dict[str, str]:
    """What live.js loads, relative to ``_static/live/``."""
    names = list(app.live_runtimes)  # type: ignore[attr-defined]

    def one(end: str) -> str:
        (name,) = (n for n in names if n.endswith(end))
        return f"npm/{name}"

    return {
        "transformers": one("/dist/transformers.min.js"),
        "ortMjs": one("/dist/ort-wasm-simd-threaded.mjs"),
        "ortWasm": one("/dist/ort-wasm-simd-threaded.wasm"),
        "wllama": one("/esm/index.js"),
        "wllamaWasm": one("/wllama.wasm"),
        "models": "models/",
        # wllama keeps the GGUF in the browser's storage by URL and never revalidates it:
        # the export's key in the URL makes a changed file a new URL.
        "gguf": f"models/smollm2/model.gguf?v={_export_key(app, 'smollm2')[:16]}",
    }


def _export_key(app: Sphinx, model: str) -> str:
    return (
        (Path(app.config.live_models_dir) / model / "key.txt").read_text(encoding="utf-8").strip()
    )


def _add_assets(
    app: Sphinx, pagename: str, _template: str, _context: dict[str, Any], _doctree: Any
) -> None:
    if pagename not in app.env.live_pages:  # type: ignore[attr-defined]
        return
    app.add_css_file("live/live.css")
    app.add_js_file(
        "live/live.js",
        loading_method="defer",
        **{
            "data-bytes": json.dumps(_bytes(app), sort_keys=True),
            "data-urls": json.dumps(_urls(app), sort_keys=True),
        },
    )


def _copy_assets(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if not app.env.live_pages:  # type: ignore[attr-defined]
        return
    live = Path(app.outdir) / "_static" / "live"
    for name, source in app.live_runtimes.items():  # type: ignore[attr-defined]
        target = live / "npm" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    # onnxruntime-web's npm package carries no licence file: ours states its MIT licence.
    licence = HERE / "LICENSE-onnxruntime-web.txt"
    ort = next(n for n in app.live_runtimes if n.startswith("onnxruntime-web@"))  # type: ignore[attr-defined]
    shutil.copyfile(licence, live / "npm" / ort.split("/")[0] / "LICENSE")
    for name in OWN_FILES:
        shutil.copyfile(HERE / name, live / name)
    models = Path(app.config.live_models_dir)
    manifest: dict[str, Any] = app.live_manifest  # type: ignore[attr-defined]
    for model, entry in manifest.items():
        for rel in entry["files"]:
            target = live / "models" / model / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(models / model / rel, target)
    reference = models / "reference.json"
    shutil.copyfile(reference, Path(app.outdir).parent / "live-reference.json")
    total = sum(p.stat().st_size for p in live.rglob("*") if p.is_file())
    logger.info("live models: %.1f MB copied into %s", total / 1e6, live)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("live_npm_dir", "", "html", types=[str])
    app.add_config_value("live_npm_sha256", str(HERE / "npm.sha256"), "html", types=[str])
    app.add_config_value("live_models_dir", "", "html", types=[str])
    app.add_directive("live-model", LiveModel)
    track_pages(app, "live_pages")
    app.connect("env-updated", _export)
    app.connect("html-page-context", _add_assets)
    app.connect("build-finished", _copy_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
