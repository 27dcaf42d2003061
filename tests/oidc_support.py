"""A real OpenID provider for the tests, and a person logging in at it.

The provider is the npm package ``oidc-provider`` (pinned by
``tests/oidc/package-lock.json``), run by the machine's Node.js with the
small script ``tests/oidc/provider.mjs``. It is installed once into a cache
folder with ``npm ci``. Without Node.js the tests that need it skip with the
reason, except under ``CI=true``, where they fail, as the PostgreSQL and
Chromium fixtures do.

The provider signs with an RSA key made here, so attacker tests can sign ID
tokens with the provider's real key and change one claim at a time.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey
from npm_support import npm_ci, skip_or_fail

HERE = Path(__file__).parent / "oidc"
CLIENT_ID = "willkommen"
TEST_SERVER = "https://testserver"
"""Where the Starlette TestClient's app lives (its callback is registered too)."""
PASSWORD = "anbieter-passwort"

ACCOUNTS: dict[str, dict[str, Any]] = {
    # login name at the provider -> claims
    "anna": {"preferred_username": "anna", "name": "Anna Amt", "roles": ["wk-leitung"]},
    "ida": {"preferred_username": "ida", "name": "Ida IT", "roles": ["wk-admin", "staff"]},
    "rolf": {"preferred_username": "rolf", "name": "Rolf Rollenlos", "roles": ["staff"]},
    "dora": {"preferred_username": "dora", "name": "Dora Deaktiviert", "roles": ["wk-redaktion"]},
    "emil": {"preferred_username": "emil", "name": "Emil Einzeln", "roles": "wk-redaktion"},
    "root": {"preferred_username": "admin", "name": "Namensgleich", "roles": ["wk-admin"]},
}
ROLE_MAP = {"wk-admin": "admin", "wk-leitung": "leitung", "wk-redaktion": "redaktion"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        skip_or_fail("no Node.js/npm found (apt-get install nodejs npm): the OIDC tests need them")
    return node


def install_provider() -> Path:
    """The folder with ``node_modules/oidc-provider`` as the lock file pins it."""
    return npm_ci(HERE, "oidc-provider", "node_modules/oidc-provider/package.json")


@dataclass
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str
    app_port: int
    """The port a browser test serves the app on (its callback is registered)."""
    key: RSAKey
    """The provider's signing key (private): for attacker tests."""
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def app_base(self) -> str:
        return f"http://localhost:{self.app_port}"

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """``[oidc]`` of an instance using this provider (as keyword arguments)."""
        section: dict[str, Any] = {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "display_name": "Testanbieter",
            "scopes": ["openid", "profile", "roles"],
            "roles_claim": "roles",
            "role_map": dict(ROLE_MAP),
        }
        section.update(overrides)
        return section

    def env(self) -> str:
        """The ``.env`` line with the client secret."""
        return f"WILLKOMMEN_OIDC__CLIENT_SECRET={self.client_secret}\n"


def start_provider(tmp: Path) -> Iterator[OidcProvider]:
    node = node_or_skip()
    folder = install_provider()
    shutil.copy(HERE / "provider.mjs", folder / "provider.mjs")
    port, app_port = _free_port(), _free_port()
    issuer = f"http://127.0.0.1:{port}"
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = RSAKey.import_key(private, {"kid": "test-key", "use": "sig", "alg": "RS256"})
    secret = secrets.token_urlsafe(32)
    app_base = f"http://localhost:{app_port}"
    config = {
        "issuer": issuer,
        "port": port,
        "jwks": {"keys": [key.as_dict(private=True)]},
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": secret,
                "redirect_uris": [
                    f"{app_base}/login/oidc/callback",
                    f"{TEST_SERVER}/login/oidc/callback",
                ],
                "post_logout_redirect_uris": [f"{app_base}/login", f"{TEST_SERVER}/login"],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            }
        ],
        "accounts": {
            login: {"password": PASSWORD, "claims": claims} for login, claims in ACCOUNTS.items()
        },
    }
    config_file = tmp / "oidc-provider.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    log = (tmp / "oidc-provider.log").open("w")
    process = subprocess.Popen(
        [node, str(folder / "provider.mjs"), str(config_file)],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NODE_ENV": "test"},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(
                    "the OpenID provider stopped: " + (tmp / "oidc-provider.log").read_text()
                )
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the OpenID provider did not start within 30 s")
            time.sleep(0.1)
        yield OidcProvider(issuer, CLIENT_ID, secret, app_port, key, ACCOUNTS)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


_FORM = re.compile(r'<form[^>]*method="post"[^>]*>', re.I)


def provider_login(client: Any, login: str, password: str = PASSWORD) -> Any:
    """Log in through the provider as a person would, with the Starlette ``client``.

    The app's redirects go to the real provider (followed with httpx, which
    keeps the provider's cookies); the provider's redirect back to the app is
    followed with ``client``. Returns the app's answer to the callback.
    """
    start = client.get("/login/oidc", follow_redirects=False)
    assert start.status_code in (302, 303), start.text
    with httpx.Client() as browser:
        url = start.headers["location"]
        response = browser.get(url)
        while response.is_redirect:
            url = urljoin(url, response.headers["location"])
            response = browser.get(url)
        assert _FORM.search(response.text), response.text
        response = browser.post(str(response.url), data={"login": login, "password": password})
        url = str(response.url)
        while response.is_redirect:
            url = urljoin(url, response.headers["location"])
            if url.startswith(TEST_SERVER):
                parts = urlsplit(url)
                return client.get(f"{parts.path}?{parts.query}", follow_redirects=False)
            response = browser.get(url)
    raise AssertionError(f"the provider did not send the browser back: {unescape(response.text)}")
