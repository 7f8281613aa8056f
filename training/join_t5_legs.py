"""Join a T5 trained in two sittings into one record: ``python training/join_t5_legs.py FIRST SECOND``.

The shipped T5's first run stopped on its time budget at step 6,921 of a 10,000-step
schedule; ``train_t5_multitask.py --init-from`` finished the schedule in a second
sitting from those weights (``training/README.md``). Each sitting wrote its own
record. This script writes into SECOND (the record that ships beside the weights):

- ``first_leg``: FIRST, with its file name and sha256 (its ``pretraining_effect``
  block, which is about the recipe rather than one sitting, moves to the top level);
- ``learning_curve``: both sittings' evaluations in one series, stage-2 steps and
  training seconds counted from the start of the first, each point tagged ``leg``;
- ``selection``: the kept step in that same count;
- ``stages["pretrain"]``: the first sitting's stage 1, the only one the model had.

It refuses to join records that do not chain: SECOND must have started from the
weights FIRST describes (``init_from.weights_sha256``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["join", "main"]


def join(
    first: dict[str, Any], second: dict[str, Any], *, source: str, sha256: str
) -> dict[str, Any]:
    """SECOND's record with FIRST joined in (see the module docstring).

    >>> first = {"model": {"weights_sha256": "a"}, "stages": {"pretrain": {"timing": {
    ...     "train_s": 60.0}}, "multitask": {"timing": {"steps": 10, "train_s": 600.0}}},
    ...     "learning_curve": [{"step": 10, "train_s": 600.0, "train_s_with_pretrain": 660.0}]}
    >>> second = {"init_from": {"weights_sha256": "a"}, "selection": {"step": 5},
    ...     "stages": {"multitask": {"timing": {"steps": 5, "train_s": 300.0}}},
    ...     "learning_curve": [{"step": 5, "train_s": 300.0, "train_s_with_pretrain": 300.0}]}
    >>> joined = join(first, second, source="first.json", sha256="0")
    >>> [(p["leg"], p["step"], p["train_s_with_pretrain"]) for p in joined["learning_curve"]]
    [(1, 10, 660.0), (2, 15, 960.0)]
    >>> joined["selection"]["step"]
    15
    """
    started_from = (second.get("init_from") or {}).get("weights_sha256")
    if started_from != first["model"]["weights_sha256"]:
        msg = (
            "the second record did not start from the first one's weights: "
            f"init_from.weights_sha256 is {started_from!r}, "
            f"the first record's weights are {first['model']['weights_sha256']!r}"
        )
        raise ValueError(msg)
    steps = first["stages"]["multitask"]["timing"]["steps"]
    train_s = first["stages"]["multitask"]["timing"]["train_s"]
    pre_s = first["stages"].get("pretrain", {}).get("timing", {}).get("train_s", 0.0)
    second_curve = [
        {
            **point,
            "leg": 2,
            "step": point["step"] + steps,
            "train_s": round(point["train_s"] + train_s, 1),
            "train_s_with_pretrain": round(point["train_s"] + train_s + pre_s, 1),
        }
        for point in second["learning_curve"]
    ]
    leg1 = {k: v for k, v in first.items() if k != "pretraining_effect"}
    joined = {
        **second,
        "first_leg": {"source": source, "sha256": sha256, **leg1},
        "learning_curve": [{**p, "leg": 1} for p in first["learning_curve"]] + second_curve,
        "selection": {**second["selection"], "step": second["selection"]["step"] + steps},
        "stages": {**first["stages"], **second["stages"]},
    }
    if "pretraining_effect" in first:
        joined["pretraining_effect"] = first["pretraining_effect"]
    return joined


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: rewrite SECOND with FIRST joined in."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("first", type=Path, help="the first sitting's record")
    parser.add_argument("second", type=Path, help="the second sitting's record (rewritten)")
    args = parser.parse_args(argv)
    payload = args.first.read_bytes()
    second = json.loads(args.second.read_text(encoding="utf-8"))
    joined = join(
        json.loads(payload),
        second,
        source=args.first.as_posix(),
        sha256=hashlib.sha256(payload).hexdigest(),
    )
    args.second.write_text(
        json.dumps(joined, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    curve = joined["learning_curve"]
    print(f"joined: {len(curve)} evaluations, kept step {joined['selection']['step']:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
