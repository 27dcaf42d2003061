"""The action plan (Maßnahmenplan): working groups with goals, measures and first results."""

from __future__ import annotations

import csv
import io

from willkommen_core import plan
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from


def _post(client, page_url, url, data):
    token = csrf_from(client.get(page_url).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def test_leadership_builds_a_working_group_with_goals_measures_and_results(
    make_instance, make_client
):
    instance = make_instance([])
    client = make_client(instance)
    login(client, instance, "leitung")
    response = _post(
        client,
        "/plan/groups/new",
        "/plan/groups/new",
        {
            "name": "Personalentwicklung",
            "description": "Motivation stärken",
            "cornerstones": ["kompetenzen"],
        },
    )
    assert response.status_code == 303
    group = plan.load_plan(instance.db).groups[0]
    assert (group.name, group.cornerstones) == ("Personalentwicklung", ["kompetenzen"])

    assert (
        _post(
            client,
            "/plan/",
            f"/plan/groups/{group.id}/goals",
            {"text": "Interne Weiterbildungen organisieren"},
        ).status_code
        == 303
    )
    assert (
        _post(
            client,
            "/plan/",
            f"/plan/groups/{group.id}/results",
            {"text": "Englischkurs Sept.–Dez. 2014"},
        ).status_code
        == 303
    )
    response = _post(
        client,
        "/plan/measures/new",
        "/plan/measures/new",
        {
            "title": "Monatliche interne Weiterbildung",
            "group_id": str(group.id),
            "cornerstone": "kompetenzen",
            "owner": "AG Personalentwicklung",
            "due": "2015-01-31",
            "status": "in_arbeit",
        },
    )
    assert response.status_code == 303

    page = client.get("/plan/").text
    for text in [
        "Arbeitsgruppe: Personalentwicklung",
        "Interne Weiterbildungen organisieren",
        "Englischkurs Sept.–Dez. 2014",
        "Monatliche interne Weiterbildung",
        "31.01.2015",
        "in Arbeit",
    ]:
        assert text in page


def test_invalid_measure_re_renders_with_the_input_and_specific_messages(
    make_instance, make_client
):
    instance = make_instance([])
    client = make_client(instance)
    login(client, instance, "leitung")
    response = _post(
        client,
        "/plan/measures/new",
        "/plan/measures/new",
        {
            "title": "",
            "owner": "Leitung <b>fett</b>",
            "due": "31.01.2015",
            "status": "fertig",
            "group_id": "999",
        },
    )
    assert response.status_code == 400
    assert "Bitte geben Sie einen Titel an." in response.text
    assert "Bitte ein Datum im Format JJJJ-MM-TT angeben." in response.text
    assert "Unbekannter Status." in response.text
    assert "Diese Arbeitsgruppe gibt es nicht." in response.text
    assert 'value="31.01.2015"' in response.text  # the input is kept
    assert "Leitung &lt;b&gt;fett&lt;/b&gt;" in response.text  # and shown escaped
    assert plan.load_plan(instance.db).measures == []


def test_a_recommendation_becomes_a_measure_with_one_action(make_instance, make_client):
    instance = make_instance([])
    client = make_client(instance)
    login(client, instance, "leitung")
    response = _post(
        client,
        "/plan/",
        "/plan/measures/from-recommendation",
        {
            "title": "Fortbildung interkulturelle Kompetenz",
            "reason": "Eckpunkt Kompetenzen schwach (2,4)",
            "cornerstone": "kompetenzen",
            "source": "selbstcheck:round:1",
        },
    )
    assert response.status_code == 303
    (measure,) = plan.load_plan(instance.db).measures
    assert measure.title == "Fortbildung interkulturelle Kompetenz"
    assert measure.description == "Eckpunkt Kompetenzen schwach (2,4)"
    assert (measure.cornerstone, measure.status, measure.source) == (
        "kompetenzen",
        "offen",
        "selbstcheck:round:1",
    )
    assert response.headers["location"].endswith(f"#measure-{measure.id}")


def test_editors_read_the_plan_but_only_leadership_changes_it(make_instance, make_client):
    instance = make_instance([])
    client = make_client(instance)
    login(client, instance, "redaktion")
    assert client.get("/plan/").status_code == 200
    assert client.get("/plan/export.csv").status_code == 200
    assert client.get("/plan/measures/new").status_code == 403
    token = csrf_from(client.get("/plan/").text)
    response = client.post("/plan/measures/new", data={"title": "x", "csrf_token": token})
    assert response.status_code == 403
    assert "Maßnahme hinzufügen" not in client.get("/plan/").text


def test_deleting_a_group_keeps_its_measures_without_group(make_instance, make_client):
    instance = make_instance([])
    gid = plan.create_group(instance.db, "Öffentlichkeitsarbeit", cornerstones=["erscheinungsbild"])
    plan.add_goal(instance.db, gid, "Von reaktiver zu aktiver Öffentlichkeitsarbeit")
    plan.add_measure(
        instance.db, plan.MeasureInput(title="Konzept Öffentlichkeitsarbeit", group_id=str(gid))
    )
    client = make_client(instance)
    login(client, instance, "leitung")
    assert _post(client, "/plan/", f"/plan/groups/{gid}/delete", {}).status_code == 303
    current = plan.load_plan(instance.db)
    assert current.groups == []
    assert [m.title for m in current.ungrouped] == ["Konzept Öffentlichkeitsarbeit"]
    assert _post(client, "/plan/", "/plan/unknown/1/delete", {}).status_code == 404


def test_csv_export_lists_every_measure_and_neutralises_formulas(make_instance, make_client):
    instance = make_instance([])
    gid = plan.create_group(instance.db, "Räumliche Situation")
    plan.add_measure(
        instance.db, plan.MeasureInput(title="Aufzug einbauen", group_id=str(gid), due="2015-06-30")
    )
    plan.add_measure(
        instance.db, plan.MeasureInput(title='=HYPERLINK("http://x")', owner="@leitung")
    )
    client = make_client(instance)
    login(client, instance, "leitung")
    response = client.get("/plan/export.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:2] == ["arbeitsgruppe", "massnahme"]
    assert rows[1][:2] == ["Räumliche Situation", "Aufzug einbauen"]
    assert rows[1][5] == "2015-06-30"
    assert rows[2][1].startswith("'=") and rows[2][4] == "'@leitung"


def test_invalid_goal_shows_its_message_at_the_form(make_instance, make_client):
    instance = make_instance([])
    gid = plan.create_group(instance.db, "Externe Akteure")
    client = make_client(instance)
    login(client, instance, "leitung")
    response = _post(client, "/plan/", f"/plan/groups/{gid}/goals", {"text": "   "})
    assert response.status_code == 400
    assert "Bitte geben Sie einen Text ein." in response.text
