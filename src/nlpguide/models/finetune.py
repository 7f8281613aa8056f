"""Fine-tune a BERT-family encoder to classify BBC News topics, fully or with LoRA.

:func:`finetune_classifier` is the recipe behind the guide's fine-tuning page: the
encoder (MiniLM offline, or any hub name) with a fresh 5-way classification head,
trained with the transformers :class:`~transformers.Trainer` on the fixed train split
of :func:`nlpguide.data.bbc_news`, then measured on the held-out test split. With
``lora=True`` the encoder stays frozen and only low-rank adapters (peft) and the head
learn.

Each article body is cut to its first ``max_length`` tokens: the result says how many
articles were truncated (:attr:`FineTuneResult.truncated`), so the cut is never silent.

Results can be cached on disk, keyed by every setting, the encoder's weights, the data
split and the library versions (``cache="store"`` or ``"reuse"``): a later page, script
or test gets the same fine-tuned model without training it again.

>>> from nlpguide.models.finetune import FineTuneSettings
>>> FineTuneSettings().lr, FineTuneSettings(lora=True).lr
(0.0002, 0.005)

The defaults are the recipe of the guide's fine-tuning page, which shows the same
``TrainingArguments`` and ``Trainer`` in the open. A run takes under a minute on 2
cores, so it is shown here, not run::

    result = finetune_classifier()
    result.accuracy  # the held-out accuracy, on the 221 test articles
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from .. import _check
from .._versions import versions
from ._seed import check_seed

__all__ = [
    "FineTuneResult",
    "FineTuneSettings",
    "Prediction",
    "add_lora",
    "build_trainer",
    "finetune_classifier",
    "load_result",
    "save_result",
    "store_run",
]

CacheMode: TypeAlias = Literal["off", "store", "reuse"]
Device: TypeAlias = Literal["cpu", "auto"]

_CACHE_MODES: Final = ("off", "store", "reuse")
_RESULT_FILE: Final = "finetune-result.json"
# Bumped whenever the recipe changes in a way that changes its results.
_RECIPE_VERSION: Final = 1
_DEFAULT_LR: Final = {False: 2e-4, True: 5e-3}


@dataclass(frozen=True)
class FineTuneSettings:
    """Every knob of the recipe (all of it goes into the cache key).

    ``learning_rate=None`` picks 2e-4 for a full fine-tune and 5e-3 for LoRA (adapters
    start at zero and need a larger step). ``warmup`` is a share of ``max_steps``.

    ``device="cpu"`` (the default) trains on the CPU even where a GPU exists, so the
    guide's figures do not depend on the machine. ``device="auto"`` lets the
    ``Trainer`` choose: a GPU when there is one, and every process of a distributed
    launch (``torchrun``, ``accelerate launch``), where ``batch_size`` is per device.

    >>> s = FineTuneSettings(max_steps=10)
    >>> s.max_steps, s.batch_size, s.max_length, s.lora
    (10, 16, 96, False)
    >>> FineTuneSettings(batch_size=0)
    Traceback (most recent call last):
    ...
    ValueError: batch_size must be an int >= 1, got 0
    """

    model_name: str | None = None
    lora: bool = False
    max_steps: int = 20
    batch_size: int = 16
    max_length: int = 96
    learning_rate: float | None = None
    weight_decay: float = 0.01
    warmup: float = 0.1
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.1
    lora_targets: tuple[str, ...] = ("query", "value")
    seed: int = 0
    eval_split: Literal["test", "validation"] = "test"
    eval_batch_size: int = 64
    device: Device = "cpu"

    def __post_init__(self) -> None:
        for name in ("max_steps", "batch_size", "max_length", "lora_r", "eval_batch_size"):
            _check.integer(name, getattr(self, name), minimum=1)
        _check.integer("lora_alpha", self.lora_alpha, minimum=1)
        check_seed(self.seed)  # numpy's limit would otherwise bite only after loading
        if self.max_length > 512:
            raise ValueError(f"max_length must be <= 512 (BERT's positions), got {self.max_length}")
        _check.boolean("lora", self.lora)
        _check_model_name(self.model_name)
        if self.learning_rate is not None:
            _check.real("learning_rate", self.learning_rate, low=0.0, high=1.0, low_open=True)
        _check.real("weight_decay", self.weight_decay, low=0.0, high=1.0)
        _check.real("warmup", self.warmup, low=0.0, high=1.0, high_open=True)
        _check.real("lora_dropout", self.lora_dropout, low=0.0, high=1.0, high_open=True)
        _check.choice("device", self.device, ("cpu", "auto"))
        _check.choice("eval_split", self.eval_split, ("test", "validation"))
        _check_targets(self.lora_targets)
        object.__setattr__(self, "lora_targets", tuple(self.lora_targets))

    @property
    def lr(self) -> float:
        """The learning rate actually used (the default for the mode when unset)."""
        return _DEFAULT_LR[self.lora] if self.learning_rate is None else float(self.learning_rate)

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-able values (tuples become lists)."""
        out = asdict(self)
        out["lora_targets"] = list(self.lora_targets)
        return out


