"""Export the site's real models for the reader's browser, at docs-build time.

The live-model widgets run the same models the pages run, in the reader's browser:
transformers.js 4.3.2 (onnxruntime-web) for the fill-mask BERT, the fine-tuned topic
classifier and the English/French T5, and wllama (llama.cpp) for SmolLM2. This module
writes them in the folder layout those runtimes read, under one cache folder ``out``:

================  ========================================================================
``fill-mask/``    ``nlpguide.models.masked_lm()``: ``config.json``, ``tokenizer.json``,
                  ``tokenizer_config.json``, ``onnx/model_quantized.onnx``
``topic/``        the BBC topic classifier of the pipelines page (same files; its config
                  carries the topic names as ``id2label``)
``t5/``           the shipped T5: the same plus ``generation_config.json``,
                  ``onnx/encoder_model.onnx`` and ``onnx/decoder_model_merged.onnx``
                  (no past key values; weights stored as fp16, see :func:`_halve_weights`)
``smollm2/``      ``model.gguf`` (the installed file, as is), ``tokenizer.json``,
                  ``tokenizer_config.json`` (chat template included)
================  ========================================================================

transformers.js picks ``onnx/<name>_quantized.onnx`` for ``dtype: "q8"`` (the BERTs) and
``onnx/<name>.onnx`` for ``dtype: "fp32"`` (the T5). The BERTs' ONNX
files come from ``torch.onnx.export`` (the TorchScript exporter). Their weight
matrices are stored as int8, one scale per output channel, in front of a
``DequantizeLinear`` (weight-only int8): int8's size, which the site's budget
needs, with activations left in fp32, which keeps the outputs close to torch's
(see :func:`_quantize_weights`). A tied output head is stored once, as a
``Transpose`` of the embedding table (:func:`_retie`). Open the sessions with the
config entry ``session.disable_quant_qdq = "1"`` (onnxruntime-web: ``extra: {session:
{disable_quant_qdq: "1"}}``): onnxruntime then folds the dequantised weights into
fp32 constants when the session opens, and computes what the references below
record. Without it, onnxruntime 1.32 fuses each ``DequantizeLinear`` and ``MatMul``
into a ``MatMulNBits`` that rounds the activations to int8 as well: other numbers,
as far from torch's. The tokenizer playground needs no files of
its own: its three tokenizers are fill-mask's (WordPiece), t5's (Unigram) and
smollm2's (byte-level BPE).

Why the cache: exporting takes seconds per model, and a docs build runs often. Each
model's folder holds ``key.txt``, a sha256 over its input files (weights, tokenizer,
configs, reference data), this module's source and the versions of torch,
transformers, onnx and onnxruntime; a folder whose key matches is kept as it is.
``key.txt`` is the cache's, not the browser's: the manifest does not list it.

``out/reference.json`` holds what the *torch* models give on fixed inputs (the
constants below), for the browser parity tests, and what the ONNX files give
when onnxruntime runs them here (``onnx``), so their parity with torch is known before
any browser runs. It is not served to readers.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "CROSS_ATTENTION_PAIRS",
    "FILL_MASK_SENTENCES",
    "SMOLLM2_NEW_TOKENS",
    "SMOLLM2_PROMPTS",
    "T5_PAIRS",
    "TOKENIZER_STRINGS",
    "TOPIC_ARTICLES",
    "export_all",
]

#: One ``[MASK]`` each; the reference is the fill-mask pipeline's top 5.
FILL_MASK_SENTENCES: tuple[str, ...] = (
    "The capital of France is [MASK].",
    "She poured a cup of [MASK] and sat down to read the paper.",
    "The striker scored a [MASK] in the last minute of the match.",
    "Shares [MASK] sharply after the company cut its profit forecast.",
    "He plays the [MASK] in a jazz band on Friday nights.",
    "The new phone has a bigger [MASK] and a faster chip.",
    "Parliament will [MASK] on the bill next week.",
    "It started to rain, so we opened our [MASK].",
)
#: The first test articles of the BBC split the classifier is measured on.
TOPIC_ARTICLES = 40
#: The first pairs of the shipped English/French software test split.
T5_PAIRS = 100
#: Of those, the first whose cross-attention weights are recorded.
CROSS_ATTENTION_PAIRS = 3
#: Short chat prompts for SmolLM2, each formatted with its chat template.
SMOLLM2_PROMPTS: tuple[str, ...] = (
    "What is the capital of France?",
    "Name three primary colours.",
    "Write one sentence about the sea.",
    "What does a tokenizer do?",
    "Give me a synonym for happy.",
    "How many legs does a spider have?",
    "Translate 'good morning' into French.",
    "Say hello in one word.",
    "What is 2 + 2?",
    "Finish this sentence: The cat sat on the",
)
#: Greedy tokens generated per SmolLM2 prompt.
SMOLLM2_NEW_TOKENS = 20
#: Strings every tokenizer splits (WordPiece, Unigram, byte-level BPE disagree on each).
TOKENIZER_STRINGS: tuple[str, ...] = (
    "Hello, world!",
    "Tokenizers split unbelievably long words into pieces.",
    "The café's crème brûlée costs €4.50.",
    "translate English to French: Open the file",
    "GPT-2 and BERT read   spaces\tand tabs differently.",
)

_MODELS = ("fill-mask", "topic", "t5", "smollm2")
_KEY_FILE = "key.txt"
_REFERENCES = ".references"  # per-model reference parts, joined into reference.json
_OPSET = 17  # LayerNormalization is an operator from opset 17 on
_SEED = 0

Progress = Callable[[str], None]


def export_all(out: Path, *, progress: Progress = print) -> dict[str, Any]:
    """Export every live model into ``out`` (a cache folder) and return the manifest.

    The manifest maps each model folder to ``{"files": {relpath: bytes}, "bytes":
    total, "export_s": seconds}`` (``export_s`` is 0 for a folder taken from the
    cache); it is also written to ``out/manifest.json``, and the torch references
    to ``out/reference.json``. ``progress`` gets one line per model.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {}
    references: dict[str, Any] = {}
    with _quiet(), _one_thread(), _forgetting(_topic_classifier):
        for name in _MODELS:
            folder, inputs = out / name, _inputs(name)
            key = _key(name, inputs)
            reference_file = out / _REFERENCES / f"{name}.json"
            start = time.perf_counter()
            if _is_current(folder, key, reference_file):
                seconds = 0.0
            else:
                _export_one(name, folder, key, reference_file)
                seconds = time.perf_counter() - start
            files = _files(folder)
            total = sum(files.values())
            manifest[name] = {"files": files, "bytes": total, "export_s": round(seconds, 3)}
            references[name] = json.loads(reference_file.read_text(encoding="utf-8"))
            done = f"exported {name}" if seconds else f"{name} unchanged"
            timing = f", {seconds:.1f} s" if seconds else ""
            progress(f"live models: {done} ({total / 1e6:.1f} MB{timing})")
    _write_json(out / "manifest.json", manifest)
    _write_json(out / "reference.json", _joined_references(references))
    return manifest


