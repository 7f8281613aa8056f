"""training/fewshot_gemma.py: the prompt, the example draw, and the committed record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import fewshot_gemma as job
import pytest

from nlpguide.data import TRANSLATION_SHA256

RECORD = Path(__file__).resolve().parents[2] / "training" / "records" / "gemma3_270m_fewshot.json"


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(RECORD.read_text(encoding="utf-8"))
    return result


class TestPrompt:
    def test_layout(self) -> None:
        """Example blocks, a blank line between them, then the source with an open French line."""
        text = job.prompt([("Open file.", "Ouvrir le fichier."), ("Go!", "Va !")], "Stop.")
        assert text == (
            "English: Open file.\nFrench: Ouvrir le fichier.\n\n"
            "English: Go!\nFrench: Va !\n\n"
            "English: Stop.\nFrench:"
        )

    def test_examples_are_short_sentences(self) -> None:
        """The draw keeps 3 to 10 English words ending like a sentence, and is seeded."""
        pairs = [
            ("Open", "Ouvrir"),
            ("Save the file now.", "Enregistrez le fichier."),
            ("We must go!", "Nous devons partir !"),
            ("Is it far?", "Est-ce loin ?"),
            ("Close all the windows of the open documents in the current session now.", "x"),
            ("Insert a table", "Insérer un tableau"),
        ]
        shots = job.examples(pairs, seed=0)
        assert sorted(shots) == sorted(pairs[1:4])
        assert job.examples(pairs, seed=0) == shots

    def test_read_pairs(self, tmp_path: Path) -> None:
        """A split file's rows come back as (english, french)."""
        path = tmp_path / "train.tsv"
        path.write_text("english\tfrench\tsource\nOpen\tOuvrir\tx:y.mo\n", encoding="utf-8")
        assert job.read_pairs(path) == [("Open", "Ouvrir")]


class TestRecord:
    def test_measured_on_the_shipped_test_splits(self, record: dict[str, Any]) -> None:
        """Both domains were scored on 100 seeded pairs of the shipped test splits, as hashed now."""
        for domain, stem in (("software", "test"), ("general", "general_test")):
            entry = record["domains"][domain]
            assert entry["test_split_sha256"] == TRANSLATION_SHA256[stem]
            assert entry["sample"]["pairs"] == len(entry["sample"]["indices"]) == 100
            assert len(entry["shots"]) == 3

    def test_figures_agree(self, record: dict[str, Any]) -> None:
        """The margin over copying is the difference of the recorded scores."""
        for entry in record["domains"].values():
            assert entry["chrf_above_copy"] == round(
                entry["gemma"]["chrf"] - entry["copy_english"]["chrf"], 2
            )
            assert 0.0 <= entry["gemma"]["bleu"] <= 100.0
            assert entry["seconds_per_sentence"] > 0

    def test_model_and_licence(self, record: dict[str, Any]) -> None:
        """The record names the package, its licence terms and the GGUF's sha256."""
        model = record["model"]
        assert model["package"] == job.PACKAGE
        assert "Gemma Terms of Use" in model["licence"]
        assert len(model["gguf_sha256"]) == 64
        assert model["class"] == "Gemma3ForCausalLM"

    def test_lesson_sentence(self, record: dict[str, Any]) -> None:
        """The lesson's sentence went through the model with each domain's examples."""
        for entry in record["domains"].values():
            assert entry["lesson_sentence"]["english"] == job.LESSON
            assert entry["lesson_sentence"]["output"]
