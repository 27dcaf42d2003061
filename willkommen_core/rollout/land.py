"""``willkommen land report``: the ministry's state report from the authorities' summaries.

Only the signed core envelope of ``willkommen summary`` (schema
``willkommen.summary/1``) is read. With ``keys.json`` of the rollout (``--keys``)
a file counts only when it is signed by the key registered for its authority;
without it the key embedded in the file is used, which detects alteration but
not the sender, and the report says on every page that nothing was verified.
The self-assessment's own export (schema ``willkommen.selbstcheck.summary``)
carries only a SHA-256 digest that anyone can recompute: it is rejected.

A file that is altered, of an unknown schema version, signed by a key the
register does not know, or without a sequence number, is rejected with a
message naming it; the report is built from the rest. Per authority the file
with the highest ``sequence`` counts (not the latest date, not the path); older
ones are listed as superseded, and two different files with the same sequence
are rejected together. With ``--keys`` the report remembers in its output
folder (``sequences.json``) the sequence it counted per authority, so a later
report into the same folder rejects an older summary sent again (a replay)
and a different file with a sequence already counted.

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

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .. import exports
from ..domain import CORNERSTONES
from ..errors import UserError
from ..i18n import gettext as _
from ..types import CornerstoneCell, CornerstoneRound, ProcessPhase, StateFigures, StateTable
from . import summary as signing
from .land_xlsx import XLSX_FILE, write_xlsx
from .report import LABELS, copy_css, decimal, environment

if TYPE_CHECKING:
    from ..plugins import PluginHost

VERIFIED_BY_REGISTER = "Schlüssel aus dem Register"
NOT_VERIFIED = "eingebetteter Schlüssel, nicht geprüft"
HTML_FILE = "landesbericht.html"
CSV_FILE = "landesbericht.csv"
TABLES_CSV_FILE = "landesbericht-module.csv"


def cornerstone_titles() -> dict[str, str]:
    """Titles in the current language (the report may be built in German or English)."""
    return {c.id: str(c.title) for c in CORNERSTONES}


Cell = CornerstoneCell
Round = CornerstoneRound


@dataclass
class Authority:
    slug: str
    name: str
    type: str
    created: str
    source: str
    verified: str  # VERIFIED_BY_REGISTER or NOT_VERIFIED
    sequence: int
    digest: str  # SHA-256 of the signed content: tells a copy from a different file
    rounds: list[Round] = field(default_factory=list)
    phase: ProcessPhase | None = None
    rollout_status: str = ""
    tables: list[StateTable] = field(default_factory=list)
    """Modules' own figures (hook API 1.2), each one row of a comparison table."""

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
    """The files that count: one per authority."""
    rejected: list[str]
    """Files that count for nothing, each with its reason (an error)."""
    html_path: Path
    csv_path: Path
    superseded: list[str] = field(default_factory=list)
    """Valid files not counted because the same authority sent a newer one (not an error)."""
    verified: bool = True
    """Whether every counted file was checked against the keys of the rollout."""


class _Reject(Exception):
    """A summary file the report leaves out; the message says which file and why."""


# -- reading -----------------------------------------------------------------------------


def _modules() -> PluginHost:
    """Every installed module, to read its own section of a summary (the ministry's
    machine has no instance: no local plugins, every module loaded)."""
    from ..plugins import PluginHost, installed_names

    return PluginHost(Path(os.devnull), installed_names())


def _figures(host: PluginHost, modules: dict[str, Any], source: str) -> StateFigures:
    """The state report's figures from each module's section, read by that module."""
    rounds: list[CornerstoneRound] = []
    phase = None
    tables: list[StateTable] = []
    for name, section in modules.items():
        if not host.is_enabled(name):
            continue  # a module this toolkit does not have: its section is not shown
        try:
            figures = host.call_one(name, "read_state_summary", section=section)
        except ValueError as exc:
            raise _Reject(f"{source}: modules.{name}: {exc}") from exc
        if figures is None:
            continue
        # One module per kind of figure today (self-assessment rounds, process phase).
        rounds = rounds or figures.rounds
        phase = phase or figures.phase
        tables += figures.tables
    return StateFigures(rounds=rounds, phase=phase, tables=tables)


