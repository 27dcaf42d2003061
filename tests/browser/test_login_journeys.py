"""Two-factor login and login through the identity provider, in a real browser.

Issue 12, "Done when": "TOTP and OIDC logins work end to end in the browser
tests against the real provider". The provider is the npm ``oidc-provider``
(``tests/oidc_support.py``); the codes are computed here with pyotp, as an
authenticator app would.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from oidc_support import PASSWORD as PROVIDER_PASSWORD

from willkommen_core import accounts
from willkommen_core.testing.instance import TEST_PASSWORD

LOCAL_HOSTS = {"localhost", "127.0.0.1"}


@pytest.fixture
def local_page(page: Any) -> Iterator[Any]:
    """The page, allowed to talk to this machine only."""

    def only_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_local)
    yield page


@pytest.fixture
def oidc_server(oidc_provider, make_sqlite_instance, live_server, monkeypatch):
    """``oidc_server(**oidc_overrides)`` -> (instance, base URL) using the test provider."""
    monkeypatch.setenv("WILLKOMMEN_OIDC__CLIENT_SECRET", oidc_provider.client_secret)

    def start(**overrides: Any) -> tuple[Any, str]:
        instance = make_sqlite_instance([], oidc=oidc_provider.settings(**overrides))
        return instance, live_server(instance, port=oidc_provider.app_port)

    return start


def _sign_in_at_provider(page: Any, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_role("link", name="Mit Testanbieter anmelden").click()
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_oidc_login_maps_the_role_and_logout_ends_both_sessions(
    oidc_server, local_page, assert_accessible
):
    page = local_page
    instance, base = oidc_server()
    page.goto(f"{base}/login")
    assert_accessible(page, "login page with the provider's button")
    _sign_in_at_provider(page, base, "ida")
    page.wait_for_url(f"{base}/")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert nav.get_by_role("link", name="Konten").is_visible()  # wk-admin -> admin
    assert nav.get_by_role("link", name="Passwort ändern").count() == 0
    page.get_by_role("button", name="Abmelden (ida)").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{base}/login")
    # Both sessions ended: the next login asks the provider's form again.
    page.get_by_role("link", name="Mit Testanbieter anmelden").click()
    assert page.get_by_label("Username").is_visible()
    assert accounts.get_account(instance.db, 1).role == "admin"  # type: ignore[union-attr]


def test_oidc_login_without_a_role_claim_is_refused(oidc_server, local_page):
    page = local_page
    _instance, base = oidc_server()
    _sign_in_at_provider(page, base, "rolf")
    page.wait_for_url(re.compile(r"/login/oidc/callback"))
    alert = page.get_by_role("alert")
    assert "hat keine Rolle für dieses Werkzeug" in alert.inner_text()
    page.goto(f"{base}/plan/")  # a staff page: "/" is the customers' start page
    assert urlsplit(page.url).path == "/login"


def test_oidc_login_to_a_disabled_local_account_is_refused(oidc_server, local_page):
    page = local_page
    instance, base = oidc_server()
    dora = accounts.external_login(
        instance.db, subject="dora", username="dora", role="redaktion", create=True
    ).user
    accounts.set_active(instance.db, dora.id, False)
    _sign_in_at_provider(page, base, "dora")
    page.wait_for_url(re.compile(r"/login/oidc/callback"))
    assert "deaktiviert" in page.get_by_role("alert").inner_text()
    page.goto(f"{base}/plan/")  # a staff page: "/" is the customers' start page
    assert urlsplit(page.url).path == "/login"


def _password_login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def _enter_code(page: Any, code: str) -> None:
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Anmelden").click()


def _log_out(page: Any) -> None:
    page.get_by_role("button", name=re.compile(r"^Abmelden")).click()


def _enrol(page: Any) -> tuple[pyotp.TOTP, list[str]]:
    assert page.locator(".qr-code svg").is_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code aus der App").fill(totp.now())
    page.get_by_role("button", name="Zwei-Faktor-Anmeldung einrichten").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    return totp, codes


def test_totp_setup_then_login_with_a_code_a_wrong_code_and_a_recovery_code(
    make_sqlite_instance, live_server, local_page, assert_accessible
):
    page = local_page
    instance = make_sqlite_instance([])
    accounts.create_user(instance.db, "lea", "leitung", TEST_PASSWORD)
    base = live_server(instance)
    _password_login(page, base, "lea")
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="Zwei-Faktor-Anmeldung").click()
    assert_accessible(page, "two-factor setup with QR code")
    totp, codes = _enrol(page)
    assert_accessible(page, "recovery codes")
    _log_out(page)

    # Password, then a wrong code: refused with the message at the field.
    _password_login(page, base, "lea")
    page.wait_for_url(f"{base}/login/code")
    page.goto(f"{base}/plan/")  # skipping the second step opens nothing
    assert urlsplit(page.url).path == "/login"
    _password_login(page, base, "lea")
    _enter_code(page, "000000")
    assert "falsch" in page.locator("#f-code-error").inner_text()
    assert_accessible(page, "second step with a wrong code")
    assert page.get_by_label("Code").get_attribute("aria-invalid") == "true"
    # The next step's code (the setup used this one): logged in.
    _enter_code(page, totp.at(time.time() + 30))
    page.wait_for_url(f"{base}/")
    _log_out(page)

    # A recovery code works once.
    _password_login(page, base, "lea")
    _enter_code(page, codes[0])
    page.wait_for_url(re.compile(r"/-/konto/zwei-faktor\?recovery=1"))
    assert "Noch übrig: 9" in page.get_by_role("status").inner_text()
    _log_out(page)
    _password_login(page, base, "lea")
    _enter_code(page, codes[0])
    assert "schon verwendet" in page.locator("#f-code-error").inner_text()


def test_a_required_role_sets_up_two_factor_at_its_next_login(
    make_sqlite_instance, live_server, local_page
):
    page = local_page
    instance = make_sqlite_instance([], web={"require_two_factor_for": ["admin", "leitung"]})
    accounts.create_user(instance.db, "chefin", "leitung", TEST_PASSWORD)
    base = live_server(instance)
    _password_login(page, base, "chefin")
    page.wait_for_url(f"{base}/-/konto/zwei-faktor")
    assert "vorgeschrieben" in page.get_by_role("status").inner_text()
    page.goto(f"{base}/plan/")
    assert urlsplit(page.url).path == "/-/konto/zwei-faktor"
    totp, _codes = _enrol(page)
    page.get_by_role("link", name="Zur Startseite").click()
    page.wait_for_url(f"{base}/")
    _log_out(page)
    _password_login(page, base, "chefin")
    _enter_code(page, totp.at(time.time() + 30))
    page.wait_for_url(f"{base}/")
