"""The audit log (issue 12): every security-relevant event, who and when,
never anything that links to an answer.

Events are recorded from the web (staff pages and the API) and from the
command line; admins read them on ``/-/admin/audit``, download them as JSON
lines, or poll ``GET /api/v1/audit``; ``willkommen audit`` prints them for a
log shipper. Entries older than ``[audit] retention_days`` are deleted.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from selbstcheck_support import API, answer_all, bearer, item_ids, open_token_round
from sqlalchemy import select, update
from test_two_factor import PAGE as TWO_FACTOR_PAGE
from test_two_factor import _code, code_step, enrol, logout, password_step

from willkommen_core import accounts
from willkommen_core.audit import EVENTS, Actor, AuditLog
from willkommen_core.cli import cli
from willkommen_core.rollout.summary import ensure_key
from willkommen_core.settings import AuditSection
from willkommen_core.storage.tables import audit_log
from willkommen_core.testing import login
from willkommen_core.testing.instance import TEST_PASSWORD, csrf_from, submit_login
from willkommen_core.web.routing import CSRF_HEADER
from willkommen_plugins.selbstcheck import store

AGREED = {"staff_council": "2025-02-01", "dpo": "2025-02-03"}


@pytest.fixture
def instance(make_instance):
    return make_instance(["selbstcheck", "fortbildung"])


def events(instance: Any, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(event, actor kind, actor, target) of every entry, oldest first."""
    return [
        (e.event, e.actor.kind, e.actor.name, e.target)
        for e in instance.audit.entries(limit=None, newest_first=False)
        if e.event.startswith(prefix)
    ]


def details(instance: Any, event: str) -> list[dict[str, Any]]:
    return [e.details for e in instance.audit.entries(event=event, limit=None, newest_first=False)]


def post(client: Any, path: str, page_path: str = "/", **data: str) -> Any:
    page = client.get(page_path)
    return client.post(
        path, data={"csrf_token": csrf_from(page.text), **data}, follow_redirects=False
    )


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


# -- logins ---------------------------------------------------------------------------


def test_logins_succeeded_failed_and_logouts_are_recorded(instance, make_client):
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    client = make_client(instance)
    assert submit_login(client, "anna", "falsches-passwort").status_code == 400
    assert submit_login(client, "anna").status_code == 303
    post(client, "/logout")
    assert events(instance) == [
        ("login.failed", "anonymous", "", "anna"),
        ("login.succeeded", "user", "anna", "anna"),
        ("logout", "user", "anna", "anna"),
    ]
    assert details(instance, "login.failed") == [{"known_account": True, "reason": "password"}]
    assert details(instance, "login.succeeded") == [{"method": "password"}]


def test_a_password_typed_into_the_name_field_is_not_written_down(instance, make_client):
    client = make_client(instance)
    submit_login(client, "Geheim-Passwort-99", "")
    (entry,) = instance.audit.entries()
    assert entry.event == "login.failed"
    assert entry.target == ""
    assert entry.details == {"known_account": False, "reason": "password"}
    with instance.db.read() as s:
        stored = " ".join(str(v) for row in s.execute(select(audit_log)).all() for v in row)
    assert "Geheim" not in stored


def test_a_throttled_login_is_recorded_as_such(make_instance, make_client):
    instance = make_instance([], web={"login_max_failures": 1})
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    client = make_client(instance)
    submit_login(client, "anna", "falsch-1")
    assert submit_login(client, "anna", "falsch-2").status_code == 429
    assert [d["reason"] for d in details(instance, "login.failed")] == ["password", "throttled"]


def test_two_factor_changes_codes_and_recovery_codes_are_recorded(instance, make_client):
    client = make_client(instance)
    login(client, instance, "leitung", "lea")
    secret, recovery = enrol(client)
    logout(client)
    password_step(client, "lea")
    assert code_step(client, "000000" if _code(secret) != "000000" else "111111").status_code == 400
    assert code_step(client, recovery[0]).status_code == 303
    page = client.get(TWO_FACTOR_PAGE)
    client.post(
        TWO_FACTOR_PAGE,
        data={"action": "disable", "code": _code(secret, 1), "csrf_token": csrf_from(page.text)},
    )
    assert [e for e in events(instance) if e[0] not in ("logout",)] == [
        ("login.succeeded", "user", "lea", "lea"),
        ("two_factor.enabled", "user", "lea", "lea"),
        ("login.failed", "anonymous", "", "lea"),
        ("two_factor.recovery_code_used", "user", "lea", "lea"),
        ("login.succeeded", "user", "lea", "lea"),
        ("two_factor.disabled", "user", "lea", "lea"),
    ]
    assert details(instance, "login.failed")[0]["reason"] == "second_factor"
    assert details(instance, "login.succeeded")[1] == {"method": "password+recovery"}


