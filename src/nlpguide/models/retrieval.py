"""Dense retrieval for a retrieval-augmented generation (RAG) preview.

An encoder turns each text into one vector: the mean of its token vectors
(padding excluded), scaled to length 1, as sentence-transformers does for
all-MiniLM-L6-v2. The cosine similarity of two such vectors is then a plain
dot product, and the documents nearest a question are the top of one
matrix-vector product (:func:`top_k`). :func:`rag_messages` puts the retrieved
passages into a decoder's chat prompt.

>>> import numpy as np
>>> docs = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
>>> [(h.index, round(h.score, 2)) for h in top_k(np.array([0.0, 1.0]), docs, k=2)]
[(2, 1.0), (1, 0.8)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _check

__all__ = ["Hit", "embed", "mean_pool", "rag_messages", "top_k"]

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved document: its row in the index and its cosine similarity to the query.

    >>> Hit(3, 0.5).index
    3
    """

    index: int
    score: float


def mean_pool(token_vectors: Any, attention_mask: Any) -> Any:
    """Average each sequence's token vectors over its real (unmasked) tokens.

    Works on torch tensors or numpy arrays of shape (batch, tokens, dim) and
    (batch, tokens).

    >>> v = np.array([[[1.0, 1.0], [3.0, 3.0], [100.0, 100.0]]])
    >>> mean_pool(v, np.array([[1, 1, 0]]))
    array([[2., 2.]])
    """
    _check_pool_args(token_vectors, attention_mask)
    mask = attention_mask[..., None]
    if isinstance(mask, np.ndarray):
        mask = mask.astype(token_vectors.dtype)
        counts = np.clip(mask.sum(axis=1), 1e-9, None)
    else:  # a torch tensor
        mask = mask.to(token_vectors.dtype)
        counts = mask.sum(dim=1).clamp(min=1e-9)
    return (token_vectors * mask).sum(1) / counts


def _check_pool_args(token_vectors: Any, attention_mask: Any) -> None:
    """Arrays (or tensors) of shapes (batch, tokens, dim) and (batch, tokens), mask 0/1."""
    for name, value, ndim in (
        ("token_vectors", token_vectors, 3),
        ("attention_mask", attention_mask, 2),
    ):
        shape = getattr(value, "shape", None)
        if shape is None or not hasattr(value, "dtype"):
            raise TypeError(
                f"{name} must be a numpy array or torch tensor, got {type(value).__name__}"
            )
        if len(shape) != ndim:
            raise ValueError(f"{name} must be {ndim}-D, got shape {tuple(shape)}")
        if isinstance(value, np.ndarray) and value.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype}")
    if tuple(attention_mask.shape) != tuple(token_vectors.shape[:2]):
        raise ValueError(
            f"attention_mask must have shape (batch, tokens) = {tuple(token_vectors.shape[:2])}, "
            f"got {tuple(attention_mask.shape)}"
        )
    if not bool(((attention_mask == 0) | (attention_mask == 1)).all()):
        raise ValueError("attention_mask must hold only 0 and 1 (or False and True)")


def embed(
    tokenizer: Any,
    model: Any,
    texts: Sequence[str],
    *,
    max_length: int = 128,
    batch_size: int = 32,
) -> FloatArray:
    """Unit-length sentence vectors for *texts*, one row each (float32).

    Each text is cut to its first *max_length* tokens. The model is a plain
    encoder (``AutoModel``), e.g. MiniLM from :func:`nlpguide.models.encoder`::

        tok, minilm = encoder()
        vectors = embed(tok, minilm, ["Rates rose.", "Arsenal won."])
        vectors.shape                                  # (2, 384)
    """
    import torch  # noqa: PLC0415

    if not _check.strings("texts", texts):
        raise ValueError("texts is empty: nothing to embed")
    sizes: dict[str, object] = {"max_length": max_length, "batch_size": batch_size}
    for name, value in sizes.items():
        _check.integer(name, value, minimum=1)
    rows = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = list(texts[start : start + batch_size])
            enc = tokenizer(
                batch, padding=True, truncation=True, max_length=max_length, return_tensors="pt"
            )
            hidden = model(**enc).last_hidden_state
            pooled = mean_pool(hidden, enc["attention_mask"])
            rows.append(torch.nn.functional.normalize(pooled, dim=-1).float().numpy())
    return np.concatenate(rows).astype(np.float32)


def top_k(query: npt.ArrayLike, documents: npt.ArrayLike, *, k: int = 3) -> list[Hit]:
    """The *k* documents most similar to *query*, best first (ties: lower index first).

    Rows of *documents* and *query* must be unit vectors (as :func:`embed`
    returns), so the dot product is the cosine similarity.

    >>> top_k([1.0, 0.0], [[0.0, 1.0], [1.0, 0.0]], k=1)
    [Hit(index=1, score=1.0)]
    >>> top_k([1.0, 0.0], [[1.0, 0.0]], k=2)
    Traceback (most recent call last):
    ...
    ValueError: k must be an int in [1, 1], got 2
    """
    q, d = _real_array("query", query), _real_array("documents", documents)
    if q.ndim != 1 or d.ndim != 2 or d.shape[1] != q.shape[0]:
        raise ValueError(
            f"query must be a vector and documents a matrix of the same width, "
            f"got shapes {q.shape} and {d.shape}"
        )
    for name, array in (("query", q), ("documents", d)):
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite (no NaN or infinity)")
    # k is at most the number of documents
    _check.integer("k", k, minimum=1, maximum=d.shape[0])
    scores = d @ q
    if not np.all(np.isfinite(scores)):  # finite inputs whose products overflow
        raise ValueError("the dot products overflow float64 (rows should be unit vectors)")
    # A stable sort of the negated scores keeps equal scores in index order.
    order = np.argsort(-scores, kind="stable")[:k]
    return [Hit(int(i), float(scores[i])) for i in order]


def _real_array(name: str, values: object) -> npt.NDArray[np.float64]:
    """``values`` as a float64 array; a clear error for text, complex or ragged input."""
    try:
        array = np.asarray(values)
    except ValueError:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of real numbers") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return np.asarray(array, dtype=np.float64)


def rag_messages(
    question: str, passages: Sequence[str], *, instruction: str | None = None
) -> list[Mapping[str, str]]:
    """A one-turn chat asking *question*, with the retrieved *passages* pasted in first.

    With no passages the question is asked on its own (the "closed book" baseline).

    >>> msgs = rag_messages("Who won?", ["Arsenal beat Chelsea 2-0."])
    >>> print(msgs[0]["content"])
    Answer the question using the articles below.
    <BLANKLINE>
    Article 1: Arsenal beat Chelsea 2-0.
    <BLANKLINE>
    Question: Who won?
    >>> rag_messages("Who won?", [])[0]["content"]
    'Who won?'
    """
    _check.text("question", question)
    _check.strings("passages", passages)
    if instruction is not None:
        _check.text("instruction", instruction)
    if not passages:
        return [{"role": "user", "content": question}]
    head = instruction or "Answer the question using the articles below."
    blocks = [f"Article {i}: {p}" for i, p in enumerate(passages, start=1)]
    content = "\n\n".join([head, *blocks, f"Question: {question}"])
    return [{"role": "user", "content": content}]
