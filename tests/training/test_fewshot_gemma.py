"""training/fewshot_gemma.py: the job's own part, reading a split file (the rest is nlpguide.models.gemma)."""

from __future__ import annotations

from pathlib import Path

import fewshot_gemma as job


class TestReadPairs:
    def test_rows(self, tmp_path: Path) -> None:
        """A split file's rows come back as (english, french), the header and source column dropped."""
        path = tmp_path / "train.tsv"
        path.write_text(
            "english\tfrench\tsource\nOpen\tOuvrir\tx:y.mo\nClose\tFermer\tx:z.mo\n",
            encoding="utf-8",
        )
        assert job.read_pairs(path) == [("Open", "Ouvrir"), ("Close", "Fermer")]
