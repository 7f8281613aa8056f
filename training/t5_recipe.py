"""What the T5 training job needs beyond the package's T5 runtime.

Tokenizer training (:func:`train_sentencepiece`), the model's size
(:class:`ModelSize`, :func:`t5_config`), embeddings from MiniLM
(:func:`minilm_embeddings`), the data hash (:func:`sha256_articles`), fp16 saving
(:func:`save_model_fp16`) and :func:`unique_parameters`. The package itself never
trains: it loads what ``train_t5_multitask.py`` made (:mod:`nlpguide.models.t5`).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpguide.models.t5 import DEFAULT_MAX_NEW_TOKENS, EXTRA_IDS, quiet_progress

if TYPE_CHECKING:
    import torch

    from nlpguide.data import Article

__all__ = [
    "ModelSize",
    "minilm_embeddings",
    "save_model_fp16",
    "sha256_articles",
    "t5_config",
    "train_sentencepiece",
    "unique_parameters",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


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
    import sentencepiece as spm

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


@dataclass(frozen=True, slots=True)
class ModelSize:
    """The architecture knobs of a T5 (``T5Config`` names).

    The defaults give 2.87M parameters with a 4,000-piece vocabulary (5.7 MB in
    fp16, embeddings tied to the output layer); ``train_t5_multitask.py`` sets every
    knob from its own settings.

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
    from transformers import T5Config

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


def save_model_fp16(model: Any, folder: Path | str) -> None:
    """Write ``config.json`` and ``model.safetensors`` with fp16 weights; ``model`` stays fp32.

    >>> import shutil, tempfile
    >>> from safetensors import safe_open
    >>> from nlpguide.models.t5 import load_t5
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
    import torch
    from transformers import GenerationConfig

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
        with quiet_progress():
            model.save_pretrained(str(folder))
    finally:
        model.to(torch.float32)


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


def minilm_embeddings(tok: Any, n_rows: int, d_model: int, seed: int) -> Any:
    """Embedding rows for ``tok``'s pieces from MiniLM's word embeddings, PCA-projected.

    Each SentencePiece piece is re-tokenised by MiniLM's (uncased WordPiece)
    tokenizer and its word embeddings averaged (a piece that continues a word
    uses the ``##`` form when WordPiece has it); the 384-d vectors are projected
    on their top ``d_model`` principal components and scaled to T5's init
    (unit variance). Special tokens, sentinels and pieces WordPiece cannot
    spell keep random rows. Only the initial values come from MiniLM.

    >>> import torch
    >>> from nlpguide.models.t5 import load_tokenizer
    >>> tok = load_tokenizer()
    >>> rows = minilm_embeddings(tok, 8128, 192, seed=0)
    >>> rows.shape, round(rows[3 : len(tok) - EXTRA_IDS].std().item(), 1)
    (torch.Size([8128, 192]), 1.0)
    """
    import torch
    from transformers import AutoModel, AutoTokenizer

    from nlpguide._assets import locate

    folder = locate("encoder")
    wp = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    with quiet_progress():
        encoder = AutoModel.from_pretrained(folder, local_files_only=True)
    table = encoder.embeddings.word_embeddings
    vocab = wp.get_vocab()
    rows: list[int] = []
    vectors: list[torch.Tensor] = []
    for i in range(3, len(tok) - EXTRA_IDS):
        piece = tok.convert_ids_to_tokens(i)
        text = piece.lstrip("\u2581").lower()
        if not text:
            continue
        if not piece.startswith("\u2581") and f"##{text}" in vocab:
            ids = [vocab[f"##{text}"]]
        else:
            ids = [
                t for t in wp(text, add_special_tokens=False)["input_ids"] if t != wp.unk_token_id
            ]
        if ids:
            rows.append(i)
            vectors.append(table.weight[ids].detach().mean(dim=0))
    x = torch.stack(vectors)
    x = x - x.mean(dim=0)
    _, _, v = torch.linalg.svd(x, full_matrices=False)
    projected = x @ v[:d_model].T
    projected = projected / projected.std()
    gen = torch.Generator().manual_seed(seed)
    out = torch.randn(n_rows, d_model, generator=gen)
    out[torch.tensor(rows)] = projected
    return out
