"""The shipped T5 at run time: how an input is framed, tokenised, generated from, loaded.

The T5 behind :func:`nlpguide.models.seq2seq` was trained once by
``training/train_t5_multitask.py`` (outside the package), the T5 way: a
SentencePiece vocabulary over English *and* French, span-corruption
pre-training on unlabelled text, then one multi-task mixture. This module holds
what loading and using it needs, for the pages and for scripts such as
``examples/finetune_t5.py``:

* **Framing.** Three tasks share one model and are told apart only by a text
  prefix, T5-style: ``"translate English to French: "`` + English -> French
  (:func:`translate_source`, framed by :func:`nlpguide.text2text.frame`),
  ``"bbc topic: "`` + title + body -> one topic word, and ``"summarize: "`` + body
  -> the headline (:func:`source_text`, :func:`frame_input`).
* **Tokenizer.** A SentencePiece unigram model with T5's conventions (``<pad>`` = 0,
  ``</s>`` = 1, ``<unk>`` = 2, no BOS, and ``<extra_id_0..99>`` appended at the top
  of the vocabulary by ``T5TokenizerFast``): :func:`load_tokenizer`.
* :func:`generate_texts`, greedy or beam search; score its outputs with
  :mod:`nlpguide.metrics`.
* :func:`load_t5`, :func:`export_t5` and :func:`read_record` for the artefact folder.

Inputs are *truncated on purpose*: the model reads the first
``max_source_tokens`` tokens of the framed text (an article's lead), never the
whole article. Callers pass that limit explicitly to :func:`encode_sources`.

>>> source_text("topic", "Arsenal win", "Arsenal beat Chelsea 2-0.")
'bbc topic: Arsenal win\\nArsenal beat Chelsea 2-0.'
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .. import _check

__all__ = [
    "ARTEFACT_DIR",
    "DEFAULT_MAX_NEW_TOKENS",
    "EXTRA_IDS",
    "RECORD_FILE",
    "SPIECE_FILE",
    "TASK_PREFIXES",
    "encode_sources",
    "export_t5",
    "frame_input",
    "generate_texts",
    "load_t5",
    "load_tokenizer",
    "quiet_progress",
    "read_record",
    "source_text",
    "translate_source",
]

#: Default folder of the shipped artefact.
ARTEFACT_DIR = Path(__file__).resolve().parent / "artefacts" / "t5"
SPIECE_FILE = "spiece.model"
RECORD_FILE = "t5_record.json"
#: Sentinels ``<extra_id_0>`` .. ``<extra_id_99>``, as in Google's T5.
EXTRA_IDS = 100
#: The generation length stored with the model: a topic word or a headline fits.
DEFAULT_MAX_NEW_TOKENS = 32

#: The task prefixes: the only thing that tells the model which task it is doing.
#: ``"summarize: "`` is T5's own; ``"bbc topic: "`` names the label set, the way
#: T5's GLUE prefixes (``"sst2 sentence: "``) name the data set.
TASK_PREFIXES: dict[str, str] = {"topic": "bbc topic: ", "headline": "summarize: "}


def frame_input(task: str, text: str) -> str:
    """Prefix ``text`` with its task's prefix: the model's whole notion of "task".

    >>> frame_input("headline", "Shares rose sharply on Monday.")
    'summarize: Shares rose sharply on Monday.'
    >>> frame_input("topic", "Arsenal win")
    'bbc topic: Arsenal win'
    """
    _check.choice("task", task, tuple(TASK_PREFIXES))
    _check.text("text", text)
    if task == "headline":
        # Headline generation is T5's own summarisation task: frame it exactly as T5 does.
        from nlpguide.text2text import frame  # noqa: PLC0415

        return frame("summarize", text=text)
    return TASK_PREFIXES[task] + text


def translate_source(english: str) -> str:
    """The framed translation input: T5's own ``translate`` prefix, English to French.

    >>> translate_source("Open file")
    'translate English to French: Open file'
    """
    from nlpguide.text2text import frame  # noqa: PLC0415

    _check.text("english", english)
    return frame("translate", source="English", target="French", text=english)


def source_text(task: str, title: str, body: str) -> str:
    """The framed input for one article: what the model reads for ``task``.

    The topic task sees the title and then the body (as in the corpus files,
    title on the first line); the headline task sees only the body, because
    the title is its target.

    >>> source_text("topic", "Arsenal win", "Arsenal beat Chelsea 2-0.")
    'bbc topic: Arsenal win\\nArsenal beat Chelsea 2-0.'
    >>> source_text("headline", "Arsenal win", "Arsenal beat Chelsea 2-0.")
    'summarize: Arsenal beat Chelsea 2-0.'
    """
    _check.text("title", title, empty=True)
    _check.text("body", body, empty=True)
    if task == "topic":
        return frame_input(task, f"{title}\n{body}")
    return frame_input(task, body)


def load_tokenizer(folder: Path | str) -> Any:
    """``T5TokenizerFast`` from a folder holding ``spiece.model`` (plus 100 sentinels).

    ``from_pretrained(folder)`` rather than ``T5TokenizerFast(vocab_file=...)``:
    in transformers 5 the latter silently builds a near-empty tokenizer.

    >>> tok = load_tokenizer(ARTEFACT_DIR)
    >>> tok.pad_token_id, tok.eos_token_id, tok.unk_token_id, len(tok)
    (0, 1, 2, 8100)
    """
    folder = _check.path("folder", folder)
    from transformers import T5TokenizerFast  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415

    if not (folder / SPIECE_FILE).is_file():
        msg = f"{folder} holds no {SPIECE_FILE}: not a T5 tokenizer folder"
        raise FileNotFoundError(msg)
    tok = T5TokenizerFast.from_pretrained(str(folder), extra_ids=EXTRA_IDS)
    ids = (tok.pad_token_id, tok.eos_token_id, tok.unk_token_id)
    if ids != (0, 1, 2):
        msg = f"{folder / SPIECE_FILE} does not follow T5's ids (pad, eos, unk) = (0, 1, 2): {ids}"
        raise ValueError(msg)
    return tok


def encode_sources(tokenizer: Any, sources: Sequence[str], max_source_tokens: int) -> Any:
    """Tokenise framed inputs, keeping the first ``max_source_tokens`` (the lead).

    The cut is deliberate and part of the recipe; ``</s>`` is always the last
    kept token.

    >>> tok = load_tokenizer(ARTEFACT_DIR)
    >>> ids = encode_sources(tok, ["summarize: a b c d e f g h"], 4)["input_ids"]
    >>> ids.shape, ids[0, -1].item() == tok.eos_token_id
    (torch.Size([1, 4]), True)
    """
    _check.strings("sources", sources)
    _check.integer("max_source_tokens", max_source_tokens, minimum=2)
    return tokenizer(
        list(sources),
        truncation=True,
        max_length=max_source_tokens,
        padding=True,
        return_tensors="pt",
    )


# --------------------------------------------------------------------------- generation


def generate_texts(
    tokenizer: Any,
    model: Any,
    sources: Sequence[str],
    *,
    max_source_tokens: int,
    max_new_tokens: int,
    num_beams: int = 1,
    batch_size: int = 32,
) -> list[str]:
    """Generate one output per framed input (greedy, or beam search with ``num_beams``).

    >>> tok, model = load_t5(ARTEFACT_DIR)
    >>> article = source_text("topic", "Arsenal win", "Arsenal beat Chelsea 2-0 on Saturday.")
    >>> generate_texts(tok, model, [article], max_source_tokens=128, max_new_tokens=8)
    ['sport']
    """
    _check.strings("sources", sources)
    _check.integer("max_source_tokens", max_source_tokens, minimum=2)
    for name, value in (
        ("max_new_tokens", max_new_tokens),
        ("num_beams", num_beams),
        ("batch_size", batch_size),
    ):
        _check.integer(name, value, minimum=1)

    import torch  # noqa: PLC0415

    was_training = model.training
    model.eval()
    outputs: list[str] = []
    with torch.no_grad():
        for start in range(0, len(sources), batch_size):
            batch = sources[start : start + batch_size]
            enc = encode_sources(tokenizer, batch, max_source_tokens)
            # The model may be on a GPU after training; the tokenizer makes CPU
            # tensors.
            enc = enc.to(model.device)
            ids = model.generate(
                **enc,
                max_new_tokens=max_new_tokens,
                num_beams=num_beams,
                do_sample=False,
            )
            outputs.extend(tokenizer.batch_decode(ids, skip_special_tokens=True))
    model.train(was_training)
    return [o.strip() for o in outputs]


# --------------------------------------------------------------------------- artefact


def read_record(folder: Path | str = ARTEFACT_DIR) -> dict[str, Any]:
    """The training record stored beside the weights (settings, data hash, metrics).

    A folder without the record raises :class:`FileNotFoundError`; a record that is
    not a JSON object raises :class:`ValueError` or :class:`TypeError`.

    >>> record = read_record()
    >>> record["data"]["bbc_train_articles"], record["metrics"]["test"]["pairs"]
    (1781, 1000)
    >>> record["metrics"]["test"]["topic_exact_match_greedy"] >= 0.9
    True
    """
    path = _check.path("folder", folder) / RECORD_FILE
    if not path.is_file():
        msg = f"folder {folder} holds no {RECORD_FILE}: not a T5 artefact folder"
        raise FileNotFoundError(msg)
    try:
        record: object = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:  # invalid JSON or UTF-8
        msg = f"{path} is not a valid training record: {err}"
        raise ValueError(msg) from None
    if not isinstance(record, dict):
        msg = f"{path} must hold a JSON object, got {type(record).__name__}"
        raise TypeError(msg)
    return record


def load_t5(folder: Path | str = ARTEFACT_DIR) -> tuple[Any, Any]:
    """Load the artefact as ``(T5TokenizerFast, T5ForConditionalGeneration)``, fp32, eval mode.

    The weights are stored in fp16; they are cast up on load so CPU inference
    needs no half-precision kernels. When the folder holds the training record,
    the tokenizer's ``model_max_length`` is the recipe's input length, so
    ``truncation=True`` cuts inputs exactly as in training.

    >>> tok, model = load_t5()
    >>> type(model).__name__, next(model.parameters()).dtype, model.training
    ('T5ForConditionalGeneration', torch.float32, False)
    >>> tok.model_max_length
    128
    """
    folder = _check.path("folder", folder)
    import torch  # noqa: PLC0415
    from transformers import T5ForConditionalGeneration  # noqa: PLC0415

    for name in (SPIECE_FILE, "config.json", "model.safetensors"):
        if not (folder / name).is_file():
            msg = (
                f"folder {folder} is not a T5 artefact: {name} is missing "
                "(train one with `python training/train_t5_multitask.py --out FOLDER`)"
            )
            raise FileNotFoundError(msg)
    tok = load_tokenizer(folder)
    with quiet_progress():
        model: Any = T5ForConditionalGeneration.from_pretrained(str(folder), dtype=torch.float32)
    model.eval()
    if (folder / RECORD_FILE).is_file():
        tok.model_max_length = int(read_record(folder)["settings"]["max_source_tokens"])
    return tok, model


def export_t5(src: Path | str, dst: Path | str) -> None:
    """Write the artefact in ``src`` as an ordinary transformers folder ``dst``.

    fp32 weights and the full tokenizer files (``tokenizer.json``, sentinels
    included), so ``AutoTokenizer`` / ``AutoModelForSeq2SeqLM.from_pretrained(dst)``
    work as with a hub checkpoint; the training record is copied alongside.

    >>> import shutil, tempfile
    >>> dst = Path(tempfile.mkdtemp())
    >>> export_t5(ARTEFACT_DIR, dst)
    >>> sorted(p.name for p in dst.iterdir())  # doctest: +NORMALIZE_WHITESPACE
    ['config.json', 'generation_config.json', 'model.safetensors', 't5_record.json',
     'tokenizer.json', 'tokenizer_config.json']
    >>> shutil.rmtree(dst)
    """
    src, dst = _check.path("src", src), _check.path("dst", dst)
    tok, model = load_t5(src)
    dst.mkdir(parents=True, exist_ok=True)
    with quiet_progress():
        model.save_pretrained(str(dst))
    tok.save_pretrained(str(dst))
    record = Path(src) / RECORD_FILE
    if record.is_file():
        (dst / RECORD_FILE).write_bytes(record.read_bytes())


@contextmanager
def quiet_progress() -> Iterator[None]:
    """Hide transformers' per-file progress bars (they clutter notebooks), then restore."""
    from transformers.utils import logging  # noqa: PLC0415

    hf_logging: Any = logging  # its functions are unannotated

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()
