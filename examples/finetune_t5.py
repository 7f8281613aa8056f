"""Fine-tune a T5 on BBC News as text-to-text: topic words and headlines, fully or with LoRA.

Offline by default: the model is the guide's own small English/French T5 (standing in for
``google-t5/t5-small``) and the data the packaged BBC News split. Both tasks are
plain text in, text out, told apart only by their prefix
(:func:`nlpguide.models.t5.source_text`): ``"bbc topic: "`` + article -> topic word,
``"summarize: "`` + body -> headline. Training is an ordinary ``Seq2SeqTrainer``
run; the test split is then scored (topic exact match, headline ROUGE-L) beside
the baselines (the majority topic; the article's first 8 words)::

    python examples/finetune_t5.py --output-dir runs/t5
    python examples/finetune_t5.py --output-dir runs/t5-lora --lora --epochs 2
    python examples/finetune_t5.py --output-dir runs/t5-small --model google-t5/t5-small  # online

The same command runs on several GPUs; the ``Trainer`` does the distribution
(``--batch-size`` is then per device) and the first process scores and saves::

    torchrun --nproc_per_node=4 examples/finetune_t5.py --output-dir runs/t5
    accelerate launch examples/finetune_t5.py --output-dir runs/t5

The output folder gets the model (LoRA adapters merged in), its tokenizer and
``metrics.json`` (settings, losses, test figures and baselines).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from nlpguide.data import Article, bbc_split
from nlpguide.metrics import exact_match, lead_words, majority_baseline, rouge_l_f1
from nlpguide.models import seq2seq
from nlpguide.models.t5 import generate_texts, source_text

DEFAULT_LR = {False: 5e-4, True: 5e-3}  # LoRA adapters start at zero: a larger step
MAX_TARGET_TOKENS = 32  # a topic word or a headline


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: model, length of training, output folder, LoRA on/off."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--output-dir", type=Path, required=True, help="new or empty folder")
    parser.add_argument(
        "--model", default=None, help="hub name or local folder (default: the guide's T5)"
    )
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=float, default=1.0, help="passes over the train split")
    length.add_argument("--max-steps", type=int, default=None, help="optimiser steps (overrides)")
    parser.add_argument("--lora", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--batch-size", type=int, default=16, help="per device")
    parser.add_argument("--lr", type=float, default=None, help="default: 5e-4, or 5e-3 with LoRA")
    parser.add_argument("--eval-limit", type=int, default=None, help="score only N test articles")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--device",
        choices=("auto", "cpu"),
        default="auto",
        help="auto: GPUs when present (and every process of a launcher); cpu: CPU only",
    )
    args = parser.parse_args(argv)
    if not args.epochs > 0 or not math.isfinite(args.epochs):
        parser.error(f"--epochs must be a positive number, got {args.epochs}")
    for name in ("max_steps", "batch_size", "eval_limit"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1, got {value}")
    if args.lr is not None and not 0 < args.lr <= 1:
        parser.error(f"--lr must be in (0, 1], got {args.lr}")
    folder: Path = args.output_dir
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        parser.error(f"--output-dir {folder} exists and is not an empty folder")
    return args


def text_pairs(articles: list[Article]) -> list[tuple[str, str]]:
    """Both tasks for every article: (framed input, target text)."""
    topics = [(source_text("topic", a.title, a.text), a.label_text) for a in articles]
    headlines = [(source_text("headline", a.title, a.text), a.title) for a in articles]
    return topics + headlines


def encode(
    tokenizer: Any, pairs: list[tuple[str, str]], max_source: int
) -> tuple[list[dict[str, Any]], int]:
    """Token ids for each pair, and how many inputs were cut to ``max_source`` tokens.

    Inputs keep their first ``max_source`` tokens (the lead), as the guide's T5 was
    trained; the count is printed, so the cut is never silent.
    """
    examples, cut = [], 0
    for source, target in pairs:
        # verbose=False: over-long inputs are counted here, not warned about one by one.
        ids = tokenizer(source, verbose=False).input_ids
        cut += len(ids) > max_source
        labels = tokenizer(text_target=target, truncation=True, max_length=MAX_TARGET_TOKENS)
        examples.append({"input_ids": ids[: max_source - 1] + ids[-1:], "labels": labels.input_ids})
    return examples, cut


def add_lora(model: Any) -> Any:
    """Low-rank adapters on the attention queries and values; everything else frozen."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        task_type="SEQ_2_SEQ_LM", r=8, lora_alpha=16, lora_dropout=0.05, target_modules=["q", "v"]
    )
    return get_peft_model(model, config)


