"""training/train_mlm.py end to end on a tiny budget: main() writes a delta the package can load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import train_mlm

from nlpguide.models._mlm_delta import DELTA_FILE, RECORD_FILE

pytestmark = [
    pytest.mark.models,
    pytest.mark.slow,
    # peft 0.x reads transformers 5's deprecated is_gradient_checkpointing when it wraps
    # the model: their deprecation, not the job's (the shipped delta was made the same way).
    pytest.mark.filterwarnings("ignore:`is_gradient_checkpointing` is deprecated:FutureWarning"),
]

#: Two steps of two 32-token blocks, rank-4 LoRA: seconds, yet every stage of the job runs.
TINY = [
    *("--steps", "2", "--batch-size", "2", "--block-size", "32", "--eval-blocks", "4"),
    *("--eval-every", "1", "--warmup-steps", "1", "--lora-r", "4", "--lora-alpha", "8.0"),
    *("--threads", "1"),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path, str]:
    """Run the job once into a temporary folder: its exit code, folder and printed summary."""
    out = tmp_path_factory.mktemp("mlm")
    capture = pytest.MonkeyPatch()
    lines: list[str] = []
    capture.setattr("builtins.print", lambda *a, **_kw: lines.append(" ".join(map(str, a))))
    try:
        code = train_mlm.main([*TINY, "--out", str(out)])
    finally:
        capture.undo()
    return code, out, lines[-1]  # main() prints its summary last


def _record(out: Path) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((out / RECORD_FILE.name).read_text(encoding="utf-8"))
    return record


class TestTinyRun:
    def test_exit_code_and_files(self, run: tuple[int, Path, str]) -> None:
        """main() returns 0 and writes exactly the delta and its record into --out."""
        code, out, _ = run
        assert code == 0
        assert sorted(p.name for p in out.iterdir()) == sorted([DELTA_FILE.name, RECORD_FILE.name])

    def test_record(self, run: tuple[int, Path, str]) -> None:
        """The record holds the settings given, one history entry per step and the final metrics."""
        _, out, printed = run
        record = _record(out)
        assert record["settings"]["steps"] == 2
        assert record["settings"]["lora_r"] == 4
        assert [e["step"] for e in record["history"]] == [1, 2]
        assert record["stopped"] == "steps"
        assert record["data"]["train_articles"] == 1781
        assert 0.0 <= record["final"]["probe_top5"] <= 1.0
        assert len(record["probe_samples"]) == 8
        assert json.loads(printed) == record["final"]

    def test_delta_loads_into_minilm(self, run: tuple[int, Path, str]) -> None:
        """The fp16 delta applies to MiniLM's masked-LM model the way the package applies it."""
        import torch
        from safetensors.torch import load_file
        from transformers import BertForMaskedLM

        from nlpguide._assets import locate
        from nlpguide.models._mlm_delta import apply_delta

        _, out, _ = run
        tensors = load_file(str(out / DELTA_FILE.name))
        assert {t.dtype for t in tensors.values()} == {torch.float16}
        assert sum(t.numel() for t in tensors.values()) == _record(out)["trainable_parameters"]
        model: Any = BertForMaskedLM.from_pretrained(locate("encoder"))
        before = model.bert.encoder.layer[0].attention.self.query.weight.clone()
        apply_delta(model, tensors, r=4, alpha=8.0)
        assert not torch.equal(before, model.bert.encoder.layer[0].attention.self.query.weight)