# --------------------------------------------------------------------------- cache


def _inputs(name: str) -> dict[str, str]:
    """The sha256 of each file model ``name``'s export reads, by role."""
    from nlpguide import data  # noqa: PLC0415
    from nlpguide.models import default_path  # noqa: PLC0415

    if name == "fill-mask":
        return _hashes(default_path("masked_lm"))
    if name == "topic":
        return {**_hashes(_topic_classifier().path), "bbc_split": data.BBC_SPLIT_SHA256}
    if name == "t5":
        from nlpguide.models.t5 import ARTEFACT_DIR  # noqa: PLC0415

        return {**_hashes(ARTEFACT_DIR), "pairs": data.TRANSLATION_SHA256["test"]}
    from nlpguide._assets import locate  # noqa: PLC0415

    folder = default_path("decoder")
    tokenizer = {k: v for k, v in _hashes(folder).items() if k != "model.safetensors"}
    return {**tokenizer, "gguf": _sha256(locate("decoder"))}


def _hashes(folder: Path) -> dict[str, str]:
    """The sha256 of the model, tokenizer and config files in ``folder``."""
    kept = (".json", ".safetensors", ".model", ".jinja")
    return {
        p.name: _sha256(p)
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix in kept and not p.name.startswith("nlpguide-")
    }


