"""Signed anonymous summaries (`willkommen summary`) and the ministry's state report
(`willkommen land report SUMMARIES... --output DIR [--keys keys.json]`)."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from willkommen_core.cli import cli
from willkommen_core.rollout import summary as signing
from willkommen_core.rollout.land import build_report

CORNERSTONES = (
    "binnenorganisation",
    "verankerung",
    "kompetenzen",
    "zusammenarbeit",
    "erscheinungsbild",
)


# -- the core command -------------------------------------------------------------------


def test_summary_collects_every_enabled_module_and_signs_it(make_sqlite_instance, tmp_path):
    instance = make_sqlite_instance(["partner"])
    public, created = signing.ensure_key(instance.root)
    assert created
    out = tmp_path / "summary.json"
    result = CliRunner().invoke(
        cli, ["--instance", str(instance.root), "summary", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["schema"] == "willkommen.summary/1"
    assert doc["authority"]["slug"] == instance.settings.authority.slug
    assert doc["authority"]["type"] == instance.settings.authority.type
    assert doc["modules"]["partner"]["partners"] == 0
    assert doc["signature"]["public_key"] == public
    body, known = signing.verify(doc, {doc["authority"]["slug"]: public}, source="x")
    assert known and body["modules"] == doc["modules"]


def test_summary_without_a_key_says_who_creates_it(make_sqlite_instance, tmp_path):
    instance = make_sqlite_instance(["partner"])
    result = CliRunner().invoke(
        cli, ["--instance", str(instance.root), "summary", "--output", str(tmp_path / "s.json")]
    )
    assert result.exit_code == 1
    assert "no signing key" in result.output and "rollout" in result.output


# -- synthetic summaries ----------------------------------------------------------------


def cells(means, n=12, suppressed=()):
    return [
        {
            "id": cid,
            "n": None if cid in suppressed else n,
            "mean": None if cid in suppressed else mean,
            "distribution": None,
            "dont_know": 0,
            "suppressed": cid in suppressed,
        }
        for cid, mean in zip(CORNERSTONES, means, strict=True)
    ]


def selbstcheck(*rounds):
    return {
        "schema": "willkommen.selbstcheck.summary",
        "schema_version": 1,
        "questionnaire_version": rounds[-1][1],
        "min_group_size": 5,
        "suppression_applied": True,
        "rounds": [
            {
                "id": i + 1,
                "title": title,
                "closed_on": closed,
                "questionnaire_version": version,
                "responses": 12,
                "suppressed": False,
                "cornerstones": cs,
            }
            for i, (title, version, closed, cs) in enumerate(rounds)
        ],
    }


def envelope(slug, name, modules, created="2026-03-01", sequence=1):
    return {
        "schema": "willkommen.summary/1",
        "authority": {
            "slug": slug,
            "name": name,
            "type": "Landkreis",
            "federal_state": "Sachsen-Anhalt",
        },
        "toolkit_version": "0.1.0",
        "created": created,
        "sequence": sequence,
        "modules": modules,
    }


@pytest.fixture
def land(tmp_path):
    """Three authorities: two on questionnaire 2025.1 with two rounds, one on 2024.1."""
    keys, files = {}, {}

    def add(slug, name, modules, created="2026-03-01"):
        key = Ed25519PrivateKey.generate()
        signed = signing.sign(envelope(slug, name, modules, created), key)
        keys[slug] = signed["signature"]["public_key"]
        path = tmp_path / f"{slug}-{created}.json"
        path.write_text(json.dumps(signed, ensure_ascii=False))
        files[slug] = path
        return key

    add(
        "harz",
        "Landkreis Harz",
        {
            "selbstcheck": selbstcheck(
                ("Ausgangslage", "2025.1", "2025-03-01", cells([2.0, 2.5, 3.0, 2.0, 3.0])),
                (
                    "Folgerunde",
                    "2025.1",
                    "2026-02-01",
                    cells([3.0, 3.0, 3.5, 2.5, 3.0], suppressed=("zusammenarbeit",)),
                ),
            ),
            "prozesse": {
                "schema_version": 1,
                "started": True,
                "phase": {"id": "workshop", "title": "Erster Workshop", "index": 5, "total": 9},
                "share_done": 0.4,
                "completed": False,
            },
        },
    )
    add(
        "stendal",
        "Landkreis Stendal",
        {
            "selbstcheck": selbstcheck(
                ("Ausgangslage", "2025.1", "2026-01-15", cells([4.0, 4.0, 4.0, 4.0, 4.0], n=36)),
            )
        },
    )
    add(
        "boerde",
        "Landkreis Börde",
        {"selbstcheck": selbstcheck(("Alt", "2024.1", "2024-06-01", cells([1.0] * 5)))},
    )
    keys_path = tmp_path / "keys.json"
    keys_path.write_text(
        json.dumps(
            {
                "schema": "willkommen.keys/1",
                "authorities": {s: {"public_key": k, "status": "created"} for s, k in keys.items()}
                | {"salzlandkreis": {"public_key": keys["harz"], "status": "needs-attention"}},
            }
        )
    )
    return files, keys_path


def report(land, tmp_path, *extra):
    files, keys_path = land
    return build_report([*files.values(), *extra], tmp_path / "report", keys_file=keys_path)


def test_valid_summaries_are_accepted_and_the_report_written(land, tmp_path):
    result = report(land, tmp_path)
    assert len(result.accepted) == 3 and result.rejected == []
    html = result.html_path.read_text()
    assert html.count("<h1>") == 1 and '<html lang="de">' in html
    assert "<caption>" in html and 'scope="row"' in html and 'role="img"' in html


def test_a_tampered_summary_is_rejected_naming_the_file(land, tmp_path):
    files, _ = land
    doc = json.loads(files["harz"].read_text())
    doc["modules"]["selbstcheck"]["rounds"][1]["cornerstones"][0]["mean"] = 5.0
    files["harz"].write_text(json.dumps(doc))
    result = report(land, tmp_path)
    assert result.rejected == [
        f"{files['harz']}: signature does not match: the file was altered after export"
    ]
    assert [a.slug for a in result.authorities] == ["boerde", "stendal"]


def test_an_unknown_schema_is_rejected_with_a_clear_message(land, tmp_path):
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"schema": "willkommen.summary/9", "authority": {"slug": "x"}}))
    result = report(land, tmp_path, odd)
    assert result.rejected == [
        f"{odd}: unknown schema 'willkommen.summary/9' (this toolkit reads 'willkommen.summary/1')"
    ]


def test_a_summary_signed_with_another_key_is_rejected(land, tmp_path):
    forged = signing.sign(envelope("harz", "Landkreis Harz", {}), Ed25519PrivateKey.generate())
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    result = report(land, tmp_path, path)
    assert len(result.rejected) == 1
    assert "forged.json: signed with key" in result.rejected[0]
    assert "'harz' has key" in result.rejected[0]


def test_a_summary_of_an_authority_outside_the_keys_file_is_rejected(land, tmp_path):
    path = tmp_path / "fremd.json"
    path.write_text(
        json.dumps(signing.sign(envelope("fremd", "Fremd", {}), Ed25519PrivateKey.generate()))
    )
    assert "'fremd' is not in the keys file" in report(land, tmp_path, path).rejected[0]


def rows(result):
    with result.csv_path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_csv_has_the_latest_result_progress_and_state_average_per_cornerstone(land, tmp_path):
    data = {(r["authority"], r["cornerstone"]): r for r in rows(report(land, tmp_path))}
    harz = data[("harz", "binnenorganisation")]
    assert harz["mean"] == "3.00" and harz["previous_mean"] == "2.00" and harz["change"] == "1.00"
    assert harz["questionnaire_version"] == "2025.1" and harz["round"] == "Folgerunde"
    assert harz["process_phase"] == "Erster Workshop" and harz["phase_index"] == "5"
    assert harz["rollout_status"] == "angelegt"
    # Weighted by answers: (3.0 * 12 + 4.0 * 36) / 48
    assert harz["state_average"] == "3.75"


def test_suppressed_groups_stay_suppressed_and_are_left_out_of_the_average(land, tmp_path):
    data = {(r["authority"], r["cornerstone"]): r for r in rows(report(land, tmp_path))}
    cell = data[("harz", "zusammenarbeit")]
    assert cell["suppressed"] == "true"
    assert cell["mean"] == "" and cell["n"] == "" and cell["change"] == ""
    # Only Stendal's value counts for the state average of that cornerstone.
    assert data[("stendal", "zusammenarbeit")]["state_average"] == "4.00"


def test_authorities_are_compared_only_within_one_questionnaire_version(land, tmp_path):
    result = report(land, tmp_path)
    data = {(r["authority"], r["cornerstone"]): r for r in rows(result)}
    # Börde used the old questionnaire: its average is its own, not mixed with 2025.1.
    assert data[("boerde", "binnenorganisation")]["state_average"] == "1.00"
    assert data[("harz", "binnenorganisation")]["state_average"] == "3.75"
    html = result.html_path.read_text()
    assert "Fragebogen 2025.1: 2 vergleichbare Behörden" in html
    assert "Fragebogen 2024.1: 1 vergleichbare Behörden" in html


def test_progress_is_only_computed_between_rounds_of_the_same_questionnaire(tmp_path):
    key = Ed25519PrivateKey.generate()
    modules = {
        "selbstcheck": selbstcheck(
            ("Alt", "2024.1", "2024-06-01", cells([1.0] * 5)),
            ("Neu", "2025.1", "2025-06-01", cells([3.0] * 5)),
        )
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps(signing.sign(envelope("harz", "Harz", modules), key)))
    result = build_report([path], tmp_path / "r")
    assert {r["change"] for r in rows(result)} == {""}
    assert "eingebetteter Schlüssel" in result.html_path.read_text()


def test_the_summary_with_the_highest_sequence_of_an_authority_counts(tmp_path):
    key = Ed25519PrivateKey.generate()
    paths = []
    for created, mean, sequence in (("2026-03-01", 4.0, 7), ("2025-03-01", 2.0, 3)):
        modules = {"selbstcheck": selbstcheck(("R", "2025.1", created, cells([mean] * 5)))}
        path = tmp_path / f"stendal-{created}.json"
        path.write_text(
            json.dumps(
                signing.sign(envelope("stendal", "Stendal", modules, created, sequence), key)
            )
        )
        paths.append(path)
    result = build_report(paths, tmp_path / "r")
    assert result.accepted == [str(paths[0])] and result.rejected == []
    assert result.superseded == [
        f"{paths[1]}: sequence 3 of 'stendal' is older than sequence 7 in {paths[0]}"
    ]
    (stendal,) = result.authorities
    assert stendal.created == "2026-03-01"
    assert stendal.latest.cells["verankerung"].mean == 4.0


def test_rolled_out_authorities_without_a_summary_are_listed(land, tmp_path):
    html = report(land, tmp_path).html_path.read_text()
    assert "salzlandkreis" in html and "keine Zusammenfassung eingegangen" in html


def test_the_selbstcheck_export_with_only_a_digest_is_rejected(tmp_path):
    body = selbstcheck(("Runde", "2025.1", "2025-06-01", cells([2.0] * 5)))
    body |= {"authority": "harz", "authority_name": "Landkreis Harz", "generated_on": "2026-01-01"}
    import hashlib

    digest = hashlib.sha256(signing.canonical(body)).hexdigest()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(body | {"integrity": {"algorithm": "sha256", "digest": digest}}))
    result = build_report([good], tmp_path / "r")
    assert result.authorities == []
    assert result.rejected == [
        f"{good}: only a SHA-256 digest, not signed: anyone can recompute it, so it cannot "
        "enter the state report; send the signed 'willkommen summary' instead"
    ]


def test_land_report_cli_exits_1_when_a_file_was_rejected_but_writes_the_report(land, tmp_path):
    files, keys_path = land
    odd = tmp_path / "odd.json"
    odd.write_text("{}")
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        cli,
        [
            "land",
            "report",
            *map(str, files.values()),
            str(odd),
            "--output",
            str(out),
            "--keys",
            str(keys_path),
        ],
    )
    assert result.exit_code == 1
    assert "3 summaries accepted, 1 rejected" in result.output
    assert (out / "landesbericht.html").is_file() and (out / "landesbericht.csv").is_file()


def test_the_html_report_writes_numbers_in_its_language_and_the_csv_keeps_points(land, tmp_path):
    from willkommen_core import i18n

    german = report(land, tmp_path).html_path.read_text()
    # Harz, binnenorganisation: 3.00 after 2.00; the state average 3.75
    assert "3,00 (+1,00)" in german and "3,75" in german
    assert "3.75" not in german
    token = i18n.activate("en")
    try:
        english = report(land, tmp_path / "en").html_path.read_text()
    finally:
        i18n._current.reset(token)
        i18n._current_lang.set("de")
    assert "3.00 (+1.00)" in english and "3.75" in english
    assert "unterdrückt" not in english
    assert rows(report(land, tmp_path / "csv"))[0]["mean"].count(",") == 0


BEFRAGUNG_PLUGIN = """
from willkommen_core.hookspecs import hookimpl
from willkommen_core.types import ModuleInfo, StateCell, StateFigures, StateTable


