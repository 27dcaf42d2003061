"""Rollout and state report at the scale of Germany: 550 foreigners' authorities.

Measured in the same run, each against its reference:

* the rollout of a synthetic register of 550 authorities (render, secret and
  signing key, baseline, ``willkommen check`` without database) against
  rendering the same template 550 times with plain cookiecutter
  (``cookiecutter()``, hooks off, same values); goal: within 1.5x;
* a re-run of the same rollout (every instance unchanged);
* the state report over 550 signed summaries with two rounds each; goal: under 2 s;
* the resident memory of one process serving the 14 instances of Saxony-Anhalt
  (``serve --instances``); goal: under 400 MB.

Run: ``python benchmarks/rollout_bench.py [N]`` (default 550).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_RATIO = 1.5
GOAL_REPORT_S = 2.0
GOAL_RSS_MB = 400
CORNERSTONES = (
    "binnenorganisation",
    "verankerung",
    "kompetenzen",
    "zusammenarbeit",
    "erscheinungsbild",
)


def synthetic_register(path: Path, n: int) -> Path:
    rng = random.Random(6)
    lines = ['federal_state = "Sachsen-Anhalt"', "", "[defaults]", 'modules = "all"', ""]
    for i in range(n):
        kind = "Landkreis" if rng.random() < 0.75 else "kreisfreie Stadt"
        lines += [
            "[[authority]]",
            f'name = "Ausländerbehörde {kind} Beispiel {i:03d}"',
            f'slug = "beispiel-{i:03d}"',
            f'type = "{kind}"',
            "",
            "[[authority.sites]]",
            'name = "Hauptsitz"',
            f'street = "Marktplatz {i % 90 + 1}"',
            f'postcode = "{10000 + i * 97 % 89999:05d}"',
            f'city = "Beispielstadt {i:03d}"',
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def time_plain_cookiecutter(reg, output: Path) -> float:
    from cookiecutter.main import cookiecutter

    from willkommen_core import __version__
    from willkommen_core.scaffold import template_dir

    template = str(template_dir())
    contexts = [e.context(__version__) for e in reg.authorities]
    start = time.perf_counter()
    for ctx in contexts:
        cookiecutter(
            template,
            no_input=True,
            extra_context=ctx,
            output_dir=str(output),
            accept_hooks=False,
        )
    return time.perf_counter() - start


def time_rollout(reg, output: Path) -> tuple[float, dict[str, int]]:
    from willkommen_core.rollout.run import rollout

    start = time.perf_counter()
    result = rollout(reg, output)
    return time.perf_counter() - start, result.counts()


def synthetic_summaries(folder: Path, n: int) -> tuple[list[Path], Path]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from willkommen_core.rollout.summary import KEYS_SCHEMA, sign

    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    files, keys = [], {}
    for i in range(n):
        slug = f"beispiel-{i:03d}"
        rounds = []
        for r, closed in enumerate(("2025-03-01", "2026-03-01")):
            rounds.append(
                {
                    "id": r + 1,
                    "title": f"Runde {r + 1}",
                    "closed_on": closed,
                    "questionnaire_version": "2025.1" if i % 10 else "2024.1",
                    "responses": 40,
                    "suppressed": False,
                    "cornerstones": [
                        {
                            "id": c,
                            "n": 40,
                            "mean": round(rng.uniform(1.5, 4.8), 2),
                            "distribution": {str(v): 8 for v in range(1, 6)},
                            "dont_know": 0,
                            "suppressed": rng.random() < 0.05,
                        }
                        for c in CORNERSTONES
                    ],
                }
            )
        envelope = {
            "schema": "willkommen.summary/1",
            "authority": {"slug": slug, "name": f"Beispiel {i:03d}", "type": "Landkreis"},
            "toolkit_version": "0.1.0",
            "created": "2026-03-02",
            "modules": {
                "selbstcheck": {
                    "schema_version": 1,
                    "questionnaire_version": "2025.1",
                    "rounds": rounds,
                },
                "prozesse": {
                    "schema_version": 1,
                    "started": True,
                    "phase": {"title": "Arbeitsgruppen", "index": 6, "total": 9},
                    "share_done": 0.5,
                },
            },
        }
        key = Ed25519PrivateKey.generate()
        signed = sign(envelope, key)
        keys[slug] = {"public_key": signed["signature"]["public_key"], "status": "created"}
        path = folder / f"{slug}.json"
        path.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
        files.append(path)
    keys_path = folder / "keys.json"
    keys_path.write_text(json.dumps({"schema": KEYS_SCHEMA, "authorities": keys}), encoding="utf-8")
    return files, keys_path


MEASURE_HOST = """
import sys
from starlette.testclient import TestClient
from willkommen_core.rollout.host import InstancesHost
host = InstancesHost(sys.argv[1])
with TestClient(host, base_url="https://testserver") as client:
    for slug in host.apps:
        for page in ("login", "barrierefreiheit", "healthz"):
            assert client.get(f"/{slug}/{page}").status_code == 200
    status = open("/proc/self/status").read()
    print(len(host.apps), int(next(l for l in status.splitlines() if l.startswith("VmRSS")).split()[1]))
"""


def main(n: int = 550) -> list[str]:
    from willkommen_core.rollout import register
    from willkommen_core.rollout.land import build_report
    from willkommen_core.rollout.run import rollout

    out = []
    with tempfile.TemporaryDirectory(prefix="rollout-bench-") as tmp:
        base = Path(tmp)
        reg = register.load(synthetic_register(base / "register.toml", n))
        plain = time_plain_cookiecutter(reg, base / "plain")
        ours, counts = time_rollout(reg, base / "rollout")
        again, again_counts = time_rollout(reg, base / "rollout")
        ratio = ours / plain
        out.append(
            f"rollout of {n} authorities: {ours:.2f} s ({ours / n * 1000:.1f} ms each, {counts['created']} created); "
            f"plain cookiecutter {plain:.2f} s ({plain / n * 1000:.1f} ms each); "
            f"ratio {ratio:.2f}, goal <= {GOAL_RATIO}: {'ok' if ratio <= GOAL_RATIO else 'MISSED'}"
        )
        out.append(
            f"re-run (idempotent): {again:.2f} s, {again_counts['unchanged']} of {n} unchanged"
        )
        files, keys = synthetic_summaries(base / "summaries", n)
        start = time.perf_counter()
        result = build_report(files, base / "report", keys_file=keys)
        report_s = time.perf_counter() - start
        out.append(
            f"state report over {n} signed summaries x 2 rounds: {report_s:.2f} s "
            f"({len(result.accepted)} accepted); goal < {GOAL_REPORT_S} s: "
            f"{'ok' if report_s < GOAL_REPORT_S else 'MISSED'}"
        )
        land = base / "sachsen-anhalt"
        rollout(register.load("sachsen-anhalt"), land, migrate=True)
        run = subprocess.run(
            [sys.executable, "-c", MEASURE_HOST, str(land)],
            capture_output=True,
            text=True,
            check=True,
        )
        served, rss_kb = map(int, run.stdout.split())
        out.append(
            f"serve --instances: {served} Saxony-Anhalt instances in one process, "
            f"{rss_kb / 1024:.0f} MB resident; goal < {GOAL_RSS_MB} MB: "
            f"{'ok' if rss_kb / 1024 < GOAL_RSS_MB else 'MISSED'}"
        )
    return out


if __name__ == "__main__":
    print("\n".join(main(int(sys.argv[1]) if len(sys.argv) > 1 else 550)))