def read_summary(
    path: Path, keys: dict[str, str] | None, host: PluginHost | None = None
) -> Authority:
    """One summary file as an :class:`Authority`; raises _Reject with the reason."""
    source = str(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _Reject(f"{source}: not a readable JSON file ({exc})") from exc
    schema = doc.get("schema") if isinstance(doc, dict) else None
    integrity = doc.get("integrity") if isinstance(doc, dict) else None
    if isinstance(integrity, dict) and "digest" in integrity and "signature" not in doc:
        # A module's own export (e.g. the self-assessment's): checksummed, not signed.
        raise _Reject(
            f"{source}: only a SHA-256 digest, not signed: anyone can recompute it, so it "
            "cannot enter the state report; send the signed 'willkommen summary' instead"
        )
    if schema != signing.SCHEMA:
        raise _Reject(
            f"{source}: unknown schema {schema!r} (this toolkit reads {signing.SCHEMA!r})"
        )
    try:
        body, known = signing.verify(doc, keys, source=source)
    except signing.SummaryError as exc:
        raise _Reject(str(exc)) from exc
    authority = body["authority"]
    modules = body.get("modules") or {}
    if not isinstance(modules, dict):
        raise _Reject(f"{source}: modules is not an object")
    figures = _figures(host or _modules(), modules, source)
    return Authority(
        slug=authority["slug"],
        name=str(authority.get("name", authority["slug"])),
        type=str(authority.get("type", "")),
        created=str(body.get("created", "")),
        source=source,
        verified=VERIFIED_BY_REGISTER if known else NOT_VERIFIED,
        sequence=body["sequence"],
        digest=hashlib.sha256(signing.canonical(body)).hexdigest(),
        rounds=figures.rounds,
        phase=figures.phase,
        tables=figures.tables,
    )


def newest(found: list[Authority]) -> tuple[list[Authority], list[str], list[str]]:
    """Per authority the summary with the highest sequence.

    Returns the counted summaries, the rejected (different files with one
    sequence: neither counts) and the superseded (older, or a copy of the
    counted file). The date in a file and its path play no part: a file cannot
    win by being dated later or by its name.
    """
    by_number: dict[str, dict[int, list[Authority]]] = {}
    for a in found:
        by_number.setdefault(a.slug, {}).setdefault(a.sequence, []).append(a)
    counted: list[Authority] = []
    rejected: list[str] = []
    superseded: list[str] = []
    for slug, numbers in sorted(by_number.items()):
        winner: Authority | None = None
        for number, same in sorted(numbers.items(), reverse=True):
            if len({a.digest for a in same}) > 1:
                names = " and ".join(sorted(a.source for a in same))
                rejected.append(
                    f"{names}: different summaries with the same sequence {number} of {slug!r}; "
                    "none of them counts (was the instance's folder copied, or its key used "
                    "elsewhere?)"
                )
                continue
            first, *copies = same  # identical: the first one given counts
            superseded += [f"{c.source}: the same summary as {first.source}" for c in copies]
            if winner is None:
                winner = first
                counted.append(first)
            else:
                superseded.append(
                    f"{first.source}: sequence {number} of {slug!r} is older than "
                    f"sequence {winner.sequence} in {winner.source}"
                )
    return counted, rejected, superseded


SEQUENCES_FILE = "sequences.json"
SEQUENCES_SCHEMA = "willkommen.land.sequences/1"


def _remembered(output: Path) -> dict[str, dict[str, Any]]:
    """The highest verified sequence per authority counted by earlier reports in ``output``."""
    path = output / SEQUENCES_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UserError(
            f"{path}: cannot read the sequences of earlier reports ({exc}); restore it from "
            "a backup of the report folder (deleting it forgets which summaries were counted)"
        ) from exc
    seen = data.get("authorities") if isinstance(data, dict) else None
    if data.get("schema") != SEQUENCES_SCHEMA or not isinstance(seen, dict):
        raise UserError(f"{path}: not a sequences file of schema {SEQUENCES_SCHEMA!r}")
    return {
        slug: entry
        for slug, entry in seen.items()
        if isinstance(entry, dict)
        and isinstance(entry.get("sequence"), int)
        and isinstance(entry.get("digest"), str)
    }


def not_replayed(
    counted: list[Authority], seen: dict[str, dict[str, Any]]
) -> tuple[list[Authority], list[str]]:
    """Refuse what an earlier report in the same folder contradicts: a sequence
    lower than one counted before (an old file sent again), or a different file
    with a sequence counted before."""
    kept, rejected = [], []
    for a in counted:
        before = seen.get(a.slug)
        if (
            before is None
            or a.sequence > before["sequence"]
            or (a.sequence == before["sequence"] and a.digest == before["digest"])
        ):
            kept.append(a)
        elif a.sequence == before["sequence"]:
            rejected.append(
                f"{a.source}: a different summary with sequence {a.sequence} of {a.slug!r} "
                f"than the one counted on {before.get('reported', '?')}; it does not count "
                "(was the instance's folder copied, or its key used elsewhere?)"
            )
        else:
            rejected.append(
                f"{a.source}: sequence {a.sequence} of {a.slug!r} is older than sequence "
                f"{before['sequence']} counted on {before.get('reported', '?')}: an old "
                "summary sent again does not count"
            )
    return kept, rejected


def _remember(output: Path, seen: dict[str, dict[str, Any]], counted: list[Authority]) -> None:
    today = date.today().isoformat()
    for a in counted:
        if a.slug not in seen or seen[a.slug]["sequence"] != a.sequence:
            seen[a.slug] = {"sequence": a.sequence, "digest": a.digest, "reported": today}
    body = {"schema": SEQUENCES_SCHEMA, "authorities": dict(sorted(seen.items()))}
    path = output / SEQUENCES_FILE
    partial = path.with_suffix(".json.tmp")
    partial.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)


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
            # Counted cells have a mean and a size (filtered above).
            weighted = [(float(c.mean or 0.0), int(c.n or 0)) for c in cells]
            total = sum(n for _mean, n in weighted)
            average[cid] = round(sum(m * n for m, n in weighted) / total, 2) if total else None
            lowest[cid] = min((m for m, _n in weighted), default=None)
            highest[cid] = max((m for m, _n in weighted), default=None)
        groups.append(VersionGroup(version, members, ids, average, lowest, highest))
    return groups


