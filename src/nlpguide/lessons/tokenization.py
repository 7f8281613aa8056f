"""Helpers behind the tokenization page (``docs/bert/tokenization.md``).

The page and its tests share these, so a test checks the very code the page runs:

* :data:`SENTENCES` and :data:`PAIR`: the example sentences the page feeds to
  every tokenizer (English, French, a rare word, characters beyond the Latin
  alphabet) and the sentence pair that shows ``token_type_ids``;
* :func:`load_tokenizers`: the three shipped tokenizers alone, without their
  models (MiniLM's WordPiece, the T5's SentencePiece, SmolLM2's byte-level BPE);
* :func:`tokens_per_word` and :func:`kept_share`: how many tokens a text costs
  per whitespace word, and how much of it survives ``truncation=True``.

>>> sorted(TOKENIZERS.values())
['decoder', 'encoder', 'seq2seq']
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpguide import _check

__all__ = ["PAIR", "SENTENCES", "TOKENIZERS", "kept_share", "load_tokenizers", "tokens_per_word"]

#: The page's example sentences, by what each one tests.
SENTENCES: dict[str, str] = {
    "English": "The bank raised interest rates again on Thursday.",
    "French": "Le café était très élégant.",
    "rare word": "Doctors diagnosed pneumonoultramicroscopicsilicovolcanoconiosis.",
    "beyond Latin": "Tokyo is 東京 🙂",
}

#: Two sentences given to a BERT tokenizer as one input (segments A and B).
PAIR: tuple[str, str] = ("The bank raised interest rates.", "Shares fell sharply.")

#: Each tokenizer's label on the page -> the :func:`nlpguide.models.default_path` kind.
TOKENIZERS: dict[str, str] = {
    "MiniLM (WordPiece)": "encoder",
    "T5 (SentencePiece)": "seq2seq",
    "SmolLM2 (byte-level BPE)": "decoder",
}


def load_tokenizers() -> dict[str, Any]:
    """The three shipped tokenizers, by their :data:`TOKENIZERS` label.

    Only the tokenizer files are read: no model weights are loaded, so this
    takes about a second once the models are prepared.

    >>> toks = load_tokenizers()
    >>> len(toks["MiniLM (WordPiece)"])
    30522
    """
    from transformers import AutoTokenizer  # noqa: PLC0415

    from nlpguide.models import default_path  # noqa: PLC0415

    return {
        label: AutoTokenizer.from_pretrained(default_path(kind))
        for label, kind in TOKENIZERS.items()
    }


def tokens_per_word(tokenizer: Any, texts: list[str]) -> NDArray[np.float64]:
    """Tokens per whitespace-separated word of each text, special tokens left out.

    >>> tok = load_tokenizers()["MiniLM (WordPiece)"]
    >>> tokens_per_word(tok, ["unbelievable tokenizers"]).tolist()
    [2.0]
    """
    texts = _check.strings("texts", texts)
    words = np.array([len(t.split()) for t in texts], dtype=np.float64)
    if (words == 0).any():
        msg = "texts must each hold at least one word, got a blank text"
        raise ValueError(msg)
    ids = tokenizer(texts, add_special_tokens=False)["input_ids"]
    return np.array([len(i) for i in ids], dtype=np.float64) / words


def kept_share(tokenizer: Any, texts: list[str], *, max_length: int) -> NDArray[np.float64]:
    """Share of each text's tokens that survive ``truncation=True, max_length=...``.

    The count is taken from the tokenizer's real truncated output, with its
    special tokens (``[CLS]``, ``</s>``, ...) left out on both sides.

    >>> tok = load_tokenizers()["MiniLM (WordPiece)"]
    >>> kept_share(tok, ["one two three four five six"], max_length=5).tolist()
    [0.5]
    """
    texts = _check.strings("texts", texts)
    _check.integer("max_length", max_length, minimum=1)
    whole = tokenizer(texts, add_special_tokens=False)["input_ids"]
    if any(len(w) == 0 for w in whole):
        msg = "texts must each hold at least one token, got a blank text"
        raise ValueError(msg)
    cut = tokenizer(
        texts,
        truncation=True,
        max_length=max_length,
        return_special_tokens_mask=True,
    )
    mask = cut["special_tokens_mask"]
    kept = np.array([len(m) - sum(m) for m in mask], dtype=np.float64)
    total = np.array([len(w) for w in whole], dtype=np.float64)
    share: NDArray[np.float64] = kept / total
    return share