@dataclass(frozen=True, slots=True)
class Prediction:
    """One held-out article with its true and predicted topic.

    >>> Prediction("Shares slump", "business", "tech", 0.61).correct
    False
    """

    title: str
    label: str
    predicted: str
    confidence: float  #: softmax probability of the predicted topic

    @property
    def correct(self) -> bool:
        """Whether the prediction is the true topic."""
        return self.label == self.predicted


@dataclass(frozen=True, eq=False)
class FineTuneResult:
    """A fine-tuned classifier and what was measured while training and testing it.

    ``confusion[i, j]`` counts held-out articles of topic ``labels[i]`` predicted as
    ``labels[j]``. ``losses`` holds the training loss at each of ``steps``.

    >>> import numpy as np
    >>> r = FineTuneResult(
    ...     model=None, tokenizer=None, settings=FineTuneSettings(), labels=("a", "b"),
    ...     steps=(1,), losses=(0.69,), accuracy=0.5, confusion=np.array([[1, 0], [1, 0]]),
    ...     predictions=(Prediction("x", "a", "a", 0.9), Prediction("y", "b", "a", 0.6)),
    ...     trainable_params=10, total_params=1000, train_seconds=1.0, eval_seconds=0.1,
    ...     truncated={"test": (2, 2)})
    >>> r.trainable_share, [p.title for p in r.errors]
    (0.01, ['y'])
    """

    model: Any
    tokenizer: Any
    settings: FineTuneSettings
    labels: tuple[str, ...]
    steps: tuple[int, ...]
    losses: tuple[float, ...]
    accuracy: float
    confusion: npt.NDArray[np.int64]
    predictions: tuple[Prediction, ...]
    trainable_params: int
    total_params: int
    train_seconds: float
    eval_seconds: float
    truncated: dict[str, tuple[int, int]]  #: split -> (articles cut, articles)
    log_history: tuple[dict[str, Any], ...] = ()
    path: Path | None = None  #: folder the model was saved to (cache entry or output_dir)
    from_cache: bool = False  #: loaded from the cache instead of trained now
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def trainable_share(self) -> float:
        """Trainable parameters as a share of all parameters of the trained model."""
        return self.trainable_params / self.total_params

    @property
    def errors(self) -> tuple[Prediction, ...]:
        """The held-out articles that were misclassified."""
        return tuple(p for p in self.predictions if not p.correct)

    def summary(self) -> dict[str, Any]:
        """The headline figures as one flat dict (for a table row)."""
        return {
            "method": "LoRA" if self.settings.lora else "full fine-tune",
            "trainable params": self.trainable_params,
            "trainable share": self.trainable_share,
            "steps": self.settings.max_steps,
            "train seconds": self.train_seconds,
            "held-out accuracy": self.accuracy,
        }


