"""Accounts as IT departments run them, tried as an attacker would (issue 12).

Throttling: failures are counted per client (address or known browser) and
per account, kept in the database, and slow the guesser down without ever
refusing the owner's correct password from a client that has not been
failing. New passwords are checked against zxcvbn's lists of common and
leaked passwords. A password someone else chose opens only the page to
choose one's own, and expires. Plus the smaller points: ``no-store``,
nested bodies and files, ``/healthz``, 415 for non-JSON API bodies, token
expiry and last use, and a login page that names ``secure_cookies`` when it
is served over plain http.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text, update

from willkommen_core import accounts
from willkommen_core.cli import cli
from willkommen_core.storage import migrate
from willkommen_core.storage.tables import api_tokens, login_failures, users
from willkommen_core.testing import login
from willkommen_core.testing.instance import TEST_PASSWORD, csrf_from
from willkommen_core.web.routing import CSRF_HEADER

PASSWORD_PAGE = "/-/konto/passwort"
COMMON = ["aaaaaaaaaaaa", "password1234", "passwort1234", "qwertzuiop12", "1234567890ab"]
GOOD = "Elbe-Dom-Fahrrad-Kompass"


def at(make_client: Any, instance: Any, address: str, **kwargs: Any) -> Any:
    """A browser at ``address`` (its own cookies, its own app: like another worker)."""
    return make_client(instance, client=(address, 40000), **kwargs)


def attempt(client: Any, username: str, password: str) -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


def codes(client: Any, username: str, passwords: list[str]) -> list[int]:
    return [attempt(client, username, p).status_code for p in passwords]


def age_failures(instance: Any, seconds: float) -> None:
    """Move every recorded failure ``seconds`` into the past (instead of waiting)."""
    with instance.db.write() as s:
        rows = s.execute(select(login_failures.c.id, login_failures.c.at)).all()
        for row_id, when in rows:
            s.execute(
                update(login_failures)
                .where(login_failures.c.id == row_id)
                .values(at=when - timedelta(seconds=seconds))
            )


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def wrong(n: int) -> list[str]:
    return [f"falsch-{i}" for i in range(n)]


# -- throttling: never a lockout of the owner, always a slow-down of the guesser -------------


def test_failing_a_colleagues_login_from_another_client_never_locks_them_out(
    make_instance, make_client
):
    instance = make_instance([])
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    attacker = at(make_client, instance, "203.0.113.66")
    tries = codes(attacker, "anna", wrong(30))
    assert tries[:5] == [400] * 5
    assert set(tries[5:]) == {429}, "the guesser is slowed down"
    colleague = at(make_client, instance, "198.51.100.7")
    response = attempt(colleague, "anna", TEST_PASSWORD)
    assert response.status_code == 303, response.text
    assert colleague.get("/", follow_redirects=False).status_code == 200


def test_a_known_browser_gets_in_even_behind_the_guessers_shared_address(
    make_instance, make_client
):
    instance = make_instance([])
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    office = "192.0.2.10"  # one NAT address for the whole authority
    annas_browser = at(make_client, instance, office)
    assert attempt(annas_browser, "anna", TEST_PASSWORD).status_code == 303
    attacker = at(make_client, instance, office)
    assert set(codes(attacker, "anna", wrong(20))[5:]) == {429}
    # Anna's browser logged in before (device cookie): the guesser's failures at the
    # same address do not touch it. A new browser there waits like the guesser.
    assert attempt(annas_browser, "anna", TEST_PASSWORD).status_code == 303
    assert attempt(at(make_client, instance, office), "anna", TEST_PASSWORD).status_code == 429


def test_guessing_many_names_from_one_client_is_slowed_and_the_wait_grows(
    make_instance, make_client
):
    instance = make_instance([])
    accounts.create_user(instance.db, "bernd", "redaktion", TEST_PASSWORD)
    attacker = at(make_client, instance, "203.0.113.5")
    names = [f"person{i}" for i in range(5)]
    assert [attempt(attacker, n, "Sommer2024!").status_code for n in names] == [400] * 5
    refused = attempt(attacker, "bernd", TEST_PASSWORD)  # even a right guess waits
    assert refused.status_code == 429
    assert "Bitte warten Sie 5 Sekunden" in refused.text
    assert refused.headers["retry-after"] == "5"
    waits = []
    for i in range(4):
        age_failures(instance, 5 * 2**i)
        assert attempt(attacker, f"other{i}", "Sommer2024!").status_code == 400
        refused = attempt(attacker, f"other{i}", "Sommer2024!")
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
    assert waits == [10, 20, 40, 80]
    # Nothing stays blocked for good: a day later the client starts afresh.
    age_failures(instance, 24 * 3600)
    assert attempt(attacker, "bernd", TEST_PASSWORD).status_code == 303


def test_many_addresses_guessing_one_account_are_slowed_while_the_owner_logs_in(
    make_instance, make_client
):
    instance = make_instance([])
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    botnet = [at(make_client, instance, f"203.0.113.{i}") for i in range(1, 9)]
    assert [attempt(bot, "anna", "Sommer2024!").status_code for bot in botnet] == [400] * 8
    # Each address had its one free guess at the account; the next waits.
    assert {attempt(bot, "anna", "Winter2024!").status_code for bot in botnet} == {429}
    assert (
        attempt(at(make_client, instance, "198.51.100.7"), "anna", TEST_PASSWORD).status_code == 303
    )


def test_parallel_guesses_from_one_client_are_checked_one_after_the_other(make_instance):
    instance = make_instance([])
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    outcomes: list[str] = []

    def guess(i: int) -> None:
        try:
            user = accounts.authenticate(instance.db, "anna", f"falsch-{i}", client="a:x")
            outcomes.append("checked" if user is None else "in")
        except accounts.Throttled:
            outcomes.append("throttled")

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("checked") == 5
    assert outcomes.count("throttled") == 11


def test_the_throttle_lives_in_the_database_shared_by_every_process(make_instance):
    instance = make_instance([])
    child = textwrap.dedent(
        f"""
        from willkommen_core import accounts
        from willkommen_core.storage.db import Database
        db = Database({instance.db.url!r})
        for i in range(5):
            assert accounts.authenticate(db, "anna", f"falsch-{{i}}", client="a:worker") is None
        """
    )
    subprocess.run([sys.executable, "-c", child], check=True, timeout=120)
    with pytest.raises(accounts.Throttled):
        accounts.authenticate(instance.db, "anna", "falsch", client="a:worker")


def test_no_client_address_is_stored(make_instance, make_client):
    instance = make_instance([])
    attacker = at(make_client, instance, "203.0.113.66")
    attempt(attacker, "anna", "falsch-falsch")
    with instance.db.read() as s:
        stored = [
            tuple(r) for r in s.execute(select(login_failures.c.username, login_failures.c.client))
        ]
    assert len(stored) == 1 and stored[0][0] == "anna"
    assert "203.0.113" not in stored[0][1] and stored[0][1].startswith("a:")


# -- passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize("password", COMMON)
def test_a_common_password_is_refused_on_the_command_line(make_sqlite_instance, password):
    instance = make_sqlite_instance([])
    for args in (["admin", "create", "anna", "--role", "redaktion"], ["admin", "password", "anna"]):
        if args[1] == "password":
            accounts.create_user(instance.db, "anna", "redaktion", TEST_PASSWORD)
        result = CliRunner().invoke(
            cli,
            ["--instance", str(instance.root), *args, "--password-stdin"],
            input=password + "\n",
        )
        assert result.exit_code == 1, result.output
        assert "too easy to guess" in result.output


def test_the_authoritys_name_does_not_make_a_password(make_sqlite_instance):
    with pytest.raises(accounts.WeakPassword):
        accounts.validate_password("Teststadt2024!", context=["Ausländerbehörde Teststadt"])
    assert accounts.validate_password(GOOD) == GOOD


@pytest.fixture
def admin_client(make_sqlite_instance, make_client):
    instance = make_sqlite_instance([])
    client = make_client(instance)
    login(client, instance, "admin", username="it")
    return instance, client


def post(client: Any, path: str, data: dict[str, str], page: str | None = None) -> Any:
    token = csrf_from(client.get(page or path).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="error-text" id="f-{name}-error">([^<]+)</p>', html)
    assert match, f"no error tied to field {name}"
    assert f'aria-describedby="f-{name}-hint f-{name}-error"' in html or (
        f'aria-describedby="f-{name}-error"' in html
    )
    return match.group(1)


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "passwort1234"])
def test_a_common_password_is_refused_when_an_admin_creates_or_resets(admin_client, password):
    instance, admin = admin_client
    response = post(
        admin, "/-/admin/accounts", {"username": "bernd", "role": "redaktion", "password": password}
    )
    assert response.status_code == 400
    assert "zu leicht zu erraten" in field_error(response.text, "password")
    assert 'value="bernd"' in response.text  # the form keeps what was typed
    assert accounts.get_account(instance.db, 2) is None

    accounts.create_user(instance.db, "bernd", "redaktion", TEST_PASSWORD)
    bernd = next(a for a in accounts.list_accounts(instance.db) if a.name == "bernd")
    response = post(
        admin,
        f"/-/admin/accounts/{bernd.id}/password",
        {"password": password},
        page=f"/-/admin/accounts/{bernd.id}",
    )
    assert response.status_code == 400
    assert "zu leicht zu erraten" in field_error(response.text, "password")


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "qwertzuiop12"])
def test_a_common_password_is_refused_when_changing_ones_own(
    make_sqlite_instance, make_client, password
):
    instance = make_sqlite_instance([])
    client = make_client(instance)
    login(client, instance, "leitung", username="anna")
    response = post(
        client, PASSWORD_PAGE, {"current": TEST_PASSWORD, "new": password, "repeat": password}
    )
    assert response.status_code == 400
    assert "zu leicht zu erraten" in field_error(response.text, "new")


def test_changing_ones_own_password_checks_the_current_one_and_ends_other_sessions(
    make_sqlite_instance, make_client
):
    instance = make_sqlite_instance([])
    laptop, phone = make_client(instance), make_client(instance)
    login(laptop, instance, "leitung", username="anna")
    login(phone, instance, "leitung", username="anna")
    response = post(
        laptop, PASSWORD_PAGE, {"current": "falsch-falsch", "new": GOOD, "repeat": GOOD}
    )
    assert response.status_code == 400
    assert field_error(response.text, "current") == "Das bisherige Passwort ist falsch."
    response = post(
        laptop, PASSWORD_PAGE, {"current": TEST_PASSWORD, "new": GOOD, "repeat": GOOD + "x"}
    )
    assert response.status_code == 400
    assert "stimmen nicht überein" in field_error(response.text, "repeat")
    response = post(laptop, PASSWORD_PAGE, {"current": TEST_PASSWORD, "new": GOOD, "repeat": GOOD})
    assert response.status_code == 303
    assert laptop.get("/", follow_redirects=False).status_code == 200  # this browser stays in
    assert (
        phone.get("/-/konto/passwort", follow_redirects=False).status_code == 303
    )  # every other session ended
    assert attempt(make_client(instance), "anna", GOOD).status_code == 303


# -- one-time passwords ----------------------------------------------------------------------


def _issued(html: str) -> str:
    match = re.search(r'<code id="one-time-password">([^<]+)</code>', html)
    assert match, "the one-time password is shown once"
    return match.group(1)


def test_a_reset_password_must_be_changed_before_any_other_page(
    hallo_distribution, make_instance, make_client
):
    instance = make_instance(["hallo"])
    admin = make_client(instance)
    login(admin, instance, "admin", username="it")
    created = post(
        admin, "/-/admin/accounts", {"username": "bernd", "role": "redaktion", "password": ""}
    )
    assert created.status_code == 200
    one_time = _issued(created.text)
    assert admin.get("/-/admin/accounts").text.count(one_time) == 0  # shown only once

    bernd = make_client(instance)
    response = attempt(bernd, "bernd", one_time)
    assert response.status_code == 303 and response.headers["location"] == PASSWORD_PAGE
    for path in ("/", "/plan/", "/hallo/", "/healthz"):
        blocked = bernd.get(path, follow_redirects=False)
        assert (blocked.status_code, blocked.headers.get("location")) == (303, PASSWORD_PAGE), path
    csrf = csrf_from(bernd.get(PASSWORD_PAGE).text)
    api = bernd.post("/api/v1/hallo/greetings", json={"text": "x"}, headers={CSRF_HEADER: csrf})
    assert api.status_code == 403 and "changed first" in api.json()["error"]

    response = post(bernd, PASSWORD_PAGE, {"current": one_time, "new": GOOD, "repeat": GOOD})
    assert response.status_code == 303
    assert bernd.get("/", follow_redirects=False).status_code == 200
    assert attempt(make_client(instance), "bernd", one_time).status_code == 400


def test_a_one_time_password_expires(make_instance, make_client):
    instance = make_instance([])
    accounts.create_user(instance.db, "bernd", "redaktion", "Kiefer-Anker-Lampe-Ost", one_time=True)
    with instance.db.write() as s:
        s.execute(update(users).values(password_expires_at=datetime(2020, 1, 1)))
    response = attempt(make_client(instance), "bernd", "Kiefer-Anker-Lampe-Ost")
    assert response.status_code == 400
    assert "Einmalpasswort ist abgelaufen" in response.text


def test_the_demo_admin_password_is_one_time_and_expires(tmp_path):
    from willkommen_core.demo import prepare_demo

    instance, _password = prepare_demo(tmp_path / "demo")
    with instance.db.read() as s:
        row = s.execute(select(users).where(users.c.username == "admin")).one()
    assert row.must_change_password
    assert utcnow() + timedelta(hours=71) < row.password_expires_at < utcnow() + timedelta(hours=73)
    instance.db.dispose()


# -- disabling, roles, the last admin --------------------------------------------------------


def _account_id(instance: Any, name: str) -> int:
    return next(a.id for a in accounts.list_accounts(instance.db) if a.name == name)


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(make_instance, make_client):
    instance = make_instance([])
    admin = make_client(instance)
    login(admin, instance, "admin", username="it")
    anna = make_client(instance)
    login(anna, instance, "leitung", username="anna")
    anna_id = _account_id(instance, "anna")
    page = f"/-/admin/accounts/{anna_id}"
    response = post(admin, f"{page}/active", {"active": "0"}, page=page)
    assert response.status_code == 303
    assert anna.get("/-/konto/passwort", follow_redirects=False).status_code == 303
    assert attempt(make_client(instance), "anna", TEST_PASSWORD).status_code == 400
    assert post(admin, f"{page}/active", {"active": "1"}, page=page).status_code == 303
    assert attempt(make_client(instance), "anna", TEST_PASSWORD).status_code == 303


def test_a_role_change_applies_to_the_next_request(make_sqlite_instance, make_client):
    instance = make_sqlite_instance([])
    admin = make_client(instance)
    login(admin, instance, "admin", username="it")
    anna = make_client(instance)
    login(anna, instance, "leitung", username="anna")
    assert anna.get("/-/plugins").status_code == 403
    page = f"/-/admin/accounts/{_account_id(instance, 'anna')}"
    assert post(admin, f"{page}/role", {"role": "admin"}, page=page).status_code == 303
    assert anna.get("/-/plugins").status_code == 200


def test_admins_cannot_remove_themselves_or_the_last_admin(admin_client):
    instance, admin = admin_client
    own = f"/-/admin/accounts/{_account_id(instance, 'it')}"
    response = post(admin, f"{own}/active", {"active": "0"}, page=own)
    assert response.status_code == 400 and "anderes Administrationskonto" in response.text
    response = post(admin, f"{own}/role", {"role": "leitung"}, page=own)
    assert response.status_code == 400
    assert "anderes Administrationskonto" in field_error(response.text, "role")
    with pytest.raises(accounts.UserError, match="last active admin"):
        accounts.set_active(instance.db, _account_id(instance, "it"), False)
    assert admin.get("/-/plugins").status_code == 200


def test_account_forms_answer_bad_input_with_messages_never_a_500(admin_client):
    _instance, admin = admin_client
    response = post(admin, "/-/admin/accounts", {"username": "a b", "role": "chef"})
    assert response.status_code == 400
    assert "2 bis 64" in field_error(response.text, "username")
    assert field_error(response.text, "role") == "Bitte wählen Sie eine Rolle."
    assert 'value="a b"' in response.text
    response = post(admin, "/-/admin/accounts", {"username": "IT", "role": "leitung"})
    assert response.status_code == 400
    assert "gibt es schon" in field_error(response.text, "username")
    assert admin.get("/-/admin/accounts/999").status_code == 404
    assert admin.get(f"/-/admin/accounts/{2**64}").status_code == 404


# -- API tokens ------------------------------------------------------------------------------


def test_expired_api_tokens_are_refused_and_last_use_is_recorded(
    hallo_distribution, make_instance, make_client
):
    instance = make_instance(["hallo"])
    token = accounts.create_token(instance.db, "skript", "leitung", days=30)
    bearer = {"authorization": f"Bearer {token}"}
    client = make_client(instance)
    (info,) = accounts.list_tokens(instance.db)
    assert info.last_used_at is None
    assert client.get("/api/v1/hallo/greetings", headers=bearer).status_code == 200
    (info,) = accounts.list_tokens(instance.db)
    assert info.last_used_at is not None
    assert abs(info.last_used_at - utcnow()) < timedelta(minutes=1)
    assert timedelta(days=29) < info.expires_at - info.created_at <= timedelta(days=30)
    with instance.db.write() as s:
        s.execute(update(api_tokens).values(expires_at=datetime(2020, 1, 1)))
    assert client.get("/api/v1/hallo/greetings", headers=bearer).status_code == 401


def test_token_commands_set_and_show_the_expiry(make_sqlite_instance):
    instance = make_sqlite_instance([])
    root = str(instance.root)
    run = CliRunner().invoke
    assert (
        run(
            cli, ["--instance", root, "token", "create", "x", "--role", "leitung", "--days", "0"]
        ).exit_code
        == 1
    )
    result = run(
        cli,
        ["--instance", root, "token", "create", "statistik", "--role", "leitung", "--days", "7"],
    )
    assert result.exit_code == 0, result.output
    listing = run(cli, ["--instance", root, "token", "list"]).output
    assert "statistik\tleitung\tvalid\texpires " in listing and "last used never" in listing
    assert result.output.strip() not in listing


def test_upgrading_gives_existing_tokens_an_expiry(make_instance):
    instance = make_instance([], migrate_db=False)
    core = [migrate.core_component()]
    migrate.upgrade(instance.db, core, target="core_0003")
    with instance.db.write() as s:
        s.execute(
            text(
                "INSERT INTO core_api_tokens (name, role, token_hash, created_at, revoked) "
                "VALUES ('alt', 'leitung', 'abc', '2026-01-01 00:00:00', false)"
            )
        )
    migrate.upgrade(instance.db, core)
    (info,) = accounts.list_tokens(instance.db)
    assert timedelta(days=89) < info.expires_at - utcnow() < timedelta(days=91)
    migrate.upgrade(instance.db, core, target="core_0003")  # and back
    migrate.upgrade(instance.db, core)


# -- the smaller points ----------------------------------------------------------------------


def test_every_authenticated_and_participant_response_is_no_store(
    make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["selbstcheck", "partner"])
    anonymous = make_client(instance)
    staff = make_client(instance)
    login(staff, instance, "admin")
    responses = {
        "participant": anonymous.get("/selbstcheck/teilnahme"),
        "login": anonymous.get("/login"),
        "404": anonymous.get("/gibt-es-nicht"),
        "home": staff.get("/"),
        "results": staff.get("/selbstcheck/", follow_redirects=False),
        "admin": staff.get("/-/admin/accounts"),
        "health": staff.get("/healthz"),
        "password": staff.get(PASSWORD_PAGE),
    }
    wrong_ = {k: r.headers.get("cache-control") for k, r in responses.items()}
    assert all(v == "no-store" for v in wrong_.values()), wrong_
    assert "no-store" not in anonymous.get("/static/willkommen.css").headers.get(
        "cache-control", ""
    )


def test_deeply_nested_json_gets_a_400_with_a_message(
    hallo_distribution, make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["hallo"])
    bearer = {"authorization": f"Bearer {accounts.create_token(instance.db, 's', 'redaktion')}"}
    client = make_client(instance)
    for body in ("[" * 100_000 + "]" * 100_000, '{"text": ' + "[" * 40 + "]" * 40 + "}"):
        response = client.post(
            "/api/v1/hallo/greetings",
            content=body,
            headers={**bearer, "content-type": "application/json"},
        )
        assert response.status_code == 400, response.text
        assert "nested deeper than" in response.json()["error"]


def test_a_deeply_nested_toml_or_json_file_gets_a_400_with_a_message(
    make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["leitsystem"])
    client = make_client(instance)
    login(client, instance, "admin")
    for name, data in (
        ("gebaeude.toml", "a = " + "[" * 50_000 + "]" * 50_000),
        ("gebaeude.json", "[" * 50_000 + "]" * 50_000),
    ):
        token = csrf_from(client.get("/leitsystem/import").text)
        response = client.post(
            "/leitsystem/import",
            data={"csrf_token": token},
            files={"file": (name, data.encode(), "application/octet-stream")},
        )
        assert response.status_code == 400, name
        assert "nested too deeply" in response.text


def test_the_json_api_answers_415_to_a_body_that_is_not_json(
    hallo_distribution, make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["hallo"])
    bearer = {"authorization": f"Bearer {accounts.create_token(instance.db, 's', 'redaktion')}"}
    client = make_client(instance)
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {**bearer, **({"content-type": content_type} if content_type else {})}
        response = client.post(
            "/api/v1/hallo/greetings", content=b'{"text": "hallo"}', headers=headers
        )
        assert response.status_code == 415, content_type
        assert "application/json" in response.json()["error"]
    response = client.post(
        "/api/v1/hallo/greetings",
        content=b'{"text": "hallo"}',
        headers={**bearer, "content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201


def test_login_over_plain_http_with_secure_cookies_names_the_setting(
    make_sqlite_instance, make_client
):
    from starlette.testclient import TestClient

    from willkommen_core.web.app import create_app

    instance = make_sqlite_instance([])  # secure_cookies = true, the default
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    with TestClient(create_app(instance), base_url="http://intranet.example") as client:
        page = client.get("/login")
        assert "secure_cookies" in page.text and "https://" in page.text
        response = client.post(
            "/login",
            data={
                "username": "anna",
                "password": TEST_PASSWORD,
                "csrf_token": csrf_from(page.text),
            },
            follow_redirects=False,
        )
    assert response.status_code == 403
    assert "secure_cookies = true" in response.text
    assert 'action="/login"' in response.text  # the login page, not a bare error
    # Over https the same instance shows no such notice.
    assert "secure_cookies" not in make_client(instance).get("/login").text
