"""API endpoints to list the self-assessment's rounds and to read the action plan (issue 15),
on SQLite and PostgreSQL, in the OpenAPI document, with their roles.

``GET /api/v1/selbstcheck/rounds`` lists the rounds, newest first, and says how many
answered only as the pages do: a band while a round runs (one more answer changes
nothing visible), the exact number once it is closed with at least the minimum group
size. ``GET /api/v1/plan/`` gives the action plan in the seed's shape.
"""

from __future__ import annotations

from datetime import date

import pytest
from selbstcheck_support import API, add_responses, bearer, open_round

from willkommen_core import plan
from willkommen_plugins.selbstcheck import questionnaire as qmod
from willkommen_plugins.selbstcheck import store


@pytest.fixture
def instance(make_instance):
    return make_instance(["selbstcheck"])


@pytest.fixture
def client(instance, make_client):
    return make_client(instance)


def test_openapi_documents_both_endpoints_with_their_models(client):
    doc = client.get("/api/openapi.json").json()
    rounds = doc["paths"]["/api/v1/selbstcheck/rounds"]["get"]
    assert rounds["security"] and "403" in rounds["responses"]
    assert rounds["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/RoundList"
    )
    read = doc["paths"]["/api/v1/plan/"]["get"]
    assert read["security"]
    assert read["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ActionPlanOut"
    )
    schemas = doc["components"]["schemas"]
    plan_groups = schemas["ActionPlanOut"]["properties"]["groups"]["items"]["$ref"]
    group = schemas[plan_groups.rsplit("/", 1)[1]]["properties"]
    assert {"goals", "measures", "results"} <= set(group)
    measure = doc["components"]["schemas"]["MeasureOut"]["properties"]
    assert {"owner", "due", "status"} <= set(measure)


def test_rounds_list_shows_status_and_participation_only_as_the_pages_may(instance, client):
    draft = store.create_round(instance.db, qmod.current(instance), title="Entwurf", mode="code")
    small = open_round(instance, title="Klein")
    add_responses(instance, small, 3)
    store.close_round(instance.db, small.id)
    closed = open_round(instance, title="Ausgangslage")
    add_responses(instance, closed, 7)
    store.close_round(instance.db, closed.id)
    running = open_round(instance, title="Folgerunde")
    add_responses(instance, running, 12)

    response = client.get(f"{API}/rounds", headers=bearer(instance))
    assert response.status_code == 200
    body = response.json()
    assert body["min_group_size"] == 5
    found = {r["title"]: r for r in body["rounds"]}
    assert [r["title"] for r in body["rounds"]] == [
        "Folgerunde",
        "Ausgangslage",
        "Klein",
        "Entwurf",
    ]
    assert found["Entwurf"]["status"] == "draft" and found["Entwurf"]["participation"] is None
    assert found["Entwurf"]["id"] == draft
    # Running: a band of at least min_group_size width, never the number.
    assert found["Folgerunde"]["status"] == "open" and found["Folgerunde"]["responses"] is None
    assert found["Folgerunde"]["participation"] == {"at_least": 10, "below": 20}
    assert found["Folgerunde"]["results"] is False
    # Closed with enough answers: exact.
    assert found["Ausgangslage"]["responses"] == 7
    assert found["Ausgangslage"]["participation"] is None and found["Ausgangslage"]["results"]
    assert found["Ausgangslage"]["closed_on"] == date.today().isoformat()
    # Closed below the minimum: never its size.
    assert found["Klein"]["responses"] is None
    assert found["Klein"]["participation"] == {"at_least": 0, "below": 5}
    assert "code" not in found["Folgerunde"], "the participation code is not listed"


def test_one_more_answer_to_a_running_round_changes_nothing_in_the_list(instance, client):
    running = open_round(instance)
    add_responses(instance, running, 11)
    headers = bearer(instance)
    before = client.get(f"{API}/rounds", headers=headers).json()
    add_responses(instance, running, 1)
    assert client.get(f"{API}/rounds", headers=headers).json() == before


def test_rounds_list_is_for_leadership_only(instance, client):
    assert client.get(f"{API}/rounds").status_code == 401
    for role in ("redaktion", "vertrauensperson"):
        assert client.get(f"{API}/rounds", headers=bearer(instance, role)).status_code == 403
    assert client.get(f"{API}/rounds", headers=bearer(instance, "leitung")).status_code == 200


def test_plan_is_read_in_the_seed_shape(instance, client):
    gid = plan.create_group(instance.db, "Personalentwicklung", "Motivation", ["kompetenzen"])
    plan.add_goal(instance.db, gid, "Interne Weiterbildungen organisieren")
    plan.add_measure(
        instance.db,
        plan.MeasureInput(
            title="Englischkurs", group_id=str(gid), owner="Frau A.", due="2014-12-31"
        ),
    )
    plan.add_result(instance.db, gid, "Kurs läuft", date(2014, 9, 1))
    plan.add_measure(instance.db, plan.MeasureInput(title="Konzept", status="in_arbeit"))
    response = client.get("/api/v1/plan/", headers=bearer(instance, "redaktion"))
    assert response.status_code == 200
    body = response.json()
    (group,) = body["groups"]
    assert (group["name"], group["description"], group["cornerstones"]) == (
        "Personalentwicklung",
        "Motivation",
        ["kompetenzen"],
    )
    assert [g["text"] for g in group["goals"]] == ["Interne Weiterbildungen organisieren"]
    (measure,) = group["measures"]
    assert {k: measure[k] for k in ("title", "owner", "due", "status")} == {
        "title": "Englischkurs",
        "owner": "Frau A.",
        "due": "2014-12-31",
        "status": "offen",
    }
    assert group["results"] == [
        {"id": group["results"][0]["id"], "text": "Kurs läuft", "recorded_on": "2014-09-01"}
    ]
    assert [(m["title"], m["status"]) for m in body["ungrouped"]] == [("Konzept", "in_arbeit")]
    (entry,) = instance.audit.entries(event="plan.exported")
    assert entry.details == {"format": "api"} and entry.actor.kind == "token"


def test_plan_api_is_for_the_roles_that_read_the_plan(instance, client):
    assert client.get("/api/v1/plan/").status_code == 401
    assert (
        client.get("/api/v1/plan/", headers=bearer(instance, "vertrauensperson")).status_code == 403
    )
    for role in ("leitung", "redaktion", "admin"):
        assert client.get("/api/v1/plan/", headers=bearer(instance, role)).status_code == 200
