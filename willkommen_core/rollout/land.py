"""``willkommen land report``: the ministry's state report from the authorities' summaries.

Accepted inputs, each validated before it counts:

* the signed core envelope of ``willkommen summary`` (schema
  ``willkommen.summary/1``), verified against ``keys.json`` of the rollout
  when given, otherwise against the key embedded in the file;
* the self-assessment's own export (schema ``willkommen.selbstcheck.summary``
  with a SHA-256 ``integrity`` digest): altered files are detected, but the
  sender is not authenticated, which the report says.

A file that is altered, of an unknown schema version, or signed by a key the
register does not know, is rejected with a message naming it; the report is
built from the rest. Per authority the latest file counts.

What the report shows, and what it never does:

* per authority and cornerstone the latest closed round's mean and its change
  from the previous round **of the same questionnaire version**;
* the state average per questionnaire version, weighted by answers, from
  groups that were not suppressed; authorities are compared only within one
  questionnaire version;
* a suppressed group stays suppressed: its values are neither shown nor used
  in averages, and nothing is recomputed from distributions;
* the process phase reached (module ``prozesse``) and the rollout status.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain import CORNERSTONES
from ..errors import UserError
from ..i18n import gettext as _
from . import summary as signing
from .report import LABELS, copy_css, decimal, environment

SELBSTCHECK_SCHEMA = "willkommen.selbstcheck.summary"
SELBSTCHECK_VERSIONS = (1,)
PROZESSE_VERSIONS = (1,)
HTML_FILE = "landesbericht.html"
CSV_FILE = "landesbericht.csv"


def cornerstone_titles() -> dict[str, str]:
    """Titles in the current language (the report may be built in German or English)."""
    return {c.id: str(c.title) for c in CORNERSTONES}


@dataclass
class Cell:
    """One cornerstone of one round: mean and n, or suppressed."""

    n: int | None
    mean: float | None
    suppressed: bool


@dataclass
class Round:
    title: str
    closed_on: str
    questionnaire_version: str
    responses: int | None
    cells: dict[str, Cell]


@dataclass
class Authority:
    slug: str
    name: str
    type: str
    created: str
    source: str
    verified: str  # "register key", "embedded key", "digest only"
    rounds: list[Round] = field(default_factory=list)
    phase: dict[str, Any] | None = None
    rollout_status: str = ""

    @property
    def latest(self) -> Round | None:
        return self.rounds[-1] if self.rounds else None

    def previous_of_same_version(self) -> Round | None:
        if len(self.rounds) < 2 or self.latest is None:
            return None
        version = self.latest.questionnaire_version
        earlier = [r for r in self.rounds[:-1] if r.questionnaire_version == version]
        return earlier[-1] if earlier else None

    def change(self, cornerstone: str) -> float | None:
        """Latest minus previous mean (same questionnaire version, neither suppressed)."""
        prev = self.previous_of_same_version()
        if prev is None or self.latest is None:
            return None
        a, b = self.latest.cells.get(cornerstone), prev.cells.get(cornerstone)
        if not a or not b or a.suppressed or b.suppressed or a.mean is None or b.mean is None:
            return None
        return round(a.mean - b.mean, 2)


@dataclass
class Result:
    authorities: list[Authority]
    accepted: list[str]
    rejected: list[str]
    html_path: Path
    csv_path: Path


class _Reject(Exception):
    """A summary file the report leaves out; the message says which file and why."""


# -- reading -----------------------------------------------------------------------------


def _rounds(section: Any, source: str) -> list[Round]:
    if not isinstance(section, dict):
        raise _Reject(f"{source}: modules.selbstcheck is not an object")
    version = section.get("schema_version")
    if version not in SELBSTCHECK_VERSIONS:
        raise _Reject(
            f"{source}: self-assessment summary of unknown schema_version {version!r} "
            f"(this toolkit reads {', '.join(map(str, SELBSTCHECK_VERSIONS))})"
        )
    rounds = []
    try:
        for r in section.get("rounds", []):
            cells = {
                c["id"]: Cell(
                    c.get("n"),
                    None if c.get("suppressed") else c.get("mean"),
                    bool(c.get("suppressed")),
                )
                for c in r["cornerstones"]
            }
            rounds.append(
                Round(
                    str(r.get("title", "")),
                    str(r.get("closed_on") or ""),
                    str(r["questionnaire_version"]),
                    r.get("responses"),
                    cells,
                )
            )
    except (KeyError, TypeError, AttributeError) as exc:
        raise _Reject(f"{source}: self-assessment rounds are malformed ({exc!r})") from exc
    return sorted(rounds, key=lambda r: r.closed_on)


def _phase(section: Any, source: str) -> dict[str, Any] | None:
    if section is None:
        return None
    if not isinstance(section, dict) or section.get("schema_version") not in PROZESSE_VERSIONS:
        raise _Reject(f"{source}: process summary of unknown schema_version")
    if not section.get("started"):
        return {"title": "nicht begonnen", "index": 0, "total": None, "share_done": 0}
    phase = section.get("phase") or {}
    return {
        "title": phase.get("title") or "–",
        "index": phase.get("index"),
        "total": phase.get("total"),
        "share_done": section.get("share_done"),
        "completed": section.get("completed", False),
    }


def read_summary(path: Path, keys: dict[str, str] | None) -> Authority:
    """One summary file as an :class:`Authority`; raises _Reject with the reason."""
    source = str(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _Reject(f"{source}: not a readable JSON file ({exc})") from exc
    schema = doc.get("schema") if isinstance(doc, dict) else None
    if schema == signing.SCHEMA:
        try:
            body, known = signing.verify(doc, keys, source=source)
        except signing.SummaryError as exc:
            raise _Reject(str(exc)) from exc
        authority = body["authority"]
        modules = body.get("modules") or {}
        return Authority(
            slug=authority["slug"],
            name=str(authority.get("name", authority["slug"])),
            type=str(authority.get("type", "")),
            created=str(body.get("created", "")),
            source=source,
            verified="Schlüssel aus dem Register" if known else "eingebetteter Schlüssel",
            rounds=_rounds(modules["selbstcheck"], source) if "selbstcheck" in modules else [],
            phase=_phase(modules.get("prozesse"), source),
        )
    if schema == SELBSTCHECK_SCHEMA:
        integrity = doc.get("integrity") or {}
        body = {k: v for k, v in doc.items() if k != "integrity"}
        digest = hashlib.sha256(signing.canonical(body)).hexdigest()
        if integrity.get("algorithm") != "sha256" or integrity.get("digest") != digest:
            raise _Reject(
                f"{source}: integrity digest does not match: the file was altered after export"
            )
        slug = str(doc.get("authority", ""))
        if keys is not None and slug not in keys:
            raise _Reject(f"{source}: authority {slug!r} is not in the keys file")
        return Authority(
            slug=slug,
            name=str(doc.get("authority_name", slug)),
            type="",
            created=str(doc.get("generated_on", "")),
            source=source,
            verified="nur Prüfsumme (nicht signiert)",
            rounds=_rounds(doc, source),
        )
    raise _Reject(
        f"{source}: unknown schema {schema!r} (this toolkit reads {signing.SCHEMA!r} "
        f"and {SELBSTCHECK_SCHEMA!r})"
    )


def _rollout_status(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: cannot read ({exc})") from exc
    if isinstance(data.get("authorities"), dict):  # keys.json
        return {s: str(a.get("status", "")) for s, a in data["authorities"].items()}
    return {a["slug"]: a["status"] for a in data.get("authorities", []) if isinstance(a, dict)}


# -- aggregation -------------------------------------------------------------------------


@dataclass
class VersionGroup:
    """Authorities whose latest round used one questionnaire version: comparable."""

    version: str
    authorities: list[Authority]
    cornerstones: list[str]
    average: dict[str, float | None]
    lowest: dict[str, float | None]
    highest: dict[str, float | None]


def groups_by_version(authorities: list[Authority]) -> list[VersionGroup]:
    by_version: dict[str, list[Authority]] = {}
    for a in authorities:
        if a.latest is not None:
            by_version.setdefault(a.latest.questionnaire_version, []).append(a)
    groups = []
    for version, members in sorted(by_version.items()):
        ids: list[str] = []
        for a in members:
            for cid in a.latest.cells:  # type: ignore[union-attr]
                if cid not in ids:
                    ids.append(cid)
        average, lowest, highest = {}, {}, {}
        for cid in ids:
            cells = [
                c
                for a in members
                if (c := a.latest.cells.get(cid)) is not None  # type: ignore[union-attr]
                and not c.suppressed
                and c.mean is not None
                and c.n
            ]
            total = sum(c.n for c in cells)  # type: ignore[misc]
            average[cid] = round(sum(c.mean * c.n for c in cells) / total, 2) if total else None  # type: ignore[operator]
            lowest[cid] = min((c.mean for c in cells), default=None)  # type: ignore[type-var]
            highest[cid] = max((c.mean for c in cells), default=None)  # type: ignore[type-var]
        groups.append(VersionGroup(version, members, ids, average, lowest, highest))
    return groups


# -- output ------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    """For the CSV: a decimal point, whatever the report's language (scripts read it)."""
    return "" if value is None else f"{value:.2f}"


