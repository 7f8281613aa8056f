"""The nlpguide command line: output, exit codes, one-line errors."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzz_support import (
    ANY_CHAR,
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

from nlpguide import choose, cli, text2text
from nlpguide.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """This Python run on ``args`` in a fresh process, its output captured."""
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, env=env
    )


class TestCommands:
    def test_table_is_the_package_table(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`table --format markdown` prints exactly what choose.render_table renders."""
        code, out, _ = run(capsys, "table", "--format", "markdown")
        assert code == 0
        assert out.strip() == choose.render_table("markdown").strip()

    def test_recommend_prints_each_field(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`recommend` prints one line per field, each checkpoint with its sizes, and the reasons."""
        argv = ("recommend", "sentiment of tweets", "--examples", "5000", "--memory", "4GB")
        code, out, _ = run(capsys, *argv)
        rec = choose.recommend("sentiment of tweets", examples=5000, memory="4GB")
        assert code == 0
        lines = out.splitlines()
        assert lines[0] == f"task:         {rec.task}"
        assert lines[1] == f"architecture: {rec.architecture} (understand)"
        assert lines[2] == f"approach:     {rec.approach}"
        for c in rec.checkpoints:
            row = next(line for line in lines if line.strip().startswith(c.name + " "))
            assert f"{c.parameters / 1e6:,.1f}M parameters" in row
            assert f"{c.memory / 1e6:,.1f} MB" in row
        for reason in rec.reasons:
            assert f"  - {reason}" in lines

    @pytest.mark.parametrize(
        ("flags", "constraints"),
        [
            (["--languages", "en,fr"], {"languages": ["en", "fr"]}),
            (["--cpu"], {"cpu_only": True}),
            (["--latency-ms", "20"], {"latency_ms": 20.0}),
            (["--examples", "0"], {"examples": 0}),
        ],
    )
    def test_recommend_constraints(
        self, capsys: pytest.CaptureFixture[str], flags: list[str], constraints: dict[str, Any]
    ) -> None:
        """Each flag passes its constraint to recommend()."""
        code, out, _ = run(capsys, "recommend", "translate", *flags)
        rec = choose.recommend("translate", **constraints)
        assert code == 0
        lines = out.splitlines()
        rows = lines[lines.index("reasons:") - len(rec.checkpoints) : lines.index("reasons:")]
        assert [row.split()[0] for row in rows] == list(rec.models)

    def test_recommend_undecided_prints_the_questions(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Outside a terminal, words that decide nothing print the three questions, exit 0."""
        monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
        code, out, _ = run(capsys, "recommend", "knitting patterns")
        assert code == 0
        assert "architecture: (undecided)" in out
        for i, question in enumerate(choose.QUESTIONS, start=1):
            assert f"  {i}. {question.text}" in out

    @pytest.mark.parametrize("answers", [["n", "y"], ["no", "yes", "y"], ["", "Y"]])
    def test_recommend_asks_in_a_terminal(
        self,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        answers: list[str],
    ) -> None:
        """In a terminal the questions are asked in turn; the first yes decides the family."""
        replies = iter(answers)
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        monkeypatch.setattr("builtins.input", lambda _prompt: next(replies))
        code, out, _ = run(capsys, "recommend", "knitting patterns")
        assert code == 0
        assert "architecture: decoder (generate)" in out
        assert f"you answered yes to: {choose.QUESTIONS[1].text}" in out

    def test_recommend_end_of_input_is_no(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Ctrl-D at a question counts as no: all no leaves the answer undecided."""

        def eof(_prompt: str) -> str:
            raise EOFError

        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        monkeypatch.setattr("builtins.input", eof)
        code, out, _ = run(capsys, "recommend", "knitting patterns")
        assert code == 0
        assert "architecture: (undecided)" in out

    def test_mask_is_seeded(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The same seed prints the same masking; the original sentence is shown."""
        args = ("mask", "the quick brown fox jumps over the lazy dog", "--seed", "3")
        first = run(capsys, *args)
        second = run(capsys, *args)
        assert first == second
        assert first[0] == 0
        assert "[MASK]" in first[1] or "->" in first[1] or "fox" in first[1]

    def test_frame_mnli(self, capsys: pytest.CaptureFixture[str]) -> None:
        """frame builds T5's input with fields in alphabetical order."""
        code, out, _ = run(
            capsys, "frame", "mnli", "--premise", "A dog runs.", "--hypothesis", "An animal moves."
        )
        assert code == 0
        assert out.strip() == "mnli hypothesis: An animal moves. premise: A dog runs."

    def test_frame_equals_form(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--field=value works like --field value."""
        code, out, _ = run(capsys, "frame", "sst2", "--sentence=Great film!")
        assert code == 0
        assert out.strip() == "sst2 sentence: Great film!"

    def test_params(self, capsys: pytest.CaptureFixture[str]) -> None:
        """params prints the closed-form count with thousands separators."""
        code, out, _ = run(capsys, "params", "bert-base-uncased")
        assert code == 0
        assert "109,482,240" in out

    def test_params_from_a_config_file(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """params reads a config.json, or its folder, and prints the same table for both."""
        (tmp_path / "config.json").write_text(json.dumps(choose.reference_config("gpt2")))
        code, out, _ = run(capsys, "params", str(tmp_path / "config.json"))
        assert code == 0
        assert "124,439,808" in out
        assert run(capsys, "params", str(tmp_path))[1] == out.replace(
            str(tmp_path / "config.json"), str(tmp_path)
        )

    def test_params_memory_table(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--dtype, --batch, --seq and --lora size the memory rows from memory_estimate."""
        argv = ["Llama-2-7b-hf", "--dtype", "bf16", "--batch", "2", "--seq", "4096"]
        code, out, _ = run(capsys, "params", *argv, "--lora", "8")
        assert code == 0
        m = choose.memory_estimate(
            "Llama-2-7b-hf", dtype="bf16", batch=2, seq_len=4096, lora_rank=8
        )
        assert m.lora is not None
        assert "memory (bf16, batch 2, 4096 tokens)" in out
        assert re.search(r"KV cache, 2 x 4096 tokens +4\.0 GiB", out)
        assert "weights fp32 / bf16 / int8 / int4  25.1 GiB / 12.6 GiB / 6.3 GiB / 3.1 GiB" in out
        assert f"({m.lora.trainable_parameters:,} trainable)" in out
        assert "LoRA r=8 on q_proj, v_proj" in out
        assert "not counted: activations" in out

    def test_params_without_lora(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without --lora there is no LoRA row; --seq defaults to --tokens."""
        code, out, _ = run(capsys, "params", "t5-small", "--tokens", "64", "--dtype", "fp32")
        assert code == 0
        assert "LoRA" not in out
        assert "KV cache, 1 x 64 tokens" in out


class TestErrors:
    @pytest.mark.parametrize(
        "argv",
        [
            ["recommend", "ner", "--memory", "lots"],
            ["recommend", "ner", "--memory", "0GB"],
            ["recommend", "ner", "--examples", "-1"],
            ["recommend", "ner", "--examples", "many"],
            ["recommend", "ner", "--latency-ms", "0"],
            ["recommend", "ner", "--latency-ms", "soon"],
            ["recommend", "ner", "--languages", "x1"],
            ["recommend", "ner", "--languages", ""],
            ["frame", "mnli", "--premise", "only one field"],
            ["frame", "nosuchtask", "--text", "x"],
            ["frame", "mnli", "stray"],
            ["frame", "sst2", "--sentence"],
            ["frame", "sst2", "--sentence", "a", "--sentence", "b"],
            ["params", "no-such-model"],
            ["params", "gpt2", "--tokens", "0"],
            ["params", "gpt2", "--tokens", "many"],
            ["params", "/no/such/config.json"],
            ["params", "./no-such-folder"],
            ["params", "/dev/null"],
            ["params", "gpt2", "--dtype", "fp8"],
            ["params", "gpt2", "--batch", "0"],
            ["params", "gpt2", "--seq", "-3"],
            ["params", "gpt2", "--lora", "0"],
            ["params", "gpt2", "--lora", "x"],
            ["mask", ""],
            ["mask", "a b c", "--rate", "nan"],
            ["table", "--format", "pdf"],
            ["bogus"],
            [],
            ["recommend"],
            ["table", "extra"],
        ],
    )
    def test_one_line_and_exit_2(self, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
        """Bad input gives exit status 2 and exactly one line on stderr, no traceback."""
        code, out, err = run(capsys, *argv)
        assert code == 2
        assert out == ""
        assert err.startswith("nlpguide: error: ")
        assert err.count("\n") == 1
        assert "Traceback" not in err


class TestParamsFileErrors:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("{not json", "is not valid JSON"),
            ("[1, 2, 3]", "must hold a JSON object"),
            ('{"model_type": "xlnet"}', "unsupported model_type 'xlnet'"),
            ('{"model_type": "gpt2"}', "missing required key 'n_embd'"),
            ('{"model_type": "gpt2", "n_embd": "wide"}', "config['n_embd'] must be"),
        ],
    )
    def test_one_line_and_exit_2(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
    ) -> None:
        """A bad config file gives exit 2 and one line naming what is wrong, no traceback."""
        (tmp_path / "config.json").write_text(content)
        code, out, err = run(capsys, "params", str(tmp_path))
        assert (code, out) == (2, "")
        assert err.count("\n") == 1
        assert message in err


class TestStartup:
    HEAVY = frozenset({"numpy", "torch", "transformers"})

    @staticmethod
    def _modules_after(code: str) -> set[str]:
        """The modules a fresh Python has loaded after running ``code``."""
        result = _python("-c", f"{code}\nimport sys; print(*sys.modules, file=sys.stderr)")
        assert result.returncode == 0, result.stderr
        return set(result.stderr.split())

    def test_table_loads_no_numpy(self) -> None:
        """`nlpguide table` and `recommend` run without importing numpy or torch."""
        code = "from nlpguide.cli import main; main(['table']); main(['recommend', 'ner'])"
        assert not self.HEAVY & self._modules_after(code)

    def test_import_is_lazy(self) -> None:
        """`import nlpguide` loads none of its submodules, numpy or torch."""
        loaded = self._modules_after("import nlpguide")
        assert not {m for m in loaded if m.startswith("nlpguide.") or m in self.HEAVY}

    def test_submodules_load_on_access(self) -> None:
        """Attribute access loads a submodule; an unknown name is an AttributeError."""
        import nlpguide

        assert nlpguide.text2text.frame("sst2", sentence="ok") == "sst2 sentence: ok"
        assert "mlm" in dir(nlpguide)
        with pytest.raises(AttributeError, match="no attribute"):
            _ = nlpguide.nonexistent

    def test_python_m_entry_point(self) -> None:
        """`python -m nlpguide` is the same CLI, with status 2 on a bad command."""
        result = _python("-m", "nlpguide", "recommend", "ner", "--memory", "lots")
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1


# A numpy-only install: the models extra's top-level modules cannot be imported.
_WITHOUT_MODELS_EXTRA = """
import importlib.abc, sys
BLOCKED = {
    "torch", "transformers", "accelerate", "peft", "datasets", "safetensors",
    "sentencepiece", "gguf", "platformdirs", "filelock", "tqdm",
}
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Blocker())
from nlpguide.cli import main
sys.exit(main(sys.argv[1:]))
"""


class TestWithoutModelsExtra:
    """In a numpy-only install every command runs; one that needs torch says so in one line."""

    @staticmethod
    def _run(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return _python("-c", _WITHOUT_MODELS_EXTRA, *argv, env=env)

    def test_assets_names_the_models_extra(self) -> None:
        """`assets` prints one line naming the models extra and exits non-zero, no traceback."""
        # Without platformdirs (blocked above) the cache folder cannot be found, unless
        # $NLPGUIDE_CACHE_DIR names it (as .ci/run does): then nothing is missing.
        env = {k: v for k, v in os.environ.items() if k != "NLPGUIDE_CACHE_DIR"}
        result = self._run("assets", env=env)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith("nlpguide: error: ")
        assert "models" in result.stderr
        assert "pip install" in result.stderr

    @pytest.mark.parametrize(
        ("argv", "expected"),
        [
            (("table",), "Classification"),
            (("recommend", "ner"), "architecture: encoder"),
            (("mask", "the cat sat on the mat", "--seed", "0"), "original:"),
            (("frame", "sst2", "--sentence", "Great film!"), "sst2 sentence: Great film!"),
            (("params", "bert-base-uncased"), "parameters:"),
        ],
    )
    def test_core_commands_run(self, argv: tuple[str, ...], expected: str) -> None:
        """Every command but `assets` works with numpy alone and exits 0."""
        result = self._run(*argv)
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout
        assert result.stderr == ""


# --------------------------------------------------------------------- any input
# Every command, with hypothesis-drawn arguments: exit 0 with its output, or 2 with one
# error line and nothing else.


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


def check_cli(argv: list[str], success: str) -> None:
    """Exit 0 with ``success`` in the output, or 2 with one error line and no output."""
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
        check_cli(argv, "Classification")

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
        check_cli(["recommend", task, *tail], "architecture:")

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
        check_cli([*argv, *tail], "original:")

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
        check_cli([*argv, *tail], "")

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
        check_cli([*argv, *tail], "parameters:")

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
            check_cli(argv, "memory (")

    @fuzz(25)
    @given(tail=st.lists(CLI_WORD.filter(lambda s: not s.startswith("--p")), max_size=2))
    def test_assets(self, tail: list[str]) -> None:
        """`assets` lists the packages and the cache (never --prepare here), or exits 2."""
        check_cli(["assets", *tail], "cache:")

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
        check_cli(argv, "")

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