def finetune_classifier(
    settings: FineTuneSettings | None = None,
    *,
    output_dir: str | Path | None = None,
    cache: CacheMode = "off",
    progress: bool = False,
    **overrides: Any,
) -> FineTuneResult:
    """Fine-tune an encoder on BBC News topics and measure it on held-out articles.

    Settings come from ``settings`` (default :class:`FineTuneSettings`) with keyword
    ``overrides`` applied, e.g. ``finetune_classifier(lora=True, max_steps=80)``.
    Everything random (head initialisation, dropout, batch order) is seeded by
    ``seed``. ``progress=True`` shows the ``Trainer``'s progress bar (for scripts;
    the pages plot the loss instead).

    ``cache``:

    ``"off"``
        Train; save to ``output_dir`` when given.
    ``"store"``
        Train (so the timings and loss curve are this run's), then keep the model in
        the cache folder unless an entry for these settings exists already.
    ``"reuse"``
        Load the cached entry for these settings if there is one; train and store it
        otherwise. ``from_cache`` on the result says which happened.

    With LoRA the adapters are merged into the encoder before saving, so a saved
    model loads as a plain ``AutoModelForSequenceClassification`` (e.g. in
    ``pipeline("text-classification", model=str(result.path))``).

    Each call trains for up to a minute on 2 cores, so typical use is shown, not run::

        full = finetune_classifier(cache="store")
        lora = finetune_classifier(lora=True)
        round(lora.trainable_share, 4)  # 0.0033: adapters and head only

    Settings are checked before anything is loaded or trained:

    >>> finetune_classifier(cache="sometimes")
    Traceback (most recent call last):
    ...
    ValueError: cache must be one of 'off', 'reuse', 'store', got 'sometimes'
    >>> finetune_classifier(epochs=3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: unknown setting(s) ['epochs']; known: [...]
    """
    chosen = _settings(settings, overrides)
    _check.choice("cache", cache, _CACHE_MODES)
    if output_dir is not None and cache != "off":
        raise ValueError("give output_dir or a cache mode, not both")
    folder: object = output_dir  # callers' types are only promises: check at run time
    if folder is not None and (not isinstance(folder, str | Path) or not str(folder).strip()):
        raise TypeError(f"output_dir must be a non-empty str or Path, got {folder!r}")
    _check.boolean("progress", progress)
    if cache == "off":
        result = _train(chosen, progress=progress)
        if output_dir is None:
            return result
        return save_result(result, output_dir)

    from ._cache import ensure_entry  # noqa: PLC0415

    parts = _cache_parts(chosen)
    if cache == "store":
        result = _train(chosen, progress=progress)
        folder = ensure_entry("finetune", parts, lambda tmp: _save_files(result, tmp))
        return _with(result, path=folder)
    trained: list[FineTuneResult] = []

    def build(tmp: Path) -> None:
        trained.append(_train(chosen, progress=progress))
        _save_files(trained[0], tmp)

    folder = ensure_entry("finetune", parts, build)
    if trained:
        return _with(trained[0], path=folder)
    return load_result(folder)


