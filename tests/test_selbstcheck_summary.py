"""Recommendations into the action plan, the state summary for the ministry, the demo."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import types
from html import unescape

import pytest
from click.testing import CliRunner
from selbstcheck_support import open_round

from willkommen_core.cli import cli
from willkommen_core.hookspecs import hookimpl
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_core.types import ModuleInfo
from willkommen_plugins.selbstcheck import demo, store, summary
from willkommen_plugins.selbstcheck.recommend import collect

MEANS = {
    "binnenorganisation": 3,
    "verankerung": 1,
    "kompetenzen": 4,
    "zusammenarbeit": 2,
    "erscheinungsbild": 5,
}


def _round_with_means(instance, means=MEANS, count=6):
    rnd = open_round(instance)
    q = store.questionnaire_of(instance.db, rnd)
    values = {i.id: means[c.id] for c in q.cornerstones for i in c.items}
    for _n in range(count):
        store.submit(
            instance.db,
            rnd.id,
            code=rnd.code,
            token=None,
            perspective="mitarbeitende",
            area="",
            values=values,
            texts={},
        )
    store.close_round(instance.db, rnd.id)
    return rnd


def test_recommendations_come_weakest_cornerstone_first_each_with_a_reason(make_instance):
    instance = make_instance(["selbstcheck", "partner"])
    _round_with_means(instance)
    recs = collect(instance, MEANS)
    cornerstones = [r.cornerstone for r in recs]
    assert cornerstones == sorted(cornerstones, key=lambda c: MEANS[c])
    assert cornerstones[0] == "verankerung" and "zusammenarbeit" in cornerstones
    for r in recs:
        assert str(r.reason) and str(r.title)
    verankerung = next(r for r in recs if r.cornerstone == "verankerung")
    assert "1,0" in str(verankerung.reason) and "Magdeburg" in str(verankerung.reason)
    # Strong cornerstones get nothing.
    assert "erscheinungsbild" not in cornerstones and "kompetenzen" not in cornerstones


def test_suppressed_means_are_left_out_of_recommendations(make_instance):
    instance = make_instance(["selbstcheck"])
    rnd = _round_with_means(instance, count=3)  # below the minimum of 5
    total = summary.round_results(instance, store.get_round(instance.db, rnd.id)).total
    assert total.means() == {}
    assert collect(instance, total.means()) == []


def _process_plugin() -> types.ModuleType:
    module = types.ModuleType("willkommen_test_prozess")

    @hookimpl
    def module_info():
        return ModuleInfo(title="Prozess", cornerstones=("verankerung",))

    module.module_info = module_info  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module


def test_selbstcheck_proposes_for_verankerung_only_while_no_other_module_serves_it(
    make_sqlite_instance,
):
    alone = make_sqlite_instance(["selbstcheck"], name="alone")
    assert any(r.cornerstone == "verankerung" for r in collect(alone, MEANS))
    served = make_sqlite_instance(
        ["selbstcheck"], name="served", extra_plugins=(("prozess", _process_plugin()),)
    )
    assert not any(r.cornerstone == "verankerung" for r in collect(served, MEANS))


def test_a_recommendation_becomes_a_measure_of_the_action_plan_with_one_action(
    make_instance, make_client
):
    from willkommen_core.plan import load_plan

    instance = make_instance(["selbstcheck"])
    rnd = _round_with_means(instance)
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse")
    assert "Empfehlungen" in page.text
    form = page.text[page.text.index('action="/plan/measures/from-recommendation"') :]
    fields = dict(
        re.findall(r'name="(title|reason|cornerstone|source)" value="([^"]*)"', form[:3000])
    )
    assert fields["source"] == f"selbstcheck:round:{rnd.id}"
    response = client.post(
        "/plan/measures/from-recommendation",
        data={"csrf_token": csrf_from(page.text), **{k: unescape(v) for k, v in fields.items()}},
        follow_redirects=False,
    )
    assert response.status_code == 303
    measures = [m for g in [load_plan(instance.db)] for m in _all_measures(g)]
    assert any(
        m.title == unescape(fields["title"]) and m.source == f"selbstcheck:round:{rnd.id}"
        for m in measures
    )


def _all_measures(plan):
    found = list(getattr(plan, "ungrouped", []) or [])
    for group in getattr(plan, "groups", []):
        found += list(getattr(group, "measures", []))
    return found


# -- the state summary -------------------------------------------------------------------


def test_summary_cli_writes_the_anonymous_state_summary_of_closed_rounds(make_instance, tmp_path):
    instance = make_instance(["selbstcheck"])
    big = _round_with_means(instance)
    small = _round_with_means(instance, count=2)
    open_round(instance, title="läuft noch")
    out = tmp_path / "summary.json"
    result = CliRunner().invoke(
        cli, ["--instance", str(instance.root), "selbstcheck", "summary", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text("utf-8"))
    assert data["schema"] == "willkommen.selbstcheck.summary" and data["schema_version"] == 1
    assert data["authority"] == "teststadt" and data["suppression_applied"] is True
    assert data["questionnaire_version"].startswith("2025.1-")
    assert [r["id"] for r in data["rounds"]] == [big.id, small.id]  # closed rounds only
    first = {c["id"]: c for c in data["rounds"][0]["cornerstones"]}
    assert first["verankerung"] == {
        "id": "verankerung",
        "n": 6,
        "mean": 1.0,
        "distribution": {"1": 6 * 7, "2": 0, "3": 0, "4": 0, "5": 0},
        "dont_know": 0,
        "suppressed": False,
    }
    assert data["rounds"][1]["suppressed"] is True
    assert all(
        c["mean"] is None and c["distribution"] is None for c in data["rounds"][1]["cornerstones"]
    )
    # Integrity: the digest covers everything else, canonically serialised.
    body = {k: v for k, v in data.items() if k != "integrity"}
    digest = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert data["integrity"] == {"algorithm": "sha256", "digest": digest}
    # The state_summary hook returns the same aggregate shape.
    hooked = instance.plugins.call_each("state_summary", instance=instance)["selbstcheck"]
    assert hooked["rounds"] == data["rounds"]


def test_summary_cli_names_a_missing_output_folder(make_sqlite_instance, tmp_path):
    instance = make_sqlite_instance(["selbstcheck"])
    result = CliRunner().invoke(
        cli,
        [
            "--instance",
            str(instance.root),
            "selbstcheck",
            "summary",
            "--output",
            str(tmp_path / "nope" / "s.json"),
        ],
    )
    assert result.exit_code == 1 and "does not exist" in result.output
    assert "Traceback" not in result.output


# -- demo --------------------------------------------------------------------------------


@pytest.fixture
def demo_instance(make_instance):
    instance = make_instance(["selbstcheck", "partner"])
    instance.plugins.call_each("demo_content", instance=instance)
    return instance


def test_demo_has_two_closed_rounds_showing_progress_and_suppression(demo_instance, make_client):
    demo.seed(demo_instance)  # idempotent
    rounds = store.list_rounds(demo_instance.db)
    assert [r.title for r in reversed(rounds)] == ["Ausgangslage 2014", "Folgerunde 2015"]
    assert all(r.status == "closed" for r in rounds)
    data = summary.build(demo_instance)
    before, after = ({c["id"]: c["mean"] for c in r["cornerstones"]} for r in data["rounds"])
    assert all(after[c] > before[c] for c in before), (before, after)
    baseline = summary.round_results(demo_instance, rounds[-1])
    assert baseline.group("leitung").suppressed  # 3 leaders: too few
    assert baseline.group(None, "EDV").suppressed
    client = make_client(demo_instance)
    login(client, demo_instance, "leitung")
    page = client.get(f"/selbstcheck/runden/{rounds[-1].id}/ergebnisse")
    assert "unterdrückt" in page.text and "Als Maßnahme übernehmen" in page.text
    progress = client.get("/selbstcheck/vergleich")
    assert "Folgerunde 2015" in progress.text and "Ausgangslage 2014" in progress.text