def _key(name: str, inputs: dict[str, str]) -> str:
    from nlpguide import versions  # noqa: PLC0415

    parts = {
        "model": name,
        "inputs": inputs,
        "source": _sha256(Path(__file__)),
        "versions": versions("torch", "transformers", "onnx", "onnxruntime"),
    }
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _is_current(folder: Path, key: str, reference_file: Path) -> bool:
    key_file = folder / _KEY_FILE
    return (
        key_file.is_file()
        and key_file.read_text(encoding="utf-8").strip() == key
        and reference_file.is_file()
    )


def _export_one(name: str, folder: Path, key: str, reference_file: Path) -> None:
    """Build model ``name`` in a scratch folder beside ``folder``, then swap it in."""
    from nlpguide.models import seed_everything  # noqa: PLC0415

    tmp = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        seed_everything(_SEED)
        reference = _EXPORTERS[name](tmp)
        reference_file.parent.mkdir(parents=True, exist_ok=True)
        _write_json(reference_file, reference)
        (tmp / _KEY_FILE).write_text(key + "\n", encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _files(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != _KEY_FILE
    }


def _joined_references(parts: dict[str, Any]) -> dict[str, Any]:
    """One reference document: each model's part, and the three tokenizers side by side."""
    from nlpguide import versions  # noqa: PLC0415

    joined: dict[str, Any] = {
        "versions": versions("torch", "transformers", "onnxruntime"),
        "tokenizers": {"strings": list(TOKENIZER_STRINGS)},
    }
    for name, part in parts.items():
        if "tokenizer" in part:
            joined["tokenizers"][name] = part["tokenizer"]
        joined[name] = {k: v for k, v in part.items() if k != "tokenizer"}
    return joined


# --------------------------------------------------------------------------- the models


def _export_fill_mask(folder: Path) -> dict[str, Any]:
    import torch  # noqa: PLC0415
    from transformers import pipeline  # noqa: PLC0415

    from nlpguide.models import masked_lm  # noqa: PLC0415

    tok, model = masked_lm()
    model.eval()
    _save_tokenizer_and_config(tok, model, folder)
    names = ("input_ids", "attention_mask", "token_type_ids")
    example = tok([FILL_MASK_SENTENCES[0]], return_tensors="pt")
    _export_onnx(
        _as_module(lambda *a: model(**dict(zip(names, a, strict=True))).logits, model),
        tuple(example[n] for n in names),
        names,
        folder / "onnx" / "model_quantized.onnx",
    )

    # The top 10, so a parity test can tell a swap of near-equal scores at the 5th
    # place from an error.
    fill = pipeline("fill-mask", model=model, tokenizer=tok, top_k=10)
    with torch.no_grad():
        torch_top = [
            [{k: r[k] for k in ("token", "token_str", "score")} for r in fill(s)]
            for s in FILL_MASK_SENTENCES
        ]
    session = _session(folder / "onnx" / "model_quantized.onnx")
    onnx_top = []
    for sentence in FILL_MASK_SENTENCES:
        enc = tok(sentence, return_tensors="np")
        (logits,) = session.run(None, {n: enc[n].astype("int64") for n in names})
        where = int((enc["input_ids"][0] == tok.mask_token_id).nonzero()[0][0])
        probs = _softmax(logits[0, where])
        best = probs.argsort()[::-1][:5]
        onnx_top.append(
            [
                {"token": int(i), "token_str": tok.decode([int(i)]), "score": float(probs[i])}
                for i in best
            ]
        )
    return {
        "sentences": list(FILL_MASK_SENTENCES),
        "torch": [top[:5] for top in torch_top],
        "torch_top10": torch_top,
        "onnx": onnx_top,
        "tokenizer": _tokens(tok),
    }


def _export_topic(folder: Path) -> dict[str, Any]:
    import torch  # noqa: PLC0415

    from nlpguide import data  # noqa: PLC0415

    result = _topic_classifier()
    tok, model = result.tokenizer, result.model
    model.eval()
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    if labels != list(data.BBC_LABELS):
        msg = f"the topic classifier's id2label is {labels}, not the BBC topic names"
        raise ValueError(msg)
    _save_tokenizer_and_config(tok, model, folder)
    names = ("input_ids", "attention_mask", "token_type_ids")
    max_length = result.settings.max_length
    # The classifier was trained on each article's first max_length tokens: the widget's
    # pipeline truncates there too (transformers.js reads model_max_length).
    config_path = folder / "tokenizer_config.json"
    tok_config = json.loads(config_path.read_text(encoding="utf-8"))
    tok_config["model_max_length"] = max_length
    _write_json(config_path, tok_config)
    example = tok(["Shares rose sharply on Monday."], return_tensors="pt")
    _export_onnx(
        _as_module(lambda *a: model(**dict(zip(names, a, strict=True))).logits, model),
        tuple(example[n] for n in names),
        names,
        folder / "onnx" / "model_quantized.onnx",
    )

    test = data.bbc_news()["test"].select(range(TOPIC_ARTICLES))
    texts = list(test["text"])
    # One article at a time, as the browser runs it (no padding in any row).
    torch_rows, onnx_rows = [], []
    session = _session(folder / "onnx" / "model_quantized.onnx")
    with torch.no_grad():
        for text in texts:
            enc = tok(text, truncation=True, max_length=max_length, return_tensors="pt")
            probs = torch.softmax(model(**enc).logits[0], dim=-1).tolist()
            torch_rows.append(_topic_row(labels, probs))
            feed = {n: enc[n].numpy() for n in names}
            (logits,) = session.run(None, feed)
            onnx_rows.append(_topic_row(labels, _softmax(logits[0]).tolist()))
    return {
        "max_length": max_length,
        "labels": labels,
        "articles": [
            {"title": t, "text": x, "label": lab}
            for t, x, lab in zip(test["title"], texts, test["label_text"], strict=True)
        ],
        "torch": torch_rows,
        "onnx": onnx_rows,
    }


def _export_t5(folder: Path) -> dict[str, Any]:
    import torch  # noqa: PLC0415

    from nlpguide import data  # noqa: PLC0415
    from nlpguide.models.t5 import load_t5, translate_source  # noqa: PLC0415

    tok, model = load_t5()
    # The decoder also returns its cross-attention weights (the cross-attention widget
    # draws them): only the eager implementation gives them out.
    model.set_attn_implementation("eager")
    layers = int(model.config.num_decoder_layers)
    cross = tuple(f"cross_attentions.{k}" for k in range(layers))
    _save_tokenizer_and_config(tok, model, folder)
    model.generation_config.save_pretrained(folder)
    onnx_dir = folder / "onnx"
    example = tok(["translate English to French: Open file"], return_tensors="pt")
    with torch.no_grad():
        hidden = model.get_encoder()(**example).last_hidden_state
    _export_onnx(
        _as_module(lambda i, m: model.get_encoder()(input_ids=i, attention_mask=m)[0], model),
        (example["input_ids"], example["attention_mask"]),
        ("input_ids", "attention_mask"),
        onnx_dir / "encoder_model.onnx",
        outputs=("last_hidden_state",),
        store=_halve_weights,
    )

    # A decoder WITHOUT past key values, under the with-cache ("merged") name because
    # that is the only file name transformers.js looks for. The widget runs its own
    # greedy loop and feeds the whole prefix at every step: for 3 layers and at most
    # 32 new tokens that costs little, and the graph has no cache inputs or branch.
    def decode(i: Any, m: Any, h: Any) -> Any:
        out = model(
            encoder_outputs=(h,),
            attention_mask=m,
            decoder_input_ids=i,
            use_cache=False,
            output_attentions=True,
        )
        return (out.logits, *out.cross_attentions)

    _export_onnx(
        _as_module(decode, model),
        (torch.tensor([[0, 3, 4]]), example["attention_mask"], hidden),
        ("input_ids", "encoder_attention_mask", "encoder_hidden_states"),
        onnx_dir / "decoder_model_merged.onnx",
        outputs=("logits", *cross),
        store=_halve_weights,
        dynamic={
            "input_ids": {0: "batch_size", 1: "decoder_sequence_length"},
            "encoder_attention_mask": {0: "batch_size", 1: "encoder_sequence_length"},
            "encoder_hidden_states": {0: "batch_size", 1: "encoder_sequence_length"},
            "logits": {0: "batch_size", 1: "decoder_sequence_length"},
            **{
                name: {0: "batch_size", 2: "decoder_sequence_length", 3: "encoder_sequence_length"}
                for name in cross
            },
        },
    )

    pairs = data.translation_pairs("test")[:T5_PAIRS]
    sources = [translate_source(p.english) for p in pairs]
    gen = model.generation_config
    max_new, no_repeat = int(gen.max_new_tokens), int(gen.no_repeat_ngram_size or 0)
    max_source = int(tok.model_max_length)
    with torch.no_grad():
        enc = tok(
            sources, truncation=True, max_length=max_source, padding=True, return_tensors="pt"
        )
        ids = model.generate(**enc, do_sample=False, num_beams=1)
    torch_ids = [_strip(row.tolist(), gen.pad_token_id, gen.eos_token_id) for row in ids]
    encoder = _session(onnx_dir / "encoder_model.onnx")
    decoder = _session(onnx_dir / "decoder_model_merged.onnx")
    onnx_ids = [
        _greedy_onnx(
            encoder,
            decoder,
            tok(s, truncation=True, max_length=max_source, return_tensors="np"),
            start=int(gen.decoder_start_token_id),
            eos=int(gen.eos_token_id),
            max_new_tokens=max_new,
            no_repeat_ngram_size=no_repeat,
        )
        for s in sources
    ]
    torch_out = [tok.decode(i, skip_special_tokens=True).strip() for i in torch_ids]
    # Cross-attention, per layer and head, on torch's own translation (teacher forcing:
    # the decoder reads <pad> and the output shifted right, as the widget's last step).
    attention = []
    with torch.no_grad():
        for source, ids in list(zip(sources, torch_ids, strict=True))[:CROSS_ATTENTION_PAIRS]:
            enc_one = tok(source, truncation=True, max_length=max_source, return_tensors="pt")
            decoder_input = torch.tensor([[int(gen.decoder_start_token_id), *ids[:-1]]])
            weights = model(
                **enc_one, decoder_input_ids=decoder_input, output_attentions=True
            ).cross_attentions
            attention.append(
                {
                    "source": source,
                    "weights": [w[0].tolist() for w in weights],  # [layer][head][row][source]
                }
            )
    onnx_out = [tok.decode(i, skip_special_tokens=True).strip() for i in onnx_ids]
    return {
        "generation": {
            "max_new_tokens": max_new,
            "no_repeat_ngram_size": no_repeat,
            "decoder_start_token_id": int(gen.decoder_start_token_id),
            "eos_token_id": int(gen.eos_token_id),
            "max_source_tokens": max_source,
        },
        "english": [p.english for p in pairs],
        "french": [p.french for p in pairs],
        "sources": sources,
        "torch": torch_out,
        "torch_ids": torch_ids,
        "onnx": onnx_out,
        "onnx_ids": onnx_ids,
        "onnx_agree": sum(a == b for a, b in zip(torch_out, onnx_out, strict=True)),
        "cross_attention": attention,
        "tokenizer": _tokens(tok),
    }


def _export_smollm2(folder: Path) -> dict[str, Any]:
    import torch  # noqa: PLC0415

    from nlpguide._assets import locate  # noqa: PLC0415
    from nlpguide.models import decoder  # noqa: PLC0415

    gguf = locate("decoder")
    # wllama reads the installed GGUF as it is: link it (a copy across file systems).
    try:
        os.link(gguf, folder / "model.gguf")
    except OSError:
        shutil.copyfile(gguf, folder / "model.gguf")
    tok, model = decoder()
    model.eval()
    _save_tokenizer(tok, folder)

    rows = []
    with torch.no_grad():
        for prompt in SMOLLM2_PROMPTS:
            text = tok.apply_chat_template(
                [{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=False
            )
            # The template writes the special tokens itself: add none.
            enc = tok(text, add_special_tokens=False, return_tensors="pt")
            out = model.generate(
                **enc,
                max_new_tokens=SMOLLM2_NEW_TOKENS,
                do_sample=False,
                pad_token_id=tok.pad_token_id,
                output_scores=True,
                return_dict_in_generate=True,
            )
            new = out.sequences[0, enc["input_ids"].shape[1] :].tolist()
            # How sure torch was at each step: its top log-probability minus the runner-up's.
            # Another engine's rounding can flip a greedy choice only where this is small.
            margins = []
            for scores in out.scores:
                top2 = torch.log_softmax(scores[0].double(), dim=-1).topk(2).values
                margins.append(round(float(top2[0] - top2[1]), 4))
            rows.append(
                {
                    "user": prompt,
                    "prompt": text,
                    "prompt_ids": enc["input_ids"][0].tolist(),
                    "continuation": tok.decode(new, skip_special_tokens=True),
                    "continuation_ids": new,
                    # the text after each generated token, to find where another engine parts
                    "continuation_prefixes": [
                        tok.decode(new[: i + 1], skip_special_tokens=True) for i in range(len(new))
                    ],
                    "margins": margins,
                }
            )
    return {"max_new_tokens": SMOLLM2_NEW_TOKENS, "prompts": rows, "tokenizer": _tokens(tok)}


_EXPORTERS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "fill-mask": _export_fill_mask,
    "topic": _export_topic,
    "t5": _export_t5,
    "smollm2": _export_smollm2,
}


# --------------------------------------------------------------------------- helpers


@functools.cache
def _topic_classifier() -> Any:
    """What the pipelines page loads (trained now, and kept, if nlpguide's cache lacks it).

    Loaded once per export: its files' hashes are the key, its model is exported.
    """
    from nlpguide.models.finetune import FineTuneSettings, finetune_classifier  # noqa: PLC0415

    return finetune_classifier(FineTuneSettings(), cache="reuse")


def _save_tokenizer_and_config(tok: Any, model: Any, folder: Path) -> None:
    model.config.save_pretrained(folder)
    _save_tokenizer(tok, folder)


def _save_tokenizer(tok: Any, folder: Path) -> None:
    """``tokenizer.json`` and ``tokenizer_config.json``, the only files transformers.js reads."""
    with tempfile.TemporaryDirectory() as scratch:
        tok.save_pretrained(scratch)
        saved = Path(scratch)
        config = json.loads((saved / "tokenizer_config.json").read_text(encoding="utf-8"))
        template = saved / "chat_template.jinja"
        if template.is_file():
            # transformers.js reads the template from tokenizer_config.json, not from a file.
            config["chat_template"] = template.read_text(encoding="utf-8")
        shutil.copyfile(saved / "tokenizer.json", folder / "tokenizer.json")
    if config.get("tokenizer_class") == "TokenizersBackend":
        # transformers 5's generic class is unknown to transformers.js (it warns and
        # falls back to its base class); the hub's SmolLM2 names GPT2Tokenizer.
        config["tokenizer_class"] = "GPT2Tokenizer"
    # transformers 5 leaves this out when False; transformers.js then assumes True and
    # drops the space French puts before "?" and "!", which the model wrote.
    config["clean_up_tokenization_spaces"] = bool(
        getattr(tok, "clean_up_tokenization_spaces", False)
    )
    for noise in ("is_local", "local_files_only"):  # where this build loaded it from
        config.pop(noise, None)
    _write_json(folder / "tokenizer_config.json", config)


def _tokens(tok: Any) -> list[dict[str, Any]]:
    return [
        {"tokens": tok.tokenize(text), "ids": tok(text)["input_ids"]} for text in TOKENIZER_STRINGS
    ]


def _topic_row(labels: Sequence[str], probs: Sequence[float]) -> dict[str, Any]:
    best = max(range(len(probs)), key=lambda i: probs[i])
    return {"label": labels[best], "probs": [float(p) for p in probs]}


def _softmax(x: Any) -> Any:
    import numpy as np  # noqa: PLC0415

    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max())
    return e / e.sum()


def _strip(ids: list[int], pad: int, eos: int) -> list[int]:
    """Generated ids without the start token, and nothing from the first ``eos`` on."""
    ids = ids[1:]
    return ids[: ids.index(eos)] if eos in ids else [i for i in ids if i != pad]


def _greedy_onnx(
    encoder: Any,
    decoder: Any,
    enc: Any,
    *,
    start: int,
    eos: int,
    max_new_tokens: int,
    no_repeat_ngram_size: int,
) -> list[int]:
    """Greedy decoding as ``generate`` does it (with ``no_repeat_ngram_size``), in onnxruntime.

    The whole prefix goes through the decoder at every step: what the widget does.
    """
    import numpy as np  # noqa: PLC0415

    feed = {"input_ids": enc["input_ids"].astype(np.int64)}
    feed["attention_mask"] = enc["attention_mask"].astype(np.int64)
    (hidden,) = encoder.run(None, feed)
    ids = [start]
    for _ in range(max_new_tokens):
        logits = decoder.run(
            ["logits"],
            {
                "input_ids": np.asarray([ids], dtype=np.int64),
                "encoder_attention_mask": feed["attention_mask"],
                "encoder_hidden_states": hidden,
            },
        )
        scores = logits[0][0, -1].astype(np.float64)
        n = no_repeat_ngram_size
        if n and len(ids) + 1 >= n:
            tail = tuple(ids[len(ids) - n + 1 :])
            for i in range(len(ids) - n + 1):
                if tuple(ids[i : i + n - 1]) == tail:
                    scores[ids[i + n - 1]] = -np.inf
        nxt = int(scores.argmax())
        if nxt == eos:
            break
        ids.append(nxt)
    return ids[1:]


def _session(path: Path) -> Any:
    """An onnxruntime session on the CPU, as the widgets open one in the browser."""
    import onnxruntime as ort  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # Fold each dequantised weight into an fp32 constant when the session opens (the
    # config the widgets use; see the module's docstring).
    options.add_session_config_entry("session.disable_quant_qdq", "1")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _export_onnx(
    module: Any,
    args: tuple[Any, ...],
    inputs: Sequence[str],
    dest: Path,
    *,
    outputs: Sequence[str] = ("logits",),
    dynamic: dict[str, dict[int, str]] | None = None,
    store: Callable[[Any], None] | None = None,
) -> None:
    """Export ``module`` to ``dest`` (ONNX), tied matrices stored once, weights int8.

    ``store`` replaces :func:`_quantize_weights` (the T5 uses :func:`_halve_weights`).
    """
    import onnx  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    import torch  # noqa: PLC0415

    if dynamic is None:
        dynamic = {n: {0: "batch_size", 1: "sequence_length"} for n in (*inputs, *outputs)}
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            module.eval(),
            args,
            buffer,
            dynamo=False,
            input_names=list(inputs),
            output_names=list(outputs),
            dynamic_axes=dynamic,
            opset_version=_OPSET,
            do_constant_folding=True,
        )
    model = onnx.load_from_string(buffer.getvalue())
    _retie(model)
    (store or _quantize_weights)(model)
    dest.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(dest))