def store_run(trainer: Any, settings: FineTuneSettings | None = None) -> FineTuneResult:
    """Keep a full fine-tune you ran with the ``Trainer`` as the cache entry for ``settings``.

    The fine-tuning page runs this recipe in the open; storing its run lets
    ``finetune_classifier(settings, cache="reuse")`` load it on the later pages instead
    of training the same model again. The run must be of these settings (steps, batch
    size, learning rate, weight decay, warm-up, seed) and finished; the held-out
    figures are measured here. An entry that exists already is kept.

    Storing the page's finished run (training takes a minute; shown, not run)::

        trainer.train()
        store_run(trainer).path  # the cache folder that the pipeline() page loads

    A run of other settings is refused before anything is measured:

    >>> from types import SimpleNamespace
    >>> args = SimpleNamespace(max_steps=50, per_device_train_batch_size=16,
    ...     learning_rate=2e-4, weight_decay=0.01, warmup_steps=0.1, seed=0)
    >>> store_run(SimpleNamespace(args=args))
    Traceback (most recent call last):
    ...
    ValueError: the trainer ran max_steps=50, but settings.max_steps is 20
    """
    chosen = FineTuneSettings() if settings is None else settings
    _check.instance("settings", chosen, FineTuneSettings)
    if chosen.lora:
        raise ValueError("store_run keeps full fine-tunes: settings.lora must be False")
    # Each TrainingArguments field, and the setting it must equal.
    for arg, name in (
        ("max_steps", "max_steps"),
        ("per_device_train_batch_size", "batch_size"),
        ("learning_rate", "lr"),
        ("weight_decay", "weight_decay"),
        ("warmup_steps", "warmup"),
        ("seed", "seed"),
    ):
        ran, asked = getattr(trainer.args, arg), getattr(chosen, name)
        if ran != asked:
            raise ValueError(f"the trainer ran {arg}={ran}, but settings.{name} is {asked}")
    if trainer.state.global_step != chosen.max_steps:
        raise ValueError(
            f"the trainer has run {trainer.state.global_step} of {chosen.max_steps} steps: "
            "call trainer.train() first"
        )
    from .. import data  # noqa: PLC0415
    from ._cache import ensure_entry  # noqa: PLC0415

    truncated, datasets = _encoded(trainer.processing_class, data.bbc_news(), chosen)
    history = trainer.state.log_history
    train_seconds = float(next(e["train_runtime"] for e in history if "train_runtime" in e))
    result = _measure(trainer, chosen, datasets[chosen.eval_split], train_seconds, truncated)
    folder = ensure_entry("finetune", _cache_parts(chosen), lambda tmp: _save_files(result, tmp))
    return _with(result, path=folder)


def save_result(result: FineTuneResult, folder: str | Path) -> FineTuneResult:
    """Save the model, tokenizer and measurements into ``folder``; return it with ``path``.

    The folder must be empty or absent (nothing is overwritten).

    Saving a freshly trained result (training takes up to a minute; shown, not run)::

        saved = save_result(finetune_classifier(), "bbc-topics")
        saved.path  # PosixPath('bbc-topics')

    A folder that already holds files is refused before anything is written:

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "notes.txt").write_text("keep me")
    7
    >>> save_result(None, folder)  # checked before the result is touched  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileExistsError: ... is not empty: save_result writes into a new folder
    """
    path = Path(folder)
    if path.exists() and any(path.iterdir()):
        raise FileExistsError(f"{path} is not empty: save_result writes into a new folder")
    if not isinstance(result, FineTuneResult):
        raise TypeError(f"result must be a FineTuneResult, got {type(result).__name__}")
    path.mkdir(parents=True, exist_ok=True)
    _save_files(result, path)
    return _with(result, path=path)


def load_result(folder: str | Path) -> FineTuneResult:
    """Load what :func:`save_result` (or the cache) wrote: model, tokenizer and figures.

    Reading back what ``save_result(result, "bbc-topics")`` wrote (shown, not run)::

        load_result("bbc-topics").accuracy  # the same figure as the saved result's

    A folder without a saved result is refused with a clear error:

    >>> import tempfile
    >>> load_result(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: ... holds no finetune-result.json: not a saved fine-tune result
    """
    path = _check.path("folder", folder)
    from transformers import AutoModelForSequenceClassification, AutoTokenizer  # noqa: PLC0415

    record_file = path / _RESULT_FILE
    if not record_file.is_file():
        msg = f"folder {path} holds no {_RESULT_FILE}: not a saved fine-tune result"
        raise FileNotFoundError(msg)
    record = json.loads(record_file.read_text(encoding="utf-8"))
    with _quiet():
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(path, local_files_only=True)
    model.eval()
    raw = dict(record["settings"])
    raw["lora_targets"] = tuple(raw["lora_targets"])
    return FineTuneResult(
        model=model,
        tokenizer=tokenizer,
        settings=FineTuneSettings(**raw),
        labels=tuple(record["labels"]),
        steps=tuple(record["steps"]),
        losses=tuple(record["losses"]),
        accuracy=float(record["accuracy"]),
        confusion=np.asarray(record["confusion"], dtype=np.int64),
        predictions=tuple(Prediction(**p) for p in record["predictions"]),
        trainable_params=int(record["trainable_params"]),
        total_params=int(record["total_params"]),
        train_seconds=float(record["train_seconds"]),
        eval_seconds=float(record["eval_seconds"]),
        truncated={k: (int(v[0]), int(v[1])) for k, v in record["truncated"].items()},
        log_history=tuple(record["log_history"]),
        path=path,
        from_cache=True,
        versions=dict(record["versions"]),
    )