# -- output ------------------------------------------------------------------------------


def _shown(value: float | None, *, signed: bool = False) -> str:
    """For people: the report language's decimal sign (3,40 in German, 3.40 in English)."""
    if value is None:
        return ""
    return decimal(value, "+0.00;-0.00" if signed else "0.00")


def _number(value: float | None) -> Decimal | str:
    """For the CSV: two decimals with a point, as a number (never neutralised like text)."""
    return "" if value is None else Decimal(f"{value:.2f}")


CSV_COLUMNS = [
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
    "summary_sequence",
]


def _csv_rows(authorities: list[Authority], groups: list[VersionGroup]) -> list[list[Any]]:
    averages = {g.version: g.average for g in groups}
    rows: list[list[Any]] = []
    for a in authorities:
        phase = a.phase or ProcessPhase("")
        base = [
            a.slug,
            a.name,
            a.type,
            a.rollout_status,
            a.created,
            a.verified,
            phase.title,
            "" if phase.index is None else phase.index,
            "" if phase.total is None else phase.total,
        ]
        latest = a.latest
        if latest is None:
            rows.append([*base, *[""] * 10, a.sequence])
            continue
        prev = a.previous_of_same_version()
        for cid, cell in latest.cells.items():
            before = prev.cells.get(cid) if prev else None
            rows.append(
                [
                    *base,
                    latest.questionnaire_version,
                    latest.title,
                    latest.closed_on,
                    cid,
                    "" if cell.suppressed else (cell.n if cell.n is not None else ""),
                    "" if cell.suppressed else _number(cell.mean),
                    "true" if cell.suppressed else "false",
                    "" if before is None or before.suppressed else _number(before.mean),
                    _number(a.change(cid)),
                    _number(averages[latest.questionnaire_version].get(cid)),
                    a.sequence,
                ]
            )
    return rows


