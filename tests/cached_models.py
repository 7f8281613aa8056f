"""The shipped encoder and decoder, loaded once per test session (each load takes seconds)."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def decoder(attn: str | None = None) -> tuple[Any, Any]:
    """``nlpguide.models.decoder()``, with ``attn_implementation=attn`` when given."""
    import torch

    from nlpguide.models import decoder as load

    torch.set_num_threads(1)
    return load(attn_implementation=attn) if attn else load()


@cache
def encoder(attn: str | None = None) -> tuple[Any, Any]:
    """``nlpguide.models.encoder()``, with ``attn_implementation=attn`` when given."""
    from nlpguide.models import encoder as load

    return load(attn_implementation=attn) if attn else load()
