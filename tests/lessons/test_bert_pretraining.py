"""What the MLM page says about [CLS], the pooler and the guide's classifier holds."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest


@cache
def _encoder() -> tuple[Any, Any]:
    import torch

    from nlpguide.models import encoder

    torch.set_num_threads(1)
    tok, model = encoder()
    model.eval()
    return tok, model


def _classifier() -> Any:
    from transformers import AutoModelForSequenceClassification

    from nlpguide.models import encoder
    from nlpguide.models.finetune import _quiet

    with _quiet():  # the new head's load report is expected
        _, clf = encoder(model_class=AutoModelForSequenceClassification, num_labels=5)
    return clf


@pytest.mark.models
class TestPooler:
    def test_pair_segments(self) -> None:
        """A sentence pair's token_type_ids are 0 up to the first [SEP] and 1 after it."""
        tok, _ = _encoder()
        enc = tok("The bank raised rates.", "Borrowers pay more.")
        pieces = tok.convert_ids_to_tokens(enc["input_ids"])
        first_sep = pieces.index("[SEP]")
        assert enc["token_type_ids"] == [0] * (first_sep + 1) + [1] * (len(pieces) - first_sep - 1)

    def test_only_the_pooler_bias_is_zero(self) -> None:
        """MiniLM's pooler bias is all zeros, and it is the only all-zero bias vector."""
        _, model = _encoder()
        zero = [n for n, p in model.named_parameters() if n.endswith(".bias") and not p.any()]
        assert zero == ["pooler.dense.bias"]

    def test_no_pretraining_heads_shipped(self) -> None:
        """The MiniLM checkpoint holds no cls.* tensor: no MLM or NSP head."""
        from safetensors import safe_open

        from nlpguide.models import default_path

        with safe_open(str(default_path("encoder") / "model.safetensors"), framework="pt") as f:
            names = list(f.keys())
        assert names
        assert not [n for n in names if n.startswith("cls.")]

    def test_classifier_reads_pooler_output(self) -> None:
        """The guide's classifier class computes its logits from pooler_output alone."""
        import torch

        tok, _ = _encoder()
        clf = _classifier().eval()
        enc = tok("The bank raised rates.", "Borrowers pay more.", return_tensors="pt")
        with torch.no_grad():
            logits = clf(**enc).logits
            pooled = clf.bert(**enc).pooler_output
        torch.testing.assert_close(logits, clf.classifier(pooled))

    def test_lora_leaves_the_pooler_as_shipped(self) -> None:
        """The fine-tuning page's LoRA run adapts query and value and trains the classifier only."""
        from nlpguide.models.finetune import FineTuneSettings, add_lora

        settings = FineTuneSettings()
        assert settings.lora_targets == ("query", "value")
        model = add_lora(_classifier(), settings)
        trainable = [n for n, p in model.named_parameters() if p.requires_grad]
        assert not [n for n in trainable if "pooler" in n]
        assert {n.split(".")[2] for n in trainable if "lora_" not in n} == {"classifier"}
