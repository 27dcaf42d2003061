"""Process templates (``prozesse``): the Magdeburg model process as a dated, adaptable plan."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from icalendar import Calendar
from sqlalchemy import inspect

from willkommen_core import plan as core_plan
from willkommen_core.cli import cli
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_core.types import AssessmentResult
from willkommen_plugins.prozesse import demo, store
from willkommen_plugins.prozesse.model import add_months, load_all

MAGDEBURG_STEPS = [
    "auftaktgespraeche",
    "auftaktveranstaltung",
    "interviews",
    "beobachtung",
    "auswertung",
    "vorstellung_verwaltungsspitze",
    "workshop_arbeitsgruppen",
    "vorstellung_integrationsbeirat",
    "vorstellung_netzwerk",
    "vorstellung_fachnetzwerke",
    "zwischenfazit",
    "vorstellung_auslaenderbehoerden",
    "workshop_alle",
    "lernevent",
    "teambildung",
    "bilanz",
]
GROUPS = [
    "Personalentwicklung",
    "Öffentlichkeitsarbeit",
    "Räumliche Situation und Infrastruktur",
    "Wegweiser »Online – Offline«",
    "Externe Akteure",
]


def _post(client, page_url, url, data):
    token = csrf_from(client.get(page_url).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def _started(make_instance, make_client, start="2024-03-15", **settings):
    instance = make_instance(["prozesse"], **settings)
    client = make_client(instance)
    login(client, instance, "leitung")
    response = _post(
        client,
        "/prozesse/",
        "/prozesse/starten",
        {"template": "magdeburg", "start": start, "with_groups": "1"},
    )
    assert response.status_code == 303, response.text
    return instance, client


def _step(plan, template_step):
    return next(s for s in plan.steps if s.template_step == template_step)


# -- the template and instantiation ------------------------------------------------------------


def test_the_magdeburg_template_has_the_model_process_and_five_working_groups(
    make_sqlite_instance,
):
    template = load_all(make_sqlite_instance(["prozesse"]))["magdeburg"]
    steps = [s.id for p in template.model.phases for s in p.steps]
    assert steps == MAGDEBURG_STEPS
    assert [g.name for g in template.model.groups] == GROUPS
    for group in template.model.groups:
        assert group.cornerstones and group.goals and group.measures, group.id
    kickoff = template.model.phases[0].steps[0]
    assert {"leitung", "prozessbegleitung"} <= set(kickoff.participants)
    assert kickoff.result


def test_instantiating_with_a_start_date_gives_the_dated_plan(make_instance, make_client):
    instance, _client = _started(make_instance, make_client, start="2024-03-15")
    plan = store.load(instance.db)
    assert (plan.template_id, plan.start_date) == ("magdeburg", date(2024, 3, 15))
    assert [s.template_step for s in plan.steps] == MAGDEBURG_STEPS
    assert [p.key for p in plan.phases] == [
        "auftakt",
        "auswertung",
        "arbeitsgruppen",
        "umsetzung",
        "verankerung",
    ]
    assert _step(plan, "auftaktgespraeche").planned_on == date(2024, 3, 15)
    assert _step(plan, "auftaktveranstaltung").planned_on == date(2024, 3, 29)  # + 2 weeks
    interviews = _step(plan, "interviews")  # + 1 month, four weeks long
    assert (interviews.planned_on, interviews.ends_on) == (date(2024, 4, 15), date(2024, 5, 12))
    assert _step(plan, "vorstellung_verwaltungsspitze").planned_on == date(2024, 6, 5)
    lernevent = _step(plan, "lernevent")  # + 12 months 3 weeks, two days
    assert (lernevent.planned_on, lernevent.ends_on) == (date(2025, 4, 5), date(2025, 4, 6))
    assert _step(plan, "bilanz").planned_on == date(2025, 10, 15)
    assert {s.status for s in plan.steps} == {"geplant"}
    assert _step(plan, "interviews").owner == "Externe Prozessbegleitung"


def test_instantiation_fills_the_core_action_plan_with_the_working_groups(
    make_instance, make_client
):
    """One model: the working groups' goals and measures are the action plan's."""
    instance, client = _started(make_instance, make_client, start="2024-03-15")
    groups = core_plan.load_plan(instance.db).groups
    assert [g.name for g in groups] == GROUPS
    staff = groups[0]
    assert staff.cornerstones == ["kompetenzen", "verankerung"]
    assert "Interne Weiterbildungen organisieren" in [g.text for g in staff.goals]
    needs = next(m for m in staff.measures if m.title.startswith("Bedarfe und Wünsche"))
    assert (needs.cornerstone, needs.status, needs.due) == (
        "kompetenzen",
        "offen",
        date(2024, 9, 15),
    )
    assert needs.source == "prozesse:magdeburg"
    assert "Perspektivwechsel" in client.get("/plan/").text


def test_months_are_added_calendar_wise():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 11, 1), 14) == date(2025, 1, 1)


def test_the_start_form_validates_and_keeps_the_input(make_instance, make_client):
    instance = make_instance(["prozesse"])
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get("/prozesse/")
    assert "Prozessplan anlegen" in page.text
    response = _post(
        client, "/prozesse/", "/prozesse/starten", {"template": "magdeburg", "start": "15.03.2024"}
    )
    assert response.status_code == 400
    assert "Bitte ein Datum im Format JJJJ-MM-TT angeben." in response.text
    assert 'value="15.03.2024"' in response.text
    response = _post(
        client, "/prozesse/", "/prozesse/starten", {"template": "unbekannt", "start": ""}
    )
    assert response.status_code == 400
    assert "Bitte wählen Sie eine der angebotenen Vorlagen." in response.text
    assert "Bitte geben Sie das Startdatum an." in response.text
    assert store.load(instance.db) is None


def test_a_second_plan_cannot_be_started(make_instance, make_client):
    instance, client = _started(make_instance, make_client)
    # The start form is gone once there is a plan; a replayed POST is refused.
    response = _post(
        client, "/prozesse/", "/prozesse/starten", {"template": "magdeburg", "start": "2025-01-01"}
    )
    assert response.status_code == 400
    assert "Es gibt bereits einen Prozessplan." in response.text
    assert store.count_plans(instance.db) == 1


# -- adapting the plan in the web UI -------------------------------------------------------------


def test_leadership_adds_renames_moves_and_removes_steps(make_instance, make_client):
    instance, client = _started(make_instance, make_client)
    plan = store.load(instance.db)
    second_phase = plan.phases[1]

    # Add: with a validation error first, the input survives.
    typed = {
        "phase_id": str(second_phase.id),
        "title": "",
        "planned_on": "2024-07-01",
        "ends_on": "2024-06-01",
        "owner": "Sachgebietsleitung",
        "participants": ["leitung", "personalrat"],
        "status": "geplant",
        "description": "Mit dem Personalrat abstimmen",
    }
    response = _post(client, "/prozesse/schritte/neu", "/prozesse/schritte/neu", typed)
    assert response.status_code == 400
    assert "Bitte geben Sie einen Titel an." in response.text
    assert "Das Ende darf nicht vor dem Beginn liegen." in response.text
    assert 'value="Sachgebietsleitung"' in response.text
    assert "Mit dem Personalrat abstimmen" in response.text
    assert 'value="personalrat" checked' in response.text
    response = _post(
        client,
        "/prozesse/schritte/neu",
        "/prozesse/schritte/neu",
        {**typed, "title": "Dienstvereinbarung", "ends_on": ""},
    )
    assert response.status_code == 303
    plan = store.load(instance.db)
    added = plan.phases[1].steps[-1]
    assert (added.title, added.planned_on, added.owner, added.participants) == (
        "Dienstvereinbarung",
        date(2024, 7, 1),
        "Sachgebietsleitung",
        "leitung,personalrat",
    )
    assert added.template_step is None

    # Rename and move to another phase through the edit form: it goes to that phase's end.
    edit_url = f"/prozesse/schritte/{added.id}"
    form = {
        **typed,
        "title": "Dienstvereinbarung Personalrat",
        "ends_on": "",
        "phase_id": str(plan.phases[0].id),
    }
    assert _post(client, edit_url, edit_url, form).status_code == 303
    plan = store.load(instance.db)
    assert plan.phases[0].steps[-1].title == "Dienstvereinbarung Personalrat"
    assert [s.id for s in plan.phases[1].steps] == [
        _step(plan, "auswertung").id,
        _step(plan, "vorstellung_verwaltungsspitze").id,
    ]

    # Remove (after a confirmation page).
    delete_url = f"/prozesse/schritte/{added.id}/loeschen"
    assert "Dienstvereinbarung Personalrat" in client.get(delete_url).text
    assert _post(client, delete_url, delete_url, {}).status_code == 303
    assert [s.template_step for s in store.load(instance.db).steps] == MAGDEBURG_STEPS


def test_up_and_down_buttons_reorder_steps_and_cross_phase_boundaries(make_instance, make_client):
    instance, client = _started(make_instance, make_client)
    plan = store.load(instance.db)
    beobachtung = _step(plan, "beobachtung")  # last step of phase 1
    move = f"/prozesse/schritte/{beobachtung.id}/verschieben"

    assert _post(client, "/prozesse/", move, {"direction": "up"}).status_code == 303
    plan = store.load(instance.db)
    assert [s.template_step for s in plan.phases[0].steps] == [
        "auftaktgespraeche",
        "auftaktveranstaltung",
        "beobachtung",
        "interviews",
    ]
    _post(client, "/prozesse/", move, {"direction": "down"})
    _post(client, "/prozesse/", move, {"direction": "down"})  # over the boundary
    plan = store.load(instance.db)
    assert [s.template_step for s in plan.phases[0].steps][-1] == "interviews"
    assert [s.template_step for s in plan.phases[1].steps] == [
        "beobachtung",
        "auswertung",
        "vorstellung_verwaltungsspitze",
    ]
    _post(client, "/prozesse/", move, {"direction": "up"})  # and back to the end of phase 1
    plan = store.load(instance.db)
    assert [s.template_step for s in plan.steps] == [
        *MAGDEBURG_STEPS[:2],
        "interviews",
        "beobachtung",
        *MAGDEBURG_STEPS[4:],
    ]
    first = _step(plan, "auftaktgespraeche")
    _post(client, "/prozesse/", f"/prozesse/schritte/{first.id}/verschieben", {"direction": "up"})
    assert store.load(instance.db).steps[0].id == first.id  # the very first stays first
    bad = _post(client, "/prozesse/", move, {"direction": "sideways"})
    assert bad.status_code == 400


def test_status_and_results_are_recorded_and_drive_the_progress(make_instance, make_client):
    instance, client = _started(make_instance, make_client)
    plan = store.load(instance.db)
    step = _step(plan, "auftaktgespraeche")
    url = f"/prozesse/schritte/{step.id}"
    values = store.StepInput.from_row(step)
    form = {
        "phase_id": values.phase_id,
        "title": values.title,
        "planned_on": values.planned_on,
        "owner": "Frau Leiterin",
        "participants": values.participants,
        "expected_result": values.expected_result,
        "status": "fertig",
        "result_notes": "Zeitplan vereinbart",
    }
    response = _post(client, url, url, form)
    assert response.status_code == 400
    assert "Bitte wählen Sie einen der angebotenen Status." in response.text
    assert "Zeitplan vereinbart" in response.text
    assert _post(client, url, url, {**form, "status": "erledigt"}).status_code == 303
    step = _step(store.load(instance.db), "auftaktgespraeche")
    assert (step.status, step.result_notes, step.owner) == (
        "erledigt",
        "Zeitplan vereinbart",
        "Frau Leiterin",
    )
    page = client.get("/prozesse/").text
    assert "Zeitplan vereinbart" in page
    assert "1 von 16 Schritten erledigt" in page


def test_editors_read_the_plan_but_only_leadership_changes_it(make_instance, make_client):
    instance, _leader = _started(make_instance, make_client)
    client = make_client(instance)
    login(client, instance, "redaktion")
    page = client.get("/prozesse/")
    assert page.status_code == 200
    assert "Nach oben" not in page.text
    step = store.load(instance.db).steps[0]
    assert client.get(f"/prozesse/schritte/{step.id}").status_code == 403
    token = csrf_from(page.text)
    response = client.post(
        f"/prozesse/schritte/{step.id}/verschieben",
        data={"direction": "down", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert store.load(instance.db).steps[0].id == step.id


def test_discarding_the_plan_keeps_the_action_plan(make_instance, make_client):
    instance, client = _started(make_instance, make_client)
    assert _post(client, "/prozesse/verwerfen", "/prozesse/verwerfen", {}).status_code == 303
    assert store.load(instance.db) is None
    assert len(core_plan.load_plan(instance.db).groups) == 5


# -- views and exports --------------------------------------------------------------------------


def test_timeline_is_an_accessible_svg_with_a_data_table(make_instance, make_client):
    _instance, client = _started(make_instance, make_client)
    page = client.get("/prozesse/zeitplan").text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img"' in page
    assert '<title id="timeline-title">Zeitplan: Magdeburger Modellprozess</title>' in page
    assert '<desc id="timeline-desc">16 Schritte in 5 Phasen' in page
    assert page.count('class="bar status-geplant"') == 16
    assert "<caption>Alle Schritte mit Terminen</caption>" in page
    assert '<time datetime="2024-04-15">' in page
    assert "style=" not in page  # CSP: no inline styles


def test_the_printable_plan_has_a_print_stylesheet_and_every_step(make_instance, make_client):
    instance, client = _started(make_instance, make_client)
    page = client.get("/prozesse/druck").text
    assert 'href="/static/prozesse/print.css" media="print"' in page
    assert all(s.title in page for s in store.load(instance.db).steps)
    assert "@page" in client.get("/static/prozesse/print.css").text


def test_icalendar_export_parses_back_with_the_milestones(make_instance, make_client):
    instance, client = _started(make_instance, make_client)
    plan = store.load(instance.db)
    dropped = _step(plan, "vorstellung_fachnetzwerke")
    store.set_status(instance.db, dropped.id, "entfallen")
    response = client.get("/prozesse/zeitplan.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    expected = [s for s in plan.steps if s.id != dropped.id]
    assert sorted(events) == sorted(s.title for s in expected)
    for step in expected:
        event = events[step.title]
        assert event.decoded("dtstart") == step.planned_on
        assert event.decoded("dtend") == (step.ends_on or step.planned_on) + timedelta(days=1)
        assert str(event["uid"]) == f"prozesse-step-{step.id}@teststadt.willkommen"
    assert "Phase: Auftakt und Bestandsaufnahme" in str(
        events[_step(plan, "interviews").title]["description"]
    )


def test_csv_export_lists_every_step(make_instance, make_client):
    _instance, client = _started(make_instance, make_client)
    response = client.get("/prozesse/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 16
    assert rows[2]["schritt"] == "Interviews mit allen Mitarbeitenden"
    assert (rows[2]["beginn"], rows[2]["ende"]) == ("2024-04-15", "2024-05-12")
    assert rows[0]["beteiligte"] == "Behördenleitung, externe Prozessbegleitung"
    assert rows[0]["phase"] == "Auftakt und Bestandsaufnahme"


def test_api_reports_status_and_steps_and_is_in_the_openapi_document(make_instance, make_client):
    instance = make_instance(["prozesse"])
    client = make_client(instance)
    login(client, instance, "leitung")
    assert client.get("/api/v1/prozesse/status").json()["started"] is False
    _post(
        client, "/prozesse/", "/prozesse/starten", {"template": "magdeburg", "start": "2024-03-15"}
    )
    plan = store.load(instance.db)
    store.set_status(instance.db, _step(plan, "auftaktgespraeche").id, "erledigt")
    store.set_status(instance.db, _step(plan, "auswertung").id, "laufend")
    status = client.get("/api/v1/prozesse/status").json()
    assert status["phase"] == {
        "id": "auswertung",
        "title": "Auswertung und Vorstellung",
        "index": 2,
        "total": 5,
    }
    assert (status["steps_done"], status["steps_total"]) == (1, 16)
    assert status["next_milestone"]["title"] == "Auftaktveranstaltung mit allen Mitarbeitenden"
    steps = client.get("/api/v1/prozesse/steps").json()
    assert steps["count"] == 16
    assert steps["steps"][2]["planned_on"] == "2024-04-15"
    assert client.get("/api/v1/prozesse/steps?status=erledigt").json()["count"] == 1
    assert client.get("/api/v1/prozesse/steps?status=kaputt").status_code == 400
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/prozesse/status", "/api/v1/prozesse/steps"} <= set(paths)


# -- templates of a state, template errors ------------------------------------------------------------

STATE_TEMPLATE = """
version = "2025.1"
title = "Landesprozess Musterland"
participants = { landesnetzwerk = "Landesnetzwerk Willkommenskultur" }

