"""Fine-tune a BERT-family encoder to classify BBC News topics, fully or with LoRA.

Offline by default: the encoder is the packaged MiniLM (standing in for
``bert-base-uncased``) and the data the packaged BBC News split. The recipe is
:func:`nlpguide.models.finetune.finetune_classifier`, the one the guide's
fine-tuning page runs; this script gives it a command line::

    python examples/finetune_bert.py --output-dir runs/bert
    python examples/finetune_bert.py --output-dir runs/bert-lora --lora --epochs 2
    python examples/finetune_bert.py --output-dir runs/base --model bert-base-uncased  # online

The same command runs on several GPUs; the ``Trainer`` does the distribution
(``--batch-size`` is then per device)::

    torchrun --nproc_per_node=4 examples/finetune_bert.py --output-dir runs/bert
    accelerate launch examples/finetune_bert.py --output-dir runs/bert

The output folder gets the model and tokenizer (with LoRA the adapters are merged,
so it loads as a plain ``AutoModelForSequenceClassification``) and
``finetune-result.json`` with the settings, loss curve and held-out figures.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from nlpguide.data import bbc_split
from nlpguide.models.finetune import FineTuneSettings, finetune_classifier, save_result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: model, length of training, output folder, LoRA on/off."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--output-dir", type=Path, required=True, help="new or empty folder")
    parser.add_argument("--model", default=None, help="hub name or local folder (default: MiniLM)")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=float, default=1.0, help="passes over the train split")
    length.add_argument("--max-steps", type=int, default=None, help="optimiser steps (overrides)")
    parser.add_argument("--lora", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--batch-size", type=int, default=16, help="per device")
    parser.add_argument("--lr", type=float, default=None, help="default: 2e-4, or 5e-3 with LoRA")
    parser.add_argument("--max-length", type=int, default=96, help="tokens kept per article")
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
    folder: Path = args.output_dir
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        parser.error(f"--output-dir {folder} exists and is not an empty folder")
    return args


def steps_for(epochs: float, batch_size: int, world_size: int) -> int:
    """Optimiser steps for ``epochs`` passes over the train split on ``world_size`` devices."""
    articles = len(bbc_split()["train"])
    return max(1, math.ceil(epochs * articles / (batch_size * world_size)))


def _leave_process_group() -> None:
    """End the launcher's process group once training is over (the first process saves)."""
    import torch.distributed

    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def main(argv: list[str] | None = None) -> int:
    """Train, measure on the held-out split, and save (the first process only)."""
    args = parse_args(argv)
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    is_main = int(os.environ.get("RANK", "0")) == 0
    try:
        settings = FineTuneSettings(
            model_name=args.model,
            lora=args.lora,
            max_steps=(
                args.max_steps
                if args.max_steps is not None
                else steps_for(args.epochs, args.batch_size, world_size)
            ),
            batch_size=args.batch_size,
            max_length=args.max_length,
            learning_rate=args.lr,
            seed=args.seed,
            device=args.device,
        )
    except (TypeError, ValueError) as err:
        print(f"finetune_bert: error: {err}", file=sys.stderr)
        return 2
    result = finetune_classifier(settings, progress=is_main)
    _leave_process_group()
    if not is_main:
        return 0
    saved = save_result(result, args.output_dir)
    cut, total = result.truncated["train"]
    print(
        f"{'LoRA' if settings.lora else 'full fine-tune'}: {settings.max_steps} steps "
        f"x {settings.batch_size} x {world_size} device(s) in {result.train_seconds:.0f} s; "
        f"trainable {result.trainable_share:.2%} of {result.total_params:,} parameters"
    )
    print(f"train articles cut to {settings.max_length} tokens: {cut} of {total}")
    print(f"held-out accuracy: {result.accuracy:.1%} on {len(result.predictions)} articles")
    print(f"saved to {saved.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