def score(tokenizer: Any, model: Any, test: list[Article], train: list[Article], max_source: int):
    """Topic exact match and headline ROUGE-L on ``test``, beside their baselines."""
    topic_in = [source_text("topic", a.title, a.text) for a in test]
    headline_in = [source_text("headline", a.title, a.text) for a in test]
    options = {"max_source_tokens": max_source, "max_new_tokens": MAX_TARGET_TOKENS}
    topics = generate_texts(tokenizer, model, topic_in, **options)
    headlines = generate_texts(tokenizer, model, headline_in, **options)
    labels = [a.label_text for a in test]
    majority, majority_match = majority_baseline([a.label_text for a in train], labels)

    def rouge(hyps: list[str]) -> float:
        return sum(rouge_l_f1(h, a.title) for h, a in zip(hyps, test, strict=True)) / len(test)

    return {
        "test_articles": len(test),
        "topic_exact_match": exact_match(topics, labels),
        "topic_majority_baseline": majority_match,
        "majority_topic": majority,
        "headline_rouge_l": rouge(headlines),
        "headline_lead8_baseline": rouge([lead_words(a.text, 8) for a in test]),
        "examples": [
            {"title": a.title, "topic": a.label_text, "predicted_topic": t, "headline": h}
            for a, t, h in list(zip(test, topics, headlines, strict=True))[:5]
        ],
    }


def main(argv: list[str] | None = None) -> int:
    """Train, then (first process only) save and score on the test split."""
    args = parse_args(argv)  # before the heavy imports: a typo is reported at once
    import torch
    import transformers
    from transformers import DataCollatorForSeq2Seq, Seq2SeqTrainer, Seq2SeqTrainingArguments

    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    is_main = int(os.environ.get("RANK", "0")) == 0
    transformers.set_seed(args.seed)
    tokenizer, model = seq2seq(args.model)
    # The shipped T5 records the input length it was trained on; hub tokenizers say 512.
    max_source = min(int(tokenizer.model_max_length), 512)
    split = bbc_split()
    examples, cut = encode(tokenizer, text_pairs(split["train"]), max_source)
    if is_main:
        print(f"training inputs cut to their first {max_source} tokens: {cut} of {len(examples)}")
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.lora]
    if args.lora:
        model = add_lora(model)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())

    on_gpu = args.device == "auto" and torch.cuda.is_available()
    with tempfile.TemporaryDirectory(prefix="finetune_t5_") as scratch:
        training = Seq2SeqTrainingArguments(
            output_dir=scratch,
            num_train_epochs=args.epochs,
            max_steps=args.max_steps if args.max_steps is not None else -1,
            per_device_train_batch_size=args.batch_size,
            learning_rate=lr,
            lr_scheduler_type="linear",
            warmup_steps=0.1,  # a share of the steps
            logging_steps=10,
            save_strategy="no",
            report_to="none",
            bf16=on_gpu and torch.cuda.is_bf16_supported(),
            use_cpu=args.device == "cpu",
            seed=args.seed,
            data_seed=args.seed,
        )
        trainer = Seq2SeqTrainer(
            model=model,
            args=training,
            train_dataset=examples,
            data_collator=DataCollatorForSeq2Seq(tokenizer, model=model),
            processing_class=tokenizer,
        )
        start = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - start
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()  # the first process goes on alone
    if not is_main:
        return 0
    if args.lora:
        model = model.merge_and_unload()
    model.save_pretrained(args.output_dir)
    tokenizer.save_pretrained(args.output_dir)

    test = split["test"]
    if args.eval_limit is not None and args.eval_limit < len(test):
        # A seeded sample, in split order: the split is sorted by topic, so its first
        # articles would all be business.
        keep = sorted(random.Random(args.seed).sample(range(len(test)), args.eval_limit))
        test = [test[i] for i in keep]
    metrics = score(tokenizer, model, test, split["train"], max_source)
    record = {
        "settings": {**{k: str(v) for k, v in vars(args).items()}, "learning_rate": lr},
        "world_size": world_size,
        "steps": trainer.state.global_step,
        "train_seconds": seconds,
        "trainable_params": trainable,
        "total_params": total,
        "losses": [e for e in trainer.state.log_history if "loss" in e],
        "metrics": metrics,
    }
    (args.output_dir / "metrics.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    print(
        f"{'LoRA' if args.lora else 'full fine-tune'}: {trainer.state.global_step} steps "
        f"x {args.batch_size} x {world_size} device(s) in {seconds:.0f} s; "
        f"trainable {trainable / total:.2%} of {total:,} parameters"
    )
    print(
        f"test ({metrics['test_articles']} articles): topic exact match "
        f"{metrics['topic_exact_match']:.1%} (majority {metrics['topic_majority_baseline']:.1%}); "
        f"headline ROUGE-L {metrics['headline_rouge_l']:.3f} "
        f"(first 8 words {metrics['headline_lead8_baseline']:.3f})"
    )
    print(f"saved to {args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