def write_csv(path: Path, authorities: list[Authority], groups: list[VersionGroup]) -> None:
    """Comma-separated without BOM (read by scripts); text cells spreadsheet-safe."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        exports.write_csv(fh, CSV_COLUMNS, _csv_rows(authorities, groups), delimiter=",", bom=False)


@dataclass
class ModuleTable:
    """The rows of all authorities for one module table (``StateTable.key``)."""

    key: str
    title: str
    columns: list[str]
    note: str
    rows: list[tuple[Authority, StateTable]]


def module_tables(authorities: list[Authority]) -> list[ModuleTable]:
    """Modules' own tables, one per key in order of first appearance; an authority
    whose module sent other columns under the same key gets its own table (never a
    figure under the wrong heading)."""
    tables: dict[tuple[str, tuple[str, ...]], ModuleTable] = {}
    for a in authorities:
        for t in a.tables:
            key = (t.key, tuple(t.columns))
            table = tables.setdefault(key, ModuleTable(t.key, t.title, t.columns, t.note, []))
            table.rows.append((a, t))
    return list(tables.values())


TABLES_CSV_COLUMNS = ["authority", "name", "table", "column", "value", "suppressed"]


def write_tables_csv(path: Path, tables: list[ModuleTable]) -> None:
    """The modules' tables in long form (one figure per line), spreadsheet-safe."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        exports.write_csv(fh, TABLES_CSV_COLUMNS, tables_rows(tables), delimiter=",", bom=False)


def tables_rows(tables: list[ModuleTable]) -> list[list[Any]]:
    """The rows of :func:`write_tables_csv` (and of the XLSX's second sheet)."""
    rows: list[list[Any]] = []
    for table in tables:
        for a, t in table.rows:
            for column, cell in zip(t.columns, t.cells, strict=True):
                value = "" if cell.suppressed or cell.value is None else cell.value
                shown = _number(value) if isinstance(value, float) else value
                suppressed = "true" if cell.suppressed else "false"
                rows.append([a.slug, a.name, t.key, column, shown, suppressed])
    return rows


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


def _css_string(text: str) -> Markup:
    """``text`` as a CSS string for the page's <style> (where HTML escapes do not apply)."""
    escaped = "".join(c if c.isalnum() or c in " .,:;–-()" else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{escaped}"')  # noqa: S704 -- every other character is escaped above


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
    found, rejected = [], []
    host = _modules()
    for path in files:
        try:
            found.append(read_summary(Path(path), keys, host))
        except _Reject as exc:
            rejected.append(str(exc))
    counted, conflicts, superseded = newest(found)
    rejected += conflicts
    seen: dict[str, dict[str, Any]] = {}
    if keys is not None:
        # Only verified summaries are remembered: an unverified run proves nothing.
        seen = _remembered(output)
        counted, replayed = not_replayed(counted, seen)
        rejected += replayed
    authorities = sorted(counted, key=lambda a: (a.name, a.slug))
    for a in authorities:
        a.rollout_status = str(LABELS.get(statuses.get(a.slug, ""), statuses.get(a.slug, "")))
    # Authorities rolled out but without a valid summary still appear (with their status).
    missing = sorted(set(statuses) - {a.slug for a in authorities})
    groups = groups_by_version(authorities)
    output.mkdir(parents=True, exist_ok=True)
    csv_path = output / CSV_FILE
    write_csv(csv_path, authorities, groups)
    tables = module_tables(authorities)
    if tables:
        write_tables_csv(output / TABLES_CSV_FILE, tables)
    write_xlsx(
        output / XLSX_FILE,
        CSV_COLUMNS,
        _csv_rows(authorities, groups),
        verified=keys is not None,
        tables=(TABLES_CSV_COLUMNS, tables_rows(tables)) if tables else None,
    )
    html = (
        environment()
        .get_template("landesbericht.html")
        .render(
            authorities=authorities,
            groups=groups,
            charts={g.version: _chart(g) for g in groups},
            titles=cornerstone_titles(),
            rejected=rejected,
            superseded=superseded,
            missing=missing,
            statuses={s: str(LABELS.get(v, v)) for s, v in statuses.items()},
            fmt=_shown,
            verified_by_register=keys is not None,
            css_string=_css_string,
            csv_file=CSV_FILE,
            xlsx_file=XLSX_FILE,
            module_tables=tables,
            tables_csv_file=TABLES_CSV_FILE,
        )
    )
    html_path = output / HTML_FILE
    html_path.write_text(html, encoding="utf-8")
    if keys is not None:
        _remember(output, seen, counted)
    copy_css(output)
    accepted = [a.source for a in authorities]
    return Result(
        authorities, accepted, rejected, html_path, csv_path, superseded, verified=keys is not None
    )
