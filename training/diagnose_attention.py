"""Does a trained T5 read its input? ``python training/diagnose_attention.py FOLDER``.

Two measurements on validation pairs (teacher forcing, one batch):

* **attention entropy** per layer and head, for the encoder's self-attention and the
  decoder's cross-attention, beside the entropy of uniform attention over the same
  (unpadded) sources. Entropy near 0 means each query looks at one key only: attention
  has collapsed, and its gradients with it;
* **the loss with the sources shuffled** among the batch: a decoder that reads its
  input does much worse on another pair's source; one that ignores it does the same.

Prints the figures as JSON. It found why the AdamW sizing runs' decoders ignored their
input (see ``training/README.md``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

from train_t5_multitask import Settings

from nlpguide.data import translation_pairs
from nlpguide.models.t5 import encode_sources, load_tokenizer, translate_source

__all__ = ["diagnose", "main"]


def _entropies(attentions: Any, query_mask: Any) -> list[list[float]]:
    """Mean entropy (nats) per layer and head over the batch's real (unpadded) queries."""
    out = []
    for weights in attentions:  # (batch, heads, queries, keys); padded keys weigh 0
        p = weights.clamp_min(1e-12)
        entropy = -(p * p.log()).sum(-1)  # (batch, heads, queries)
        keep = query_mask[:, None, :].expand_as(entropy).to(entropy.dtype)
        per_head = (entropy * keep).sum((0, 2)) / keep.sum((0, 2))
        out.append([round(float(x), 3) for x in per_head])
    return out


def diagnose(folder: Path, *, pairs: int = 64, seed: int = 0) -> dict[str, Any]:
    """The attention entropies and the shuffled-source loss of the T5 in ``folder``."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import T5ForConditionalGeneration

    tok = load_tokenizer(folder)
    model = T5ForConditionalGeneration.from_pretrained(
        folder, attn_implementation="eager", dtype=torch.float32
    ).eval()
    sample = translation_pairs("validation")[:pairs]
    lengths = Settings()  # the job's truncation, which every recorded run used
    sources = [translate_source(p.english) for p in sample]
    enc = encode_sources(tok, sources, lengths.max_source_tokens)
    labels = tok(
        text_target=[p.french for p in sample],
        return_tensors="pt",
        padding=True,
        truncation=True,
        max_length=lengths.max_target_tokens,
    )["input_ids"]
    labels[labels == tok.pad_token_id] = -100
    source_mask = enc["attention_mask"].bool()
    with torch.no_grad():
        out = model(**enc, labels=labels, output_attentions=True)
        # A plain permutation, not a derangement: the few pairs it leaves in place only
        # dilute the effect, and the figure is a contrast, not an exact loss.
        perm = torch.randperm(len(sample), generator=torch.Generator().manual_seed(seed))
        shuffled = model(
            input_ids=enc["input_ids"][perm],
            attention_mask=enc["attention_mask"][perm],
            labels=labels,
        )
    uniform = float(source_mask.sum(-1).double().log().mean())
    return {
        "folder": str(folder),
        "validation_pairs": len(sample),
        "loss": round(float(out.loss), 4),
        "loss_sources_shuffled": round(float(shuffled.loss), 4),
        "uniform_entropy_nats": round(uniform, 3),
        "max_entropy_nats": round(math.log(enc["input_ids"].shape[1]), 3),
        "encoder_self_attention_entropy": _entropies(out.encoder_attentions, source_mask),
        "cross_attention_entropy": _entropies(out.cross_attentions, labels != -100),
    }


def main(argv: list[str] | None = None) -> int:
    """Print :func:`diagnose` as JSON; 0 on success."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a T5 folder the multi-task job wrote")
    parser.add_argument("--pairs", type=int, default=64, help="validation pairs (default 64)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args(argv)
    if args.pairs < 2:
        parser.error(f"--pairs must be at least 2 (a shuffle needs two), got {args.pairs}")
    if not (args.folder / "config.json").is_file():
        parser.error(f"{args.folder} holds no config.json: not a saved T5 folder")
    import torch

    torch.set_num_threads(args.threads)
    print(json.dumps(diagnose(args.folder, pairs=args.pairs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
