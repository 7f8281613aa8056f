"""Tests for the T5 training recipe (training/t5_recipe.py) on a toy corpus.

The runtime half (loading, tokenising, generating) is tested in tests/models/test_t5.py,
the training job in test_train_t5_multitask.py; this is what only making the artefact
needs: SentencePiece training, the model size, MiniLM's embeddings, the fp16 save.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from t5_recipe import ModelSize, sha256_articles

from nlpguide.data import BBC_LABELS, Article
from nlpguide.models.t5 import EXTRA_IDS, SPIECE_FILE

#: Words the tiny test corpus is made of; round-trip texts are drawn from them.
WORDS = [
    *("the", "market", "shares", "rose", "bank", "profits", "fell", "minister", "election"),
    *("vote", "party", "film", "music", "award", "star", "band", "match", "team", "goal"),
    *("cup", "player", "phone", "software", "computer", "network", "users", "chief", "says"),
    *("year", "new", "government", "firm", "sales"),
]


def _tiny_articles(n_per_topic: int = 4) -> list[Article]:
    """A deterministic toy corpus: each topic draws its body from its own word slice."""
    arts = []
    for t, topic in enumerate(BBC_LABELS):
        own = WORDS[t * 6 : t * 6 + 6]
        for i in range(n_per_topic):
            body = " ".join(own[(i + k) % 6] for k in range(40)) + "."
            title = " ".join(own[(i + k) % 6] for k in range(4)).capitalize()
            arts.append(Article(f"{topic}/{i:03d}.txt", title, body + " " + body, topic))
    return arts


@pytest.fixture(scope="module")
def tok_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a SentencePiece model trained on the toy corpus."""
    from t5_recipe import train_sentencepiece

    folder = tmp_path_factory.mktemp("tok")
    texts = [t for a in _tiny_articles() for t in (a.title, a.text)]
    (folder / SPIECE_FILE).write_bytes(train_sentencepiece(texts, vocab_size=60))
    return folder


class TestDataHash:
    def test_data_hash(self) -> None:
        """The data hash depends on content and order."""
        arts = _tiny_articles(1)
        assert sha256_articles(arts) != sha256_articles(arts[::-1])
        assert sha256_articles(arts) == sha256_articles(list(arts))


@pytest.mark.models
class TestTokenizer:
    def test_deterministic(self) -> None:
        """Training twice on the same texts gives byte-identical models."""
        from t5_recipe import train_sentencepiece

        texts = [a.text for a in _tiny_articles()]
        assert train_sentencepiece(texts, vocab_size=50) == train_sentencepiece(
            texts, vocab_size=50
        )

    def test_too_large_vocab(self) -> None:
        """A vocabulary the corpus cannot fill is a ValueError naming the size."""
        from t5_recipe import train_sentencepiece

        with pytest.raises(ValueError, match="5000 pieces"):
            train_sentencepiece(["a b c."], vocab_size=5000)

    def test_special_ids(self, tok_dir: Path) -> None:
        """pad/eos/unk are 0/1/2 and the 100 sentinels sit on top, <extra_id_0> last."""
        from nlpguide.models.t5 import load_tokenizer

        tok = load_tokenizer(tok_dir)
        assert (tok.pad_token_id, tok.eos_token_id, tok.unk_token_id) == (0, 1, 2)
        assert len(tok) == 60 + EXTRA_IDS
        assert tok.convert_tokens_to_ids("<extra_id_0>") == len(tok) - 1
        assert tok.convert_tokens_to_ids("<extra_id_99>") == 60
        assert tok("market")["input_ids"][-1] == tok.eos_token_id

    @settings(max_examples=30, deadline=None)
    @given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
    def test_round_trip(self, tok_dir: Path, words: list[str]) -> None:
        """Text made of corpus words decodes back to itself, sentinels included."""
        from nlpguide.models.t5 import load_tokenizer

        tok = load_tokenizer(tok_dir)
        text = " ".join(words)
        assert tok.decode(tok(text)["input_ids"], skip_special_tokens=True) == text
        ids = tok(f"{text} <extra_id_7>")["input_ids"]
        assert tok.convert_tokens_to_ids("<extra_id_7>") in ids

    def test_missing_folder(self, tmp_path: Path) -> None:
        """A folder without spiece.model is a FileNotFoundError naming the file."""
        from nlpguide.models.t5 import load_tokenizer

        with pytest.raises(FileNotFoundError, match=SPIECE_FILE):
            load_tokenizer(tmp_path)

    def test_encode_cuts_lead(self, tok_dir: Path) -> None:
        """encode_sources keeps the first tokens and ends each row with </s>."""
        from nlpguide.models.t5 import encode_sources, load_tokenizer

        tok = load_tokenizer(tok_dir)
        enc = encode_sources(tok, [" ".join(WORDS), "market"], 6)
        assert tuple(enc["input_ids"].shape) == (2, 6)
        assert int(enc["input_ids"][0, -1]) == tok.eos_token_id
        assert tok.decode(enc["input_ids"][0], skip_special_tokens=True).split()[0] == "the"
        with pytest.raises(ValueError, match="max_source_tokens"):
            encode_sources(tok, ["x"], 1)


