"""The publishing files build the site as the README and .ci/run do, and no more loosely.

The workflow and ``.readthedocs.yaml`` run only on GitHub and Read the Docs; ``nox -s
lint`` checks them against their schemas. These tests check what a schema cannot: that
their build step is the README's command with .ci/run's settings, that every action is
pinned by commit, that only the deploy job may write, and that the caches are keyed on
the files that decide what they hold.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"
RTD = ROOT / ".readthedocs.yaml"
DOCS_COMMAND = "nox -s docs"


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _readme_docs_command() -> str:
    """The README's quick-start line that builds the site, without its comment."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.DOTALL)
    lines = [ln.split("#")[0].strip() for b in blocks for ln in b.splitlines()]
    (command,) = [ln for ln in lines if ln.endswith(DOCS_COMMAND)]
    return command


def _ci_docs_settings() -> dict[str, str]:
    """The environment .ci/run sets on its docs build line."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    (line,) = [ln for ln in ci if ln.strip().endswith(DOCS_COMMAND)]
    words = shlex.split(line)
    return dict(w.split("=", 1) for w in words if "=" in w and not w.startswith("-"))


def _steps(job: str) -> list[dict[str, Any]]:
    steps = _load(WORKFLOW)["jobs"][job]["steps"]
    assert isinstance(steps, list)
    return steps


def _build_step() -> dict[str, Any]:
    (step,) = [s for s in _steps("build") if DOCS_COMMAND in s.get("run", "")]
    return step


def _uses(path: Path) -> list[str]:
    """Each ``uses:`` line of the workflow, comment included."""
    text = path.read_text(encoding="utf-8")
    return [ln.split("uses:", 1)[1].strip() for ln in text.splitlines() if "uses:" in ln]


def _segments(command: str) -> list[str]:
    return [" ".join(part.split()) for part in command.split("&&")]


class TestSameBuildEverywhere:
    def test_workflow_runs_the_readme_command(self) -> None:
        """The workflow's build step is the README's docs command, word for word."""
        assert " ".join(_build_step()["run"].split()) == _readme_docs_command()

    def test_workflow_forces_execution_as_ci_does(self) -> None:
        """The workflow re-runs every page, with the execution mode .ci/run sets."""
        ci = _ci_docs_settings()
        assert ci["NLPGUIDE_DOCS_EXECUTION"] == "force"
        assert _build_step()["env"]["NLPGUIDE_DOCS_EXECUTION"] == ci["NLPGUIDE_DOCS_EXECUTION"]

    def test_readthedocs_runs_the_readme_command_forced(self) -> None:
        """Read the Docs runs the README's command after exporting the forced mode."""
        commands = _load(RTD)["build"]["commands"]
        (line,) = [c for c in commands if DOCS_COMMAND in c]
        parts = _segments(line)
        readme = _segments(_readme_docs_command())
        assert parts[-len(readme) :] == readme
        exports = [p for p in parts if p.startswith("export ")]
        assert exports
        assert "NLPGUIDE_DOCS_EXECUTION=force" in shlex.split(exports[0])

    @pytest.mark.parametrize("path", [WORKFLOW, RTD], ids=["workflow", "readthedocs"])
    def test_cpu_torch_is_the_noxfile_pin(self, path: Path) -> None:
        """Both hosts fetch and pin the CPU build of exactly the torch the noxfile installs."""
        noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
        (pin,) = re.findall(r'^TORCH = "(torch==[\d.]+)"$', noxfile, flags=re.MULTILINE)
        text = path.read_text(encoding="utf-8")
        assert f"--index-url https://download.pytorch.org/whl/cpu {pin}" in " ".join(text.split())
        assert f'"{pin}+cpu"' in text

    def test_site_is_published_from_the_folder_nox_builds(self) -> None:
        """Pages, the preview and Read the Docs all take the folder ``nox -s docs`` writes."""
        noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
        assert '"docs/_build/html",' in noxfile
        uploads = [s for s in _steps("build") if "upload" in s.get("uses", "")]
        assert len(uploads) == 2
        assert {s["with"]["path"] for s in uploads} == {"docs/_build/html"}
        (copy,) = [c for c in _load(RTD)["build"]["commands"] if "READTHEDOCS_OUTPUT" in c]
        assert "docs/_build/html" in copy

    def test_readme_serves_the_built_folder(self) -> None:
        """The README's local-serving line serves the folder the docs session writes."""
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        assert "python -m http.server -d docs/_build/html" in readme


class TestLockedDown:
    def test_every_action_is_pinned_by_commit(self) -> None:
        """Each action is named by a full commit SHA, with its release in a comment."""
        uses = _uses(WORKFLOW)
        assert len(uses) >= 6
        for use in uses:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", use), use

    def test_workflow_reads_only_by_default(self) -> None:
        """The workflow's token can only read the repository unless a job says more."""
        assert _load(WORKFLOW)["permissions"] == {"contents": "read"}

    def test_only_the_deploy_job_writes(self) -> None:
        """Pages and id-token write are granted to the deploy job and to no other."""
        jobs = _load(WORKFLOW)["jobs"]
        granted = {name: job["permissions"] for name, job in jobs.items() if "permissions" in job}
        assert granted == {"deploy": {"pages": "write", "id-token": "write"}}

    def test_deploys_only_from_main_and_previews_pull_requests(self) -> None:
        """Deployment is gated on main outside pull requests; the preview on pull requests."""
        deploy = _load(WORKFLOW)["jobs"]["deploy"]
        assert "refs/heads/main" in deploy["if"]
        assert "github.event_name != 'pull_request'" in deploy["if"]
        uploads = {s["uses"].split("@")[0]: s for s in _steps("build") if "uses" in s}
        assert uploads["actions/upload-pages-artifact"]["if"] == deploy["if"]
        preview = uploads["actions/upload-artifact"]
        assert preview["if"] == "github.event_name == 'pull_request'"
        assert "pull_request.number" in preview["with"]["name"]


class TestCaches:
    def _cache_steps(self) -> dict[str, dict[str, Any]]:
        steps = [s for s in _steps("build") if s.get("uses", "").startswith("actions/cache@")]
        return {s["name"]: s["with"] for s in steps}

    def test_model_cache_is_the_folder_the_build_uses(self) -> None:
        """The cached folder is NLPGUIDE_CACHE_DIR, where the docs session prepares models."""
        build = _load(WORKFLOW)["jobs"]["build"]
        assert "NLPGUIDE_CACHE_DIR" in build["env"]
        models = self._cache_steps()["Cache the prepared models"]
        assert models["path"] == "${{ env.NLPGUIDE_CACHE_DIR }}"

    def test_model_cache_is_keyed_on_the_asset_table_and_recipes(self) -> None:
        """The key hashes the asset table and the model recipes, and those files exist."""
        key = self._cache_steps()["Cache the prepared models"]["key"]
        (args,) = re.findall(r"hashFiles\((.*?)\)", key)
        patterns = re.findall(r"'([^']+)'", args)
        assert patterns == ["src/nlpguide/_assets.py", "src/nlpguide/models/**"]
        for pattern in patterns:
            # hashFiles' ** matches files; pathlib's matches folders only.
            assert any(p.is_file() for p in ROOT.glob(pattern.replace("**", "**/*"))), pattern

    def test_pyodide_download_is_cached(self) -> None:
        """The Pyodide runtime the docs session downloads is kept between runs."""
        assert "Cache the Pyodide download" in self._cache_steps()
