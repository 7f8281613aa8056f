"""The live models' export: the files the browser reads, close to torch, and a cache."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from site_pages import load_file

EXPORT = Path(__file__).resolve().parents[2] / "docs" / "_ext" / "livemodels" / "export.py"

pytestmark = [pytest.mark.models, pytest.mark.slow]

#: What each runtime reads (transformers.js 4.3.2 for the ONNX models, wllama for the GGUF).
FILES = {
    "fill-mask": {
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "onnx/model_quantized.onnx",
    },
    "topic": {
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "onnx/model_quantized.onnx",
    },
    "t5": {
        "config.json",
        "generation_config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "onnx/encoder_model.onnx",
        "onnx/decoder_model_merged.onnx",
    },
    "smollm2": {"model.gguf", "tokenizer.json", "tokenizer_config.json"},
}
#: Each ONNX file's inputs and outputs, by name.
SIGNATURES = {
    "fill-mask/onnx/model_quantized.onnx": (
        ["input_ids", "attention_mask", "token_type_ids"],
        ["logits"],
    ),
    "topic/onnx/model_quantized.onnx": (
        ["input_ids", "attention_mask", "token_type_ids"],
        ["logits"],
    ),
    "t5/onnx/encoder_model.onnx": (
        ["input_ids", "attention_mask"],
        ["last_hidden_state"],
    ),
    # No past key values: the widget feeds the whole prefix at every step.
    "t5/onnx/decoder_model_merged.onnx": (
        ["input_ids", "encoder_attention_mask", "encoder_hidden_states"],
        ["logits", "cross_attentions.0", "cross_attentions.1", "cross_attentions.2"],
    ),
}


#: Scores this close count as a tie: int8 may order them either way.
TIE = 0.002


# docs/_ext/livemodels/__init__.py imports Sphinx: load export.py on its own.
export = load_file("livemodels_export", EXPORT)


def _small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer reference inputs than the build uses: the same code runs, in less time."""
    monkeypatch.setattr(export, "TOPIC_ARTICLES", 8)
    monkeypatch.setattr(export, "T5_PAIRS", 8)
    monkeypatch.setattr(export, "SMOLLM2_PROMPTS", export.SMOLLM2_PROMPTS[:2])


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One export into a fresh folder: the folder and the manifest ``export_all`` returned."""
    import torch

    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("live")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _small(monkeypatch)
        manifest = export.export_all(out, progress=lambda _: None)
    return out, manifest


@pytest.fixture(scope="module")
def reference(exported: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((exported[0] / "reference.json").read_text("utf-8"))
    return result


class TestFolders:
    def test_each_folder_holds_exactly_what_its_runtime_reads(
        self, exported: tuple[Path, dict[str, Any]]
    ) -> None:
        """No file is missing and none is shipped for nothing (key.txt is the cache's own)."""
        out, manifest = exported
        assert set(manifest) == set(FILES)
        for name, expected in FILES.items():
            on_disk = {p.relative_to(out / name).as_posix() for p in (out / name).rglob("*")}
            on_disk = {f for f in on_disk if (out / name / f).is_file()}
            assert on_disk - {"key.txt"} == expected, name
            assert set(manifest[name]["files"]) == expected, name

    def test_manifest_counts_the_bytes_on_disk(self, exported: tuple[Path, dict[str, Any]]) -> None:
        """Each size is the file's, each total their sum, and manifest.json is what came back."""
        out, manifest = exported
        for name, entry in manifest.items():
            sizes = {rel: (out / name / rel).stat().st_size for rel in entry["files"]}
            assert entry["files"] == sizes, name
            assert entry["bytes"] == sum(sizes.values()), name
            assert entry["export_s"] > 0, name
        assert json.loads((out / "manifest.json").read_text("utf-8")) == manifest

    def test_onnx_files_take_and_give_the_named_tensors(
        self, exported: tuple[Path, dict[str, Any]]
    ) -> None:
        """The names transformers.js and the widgets feed, and the T5 decoder has no cache."""
        out, _ = exported
        for rel, (inputs, outputs) in SIGNATURES.items():
            session = export._session(out / rel)
            assert [i.name for i in session.get_inputs()] == inputs, rel
            assert [o.name for o in session.get_outputs()] == outputs, rel

    def test_tied_output_head_is_stored_once(self, exported: tuple[Path, dict[str, Any]]) -> None:
        """BERT's vocabulary matrix is in the file once (the exporter copies it: 138 MB fp32)."""
        import onnx  # type: ignore[import-not-found]  # no stubs

        out, manifest = exported
        model = onnx.load(str(out / "fill-mask" / "onnx" / "model_quantized.onnx"))
        vocab = [w for w in model.graph.initializer if len(w.dims) == 2 and 30522 in w.dims]
        assert [list(w.dims) for w in vocab] == [[30522, 384]]
        assert manifest["fill-mask"]["bytes"] < 30e6

    def test_configs_carry_what_the_widgets_show(
        self, exported: tuple[Path, dict[str, Any]]
    ) -> None:
        """Topic names (not LABEL_0), the mask token, the chat template, T5's generation."""
        from nlpguide.data import BBC_LABELS

        out, _ = exported

        def read(rel: str) -> dict[str, Any]:
            value: dict[str, Any] = json.loads((out / rel).read_text("utf-8"))
            return value

        topic = read("topic/config.json")
        assert [topic["id2label"][str(i)] for i in range(5)] == list(BBC_LABELS)
        assert topic["label2id"] == {label: i for i, label in enumerate(BBC_LABELS)}
        assert read("fill-mask/tokenizer_config.json")["mask_token"] == "[MASK]"
        assert "<|im_start|>" in read("smollm2/tokenizer_config.json")["chat_template"]
        generation = read("t5/generation_config.json")
        assert (generation["max_new_tokens"], generation["no_repeat_ngram_size"]) == (32, 3)

    def test_gguf_is_the_installed_file_unchanged(
        self, exported: tuple[Path, dict[str, Any]]
    ) -> None:
        """wllama reads the very GGUF that nlpguide.models.decoder() is converted from."""
        import filecmp

        from nlpguide._assets import locate

        out, _ = exported
        assert filecmp.cmp(out / "smollm2" / "model.gguf", locate("decoder"), shallow=False)


class TestReference:
    def test_fill_mask_reference_is_the_pipelines_top_5(self, reference: dict[str, Any]) -> None:
        """The torch reference is what transformers' fill-mask pipeline gives."""
        from transformers import pipeline

        from nlpguide.models import masked_lm

        tok, model = masked_lm()
        fill = pipeline("fill-mask", model=model, tokenizer=tok)
        sentence = reference["fill-mask"]["sentences"][0]
        got = [(r["token_str"], round(r["score"], 5)) for r in fill(sentence)]
        want = [(r["token_str"], round(r["score"], 5)) for r in reference["fill-mask"]["torch"][0]]
        assert got == want

    def test_served_tokenizers_give_the_reference_ids(
        self, exported: tuple[Path, dict[str, Any]], reference: dict[str, Any]
    ) -> None:
        """Each served folder alone tokenizes as the model's own tokenizer did."""
        from transformers import AutoTokenizer

        out, _ = exported
        tokenizers = reference["tokenizers"]
        assert set(tokenizers) == {"strings", "fill-mask", "t5", "smollm2"}
        for name in ("fill-mask", "t5", "smollm2"):
            tok = AutoTokenizer.from_pretrained(out / name, local_files_only=True)
            for text, want in zip(tokenizers["strings"], tokenizers[name], strict=True):
                assert tok(text)["input_ids"] == want["ids"], (name, text)
                assert tok.tokenize(text) == want["tokens"], (name, text)


class TestOnnxAgainstTorch:
    def test_fill_mask_gives_torchs_top_5(
        self, exported: tuple[Path, dict[str, Any]], reference: dict[str, Any]
    ) -> None:
        """Torch's five candidates, each scored within 0.03, but for near ties at the 5th place.

        A swap of near-equal scores is no error: "cash" 0.0373 and "water" 0.0365 after
        "a cup of" trade places in int8, as "ground" and "promise" (0.0128, 0.0123)
        can at the 5th.
        """
        from transformers import AutoTokenizer

        out, _ = exported
        tok = AutoTokenizer.from_pretrained(out / "fill-mask", local_files_only=True)
        session = export._session(out / "fill-mask" / "onnx" / "model_quantized.onnx")
        part = reference["fill-mask"]
        for sentence, top10 in zip(part["sentences"], part["torch_top10"], strict=True):
            enc = tok(sentence, return_tensors="np")
            (logits,) = session.run(None, dict(enc))
            where = list(enc["input_ids"][0]).index(tok.mask_token_id)
            probs = export._softmax(logits[0, where].astype(np.float64))
            mine = [int(i) for i in probs.argsort()[::-1][:5]]
            theirs = {r["token"]: r["score"] for r in top10}
            fifth = top10[4]["score"]
            for token in set(mine) - {r["token"] for r in top10[:5]}:
                assert theirs.get(token, 0.0) > fifth - TIE, (sentence, tok.decode([token]))
            for r in top10[:5]:
                assert r["token"] in mine or probs[r["token"]] > probs[mine[-1]] - TIE, sentence
                assert abs(probs[r["token"]] - r["score"]) < 0.03, (sentence, r["token_str"])

    def test_classifier_probabilities_within_0_02_of_torch(
        self, exported: tuple[Path, dict[str, Any]], reference: dict[str, Any]
    ) -> None:
        """Article by article, at the fine-tune's max_length, as the widget runs it."""
        from transformers import AutoTokenizer

        out, _ = exported
        tok = AutoTokenizer.from_pretrained(out / "topic", local_files_only=True)
        session = export._session(out / "topic" / "onnx" / "model_quantized.onnx")
        part = reference["topic"]
        assert part["max_length"] == 96
        for article, want in zip(part["articles"], part["torch"], strict=True):
            enc = tok(article["text"], truncation=True, max_length=96, return_tensors="np")
            (logits,) = session.run(None, dict(enc))
            probs = export._softmax(logits[0].astype(np.float64))
            assert part["labels"][int(probs.argmax())] == want["label"]
            assert np.abs(probs - np.asarray(want["probs"])).max() < 0.02

    def test_t5_greedy_translations_are_torchs(self, reference: dict[str, Any]) -> None:
        """With fp16-stored weights the T5's greedy output is torch's, token for token.

        (int8 weights changed 9 of the 100 reference translations: one near-tie changes
        the rest of a sentence. The T5 is small enough to ship at fp16.)
        """
        part = reference["t5"]
        assert part["onnx_ids"] == part["torch_ids"]
        assert part["onnx_agree"] == len(part["sources"])


class TestCache:
    def test_second_call_exports_nothing(
        self, exported: tuple[Path, dict[str, Any]], tmp_path: Path
    ) -> None:
        """Same inputs: every folder is kept as it is, and the manifest says export_s 0."""
        out = tmp_path / "live"
        shutil.copytree(exported[0], out)
        first = exported[1]
        onnx_file = out / "fill-mask" / "onnx" / "model_quantized.onnx"
        written = onnx_file.stat().st_mtime_ns
        lines: list[str] = []
        again = export.export_all(out, progress=lines.append)
        assert {name: entry["export_s"] for name, entry in again.items()} == dict.fromkeys(FILES, 0)
        assert {n: e["files"] for n, e in again.items()} == {
            n: e["files"] for n, e in first.items()
        }
        assert onnx_file.stat().st_mtime_ns == written
        assert len(lines) == len(FILES)

    def test_changed_input_re_exports_that_model_only(
        self,
        exported: tuple[Path, dict[str, Any]],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A new hash among T5's inputs re-exports T5 and keeps the other folders."""
        out = tmp_path / "live"
        shutil.copytree(exported[0], out)
        before = (out / "t5" / "key.txt").read_text("utf-8")
        real: Callable[[str], dict[str, str]] = export._inputs
        _small(monkeypatch)
        monkeypatch.setattr(
            export, "_inputs", lambda name: {**real(name), "x": "1"} if name == "t5" else real(name)
        )
        manifest = export.export_all(out, progress=lambda _: None)
        assert {n for n, e in manifest.items() if e["export_s"] > 0} == {"t5"}
        assert (out / "t5" / "key.txt").read_text("utf-8") != before
