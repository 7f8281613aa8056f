"""training/record_pretraining_effect.py: the with/without stage-1 block of the shipped record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import record_pretraining_effect as rpe


def _run(pretrain: bool, chrf: float, **settings: Any) -> dict[str, Any]:
    return {
        "settings": {"pretrain": pretrain, "lr": 5e-3, "max_steps": 10, **settings},
        "learning_curve": [{"step": 5, "validation_chrf": chrf - 1}],
        "selection": {"step": 5},
        "stages": {"multitask": {"timing": {"steps": 10, "train_s": 60.0}}},
        "metrics": {
            "test": {
                "translation": {"chrf": chrf, "bleu": chrf / 3},
                "topic_exact_match_greedy": 0.9,
                "samples": [{"english": "a"}],
            }
        },
    }


class TestPretrainingEffect:
    def test_gain_and_curve(self) -> None:
        """The block holds the gains and the run without stage 1, minus its samples."""
        block = rpe.pretraining_effect(
            _run(True, 42.0, pretrain_lr=1e-2), _run(False, 40.0), source="w.json", sha256="ab"
        )
        assert block["chrf_gain"] == 2.0
        assert block["bleu_gain"] == pytest.approx(0.67)
        assert block["settings_that_differ"] == {"pretrain": False, "pretrain_lr": None}
        assert block["without"]["learning_curve"] == [{"step": 5, "validation_chrf": 39.0}]
        assert "samples" not in block["without"]["test"]
        assert block["stage2_steps"] == {"with": 10, "without": 10}

    def test_other_differences_are_refused(self) -> None:
        """Runs that differ beyond stage 1 are not a pre-training comparison."""
        with pytest.raises(ValueError, match="max_steps"):
            rpe.pretraining_effect(
                _run(True, 42.0), _run(False, 40.0, max_steps=20), source="w", sha256="0"
            )

    def test_order_matters(self) -> None:
        """The first record must be the run with stage 1."""
        with pytest.raises(ValueError, match="pretrain: true"):
            rpe.pretraining_effect(_run(False, 40.0), _run(True, 42.0), source="w", sha256="0")


class TestMain:
    def test_rewrites_the_shipped_record(self, tmp_path: Path) -> None:
        """main() adds the block, with the second file's sha256, and keeps the rest."""
        shipped, without = tmp_path / "t5_record.json", tmp_path / "without.json"
        shipped.write_text(json.dumps(_run(True, 41.0)), encoding="utf-8")
        without.write_text(json.dumps(_run(False, 40.0)), encoding="utf-8")
        assert rpe.main([str(shipped), str(without)]) == 0
        record = json.loads(shipped.read_text(encoding="utf-8"))
        assert record["metrics"]["test"]["translation"]["chrf"] == 41.0
        block = record["pretraining_effect"]
        assert block["chrf_gain"] == 1.0
        assert len(block["sha256"]) == 64