# --------------------------------------------------------------------------- internals


def _check_model_name(value: object) -> None:
    if value is not None:
        _check.text("model_name", value)


def _check_targets(value: object) -> None:
    for name in _check.strings("lora_targets", value):
        _check.text("each of lora_targets", name)
    if not value:
        raise ValueError("lora_targets must name at least one module")


def _settings(settings: FineTuneSettings | None, overrides: dict[str, Any]) -> FineTuneSettings:
    if settings is not None and not isinstance(settings, FineTuneSettings):
        raise TypeError(f"settings must be a FineTuneSettings, got {type(settings).__name__}")
    known = {f.name for f in fields(FineTuneSettings)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise TypeError(f"unknown setting(s) {unknown}; known: {sorted(known)}")
    base = asdict(settings) if settings is not None else {}
    return FineTuneSettings(**{**base, **overrides})


def _with(result: FineTuneResult, **changes: Any) -> FineTuneResult:
    values = {f.name: getattr(result, f.name) for f in fields(FineTuneResult)}
    return FineTuneResult(**{**values, **changes})


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence transformers' load reports and progress bars, restoring them after."""
    from transformers.utils import logging as hf_logging  # noqa: PLC0415

    log: Any = hf_logging  # transformers' logging helpers are untyped
    verbosity = log.get_verbosity()
    bars = log.is_progress_bar_enabled()
    log.set_verbosity_error()
    log.disable_progress_bar()
    try:
        yield
    finally:
        log.set_verbosity(verbosity)
        if bars:
            log.enable_progress_bar()


def _cache_parts(settings: FineTuneSettings) -> dict[str, Any]:
    from .. import data  # noqa: PLC0415
    from .._assets import locate  # noqa: PLC0415
    from ._cache import file_sha256  # noqa: PLC0415

    model = settings.model_name
    weights = file_sha256(locate("encoder") / "model.safetensors") if model is None else model
    return {
        "recipe": _RECIPE_VERSION,
        "settings": settings.to_dict(),
        "encoder": weights,
        "split": data.BBC_SPLIT_SHA256,
        "versions": versions("torch", "transformers", "peft"),
    }


def _tokenize(tokenizer: Any, texts: list[str], max_length: int) -> tuple[dict[str, Any], int]:
    """Token ids cut to ``max_length``, and how many texts were longer than that."""
    # One pass: a text longer than max_length comes back as its cut ids plus overflow
    # rows that name the same text: keep each text's first row, and count the texts cut.
    enc = tokenizer(texts, truncation=True, max_length=max_length, return_overflowing_tokens=True)
    owner = list(enc.pop("overflow_to_sample_mapping"))
    first = [i for i, text in enumerate(owner) if i == 0 or owner[i - 1] != text]
    cut = len({text for i, text in enumerate(owner) if i > 0 and owner[i - 1] == text})
    return {key: [rows[i] for i in first] for key, rows in enc.items()}, cut


def _train(settings: FineTuneSettings, *, progress: bool = False) -> FineTuneResult:
    import transformers  # noqa: PLC0415
    from transformers import AutoModelForSequenceClassification  # noqa: PLC0415

    from .. import data  # noqa: PLC0415
    from . import encoder  # noqa: PLC0415

    labels = data.BBC_LABELS
    splits = data.bbc_news()
    with _quiet():
        transformers.set_seed(settings.seed)
        tokenizer, model = encoder(
            settings.model_name,
            model_class=AutoModelForSequenceClassification,
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={name: i for i, name in enumerate(labels)},
        )
    if settings.lora:
        model = add_lora(model, settings)
    truncated, datasets = _encoded(tokenizer, splits, settings)
    with tempfile.TemporaryDirectory(prefix="nlpguide-finetune-") as scratch, _quiet():
        trainer = build_trainer(
            model, tokenizer, datasets["train"], settings, output_dir=scratch, progress=progress
        )
        start = time.perf_counter()
        trainer.train()
        train_seconds = time.perf_counter() - start
        return _measure(trainer, settings, datasets[settings.eval_split], train_seconds, truncated)


def _encoded(
    tokenizer: Any, splits: Any, settings: FineTuneSettings
) -> tuple[dict[str, tuple[int, int]], dict[str, Any]]:
    """The train and evaluation splits tokenized, and how many texts each cut."""
    from datasets import Dataset  # noqa: PLC0415

    truncated: dict[str, tuple[int, int]] = {}
    datasets: dict[str, Any] = {}
    for split in ("train", settings.eval_split):
        texts = list(splits[split]["text"])
        enc, cut = _tokenize(tokenizer, texts, settings.max_length)
        truncated[split] = (cut, len(texts))
        datasets[split] = Dataset.from_dict({**enc, "labels": list(splits[split]["label"])})
    return truncated, datasets


def _measure(
    trainer: Any,
    settings: FineTuneSettings,
    evaluation: Any,
    train_seconds: float,
    truncated: dict[str, tuple[int, int]],
) -> FineTuneResult:
    """The result of a trained ``trainer``: its losses, and its predictions on ``evaluation``."""
    import torch  # noqa: PLC0415

    from .. import data  # noqa: PLC0415

    # peft keeps a frozen spare of the head beside the trained copy: count it once.
    counted = [p for n, p in trainer.model.named_parameters() if ".original_module." not in n]
    trainable = sum(p.numel() for p in counted if p.requires_grad)
    total = sum(p.numel() for p in counted)
    start = time.perf_counter()
    with _quiet():
        logits = trainer.predict(evaluation).predictions
    eval_seconds = time.perf_counter() - start
    history = tuple(_plain(entry) for entry in trainer.state.log_history)
    steps_losses = [(int(e["step"]), float(e["loss"])) for e in history if "loss" in e]

    labels = data.BBC_LABELS
    split = data.bbc_news()[settings.eval_split]
    model = trainer.model
    if settings.lora:
        model = model.merge_and_unload()
    model.eval()
    probs = torch.softmax(torch.as_tensor(np.asarray(logits)), dim=-1).numpy()
    y_pred = probs.argmax(axis=-1)
    y_true = np.asarray(split["label"])
    confusion = np.zeros((len(labels), len(labels)), dtype=np.int64)
    np.add.at(confusion, (y_true, y_pred), 1)
    titles = list(split["title"])
    predictions = tuple(
        Prediction(titles[i], labels[int(y_true[i])], labels[int(y_pred[i])], float(probs[i].max()))
        for i in range(len(titles))
    )
    return FineTuneResult(
        model=model,
        tokenizer=trainer.processing_class,
        settings=settings,
        labels=labels,
        steps=tuple(s for s, _ in steps_losses),
        losses=tuple(loss for _, loss in steps_losses),
        accuracy=float(np.mean(y_pred == y_true)),
        confusion=confusion,
        predictions=predictions,
        trainable_params=int(trainable),
        total_params=int(total),
        train_seconds=train_seconds,
        eval_seconds=eval_seconds,
        truncated=truncated,
        log_history=history,
        versions=versions("torch", "transformers", "peft"),
    )


def add_lora(model: Any, settings: FineTuneSettings) -> Any:
    """``model`` with LoRA adapters (peft) as ``settings`` say; the rest frozen.

    The new classification head still trains in full.

    >>> from transformers import AutoModelForSequenceClassification as Head
    >>> from nlpguide.models import encoder
    >>> _, model = encoder(model_class=Head, num_labels=5)
    >>> lora = add_lora(model, FineTuneSettings(lora=True))
    >>> sum(p.numel() for p in lora.parameters() if p.requires_grad)
    75653
    """
    _check.instance("settings", settings, FineTuneSettings)
    from peft import LoraConfig, get_peft_model  # noqa: PLC0415

    config = LoraConfig(
        task_type="SEQ_CLS",  # also trains the new classifier head in full
        r=settings.lora_r,
        lora_alpha=settings.lora_alpha,
        lora_dropout=settings.lora_dropout,
        target_modules=list(settings.lora_targets),
    )
    with warnings.catch_warnings():
        # peft 0.21 reads a property transformers 5 deprecates: nothing to do.
        warnings.filterwarnings(
            "ignore",
            message=".*is_gradient_checkpointing",
            category=FutureWarning,
        )
        return get_peft_model(model, config)


def build_trainer(
    model: Any,
    tokenizer: Any,
    train: Any,
    settings: FineTuneSettings,
    *,
    output_dir: str,
    progress: bool = False,
) -> Any:
    """The transformers ``Trainer`` that trains ``model`` on ``train``.

    ``output_dir`` is scratch space (nothing is saved there); ``progress``
    shows the progress bar. The losses go to ``trainer.state.log_history``.

    >>> import tempfile
    >>> from datasets import Dataset
    >>> from transformers import AutoModelForSequenceClassification as Head
    >>> from nlpguide.models import encoder
    >>> tok, model = encoder(model_class=Head, num_labels=2)
    >>> train = Dataset.from_dict({**tok(["good", "bad"]), "labels": [1, 0]})
    >>> settings = FineTuneSettings(max_steps=2)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     trainer = build_trainer(model, tok, train, settings, output_dir=tmp)
    >>> trainer.args.max_steps, trainer.args.learning_rate
    (2, 0.0002)
    """
    _check.instance("settings", settings, FineTuneSettings)
    _check.text("output_dir", output_dir)
    _check.boolean("progress", progress)
    from transformers import (  # noqa: PLC0415
        PrinterCallback,
        Trainer,
        TrainingArguments,
    )

    args = TrainingArguments(
        output_dir=output_dir,
        max_steps=settings.max_steps,
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=settings.eval_batch_size,
        learning_rate=settings.lr,
        weight_decay=settings.weight_decay,
        warmup_steps=settings.warmup,
        lr_scheduler_type="linear",
        logging_strategy="steps",
        logging_steps=1,
        eval_strategy="no",
        save_strategy="no",
        report_to="none",
        disable_tqdm=not progress,
        use_cpu=settings.device == "cpu",
        seed=settings.seed,
        data_seed=settings.seed,
        dataloader_num_workers=0,
        # Every trained weight is used in each forward pass: skip DDP's search.
        ddp_find_unused_parameters=False,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train,
        processing_class=tokenizer,
    )
    # Without progress bars, Trainer prints each log dict; callers plot losses.
    trainer.remove_callback(PrinterCallback)
    return trainer


def _plain(entry: dict[str, Any]) -> dict[str, Any]:
    """A log entry with numpy / torch scalars turned into JSON numbers."""
    return {k: (v if isinstance(v, str | int) else float(v)) for k, v in entry.items()}


def _save_files(result: FineTuneResult, folder: Path) -> None:
    result.model.save_pretrained(folder)
    result.tokenizer.save_pretrained(folder)
    record = {
        "settings": result.settings.to_dict(),
        "labels": list(result.labels),
        "steps": list(result.steps),
        "losses": list(result.losses),
        "accuracy": result.accuracy,
        "confusion": result.confusion.tolist(),
        "predictions": [asdict(p) for p in result.predictions],
        "trainable_params": result.trainable_params,
        "total_params": result.total_params,
        "train_seconds": result.train_seconds,
        "eval_seconds": result.eval_seconds,
        "truncated": {k: list(v) for k, v in result.truncated.items()},
        "log_history": list(result.log_history),
        "versions": result.versions,
    }
    (folder / _RESULT_FILE).write_text(json.dumps(record, indent=1), encoding="utf-8")
