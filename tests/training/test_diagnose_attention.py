"""training/diagnose_attention.py on the shipped T5: entropies in range, the shuffle, the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import diagnose_attention as job
import pytest

from nlpguide.models.t5 import ARTEFACT_DIR

pytestmark = [pytest.mark.models]


@pytest.fixture(scope="module")
def figures() -> dict[str, object]:
    """The diagnosis of the shipped T5 on 8 validation pairs."""
    return job.diagnose(ARTEFACT_DIR, pairs=8)


class TestDiagnose:
    def test_one_entropy_per_layer_and_head(self, figures: dict[str, object]) -> None:
        """Each attention kind has num_layers rows of num_heads entropies, as the config says."""
        config = json.loads((ARTEFACT_DIR / "config.json").read_text(encoding="utf-8"))
        for key, layers in (
            ("encoder_self_attention_entropy", config["num_layers"]),
            ("cross_attention_entropy", config["num_decoder_layers"]),
        ):
            rows = figures[key]
            assert isinstance(rows, list)
            assert [len(row) for row in rows] == [config["num_heads"]] * layers

    def test_entropies_lie_between_zero_and_uniform_over_the_longest(
        self, figures: dict[str, object]
    ) -> None:
        """No head's entropy is negative or above log(padded source length)."""
        top = figures["max_entropy_nats"]
        assert isinstance(top, float)
        rows = [*figures["encoder_self_attention_entropy"], *figures["cross_attention_entropy"]]  # type: ignore[misc]
        assert all(0 <= h <= top + 1e-3 for row in rows for h in row)
        uniform = figures["uniform_entropy_nats"]
        assert isinstance(uniform, float)
        assert 0 < uniform <= top

    def test_losses_are_finite(self, figures: dict[str, object]) -> None:
        """Both the loss and the shuffled-source loss are finite, positive numbers."""
        for key in ("loss", "loss_sources_shuffled"):
            value = figures[key]
            assert isinstance(value, float)
            assert math.isfinite(value)
            assert value > 0


class TestMain:
    def test_prints_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        """main() prints the figures as one JSON object and returns 0."""
        assert job.main([str(ARTEFACT_DIR), "--pairs", "4"]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert printed["validation_pairs"] == 4

    @pytest.mark.parametrize(
        ("argv", "message"),
        [(["--pairs", "1"], "--pairs must be at least 2"), ([], "holds no config.json")],
    )
    def test_bad_arguments_are_usage_errors(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        argv: list[str],
        message: str,
    ) -> None:
        """Too few pairs or a folder without a model: exit 2 and one line naming it."""
        folder = ARTEFACT_DIR if argv else tmp_path
        with pytest.raises(SystemExit) as info:
            job.main([str(folder), *argv])
        assert info.value.code == 2
        assert message in capsys.readouterr().err