def _retie(model: Any) -> None:
    """Replace each weight that is an embedding table transposed by a ``Transpose`` of it.

    With a tied output head (BERT's MLM decoder, T5's ``lm_head``) the exporter folds
    the head's weight into a second, transposed copy of the embedding table: fp32
    BERT is 138 MB instead of 91 MB. The copy becomes a ``Transpose`` node, so the
    file holds the table once.
    """
    import numpy as np  # noqa: PLC0415
    from onnx import helper, numpy_helper  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    graph = model.graph
    weights = {w.name: w for w in graph.initializer}
    tables = {
        n.input[0]: numpy_helper.to_array(weights[n.input[0]])
        for n in graph.node
        if n.op_type == "Gather" and n.input[0] in weights and len(weights[n.input[0]].dims) == 2
    }
    for name, weight in weights.items():
        for table_name, table in tables.items():
            if name == table_name or tuple(weight.dims) != table.shape[::-1]:
                continue
            if np.array_equal(numpy_helper.to_array(weight), table.T):
                graph.initializer.remove(weight)
                at = next(i for i, n in enumerate(graph.node) if name in n.input)
                transpose = helper.make_node(
                    "Transpose", [table_name], [name], name=f"{name}/tied", perm=[1, 0]
                )
                graph.node.insert(at, transpose)
                break


