"""Bad-input fuzzing of :mod:`nlpguide.models.finetune` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fuzz_support import (
    BAD_PROBABILITY,
    JUNK,
    NON_STR,
    TEXT,
    WORDY,
    bad_count,
    check_plain_record,
    contract,
    draw_broken,
    fuzz,
    rejects,
)
from hypothesis import given
from hypothesis import strategies as st

from nlpguide.models import finetune

#: Bad real numbers, huge ints included (float() of one overflows).
BAD_REAL = BAD_PROBABILITY.filter(lambda v: v is not None)
FINETUNE_BAD: dict[str, st.SearchStrategy[Any]] = {
    "model_name": st.one_of(st.sampled_from(["", "  "]), NON_STR.filter(lambda v: v is not None)),
    "lora": st.sampled_from([1, 0, "yes", None]),
    "max_steps": bad_count(1),
    "batch_size": bad_count(1),
    "max_length": st.one_of(bad_count(1), st.sampled_from([513, 10**6])),
    "learning_rate": st.one_of(BAD_REAL, st.just(0.0)),
    "weight_decay": BAD_REAL,
    "warmup": st.one_of(BAD_REAL, st.just(1.0)),
    "lora_r": bad_count(1),
    "lora_alpha": bad_count(1),
    "lora_dropout": st.one_of(BAD_REAL, st.just(1.0)),
    "lora_targets": st.sampled_from([(), [], ("",), "query", ("query", 3), None]),
    "seed": bad_count(0),
    "eval_split": st.one_of(
        st.sampled_from(["train", "Test", "", None, ["test"]]),
        TEXT.filter(lambda t: t not in ("test", "validation")),
    ),
    "eval_batch_size": bad_count(1),
    "device": st.one_of(
        st.sampled_from(["cuda", "CPU", "", None, 0]),
        TEXT.filter(lambda t: t not in ("cpu", "auto")),
    ),
}
FINETUNE_GOOD: dict[str, st.SearchStrategy[Any]] = {
    "model_name": st.one_of(st.none(), WORDY),
    "lora": st.booleans(),
    "max_steps": st.integers(1, 10**6),
    "batch_size": st.integers(1, 4096),
    "max_length": st.integers(1, 512),
    "learning_rate": st.one_of(st.none(), st.floats(1e-9, 1.0)),
    "weight_decay": st.floats(0, 1),
    "warmup": st.floats(0, 0.999),
    "lora_r": st.integers(1, 256),
    "lora_alpha": st.integers(1, 256),
    "lora_dropout": st.floats(0, 0.999),
    "lora_targets": st.lists(
        st.sampled_from(["query", "key", "value", "dense"]), min_size=1, max_size=3
    ).map(tuple),
    "seed": st.integers(0, 2**32 - 1),
    "eval_split": st.sampled_from(["test", "validation"]),
    "eval_batch_size": st.integers(1, 4096),
    "device": st.sampled_from(["cpu", "auto"]),
}


@st.composite
def finetune_settings(draw: Any) -> tuple[dict[str, Any], frozenset[str]]:
    """Keyword settings with up to two of them spoiled."""
    broken = draw_broken(draw, sorted(FINETUNE_BAD))
    chosen = draw(st.sets(st.sampled_from(sorted(FINETUNE_GOOD)), max_size=5), label="given")
    kwargs = {n: draw(FINETUNE_GOOD[n], label=n) for n in chosen - broken}
    kwargs |= {n: draw(FINETUNE_BAD[n], label=n) for n in broken}
    return kwargs, broken


class TestFinetune:
    @fuzz(300)
    @given(case=finetune_settings())
    def test_settings(self, case: tuple[dict[str, Any], frozenset[str]]) -> None:
        """FineTuneSettings keeps valid knobs (JSON round trip) and names a bad one."""
        kwargs, broken = case

        def sane(s: finetune.FineTuneSettings) -> None:
            assert finetune.FineTuneSettings(**json.loads(json.dumps(s.to_dict()))) == s
            assert 0 < s.lr <= 1

        contract(
            "nlpguide.models.finetune.FineTuneSettings",
            lambda: finetune.FineTuneSettings(**kwargs),
            broken,
            sane,
            names={"max_length": r"max_length"},
        )

    def test_settings_huge_number(self) -> None:
        """A real setting given as a huge int is a ValueError, not an OverflowError."""
        rejects(
            "nlpguide.models.finetune.FineTuneSettings",
            lambda: finetune.FineTuneSettings(weight_decay=10**400),
            "weight_decay",
        )

    def test_settings_seed_numpy_accepts(self) -> None:
        """A seed numpy cannot take (>= 2**32) is rejected up front, not after loading."""
        rejects(
            "nlpguide.models.finetune.FineTuneSettings",
            lambda: finetune.FineTuneSettings(seed=2**32),
            "seed",
        )

    @fuzz(200)
    @given(
        case=finetune_settings().filter(lambda c: bool(c[1])),
        cache=st.one_of(st.sampled_from(["off", "store", "reuse"]), TEXT, NON_STR),
        progress=st.one_of(st.booleans(), JUNK),
        settings_obj=st.one_of(st.none(), st.just(finetune.FineTuneSettings()), JUNK),
        unknown=st.dictionaries(
            st.sampled_from(["epochs", "lr", "max_step", "Lora"]), st.integers(), max_size=1
        ),
    )
    def test_finetune_classifier_checks_first(
        self,
        case: tuple[dict[str, Any], frozenset[str]],
        cache: Any,
        progress: Any,
        settings_obj: Any,
        unknown: dict[str, Any],
    ) -> None:
        """Bad settings, cache mode, progress flag or unknown keywords fail before training."""
        kwargs, _ = case

        def boom(*_args: Any, **_kw: Any) -> Any:
            raise AssertionError("finetune_classifier trained before checking its arguments")

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(finetune, "_train", boom)
            mp.setattr(finetune, "_cache_parts", boom)
            rejects(
                "nlpguide.models.finetune.finetune_classifier",
                lambda: finetune.finetune_classifier(
                    settings_obj, cache=cache, progress=progress, **kwargs, **unknown
                ),
            )

    def test_finetune_classifier_output_dir_checked_first(self) -> None:
        """A non-path output_dir is rejected before training starts."""

        def boom(*_args: Any, **_kw: Any) -> Any:
            raise AssertionError("finetune_classifier trained before checking output_dir")

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(finetune, "_train", boom)
            rejects(
                "nlpguide.models.finetune.finetune_classifier",
                lambda: finetune.finetune_classifier(output_dir=12345),  # type: ignore[arg-type]
                "output_dir",
            )

    @fuzz(80)
    @given(folder=st.one_of(NON_STR.filter(lambda v: not isinstance(v, bytes)), st.just("")))
    def test_save_result_folder(self, folder: Any) -> None:
        """save_result needs a path for a new folder; anything else fails before writing."""
        rejects(
            "nlpguide.models.finetune.save_result",
            lambda: finetune.save_result(None, folder),  # type: ignore[arg-type]
            errors=(ValueError, TypeError, FileExistsError),
        )

    def test_add_lora_checks_settings(self) -> None:
        """add_lora refuses anything but FineTuneSettings, naming settings, before loading peft."""
        bad: Any = {"lora": True}
        rejects(
            "nlpguide.models.finetune.add_lora", lambda: finetune.add_lora(None, bad), "settings"
        )

    @pytest.mark.parametrize(
        ("settings", "output_dir", "progress", "name"),
        [
            ({"max_steps": 2}, "x", False, "settings"),
            (finetune.FineTuneSettings(), 3, False, "output_dir"),
            (finetune.FineTuneSettings(), "x", 1, "progress"),
        ],
    )
    def test_build_trainer_checks_first(
        self, settings: Any, output_dir: Any, progress: Any, name: str
    ) -> None:
        """build_trainer refuses a bad settings, output_dir or progress by name."""
        rejects(
            "nlpguide.models.finetune.build_trainer",
            lambda: finetune.build_trainer(
                None, None, None, settings, output_dir=output_dir, progress=progress
            ),
            name,
        )

    def test_save_result_checks_result(self, tmp_path: Path) -> None:
        """save_result rejects something that is no FineTuneResult, before creating the folder."""
        rejects(
            "nlpguide.models.finetune.save_result",
            lambda: finetune.save_result(None, tmp_path / "new"),  # type: ignore[arg-type]
            "result",
        )

    @pytest.mark.models
    @fuzz(60)
    @given(
        folder=st.one_of(
            NON_STR.filter(lambda v: not isinstance(v, bytes)),
            st.sampled_from(["", "no/such/folder", "a\x00b", "/"]),
        )
    )
    def test_load_result(self, folder: Any) -> None:
        """load_result needs a folder holding a saved result: else TypeError / FileNotFoundError."""
        rejects(
            "nlpguide.models.finetune.load_result",
            lambda: finetune.load_result(folder),
            errors=(ValueError, TypeError, FileNotFoundError),
        )


class TestRecords:
    """Plain result records: they hold what they are given and print it."""

    RECORDS: tuple[tuple[str, Callable[..., Any]], ...] = (
        ("nlpguide.models.finetune.Prediction", finetune.Prediction),
        ("nlpguide.models.finetune.FineTuneResult", finetune.FineTuneResult),
    )

    @fuzz(60)
    @given(which=st.sampled_from(RECORDS), data=st.data())
    def test_plain_records(
        self, which: tuple[str, Callable[..., Any]], data: st.DataObject
    ) -> None:
        """A plain record keeps every field as given and reprs without error."""
        check_plain_record(*which, data)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.models.finetune.FineTuneSettings": "TestFinetune.test_settings",
    "nlpguide.models.finetune.finetune_classifier": "TestFinetune.test_finetune_classifier_checks_first",
    "nlpguide.models.finetune.save_result": "TestFinetune.test_save_result_folder",
    "nlpguide.models.finetune.load_result": "TestFinetune.test_load_result",
    "nlpguide.models.finetune.add_lora": "TestFinetune.test_add_lora_checks_settings",
    "nlpguide.models.finetune.build_trainer": "TestFinetune.test_build_trainer_checks_first",
    "nlpguide.models.finetune.Prediction": "TestRecords.test_plain_records",
    "nlpguide.models.finetune.FineTuneResult": "TestRecords.test_plain_records",
}
