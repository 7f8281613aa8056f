"""nlpguide.models.headlines and headline_decoder(): the shipped LoRA adapter, its prompt and record."""

from __future__ import annotations

from typing import Any

import pytest
from safetensors import safe_open

from nlpguide.models import artefact_record, decoder, headline_decoder
from nlpguide.models.headlines import (
    ADAPTER_DIR,
    INSTRUCTION,
    LEAD_TOKENS,
    RECORD_FILE,
    SYSTEM,
    clean_headline,
    generate_headlines,
    headline_messages,
    headline_prompt,
    lead_text,
    read_record,
)


@pytest.fixture(scope="module")
def tok() -> Any:
    """SmolLM2's tokenizer (the decoder's)."""
    return decoder()[0]


class TestPrompt:
    def test_messages(self) -> None:
        """The chat is the fixed system turn, then the instruction, a blank line and the lead."""
        assert headline_messages("Arsenal beat Chelsea.") == [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"{INSTRUCTION}\n\nArsenal beat Chelsea."},
        ]

    @pytest.mark.models
    def test_lead_is_cut_in_tokens(self, tok: Any) -> None:
        """The lead keeps the article's first lead_tokens tokens, no more."""
        text = " ".join(f"word{i}" for i in range(400))
        lead = lead_text(text, tok, lead_tokens=10)
        assert text.startswith(lead)
        assert len(tok(lead, add_special_tokens=False)["input_ids"]) <= 10
        assert len(tok(lead_text(text, tok), add_special_tokens=False)["input_ids"]) <= LEAD_TOKENS

    @pytest.mark.models
    def test_prompt_ends_at_the_assistant_turn(self, tok: Any) -> None:
        """The templated prompt ends where the model's headline starts."""
        prompt = headline_prompt(tok, "Arsenal beat Chelsea.")
        assert prompt.startswith(f"<|im_start|>system\n{SYSTEM}<|im_end|>")
        assert prompt.endswith("Arsenal beat Chelsea.<|im_end|>\n<|im_start|>assistant\n")

    @pytest.mark.parametrize(
        ("bad", "error"), [(None, TypeError), (3, TypeError), ("", ValueError)]
    )
    def test_bad_text(self, bad: Any, error: type[Exception]) -> None:
        """A non-str or empty article follows the contract and names ``text``."""
        with pytest.raises(error, match=r"^text must"):
            headline_messages(bad)

    def test_bad_tokenizer(self) -> None:
        """headline_prompt needs a transformers tokenizer, not a str or None."""
        with pytest.raises(TypeError, match=r"^tokenizer must"):
            headline_prompt("not a tokenizer", "text")


class TestCleanHeadline:
    @pytest.mark.parametrize(
        ("raw", "clean"),
        [
            ("Arsenal beat Chelsea", "Arsenal beat Chelsea"),
            ('  "Arsenal beat Chelsea"\nMore text', "Arsenal beat Chelsea"),
            ("\n\nHeadline: Shares rise", "Shares rise"),
            ("**Title: Shares rise**", "Shares rise"),
            ("", ""),
        ],
    )
    def test_first_line_unquoted(self, raw: str, clean: str) -> None:
        """The first non-empty line, without quotes, markup or a label."""
        assert clean_headline(raw) == clean


@pytest.mark.models
class TestShippedAdapter:
    def test_files_and_size(self) -> None:
        """The adapter ships as fp16 safetensors of at most 5 MB beside its config and record."""
        weights = ADAPTER_DIR / "adapter_model.safetensors"
        assert weights.stat().st_size <= 5_000_000
        assert (ADAPTER_DIR / "adapter_config.json").is_file()
        assert (ADAPTER_DIR / RECORD_FILE).is_file()
        with safe_open(str(weights), framework="pt") as f:
            assert {str(f.get_tensor(k).dtype) for k in f.keys()} == {"torch.float16"}  # noqa: SIM118

    def test_record_is_the_public_one(self) -> None:
        """artefact_record("headline_lora") is the record beside the weights."""
        assert artefact_record("headline_lora") == read_record()

    def test_record_matches_the_shared_prompt(self) -> None:
        """The adapter was trained on this module's prompt: the same lead length."""
        assert read_record()["settings"]["lead_tokens"] == LEAD_TOKENS

    def test_loads_with_the_adapter(self) -> None:
        """headline_decoder() applies the adapter; merge=True folds it into a plain model."""
        tok, lm = headline_decoder()
        assert type(lm).__name__ == "PeftModelForCausalLM"
        assert any("lora_A" in name for name, _ in lm.named_parameters())
        _, merged = headline_decoder(merge=True)
        assert type(merged).__name__ == "LlamaForCausalLM"
        assert not any("lora" in name for name, _ in merged.named_parameters())
        assert tok.convert_tokens_to_ids("<|im_end|>") == tok.eos_token_id

    def test_generates_a_headline(self) -> None:
        """Greedy generation gives one short, non-empty headline per article, deterministically."""
        tok, lm = headline_decoder()
        text = "Arsenal beat Chelsea 2-0 at Highbury on Saturday to go top of the league."
        first = generate_headlines(tok, lm, [text, text], batch_size=2)
        assert first[0] == first[1]
        assert 0 < len(first[0].split()) <= 20
        assert generate_headlines(tok, lm, [text]) == first[:1]

    def test_bad_merge(self) -> None:
        """merge must be a bool."""
        with pytest.raises(TypeError, match=r"^merge must be a bool"):
            headline_decoder(merge=1)  # type: ignore[arg-type]


@pytest.mark.models
class TestRecordedFigures:
    """What the T5 fine-tuning page says about the adapter's record."""

    @pytest.fixture
    def figures(self) -> dict[str, Any]:
        """The record's test figures."""
        found: dict[str, Any] = read_record()["metrics"]["test"]
        return found

    def test_whole_test_split(self, figures: dict[str, Any]) -> None:
        """Every model was scored on all 221 test articles, the split the page loads."""
        from nlpguide.data import bbc_split

        test = bbc_split()["test"]
        assert figures["articles"] == len(test) == 221
        assert len(read_record()["data"]["test_sha256"]) == 64

    def test_lead8_is_recomputable(self, figures: dict[str, Any]) -> None:
        """The recorded lead-8 baseline is mean_rouge_l_f1 of the first 8 words, recomputed."""
        from nlpguide.data import bbc_split
        from nlpguide.metrics import lead_words, mean_rouge_l_f1

        test = bbc_split()["test"]
        expected = mean_rouge_l_f1([lead_words(a.text, 8) for a in test], [a.title for a in test])
        assert figures["rouge_l_f1"]["lead8"] == pytest.approx(expected)

    def test_adapted_beats_every_other_model(self, figures: dict[str, Any]) -> None:
        """SmolLM2 + LoRA scores above lead-8 (the target), zero-shot SmolLM2 and the BBC T5."""
        rouge = figures["rouge_l_f1"]
        assert rouge["smollm2_lora"] > rouge["lead8"]
        assert rouge["smollm2_lora"] > rouge["smollm2_zero_shot"]
        assert rouge["smollm2_lora"] > rouge["t5"]

    def test_zero_shot_runs_long(self, figures: dict[str, Any]) -> None:
        """Zero-shot headlines are longer on average than the adapted model's."""
        words = figures["mean_words"]
        assert words["smollm2_zero_shot"] > words["smollm2_lora"]

    def test_size_as_recorded(self) -> None:
        """The recorded adapter size is the shipped file's."""
        size = (ADAPTER_DIR / "adapter_model.safetensors").stat().st_size
        assert read_record()["adapter_bytes"] == size
