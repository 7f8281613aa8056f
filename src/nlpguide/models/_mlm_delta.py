"""The shipped fill-mask delta: LoRA factors for MiniLM's encoder plus a trained MLM head.

MiniLM (``all-MiniLM-L6-v2``) ships without a masked-language-model head. The
job ``training/train_mlm.py`` trains one once, outside any build, and
stores only what differs from the packaged encoder: low-rank factors ``A``, ``B``
for the encoder's linear layers and the head's transform and bias (the decoder
stays tied to the word embeddings). Applying it merges ``W += (B @ A) * alpha / r``
in place, so the result is a plain :class:`transformers.BertForMaskedLM`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
DELTA_FILE = ARTEFACTS / "mlm_delta.safetensors"
RECORD_FILE = ARTEFACTS / "mlm_delta.json"

#: Encoder linear layers that carry LoRA factors (peft ``target_modules`` regex).
LORA_TARGETS = (
    r"bert\.encoder\.layer\.\d+\."
    r"(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)"
)
#: Head parameters trained in full (the decoder matrix stays tied and frozen).
HEAD_PARAMS = (
    "cls.predictions.bias",
    "cls.predictions.transform.dense.weight",
    "cls.predictions.transform.dense.bias",
    "cls.predictions.transform.LayerNorm.weight",
    "cls.predictions.transform.LayerNorm.bias",
)


def read_record(path: Path = RECORD_FILE) -> dict[str, Any]:
    """The training record stored beside the delta (settings, data hash, metrics)."""
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return record


def apply_delta(model: Any, tensors: dict[str, torch.Tensor], *, r: int, alpha: float) -> None:
    """Merge a delta into a freshly loaded MiniLM ``BertForMaskedLM`` in place."""
    import torch  # noqa: PLC0415

    scale = alpha / r
    modules = dict(model.named_modules())
    params = dict(model.named_parameters())
    seen: set[str] = set()
    with torch.no_grad():
        for key, value in tensors.items():
            if key.startswith("lora.") and key.endswith(".A"):
                name = key[len("lora.") : -len(".A")]
                b = tensors[f"lora.{name}.B"].float()
                weight = modules[name].weight
                weight += (b @ value.float()) * scale
                seen.update({key, f"lora.{name}.B"})
            elif key.startswith("head."):
                params[key[len("head.") :]].copy_(value.float())
                seen.add(key)
    missing = set(tensors) - seen
    if missing:
        msg = f"unexpected tensors in the fill-mask delta: {sorted(missing)[:5]}"
        raise ValueError(msg)
