"""Aggregates for exports and the ministry's state summary (never respondent data).

Everything here reads the round's results from the core disclosure layer
(:func:`results.compute`), so every export shows exactly what the pages may.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from willkommen_core.exports import csv_text

from . import questionnaire as qmod
from . import store
from .results import ALL, RoundResults, cell_dict, compute

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

SCHEMA = "willkommen.selbstcheck.summary"
SCHEMA_VERSION = 1
NAME = "selbstcheck"


def min_size(instance: Instance) -> int:
    return int(instance.settings.privacy.min_group_size)


def round_results(
    instance: Instance, rnd: store.Round, *, with_comments: bool = True
) -> RoundResults:
    """The round's results; a shared-code round (one person, many submissions) as a whole only."""
    db = instance.db
    q = store.questionnaire_of(db, rnd)
    notes = store.load_comments(db, rnd.id) if with_comments else []
    answers = store.load_responses(db, rnd.id)
    return compute(q, answers, notes, min_size(instance), breakdown=rnd.mode == "tokens")


def _cornerstone_rows(res: RoundResults, key: tuple[str, str]) -> list[dict[str, Any]]:
    group = res.groups[key]
    return [
        {
            "id": c.id,
            "n": group.cornerstones[c.id].n,
            "mean": group.cornerstones[c.id].mean,
            "distribution": group.cornerstones[c.id].distribution,
            "dont_know": group.cornerstones[c.id].dont_know,
            "suppressed": group.cornerstones[c.id].suppressed,
        }
        for c in res.questionnaire.cornerstones
    ]


def build(instance: Instance) -> dict[str, Any]:
    """The anonymous state summary of all closed rounds (hook ``state_summary``)."""
    authority = instance.settings.authority
    closed = sorted(
        (r for r in store.list_rounds(instance.db) if r.status == "closed"),
        key=lambda r: (r.closed_on or date.min, r.id),
    )
    rounds = []
    for rnd in closed:
        res = round_results(instance, rnd, with_comments=False)
        total = res.total
        rounds.append(
            {
                "id": rnd.id,
                "title": rnd.title,
                "period_start": rnd.period_start.isoformat() if rnd.period_start else None,
                "period_end": rnd.period_end.isoformat() if rnd.period_end else None,
                "closed_on": rnd.closed_on.isoformat() if rnd.closed_on else None,
                "questionnaire_version": rnd.questionnaire_version,
                "responses": total.responses,
                "suppressed": total.suppressed,
                "cornerstones": _cornerstone_rows(res, (ALL, ALL)),
            }
        )
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "authority": authority.slug,
        "authority_name": authority.name,
        "federal_state": authority.federal_state,
        "generated_on": date.today().isoformat(),
        "questionnaire_version": qmod.current(instance).version,
        "min_group_size": min_size(instance),
        "suppression_applied": True,
        "rounds": rounds,
    }


def with_integrity(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary plus the SHA-256 of its canonical JSON, so a reader can tell
    a file altered after export (canonical: sorted keys, no spaces, UTF-8)."""
    body = {k: v for k, v in summary.items() if k != "integrity"}
    digest = hashlib.sha256(canonical(body)).hexdigest()
    return {**body, "integrity": {"algorithm": "sha256", "digest": digest}}


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# -- exports of one round ----------------------------------------------------------


def export_rows(res: RoundResults) -> list[dict[str, Any]]:
    """One row per group and cornerstone or item; suppressed values empty."""
    rows = []
    for key, group in res.groups.items():
        p, a = key
        base = {
            "perspective": "" if p == ALL else p,
            "area": "(alle)" if a == ALL else (a or "(keine Angabe)"),
            "responses": group.responses,
        }
        for c in res.questionnaire.cornerstones:
            for level, mid, cell in [
                ("cornerstone", c.id, group.cornerstones[c.id]),
                *[("item", i.id, group.items[i.id]) for i in c.items],
            ]:
                dist = cell.distribution or {}
                rows.append(
                    {
                        **base,
                        "level": level,
                        "cornerstone": c.id,
                        "id": mid,
                        "suppressed": cell.suppressed,
                        "n": cell.n,
                        "mean": cell.mean,
                        **{f"count_{v}": dist.get(str(v)) for v in range(1, 6)},
                        "dont_know": cell.dont_know,
                    }
                )
    return rows


def export_json(rnd: store.Round, res: RoundResults, slug: str) -> dict[str, Any]:
    groups = []
    for (p, a), group in res.groups.items():
        groups.append(
            {
                "perspective": None if p == ALL else p,
                "area": None if a == ALL else a,
                "responses": group.responses,
                "suppressed": group.suppressed,
                "cornerstones": _cornerstone_rows(res, (p, a)),
                "items": [{"id": iid, **cell_dict(cell)} for iid, cell in group.items.items()],
            }
        )
    return {
        "schema": "willkommen.selbstcheck.round",
        "schema_version": SCHEMA_VERSION,
        "authority": slug,
        "round": {
            "id": rnd.id,
            "title": rnd.title,
            "status": rnd.status,
            "questionnaire_version": rnd.questionnaire_version,
        },
        "min_group_size": res.min_size,
        "groups": groups,
    }


CSV_FIELDS = [
    "perspective",
    "area",
    "responses",
    "level",
    "cornerstone",
    "id",
    "suppressed",
    "n",
    "mean",
    *[f"count_{v}" for v in range(1, 6)],
    "dont_know",
]
"""The columns of the CSV export (and, in this order, of the XLSX)."""


def export_csv(res: RoundResults) -> str:
    """The export rows as CSV (comma, no BOM, as scripts read it), formula-safe."""
    rows = ([row[k] for k in CSV_FIELDS] for row in export_rows(res))
    return csv_text(CSV_FIELDS, rows, delimiter=",", bom=False, lineterminator="\n")
