"""Login through an OpenID Connect provider, against a real one (npm ``oidc-provider``).

Issue 12: "login through the state's or the municipality's identity provider
over OpenID Connect ... roles mapped from claims in willkommen.toml. Test OIDC
against a real OpenID provider started by the tests ... never a mock of the
protocol." Attacked first: forged ID tokens (signature, audience, nonce,
expiry, issuer, algorithm), a callback without the login it belongs to, a
disabled account, a provider's name that is a local password account's.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from oidc_support import TEST_SERVER, provider_login
from sqlalchemy import select

from willkommen_core import accounts
from willkommen_core.oidc import OidcClient, OidcError
from willkommen_core.storage.tables import users
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from


@pytest.fixture
def oidc_instance(oidc_provider, make_instance, monkeypatch):
    """``oidc_instance(**oidc_overrides)``: an instance whose ``[oidc]`` is the test provider."""
    monkeypatch.setenv("WILLKOMMEN_OIDC__CLIENT_SECRET", oidc_provider.client_secret)

    def make(**overrides: Any) -> Any:
        return make_instance([], oidc=oidc_provider.settings(**overrides))

    return make


def _row(instance: Any, username: str) -> Any:
    with instance.db.read() as s:
        return s.execute(select(users).where(users.c.username == username)).one()


# -- the flow --------------------------------------------------------------------------


def test_login_maps_the_role_and_creates_a_local_account(oidc_instance, make_client):
    instance = oidc_instance()
    client = make_client(instance)
    login_page = client.get("/login")
    assert "Mit Testanbieter anmelden" in login_page.text
    done = provider_login(client, "anna")
    assert done.status_code == 303 and done.headers["location"] == "/"
    home = client.get("/")
    assert "Abmelden (anna)" in home.text
    assert "Konten" not in home.text  # leitung, not admin
    row = _row(instance, "anna")
    assert row.role == "leitung" and row.oidc_subject == "anna" and row.password_hash == ""
    # No password to change; the password login never opens this account.
    assert "Passwort ändern" not in home.text
    assert accounts.authenticate(instance.db, "anna", "") is None


def test_the_highest_mapped_role_counts_and_a_single_string_claim_works(oidc_instance, make_client):
    instance = oidc_instance()
    client = make_client(instance)
    provider_login(client, "ida")  # ["wk-admin", "staff"]
    assert "Konten" in client.get("/").text
    other = make_client(instance)
    assert provider_login(other, "emil").status_code == 303  # "wk-redaktion", not a list
    assert _row(instance, "emil").role == "redaktion"


def test_the_authorization_request_uses_pkce_state_and_nonce(oidc_instance, make_client):
    client = make_client(oidc_instance())
    start = client.get("/login/oidc?next=/plan/", follow_redirects=False)
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == [f"{TEST_SERVER}/login/oidc/callback"]
    assert query["response_type"] == ["code"]


def test_logout_ends_the_local_session_and_the_one_at_the_provider(oidc_instance, make_client):
    client = make_client(oidc_instance())
    provider_login(client, "anna")
    csrf = csrf_from(client.get("/").text)
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    target = urlsplit(out.headers["location"])
    assert target.path == "/session/end"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == [f"{TEST_SERVER}/login"]
    assert query["id_token_hint"][0].count(".") == 2
    assert (
        client.get("/-/konto/passwort", follow_redirects=False)
        .headers["location"]
        .startswith("/login")
    )


def test_forms_may_lead_to_this_site_and_the_providers_origin_only(oidc_instance, make_client):
    client = make_client(oidc_instance())
    csp = client.get("/login").headers["content-security-policy"]
    issuer = client.app.state.instance.settings.oidc.issuer
    assert f"form-action 'self' {issuer};" in csp  # logout redirects there


# -- refused ---------------------------------------------------------------------------


def test_no_role_in_the_claims_is_refused_with_a_clear_page(oidc_instance, make_client):
    instance = oidc_instance()
    client = make_client(instance)
    refused = provider_login(client, "rolf")
    assert refused.status_code == 403
    assert "keine Rolle" in refused.text and "Testanbieter" in refused.text
    assert client.get("/-/konto/passwort", follow_redirects=False).status_code == 303
    with instance.db.read() as s:
        assert s.execute(select(users).where(users.c.username == "rolf")).first() is None


def test_a_disabled_account_stays_disabled_whatever_the_provider_says(oidc_instance, make_client):
    instance = oidc_instance()
    first = make_client(instance)
    provider_login(first, "dora")
    accounts.set_active(instance.db, _row(instance, "dora").id, False)
    assert (
        first.get("/-/konto/passwort", follow_redirects=False).status_code == 303
    )  # session ended
    again = make_client(instance)
    refused = provider_login(again, "dora")
    assert refused.status_code == 403 and "deaktiviert" in refused.text
    assert again.get("/-/konto/passwort", follow_redirects=False).status_code == 303
    assert _row(instance, "dora").active is False


def test_a_provider_name_never_takes_over_a_password_account(oidc_instance, make_client):
    instance = oidc_instance()
    admin = make_client(instance)
    login(admin, instance, "admin", username="admin")
    client = make_client(instance)
    refused = provider_login(client, "root")  # preferred_username "admin"
    assert refused.status_code == 403 and "anders anmeldet" in refused.text
    assert _row(instance, "admin").oidc_subject is None


def test_without_account_creation_an_admin_creates_the_account_first(oidc_instance, make_client):
    instance = oidc_instance(create_accounts=False)
    client = make_client(instance)
    refused = provider_login(client, "anna")
    assert refused.status_code == 403 and "kein Konto" in refused.text
    admin = make_client(instance)
    login(admin, instance, "admin")
    page = admin.get("/-/admin/accounts")
    assert "über Testanbieter" in page.text
    created = admin.post(
        "/-/admin/accounts",
        data={
            "username": "anna",
            "role": "redaktion",
            "login": "oidc",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert created.status_code == 200 and "kein Passwort" in created.text
    assert provider_login(client, "anna").status_code == 303
    row = _row(instance, "anna")
    assert row.oidc_subject == "anna" and row.role == "leitung"  # the provider's role


def test_a_callback_without_its_login_is_refused(oidc_instance, make_client):
    instance = oidc_instance()
    client = make_client(instance, raise_server_exceptions=False)
    for query in ("", "?code=abc&state=xyz", "?error=access_denied&state=xyz"):
        response = client.get(f"/login/oidc/callback{query}", follow_redirects=False)
        assert response.status_code == 400 and "abgelaufen" in response.text, query
    # A state from another browser's login does not fit this browser's session.
    victim = make_client(instance)
    start = victim.get("/login/oidc", follow_redirects=False)
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    attacker = client.get(f"/login/oidc/callback?code=abc&state={state}")
    assert attacker.status_code == 400


def test_an_unreachable_provider_is_a_message_not_a_500(
    oidc_provider, make_sqlite_instance, make_client, monkeypatch
):
    monkeypatch.setenv("WILLKOMMEN_OIDC__CLIENT_SECRET", "x")
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    instance = make_sqlite_instance(
        [], oidc=oidc_provider.settings(issuer=f"http://127.0.0.1:{closed}")
    )
    client = make_client(instance, raise_server_exceptions=False)
    response = client.get("/login/oidc")
    assert response.status_code == 502 and "nicht erreichbar" in response.text


def test_without_oidc_settings_there_is_no_button_and_no_route(make_sqlite_instance, make_client):
    client = make_client(make_sqlite_instance([]))
    assert "oidc-login" not in client.get("/login").text
    assert client.get("/login/oidc").status_code == 404


# -- forged ID tokens -----------------------------------------------------------------


def _claims(provider: Any, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "sub": "anna",
        "aud": provider.client_id,
        "iat": now,
        "exp": now + 300,
        "nonce": "the-nonce",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _verify(provider: Any, token: str, nonce: str = "the-nonce") -> dict[str, Any]:
    from willkommen_core.settings import OidcSection

    section = OidcSection(**provider.settings(), client_secret=provider.client_secret)
    return asyncio.run(OidcClient(section).verify(token, nonce))


def test_a_genuine_id_token_verifies(oidc_provider):
    header = {"alg": "RS256", "kid": "test-key"}
    token = jwt.encode(header, _claims(oidc_provider), oidc_provider.key)
    assert _verify(oidc_provider, token)["sub"] == "anna"


@pytest.mark.parametrize(
    ("forgery", "why"),
    [
        ("other key", "kid"),
        ("other key, same kid", "bad_signature"),
        ("wrong audience", "'aud'"),
        ("several audiences", "azp"),
        ("wrong issuer", "'iss'"),
        ("wrong nonce", "'nonce'"),
        ("no nonce", "'nonce'"),
        ("expired", "expired"),
        ("no exp", "'exp'"),
        ("hmac with the client secret", "HS256"),
        ("alg none", "none"),
    ],
)
def test_a_forged_id_token_is_refused(oidc_provider, forgery, why):
    header = {"alg": "RS256", "kid": "test-key"}
    key: Any = oidc_provider.key
    claims = _claims(oidc_provider)
    if forgery.startswith("other key"):
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        kid = "test-key" if "same kid" in forgery else "attacker"
        key = RSAKey.import_key(other, {"kid": kid})
        header["kid"] = kid
    elif forgery == "wrong audience":
        claims["aud"] = "another-client"
    elif forgery == "several audiences":
        claims["aud"] = [oidc_provider.client_id, "another-client"]
        claims["azp"] = "another-client"
    elif forgery == "wrong issuer":
        claims["iss"] = "https://attacker.example"
    elif forgery == "wrong nonce":
        claims["nonce"] = "replayed-from-another-login"
    elif forgery == "no nonce":
        del claims["nonce"]
    elif forgery == "expired":
        claims["iat"], claims["exp"] = int(time.time()) - 3600, int(time.time()) - 600
    elif forgery == "no exp":
        del claims["exp"]
    elif forgery == "hmac with the client secret":
        header = {"alg": "HS256"}
        key = OctKey.import_key(oidc_provider.client_secret)
    if forgery == "alg none":
        import base64
        import json

        def b64(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

        token = f"{b64({'alg': 'none'})}.{b64(claims)}."
    else:
        token = jwt.encode(header, claims, key, algorithms=[header["alg"]])
    with pytest.raises(OidcError) as caught:
        _verify(oidc_provider, token)
    assert caught.value.reason == "id_token" and why in caught.value.detail


# -- settings ----------------------------------------------------------------------------

OIDC_OK = {
    "issuer": "https://login.example.de/realms/behoerde",
    "client_id": "willkommen",
    "role_map": {"wk-it": "admin"},
}


@pytest.mark.parametrize(
    ("settings", "env", "key", "message"),
    [
        ({"web": {"require_two_factor_for": ["chef"]}}, "", "web.require_two_factor_for", "chef"),
        (
            {"web": {"require_two_factor_for": ["admin", "admin"]}},
            "",
            "web.require_two_factor_for",
            "twice",
        ),
        (
            {"oidc": {**OIDC_OK, "issuer": "http://login.example.de"}},
            "s",
            "oidc.issuer",
            "https://",
        ),
        ({"oidc": {**OIDC_OK, "role_map": {"wk-it": "chef"}}}, "s", "oidc.role_map", "chef"),
        ({"oidc": {**OIDC_OK, "role_map": {}}}, "s", "oidc.role_map", "at least 1"),
        ({"oidc": {**OIDC_OK, "scopes": ["profile"]}}, "s", "oidc.scopes", "openid"),
        ({"oidc": OIDC_OK}, "", "oidc.client_secret", "WILLKOMMEN_OIDC__CLIENT_SECRET"),
        ({"oidc": {**OIDC_OK, "client_secret": "geheim"}}, "s", "oidc.client_secret", ".env"),
        ({"oidc": {**OIDC_OK, "clientid": "x"}}, "s", "oidc.clientid", "unknown key"),
    ],
)
def test_invalid_settings_name_the_field(tmp_path, monkeypatch, settings, env, key, message):
    from willkommen_core.instance import Instance
    from willkommen_core.testing.instance import write_instance

    monkeypatch.delenv("WILLKOMMEN_OIDC__CLIENT_SECRET", raising=False)
    root = write_instance(tmp_path / "inst", plugins=[], **settings)
    if env:
        with (root / ".env").open("a", encoding="utf-8") as f:
            f.write(f"WILLKOMMEN_OIDC__CLIENT_SECRET={env}\n")
    problems = Instance(root).problems
    assert any(p.key == key and message in p.reason for p in problems), problems
