"""The runnable examples: both fine-tunes train, save, reload and refuse bad arguments.

Each script runs as a user would run it, in a child process under the offline
guard, with very few steps (their figures are not the point here; the pages and
``tests/models/test_finetune.py`` check what the recipes learn). Runs under ``torchrun``
use two CPU processes (gloo): the distribution path the GPUs would take.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = [pytest.mark.models, pytest.mark.slow]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BERT = EXAMPLES / "finetune_bert.py"
T5 = EXAMPLES / "finetune_t5.py"


def _run(
    script: Path, *args: str, env: dict[str, str], processes: int = 1
) -> subprocess.CompletedProcess[str]:
    launcher = [sys.executable]
    if processes > 1:
        launcher += ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    return subprocess.run(
        [*launcher, str(script), *args],
        capture_output=True,
        text=True,
        env={**env, "OMP_NUM_THREADS": "1"},
        timeout=600,
        check=False,
    )


def _trained(
    tmp_path_factory: pytest.TempPathFactory,
    env: dict[str, str],
    script: Path,
    *args: str,
    processes: int = 1,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp(script.stem) / "run"
    result = _run(
        script, "--output-dir", str(out), "--device", "cpu", *args, env=env, processes=processes
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def _load_script(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _safetensor_keys(folder: Path) -> list[str]:
    from safetensors import safe_open

    with safe_open(str(folder / "model.safetensors"), "pt") as f:
        return list(f.keys())


@pytest.fixture(scope="module")
def bert_full(tmp_path_factory: pytest.TempPathFactory, offline_env: dict[str, str]) -> Any:
    return _trained(tmp_path_factory, offline_env, BERT, "--max-steps", "2")


@pytest.fixture(scope="module")
def bert_lora(tmp_path_factory: pytest.TempPathFactory, offline_env: dict[str, str]) -> Any:
    # Under torchrun (2 processes): one run covers LoRA and the distribution path.
    return _trained(tmp_path_factory, offline_env, BERT, "--max-steps", "2", "--lora", processes=2)


@pytest.fixture(scope="module")
def t5_full(tmp_path_factory: pytest.TempPathFactory, offline_env: dict[str, str]) -> Any:
    return _trained(tmp_path_factory, offline_env, T5, "--max-steps", "2", "--eval-limit", "6")


class TestBertExample:
    def test_saves_a_loadable_classifier(self, bert_full: tuple[Path, Any]) -> None:
        """The folder reloads through the model-name swap as a 5-topic classifier."""
        from transformers import AutoModelForSequenceClassification

        from nlpguide.models import encoder

        folder, result = bert_full
        _, model = encoder(str(folder), model_class=AutoModelForSequenceClassification)
        assert model.config.id2label[3] == "sport"
        assert f"saved to {folder}" in result.stdout

    def test_reports_what_it_measured(self, bert_full: tuple[Path, Any]) -> None:
        """The printed accuracy is the one recorded, measured on all 221 test articles."""
        from nlpguide.models.finetune import load_result

        folder, result = bert_full
        saved = load_result(folder)
        assert saved.settings.max_steps == 2
        assert len(saved.predictions) == 221
        assert f"held-out accuracy: {saved.accuracy:.1%} on 221 articles" in result.stdout
        assert "train articles cut to 96 tokens" in result.stdout

    def test_lora_trains_a_small_share_and_saves_merged(self, bert_lora: tuple[Path, Any]) -> None:
        """LoRA trains under 1% of the weights and saves a plain model (adapters merged)."""
        record = json.loads((bert_lora[0] / "finetune-result.json").read_text())
        assert record["settings"]["lora"] is True
        assert record["trainable_params"] / record["total_params"] < 0.01
        assert not [k for k in _safetensor_keys(bert_lora[0]) if "lora_" in k]

    def test_torchrun_distributes_the_same_command(self, bert_lora: tuple[Path, Any]) -> None:
        """Under torchrun (2 processes) the same command trains once and saves once."""
        folder, result = bert_lora
        assert "x 16 x 2 device(s)" in result.stdout
        assert result.stdout.count("saved to") == 1
        assert (
            json.loads((folder / "finetune-result.json").read_text())["settings"]["device"] == "cpu"
        )

    def test_epochs_become_steps_per_device(self) -> None:
        """One epoch of 1,781 articles is 112 steps of 16, or 56 on two devices."""
        script = _load_script(BERT)
        assert script.steps_for(1.0, 16, 1) == 112
        assert script.steps_for(1.0, 16, 2) == 56
        assert script.steps_for(0.001, 16, 1) == 1


class TestT5Example:
    def test_saves_a_loadable_t5_and_its_scores(self, t5_full: tuple[Path, Any]) -> None:
        """The folder reloads through seq2seq(name) and generates; metrics.json holds the scores."""
        from nlpguide.models import seq2seq
        from nlpguide.models.t5 import generate_texts, source_text

        folder, result = t5_full
        tok, model = seq2seq(str(folder))
        text = source_text("topic", "Arsenal win", "Arsenal beat Chelsea 2-0 on Saturday.")
        assert generate_texts(tok, model, [text], max_source_tokens=128, max_new_tokens=4)[0]
        record = json.loads((folder / "metrics.json").read_text())
        metrics = record["metrics"]
        assert record["steps"] == 2
        assert metrics["test_articles"] == 6
        assert 0 <= metrics["topic_exact_match"] <= 1
        assert 0 <= metrics["headline_rouge_l"] <= 1
        assert metrics["majority_topic"] == "sport"
        # --eval-limit samples the test split: its first articles are all one topic.
        assert len({e["topic"] for e in metrics["examples"]}) > 1
        assert f"{metrics['topic_exact_match']:.1%}" in result.stdout
        assert "training inputs cut to their first 128 tokens" in result.stdout

    def test_lora_under_torchrun(
        self, tmp_path_factory: pytest.TempPathFactory, offline_env: dict[str, str]
    ) -> None:
        """LoRA under torchrun: adapters only train, the first process saves a merged model."""
        folder, result = _trained(
            tmp_path_factory,
            offline_env,
            T5,
            "--max-steps",
            "2",
            "--eval-limit",
            "2",
            "--lora",
            processes=2,
        )
        record = json.loads((folder / "metrics.json").read_text())
        assert record["world_size"] == 2
        assert record["trainable_params"] / record["total_params"] < 0.05
        assert not [k for k in _safetensor_keys(folder) if "lora_" in k]
        assert result.stdout.count("saved to") == 1


class TestBadArguments:
    @pytest.mark.parametrize("script", [BERT, T5], ids=["bert", "t5"])
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--epochs", "0"], "--epochs must be a positive number"),
            (["--epochs", "nan"], "--epochs must be a positive number"),
            (["--epochs", "1", "--max-steps", "5"], "not allowed with argument"),
            (["--batch-size", "x"], "invalid int value"),
        ],
    )
    def test_refused_with_one_line_and_status_2(
        self,
        script: Path,
        args: list[str],
        message: str,
        tmp_path: Path,
        offline_env: dict[str, str],
    ) -> None:
        """Bad values stop the script before anything loads, with exit status 2."""
        result = _run(script, "--output-dir", str(tmp_path / "out"), *args, env=offline_env)
        assert result.returncode == 2
        assert message in result.stderr
        assert not (tmp_path / "out").exists()

    @pytest.mark.parametrize("script", [BERT, T5], ids=["bert", "t5"])
    def test_existing_output_is_never_overwritten(
        self, script: Path, tmp_path: Path, offline_env: dict[str, str]
    ) -> None:
        """A non-empty output folder is refused, and its files are left alone."""
        (tmp_path / "keep.txt").write_text("mine")
        result = _run(script, "--output-dir", str(tmp_path), env=offline_env)
        assert result.returncode == 2
        assert "is not an empty folder" in result.stderr
        assert (tmp_path / "keep.txt").read_text() == "mine"

    def test_bert_max_steps_zero_is_refused(
        self, tmp_path: Path, offline_env: dict[str, str]
    ) -> None:
        """--max-steps 0 is an error, not a silent fall-back to --epochs."""
        result = _run(
            BERT, "--output-dir", str(tmp_path / "o"), "--max-steps", "0", env=offline_env
        )
        assert result.returncode == 2
        assert "max_steps must be an int >= 1, got 0" in result.stderr
