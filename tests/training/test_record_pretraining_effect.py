"""training/record_pretraining_effect.py: the with/without stage-1 block of the shipped record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import record_pretraining_effect as rpe

from nlpguide.models import artefact_record

RECORDS = Path(__file__).resolve().parents[2] / "training" / "records"


def _run(pretrain: bool, chrf: float, steps: int = 10, **settings: Any) -> dict[str, Any]:
    stages: dict[str, Any] = {"multitask": {"timing": {"steps": steps, "train_s": 60.0}}}
    if pretrain:
        stages["pretrain"] = {
            "timing": {"steps": 4},
            "chunks": 99,
            "corpus": {"file": "corpus.txt", "words": 1000},
        }
    return {
        "settings": {"pretrain": pretrain, "lr": 5e-3, "max_steps": 10, **settings},
        "learning_curve": [{"step": 5, "validation_chrf": chrf - 1}],
        "selection": {"step": 5},
        "stages": stages,
        "metrics": {
            "test": {
                "translation": {"chrf": chrf, "bleu": chrf / 3, "decoding": {"greedy": True}},
                "copy_english": {"chrf": 26.0, "bleu": 7.0},
                "topic_exact_match_greedy": 0.9,
                "samples": [{"english": "a"}],
                "general": {
                    "translation": {"chrf": chrf - 10, "bleu": 2.0},
                    "copy_english": {"chrf": 18.0, "bleu": 1.0},
                },
            }
        },
    }


class TestPretrainingEffect:
    def test_gains_per_domain(self) -> None:
        """Gains are with minus without, per domain and metric, and for the topic task."""
        block = rpe.pretraining_effect(_run(True, 42.0, pretrain_corpus="c.txt"), _run(False, 40.0))
        assert block["gain"] == {
            "software_chrf": 2.0,
            "software_bleu": pytest.approx(0.67),
            "general_chrf": 2.0,
            "general_bleu": 0.0,
            "topic_exact_match": 0.0,
        }
        assert block["settings_that_differ"] == {
            "pretrain": [True, False],
            "pretrain_corpus": ["c.txt", None],
        }
        assert block["stage2_steps"] == 10

    def test_other_differences_are_refused(self) -> None:
        """Arms that differ beyond stage 1 are not a pre-training comparison."""
        with pytest.raises(ValueError, match="max_steps"):
            rpe.pretraining_effect(_run(True, 42.0), _run(False, 40.0, max_steps=20))

    def test_unequal_stage2_steps_are_refused(self) -> None:
        """A budget that stopped one arm early breaks the equal-steps rule."""
        with pytest.raises(ValueError, match="equal stage-2 steps, got 10 and 7"):
            rpe.pretraining_effect(_run(True, 42.0), _run(False, 40.0, steps=7))

    def test_order_matters(self) -> None:
        """The first record must be the arm with stage 1."""
        with pytest.raises(ValueError, match="pretrain: true"):
            rpe.pretraining_effect(_run(False, 40.0), _run(True, 42.0))


class TestArm:
    def test_figures_without_samples(self) -> None:
        """An arm keeps stage 1's corpus, the curve and both domains' scores, no samples."""
        block = rpe.arm(_run(True, 42.0), source="w.json", sha256="ab")
        assert block["stage1"]["corpus"] == {"file": "corpus.txt", "words": 1000}
        assert block["learning_curve"] == [{"step": 5, "validation_chrf": 41.0}]
        assert block["test"]["software"] == {
            "chrf": 42.0,
            "bleu": 14.0,
            "copy_english": {"chrf": 26.0, "bleu": 7.0},
        }
        assert block["test"]["general"]["chrf"] == 32.0
        assert "samples" not in json.dumps(block)

    def test_no_stage1(self) -> None:
        assert rpe.arm(_run(False, 40.0), source="w", sha256="0")["stage1"] is None


class TestMain:
    def test_rewrites_the_shipped_record(self, tmp_path: Path) -> None:
        """main() adds the block, with each arm's sha256, and keeps the rest."""
        shipped = tmp_path / "t5_record.json"
        with_arm, without_arm = tmp_path / "with.json", tmp_path / "without.json"
        shipped.write_text(json.dumps({"metrics": {"test": {"x": 1}}}), encoding="utf-8")
        with_arm.write_text(json.dumps(_run(True, 41.0)), encoding="utf-8")
        without_arm.write_text(json.dumps(_run(False, 40.0)), encoding="utf-8")
        assert rpe.main([str(shipped), str(with_arm), str(without_arm)]) == 0
        record = json.loads(shipped.read_text(encoding="utf-8"))
        assert record["metrics"] == {"test": {"x": 1}}
        block = record["pretraining_effect"]
        assert block["gain"]["software_chrf"] == 1.0
        assert {len(a["sha256"]) for a in block["arms"].values()} == {64}
        assert block["arms"]["without"]["stage1"] is None


class TestShippedRecord:
    def test_block_is_what_the_kept_arms_give(self, tmp_path: Path) -> None:
        """The shipped block is exactly what main() makes of the two committed arm records."""
        shipped = artefact_record("seq2seq")
        target = tmp_path / "t5_record.json"
        target.write_text(json.dumps({}), encoding="utf-8")
        with_arm, without_arm = (
            RECORDS / "t5_pretraining_with_corpus.json",
            RECORDS / "t5_pretraining_without.json",
        )
        assert rpe.main([str(target), str(with_arm), str(without_arm)]) == 0
        rebuilt = json.loads(target.read_text(encoding="utf-8"))["pretraining_effect"]
        for block in (rebuilt, shipped["pretraining_effect"]):
            for arm in block["arms"].values():
                arm.pop("source")  # where the files lay when the block was made
        assert rebuilt == shipped["pretraining_effect"]
        assert rebuilt["stage2_steps"] == 1800
