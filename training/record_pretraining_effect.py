"""Put the pre-training comparison into the shipped T5's record.

``python training/record_pretraining_effect.py SHIPPED_RECORD WITHOUT_RECORD``

Issue 12 asks what span-corruption pre-training buys: the same stage-2 budget
(settings and ``--max-steps``) trained with and without stage 1. Both runs are
``train_t5_multitask.py`` runs; the one with stage 1 ships, the one without is kept
in ``training/records/``. This script copies the second run's figures (test metrics,
learning curve, timing, the settings that differ) into the first run's record under
``pretraining_effect``, with the file's sha256, so the pages read the comparison
through :func:`nlpguide.models.artefact_record` like every other figure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["main", "pretraining_effect"]

#: Settings that may differ between the two runs; any other difference is refused.
STAGE_ONE_SETTINGS = frozenset(
    {"pretrain", "pretrain_share", "pretrain_max_steps", "pretrain_lr", "pretrain_warmup_steps"}
)


def pretraining_effect(
    shipped: dict[str, Any], without: dict[str, Any], *, source: str, sha256: str
) -> dict[str, Any]:
    """The comparison block: both runs' test figures and the run without stage 1.

    >>> run = {"settings": {"pretrain": True, "lr": 1.0}, "learning_curve": [],
    ...        "stages": {"multitask": {"timing": {"steps": 2}}},
    ...        "metrics": {"test": {"translation": {"chrf": 40.0, "bleu": 15.0},
    ...                             "topic_exact_match_greedy": 0.9, "samples": []}}}
    >>> other = {**run, "settings": {"pretrain": False, "lr": 1.0}}
    >>> pretraining_effect(run, other, source="x.json", sha256="0")["chrf_gain"]
    0.0
    """
    if shipped["settings"].get("pretrain") is not True or without["settings"].get("pretrain"):
        msg = "the first record must have stage 1 (pretrain: true), the second must not"
        raise ValueError(msg)
    differ = sorted(
        key
        for key in set(shipped["settings"]) | set(without["settings"])
        if shipped["settings"].get(key) != without["settings"].get(key)
    )
    if set(differ) - STAGE_ONE_SETTINGS:
        msg = f"the runs differ in more than stage 1: {sorted(set(differ) - STAGE_ONE_SETTINGS)}"
        raise ValueError(msg)
    test_with, test_without = shipped["metrics"]["test"], without["metrics"]["test"]
    return {
        "source": source,
        "sha256": sha256,
        "settings_that_differ": {k: without["settings"].get(k) for k in differ},
        "stage2_steps": {
            "with": shipped["stages"]["multitask"]["timing"]["steps"],
            "without": without["stages"]["multitask"]["timing"]["steps"],
        },
        "without": {
            "timing": without["stages"]["multitask"]["timing"],
            "learning_curve": without["learning_curve"],
            "selection": without.get("selection"),
            "test": {k: v for k, v in test_without.items() if k != "samples"},
        },
        "chrf_gain": round(
            test_with["translation"]["chrf"] - test_without["translation"]["chrf"], 2
        ),
        "bleu_gain": round(
            test_with["translation"]["bleu"] - test_without["translation"]["bleu"], 2
        ),
        "topic_exact_match_gain": round(
            test_with["topic_exact_match_greedy"] - test_without["topic_exact_match_greedy"], 4
        ),
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: rewrite SHIPPED_RECORD with the comparison block."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("shipped", type=Path, help="t5_record.json of the run with stage 1")
    parser.add_argument("without", type=Path, help="record of the same run without stage 1")
    args = parser.parse_args(argv)
    shipped = json.loads(args.shipped.read_text(encoding="utf-8"))
    payload = args.without.read_bytes()
    block = pretraining_effect(
        shipped,
        json.loads(payload),
        source=args.without.as_posix(),
        sha256=hashlib.sha256(payload).hexdigest(),
    )
    shipped["pretraining_effect"] = block
    args.shipped.write_text(
        json.dumps(shipped, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(
        f"pre-training: chrF {block['chrf_gain']:+.2f}, BLEU {block['bleu_gain']:+.2f}, "
        f"topic exact match {block['topic_exact_match_gain']:+.2%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