@pytest.mark.models
class TestModelSize:
    def test_default_fits_budget(self) -> None:
        """The default size (4,000 pieces + 100 sentinels) stays under 3M parameters (6 MB fp16)."""
        import torch
        from t5_recipe import t5_config, unique_parameters
        from transformers import T5ForConditionalGeneration

        cfg = t5_config(4000 + EXTRA_IDS)
        with torch.device("meta"):
            model = T5ForConditionalGeneration(cfg)
        n = unique_parameters(model)
        assert n <= 3_000_000
        assert 2 * n <= 6_000_000
        assert model.lm_head.weight is model.shared.weight
        assert cfg.vocab_size % 64 == 0
        assert cfg.vocab_size >= 4000 + EXTRA_IDS

    def test_bad_vocab(self) -> None:
        """A vocabulary without room for pad/eos/unk is a ValueError."""
        from t5_recipe import t5_config

        with pytest.raises(ValueError, match="n_tokens"):
            t5_config(2)


#: A one-layer, 16-wide T5: enough to train and save in a test.
TINY = ModelSize(d_model=16, d_kv=4, d_ff=32, num_layers=1, num_decoder_layers=1, num_heads=2)


@pytest.mark.models
class TestMiniLMInit:
    def test_rows(self, tok_dir: Path) -> None:
        """Rows are reproducible and carry MiniLM's semantics: vote is nearer party than software."""
        import torch
        from t5_recipe import minilm_embeddings

        from nlpguide.models.t5 import load_tokenizer

        tok = load_tokenizer(tok_dir)
        rows = minilm_embeddings(tok, 192, 16, seed=0)
        again = minilm_embeddings(tok, 192, 16, seed=0)
        assert rows.shape == (192, 16)
        assert torch.equal(rows, again)
        vote, party, software = (
            tok.convert_tokens_to_ids(f"\u2581{w}") for w in ("vote", "party", "software")
        )
        # The toy tokenizer keeps these three as whole words.
        assert tok.unk_token_id not in (vote, party, software)
        cos = torch.nn.functional.cosine_similarity
        assert cos(rows[vote], rows[party], dim=0) > cos(rows[vote], rows[software], dim=0) + 0.2


@pytest.mark.models
class TestTraining:
    def test_loss_decreases(self) -> None:
        """A few steps on one batch lower the loss: gradients reach the weights."""
        import torch
        from t5_recipe import t5_config
        from transformers import T5ForConditionalGeneration

        torch.manual_seed(0)
        model = T5ForConditionalGeneration(t5_config(100, TINY))
        opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
        x = torch.randint(3, 100, (4, 12))
        y = torch.randint(3, 100, (4, 3))
        losses = []
        for _ in range(5):
            loss = model(input_ids=x, labels=y).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
            losses.append(loss.item())
        assert losses[-1] < losses[0]


@pytest.mark.models
class TestLoadT5:
    def test_round_trip(self, tmp_path: Path, tok_dir: Path) -> None:
        """A saved tiny model loads back as fp32 with the fp16-rounded weights and same outputs."""
        import torch
        from t5_recipe import save_model_fp16, t5_config
        from transformers import T5ForConditionalGeneration

        from nlpguide.models.t5 import load_t5

        torch.manual_seed(0)
        model = T5ForConditionalGeneration(t5_config(60 + EXTRA_IDS, TINY))
        model.eval()
        (tmp_path / SPIECE_FILE).write_bytes((tok_dir / SPIECE_FILE).read_bytes())
        save_model_fp16(model, tmp_path)
        assert next(model.parameters()).dtype == torch.float32
        tok, loaded = load_t5(tmp_path)
        assert type(loaded).__name__ == "T5ForConditionalGeneration"
        assert not loaded.training
        for (name, p), q in zip(model.named_parameters(), loaded.parameters(), strict=True):
            assert q.dtype == torch.float32, name
            assert torch.equal(p.detach().half().float(), q), name
        enc = tok(["bbc topic: market shares rose"], return_tensors="pt")
        start = torch.zeros((1, 1), dtype=torch.long)
        with torch.no_grad():
            want = model(**enc, decoder_input_ids=start).logits
            got = loaded(**enc, decoder_input_ids=start).logits
        assert torch.allclose(want, got, atol=1e-2)

    def test_missing_weights(self, tmp_path: Path, tok_dir: Path) -> None:
        """A folder without weights is a FileNotFoundError that names the missing file."""
        from nlpguide.models.t5 import load_t5

        (tmp_path / SPIECE_FILE).write_bytes((tok_dir / SPIECE_FILE).read_bytes())
        with pytest.raises(FileNotFoundError, match=r"config\.json"):
            load_t5(tmp_path)

    def test_export(self, tmp_path: Path, tok_dir: Path) -> None:
        """export_t5 writes a folder the Auto classes load, with the same token ids."""
        from t5_recipe import save_model_fp16, t5_config
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, T5ForConditionalGeneration

        from nlpguide.models.t5 import export_t5, load_t5

        src, dst = tmp_path / "src", tmp_path / "dst"
        src.mkdir()
        (src / SPIECE_FILE).write_bytes((tok_dir / SPIECE_FILE).read_bytes())
        save_model_fp16(T5ForConditionalGeneration(t5_config(160, TINY)), src)
        export_t5(src, dst)
        tok = AutoTokenizer.from_pretrained(dst, local_files_only=True)
        model = AutoModelForSeq2SeqLM.from_pretrained(dst, local_files_only=True)
        ref_tok, _ = load_t5(src)
        text = "summarize: the market <extra_id_0> rose"
        assert tok(text)["input_ids"] == ref_tok(text)["input_ids"]
        assert str(next(model.parameters()).dtype) == "torch.float32"
