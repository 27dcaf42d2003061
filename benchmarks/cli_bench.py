"""CLI start-up: `willkommen --help` against `python -c pass`, measured in the same run.

Goal (issue 7): under 150 ms, i.e. heavy imports (pydantic, SQLAlchemy,
Starlette) deferred until a command needs them.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15


def _median_ms(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> list[str]:
    bare = _median_ms([sys.executable, "-c", "pass"])
    cli = _median_ms([sys.executable, "-m", "willkommen_core", "--help"])
    verdict = "ok" if cli < 150 else "MISSED"
    return [
        f"cli start-up: willkommen --help {cli:.0f} ms (median of {RUNS}), "
        f"python -c pass {bare:.0f} ms, difference {cli - bare:.0f} ms; goal < 150 ms: {verdict}"
    ]


if __name__ == "__main__":
    print("\n".join(main()))
