"""Fine-tune SmolLM2 for BBC headlines with a LoRA adapter, once: ``python training/train_headline_lora.py``.

The shipped T5 was never pre-trained, and its headlines show it. This job is the
contrast: a *pre-trained* decoder (SmolLM2-135M-Instruct, the guide's offline
``decoder()``) taught to write headlines by a small LoRA adapter (peft),
trained on the BBC News *train* split only:

1. each article becomes the chat :func:`nlpguide.models.headlines.headline_prompt`
   builds (a fixed instruction and the article's first ``lead_tokens`` tokens),
   followed by its real headline and ``<|im_end|>``; the loss covers only the
   headline tokens and ``<|im_end|>`` (so the model learns to stop);
2. LoRA adapters sit on every linear layer of the *upper* ``lora_layers``
   decoder layers only: the lower layers are frozen and hold no adapter, so
   backpropagation stops at the first adapted layer. Sequences are left-padded
   so every headline ends at the last position, and logits are computed only
   for the last ``max_title_tokens + 1`` positions (``logits_to_keep``): the
   49,152-way output layer never runs over the article. Both cut the CPU cost;
3. a plain training loop under ``accelerate`` (so the same script runs under
   ``accelerate launch`` / ``torchrun``), AdamW, linear warm-up then a linear
   decay over the step or time budget, whichever ends first;
4. every ``eval_every`` steps, greedy headlines for the first ``eval_articles``
   *validation* articles, scored with ROUGE-L F1 (``rouge-score``); the best
   adapter so far is kept, and that one is saved (fp16);
5. the saved adapter is reloaded and scored on the whole *test* split, greedy,
   beside the baselines: the article's first 8 words, zero-shot SmolLM2 (the
   same prompt, adapter disabled) and the shipped T5's headline task.

Output folder (``--out``, default the package's ``artefacts/headline_lora``):
``adapter_model.safetensors`` (fp16), ``adapter_config.json`` and
``headline_lora_record.json`` (settings, data hashes, versions, device,
timings, the training history and the test figures with samples).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from t5_recipe import sha256_articles

from nlpguide._versions import versions
from nlpguide.metrics import ROUGE_USE_STEMMER, lead_words, mean_rouge_l_f1
from nlpguide.models.headlines import (
    ADAPTER_DIR,
    LEAD_TOKENS,
    MAX_NEW_TOKENS,
    RECORD_FILE,
    generate_headlines,
    headline_prompt,
)

if TYPE_CHECKING:
    from nlpguide.data import Article

__all__ = ["Settings", "main", "train"]

#: Every linear layer of a LLaMA block.
TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class Settings:
    """Every knob of the recipe; all of it is recorded beside the adapter.

    >>> Settings().lora_layers
    6
    """

    budget_minutes: float = 35.0
    max_steps: int = 0  # 0: until the time budget (or max_epochs) ends
    max_epochs: float = 4.0
    batch_size: int = 4
    lr: float = 6e-4
    warmup_steps: int = 10
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.0
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_layers: int = 6
    lead_tokens: int = LEAD_TOKENS
    max_title_tokens: int = 24
    max_new_tokens: int = MAX_NEW_TOKENS
    eval_every: int = 40
    eval_articles: int = 24
    eval_batch_size: int = 16
    test_articles: int = 0  # 0: the whole test split
    baselines: bool = True
    seed: int = 0
    threads: int = 2
    log_every: int = 10

    def __post_init__(self) -> None:
        positive = ("batch_size", "lora_r", "lora_layers", "lead_tokens", "max_title_tokens")
        for name in (*positive, "max_new_tokens", "eval_every", "eval_articles", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.budget_minutes <= 0 or self.lr <= 0 or self.max_epochs <= 0:
            raise ValueError("budget_minutes, lr and max_epochs must be positive")
        if self.max_steps < 0 or self.test_articles < 0:
            raise ValueError("max_steps and test_articles must be 0 (no limit) or positive")


def _parse(argv: list[str] | None) -> tuple[Settings, Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Settings):
        flag = "--" + f.name.replace("_", "-")
        if f.type == "bool":
            parser.add_argument(
                flag, type=lambda s: s.lower() in {"1", "true", "yes"}, default=f.default
            )
        else:
            kind = {"int": int, "float": float, "str": str}[str(f.type)]
            parser.add_argument(flag, type=kind, default=f.default)
    parser.add_argument("--out", type=Path, default=ADAPTER_DIR)
    args = vars(parser.parse_args(argv))
    out = args.pop("out")
    return Settings(**args), out


# --------------------------------------------------------------------------- data


def encode(tokenizer: Any, article: Article, settings: Settings) -> tuple[list[int], list[int]]:
    """(prompt ids, target ids): the chat up to the assistant turn, then title + ``<|im_end|>``."""
    prompt = headline_prompt(tokenizer, article.text, lead_tokens=settings.lead_tokens)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    title = tokenizer(article.title.strip(), add_special_tokens=False)["input_ids"]
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    return prompt_ids, [*title[: settings.max_title_tokens], end]


def collate(examples: list[tuple[list[int], list[int]]], pad_id: int) -> dict[str, Any]:
    """Left-pad so every target ends at the last position; labels cover the last K tokens."""
    import torch

    k = max(len(t) for _, t in examples)
    length = max(len(p) + len(t) for p, t in examples)
    ids = torch.full((len(examples), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(examples), length), dtype=torch.long)
    labels = torch.full((len(examples), k), -100, dtype=torch.long)
    for row, (prompt, target) in enumerate(examples):
        seq = prompt + target
        ids[row, length - len(seq) :] = torch.tensor(seq)
        mask[row, length - len(seq) :] = 1
        labels[row, k - len(target) :] = torch.tensor(target)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    return {"input_ids": ids, "attention_mask": mask, "position_ids": positions, "labels": labels}


def headline_loss(model: Any, batch: dict[str, Any]) -> Any:
    """Cross-entropy on the headline tokens only, with logits for the last K+1 positions only."""
    import torch

    labels = batch["labels"]
    k = labels.shape[1]
    out = model(
        input_ids=batch["input_ids"],
        attention_mask=batch["attention_mask"],
        position_ids=batch["position_ids"],
        logits_to_keep=k + 1,
    )
    logits = out.logits[:, :-1].float()  # position i predicts token i + 1
    return torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100
    )


# --------------------------------------------------------------------------- training


def _lora_model(settings: Settings) -> tuple[Any, Any]:
    from peft import LoraConfig, get_peft_model

    from nlpguide.models import decoder

    tok, base = decoder()
    layers = base.config.num_hidden_layers
    if settings.lora_layers > layers:
        raise ValueError(f"lora_layers must be at most {layers}, got {settings.lora_layers}")
    config = LoraConfig(
        r=settings.lora_r,
        lora_alpha=settings.lora_alpha,
        lora_dropout=settings.lora_dropout,
        target_modules=list(TARGET_MODULES),
        layers_to_transform=list(range(layers - settings.lora_layers, layers)),
        task_type="CAUSAL_LM",
    )
    with warnings.catch_warnings():
        # peft reads transformers' deprecated alias: not this job's concern.
        warnings.filterwarnings(
            "ignore", message=".*is_gradient_checkpointing", category=FutureWarning
        )
        return tok, get_peft_model(base, config)


def _adapter_state(model: Any) -> dict[str, Any]:
    return {k: v.detach().clone() for k, v in model.named_parameters() if v.requires_grad}


def _headlines(tok: Any, model: Any, articles: list[Article], settings: Settings) -> list[str]:
    return generate_headlines(
        tok,
        model,
        [a.text for a in articles],
        lead_tokens=settings.lead_tokens,
        max_new_tokens=settings.max_new_tokens,
        batch_size=settings.eval_batch_size,
    )


def _rouge(
    tok: Any, model: Any, articles: list[Article], settings: Settings
) -> tuple[float, list[str]]:
    heads = _headlines(tok, model, articles, settings)
    return mean_rouge_l_f1(heads, [a.title for a in articles]), heads


def train(settings: Settings, split: dict[str, list[Article]]) -> tuple[Any, Any, dict[str, Any]]:
    """Train the adapter within the budget; returns (tokenizer, best model, history)."""
    import torch
    from accelerate import Accelerator

    from nlpguide.models import seed_everything

    torch.set_num_threads(settings.threads)
    seed_everything(settings.seed)
    accelerator = Accelerator()
    tok, model = _lora_model(settings)
    examples = [encode(tok, a, settings) for a in split["train"]]
    generator = torch.Generator().manual_seed(settings.seed)
    loader: Any = torch.utils.data.DataLoader(
        examples,  # type: ignore[arg-type]
        batch_size=settings.batch_size,
        shuffle=True,
        generator=generator,
        collate_fn=lambda b: collate(b, tok.pad_token_id),
    )
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=settings.lr, weight_decay=settings.weight_decay)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    budget_s = settings.budget_minutes * 60
    steps_per_epoch = len(loader)
    step_cap = math.ceil(settings.max_epochs * steps_per_epoch)
    if settings.max_steps:
        step_cap = min(step_cap, settings.max_steps)
    validation = split["validation"][: settings.eval_articles]

    history: list[dict[str, Any]] = []
    best: dict[str, Any] = {"rouge_l_f1": -1.0, "step": 0, "state": _adapter_state(model)}
    start = time.perf_counter()
    eval_s = 0.0
    step, stopped = 0, "max_epochs"
    recent: list[float] = []

    def progress() -> float:
        return max(step / step_cap, (time.perf_counter() - start) / budget_s)

    def evaluate() -> None:
        nonlocal eval_s
        t0 = time.perf_counter()
        inner = accelerator.unwrap_model(model)
        score, heads = _rouge(tok, inner, validation, settings)
        eval_s += time.perf_counter() - t0
        entry = {
            "step": step,
            "epoch": round(step / steps_per_epoch, 3),
            "minutes": round((time.perf_counter() - start) / 60, 2),
            "train_loss": round(sum(recent) / len(recent), 4) if recent else None,
            "validation_rouge_l_f1": round(score, 4),
            "validation_sample": heads[0],
        }
        history.append(entry)
        accelerator.print(f"eval {json.dumps(entry)}", flush=True)
        if score > best["rouge_l_f1"]:
            best.update(rouge_l_f1=score, step=step, state=_adapter_state(inner))

    model.train()
    done = False
    while not done:
        for batch in loader:
            frac = progress()
            warm = min(1.0, (step + 1) / max(1, settings.warmup_steps))
            scale = warm * max(settings.min_lr_ratio, 1.0 - frac)
            for group in optimizer.param_groups:
                group["lr"] = settings.lr * scale
            loss = headline_loss(model, batch)
            accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            recent = [*recent[-(settings.log_every - 1) :], float(loss.detach())]
            if step % settings.log_every == 0:
                elapsed = time.perf_counter() - start
                accelerator.print(
                    f"step {step}/{step_cap} loss {sum(recent) / len(recent):.3f} "
                    f"lr {settings.lr * scale:.2e} {elapsed / 60:.1f} min",
                    flush=True,
                )
            if step % settings.eval_every == 0 and accelerator.is_main_process:
                evaluate()
            accelerator.wait_for_everyone()
            over = torch.tensor(
                float(time.perf_counter() - start >= budget_s), device=accelerator.device
            )
            if float(accelerator.reduce(over, "max")) > 0:
                stopped, done = "budget", True
                break
            if step >= step_cap:
                stopped = (
                    "max_steps"
                    if settings.max_steps and step == settings.max_steps
                    else "max_epochs"
                )
                done = True
                break
    if accelerator.is_main_process and (not history or history[-1]["step"] != step):
        evaluate()
    inner = accelerator.unwrap_model(model)
    with torch.no_grad():
        for name, p in inner.named_parameters():
            if name in best["state"]:
                p.copy_(best["state"][name])
    timing = {
        "steps": step,
        "epochs": round(step / steps_per_epoch, 3),
        "stopped": stopped,
        "train_minutes": round((time.perf_counter() - start) / 60, 2),
        "validation_minutes": round(eval_s / 60, 2),
        "best_step": best["step"],
        "best_validation_rouge_l_f1": round(best["rouge_l_f1"], 4),
        "processes": accelerator.num_processes,
    }
    return tok, inner, {"history": history, "timing": timing}


def save_adapter(model: Any, out: Path) -> None:
    """``adapter_model.safetensors`` in fp16 and ``adapter_config.json``, nothing else."""
    from safetensors.torch import load_file, save_file

    from nlpguide.models import DEFAULTS

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # The embeddings are frozen: never save them (nor ask the hub whether they changed).
        model.save_pretrained(tmp, safe_serialization=True, save_embedding_layers=False)
        weights = load_file(str(Path(tmp) / "adapter_model.safetensors"))
        save_file(
            {k: v.half().contiguous() for k, v in weights.items()},
            str(out / "adapter_model.safetensors"),
            metadata={"format": "pt"},
        )
        config = json.loads((Path(tmp) / "adapter_config.json").read_text(encoding="utf-8"))
    # The hub name, not this machine's cache folder, names the base model.
    config["base_model_name_or_path"] = DEFAULTS["decoder"]["hub"]
    (out / "adapter_config.json").write_text(
        json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


# --------------------------------------------------------------------------- evaluation


def evaluate_test(tok: Any, model: Any, test: list[Article], settings: Settings) -> dict[str, Any]:
    """ROUGE-L F1 on the test split for the adapted model and the baselines, with samples."""
    from nlpguide.models import seq2seq
    from nlpguide.models.t5 import generate_texts, read_record, source_text

    titles = [a.title for a in test]
    timings: dict[str, float] = {}
    heads: dict[str, list[str]] = {"lead8": [lead_words(a.text, 8) for a in test]}

    def timed(name: str, write: Callable[[], list[str]]) -> None:
        t0 = time.perf_counter()
        heads[name] = write()
        timings[f"{name}_minutes"] = round((time.perf_counter() - t0) / 60, 2)

    def smollm2() -> list[str]:
        return _headlines(tok, model, test, settings)

    def t5() -> list[str]:
        t5_tok, t5_model = seq2seq()
        return generate_texts(
            t5_tok,
            t5_model,
            [source_text("headline", a.title, a.text) for a in test],
            max_source_tokens=read_record()["settings"]["max_source_tokens"],
            max_new_tokens=32,
        )

    timed("smollm2_lora", smollm2)
    if settings.baselines:
        with model.disable_adapter():
            timed("smollm2_zero_shot", smollm2)
        timed("t5", t5)
    rouge = {name: mean_rouge_l_f1(h, titles) for name, h in heads.items()}
    samples = [
        {"path": a.path, "reference": a.title, **{name: h[i] for name, h in heads.items()}}
        for i, a in enumerate(test[:8])
    ]
    return {
        "articles": len(test),
        "metric": (
            "ROUGE-L F1, mean over articles, rouge-score RougeScorer(['rougeL'], "
            f"use_stemmer={ROUGE_USE_STEMMER}); greedy decoding"
        ),
        "rouge_l_f1": rouge,
        "distinct_outputs": {name: len(set(h)) for name, h in heads.items()},
        "mean_words": {
            name: round(sum(len(x.split()) for x in h) / len(h), 2) for name, h in heads.items()
        },
        "minutes": timings,
        "samples": samples,
    }


def _device() -> dict[str, Any]:
    import platform

    import torch

    cuda = torch.cuda.is_available()
    return {
        "kind": "cuda" if cuda else "cpu",
        "name": torch.cuda.get_device_name(0)
        if cuda
        else platform.processor() or platform.machine(),
        "torch_threads": torch.get_num_threads(),
    }


def main(argv: list[str] | None = None) -> int:
    """Train, save and score the adapter; print a one-line JSON summary last."""
    from nlpguide.data import bbc_split

    settings, out = _parse(argv)
    began = time.perf_counter()
    split = bbc_split()
    tok, model, result = train(settings, split)
    from accelerate import PartialState

    if not PartialState().is_main_process:
        return 0
    save_adapter(model, out)
    from peft import PeftModel

    from nlpguide.models import decoder

    # Score what was saved (fp16, reloaded), not the weights in memory.
    _, base = decoder()
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*is_gradient_checkpointing", category=FutureWarning
        )
        reloaded = PeftModel.from_pretrained(base, out)
    test = split["test"][: settings.test_articles or None]
    t0 = time.perf_counter()
    metrics = evaluate_test(tok, reloaded, test, settings)
    record = {
        "what": "LoRA adapter for SmolLM2-135M-Instruct: BBC News headlines",
        "script": "training/train_headline_lora.py",
        "settings": asdict(settings),
        "target_modules": list(TARGET_MODULES),
        "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "adapter_bytes": (out / "adapter_model.safetensors").stat().st_size,
        "data": {
            "source": "nlpguide.data.bbc_split()",
            "train_articles": len(split["train"]),
            "validation_articles_scored": min(settings.eval_articles, len(split["validation"])),
            "test_articles": len(test),
            "train_sha256": sha256_articles(split["train"]),
            "validation_sha256": sha256_articles(split["validation"]),
            "test_sha256": sha256_articles(test),
        },
        "versions": versions(
            "torch", "transformers", "peft", "accelerate", "rouge-score", "nlpguide"
        ),
        "device": _device(),
        "history": result["history"],
        "timing": {
            **result["timing"],
            "test_minutes": round((time.perf_counter() - t0) / 60, 2),
            "total_minutes": round((time.perf_counter() - began) / 60, 2),
        },
        "metrics": {"test": metrics},
    }
    (out / RECORD_FILE).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    summary = {
        "out": str(out),
        **record["timing"],
        **{f"test_{k}": round(v, 4) for k, v in metrics["rouge_l_f1"].items()},
    }
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
