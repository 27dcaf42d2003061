"""Two-factor login (TOTP, RFC 6238): attacked first, then used.

Issue 12: "TOTP two-factor login (RFC 6238, any authenticator app) that an
instance can require for admin and leitung". A password alone opens
nothing; a code counts once; wrong codes are slowed like wrong passwords;
a recovery code works once; the secret is not readable from the database.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from sqlalchemy import select, text

from willkommen_core import accounts, two_factor
from willkommen_core.storage.tables import recovery_codes, users
from willkommen_core.testing import login
from willkommen_core.testing.instance import TEST_PASSWORD, csrf_from, submit_login

PAGE = "/-/konto/zwei-faktor"


def _secret(html: str) -> str:
    match = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', html)
    assert match, "the setup page shows the secret as text"
    return match.group(1).replace(" ", "")


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def enrol(client: Any) -> tuple[str, list[str]]:
    """Set up the second factor on the own page; returns the secret and recovery codes."""
    page = client.get(PAGE)
    assert page.status_code == 200, page.text
    assert "<svg" in page.text, "the QR code is inline SVG"
    secret = _secret(page.text)
    done = client.post(
        PAGE,
        data={"action": "confirm", "code": _code(secret), "csrf_token": csrf_from(page.text)},
    )
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    assert len(codes) == two_factor.RECOVERY_CODES
    return secret, codes


def password_step(client: Any, username: str, password: str = TEST_PASSWORD) -> Any:
    return submit_login(client, username, password)


def code_step(client: Any, code: str) -> Any:
    page = client.get("/login/code")
    return client.post(
        "/login/code",
        data={"code": code, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


def logout(client: Any) -> None:
    client.post("/logout", data={"csrf_token": csrf_from(client.get(PAGE).text)})


@pytest.fixture
def enrolled(make_instance, make_client) -> tuple[Any, Any, str, list[str]]:
    """An instance, a logged-out client and the secret and recovery codes of ``leitung-user``."""
    instance = make_instance([])
    client = make_client(instance, raise_server_exceptions=False)
    login(client, instance, "leitung")
    secret, codes = enrol(client)
    logout(client)
    return instance, client, secret, codes


# -- attacks -------------------------------------------------------------------------


def test_the_password_alone_opens_no_page(enrolled):
    _instance, client, _secret, _codes = enrolled
    response = password_step(client, "leitung-user")
    assert response.status_code == 303 and response.headers["location"] == "/login/code"
    for path in (PAGE, "/-/konto/passwort", "/plan/"):  # "/" is the public start page
        page = client.get(path, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next="), path
    assert client.post("/logout", follow_redirects=False).status_code == 401


def test_a_code_is_accepted_once(enrolled):
    _instance, client, secret, _codes = enrolled
    code = _code(secret, 1)  # the step after the one the setup used
    password_step(client, "leitung-user")
    assert code_step(client, code).headers["location"] == "/"
    logout(client)
    password_step(client, "leitung-user")
    again = code_step(client, code)
    assert again.status_code == 400 and "schon verwendet" in again.text
    # Nor does an older code work once a newer one was used.
    assert code_step(client, _code(secret, 0)).status_code == 400
    assert client.get("/-/konto/passwort", follow_redirects=False).status_code == 303


def test_a_recovery_code_works_once(enrolled):
    instance, client, _secret, codes = enrolled
    password_step(client, "leitung-user")
    used = code_step(client, codes[0].upper().replace("-", " "))  # typed loosely
    assert used.status_code == 303 and "recovery=1" in used.headers["location"]
    assert "Noch übrig: 9" in client.get(used.headers["location"]).text
    logout(client)
    password_step(client, "leitung-user")
    assert code_step(client, codes[0]).status_code == 400
    with instance.db.read() as s:
        assert len(s.execute(select(recovery_codes)).all()) == 9


def test_wrong_codes_are_slowed_like_wrong_passwords(enrolled):
    _instance, client, secret, _codes = enrolled
    password_step(client, "leitung-user")
    for _ in range(5):
        assert code_step(client, "000000").status_code == 400
    throttled = code_step(client, _code(secret, 1))
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    # Entering the password again buys no new guesses: that is slowed too.
    assert password_step(client, "leitung-user").status_code == 429


def test_the_secret_is_not_in_the_database_in_plain(enrolled):
    instance, _client, secret, codes = enrolled
    with instance.db.read() as s:
        row = s.execute(select(users).where(users.c.username == "leitung-user")).one()
        dump = " ".join(
            str(v)
            for table in ("core_users", "core_recovery_codes")
            for r in s.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608
            for v in r
        )
    assert secret not in dump and secret.lower() not in dump
    assert not any(c in dump or c.replace("-", "") in dump for c in codes)
    key = two_factor.cipher_key(instance.settings.secret_key.get_secret_value())
    assert two_factor.decrypt_secret(key, row.id, row.totp_secret) == secret
    # Another instance's key, or the same ciphertext on another account, reads nothing.
    assert (
        two_factor.decrypt_secret(two_factor.cipher_key("x" * 40), row.id, row.totp_secret) is None
    )
    assert two_factor.decrypt_secret(key, row.id + 1, row.totp_secret) is None


def test_a_half_login_expires(enrolled, monkeypatch):
    _instance, client, secret, _codes = enrolled
    monkeypatch.setattr("willkommen_core.web.account.SECOND_STEP_SECONDS", -1)
    password_step(client, "leitung-user")
    response = code_step(client, _code(secret, 1))
    assert response.status_code == 400 and "abgelaufen" in response.text


# -- use ---------------------------------------------------------------------------------


def test_setup_needs_a_right_first_code_and_the_form_keeps_the_message(make_instance, make_client):
    instance = make_instance([])
    client = make_client(instance)
    login(client, instance, "redaktion")
    page = client.get(PAGE)
    secret = _secret(page.text)
    wrong = client.post(
        PAGE, data={"action": "confirm", "code": "12345", "csrf_token": csrf_from(page.text)}
    )
    assert wrong.status_code == 400
    assert 'id="f-code-error"' in wrong.text and 'aria-invalid="true"' in wrong.text
    assert _secret(wrong.text) == secret, "the same secret stays pending (already scanned)"
    uid = next(a.id for a in accounts.list_accounts(instance.db) if a.name == "redaktion-user")
    assert two_factor.status(instance.db, uid).confirmed_at is None
    # Not set up: the password alone logs in.
    logout(client)
    assert password_step(client, "redaktion-user").headers["location"] == "/"


def test_a_required_role_must_set_it_up_before_anything_else(make_instance, make_client):
    instance = make_instance([], web={"require_two_factor_for": ["admin", "leitung"]})
    client = make_client(instance)
    login(client, instance, "leitung")
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == PAGE
    assert "vorgeschrieben" in client.get(PAGE).text
    secret, _codes = enrol(client)
    assert client.get("/", follow_redirects=False).status_code == 200
    # The setup page offers no way to switch it off; a forged form is refused.
    page = client.get(PAGE)
    assert 'value="disable"' not in page.text
    off = client.post(
        PAGE,
        data={"action": "disable", "code": _code(secret, 1), "csrf_token": csrf_from(page.text)},
    )
    assert off.status_code == 400 and "vorgeschrieben" in off.text
    # Other roles are not asked.
    other = make_client(instance)
    login(other, instance, "redaktion")
    assert other.get("/", follow_redirects=False).status_code == 200


def test_an_admin_reset_ends_sessions_and_asks_for_a_new_setup(make_instance, make_client):
    instance = make_instance([])
    colleague = make_client(instance)
    login(colleague, instance, "redaktion")
    enrol(colleague)
    admin = make_client(instance)
    login(admin, instance, "admin")
    uid = next(a.id for a in accounts.list_accounts(instance.db) if a.name == "redaktion-user")
    detail = admin.get(f"/-/admin/accounts/{uid}")
    assert "eingerichtet" in detail.text
    admin.post(f"/-/admin/accounts/{uid}/two-factor", data={"csrf_token": csrf_from(detail.text)})
    assert colleague.get("/plan/", follow_redirects=False).headers["location"].startswith("/login")
    assert password_step(colleague, "redaktion-user").headers["location"] == "/"
    assert colleague.get("/", follow_redirects=False).headers["location"] == PAGE
    enrol(colleague)
    assert colleague.get("/", follow_redirects=False).status_code == 200


def test_switching_it_off_needs_a_current_code(make_instance, make_client):
    instance = make_instance([])
    client = make_client(instance)
    login(client, instance, "redaktion")
    secret, _codes = enrol(client)
    page = client.get(PAGE)
    refused = client.post(
        PAGE, data={"action": "disable", "code": "000000", "csrf_token": csrf_from(page.text)}
    )
    assert refused.status_code == 400
    done = client.post(
        PAGE,
        data={"action": "disable", "code": _code(secret, 1), "csrf_token": csrf_from(page.text)},
    )
    assert done.status_code == 200 and "ausgeschaltet" in done.text
    logout(client)
    assert password_step(client, "redaktion-user").headers["location"] == "/"


def test_new_recovery_codes_replace_the_old_ones(make_sqlite_instance, make_client):
    instance = make_sqlite_instance([])
    client = make_client(instance)
    login(client, instance, "redaktion")
    secret, old = enrol(client)
    page = client.get(PAGE)
    renewed = client.post(
        PAGE,
        data={"action": "recovery", "code": _code(secret, 1), "csrf_token": csrf_from(page.text)},
    )
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", renewed.text)
    assert len(new) == two_factor.RECOVERY_CODES and not set(new) & set(old)
    logout(client)
    password_step(client, "redaktion-user")
    assert code_step(client, old[1]).status_code == 400
    assert code_step(client, new[1]).status_code == 303


def test_the_setup_page_answers_bad_input_with_a_message(make_sqlite_instance, make_client):
    instance = make_sqlite_instance([])
    client = make_client(instance, raise_server_exceptions=False)
    login(client, instance, "redaktion")
    page = client.get(PAGE)
    for data in ({"action": "was"}, {"action": "recovery", "code": "x" * 5000}, {}):
        response = client.post(PAGE, data={**data, "csrf_token": csrf_from(page.text)})
        assert response.status_code == 400, data
    # The second step without a password before it: back to the login.
    code = client.post("/login/code", data={"csrf_token": csrf_from(page.text), "code": "1"})
    assert code.status_code == 400 and "Passwort erneut" in code.text


def test_the_command_line_resets_it_when_the_only_admin_lost_the_phone(
    make_sqlite_instance, make_client
):
    from click.testing import CliRunner

    from willkommen_core.cli import cli

    instance = make_sqlite_instance([])
    client = make_client(instance)
    login(client, instance, "admin", username="it")
    enrol(client)
    result = CliRunner().invoke(
        cli, ["--instance", str(instance.root), "admin", "two-factor-reset", "IT"]
    )
    assert result.exit_code == 0, result.output
    assert client.get("/plan/", follow_redirects=False).headers["location"].startswith("/login")
    assert password_step(client, "it").headers["location"] == "/"
    assert client.get("/", follow_redirects=False).headers["location"] == PAGE
    unknown = CliRunner().invoke(
        cli, ["--instance", str(instance.root), "admin", "two-factor-reset", "x"]
    )
    assert unknown.exit_code == 1 and "no account named 'x'" in unknown.output
