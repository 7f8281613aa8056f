"""training/train_t5_multitask.py end to end on a tiny budget: both stages, the record, the files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import train_t5_multitask as job

from nlpguide.data import translation_pairs
from nlpguide.models.t5 import RECORD_FILE, load_t5, read_record

pytestmark = [pytest.mark.models, pytest.mark.slow]

LESSON_PAIR = ("The house is wonderful.", "La maison est merveilleuse.")

#: A one-layer, 16-wide T5, 2 pre-training and 3 mixture steps on 200 pairs and 40 articles.
TINY = [
    *("--budget-minutes", "2", "--max-steps", "3", "--pretrain-max-steps", "2"),
    *("--train-pairs-limit", "200", "--bbc-train-limit", "40", "--val-pairs", "8"),
    *("--test-pairs-limit", "20", "--sp-vocab", "300", "--d-model", "16", "--d-kv", "4"),
    *("--d-ff", "32", "--num-layers", "1", "--num-decoder-layers", "1", "--num-heads", "2"),
    *("--eval-every", "1", "--init-embeddings", "random", "--max-source-tokens", "24"),
    *("--max-target-tokens", "8", "--warmup-steps", "0", "--batch-size", "4"),
    *("--pretrain-tokens", "16", "--threads", "1"),
]


def tiny_main(out: Path, *flags: str) -> tuple[int, str]:
    """main() with TINY and ``flags`` into ``out``: its exit code and printed summary."""
    lines: list[str] = []
    patch = pytest.MonkeyPatch()
    patch.setattr("builtins.print", lambda *a, **_kw: lines.append(" ".join(map(str, a))))
    # The train splits are not shipped: the job rebuilds them from downloaded packages,
    # which a test machine (offline) cannot fetch. The shipped validation pairs of each
    # domain stand in (the general ones with the lesson's sentence slipped in, which the
    # job's guard must drop); the loader's own check is tested below.
    stand_in = {
        "train": [(p.english, p.french) for p in translation_pairs("validation")],
        "general_train": [
            (p.english, p.french) for p in translation_pairs("validation", domain="general")
        ]
        + [LESSON_PAIR] * 5,
    }
    patch.setattr(
        job, "load_train_pairs", lambda _path, split: (stand_in[split], {"stand_in": True})
    )
    try:
        code = job.main([*TINY, *flags, "--out", str(out)])
    finally:
        patch.undo()
    return code, lines[-1]  # main() prints its summary last


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path, str]:
    """Run the job once into a temporary folder: its exit code, folder and printed summary."""
    out = tmp_path_factory.mktemp("t5mt")
    corpus = out.parent / "corpus.txt"
    corpus.write_text("Open the file in the editor.\nOuvrez le fichier dans l'éditeur.\n")
    code, printed = tiny_main(out, "--pretrain-corpus", str(corpus))
    return code, out, printed


@pytest.fixture(scope="module")
def continued(run: tuple[int, Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second leg: ``run``'s T5 continued for 2 more stage-2 steps, evaluated every 5."""
    out = tmp_path_factory.mktemp("t5mt_leg2")
    code, _ = tiny_main(
        out, "--init-from", str(run[1]), "--no-pretrain", "--max-steps", "2", "--eval-every", "5"
    )
    assert code == 0
    return out