def _shown(value: float | None, *, signed: bool = False) -> str:
    """For people: the report language's decimal sign (3,40 in German, 3.40 in English)."""
    if value is None:
        return ""
    return decimal(value, "+0.00;-0.00" if signed else "0.00")


def write_csv(path: Path, authorities: list[Authority], groups: list[VersionGroup]) -> None:
    averages = {g.version: g.average for g in groups}
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "authority",
                "name",
                "type",
                "rollout_status",
                "summary_created",
                "verified_by",
                "process_phase",
                "phase_index",
                "phase_total",
                "questionnaire_version",
                "round",
                "round_closed_on",
                "cornerstone",
                "n",
                "mean",
                "suppressed",
                "previous_mean",
                "change",
                "state_average",
            ]
        )
        for a in authorities:
            phase = a.phase or {}
            base = [
                a.slug,
                a.name,
                a.type,
                a.rollout_status,
                a.created,
                a.verified,
                phase.get("title", ""),
                phase.get("index", ""),
                phase.get("total", ""),
            ]
            latest = a.latest
            if latest is None:
                w.writerow([*base, "", "", "", "", "", "", "", "", "", ""])
                continue
            prev = a.previous_of_same_version()
            for cid, cell in latest.cells.items():
                before = prev.cells.get(cid) if prev else None
                w.writerow(
                    [
                        *base,
                        latest.questionnaire_version,
                        latest.title,
                        latest.closed_on,
                        cid,
                        "" if cell.suppressed else (cell.n if cell.n is not None else ""),
                        "" if cell.suppressed else _fmt(cell.mean),
                        "true" if cell.suppressed else "false",
                        "" if before is None or before.suppressed else _fmt(before.mean),
                        _fmt(a.change(cid)),
                        _fmt(averages[latest.questionnaire_version].get(cid)),
                    ]
                )


