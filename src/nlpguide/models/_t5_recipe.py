"""The shipped T5: the pieces that training and loading share.

No T5 weights exist offline, so :mod:`nlpguide.models.train_t5` trains a small
one on the BBC News *train* split (random weights, except embeddings that start
from MiniLM's), once, outside any build. This module holds what both that
script and the package's loader need:

* **Framing.** Two tasks share one model and are told apart only by a text
  prefix, T5-style: ``"bbc topic: "`` + title + body -> one topic word, and
  ``"summarize: "`` + body -> the headline (:func:`frame_input`).
* **Tokenizer.** A SentencePiece unigram model trained on the train split with
  T5's conventions (``<pad>`` = 0, ``</s>`` = 1, ``<unk>`` = 2, no BOS, and
  ``<extra_id_0..99>`` appended at the top of the vocabulary by
  ``T5TokenizerFast``).
* **Model size** (:class:`ModelSize`, :func:`t5_config`), sized so the fp16
  artefact stays near 6 MB.
* **Metrics**: exact match and ROUGE-L F1 in plain Python, plus the baselines
  they are compared with.
* :func:`load_t5`, which turns the artefact folder back into
  ``(tokenizer, model)`` in fp32.

Inputs are *truncated on purpose*: the model reads the first
``max_source_tokens`` tokens of the framed text (the article's lead), never the
whole article. Callers pass that limit explicitly to :func:`encode_sources`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from nlpguide.data import Article

__all__ = [
    "ARTEFACT_DIR",
    "EXTRA_IDS",
    "RECORD_FILE",
    "SPIECE_FILE",
    "TASK_PREFIXES",
    "ModelSize",
    "encode_sources",
    "exact_match",
    "export_t5",
    "frame_input",
    "generate_texts",
    "lcs_length",
    "lead_words",
    "load_t5",
    "load_tokenizer",
    "majority_baseline",
    "read_record",
    "rouge_l_f1",
    "save_model_fp16",
    "sha256_articles",
    "source_text",
    "t5_config",
    "train_sentencepiece",
    "unique_parameters",
    "word_tokens",
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

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _require_str(name: str, value: object) -> None:
    """Type-check at run time what the annotations only promise."""
    if not isinstance(value, str):
        msg = f"{name} must be a str, got {type(value).__name__}"
        raise TypeError(msg)


def _require_strs(name: str, values: object) -> None:
    """A list or tuple of str: a bare str would be taken letter by letter."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        msg = f"{name} must be a list of str, got {type(values).__name__}"
        raise TypeError(msg)
    for value in values:
        if not isinstance(value, str):
            msg = f"{name} must hold str items, got {type(value).__name__}"
            raise TypeError(msg)


