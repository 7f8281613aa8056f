"""Run code in a fresh Python and see what it imported: the import-cost checks."""

from __future__ import annotations

import ast
import os
import subprocess
import sys


def imported_by(code: str, *modules: str) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {modules!r} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    )
    found: list[str] = ast.literal_eval(out.stdout.strip().splitlines()[-1])
    return found