@hookimpl
def module_info():
    return ModuleInfo(title="Befragung", hook_api=">=1.2,<2")


@hookimpl
def read_state_summary(section):
    if section.get("schema_version") != 1:
        raise ValueError("unknown schema_version")
    return StateFigures(tables=[
        StateTable(
            key=f"befragung.{p['period']}",
            title=f"Kundenbefragung {p['period']}",
            columns=["Antworten", "Mittel"],
            cells=[StateCell(p["n"]), StateCell(p["mean"], suppressed=p["mean"] is None)],
            note="Gruppen unter 10 Antworten bleiben unterdrückt.",
        )
        for p in section["periods"]
    ])
"""


def test_a_module_s_own_tables_compare_authorities_in_the_report(tmp_path, monkeypatch):
    """Hook API 1.2: a module that is neither the self-assessment nor the process
    contributes tables; the core shows its cells and never a suppressed figure."""
    from willkommen_core.plugins import PluginHost
    from willkommen_core.rollout import land as land_module

    plugin_home = tmp_path / "host"
    (plugin_home / "plugins").mkdir(parents=True)
    (plugin_home / "plugins" / "befragung.py").write_text(BEFRAGUNG_PLUGIN)
    monkeypatch.setattr(land_module, "_modules", lambda: PluginHost(plugin_home, ["befragung"]))
    files = []
    for slug, name, periods in [
        ("harz", "Landkreis Harz", [{"period": "2026-Q1", "n": 40, "mean": 3.25}]),
        ("stendal", "Landkreis Stendal", [{"period": "2026-Q1", "n": 6, "mean": None}]),
    ]:
        body = envelope(slug, name, {"befragung": {"schema_version": 1, "periods": periods}})
        path = tmp_path / f"{slug}.json"
        path.write_text(json.dumps(signing.sign(body, Ed25519PrivateKey.generate())))
        files.append(path)
    result = build_report(files, tmp_path / "report")
    assert not result.rejected
    html = result.html_path.read_text()
    assert "Kundenbefragung 2026-Q1" in html and "Gruppen unter 10 Antworten" in html
    lines = list(csv.DictReader((tmp_path / "report" / "landesbericht-module.csv").open()))
    by_authority = {(r["authority"], r["column"]): r for r in lines}
    assert by_authority[("harz", "Mittel")]["value"] == "3.25"
    assert (
        by_authority[("stendal", "Mittel")] | {"value": "", "suppressed": "true"}
        == (by_authority[("stendal", "Mittel")])
    )
    assert html.count("unterdrückt") >= 1


def test_a_state_table_with_cells_for_other_columns_is_refused():
    from willkommen_core.types import StateCell, StateTable

    with pytest.raises(ValueError, match="1 cells for 2 columns"):
        StateTable("x", "X", ["a", "b"], [StateCell(1)])
