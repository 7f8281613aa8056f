"""training/train_t5.py end to end on a tiny budget: main() writes a T5 artefact the package loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import train_t5

from nlpguide.models.t5 import RECORD_FILE, generate_texts, load_t5, read_record, source_text

pytestmark = [pytest.mark.models, pytest.mark.slow]

#: Two steps of a one-layer, 16-wide T5 on the real split: every stage runs in under a minute.
TINY = [
    *("--max-steps", "2", "--batch-size", "4", "--sp-vocab", "200", "--d-model", "16"),
    *("--d-kv", "4", "--d-ff", "32", "--num-layers", "1", "--num-decoder-layers", "1"),
    *("--num-heads", "2", "--eval-every", "1", "--threads", "1", "--max-source-tokens", "24"),
    *("--max-target-tokens", "8", "--eval-batch-size", "64", "--warmup-steps", "0"),
    *("--init-embeddings", "random"),
]
ARTEFACT_FILES = [
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "spiece.model",
    RECORD_FILE,
]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path, str]:
    """Run the job once into a temporary folder: its exit code, folder and printed summary."""
    out = tmp_path_factory.mktemp("t5")
    lines: list[str] = []
    patch = pytest.MonkeyPatch()
    patch.setattr("builtins.print", lambda *a, **_kw: lines.append(" ".join(map(str, a))))
    try:
        code = train_t5.main([*TINY, "--out", str(out)])
    finally:
        patch.undo()
    return code, out, lines[-1]  # main() prints its summary last


class TestTinyRun:
    def test_exit_code_and_files(self, run: tuple[int, Path, str]) -> None:
        """main() returns 0 and writes the artefact's five files into --out, nothing else."""
        code, out, _ = run
        assert code == 0
        assert sorted(p.name for p in out.iterdir()) == sorted(ARTEFACT_FILES)

    def test_record(self, run: tuple[int, Path, str]) -> None:
        """The record holds the settings given, the step count, the data and the test metrics."""
        _, out, printed = run
        record = read_record(out)
        assert record["settings"]["max_steps"] == 2
        assert record["settings"]["d_model"] == 16
        assert record["timing"]["steps"] == 2
        assert record["timing"]["stopped"] == "max_steps"
        assert record["data"]["train_articles"] == 1781
        test = record["metrics"]["test"]
        assert test["articles"] == 221
        assert 0.0 <= test["topic_exact_match_greedy"] <= 1.0
        summary = json.loads(printed)
        assert summary == {k: v for k, v in test.items() if k != "samples"}

    def test_weights_are_fp16(self, run: tuple[int, Path, str]) -> None:
        """The saved weights are fp16: the artefact ships at half size."""
        from safetensors import safe_open

        _, out, _ = run
        with safe_open(str(out / "model.safetensors"), "pt") as f:
            assert {str(f.get_tensor(k).dtype) for k in f.keys()} == {"torch.float16"}  # noqa: SIM118

    def test_package_loads_it(self, run: tuple[int, Path, str]) -> None:
        """nlpguide.models.t5 loads the new folder and generates from it, cut at its input length."""
        _, out, _ = run
        tok, model = load_t5(out)
        assert tok.model_max_length == 24
        framed = source_text("topic", "Arsenal win", "Arsenal beat Chelsea 2-0.")
        (text,) = generate_texts(tok, model, [framed], max_source_tokens=24, max_new_tokens=4)
        assert isinstance(text, str)


class TestArguments:
    def test_bad_settings_fail_before_work(self, tmp_path: Path) -> None:
        """A non-positive size is a ValueError naming it, raised before anything is written."""
        with pytest.raises(ValueError, match="max_steps"):
            train_t5.main(["--max-steps", "0", "--out", str(tmp_path / "never")])
        assert not (tmp_path / "never").exists()

    def test_unknown_flag(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown flag is argparse's usage error (exit 2), naming the flag."""
        with pytest.raises(SystemExit) as info:
            train_t5.main(["--no-such-flag"])
        assert info.value.code == 2
        assert "--no-such-flag" in capsys.readouterr().err