def _quantize_weights(model: Any, *, min_size: int = 4096) -> None:
    """Store each weight matrix as int8, one scale per output channel (weight-only int8).

    A matrix ``W`` becomes ``DequantizeLinear(W_quantized, W_scale, W_zero_point)``:
    symmetric int8, one scale per output column of a ``MatMul`` weight and per row
    (token) of an embedding table, so the tied head gets one scale per vocabulary
    entry. Activations stay fp32. This keeps int8's size but not dynamic
    quantisation's error: ``quantize_dynamic`` also rounds every activation to
    uint8 with one scale per tensor, which reordered the fill-mask top 5 on every
    reference sentence and moved the classifier's probabilities by up to 0.028.
    Biases, norms and small tables (T5's relative position biases) stay fp32.
    """
    import numpy as np  # noqa: PLC0415
    from onnx import TensorProto, helper, numpy_helper  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    graph = model.graph
    weights = {w.name: w for w in graph.initializer}
    axes: dict[str, set[int | None]] = {}
    for node in graph.node:
        for index, name in enumerate(node.input):
            if name in weights:
                axes.setdefault(name, set()).add(_channel_axis(node, index))
    dequantize = []
    for name, found in axes.items():
        weight = weights[name]
        (axis,) = found if len(found) == 1 else (None,)
        if axis is None or weight.data_type != TensorProto.FLOAT or len(weight.dims) != 2:
            continue
        if int(np.prod(weight.dims)) < min_size:
            continue
        w = numpy_helper.to_array(weight)
        scale = np.abs(w).max(axis=1 - axis) / 127.0
        scale[scale == 0] = 1.0
        shape = (-1, 1) if axis == 0 else (1, -1)
        q = np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int8)
        graph.initializer.remove(weight)
        graph.initializer.extend(
            [
                numpy_helper.from_array(q, f"{name}_quantized"),
                numpy_helper.from_array(scale.astype(np.float32), f"{name}_scale"),
                numpy_helper.from_array(np.zeros(scale.shape, np.int8), f"{name}_zero_point"),
            ]
        )
        dequantize.append(
            helper.make_node(
                "DequantizeLinear",
                [f"{name}_quantized", f"{name}_scale", f"{name}_zero_point"],
                [name],
                name=f"{name}/dequantize",
                axis=axis,
            )
        )
    for node in reversed(dequantize):
        graph.node.insert(0, node)


