"""Put the pre-training comparison into the shipped T5's record.

``python training/record_pretraining_effect.py SHIPPED_RECORD WITH_RECORD WITHOUT_RECORD``

Issue 24 asks what span-corruption pre-training on a corpus far larger than the
labelled pairs buys, against none, at equal stage-2 steps. Both arms are
``train_t5_multitask.py`` runs with the same settings but stage 1; their records are
kept in ``training/records/``. This script copies both arms' figures (test metrics of
each domain, learning curves, timing, stage 1's corpus, the settings that differ) and
the gains into the shipped record under ``pretraining_effect``, with each file's
sha256, so the pages read the comparison through
:func:`nlpguide.models.artefact_record` like every other figure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["arm", "main", "pretraining_effect"]

#: Settings that may differ between the two arms; any other difference is refused.
STAGE_ONE_SETTINGS = frozenset(
    {
        "pretrain",
        "pretrain_share",
        "pretrain_max_steps",
        "pretrain_lr",
        "pretrain_warmup_steps",
        "pretrain_corpus",
    }
)


def _scores(test: dict[str, Any]) -> dict[str, Any]:
    """chrF/BLEU per domain, copying's, and topic exact match, from a record's test block."""
    general = test.get("general", {})
    out: dict[str, Any] = {
        "software": {**test["translation"], "copy_english": test.get("copy_english")},
        "topic_exact_match": test["topic_exact_match_greedy"],
    }
    if general:
        out["general"] = {**general["translation"], "copy_english": general.get("copy_english")}
    for domain in ("software", "general"):
        if domain in out:
            out[domain].pop("decoding", None)
    return out


def arm(run: dict[str, Any], *, source: str, sha256: str) -> dict[str, Any]:
    """One arm's figures: its stage 1 (if any), stage-2 timing, curve and test scores.

    >>> run = {"stages": {"multitask": {"timing": {"steps": 2}}}, "learning_curve": [],
    ...        "metrics": {"test": {"translation": {"chrf": 40.0, "bleu": 15.0},
    ...                             "topic_exact_match_greedy": 0.9}}}
    >>> arm(run, source="x.json", sha256="0")["test"]["software"]["chrf"]
    40.0
    """
    pretrain = run["stages"].get("pretrain")
    return {
        "source": source,
        "sha256": sha256,
        "stage1": None
        if pretrain is None
        else {
            "timing": pretrain["timing"],
            "chunks": pretrain["chunks"],
            "corpus": pretrain.get("corpus"),
        },
        "stage2": run["stages"]["multitask"]["timing"],
        "learning_curve": run["learning_curve"],
        "selection": run.get("selection"),
        "test": _scores(run["metrics"]["test"]),
    }


def pretraining_effect(with_arm: dict[str, Any], without_arm: dict[str, Any]) -> dict[str, Any]:
    """The comparison block: both arms (from :func:`arm`'s input records) and the gains.

    >>> run = {"settings": {"pretrain": True, "lr": 1.0}, "learning_curve": [],
    ...        "stages": {"multitask": {"timing": {"steps": 2}},
    ...                   "pretrain": {"timing": {}, "chunks": 9}},
    ...        "metrics": {"test": {"translation": {"chrf": 40.0, "bleu": 15.0},
    ...                             "topic_exact_match_greedy": 0.9}}}
    >>> other = {**run, "settings": {"pretrain": False, "lr": 1.0},
    ...          "stages": {"multitask": {"timing": {"steps": 2}}}}
    >>> pretraining_effect(run, other)["gain"]["software_chrf"]
    0.0
    """
    if with_arm["settings"].get("pretrain") is not True or without_arm["settings"].get("pretrain"):
        msg = "the first arm must have stage 1 (pretrain: true), the second must not"
        raise ValueError(msg)
    differ = sorted(
        key
        for key in set(with_arm["settings"]) | set(without_arm["settings"])
        if with_arm["settings"].get(key) != without_arm["settings"].get(key)
    )
    if set(differ) - STAGE_ONE_SETTINGS:
        msg = f"the arms differ in more than stage 1: {sorted(set(differ) - STAGE_ONE_SETTINGS)}"
        raise ValueError(msg)
    steps = [run["stages"]["multitask"]["timing"]["steps"] for run in (with_arm, without_arm)]
    if steps[0] != steps[1]:
        msg = f"the arms must take equal stage-2 steps, got {steps[0]} and {steps[1]}"
        raise ValueError(msg)
    test_with = _scores(with_arm["metrics"]["test"])
    test_without = _scores(without_arm["metrics"]["test"])
    gain: dict[str, float] = {}
    for domain in ("software", "general"):
        if domain in test_with and domain in test_without:
            for metric in ("chrf", "bleu"):
                gain[f"{domain}_{metric}"] = round(
                    test_with[domain][metric] - test_without[domain][metric], 2
                )
    gain["topic_exact_match"] = round(
        test_with["topic_exact_match"] - test_without["topic_exact_match"], 4
    )
    return {
        "settings_that_differ": {
            k: [with_arm["settings"].get(k), without_arm["settings"].get(k)] for k in differ
        },
        "stage2_steps": steps[0],
        "gain": gain,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: rewrite SHIPPED_RECORD with the comparison block."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("shipped", type=Path, help="the shipped t5_record.json")
    parser.add_argument("with_arm", type=Path, help="record of the arm with stage 1")
    parser.add_argument("without_arm", type=Path, help="record of the same run without it")
    args = parser.parse_args(argv)
    runs, arms = [], {}
    for name, path in (("with", args.with_arm), ("without", args.without_arm)):
        payload = path.read_bytes()
        runs.append(json.loads(payload))
        arms[name] = arm(
            runs[-1], source=path.as_posix(), sha256=hashlib.sha256(payload).hexdigest()
        )
    block = {**pretraining_effect(*runs), "arms": arms}
    shipped = json.loads(args.shipped.read_text(encoding="utf-8"))
    shipped["pretraining_effect"] = block
    args.shipped.write_text(
        json.dumps(shipped, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(", ".join(f"{k} {v:+}" for k, v in block["gain"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
