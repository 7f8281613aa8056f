"""What the sentiment page claims about its numbers holds: its own cells, run once.

The page (``docs/bert/sentiment.md``) shows the whole fine-tuning recipe in the open, so
there is no package helper to share with it: this test runs the page's code cells, as
jupytext reads them, in one namespace (once per module) and checks the claims its prose
makes about the numbers it glues. Nothing of the page is retyped here.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "bert" / "sentiment.md"


def page_cells(path: Path = PAGE) -> list[str]:
    """The code cells of a MyST notebook page, in order (hidden cells included)."""
    import jupytext  # type: ignore[import-not-found]  # the docs and tests venvs have it

    notebook = jupytext.read(path)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


@pytest.fixture(scope="module")
def page() -> dict[str, Any]:
    """The namespace the page's cells leave behind (the build runs the same cells)."""
    import torch
    from transformers import PrinterCallback

    threads, on_log = torch.get_num_threads(), PrinterCallback.on_log  # the page quiets it
    namespace: dict[str, Any] = {"__name__": "sentiment_page"}
    try:
        with warnings.catch_warnings():
            # The page's kernel shows warnings as stderr output; here they would be errors.
            warnings.simplefilter("default")
            for number, source in enumerate(page_cells(), start=1):
                exec(compile(source, f"{PAGE.name}, cell {number}", "exec"), namespace)  # noqa: S102
    finally:
        torch.set_num_threads(threads)
        PrinterCallback.on_log = on_log  # type: ignore[method-assign]
    return namespace


@pytest.mark.models
@pytest.mark.slow
class TestSentimentPage:
    def test_fine_tunes_are_clear_of_the_majority_label(self, page: dict[str, Any]) -> None:
        """Both fine-tunes beat the majority label by more than two standard errors."""
        majority = page["baselines"]["always the majority label"]
        for result in (page["full"], page["lora"]):
            assert result["eval_accuracy"] > majority + page["two_se"]

    def test_lora_is_within_the_noise_of_the_full_fine_tune(self, page: dict[str, Any]) -> None:
        """The page reads full and LoRA as level: they differ by less than two standard errors."""
        gap = page["full"]["eval_accuracy"] - page["lora"]["eval_accuracy"]
        assert abs(gap) < page["two_se"]

    def test_word_vote_on_the_same_tokens_is_level(self, page: dict[str, Any]) -> None:
        """Given the model's tokens only, the word vote is within the noise of both fine-tunes."""
        seen = page["baselines"]["word vote, same tokens"]
        for result in (page["full"], page["lora"]):
            assert abs(result["eval_accuracy"] - seen) < page["two_se"]

    def test_word_vote_on_whole_reviews_wins(self, page: dict[str, Any]) -> None:
        """Reading every word, the word vote beats both fine-tunes of this budget (the page says so)."""
        words = page["baselines"]["word vote"]
        assert page["baselines"]["always the majority label"] < words
        for result in (page["full"], page["lora"]):
            assert result["eval_accuracy"] < words

    def test_test_reviews_are_held_out(self, page: dict[str, Any]) -> None:
        """No test review of the page is among its training reviews."""
        assert not set(page["train"]["text"]) & set(page["test"]["text"])

    def test_lora_trains_under_one_percent(self, page: dict[str, Any]) -> None:
        """LoRA's trainable parameters (adapters, pooler and head) are under 1% of the model."""
        model = page["lora_model"]
        trained = sum(p.numel() for p in model.parameters() if p.requires_grad)
        total = sum(p.numel() for p in model.parameters())
        assert 0 < trained < 0.01 * total

    def test_pipeline_answers_with_the_label_names(self, page: dict[str, Any]) -> None:
        """The pipeline names its labels and gets the page's two plain sentences right."""
        answers = page["classify"](page["sentences"])
        assert {a["label"] for a in answers} <= {"negative", "positive"}
        assert [a["label"] for a in answers[:2]] == ["positive", "negative"]
        assert all(0.5 <= a["score"] <= 1 for a in answers)