[[phases]]
id = "start"
title = "Start"

[[phases.steps]]
id = "kickoff"
title = "Kick-off mit dem Landesnetzwerk"
offset_weeks = 1
participants = ["leitung", "landesnetzwerk"]
"""


def _write_template(instance, name, text):
    folder = instance.root / "content" / "prozesse" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_a_state_template_beside_magdeburg_can_be_picked(make_instance, make_client):
    instance = make_instance(["prozesse"], prozesse={"template": "musterland"})
    _write_template(instance, "musterland.toml", STATE_TEMPLATE)
    assert instance.check() == []
    assert set(load_all(instance)) == {"magdeburg", "musterland"}
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get("/prozesse/").text
    assert "Vorlage: Landesprozess Musterland" in page
    assert '<option value="musterland" selected>' in page
    _post(
        client, "/prozesse/", "/prozesse/starten", {"template": "musterland", "start": "2025-01-06"}
    )
    plan = store.load(instance.db)
    assert (plan.template_id, plan.template_version) == ("musterland", "2025.1")
    assert plan.steps[0].planned_on == date(2025, 1, 13)
    assert "Landesnetzwerk Willkommenskultur" in client.get("/prozesse/").text


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        (
            STATE_TEMPLATE.replace("offset_weeks = 1", 'offset_weeks = "eine"'),
            "phases.start.steps.kickoff.offset_weeks",
            "valid integer",
        ),
        (
            STATE_TEMPLATE.replace("offset_weeks = 1", "offset_weeks = -2"),
            "phases.start.steps.kickoff.offset_weeks",
            "greater than or equal to 0",
        ),
        (
            STATE_TEMPLATE.replace('"leitung", "landesnetzwerk"', '"leitung", "buergermeister"'),
            "phases.start.steps.kickoff.participants",
            "unknown participant 'buergermeister'",
        ),
        (
            STATE_TEMPLATE.replace('title = "Kick-off mit dem Landesnetzwerk"\n', ""),
            "phases.start.steps.kickoff.title",
            "required field is missing",
        ),
        (
            STATE_TEMPLATE.replace("offset_weeks = 1", "offset_weeks = 1\ndauer = 3"),
            "phases.start.steps.kickoff.dauer",
            "unknown field",
        ),
    ],
)
def test_a_template_error_is_reported_naming_file_step_and_field(
    make_sqlite_instance, text, key, reason
):
    instance = make_sqlite_instance(["prozesse"])
    _write_template(instance, "musterland.toml", text)
    problems = [p for p in instance.check() if p.file.endswith("musterland.toml")]
    assert len(problems) == 1, problems
    assert problems[0].file == "content/prozesse/templates/musterland.toml"
    assert problems[0].key == key
    assert reason in problems[0].reason
    assert "musterland" not in load_all(instance)


def test_willkommen_check_rejects_a_broken_template_and_an_unknown_choice(make_sqlite_instance):
    instance = make_sqlite_instance(["prozesse"], prozesse={"template": "nirgendland"})
    _write_template(
        instance,
        "musterland.toml",
        STATE_TEMPLATE.replace("offset_weeks = 1", "offset_weeks = 999"),
    )
    result = CliRunner().invoke(cli, ["--instance", str(instance.root), "check"])
    assert result.exit_code == 1
    assert (
        "content/prozesse/templates/musterland.toml: phases.start.steps.kickoff.offset_weeks:"
        in result.output
    )
    assert (
        "willkommen.toml: prozesse.template: unknown process template 'nirgendland'"
        in result.output
    )
    assert "Traceback" not in result.output


def test_a_broken_override_of_magdeburg_leaves_the_shipped_template_in_effect(make_sqlite_instance):
    instance = make_sqlite_instance(["prozesse"])
    _write_template(instance, "magdeburg.toml", "version = 1\n")
    problems = instance.check()
    assert {p.key for p in problems} >= {"version", "title", "phases"}
    assert len(load_all(instance)["magdeburg"].model.phases) == 5


# -- demo, summary, recommendations, dashboard -----------------------------------------------------------


def test_demo_shows_magdeburgs_process_from_november_2013_and_is_idempotent(make_instance):
    instance = make_instance(["prozesse"])
    demo.seed(instance)
    demo.seed(instance)
    plan = store.load(instance.db)
    assert store.count_plans(instance.db) == 1
    assert plan.start_date == date(2013, 11, 1)
    dates = {s.template_step: (s.planned_on, s.ends_on) for s in plan.steps}
    assert dates["vorstellung_verwaltungsspitze"] == (date(2014, 1, 22), None)
    assert dates["vorstellung_integrationsbeirat"][0] == date(2014, 2, 20)
    assert dates["vorstellung_fachnetzwerke"][0] == date(2014, 4, 8)
    assert dates["zwischenfazit"][0] == date(2014, 7, 7)
    assert dates["vorstellung_auslaenderbehoerden"][0] == date(2014, 7, 9)
    assert dates["workshop_alle"][0] == date(2014, 7, 16)
    assert dates["lernevent"] == (date(2014, 11, 20), date(2014, 11, 21))
    assert dates["teambildung"][0].strftime("%Y-%m") == "2015-04"
    assert dates["bilanz"][0].strftime("%Y-%m") == "2015-06"
    assert {s.status for s in plan.steps} == {"erledigt"}
    assert "guter Stand attestiert" in _step(plan, "bilanz").result_notes
    groups = core_plan.load_plan(instance.db).groups
    assert [g.name for g in groups] == GROUPS
    rooms = groups[2]
    assert "Einbau eines Fahrstuhls beantragt" in [r.text for r in rooms.results]
    assert sum(len(g.results) for g in groups) == 15
    assert {m.status for m in groups[0].measures} >= {"erledigt", "in_arbeit"}


def test_state_summary_says_which_phase_is_reached_anonymously(make_instance, make_client):
    instance = make_instance(["prozesse"])
    summary = instance.plugins.call_one("prozesse", "state_summary", instance=instance)
    assert summary == {"schema_version": 1, "started": False}
    store.instantiate(instance.db, load_all(instance)["magdeburg"], date(2024, 3, 15))
    plan = store.load(instance.db)
    for key in ("auftaktgespraeche", "auftaktveranstaltung", "interviews", "beobachtung"):
        store.set_status(instance.db, _step(plan, key).id, "erledigt", "Frau Müller war krank")
    store.set_status(instance.db, _step(plan, "workshop_arbeitsgruppen").id, "laufend")
    store.set_status(instance.db, _step(plan, "bilanz").id, "entfallen")
    summary = instance.plugins.call_one("prozesse", "state_summary", instance=instance)
    assert summary["phase"] == {
        "id": "arbeitsgruppen",
        "title": "Arbeitsgruppen bilden und Partner einbinden",
        "index": 3,
        "total": 5,
    }
    assert (summary["steps_done"], summary["steps_total"], summary["share_done"]) == (4, 15, 0.267)
    assert summary["completed"] is False
    assert "Müller" not in str(summary)


def test_weak_anchoring_proposes_the_change_process(make_instance):
    instance = make_instance(["prozesse"])
    weak = AssessmentResult({"verankerung": 2.4, "kompetenzen": 4.0})
    found = instance.plugins.call_list("recommendations", instance=instance, results=weak)
    assert [r.cornerstone for r in found] == ["verankerung"] * 3
    assert all(r.href == "/prozesse/" for r in found)
    assert "2,4" in str(found[0].reason) and "3,5" in str(found[0].reason)
    assert "Workshop mit allen Mitarbeitenden durchführen" in [str(r.title) for r in found]
    strong = AssessmentResult({"verankerung": 3.8})
    assert instance.plugins.call_list("recommendations", instance=instance, results=strong) == []
    suppressed = AssessmentResult({"kompetenzen": 1.0})
    assert (
        instance.plugins.call_list("recommendations", instance=instance, results=suppressed) == []
    )


def test_dashboard_card_shows_current_phase_and_next_milestone(make_instance, make_client):
    _instance, client = _started(make_instance, make_client, start="2024-03-15")
    home = client.get("/").text
    assert "Phase 1 von 5: Auftakt und Bestandsaufnahme." in home
    assert "Nächster Meilenstein: Auftaktgespräche" in home


def test_english_ui(make_instance, make_client):
    _instance, client = _started(make_instance, make_client)
    page = client.get("/prozesse/?lang=en").text
    assert "Change process" in page and "Move up" in page
    assert "Veränderungsprozess" not in page


def test_a_disabled_module_leaves_no_trace(make_instance, make_client):
    instance = make_instance([])
    client = make_client(instance)
    login(client, instance, "admin")
    for url in ("/prozesse/", "/prozesse/zeitplan.ics", "/api/v1/prozesse/status"):
        assert client.get(url).status_code == 404
    assert 'href="/prozesse/"' not in client.get("/").text
    assert not [
        t for t in inspect(instance.db.engine).get_table_names() if t.startswith("prozesse")
    ]
    weak = AssessmentResult({"verankerung": 1.0})
    assert instance.plugins.call_list("recommendations", instance=instance, results=weak) == []