def _require_count(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        msg = f"{name} must be an int >= {minimum}, got {value!r}"
        raise ValueError(msg)


def frame_input(task: str, text: str) -> str:
    """Prefix ``text`` with its task's prefix: the model's whole notion of "task".

    >>> frame_input("headline", "Shares rose sharply on Monday.")
    'summarize: Shares rose sharply on Monday.'
    >>> frame_input("topic", "Arsenal win")
    'bbc topic: Arsenal win'
    """
    _require_str("task", task)
    if task not in TASK_PREFIXES:
        msg = f"unknown task {task!r}: expected one of {sorted(TASK_PREFIXES)}"
        raise ValueError(msg)
    _require_str("text", text)
    if not text.strip():
        msg = "text is empty: there is nothing to frame"
        raise ValueError(msg)
    if task == "headline":
        # Headline generation is T5's own summarisation task: frame it exactly as T5 does.
        from nlpguide.text2text import frame  # noqa: PLC0415

        return frame("summarize", text=text)
    return TASK_PREFIXES[task] + text


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
    _require_str("title", title)
    _require_str("body", body)
    if task == "topic":
        return frame_input(task, f"{title}\n{body}")
    return frame_input(task, body)


def sha256_articles(articles: Iterable[Article]) -> str:
    """sha256 of the articles' titles and bodies, in order: names the training data.

    >>> from nlpguide.data import Article
    >>> sha256_articles([Article("a/1.txt", "T", "Body.", "tech")])[:12]
    'b30506180ad3'
    """
    digest = hashlib.sha256()
    for article in articles:
        digest.update(f"{article.title}\n{article.text}\n\x00".encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------- tokenizer


def _sentences(texts: Iterable[str]) -> list[str]:
    """Split texts into sentences: SentencePiece skips over-long lines silently."""
    return [s for text in texts for s in _SENTENCE_END.split(text) if s.strip()]


def train_sentencepiece(texts: Sequence[str], *, vocab_size: int, seed: int = 0) -> bytes:
    """Train a unigram SentencePiece model with T5's special ids; return its bytes.

    Deterministic: fixed seed, one thread, input in the given order, no
    sampling of sentences. ``<pad>`` = 0, ``</s>`` = 1, ``<unk>`` = 2, no BOS.

    >>> model = train_sentencepiece(["the cat sat on the mat."] * 50, vocab_size=15)
    >>> import sentencepiece as spm
    >>> sp = spm.SentencePieceProcessor(model_proto=model)
    >>> [sp.id_to_piece(i) for i in range(3)], sp.get_piece_size()
    (['<pad>', '</s>', '<unk>'], 15)
    """
    import sentencepiece as spm  # noqa: PLC0415

    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        msg = "texts must be a sequence of str (one document each)"
        raise TypeError(msg)
    if vocab_size < 8:
        msg = f"vocab_size must be an int >= 8, got {vocab_size!r}"
        raise ValueError(msg)
    sentences = _sentences(texts)
    if not sentences:
        msg = "texts hold no sentences to train on"
        raise ValueError(msg)
    spm.set_random_generator_seed(seed)
    buffer = io.BytesIO()
    try:
        _train_spm(spm, sentences, buffer, vocab_size)
    except RuntimeError as err:  # e.g. "Vocabulary size is too high" for a tiny corpus
        msg = f"SentencePiece could not build {vocab_size} pieces from these texts: {err}"
        raise ValueError(msg) from err
    return buffer.getvalue()


def _train_spm(spm: Any, sentences: list[str], buffer: io.BytesIO, vocab_size: int) -> None:
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=buffer,
        vocab_size=vocab_size,
        model_type="unigram",
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        num_threads=1,
        shuffle_input_sentence=False,
        input_sentence_size=0,
        character_coverage=1.0,
        max_sentence_length=1 << 16,
        minloglevel=2,
    )


def load_tokenizer(folder: Path | str) -> Any:
    """``T5TokenizerFast`` from a folder holding ``spiece.model`` (plus 100 sentinels).

    ``from_pretrained(folder)`` rather than ``T5TokenizerFast(vocab_file=...)``:
    in transformers 5 the latter silently builds a near-empty tokenizer.

    >>> tok = load_tokenizer(ARTEFACT_DIR)
    >>> tok.pad_token_id, tok.eos_token_id, tok.unk_token_id, len(tok)
    (0, 1, 2, 4100)
    """
    from transformers import T5TokenizerFast  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415

    folder = Path(folder)
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
    _require_count("max_source_tokens", max_source_tokens, 2)
    return tokenizer(
        list(sources),
        truncation=True,
        max_length=max_source_tokens,
        padding=True,
        return_tensors="pt",
    )


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class ModelSize:
    """The architecture knobs of the shipped T5 (``T5Config`` names).

    The defaults give 2.87M parameters with a 4,000-piece vocabulary: 5.7 MB in
    fp16, embeddings tied to the output layer. The encoder is deeper than the
    decoder: the topic task needs reading more than writing.

    >>> ModelSize().d_model
    192
    """

    d_model: int = 192
    d_kv: int = 48
    d_ff: int = 384
    num_layers: int = 4
    num_decoder_layers: int = 2
    num_heads: int = 4
    dropout_rate: float = 0.1
    feed_forward_proj: str = "relu"


def _padded_vocab(n_tokens: int) -> int:
    """Round the embedding rows up to a multiple of 64, as Google's T5 does (32100 -> 32128)."""
    return -(-n_tokens // 64) * 64


def t5_config(n_tokens: int, size: ModelSize | None = None) -> Any:
    """The ``T5Config`` for a tokenizer of ``n_tokens`` (pieces + sentinels).

    >>> cfg = t5_config(4100)
    >>> cfg.vocab_size, cfg.d_model, cfg.pad_token_id, cfg.eos_token_id
    (4160, 192, 0, 1)
    """
    from transformers import T5Config  # noqa: PLC0415

    if n_tokens < 3:
        msg = f"n_tokens must be an int >= 3 (pad, eos, unk), got {n_tokens!r}"
        raise ValueError(msg)
    size = size or ModelSize()
    if size.num_heads * size.d_kv <= 0 or size.d_model <= 0:
        msg = f"model sizes must be positive: {size}"
        raise ValueError(msg)
    # T5's conventions: decoding starts from <pad>; the output layer is the
    # input embedding (scaled by d_model ** -0.5, as in the original T5).
    conventions: dict[str, Any] = {"decoder_start_token_id": 0, "tie_word_embeddings": True}
    return T5Config(
        vocab_size=_padded_vocab(n_tokens),
        pad_token_id=0,
        eos_token_id=1,
        **asdict(size),
        **conventions,
    )


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
    >>> generate_texts(tok, model, [article], max_source_tokens=160, max_new_tokens=8)
    ['sport']
    """
    _require_strs("sources", sources)
    _require_count("max_source_tokens", max_source_tokens, 2)
    for name, value in (
        ("max_new_tokens", max_new_tokens),
        ("num_beams", num_beams),
        ("batch_size", batch_size),
    ):
        _require_count(name, value, 1)

    import torch  # noqa: PLC0415

    was_training = model.training
    model.eval()
    outputs: list[str] = []
    with torch.no_grad():
        for start in range(0, len(sources), batch_size):
            batch = sources[start : start + batch_size]
            # The model may sit on a GPU after training; the tokenizer makes CPU tensors.
            enc = encode_sources(tokenizer, batch, max_source_tokens).to(model.device)
            ids = model.generate(
                **enc, max_new_tokens=max_new_tokens, num_beams=num_beams, do_sample=False
            )
            outputs.extend(tokenizer.batch_decode(ids, skip_special_tokens=True))
    model.train(was_training)
    return [o.strip() for o in outputs]


# --------------------------------------------------------------------------- metrics


def word_tokens(text: str) -> list[str]:
    """Lowercased runs of ``[a-z0-9]``: the tokens ROUGE is computed on.

    The same rule as Google's ``rouge_score`` without stemming: everything else,
    apostrophes and accented letters included, separates tokens.

    >>> word_tokens("Don't PANIC: 3.5% rise in Q1!")
    ['don', 't', 'panic', '3', '5', 'rise', 'in', 'q1']
    """
    _require_str("text", text)
    return _WORD.findall(text.lower())


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token sequences.

    >>> lcs_length("police killed the gunman".split(), "police kill the gunman".split())
    3
    """
    if len(a) < len(b):
        a, b = b, a
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal = 0  # row[j - 1] of the previous row
        for j, y in enumerate(b, start=1):
            above = row[j]
            row[j] = diagonal + 1 if x == y else max(row[j], row[j - 1])
            diagonal = above
    return row[-1]


def rouge_l_f1(hypothesis: str, reference: str) -> float:
    """ROUGE-L F1 (Lin, 2004) on :func:`word_tokens`: LCS-based precision and recall.

    ``P = LCS / len(hyp)``, ``R = LCS / len(ref)``, ``F1 = 2PR / (P + R)``. Two
    texts without any tokens score 1.0 (they agree); one empty side scores 0.0.

    >>> round(rouge_l_f1("police kill the gunman", "police killed the gunman"), 4)
    0.75
    >>> rouge_l_f1("Same words", "same, WORDS!")
    1.0
    """
    hyp, ref = word_tokens(hypothesis), word_tokens(reference)
    if not hyp and not ref:
        return 1.0
    lcs = lcs_length(hyp, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(hyp), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def exact_match(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Share of predictions equal to their reference after stripping spaces and case.

    >>> exact_match(["sport", " Tech", "politics"], ["sport", "tech", "business"])
    0.6666666666666666
    """
    _require_strs("predictions", predictions)
    _require_strs("references", references)
    if len(predictions) != len(references):
        msg = f"{len(predictions)} predictions for {len(references)} references"
        raise ValueError(msg)
    if not references:
        msg = "exact match of nothing is undefined: pass at least one pair"
        raise ValueError(msg)
    hits = sum(
        p.strip().lower() == r.strip().lower() for p, r in zip(predictions, references, strict=True)
    )
    return hits / len(references)


def majority_baseline(train_labels: Sequence[str], test_labels: Sequence[str]) -> tuple[str, float]:
    """The train split's most common label and its exact match on ``test_labels``.

    Ties go to the label that sorts first, so the baseline is reproducible.

    >>> majority_baseline(["a", "b", "b"], ["b", "a", "b", "c"])
    ('b', 0.5)
    """
    _require_strs("train_labels", train_labels)
    _require_strs("test_labels", test_labels)
    if not train_labels:
        msg = "train_labels is empty: no majority class"
        raise ValueError(msg)
    counts = Counter(train_labels)
    label = min(counts, key=lambda k: (-counts[k], k))
    return label, exact_match([label] * len(test_labels), test_labels)


def lead_words(text: str, n: int = 8) -> str:
    """The first ``n`` whitespace-separated words: the headline baseline.

    >>> lead_words("Quarterly profits at US media giant TimeWarner jumped 76%", 4)
    'Quarterly profits at US'
    """
    _require_str("text", text)
    _require_count("n", n, 1)
    return " ".join(text.split()[:n])


# --------------------------------------------------------------------------- artefact


def read_record(folder: Path | str = ARTEFACT_DIR) -> dict[str, Any]:
    """The training record stored beside the weights (settings, data hash, metrics).

    A folder without the record raises :class:`FileNotFoundError`; a record that is
    not a JSON object raises :class:`ValueError` or :class:`TypeError`.

    >>> record = read_record()
    >>> record["data"]["train_articles"], record["tokenizer"]["len"]
    (1781, 4100)
    >>> record["metrics"]["test"]["topic_exact_match_greedy"] >= 0.85
    True
    """
    path = Path(folder) / RECORD_FILE
    if not path.is_file():
        msg = f"{folder} holds no {RECORD_FILE}: not a T5 artefact folder"
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
    160
    """
    import torch  # noqa: PLC0415
    from transformers import T5ForConditionalGeneration  # noqa: PLC0415

    folder = Path(folder)
    for name in (SPIECE_FILE, "config.json", "model.safetensors"):
        if not (folder / name).is_file():
            msg = (
                f"{folder} is not a T5 artefact: {name} is missing "
                "(train one with `python -m nlpguide.models.train_t5 --out FOLDER`)"
            )
            raise FileNotFoundError(msg)
    tok = load_tokenizer(folder)
    with _quiet_progress():
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
    tok, model = load_t5(src)
    dst = Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    with _quiet_progress():
        model.save_pretrained(str(dst))
    tok.save_pretrained(str(dst))
    record = Path(src) / RECORD_FILE
    if record.is_file():
        (dst / RECORD_FILE).write_bytes(record.read_bytes())


def save_model_fp16(model: Any, folder: Path | str) -> None:
    """Write ``config.json`` and ``model.safetensors`` with fp16 weights; ``model`` stays fp32.

    >>> import shutil, tempfile
    >>> from safetensors import safe_open
    >>> _, model = load_t5()
    >>> folder = Path(tempfile.mkdtemp())
    >>> save_model_fp16(model, folder)
    >>> with safe_open(folder / "model.safetensors", "pt") as f:
    ...     f.get_tensor("shared.weight").dtype
    torch.float16
    >>> next(model.parameters()).dtype
    torch.float32
    >>> shutil.rmtree(folder)
    """
    import torch  # noqa: PLC0415
    from transformers import GenerationConfig  # noqa: PLC0415

    model.config.use_cache = True  # the Trainer turns it off while training
    # Only the token ids and a length: a stored ``max_length`` (transformers writes
    # its default 20) clashes with every caller's ``max_new_tokens``.
    model.generation_config = GenerationConfig(
        decoder_start_token_id=model.config.decoder_start_token_id,
        eos_token_id=model.config.eos_token_id,
        pad_token_id=model.config.pad_token_id,
        max_new_tokens=DEFAULT_MAX_NEW_TOKENS,
    )
    model.to(torch.float16)
    try:
        with _quiet_progress():
            model.save_pretrained(str(folder))
    finally:
        model.to(torch.float32)


@contextmanager
def _quiet_progress() -> Iterator[None]:
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


def unique_parameters(model: torch.nn.Module) -> int:
    """Parameters counted once each (the tied embedding is also the output layer).

    >>> import torch
    >>> unique_parameters(torch.nn.Linear(3, 2))
    8
    """
    seen: set[int] = set()
    total = 0
    for param in model.parameters():
        if id(param) not in seen:
            seen.add(id(param))
            total += param.numel()
    return total
