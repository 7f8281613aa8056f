"""training/train_headline_lora.py end to end on a tiny budget: main() writes an adapter peft loads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import train_headline_lora as job
from safetensors import safe_open

from nlpguide.models.headlines import RECORD_FILE, read_record

pytestmark = [pytest.mark.models, pytest.mark.slow]

#: One step of a rank-2 adapter on one layer, 16-token leads, three test articles.
TINY = [
    *("--max-steps", "1", "--batch-size", "2", "--lora-layers", "1", "--lora-r", "2"),
    *("--lead-tokens", "16", "--eval-every", "1", "--eval-articles", "2"),
    *("--test-articles", "3", "--max-new-tokens", "6", "--threads", "1", "--log-every", "1"),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path, dict[str, Any]]:
    """Run the job once into a temporary folder: its exit code, folder and printed summary."""
    out = tmp_path_factory.mktemp("headline_lora")
    lines: list[str] = []
    patch = pytest.MonkeyPatch()
    patch.setattr("builtins.print", lambda *a, **_kw: lines.append(" ".join(map(str, a))))
    try:
        code = job.main([*TINY, "--out", str(out)])
    finally:
        patch.undo()
    return code, out, json.loads(lines[-1])  # main() prints its summary last


class TestTinyRun:
    def test_exit_code_and_files(self, run: tuple[int, Path, dict[str, Any]]) -> None:
        """main() returns 0 and writes the adapter, its config and the record, nothing else."""
        code, out, _ = run
        assert code == 0
        assert sorted(p.name for p in out.iterdir()) == sorted(
            ["adapter_config.json", "adapter_model.safetensors", RECORD_FILE]
        )

    def test_adapter_is_fp16_on_the_upper_layer(
        self, run: tuple[int, Path, dict[str, Any]]
    ) -> None:
        """The saved tensors are fp16 LoRA matrices of the last layer only, config naming the hub."""
        _, out, _ = run
        with safe_open(str(out / "adapter_model.safetensors"), framework="pt") as f:
            names = list(f.keys())
            assert {str(f.get_tensor(k).dtype) for k in names} == {"torch.float16"}
        assert names
        assert all(".layers.29." in n and "lora_" in n for n in names)
        config = json.loads((out / "adapter_config.json").read_text(encoding="utf-8"))
        assert config["base_model_name_or_path"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
        assert config["r"] == 2

    def test_record(self, run: tuple[int, Path, dict[str, Any]]) -> None:
        """The record holds the settings, data hashes, steps and every model's test ROUGE-L."""
        _, out, printed = run
        record = read_record(out)
        assert record["settings"]["lora_r"] == 2
        assert record["timing"]["steps"] == 1
        assert record["timing"]["stopped"] == "max_steps"
        assert record["data"]["train_articles"] == 1781
        assert len(record["data"]["train_sha256"]) == 64
        test = record["metrics"]["test"]
        assert test["articles"] == 3
        assert set(test["rouge_l_f1"]) == {"lead8", "smollm2_lora", "smollm2_zero_shot", "t5"}
        assert all(0.0 <= v <= 1.0 for v in test["rouge_l_f1"].values())
        assert printed["test_lead8"] == round(test["rouge_l_f1"]["lead8"], 4)
        assert record["history"][0]["step"] == 1


class TestPieces:
    def test_collate_puts_targets_last(self) -> None:
        """Left padding ends every target at the last position; labels cover targets only."""
        batch = job.collate([([1, 2, 3], [7, 8]), ([4], [9])], pad_id=0)
        assert batch["input_ids"].tolist() == [[1, 2, 3, 7, 8], [0, 0, 0, 4, 9]]
        assert batch["attention_mask"].tolist() == [[1, 1, 1, 1, 1], [0, 0, 0, 1, 1]]
        assert batch["labels"].tolist() == [[7, 8], [-100, 9]]
        assert batch["position_ids"].tolist() == [[0, 1, 2, 3, 4], [0, 0, 0, 0, 1]]

    @pytest.mark.parametrize(
        "bad", [{"lora_layers": 0}, {"lr": 0.0}, {"max_steps": -1}, {"batch_size": 0}]
    )
    def test_settings_refuse_bad_values(self, bad: dict[str, Any]) -> None:
        """A non-positive knob is a ValueError naming it."""
        with pytest.raises(ValueError, match=next(iter(bad))):
            job.Settings(**bad)
