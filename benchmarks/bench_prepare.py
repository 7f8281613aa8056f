"""Preparation cost of every embedded model default, from an empty cache.

Target (issue 3): all defaults prepared from nothing in <= 6 minutes on a 2-core
machine. Each run uses a fresh cache folder and a fresh process
(``nlpguide assets --prepare``); the table gives the median wall time and the
peak resident memory of the preparing process.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_S = 360.0


def _run_once() -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="nlpguide-bench-") as cache:
        env = {**os.environ, "NLPGUIDE_CACHE_DIR": cache, "HF_HUB_OFFLINE": "1"}
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nlpguide", "assets", "--prepare"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: report it once it grows.
    return elapsed, max(peak_kib, before) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs = [_run_once() for _ in range(args.repeats)]
    for i, (seconds, peak) in enumerate(runs, 1):
        print(f"run {i}: {seconds:6.1f} s, peak RSS {peak:7.0f} MiB")
    median = statistics.median(s for s, _ in runs)
    peak = max(p for _, p in runs)
    verdict = "PASS" if median <= TARGET_S else "MISS"
    print(
        f"prepare all defaults: median {median:.1f} s (target <= {TARGET_S:.0f} s), "
        f"{median / TARGET_S:.2f}x of budget, peak RSS {peak:.0f} MiB: {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
