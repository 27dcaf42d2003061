"""The action plan in the seed's shape (issue 15): working groups -> goals -> measures with
owner, due date and status -> first results, as CSV, XLSX and a print view.

The pilot authority's plan (Magdeburg, 2014) listed per working group its goals, its
measures and its first results side by side; the exports carry exactly that, and the
CSV keeps the measure rows and columns it always had.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from willkommen_core import plan
from willkommen_core.exports import XLSX_MEDIA_TYPE
from willkommen_core.plan import exports
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from

OLD_COLUMNS = [
    "arbeitsgruppe",
    "massnahme",
    "beschreibung",
    "eckpunkt",
    "verantwortlich",
    "faellig",
    "status",
    "herkunft",
]


def seed_plan(db):
    """Two working groups of the Magdeburg model and one measure without a group."""
    pe = plan.create_group(db, "Personalentwicklung", "Motivation stärken", ["kompetenzen"])
    plan.add_goal(db, pe, "Interne Weiterbildungen organisieren")
    plan.add_goal(db, pe, "Kommunikation innerhalb der Behörde verbessern")
    plan.add_measure(
        db,
        plan.MeasureInput(
            title="Englischkurs",
            group_id=str(pe),
            owner="Frau A.",
            due="2014-12-31",
            status="erledigt",
            cornerstone="kompetenzen",
        ),
    )
    plan.add_result(db, pe, "Bedarfe der Mitarbeitenden ermittelt", date(2014, 7, 7))
    raeume = plan.create_group(db, "Räumliche Situation und Infrastruktur")
    plan.add_measure(
        db, plan.MeasureInput(title="Aufzug einbauen", group_id=str(raeume), status="in_arbeit")
    )
    plan.add_result(db, raeume, "Einbau Fahrstuhl beantragt", date(2015, 6, 1))
    plan.add_measure(db, plan.MeasureInput(title="Konzept Öffentlichkeitsarbeit"))
    return pe, raeume


@pytest.fixture
def instance(make_sqlite_instance):
    found = make_sqlite_instance([])
    seed_plan(found.db)
    return found


@pytest.fixture
def client(instance, make_client):
    c = make_client(instance)
    login(c, instance, "redaktion")
    return c


def test_entries_follow_the_seed_group_goals_measures_results_then_ungrouped(instance):
    found = [(e.kind, e.group, e.text) for e in exports.entries(plan.load_plan(instance.db))]
    assert found == [
        ("arbeitsgruppe", "Personalentwicklung", "Personalentwicklung"),
        ("ziel", "Personalentwicklung", "Interne Weiterbildungen organisieren"),
        ("ziel", "Personalentwicklung", "Kommunikation innerhalb der Behörde verbessern"),
        ("massnahme", "Personalentwicklung", "Englischkurs"),
        ("ergebnis", "Personalentwicklung", "Bedarfe der Mitarbeitenden ermittelt"),
        (
            "arbeitsgruppe",
            "Räumliche Situation und Infrastruktur",
            "Räumliche Situation und Infrastruktur",
        ),
        ("massnahme", "Räumliche Situation und Infrastruktur", "Aufzug einbauen"),
        ("ergebnis", "Räumliche Situation und Infrastruktur", "Einbau Fahrstuhl beantragt"),
        ("massnahme", "", "Konzept Öffentlichkeitsarbeit"),
    ]


def test_csv_keeps_its_measure_rows_and_adds_groups_goals_and_results(client, instance):
    response = client.get("/plan/export.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    header = response.text.lstrip("\ufeff").splitlines()[0].split(";")
    assert header[: len(OLD_COLUMNS)] == OLD_COLUMNS, "existing columns keep their place"
    assert [r["massnahme"] for r in rows[:3]] == [
        "Englischkurs",
        "Aufzug einbauen",
        "Konzept Öffentlichkeitsarbeit",
    ], "the measure rows come first, as before"
    english = rows[0]
    assert (english["verantwortlich"], english["faellig"], english["status"]) == (
        "Frau A.",
        "2014-12-31",
        "erledigt",
    )
    kinds = [(r["eintrag"], r["arbeitsgruppe"]) for r in rows[3:]]
    assert kinds == [
        ("arbeitsgruppe", "Personalentwicklung"),
        ("ziel", "Personalentwicklung"),
        ("ziel", "Personalentwicklung"),
        ("ergebnis", "Personalentwicklung"),
        ("arbeitsgruppe", "Räumliche Situation und Infrastruktur"),
        ("ergebnis", "Räumliche Situation und Infrastruktur"),
    ]
    assert rows[3]["beschreibung"] == "Motivation stärken" and rows[3]["eckpunkt"] == "kompetenzen"
    assert rows[4]["ziel"] == "Interne Weiterbildungen organisieren"
    assert (rows[6]["erstes_ergebnis"], rows[6]["erfasst_am"]) == (
        "Bedarfe der Mitarbeitenden ermittelt",
        "2014-07-07",
    )


def _sheet(body: bytes, title: str) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return [list(row) for row in book[title].iter_rows(values_only=True)]


def test_xlsx_holds_the_plan_in_the_seed_shape_and_the_measures_as_a_table(client):
    response = client.get("/plan/export.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert "massnahmenplan.xlsx" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Maßnahmenplan", "Maßnahmen"]
    rows = _sheet(response.content, "Maßnahmenplan")
    assert str(rows[0][0]).startswith("Maßnahmenplan – ")
    assert rows[1][:3] == ["Arbeitsgruppe", "Eintrag", "Text"]
    by_text = {r[2]: r for r in rows[2:]}
    english = by_text["Englischkurs"]
    assert english[:2] == ["Personalentwicklung", "Maßnahme"]
    assert english[4:8] == [
        "Kompetenzen",
        "Frau A.",
        english[6],
        "erledigt",
    ]
    assert english[6].date() == date(2014, 12, 31), "a due date is a date cell"
    assert by_text["Einbau Fahrstuhl beantragt"][1] == "Erstes Ergebnis"
    assert by_text["Interne Weiterbildungen organisieren"][1] == "Ziel"
    assert by_text["Konzept Öffentlichkeitsarbeit"][0] == "ohne Arbeitsgruppe"
    measures = _sheet(response.content, "Maßnahmen")
    assert [r[1] for r in measures[1:]] == [
        "Englischkurs",
        "Aufzug einbauen",
        "Konzept Öffentlichkeitsarbeit",
    ]
    assert measures[2][6] == "in Arbeit"


def test_print_view_shows_goals_measures_and_results_side_by_side(client):
    page = client.get("/plan/druck")
    assert page.status_code == 200
    text = page.text
    assert "plan-print.css" in text
    assert text.index("Interne Weiterbildungen organisieren") < text.index("Englischkurs")
    assert text.index("Englischkurs") < text.index("Bedarfe der Mitarbeitenden ermittelt")
    assert "verantwortlich: Frau A." in text and "fällig: 31.12.2014" in text
    assert "Maßnahmen ohne Arbeitsgruppe" in text
    css = client.get("/static/plan/plan-print.css")
    assert css.status_code == 200 and "@page" in css.text
    index = client.get("/plan/").text
    assert "/plan/export.xlsx" in index and "/plan/druck" in index


def test_every_export_of_the_plan_is_an_audit_event(client, instance):
    for url in ("/plan/export.csv", "/plan/export.xlsx", "/plan/druck", "/api/v1/plan/"):
        assert client.get(url).status_code == 200
    formats = [e.details["format"] for e in instance.audit.entries(event="plan.exported")]
    assert sorted(formats) == ["api", "csv", "print", "xlsx"]


@pytest.mark.parametrize("url", ["/plan/export.csv", "/plan/export.xlsx", "/plan/druck"])
def test_exports_need_a_role_that_reads_the_plan(instance, make_client, url):
    anonymous = make_client(instance)
    assert anonymous.get(url, follow_redirects=False).status_code in (302, 303, 401)
    staff = make_client(instance)
    login(staff, instance, "vertrauensperson")
    assert staff.get(url).status_code == 403
    leadership = make_client(instance)
    login(leadership, instance, "leitung")
    assert leadership.get(url).status_code == 200


def test_goals_and_results_stay_editable_with_messages_at_the_form(instance, make_client):
    """Goals and first results are edited on the plan's page; bad input comes back with
    its message and what was typed."""
    client = make_client(instance)
    login(client, instance, "leitung")
    gid = plan.load_plan(instance.db).groups[0].id
    token = csrf_from(client.get("/plan/").text)
    too_long = "x" * (plan.service.MAX_TEXT + 1)
    response = client.post(
        f"/plan/groups/{gid}/results", data={"text": too_long, "csrf_token": token}
    )
    assert response.status_code == 400
    assert "Höchstens 5000 Zeichen." in response.text and too_long in response.text


def test_goals_and_results_are_edited_in_their_own_form(instance, make_client):
    client = make_client(instance)
    login(client, instance, "leitung")
    group = plan.load_plan(instance.db).groups[0]
    goal, result = group.goals[0], group.results[0]
    assert f"/plan/goals/{goal.id}" in client.get("/plan/").text
    form = client.get(f"/plan/goals/{goal.id}")
    assert form.status_code == 200 and goal.text in form.text
    token = csrf_from(form.text)
    done = client.post(
        f"/plan/goals/{goal.id}",
        data={"text": "Weiterbildung monatlich", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith(f"#group-{group.id}")
    bad = client.post(
        f"/plan/results/{result.id}",
        data={"text": "Kurs läuft", "recorded_on": "7.7.2014", "csrf_token": token},
    )
    assert bad.status_code == 400
    assert "Bitte ein Datum im Format JJJJ-MM-TT angeben." in bad.text
    assert 'value="7.7.2014"' in bad.text and "Kurs läuft" in bad.text
    assert (
        client.post(
            f"/plan/results/{result.id}",
            data={"text": "Kurs läuft", "recorded_on": "2014-09-01", "csrf_token": token},
            follow_redirects=False,
        ).status_code
        == 303
    )
    changed = plan.load_plan(instance.db).groups[0]
    assert changed.goals[0].text == "Weiterbildung monatlich"
    assert (changed.results[0].text, changed.results[0].recorded_on) == (
        "Kurs läuft",
        date(2014, 9, 1),
    )
    assert client.get("/plan/goals/99999").status_code == 404
    assert client.get(f"/plan/measures-x/{goal.id}").status_code == 404


def test_only_leadership_edits_goals_and_results(instance, make_client):
    goal = plan.load_plan(instance.db).groups[0].goals[0]
    editor = make_client(instance)
    login(editor, instance, "redaktion")
    assert editor.get(f"/plan/goals/{goal.id}").status_code == 403
    assert f"/plan/goals/{goal.id}" not in editor.get("/plan/").text