def _halve_weights(model: Any, *, min_size: int = 4096) -> None:
    """Store each large fp32 weight as fp16, cast back to fp32 in the graph (fp16 storage).

    Half of fp32's size, and the arithmetic stays fp32 (onnxruntime folds the casts into
    fp32 constants when the session opens): for the T5, int8 weights changed the greedy
    translation of 9 of the 100 reference pairs, fp16 storage none.
    """
    import numpy as np  # noqa: PLC0415
    from onnx import TensorProto, helper, numpy_helper  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    graph = model.graph
    casts = []
    for weight in list(graph.initializer):
        if weight.data_type != TensorProto.FLOAT or int(np.prod(weight.dims)) < min_size:
            continue
        half = numpy_helper.from_array(
            numpy_helper.to_array(weight).astype(np.float16), f"{weight.name}_fp16"
        )
        graph.initializer.remove(weight)
        graph.initializer.append(half)
        casts.append(
            helper.make_node(
                "Cast", [half.name], [weight.name], name=f"{weight.name}/cast", to=TensorProto.FLOAT
            )
        )
    for node in reversed(casts):
        graph.node.insert(0, node)


def _channel_axis(node: Any, index: int) -> int | None:
    """The axis of one output channel of a weight read as input ``index`` of ``node``."""
    if node.op_type == "MatMul" and index == 1:
        return 1
    if node.op_type == "Gemm" and index == 1:
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        return 0 if trans_b else 1
    if node.op_type in {"Gather", "Transpose"} and index == 0:
        return 0  # an embedding table (a tied head transposes it): one scale per token
    return None