class TestTinyRun:
    def test_exit_code_and_files(self, run: tuple[int, Path, str]) -> None:
        """main() returns 0 and writes the weights, tokenizer and record into --out."""
        code, out, _ = run
        assert code == 0
        assert sorted(p.name for p in out.iterdir()) == sorted(
            [
                "config.json",
                "generation_config.json",
                "model.safetensors",
                "spiece.model",
                RECORD_FILE,
            ]
        )

    def test_both_stages_ran(self, run: tuple[int, Path, str]) -> None:
        """Stage 1 (span corruption) and stage 2 (the mixture) each took their step cap."""
        record = read_record(run[1])
        assert record["stages"]["pretrain"]["timing"]["steps"] == 2
        assert record["stages"]["multitask"]["timing"]["steps"] == 3
        assert record["stages"]["multitask"]["timing"]["stopped"] == "max_steps"
        corpus = record["stages"]["pretrain"]["corpus"]
        assert (corpus["file"], corpus["paragraphs"], corpus["words"]) == ("corpus.txt", 2, 11)
        assert len(corpus["sha256"]) == 64
        counts = record["stages"]["multitask"]["examples_per_pass"]
        assert counts["translate_software"] == counts["translate_general"] == 200
        assert counts["translate"] == 400
        assert counts["topic"] == round(400 * 0.1 / 0.85)

    def test_learning_curve(self, run: tuple[int, Path, str]) -> None:
        """One point per evaluation, per domain, the average choosing; seconds never go back."""
        record = read_record(run[1])
        curve = record["learning_curve"]
        assert [p["step"] for p in curve] == [1, 2, 3]
        seconds = [p["train_s"] for p in curve]
        assert seconds == sorted(seconds)
        for p in curve:
            assert 0.0 <= p["software_chrf"] <= 100.0
            assert 0.0 <= p["general_chrf"] <= 100.0
            assert p["validation_chrf"] == round((p["software_chrf"] + p["general_chrf"]) / 2, 2)
            assert 1 <= p["software_distinct_outputs"] <= 8
            assert 1 <= p["general_distinct_outputs"] <= 8
        chosen = max(p["validation_chrf"] for p in curve)
        assert record["selection"]["validation_chrf"] == chosen

    def test_lesson_sentence_never_trained_on(self, run: tuple[int, Path, str]) -> None:
        """The guard drops the lesson's sentence from the training pairs and says how often."""
        data = read_record(run[1])["data"]
        assert data["train_pairs"]["general"]["dropped_by_lesson_guard"] == 5
        assert data["train_pairs"]["software"]["dropped_by_lesson_guard"] == 0
        assert job.lesson_guard([LESSON_PAIR, ("Open", "Ouvrir")]) == ([("Open", "Ouvrir")], 1)

    def test_test_metrics_and_summary(self, run: tuple[int, Path, str]) -> None:
        """Test chrF/BLEU, the copy baseline and topic EM are recorded and printed last."""
        _, out, printed = run
        test = read_record(out)["metrics"]["test"]
        assert test["pairs"] == 20
        assert test["bbc_articles"] == 221
        assert test["copy_english"]["chrf"] > 0
        assert test["chrf_above_copy"] == round(
            test["translation"]["chrf"] - test["copy_english"]["chrf"], 2
        )
        assert 0.0 <= test["topic_exact_match_greedy"] <= 1.0
        general = test["general"]
        assert general["pairs"] == 20
        assert general["copy_english"]["chrf"] > 0
        assert general["chrf_above_copy"] == round(
            general["translation"]["chrf"] - general["copy_english"]["chrf"], 2
        )
        summary = json.loads(printed)
        assert summary["translation"] == test["translation"]
        assert summary["general"]["translation"] == general["translation"]

    def test_tokenizer_covers_french(self, run: tuple[int, Path, str]) -> None:
        """The record measures the tokenizer on the validation French: few unknown pieces."""
        coverage = read_record(run[1])["tokenizer"]["validation_french"]
        assert coverage["strings"] == 1000
        assert coverage["unk_rate"] < 0.01

    def test_weights_fp16_and_loadable(self, run: tuple[int, Path, str]) -> None:
        """The weights are fp16 safetensors that nlpguide.models.t5.load_t5 reads back."""
        from safetensors import safe_open

        _, out, _ = run
        with safe_open(str(out / "model.safetensors"), "pt") as f:
            assert {str(f.get_tensor(k).dtype) for k in f.keys()} == {"torch.float16"}  # noqa: SIM118
        tok, model = load_t5(out)
        assert tok.model_max_length == 24
        assert read_record(out)["model"]["within_15_mb"] is True
        assert type(model).__name__ == "T5ForConditionalGeneration"

    def test_generation_config_holds_the_guards(self, run: tuple[int, Path, str]) -> None:
        """The saved generation config carries the recipe's n-gram guard, as the record says."""
        _, out, _ = run
        stored = json.loads((out / "generation_config.json").read_text(encoding="utf-8"))
        assert stored["no_repeat_ngram_size"] == job.Settings().no_repeat_ngram_size == 3
        assert stored["max_new_tokens"] == 32
        assert read_record(out)["model"]["generation_config"] == stored


class TestContinuedRun:
    def test_starts_from_the_folder(self, run: tuple[int, Path, str], continued: Path) -> None:
        """--init-from: the folder's tokenizer, its weights named by sha256, stage 2 only."""
        first = read_record(run[1])
        record = read_record(continued)
        assert (continued / "spiece.model").read_bytes() == (run[1] / "spiece.model").read_bytes()
        assert record["init_from"] == {
            "folder": run[1].name,
            "weights_sha256": first["model"]["weights_sha256"],
            "spiece_sha256": first["tokenizer"]["spiece_sha256"],
        }
        assert list(record["stages"]) == ["multitask"]
        assert record["stages"]["multitask"]["timing"]["steps"] == 2
        assert record["model"]["weights_sha256"] != first["model"]["weights_sha256"]
        assert first["init_from"] is None

    def test_last_step_is_evaluated(self, continued: Path) -> None:
        """The weights at max_steps compete for "best" even off the evaluation interval."""
        record = read_record(continued)
        assert [p["step"] for p in record["learning_curve"]] == [2]
        assert record["selection"]["step"] == 2