def test_changing_the_own_password_is_recorded(instance, make_client):
    client = make_client(instance)
    login(client, instance, "redaktion", "rita")
    new = "Elbe-Dom-Fahrrad-Kompass"
    answer = post(
        client,
        "/-/konto/passwort",
        "/-/konto/passwort",
        current=TEST_PASSWORD,
        new=new,
        repeat=new,
    )
    assert answer.status_code == 303
    assert ("password.changed", "user", "rita", "rita") in events(instance)


# -- accounts, tokens, plugins ---------------------------------------------------------


def test_an_admins_account_changes_are_recorded_with_who_did_them(instance, make_client):
    admin = make_client(instance)
    login(admin, instance, "admin", "ida")
    made = post(admin, "/-/admin/accounts", "/-/admin/accounts", username="kai", role="redaktion")
    one_time = re.search(r'id="one-time-password">([^<]+)<', made.text).group(1)
    kai = next(a for a in accounts.list_accounts(instance.db) if a.name == "kai")
    page = f"/-/admin/accounts/{kai.id}"
    post(admin, f"{page}/role", page, role="leitung")
    post(admin, f"{page}/active", page, active="0")
    post(admin, f"{page}/active", page, active="1")
    post(admin, f"{page}/password", page)
    post(admin, f"{page}/two-factor", page)
    by_ida = [e for e in events(instance) if e[2] == "ida" and e[0].startswith("account.")]
    assert by_ida == [
        ("account.created", "user", "ida", "kai"),
        ("account.role_changed", "user", "ida", "kai"),
        ("account.disabled", "user", "ida", "kai"),
        ("account.enabled", "user", "ida", "kai"),
        ("account.password_reset", "user", "ida", "kai"),
        ("account.two_factor_reset", "user", "ida", "kai"),
    ]
    assert details(instance, "account.role_changed") == [{"new": "leitung", "old": "redaktion"}]
    # The one-time password shown to the admin is nowhere in the log.
    assert one_time not in json.dumps([e.as_json() for e in instance.audit.entries(limit=None)])


def test_a_refused_change_is_not_recorded_as_done(instance, make_client):
    admin = make_client(instance)
    login(admin, instance, "admin", "ida")
    me = next(a for a in accounts.list_accounts(instance.db) if a.name == "ida")
    page = f"/-/admin/accounts/{me.id}"
    assert post(admin, f"{page}/role", page, role="leitung").status_code == 400
    assert events(instance, "account.") == []


def test_plugins_switched_in_the_web_and_on_the_command_line(instance, make_client):
    admin = make_client(instance)
    login(admin, instance, "admin", "ida")
    post(admin, "/-/admin/plugins/enable", "/-/admin/plugins", name="partner")
    code, out = run("--instance", str(instance.root), "plugins", "disable", "partner")
    assert code == 0, out
    assert events(instance, "plugin.") == [
        ("plugin.enabled", "user", "ida", "partner"),
        ("plugin.disabled", "cli", Actor.command_line().name, "partner"),
    ]


