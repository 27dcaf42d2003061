"""Run every benchmark in this folder and keep the results with the machine in docs/.

    python benchmarks/run.py            # all *_bench.py scripts
    python benchmarks/run.py cli rollout  # only those

Each script measures against its own reference in the same run (a bare
Starlette endpoint, a bare interpreter, plain cookiecutter, a raw SQL
GROUP BY) and prints its lines; this runner only collects them.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "docs" / "benchmark-results.md"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):  # no /proc: keep the generic name
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        mem_kb = int(
            next(
                ln
                for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")
            ).split()[1]
        )
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        mem = "?"
    return f"{os.cpu_count()} cores ({cpu}), {mem} RAM, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main(selected: list[str]) -> int:
    scripts = sorted(HERE.glob("*_bench.py"))
    if selected:
        scripts = [s for s in scripts if s.stem.removesuffix("_bench") in selected]
    lines = [f"# Benchmark results\n\nRun {datetime.date.today().isoformat()} on {machine()}.\n"]
    failed = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        result = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False
        )
        output = (result.stdout + (result.stderr if result.returncode else "")).strip()
        print(output, flush=True)
        failed += result.returncode != 0
        lines.append(f"## {script.stem}\n\n```\n{output}\n```\n")
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"results written to {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