class TestPieces:
    def test_translate_source_uses_frame(self) -> None:
        """The job frames pairs with the package's translate prefix, T5's own wording."""
        ((task, source, target),) = job.mixture_examples(
            [("Open file", "Ouvrir le fichier")], [], job.Settings(mix_topic=0, mix_headline=0)
        )
        assert (task, source, target) == (
            "translate",
            "translate English to French: Open file",
            "Ouvrir le fichier",
        )

    def test_chrf_bleu_perfect_and_wrong(self) -> None:
        """sacrebleu's scores: 100 for an exact copy of the reference, far less for a miss."""
        same = "Ouvrir le fichier de configuration"
        assert job.chrf_bleu([same], [same]) == {"chrf": 100.0, "bleu": 100.0}
        assert job.chrf_bleu(["Fermer"], ["Ouvrir"])["chrf"] < 20

    def test_mixture_proportions(self) -> None:
        """Topic and headline examples come in proportion to their weights."""
        from nlpguide.data import Article

        arts = [Article("a/1.txt", "T", "one two three", "tech")]
        ex = job.mixture_examples(
            [("Open", "Ouvrir")] * 10,
            arts,
            job.Settings(mix_translate=0.5, mix_topic=0.2, mix_headline=0.1),
        )
        assert [t for t, _, _ in ex].count("topic") == 4
        assert [t for t, _, _ in ex].count("headline") == 2


class TestArguments:
    def test_init_from_needs_no_pretrain(self) -> None:
        """Continuing a trained T5 with stage 1 again is refused, naming the flag to add."""
        with pytest.raises(ValueError, match="--no-pretrain"):
            job.Settings(init_from="some/folder")

    def test_train_file_with_another_hash_is_refused(self, tmp_path: Path) -> None:
        """A train.tsv whose sha256 differs from SOURCES.json's is refused, naming both."""
        tsv = tmp_path / "train.tsv"
        tsv.write_text("english\tfrench\tsource\nOpen\tOuvrir\tx\n", encoding="utf-8")
        with pytest.raises(RuntimeError, match=r"SOURCES\.json records"):
            job.load_train_pairs(str(tsv))
        with pytest.raises(RuntimeError, match=r"general_train\.tsv"):
            job.load_train_pairs(str(tsv), "general_train")

    def test_bad_settings_fail_before_work(self, tmp_path: Path) -> None:
        """A bad setting is a ValueError naming it, raised before anything is written."""
        with pytest.raises(ValueError, match="pretrain_share"):
            job.main(["--pretrain-share", "1.5", "--out", str(tmp_path / "never")])
        with pytest.raises(ValueError, match="lr_schedule"):
            job.main(["--lr-schedule", "steep", "--out", str(tmp_path / "never")])
        with pytest.raises(ValueError, match="optimizer must be one of"):
            job.main(["--optimizer", "sgd", "--out", str(tmp_path / "never")])
        with pytest.raises(ValueError, match="device must be one of"):
            job.main(["--device", "tpu", "--out", str(tmp_path / "never")])
        assert not (tmp_path / "never").exists()

    def test_cuda_without_gpu(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """--device cuda where torch sees no GPU is a ValueError, raised before anything is written."""
        import torch

        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
        with pytest.raises(ValueError, match="device is 'cuda'"):
            job.main(["--device", "cuda", "--out", str(tmp_path / "never")])
        assert not (tmp_path / "never").exists()

    def test_adafactor_scales_updates_by_each_weight(self) -> None:
        """--optimizer adafactor hands the Trainer T5's Adafactor, updates scaled per weight."""
        import torch
        from transformers.optimization import Adafactor

        model = torch.nn.Linear(4, 4)
        assert job._optimizers(job.Settings(), model, stage="multitask") == (None, None)
        settings = job.Settings(optimizer="adafactor", lr=5e-3, pretrain_lr=1e-2)
        optimizer, scheduler = job._optimizers(settings, model, stage="multitask")
        assert isinstance(optimizer, Adafactor)
        assert scheduler is None
        group = optimizer.param_groups[0]
        assert (group["lr"], group["scale_parameter"], group["relative_step"]) == (
            5e-3,
            True,
            False,
        )
        pretrain, _ = job._optimizers(settings, model, stage="pretrain")
        assert pretrain.param_groups[0]["lr"] == 1e-2

    def test_unknown_flag(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown flag is argparse's usage error (exit 2), naming the flag."""
        with pytest.raises(SystemExit) as info:
            job.main(["--no-such-flag"])
        assert info.value.code == 2
        assert "--no-such-flag" in capsys.readouterr().err