def test_command_line_account_token_and_backup_commands_are_recorded(instance, tmp_path):
    root = str(instance.root)
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["--instance", root, "admin", "create", "ops", "--role", "admin", "--one-time"]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(cli, ["--instance", root, "admin", "password", "ops", "--one-time"]).exit_code
        == 0
    )
    assert (
        runner.invoke(
            cli, ["--instance", root, "token", "create", "monitor", "--role", "admin"]
        ).exit_code
        == 0
    )
    assert runner.invoke(cli, ["--instance", root, "token", "revoke", "monitor"]).exit_code == 0
    backup = tmp_path / "sicherung.zip"
    assert runner.invoke(cli, ["--instance", root, "backup", str(backup)]).exit_code == 0
    restored = runner.invoke(cli, ["--instance", root, "restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    who = Actor.command_line().name
    # The restored database holds the entries up to the backup, then the restore.
    assert events(instance) == [
        ("account.created", "cli", who, "ops"),
        ("account.password_reset", "cli", who, "ops"),
        ("token.created", "cli", who, "monitor"),
        ("token.revoked", "cli", who, "monitor"),
        ("backup.restored", "cli", who, "sicherung.zip"),
    ]


# -- rounds, code sheets, exports --------------------------------------------------------


def _open_with_codes(leitung: Any, count: int) -> int:
    created = post(
        leitung, "/selbstcheck/runden/neu", "/selbstcheck/runden/neu", title="R", mode="tokens"
    )
    url = created.headers["location"]
    opened = post(leitung, f"{url}/oeffnen", url, notice_read="1", tokens=str(count), **AGREED)
    assert opened.status_code == 303, opened.text
    return int(url.rsplit("/", 1)[1])


def test_a_rounds_life_is_recorded_from_opening_to_export(instance, make_client):
    leitung, trusted = make_client(instance), make_client(instance)
    login(leitung, instance, "leitung", "lea")
    login(trusted, instance, "vertrauensperson", "vera")
    rid = _open_with_codes(leitung, 6)
    post(trusted, f"/selbstcheck/codebogen/{rid}", "/selbstcheck/codebogen/")
    post(
        trusted,
        f"/selbstcheck/codebogen/{rid}/weitere",
        "/selbstcheck/codebogen/",
        **{f"tokens_{rid}": "2"},
    )
    post(leitung, f"/selbstcheck/runden/{rid}/schliessen", f"/selbstcheck/runden/{rid}")
    for suffix in ("ergebnisse.csv", "ergebnisse.json", "bericht"):
        assert leitung.get(f"/selbstcheck/runden/{rid}/{suffix}").status_code == 200
    target = f"selbstcheck/{rid}"
    assert [e for e in events(instance) if e[3] == target] == [
        ("round.opened", "user", "lea", target),
        ("codes.printed", "user", "vera", target),
        ("codes.printed", "user", "vera", target),
        ("round.closed", "user", "lea", target),
        ("results.exported", "user", "lea", target),
        ("results.exported", "user", "lea", target),
        ("results.exported", "user", "lea", target),
    ]
    assert details(instance, "codes.printed") == [
        {"count": 6, "sheet": "first"},
        {"count": 2, "sheet": "more"},
    ]
    assert [d["format"] for d in details(instance, "results.exported")] == ["csv", "json", "print"]


def test_the_api_records_rounds_and_result_reads_as_the_token(instance, make_client):
    client = make_client(instance)
    headers = bearer(instance, "leitung")
    created = client.post(
        f"{API}/rounds",
        json={
            "title": "API",
            "mode": "code",
            "staff_council_agreed_on": "2025-02-01",
            "dpo_agreed_on": "2025-02-03",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    assert client.post(f"{API}/rounds/{rid}/close", headers=headers).status_code == 200
    assert client.get(f"{API}/rounds/{rid}/results", headers=headers).status_code == 200
    assert events(instance) == [
        ("round.opened", "token", "leitung-script", f"selbstcheck/{rid}"),
        ("round.closed", "token", "leitung-script", f"selbstcheck/{rid}"),
        ("results.exported", "token", "leitung-script", f"selbstcheck/{rid}"),
    ]


def test_the_summary_for_the_ministry_is_recorded(instance, tmp_path):
    ensure_key(instance.root)
    code, out = run(
        "--instance", str(instance.root), "summary", "--output", str(tmp_path / "s.json")
    )
    assert code == 0, out
    assert events(instance, "results.")[0][:2] == ("results.exported", "cli")


def test_the_training_surveys_opening_closing_and_personal_exports(instance, make_client):
    from willkommen_plugins.fortbildung import store as store_fb
    from willkommen_plugins.fortbildung import survey

    leitung = make_client(instance)
    login(leitung, instance, "leitung", "lea")
    found = survey.create(instance.db, "Bedarf 2027")
    page = f"/fortbildung/umfragen/{found.id}"
    assert found.open, "a new survey starts open"
    post(leitung, f"{page}/status", page, open="0")
    post(leitung, f"{page}/status", page, open="0")  # already closed: nothing happens
    post(leitung, f"{page}/status", page, open="1")
    assert events(instance, "round.") == [
        ("round.closed", "user", "lea", f"fortbildung/umfrage/{found.id}"),
        ("round.opened", "user", "lea", f"fortbildung/umfrage/{found.id}"),
    ]
    store_fb.add_staff(instance.db, "P-017")
    assert leitung.get("/fortbildung/teilnahme/P-017/export.json").status_code == 200
    page = "/fortbildung/teilnahme/P-017/loeschen"
    assert post(leitung, page, page).status_code == 303
    assert events(instance, "personal_data.") == [
        ("personal_data.exported", "user", "lea", "fortbildung/P-017"),
        ("personal_data.deleted", "user", "lea", "fortbildung/P-017"),
    ]


# -- nothing that links to an answer ---------------------------------------------------


def _participate(client: Any, code: str, values: dict[str, int | None], rnd: Any) -> None:
    answer = client.post(
        f"{API}/rounds/{rnd.id}/responses",
        json={"token": code, "perspective": "mitarbeitende", "area": "", "answers": values},
    )
    assert answer.status_code == 201, answer.text


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    plan=st.lists(
        st.tuples(st.sampled_from(["answer", "staff"]), st.integers(min_value=1, max_value=5)),
        min_size=1,
        max_size=8,
    )
)
def test_answers_leave_no_trace_in_the_audit_log(make_sqlite_instance, make_client, plan):
    """Whatever mixes of answers and staff activity: answering writes no entry,
    and no entry holds a code, an answer, a comment or a position among answers."""
    instance = make_sqlite_instance(["selbstcheck"])
    rnd, codes = open_token_round(instance, 10)
    ids = item_ids(instance, rnd)
    client = make_client(instance)
    staff = make_client(instance)
    login(staff, instance, "leitung", "lea")
    used = 0
    for kind, value in plan:
        before = instance.audit.count()
        if kind == "answer" and used < len(codes):
            values = answer_all(instance, rnd, value)
            values[ids[0]] = (value % 5) + 1
            _participate(client, codes[used], values, rnd)
            used += 1
            assert instance.audit.count() == before, "an answer wrote to the audit log"
        else:
            staff.get(f"/selbstcheck/runden/{rnd.id}")
            post(staff, "/logout")
            login(staff, instance, "leitung", "lea")
    with instance.db.read() as s:
        rows = s.execute(select(audit_log)).all()
    text = json.dumps([[str(v) for v in row] for row in rows])
    for code in codes:
        assert code not in text and store.token_hash(code) not in text
    assert all(row.event in EVENTS for row in rows)
    assert not any("selbstcheck" in row.target for row in rows), "only staff events"


def test_an_entry_takes_only_scalars_and_known_events(instance):
    with pytest.raises(ValueError, match="unknown audit event"):
        instance.audit.record("answers.submitted", Actor("user", "x"))
    with pytest.raises(TypeError, match="scalar"):
        instance.audit.record("logout", Actor("user", "x"), answers={"q1": 3})


# -- reading: admins only, web, JSON lines, API, command line ---------------------------


def test_only_admins_read_the_log(instance, make_client):
    for role in ("leitung", "redaktion", "vertrauensperson"):
        client = make_client(instance)
        login(client, instance, role)
        assert client.get("/-/admin/audit").status_code == 403
        assert client.get("/-/admin/audit.jsonl").status_code == 403
    assert (
        make_client(instance).get("/api/v1/audit", headers=bearer(instance, "leitung")).status_code
        == 403
    )


def test_the_admin_page_lists_filters_and_downloads_json_lines(instance, make_client):
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    submit_login(make_client(instance), "anna", "falsch")
    admin = make_client(instance)
    login(admin, instance, "admin", "ida")
    page = admin.get("/-/admin/audit")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Anmeldung fehlgeschlagen" in page.text and "ida" in page.text
    failed = admin.get("/-/admin/audit?event=login.failed")
    assert "<td>anna</td>" in failed.text
    assert "<td>Anmeldung erfolgreich</td>" not in failed.text
    bad = admin.get("/-/admin/audit?since=gestern")
    assert bad.status_code == 400 and "JJJJ-MM-TT" in bad.text and "gestern" in bad.text
    download = admin.get("/-/admin/audit.jsonl?event=login")
    assert download.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in download.text.splitlines()]
    assert [line["event"] for line in lines] == ["login.failed", "login.succeeded"]
    assert set(lines[0]) == {"id", "at", "event", "actor", "target", "details"}
    assert datetime.fromisoformat(lines[0]["at"]).tzinfo is not None
    assert events(instance)[-1][0] == "audit.exported"


def test_a_log_system_polls_the_api_with_after(instance, make_client):
    client = make_client(instance)
    headers = bearer(instance, "admin")
    for n in range(3):
        instance.audit.record("logout", Actor("user", f"u{n}"), f"u{n}")
    first = client.get("/api/v1/audit?limit=2", headers=headers).json()["entries"]
    assert [e["target"] for e in first] == ["u0", "u1"]
    rest = client.get(f"/api/v1/audit?after={first[-1]['id']}", headers=headers).json()["entries"]
    assert [e["target"] for e in rest][:1] == ["u2"]
    assert client.get("/api/v1/audit?since=morgen", headers=headers).status_code == 400
    assert "/api/v1/audit" in client.get("/api/openapi.json").json()["paths"]


def test_the_command_prints_json_lines_and_names_a_wrong_event(instance):
    instance.audit.record("logout", Actor("user", "anna"), "anna")
    code, out = run("--instance", str(instance.root), "audit", "--event", "logout")
    assert code == 0, out
    assert json.loads(out.splitlines()[0])["actor"] == {"kind": "user", "name": "anna"}
    code, out = run("--instance", str(instance.root), "audit", "--event", "antworten")
    assert code != 0 and "--event" in out and "antworten" in out


def test_every_entry_is_also_a_json_line_for_journald(instance, caplog):
    with caplog.at_level(logging.INFO, logger="willkommen.audit"):
        instance.audit.record("logout", Actor("user", "anna"), "anna")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "willkommen.audit"]
    assert json.loads(line)["event"] == "logout"


# -- retention -------------------------------------------------------------------------


def test_entries_older_than_the_retention_time_are_deleted(make_instance):
    instance = make_instance([], audit={"retention_days": 30})
    log = instance.audit
    for n in range(3):
        log.record("logout", Actor("user", f"u{n}"), f"u{n}")
    old = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=31)
    with instance.db.write() as s:
        s.execute(update(audit_log).where(audit_log.c.target == "u0").values(at=old))
    assert log.purge() == 1
    assert [e.target for e in log.entries()] == ["u2", "u1"]


