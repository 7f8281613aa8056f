"""Tests for nlpguide.models.t5, the shipped T5 at run time: framing, tokenizer, loading, records."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpguide.models.t5 import (
    ARTEFACT_DIR,
    EXTRA_IDS,
    RECORD_FILE,
    SPIECE_FILE,
    TASK_PREFIXES,
    encode_sources,
    export_t5,
    frame_input,
    generate_texts,
    load_t5,
    load_tokenizer,
    quiet_progress,
    read_record,
    source_text,
)


class TestFrameInput:
    def test_prefixes(self) -> None:
        """Each task gets its documented prefix and the text unchanged after it."""
        assert frame_input("topic", "x y") == "bbc topic: x y"
        assert frame_input("headline", "x y") == "summarize: x y"

    @settings(max_examples=50)
    @given(task=st.sampled_from(sorted(TASK_PREFIXES)), text=st.text(min_size=1))
    def test_prefix_then_text(self, task: str, text: str) -> None:
        """Any non-blank text comes back verbatim behind its task's prefix."""
        if not text.strip():
            with pytest.raises(ValueError, match="empty"):
                frame_input(task, text)
            return
        assert frame_input(task, text) == TASK_PREFIXES[task] + text

    @settings(max_examples=30)
    @given(task=st.text().filter(lambda t: t not in TASK_PREFIXES))
    def test_unknown_task(self, task: str) -> None:
        """An unknown task name is a ValueError that lists the known ones."""
        with pytest.raises(ValueError, match="headline"):
            frame_input(task, "text")

    @pytest.mark.parametrize("text", [None, 3, b"bytes", ["a"]])
    def test_non_str_text(self, text: Any) -> None:
        """Non-str text is a TypeError naming the type."""
        with pytest.raises(TypeError, match="must be a str"):
            frame_input("topic", text)

    def test_sources(self) -> None:
        """The topic input holds title and body; the headline input hides the title."""
        assert source_text("topic", "T", "Body.") == "bbc topic: T\nBody."
        assert source_text("headline", "T", "Body.") == "summarize: Body."


@pytest.mark.models
class TestTokenizer:
    def test_special_ids(self) -> None:
        """The shipped tokenizer has T5's ids: pad/eos/unk 0/1/2, 100 sentinels, <extra_id_0> last."""
        tok = load_tokenizer(ARTEFACT_DIR)
        assert (tok.pad_token_id, tok.eos_token_id, tok.unk_token_id) == (0, 1, 2)
        assert tok.convert_tokens_to_ids("<extra_id_0>") == len(tok) - 1
        assert tok.convert_tokens_to_ids(f"<extra_id_{EXTRA_IDS - 1}>") == len(tok) - EXTRA_IDS

    def test_missing_folder(self, tmp_path: Path) -> None:
        """A folder without spiece.model is a FileNotFoundError naming the file."""
        with pytest.raises(FileNotFoundError, match=SPIECE_FILE):
            load_tokenizer(tmp_path)

    def test_encode_cuts_lead(self) -> None:
        """encode_sources keeps the first tokens, pads the batch and ends each row with </s>."""
        tok = load_tokenizer(ARTEFACT_DIR)
        long = "summarize: " + "shares rose sharply in tokyo on monday " * 20
        enc = encode_sources(tok, [long, "summarize: short"], 8)
        assert tuple(enc["input_ids"].shape) == (2, 8)
        assert int(enc["input_ids"][0, -1]) == tok.eos_token_id
        assert int(enc["attention_mask"][1].sum()) < 8
        with pytest.raises(ValueError, match="max_source_tokens"):
            encode_sources(tok, ["x"], 1)


@pytest.mark.models
class TestShippedArtefact:
    def test_load_t5(self) -> None:
        """load_t5 gives an fp32 model in eval mode whose tokenizer cuts at the recipe's length."""
        tok, model = load_t5()
        assert str(next(model.parameters()).dtype) == "torch.float32"
        assert not model.training
        assert tok.model_max_length == read_record()["settings"]["max_source_tokens"]

    def test_generate_texts(self) -> None:
        """Greedy generation names the topic of a plain sport story and leaves train mode as it was."""
        tok, model = load_t5()
        model.train()
        article = source_text("topic", "Arsenal win", "Arsenal beat Chelsea 2-0 on Saturday.")
        out = generate_texts(
            tok, model, [article] * 3, max_source_tokens=128, max_new_tokens=8, batch_size=2
        )
        assert out == ["sport"] * 3
        assert model.training

    def test_export(self, tmp_path: Path) -> None:
        """export_t5 writes an ordinary folder the Auto classes load, the record copied along."""
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        export_t5(ARTEFACT_DIR, tmp_path)
        tok = AutoTokenizer.from_pretrained(tmp_path, local_files_only=True)
        model = AutoModelForSeq2SeqLM.from_pretrained(tmp_path, local_files_only=True)
        assert type(model).__name__ == "T5ForConditionalGeneration"
        text = "summarize: the market <extra_id_0> rose"
        assert tok(text)["input_ids"] == load_tokenizer(ARTEFACT_DIR)(text)["input_ids"]
        assert read_record(tmp_path) == read_record()

    def test_load_t5_missing_files(self, tmp_path: Path) -> None:
        """A folder that lacks the weights is a FileNotFoundError naming the missing file."""
        (tmp_path / SPIECE_FILE).write_bytes((ARTEFACT_DIR / SPIECE_FILE).read_bytes())
        with pytest.raises(FileNotFoundError, match=r"config\.json"):
            load_t5(tmp_path)

    def test_quiet_progress_restores(self) -> None:
        """quiet_progress hides transformers' progress bars inside and restores them after."""
        from transformers.utils import logging

        with warnings.catch_warnings():
            # The hub's own bars stay off under HF_HUB_DISABLE_PROGRESS_BARS, and it says so.
            warnings.filterwarnings("ignore", "Cannot enable progress bars", UserWarning)
            before = logging.is_progress_bar_enabled()
            logging.enable_progress_bar()
            with quiet_progress():
                assert not logging.is_progress_bar_enabled()
            assert logging.is_progress_bar_enabled()
            if not before:  # leave the switch as the session had it
                logging.disable_progress_bar()


class TestReadRecord:
    def test_shipped(self) -> None:
        """The shipped record holds the settings, the data hash and the test metrics."""
        record = read_record()
        assert record["data"]["bbc_train_articles"] == 1781
        assert {d: len(p["sha256"]) for d, p in record["data"]["train_pairs"].items()} == {
            "software": 64,
            "general": 64,
        }
        assert all(
            p["dropped_by_lesson_guard"] == 0 for p in record["data"]["train_pairs"].values()
        )
        assert record["metrics"]["test"]["pairs"] == 1000
        assert record["metrics"]["test"]["topic_exact_match_greedy"] >= 0.85

    @pytest.mark.parametrize(
        ("content", "error"), [("{not json", ValueError), ("[1, 2]", TypeError)]
    )
    def test_bad_record(self, tmp_path: Path, content: str, error: type[Exception]) -> None:
        """Invalid JSON is a ValueError and a non-object record a TypeError, both naming the file."""
        (tmp_path / RECORD_FILE).write_text(content, encoding="utf-8")
        with pytest.raises(error, match=RECORD_FILE):
            read_record(tmp_path)

    def test_missing(self, tmp_path: Path) -> None:
        """A folder without the record is a FileNotFoundError."""
        with pytest.raises(FileNotFoundError, match=RECORD_FILE):
            read_record(tmp_path)
