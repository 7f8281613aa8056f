"""Bad-input fuzzing of the command line, :func:`nlpguide.cli.main` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzz_support import (
    ANY_CHAR,
    CASES,
    CONFIGS,
    HUGE_TEXT,
    JUNK,
    MODEL_NAMES,
    NASTY,
    NON_STR,
    fuzz,
    rejects,
)
from hypothesis import assume, given
from hypothesis import strategies as st

from nlpguide import cli, text2text


def _stream(errors: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        io.BytesIO(), encoding="utf-8", errors=errors, newline="\n", write_through=True
    )


def run_cli(argv: Any) -> tuple[int | str, str, str]:
    """Run main(argv) with stdout/stderr as a UTF-8 terminal has them (strict / backslashreplace)."""
    out, err = _stream("strict"), _stream("backslashreplace")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: int | str = cli.main(argv)
        except SystemExit as exc:
            code = f"SystemExit({exc.code})"
    texts = []
    for stream in (out, err):
        stream.flush()
        buffer = stream.detach()
        assert isinstance(buffer, io.BytesIO)
        texts.append(buffer.getvalue().decode("utf-8"))
    return code, texts[0], texts[1]


CLI_WORD = st.one_of(
    st.text(ANY_CHAR.filter(lambda c: c != "\x00"), max_size=25),
    st.sampled_from([n for n in NASTY if "\x00" not in n]),
)
HELP_FLAGS = {"-h", "--help", "--version"}


def check_cli(target: str, argv: list[str], success: str) -> None:
    """Exit 0 with ``success`` in the output, or 2 with one error line and no output."""
    CASES[target] += 1
    code, out, err = run_cli(argv)
    if HELP_FLAGS & set(argv) and code == "SystemExit(0)":
        return  # argparse printed help / the version
    assert "Traceback" not in err
    assert code in (0, 2), (code, err)
    if code == 0:
        assert err == "", err
        assert success in out, out
    else:
        assert out == "", f"output before the error: {out!r}"
        assert err.startswith("nlpguide: error: "), err
        assert err.count("\n") == 1, err
        assert err.endswith("\n"), err


def extras() -> st.SearchStrategy[list[str]]:
    return st.lists(CLI_WORD, max_size=2)


@pytest.fixture(scope="class")
def empty_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """``assets`` lists an empty cache folder, not the user's."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NLPGUIDE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.mark.usefixtures("empty_cache")
class TestCli:
    @fuzz(150)
    @given(
        fmt=st.one_of(st.none(), st.sampled_from(["text", "markdown", "html"]), CLI_WORD),
        tail=extras(),
    )
    def test_table(self, fmt: str | None, tail: list[str]) -> None:
        """`table [--format F]` prints the table, or one error line with exit 2."""
        argv = ["table", *([] if fmt is None else ["--format", fmt]), *tail]
        check_cli("cli table", argv, "Classification")

    @fuzz(250)
    @given(
        task=st.one_of(
            st.sampled_from(["ner", "Q&A", "spam", "sentiment analysis"]),
            CLI_WORD,
            st.just(HUGE_TEXT),
        ),
        tail=extras(),
    )
    def test_recommend(self, task: str, tail: list[str]) -> None:
        """`recommend TASK` prints a recommendation, or one error line with exit 2."""
        check_cli("cli recommend", ["recommend", task, *tail], "architecture:")

    @fuzz(250)
    @given(
        text=st.one_of(CLI_WORD, st.just(HUGE_TEXT)),
        seed=st.one_of(st.none(), st.integers(-5, 2**70).map(str), CLI_WORD, st.just("9" * 5000)),
        rate=st.one_of(
            st.none(),
            st.floats().map(repr),
            st.sampled_from(["nan", "-inf", "1e-400", "0x1p-2", "½"]),
            CLI_WORD,
        ),
        tail=extras(),
    )
    def test_mask(self, text: str, seed: str | None, rate: str | None, tail: list[str]) -> None:
        """`mask TEXT [--seed N] [--rate P]` prints a masking, or one error line with exit 2."""
        argv = ["mask", text]
        argv += [] if seed is None else ["--seed", seed]
        argv += [] if rate is None else ["--rate", rate]
        check_cli("cli mask", [*argv, *tail], "original:")

    @fuzz(300)
    @given(
        task=st.one_of(st.sampled_from(list(text2text.TASKS)), CLI_WORD),
        pairs=st.lists(
            st.tuples(
                st.one_of(
                    st.sampled_from(
                        [
                            "premise",
                            "hypothesis",
                            "sentence",
                            "text",
                            "question",
                            "context",
                            "source",
                            "target",
                            "sentence-1",
                            "",
                        ]
                    ),
                    CLI_WORD,
                ),
                st.one_of(CLI_WORD, st.just(HUGE_TEXT)),
                st.booleans(),
            ),
            max_size=4,
        ),
        tail=st.lists(CLI_WORD, max_size=1),
    )
    def test_frame(self, task: str, pairs: list[tuple[str, str, bool]], tail: list[str]) -> None:
        """`frame TASK --FIELD VALUE ...` prints T5's input, or one error line with exit 2."""
        argv = ["frame", task]
        for name, value, joined in pairs:
            argv += [f"--{name}={value}"] if joined else [f"--{name}", value]
        check_cli("cli frame", [*argv, *tail], "")

    @fuzz(200)
    @given(
        name=st.one_of(MODEL_NAMES, CLI_WORD),
        tokens=st.one_of(
            st.none(),
            st.integers(-3, 10**6).map(str),
            st.just("9" * 4000),
            st.just("9" * 200),
            CLI_WORD,
        ),
        tail=extras(),
    )
    def test_params(self, name: str, tokens: str | None, tail: list[str]) -> None:
        """`params NAME [--tokens N]` prints the counts, or one error line with exit 2."""
        argv = ["params", name, *([] if tokens is None else ["--tokens", tokens])]
        check_cli("cli params", [*argv, *tail], "parameters:")

    @fuzz(200)
    @given(
        config=st.one_of(
            CONFIGS,
            st.dictionaries(st.sampled_from(["model_type", "n_embd", "d_model"]), JUNK),
            st.sampled_from(["{", "[]", "null", '"gpt2"', "\ufeff{}"]),
            st.none(),
        ),
        flags=st.lists(
            st.tuples(
                st.sampled_from(["--dtype", "--batch", "--seq", "--lora", "--tokens"]),
                st.one_of(
                    st.sampled_from(["fp32", "bf16", "fp16", "fp8", "1", "8", "0", "-1"]),
                    st.integers(-2, 10**7).map(str),
                    CLI_WORD,
                ),
            ),
            max_size=3,
        ),
    )
    def test_params_config_file(self, config: Any, flags: list[tuple[str, str]]) -> None:
        """`params PATH` with any file content and flags prints the table or exits 2."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "config.json"
            if isinstance(config, dict):
                path.write_text(json.dumps(config, default=repr), encoding="utf-8")
            elif isinstance(config, str):
                path.write_text(config, encoding="utf-8")
            argv = ["params", folder, *(part for flag in flags for part in flag)]
            check_cli("cli params", argv, "memory (")

    @fuzz(25)
    @given(tail=st.lists(CLI_WORD.filter(lambda s: not s.startswith("--p")), max_size=2))
    def test_assets(self, tail: list[str]) -> None:
        """`assets` lists the packages and the cache (never --prepare here), or exits 2."""
        check_cli("cli assets", ["assets", *tail], "cache:")

    @fuzz(300)
    @given(
        argv=st.lists(
            st.one_of(
                CLI_WORD,
                st.sampled_from(
                    [
                        "table",
                        "recommend",
                        "mask",
                        "frame",
                        "params",
                        "--format",
                        "--seed",
                        "--rate",
                        "--tokens",
                        "-h",
                        "--version",
                        "--",
                        "-",
                    ]
                ),
            ),
            max_size=6,
        )
    )
    def test_any_argv(self, argv: list[str]) -> None:
        """Any argument list exits 0 or 2 with at most one error line, never a traceback."""
        assume(not ("assets" in argv and any(a.startswith("--p") for a in argv)))
        commands = {"table", "recommend", "mask", "frame", "params"}
        check_cli(
            f"cli {argv[0]}" if argv and argv[0] in commands else "nlpguide.cli.main", argv, ""
        )

    @fuzz(60)
    @given(
        argv=st.one_of(
            st.sampled_from(["table", b"table", 5, {"table": 1}]),
            st.lists(st.one_of(st.just("table"), NON_STR), min_size=1, max_size=3).filter(
                lambda a: any(not isinstance(x, str) for x in a)
            ),
        )
    )
    def test_main_argv_type(self, argv: Any) -> None:
        """main() from Python takes a list of str (or None): anything else is a TypeError."""
        rejects("nlpguide.cli.main", lambda: run_cli(argv), mentions="argv")


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.cli.main": "TestCli.test_any_argv",
}