def test_retention_is_bounded_and_explained():
    assert AuditSection().retention_days == 365
    for wrong in (0, 29, 3651):
        with pytest.raises(ValidationError):
            AuditSection(retention_days=wrong)


def test_every_event_has_a_label_and_is_documented():
    guide = (Path(__file__).parents[1] / "docs" / "it-guide.md").read_text(encoding="utf-8")
    for event, label in EVENTS.items():
        assert str(label)
        assert f"`{event}`" in guide, f"docs/it-guide.md does not explain {event}"


def test_the_log_itself_works_on_the_chosen_database(instance):
    log = AuditLog(instance.db, retention_days=30)
    log.record("plugin.enabled", Actor("user", "ida"), "partner", note="ä" * 300)
    (entry,) = log.entries()
    assert entry.details == {"note": "ä" * 200}, "details are cut, not refused"
    assert re.fullmatch(r"\d+", str(entry.id))


def test_an_api_token_with_csrf_free_post_is_not_needed_for_reading(instance, make_client):
    """Reading the log through a staff session works too (GET needs no CSRF header)."""
    admin = make_client(instance)
    login(admin, instance, "admin", "ida")
    answer = admin.get("/api/v1/audit", headers={CSRF_HEADER: ""})
    assert answer.status_code == 200


MODULE_WITH_EVENTS = """
from willkommen_core.sdk import Module

module = Module("tafel", __name__, title="Tafel", audit_events={"cleaned": "Tafel gewischt"})
module.provide_hooks(globals())
"""


