"""Start-up cost: ``import nlpguide`` and ``nlpguide table`` against a bare interpreter.

Target (issue 2): ``import nlpguide`` costs <= 50 ms over a bare interpreter.
Runs are interleaved and reported as medians, since the machine is shared.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

CASES = {
    "bare interpreter": "pass",
    "import nlpguide": "import nlpguide",
    "nlpguide table": "from nlpguide.cli import main; main(['table'])",
    "import numpy (reference)": "import numpy",
}
REPEATS = 21
TARGET_MS = 50.0


def _once(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(REPEATS):
        for name, code in CASES.items():
            times[name].append(_once(code))
    bare = statistics.median(times["bare interpreter"])
    print(f"{'case':<26} {'median ms':>10} {'over bare ms':>13}")
    for name, samples in times.items():
        med = statistics.median(samples)
        print(f"{name:<26} {med * 1e3:>10.1f} {(med - bare) * 1e3:>13.1f}")
    cost = (statistics.median(times["import nlpguide"]) - bare) * 1e3
    verdict = "PASS" if cost <= TARGET_MS else "MISS"
    print(f"import nlpguide over bare: {cost:.1f} ms (target <= {TARGET_MS:.0f} ms): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