def _as_module(forward: Callable[..., Any], model: Any) -> Any:
    """``forward`` as a ``torch.nn.Module`` that owns ``model`` (what the exporter traces)."""
    import torch  # noqa: PLC0415

    class Wrapped(torch.nn.Module):  # type: ignore[misc,unused-ignore]  # torch: Any here
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *args: Any) -> Any:
            return forward(*args)

    return Wrapped()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep the exporter's warnings and transformers' load reports out of the build log."""
    from transformers.utils import logging as hf_logging  # noqa: PLC0415

    log: Any = hf_logging  # transformers' logging helpers are untyped
    verbosity, bars = log.get_verbosity(), log.is_progress_bar_enabled()
    log.set_verbosity_error()
    log.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarnings, the exporter's deprecation
            yield
    finally:
        log.set_verbosity(verbosity)
        if bars:
            log.enable_progress_bar()


@contextlib.contextmanager
def _forgetting(memo: Any) -> Iterator[None]:
    """Empty ``memo`` (a ``functools.cache``) on the way out: no model outlives the export."""
    try:
        yield
    finally:
        memo.cache_clear()


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """Run torch on one thread, then restore its setting.

    One thread makes the references the same on every machine (float sums in one
    order), and keeps the export from crawling when the build's other work holds a
    core: on 2 cores with one busy, 2 threads took 160 s instead of 30 s.
    """
    import torch  # noqa: PLC0415

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
