"""Helpers behind the BERT chapter (``docs/bert/``): measuring a fill-mask model.

The masked-language-modelling page and its tests share these, so a test checks
the very code the page runs:

* :func:`cloze_probe`: 36 committed everyday and news sentences with one
  ``[MASK]`` each and the answers accepted there;
* :func:`probe_predictions` and :func:`probe_score`: a model's top-``k`` words
  at each ``[MASK]``, and the share of sentences where one is accepted.

>>> cloze_probe()[0].text.count("[MASK]")
1
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpguide import _check

__all__ = ["PROBE_FILE", "ProbeItem", "cloze_probe", "probe_predictions", "probe_score"]

PROBE_FILE = Path(__file__).resolve().parent / "cloze_probe.json"


@dataclass(frozen=True, slots=True)
class ProbeItem:
    """One cloze sentence with its accepted answers."""

    text: str
    answers: tuple[str, ...]


def cloze_probe() -> tuple[ProbeItem, ...]:
    """The committed cloze probe (36 everyday and news sentences).

    >>> items = cloze_probe()
    >>> len(items) >= 30 and all("[MASK]" in i.text for i in items)
    True
    """
    data = json.loads(PROBE_FILE.read_text(encoding="utf-8"))
    return tuple(ProbeItem(i["text"], tuple(i["answers"])) for i in data["items"])


def probe_predictions(tokenizer: Any, model: Any, *, k: int = 5) -> list[list[str]]:
    """Top-``k`` tokens the model puts at each probe sentence's ``[MASK]``."""
    _check.integer("k", k, minimum=1)
    import torch  # noqa: PLC0415

    items = cloze_probe()
    batch = tokenizer([i.text for i in items], return_tensors="pt", padding=True)
    model.eval()
    with torch.no_grad():
        logits = model(**batch).logits
    where = batch["input_ids"] == tokenizer.mask_token_id
    top = logits[where].topk(k, dim=-1).indices
    return [tokenizer.convert_ids_to_tokens(row.tolist()) for row in top]


def probe_score(tokenizer: Any, model: Any, *, k: int = 5) -> float:
    """Share of probe sentences whose top-``k`` predictions hold an accepted answer."""
    _check.integer("k", k, minimum=1)
    preds = probe_predictions(tokenizer, model, k=k)
    hits = [bool(set(p) & set(i.answers)) for p, i in zip(preds, cloze_probe(), strict=True)]
    return sum(hits) / len(hits)