def test_a_module_records_the_events_it_declares_and_no_other(tmp_path, make_sqlite_instance):
    """Hook API 1.2: a module declares its audit events under its own name; the log
    refuses undeclared names, and a module cannot declare another's."""
    instance = make_sqlite_instance([])
    (instance.root / "plugins").mkdir(exist_ok=True)
    (instance.root / "plugins" / "tafel.py").write_text(MODULE_WITH_EVENTS)
    from willkommen_core.plugin_config import set_enabled

    set_enabled(instance.root, "tafel", True)
    from willkommen_core.instance import Instance

    fresh = Instance.open(instance.root)
    assert fresh.audit.events["tafel.cleaned"] == "Tafel gewischt"
    fresh.audit.record("tafel.cleaned", Actor("cli", "anna"), "Raum 1.14")
    assert [e.event for e in fresh.audit.entries(event="tafel")] == ["tafel.cleaned"]
    for undeclared in ("tafel.painted", "selbstcheck.cleaned", "cleaned"):
        with pytest.raises(ValueError, match="unknown audit event"):
            fresh.audit.record(undeclared, Actor("cli", "anna"))
    result = CliRunner().invoke(cli, ["--instance", str(fresh.root), "audit", "--event", "tafel"])
    assert result.exit_code == 0 and '"tafel.cleaned"' in result.output
    fresh.db.dispose()
