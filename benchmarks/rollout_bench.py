"""Rollout and state report at the scale of Germany: 550 foreigners' authorities.

Measured in the same run, each against its reference:

* the rollout of a synthetic register of 550 authorities (render, secret and
  signing key, baseline, ``willkommen check`` without database) against
  rendering the same template 550 times with plain cookiecutter
  (``cookiecutter()``, hooks off, same values), each twice in the order plain,
  rollout, rollout, plain, so that both see the same load; goal: within 1.5x;
* a re-run of the same rollout (every instance unchanged);
* the state report over 550 signed summaries with two rounds each; goal: under 2 s;
* the resident memory of one process serving the 14 instances of Saxony-Anhalt
  (``serve --instances``); goal: under 400 MB; and the cost of each loaded
  instance (memory with all 14 loaded against one);
* the resident memory of one host process that served every one of the 550
  instances (each loaded at its first request, at most ``MAX_LOADED`` at once,
  the least recently used unloaded); goal: under 1 GB;
* the time of the first request to a cold instance (loaded by that request)
  against the same request to it once warm, median and 95th percentile over
  the 550; goal: a cold first request under 300 ms.

The 550 host instances are the rollout's own folders, each given a copy of one
migrated database (the same modules, so the same schema): migrating 550
databases would measure Alembic, not the host.

Run: ``python benchmarks/rollout_bench.py [N]`` (default 550).
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_RATIO = 1.5
GOAL_REPORT_S = 2.0
GOAL_RSS_MB = 400
GOAL_HOST_MB = 1024
GOAL_COLD_MS = 300
MAX_LOADED = 100
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


def time_side_by_side(reg, base: Path) -> tuple[float, float, dict[str, int], Path]:
    """Plain cookiecutter, the rollout, the rollout again, plain again (ABBA), so that
    a load of a shared machine that grows or shrinks meanwhile weighs on both alike.
    Returns the seconds of plain and of the rollout (both runs each), the first
    rollout's counts and its folder."""
    plain = time_plain_cookiecutter(reg, base / "plain-1")
    ours, counts = time_rollout(reg, base / "rollout")
    again, _ = time_rollout(reg, base / "rollout-2")
    plain += time_plain_cookiecutter(reg, base / "plain-2")
    return plain / 2, (ours + again) / 2, counts, base / "rollout"


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
            "sequence": 1772443200000 + i,
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
import json, statistics, sys, time
from starlette.testclient import TestClient
from willkommen_core.rollout.host import InstancesHost

def rss_mb():
    status = open("/proc/self/status").read()
    return int(next(l for l in status.splitlines() if l.startswith("VmRSS")).split()[1]) / 1024

host = InstancesHost(sys.argv[1], max_loaded=int(sys.argv[2]))
cold, warm, peak = [], [], 0.0
with TestClient(host, base_url="https://testserver") as client:
    # Startup loads one instance (imports and checks the modules' code once).
    after_start = rss_mb()
    started = set(host.loaded())
    for slug in host.apps:
        if slug not in started:
            begin = time.perf_counter()
            assert client.get(f"/{slug}/login").status_code == 200, slug
            cold.append(time.perf_counter() - begin)
            begin = time.perf_counter()
            assert client.get(f"/{slug}/login").status_code == 200, slug
            warm.append(time.perf_counter() - begin)
        for page in ("barrierefreiheit", "healthz"):
            assert client.get(f"/{slug}/{page}").status_code == 200, (slug, page)
        peak = max(peak, rss_mb())
    print(json.dumps({
        "served": len(host.apps), "loaded": len(host.loaded()), "after_start_mb": after_start,
        "rss_mb": rss_mb(), "peak_mb": peak,
        "cold_ms": [c * 1000 for c in cold], "warm_ms": [w * 1000 for w in warm],
    }))
"""


def measure_host(folder: Path, max_loaded: int) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", MEASURE_HOST, str(folder), str(max_loaded)],
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode:
        raise SystemExit(f"measuring the host failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.splitlines()[-1])


def host_folder(rolled_out: Path) -> Path:
    """The rollout's instances, each with a copy of one migrated database."""
    import shutil

    from willkommen_core.instance import Instance

    slugs = sorted(p for p in rolled_out.iterdir() if (p / "willkommen.toml").is_file())
    first = Instance.open(slugs[0])
    first.upgrade_storage()
    first.db.dispose()
    source = slugs[0] / "willkommen.db"
    for folder in slugs[1:]:
        shutil.copyfile(source, folder / "willkommen.db")
    return rolled_out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(n: int = 550) -> list[str]:
    from willkommen_core.rollout import register
    from willkommen_core.rollout.land import build_report
    from willkommen_core.rollout.run import rollout

    out = []
    with tempfile.TemporaryDirectory(prefix="rollout-bench-") as tmp:
        base = Path(tmp)
        reg = register.load(synthetic_register(base / "register.toml", n))
        plain, ours, counts, rolled_out = time_side_by_side(reg, base)
        again, again_counts = time_rollout(reg, rolled_out)
        ratio = ours / plain
        out.append(
            f"rollout of {n} authorities (each side the mean of two runs, ABBA): {ours:.2f} s ({ours / n * 1000:.1f} ms each, {counts['created']} created); "
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
        small = measure_host(land, MAX_LOADED)
        per_instance = (small["rss_mb"] - small["after_start_mb"]) / max(1, small["loaded"] - 1)
        out.append(
            f"serve --instances: {small['served']} Saxony-Anhalt instances in one process, "
            f"{small['rss_mb']:.0f} MB resident ({small['after_start_mb']:.0f} MB with one "
            f"loaded, {per_instance:.1f} MB per further loaded instance); goal < {GOAL_RSS_MB} MB: "
            f"{'ok' if small['rss_mb'] < GOAL_RSS_MB else 'MISSED'}"
        )
        large = measure_host(host_folder(rolled_out), MAX_LOADED)
        out.append(
            f"serve --instances: {large['served']} instances served by one process, at most "
            f"{MAX_LOADED} loaded at once: {large['rss_mb']:.0f} MB resident at the end, "
            f"peak {large['peak_mb']:.0f} MB; goal < {GOAL_HOST_MB} MB: "
            f"{'ok' if large['peak_mb'] < GOAL_HOST_MB else 'MISSED'}"
        )
        cold = large["cold_ms"]
        warm = large["warm_ms"]
        cold_median = statistics.median(cold)
        warm_median = statistics.median(warm)
        out.append(
            f"first request to a cold instance (GET /<slug>/login, loading it): median "
            f"{cold_median:.0f} ms, 95th percentile {percentile(cold, 0.95):.0f} ms; the same "
            f"request warm: median {warm_median:.1f} ms, 95th percentile "
            f"{percentile(warm, 0.95):.1f} ms (cold/warm {cold_median / warm_median:.0f}x); "
            f"goal: cold < {GOAL_COLD_MS} ms: {'ok' if cold_median < GOAL_COLD_MS else 'MISSED'}"
        )
    return out


if __name__ == "__main__":
    print("\n".join(main(int(sys.argv[1]) if len(sys.argv) > 1 else 550)))
