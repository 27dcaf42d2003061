"""State aggregation over 550 authorities x 40 respondents x 40 answers vs a raw SQL GROUP BY.

One SQLite database in the self-assessment's own schema (created by its
migrations) holds one closed round per authority: 550 rounds x 40
respondents x 40 items = 880,000 rows in ``selbstcheck_answers``. Measured in
the same run:

1. **toolkit**: what the state summary does per authority (``store.load_responses``
   and ``results.compute``: every perspective x work-area group with margins,
   distributions, cornerstones and the disclosure layer), then the
   state-wide pooling of the visible item distributions;
2. **reference**: one raw SQL ``GROUP BY round, perspective, area, item, value``
   (``count(*)``): the finest distribution cells, from which every group could be
   summed, without suppression or margins.

It prints both times, the ratio and checks that the toolkit's state-wide
answer count equals the SQL one (same data aggregated).

    python benchmarks/aggregation_bench.py [--authorities 550] [--respondents 40]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ITEMS = 40

REFERENCE_SQL = """
SELECT r.round_id, r.perspective, r.area, a.item_id, a.value, count(*)
FROM selbstcheck_answers a JOIN selbstcheck_responses r ON r.id = a.response_id
GROUP BY r.round_id, r.perspective, r.area, a.item_id, a.value
"""


def forty_items(questionnaire):
    """The shipped questionnaire, padded with copies of its last items to 40 items."""
    have = list(questionnaire.items.values())
    cornerstones = list(questionnaire.cornerstones)
    last = cornerstones[-1]
    extra = tuple(
        dataclasses.replace(have[-1 - n % len(have)], id=f"bench_{n}", cornerstone=last.id)
        for n in range(ITEMS - len(have))
    )
    cornerstones[-1] = dataclasses.replace(last, items=last.items[:ITEMS] + extra)
    padded = dataclasses.replace(questionnaire, cornerstones=tuple(cornerstones))
    if len(padded.items) > ITEMS:  # a longer questionnaire: keep its first 40 items
        keep = list(padded.items)[:ITEMS]
        padded = dataclasses.replace(
            padded,
            cornerstones=tuple(
                dataclasses.replace(c, items=tuple(i for i in c.items if i.id in keep))
                for c in padded.cornerstones
            ),
        )
    assert len(padded.items) == ITEMS
    return padded


def build(root: Path, authorities: int, respondents: int):
    """An instance with the self-assessment and one closed round per authority."""
    from willkommen_core.instance import Instance
    from willkommen_core.scaffold import new_instance
    from willkommen_core.storage import migrate
    from willkommen_plugins.selbstcheck import questionnaire as qmod
    from willkommen_plugins.selbstcheck import store

    new_instance(
        root,
        "Ausländerbehörde Benchmark",
        {
            "modules": "selbstcheck",
            "database_url": "sqlite:///willkommen.db",
            "street": "Musterweg 1",
            "postcode": "06844",
        },
    )
    instance = Instance.open(root)
    migrate.upgrade(instance.db, instance.components())
    questionnaire = forty_items(qmod.current(instance))
    items = list(questionnaire.items)
    areas = [*questionnaire.work_areas, ""]
    round_ids = [
        store.create_round(instance.db, questionnaire, title=f"Behörde {n:03d}", mode="tokens")
        for n in range(authorities)
    ]
    rng = random.Random(7)
    heads, rows = [], []
    for rid in round_ids:
        for n in range(respondents):
            response_id = uuid.uuid4().hex
            perspective = "leitung" if n % 5 == 0 else "mitarbeitende"
            heads.append((response_id, rid, perspective, areas[n % len(areas)]))
            for item in items:  # about 8 % "cannot judge"
                rows.append((response_id, item, None if rng.random() < 0.08 else rng.randint(1, 5)))
    database = instance.db.engine.url.database
    instance.db.engine.dispose()
    conn = sqlite3.connect(database)
    with conn:
        conn.executemany(
            "INSERT INTO selbstcheck_responses (id, round_id, perspective, area)"
            " VALUES (?, ?, ?, ?)",
            heads,
        )
        conn.executemany(
            "INSERT INTO selbstcheck_answers (response_id, item_id, value) VALUES (?, ?, ?)", rows
        )
        conn.execute("UPDATE selbstcheck_rounds SET status = 'closed'")
    conn.execute("ANALYZE")
    conn.close()
    return instance, round_ids, len(rows)


def toolkit(instance, round_ids: list[int]) -> tuple[float, int]:
    """Per authority the module's own aggregation, then the state-wide pooling."""
    from willkommen_plugins.selbstcheck import store
    from willkommen_plugins.selbstcheck.results import compute
    from willkommen_plugins.selbstcheck.summary import min_size

    start = time.perf_counter()
    state: dict[str, Counter[str]] = {}
    dont_know = 0
    for rid in round_ids:
        rnd = store.get_round(instance.db, rid)
        assert rnd is not None
        res = compute(
            store.questionnaire_of(instance.db, rnd),
            store.load_responses(instance.db, rid),
            [],
            min_size(instance),
        )
        for iid, cell in res.total.items.items():
            if not cell.suppressed and cell.distribution is not None:
                state.setdefault(iid, Counter()).update(cell.distribution)
                dont_know += cell.dont_know or 0
    elapsed = time.perf_counter() - start
    answered = sum(sum(c.values()) for c in state.values())
    return elapsed, answered + dont_know


def reference(database: str) -> tuple[float, int]:
    conn = sqlite3.connect(database)
    try:
        start = time.perf_counter()
        cells = conn.execute(REFERENCE_SQL).fetchall()
        elapsed = time.perf_counter() - start
    finally:
        conn.close()
    return elapsed, sum(c[-1] for c in cells)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authorities", type=int, default=550)
    parser.add_argument("--respondents", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aggregation-bench-") as tmp:
        start = time.perf_counter()
        instance, round_ids, answers = build(
            Path(tmp) / "instance", args.authorities, args.respondents
        )
        print(
            f"data: {args.authorities} authorities x {args.respondents} respondents x {ITEMS}"
            f" answers = {answers:,} answers (built in {time.perf_counter() - start:.1f} s)"
        )
        database = instance.db.engine.url.database
        sql_s, sql_count = reference(database)  # warm the page cache for both
        sql_s, sql_count = reference(database)
        tk_s, tk_count = toolkit(instance, round_ids)
        instance.db.engine.dispose()
    print(f"raw SQL GROUP BY:          {sql_s:8.3f} s  ({answers / sql_s:,.0f} answers/s)")
    print(
        f"toolkit state aggregation: {tk_s:8.3f} s  ({answers / tk_s:,.0f} answers/s,"
        f" {tk_s / len(round_ids) * 1000:.1f} ms per authority)"
    )
    print(f"ratio toolkit / SQL: {tk_s / sql_s:.1f}x")
    if sql_count != answers or tk_count != answers:
        print(f"MISMATCH: stored {answers}, SQL {sql_count}, toolkit {tk_count}")
        return 1
    print(f"check: both aggregated all {answers:,} answers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
