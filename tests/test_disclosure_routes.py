"""Every view of answers is answered by the disclosure layer: where it withholds, no page,
export, API answer or summary shows a figure of its own."""

from __future__ import annotations

import csv
import io
import json

import pytest
from selbstcheck_support import API, add_responses, bearer, breakdown_round

from willkommen_core.disclosure import Release
from willkommen_core.disclosure.release import SUPPRESSED
from willkommen_core.testing import login
from willkommen_plugins.fortbildung import store as fortbildung_store
from willkommen_plugins.fortbildung import survey
from willkommen_plugins.selbstcheck import store


@pytest.fixture
def published(make_sqlite_instance, make_client):
    """Two closed rounds and a closed needs survey, each with ten answers of one value."""
    instance = make_sqlite_instance(["selbstcheck", "fortbildung"])
    rnd, codes = breakdown_round(instance)
    add_responses(instance, rnd, 10, value=4, codes=codes, comment={"verankerung": "Mehr Zeit"})
    store.close_round(instance.db, rnd.id)
    again, codes = breakdown_round(instance, title="Folgerunde")
    add_responses(instance, again, 10, value=4, codes=codes)
    store.close_round(instance.db, again.id)
    fortbildung_store.ensure_seeded(instance)
    found = survey.create(instance.db, "Bedarf")
    for _ in range(10):
        survey.submit(instance.db, found.id, work_area="", topics=["deeskalation"], formats=[])
    survey.set_open(instance.db, found.id, False)
    client = make_client(instance)
    login(client, instance, "leitung")
    views = {
        "page": f"/selbstcheck/runden/{rnd.id}/ergebnisse",
        "report": f"/selbstcheck/runden/{rnd.id}/bericht",
        "csv": f"/selbstcheck/runden/{rnd.id}/ergebnisse.csv",
        "json": f"/selbstcheck/runden/{rnd.id}/ergebnisse.json",
        "compare": f"/selbstcheck/vergleich?runde={rnd.id}&runde={again.id}",
        "survey": f"/fortbildung/umfragen/{found.id}",
    }
    return instance, client, rnd, views


def _everything(instance, client, rnd, views):
    got = {name: client.get(path) for name, path in views.items()}
    assert all(r.status_code == 200 for r in got.values()), {
        n: r.status_code for n, r in got.items()
    }
    api = client.get(f"{API}/rounds/{rnd.id}/results", headers=bearer(instance)).json()
    summary = instance.plugins.call_one("selbstcheck", "state_summary", instance=instance)
    return {name: r.text for name, r in got.items()}, api, summary


def test_with_the_layer_answering_the_figures_are_there(published):
    pages, api, summary = _everything(*published)
    assert "Mehr Zeit" in pages["page"] and "4,0" in pages["page"]
    assert "Deeskalation" in pages["survey"] and "4,0" in pages["compare"]
    assert api["responses"] == 10 and api["cornerstones"][0]["mean"] == 4.0
    assert summary["rounds"][0]["cornerstones"][0]["mean"] == 4.0


def test_when_the_layer_withholds_everything_no_view_shows_a_figure(published, monkeypatch):
    monkeypatch.setattr(Release, "size", lambda self, **f: None)
    monkeypatch.setattr(Release, "pooled", lambda self, ids, **f: SUPPRESSED)
    monkeypatch.setattr(Release, "texts", lambda self, topic, **f: [])
    pages, api, summary = _everything(*published)
    for name in ("page", "report", "compare"):
        assert "4,0" not in pages[name] and "Mehr Zeit" not in pages[name], name
        assert "10 Teilnahmen" not in pages[name], name
    assert "Deeskalation" not in pages["survey"]
    rows = list(csv.DictReader(io.StringIO(pages["csv"])))
    assert rows and all(r["mean"] == r["n"] == r["responses"] == "" for r in rows)
    exported = json.loads(pages["json"])
    assert all(g["responses"] is None for g in exported["groups"])
    assert all(c["mean"] is None for g in exported["groups"] for c in g["cornerstones"])
    assert api["responses"] is None and all(c["mean"] is None for c in api["cornerstones"])
    assert all(c["comments"] is None for c in api["cornerstones"])
    for round_summary in summary["rounds"]:
        assert round_summary["responses"] is None
        assert all(c["mean"] is None and c["n"] is None for c in round_summary["cornerstones"])
