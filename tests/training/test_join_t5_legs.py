"""training/join_t5_legs.py: one record for a T5 trained in two sittings."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import join_t5_legs as jl
import pytest

from nlpguide.models import artefact_record

FIRST_LEG = Path(__file__).resolve().parents[2] / "training" / "records" / "t5_multitask_leg1.json"


def _first() -> dict[str, Any]:
    return {
        "model": {"weights_sha256": "leg1"},
        "settings": {"pretrain": True, "lr": 5e-3},
        "stages": {
            "pretrain": {"timing": {"steps": 600, "train_s": 100.0}},
            "multitask": {"timing": {"steps": 20, "train_s": 1000.0}},
        },
        "learning_curve": [
            {"step": 10, "train_s": 500.0, "train_s_with_pretrain": 600.0},
            {"step": 20, "train_s": 1000.0, "train_s_with_pretrain": 1100.0},
        ],
        "selection": {"step": 20},
        "pretraining_effect": {"gain": {"software_chrf": 1.0}},
    }


def _second(started_from: str = "leg1") -> dict[str, Any]:
    return {
        "model": {"weights_sha256": "leg2"},
        "settings": {"pretrain": False, "lr": 1e-3},
        "init_from": {"weights_sha256": started_from},
        "stages": {"multitask": {"timing": {"steps": 8, "train_s": 400.0}}},
        "learning_curve": [
            {"step": 4, "train_s": 200.0, "train_s_with_pretrain": 200.0},
            {"step": 8, "train_s": 400.0, "train_s_with_pretrain": 400.0},
        ],
        "selection": {"step": 8, "validation_chrf": 33.0},
    }


class TestJoin:
    def test_one_curve_counted_from_the_first_sitting(self) -> None:
        """The second sitting's points follow the first's in steps and training seconds."""
        curve = jl.join(_first(), _second(), source="f.json", sha256="0")["learning_curve"]
        assert [(p["leg"], p["step"]) for p in curve] == [(1, 10), (1, 20), (2, 24), (2, 28)]
        assert [p["train_s"] for p in curve] == [500.0, 1000.0, 1200.0, 1400.0]
        assert [p["train_s_with_pretrain"] for p in curve] == [600.0, 1100.0, 1300.0, 1500.0]

    def test_selection_and_stages(self) -> None:
        """The kept step is in the joined count; stage 1 is the first sitting's."""
        joined = jl.join(_first(), _second(), source="f.json", sha256="0")
        assert joined["selection"] == {"step": 28, "validation_chrf": 33.0}
        assert joined["stages"]["pretrain"] == _first()["stages"]["pretrain"]
        assert joined["stages"]["multitask"] == _second()["stages"]["multitask"]
        assert joined["model"]["weights_sha256"] == "leg2"

    def test_first_leg_kept_whole_and_named(self) -> None:
        """FIRST is kept with its file and sha256; its pretraining_effect moves up a level."""
        joined = jl.join(_first(), _second(), source="f.json", sha256="abc")
        leg1 = joined["first_leg"]
        assert (leg1["source"], leg1["sha256"]) == ("f.json", "abc")
        assert "pretraining_effect" not in leg1
        assert leg1["settings"] == _first()["settings"]
        assert joined["pretraining_effect"] == _first()["pretraining_effect"]

    def test_records_that_do_not_chain_are_refused(self) -> None:
        """A second sitting that started from other weights is not joined."""
        with pytest.raises(ValueError, match="did not start from the first one's weights"):
            jl.join(_first(), _second("other"), source="f.json", sha256="0")
        no_init = {k: v for k, v in _second().items() if k != "init_from"}
        with pytest.raises(ValueError, match="init_from"):
            jl.join(_first(), no_init, source="f.json", sha256="0")


class TestMain:
    def test_rewrites_the_second_record(self, tmp_path: Path) -> None:
        """main() rewrites SECOND in place, naming FIRST by its sha256."""
        first, second = tmp_path / "first.json", tmp_path / "second.json"
        first.write_text(json.dumps(_first()), encoding="utf-8")
        second.write_text(json.dumps(_second()), encoding="utf-8")
        assert jl.main([str(first), str(second)]) == 0
        joined = json.loads(second.read_text(encoding="utf-8"))
        assert joined["first_leg"]["sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()
        assert joined["selection"]["step"] == 28


class TestShippedRecord:
    def test_first_leg_is_the_committed_record(self) -> None:
        """The shipped record joins training/records/t5_multitask_leg1.json, byte for byte."""
        shipped = artefact_record("seq2seq")
        first = json.loads(FIRST_LEG.read_text(encoding="utf-8"))
        assert shipped["first_leg"]["sha256"] == hashlib.sha256(FIRST_LEG.read_bytes()).hexdigest()
        assert shipped["init_from"]["weights_sha256"] == first["model"]["weights_sha256"]
        leg1_points = [p for p in shipped["learning_curve"] if p["leg"] == 1]
        assert leg1_points == [{**p, "leg": 1} for p in first["learning_curve"]]
        assert shipped["pretraining_effect"] == first["pretraining_effect"]