def _chart(group: VersionGroup) -> dict[str, Any]:
    """Geometry of a horizontal bar chart of the state average per cornerstone (scale 1-5)."""
    left, width, row = 260, 360, 34
    bars = []
    for i, cid in enumerate(group.cornerstones):
        value = group.average.get(cid)
        y = 30 + i * row
        bar = {
            "label": cornerstone_titles().get(cid, cid),
            "y": y,
            "value": _shown(value) or _("unterdrückt"),
            "width": 0 if value is None else round((value - 1) / 4 * width, 1),
        }
        for key in ("lowest", "highest"):
            v = getattr(group, key).get(cid)
            bar[key] = None if v is None else round(left + (v - 1) / 4 * width, 1)
        bars.append(bar)
    ticks = [{"x": left + (v - 1) / 4 * width, "label": v} for v in range(1, 6)]
    return {
        "left": left,
        "width": width,
        "height": 40 + len(bars) * row,
        "total_width": left + width + 60,
        "bars": bars,
        "ticks": ticks,
    }


def build_report(
    files: list[Path],
    output: Path,
    *,
    keys_file: Path | None = None,
    rollout_file: Path | None = None,
) -> Result:
    """Read, validate and aggregate ``files``; write the HTML and CSV report into ``output``."""
    keys = signing.read_keys(keys_file) if keys_file else None
    statuses = _rollout_status(rollout_file or keys_file)
    latest: dict[str, Authority] = {}
    accepted, rejected = [], []
    for path in files:
        try:
            authority = read_summary(Path(path), keys)
        except _Reject as exc:
            rejected.append(str(exc))
            continue
        accepted.append(str(path))
        known = latest.get(authority.slug)
        if known is None or (authority.created, authority.source) > (known.created, known.source):
            latest[authority.slug] = authority
    authorities = sorted(latest.values(), key=lambda a: a.name)
    for a in authorities:
        a.rollout_status = str(LABELS.get(statuses.get(a.slug, ""), statuses.get(a.slug, "")))
    # Authorities rolled out but without a summary still appear (with their status).
    missing = sorted(set(statuses) - set(latest))
    groups = groups_by_version(authorities)
    output.mkdir(parents=True, exist_ok=True)
    csv_path = output / CSV_FILE
    write_csv(csv_path, authorities, groups)
    html = (
        environment()
        .get_template("landesbericht.html")
        .render(
            authorities=authorities,
            groups=groups,
            charts={g.version: _chart(g) for g in groups},
            titles=cornerstone_titles(),
            rejected=rejected,
            missing=missing,
            statuses={s: str(LABELS.get(v, v)) for s, v in statuses.items()},
            fmt=_shown,
            verified_by_register=keys is not None,
            csv_file=CSV_FILE,
        )
    )
    html_path = output / HTML_FILE
    html_path.write_text(html, encoding="utf-8")
    copy_css(output)
    return Result(authorities, accepted, rejected, html_path, csv_path)
