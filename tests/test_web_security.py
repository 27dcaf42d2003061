"""Web security: access, CSRF, sessions, throttling, headers, tokens, the API document.

Specification (issue 2, "Web shell" security and "Done when": login, roles,
CSRF and tokens are enforced on every admin route; a test walks all routes).
The walk covers an app with every built-in plugin and the third-party test
plugin ``hallo`` enabled. Every route must be a :class:`Page` or an
:class:`ApiRoute` (which declare their access) or a static-file mount, so a
new route cannot slip past access control.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from willkommen_core import accounts
from willkommen_core.cli import cli
from willkommen_core.domain import ROLES
from willkommen_core.plugins import OWN_DISTRIBUTION
from willkommen_core.storage.tables import api_tokens, users
from willkommen_core.testing import login
from willkommen_core.testing.instance import TEST_PASSWORD, csrf_from
from willkommen_core.web.api import ApiRoute
from willkommen_core.web.routing import CSRF_HEADER, Page

STAFF_PAGE = "/-/konto/passwort"
"""A page only a logged-in person sees (``/`` is the customers' start page for others)."""

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
CSRF_MESSAGE = "CSRF-Schutz"
BUILTINS = sorted(
    ep.name
    for ep in entry_points(group="willkommen")
    if ep.dist is not None and ep.dist.name == OWN_DISTRIBUTION
)


@dataclass(frozen=True)
class Endpoint:
    """One method of one route, with its path parameters filled in."""

    url: str
    method: str
    route: Page | ApiRoute
    template: str

    @property
    def is_api(self) -> bool:
        return isinstance(self.route, ApiRoute)

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


def walk(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, BaseRoute]]:
    for route in routes:
        if isinstance(route, Mount) and not isinstance(route.app, StaticFiles):
            yield from walk(route.routes, prefix + route.path)
        else:
            yield prefix, route


def endpoints(app: Any) -> list[Endpoint]:
    found = []
    for prefix, route in walk(app.routes):
        if isinstance(route, Page | ApiRoute):
            params = dict.fromkeys(route.param_convertors, "1")
            url = prefix + route.path_format.format(**params)
            template = prefix + route.path_format
            found += [
                Endpoint(url, m, route, template)
                for m in sorted(route.methods or ())
                if m != "HEAD"
            ]
    return found


def send(client: Any, endpoint: Endpoint, **kwargs: Any) -> Any:
    return client.request(endpoint.method, endpoint.url, follow_redirects=False, **kwargs)


def run(*args: Any, **kwargs: Any) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], **kwargs)
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def instance(hallo_distribution, make_sqlite_instance):
    """An instance with every built-in plugin and the test plugin enabled."""
    inst = make_sqlite_instance([*BUILTINS, "hallo"])
    assert inst.plugins.enabled == [*BUILTINS, "hallo"], inst.plugins.failures
    return inst


@pytest.fixture
def client_for(instance, make_client):
    """``client_for(role)``: a client logged in with ``role`` (``None``: anonymous)
    and the session's CSRF token."""

    def make(role: str | None) -> tuple[Any, str]:
        client = make_client(instance, raise_server_exceptions=False)
        if role is None:
            return client, ""
        login(client, instance, role)
        return client, csrf_from(client.get("/").text)

    return make


@pytest.fixture
def app_endpoints(instance, make_client) -> list[Endpoint]:
    found = endpoints(make_client(instance).app)
    urls = {e.url for e in found}
    # The walk sees the core, the built-ins and the test plugin.
    assert {"/", "/login", "/-/plugins", "/hallo/", "/api/v1/hallo/greetings"} <= urls
    for name in BUILTINS:
        assert any(u.startswith((f"/{name}/", f"/api/v1/{name}/")) for u in urls), name
    return found


# -- every route declares its access -------------------------------------------------


def test_every_route_is_a_page_an_api_route_or_static_files(instance, make_client):
    app = make_client(instance).app
    others = [
        f"{prefix}{getattr(route, 'path', '?')} ({type(route).__name__})"
        for prefix, route in walk(app.routes)
        if not isinstance(route, Page | ApiRoute)
        and not (isinstance(route, Mount) and isinstance(route.app, StaticFiles))
    ]
    assert others == [], "routes without declared access"


def test_anonymous_users_are_sent_to_login_or_refused(app_endpoints, client_for):
    client, _ = client_for(None)
    wrong = []
    for endpoint in app_endpoints:
        if endpoint.route.public:
            continue
        response = send(client, endpoint)
        if endpoint.is_api:
            ok = response.status_code == 401 and "error" in response.json()
        elif endpoint.method == "GET":
            ok = response.status_code == 303 and response.headers["location"].startswith(
                "/login?next="
            )
        else:
            ok = response.status_code == 401
        if not ok:
            wrong.append(f"{endpoint}: {response.status_code}")
    assert wrong == []


def test_roles_not_named_by_a_route_are_refused(app_endpoints, client_for):
    wrong = []
    for role in ROLES:
        if role == "admin":
            continue
        client, csrf = client_for(role)
        for endpoint in app_endpoints:
            route = endpoint.route
            if route.public or route.roles is None or role in route.roles:
                continue
            # With a valid CSRF token: only the role can be the reason to refuse.
            response = send(client, endpoint, headers={CSRF_HEADER: csrf})
            if response.status_code != 403 or CSRF_MESSAGE in response.text:
                wrong.append(f"{role}: {endpoint}: {response.status_code}")
    assert wrong == []


def test_admin_passes_every_access_check_but_exclusive_pages(app_endpoints, client_for):
    """``admin`` may use every staff page except those declared ``exclusive``
    (separation of duties: e.g. the one-time code sheets of the self-assessment)."""
    wrong = []
    client, csrf = client_for("admin")
    exclusive = [e for e in app_endpoints if getattr(e.route, "exclusive", False)]
    assert exclusive, "the walk found the exclusive code-sheet pages"
    for endpoint in app_endpoints:
        if endpoint.method in UNSAFE:
            client, csrf = client_for("admin")  # logout, for one, ends the session
        response = send(client, endpoint, headers={CSRF_HEADER: csrf})
        if endpoint in exclusive:
            if response.status_code != 403 or CSRF_MESSAGE in response.text:
                wrong.append(f"exclusive {endpoint}: {response.status_code}")
        elif response.status_code in (401, 403) or response.status_code >= 500:
            wrong.append(f"{endpoint}: {response.status_code}")
    assert wrong == []


def test_every_state_changing_page_request_needs_a_valid_csrf_token(app_endpoints, client_for):
    unsafe = [e for e in app_endpoints if not e.is_api and e.method in UNSAFE]
    assert unsafe, "the walk found forms"
    wrong = []
    exclusive_roles = {
        r for e in unsafe if getattr(e.route, "exclusive", False) for r in e.route.roles
    }
    for role in (None, "admin", *sorted(exclusive_roles)):
        client, _csrf = client_for(role)
        for endpoint in unsafe:
            if role is None and not endpoint.route.public:
                continue  # anonymous: refused before CSRF (see above)
            if getattr(endpoint.route, "exclusive", False) != (role in exclusive_roles):
                continue  # an exclusive page: tried with its own role, admin is refused
            for headers, data in (({}, {}), ({CSRF_HEADER: "falsch"}, {"csrf_token": "falsch"})):
                response = send(client, endpoint, headers=headers, data=data)
                if response.status_code != 403 or CSRF_MESSAGE not in response.text:
                    wrong.append(f"{role}: {endpoint} {headers}: {response.status_code}")
    assert wrong == []


def test_api_routes_need_a_token_of_the_right_role_or_a_session_with_csrf_header(
    app_endpoints, client_for, instance
):
    api = [e for e in app_endpoints if e.is_api and not e.route.public]
    assert api, "the walk found API routes"
    anonymous, _ = client_for(None)
    wrong = []
    for endpoint in api:
        response = send(anonymous, endpoint, headers={"authorization": "Bearer wk_unbekannt"})
        if response.status_code != 401 or "error" not in response.json():
            wrong.append(f"unknown token: {endpoint}: {response.status_code}")
        for role in ROLES:
            token = accounts.create_token(instance.db, f"{role}-{endpoint}", role)
            response = send(anonymous, endpoint, headers={"authorization": f"Bearer {token}"})
            allowed = (
                role == "admin" or endpoint.route.roles is None or role in endpoint.route.roles
            )
            if allowed != (response.status_code not in (401, 403)):
                wrong.append(f"token {role}: {endpoint}: {response.status_code}")
            if not allowed and "error" not in response.json():
                wrong.append(f"token {role}: {endpoint}: not a JSON error")
        if endpoint.method in UNSAFE:
            client, csrf = client_for("admin")
            response = send(client, endpoint, json={})
            if response.status_code != 403 or "CSRF" not in response.json()["error"]:
                wrong.append(f"session without CSRF header: {endpoint}: {response.status_code}")
            response = send(client, endpoint, json={}, headers={CSRF_HEADER: csrf})
            if response.status_code in (401, 403):
                wrong.append(f"session with CSRF header: {endpoint}: {response.status_code}")
    assert wrong == []


# -- sessions ------------------------------------------------------------------------

SESSION = "willkommen_session"


def test_login_rotates_the_session_cookie(client_for, make_client, instance):
    client, _ = client_for(None)
    client.get("/login")
    before = client.cookies.get(SESSION)
    assert before, "the login form starts a session (for its CSRF token)"
    login(client, instance, "leitung")
    after = client.cookies.get(SESSION)
    assert after and after != before
    assert client.get("/", follow_redirects=False).status_code == 200

    # A cookie captured before the login (session fixation) does not carry it.
    attacker = make_client(instance)
    attacker.cookies.set(SESSION, before)
    assert attacker.get(STAFF_PAGE, follow_redirects=False).status_code == 303


def test_logout_clears_the_session(client_for):
    client, csrf = client_for("leitung")
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert SESSION not in client.cookies or not client.cookies.get(SESSION)
    assert client.get(STAFF_PAGE, follow_redirects=False).status_code == 303


def test_changing_the_password_ends_existing_sessions(client_for, instance):
    client, _ = client_for("redaktion")
    assert client.get(STAFF_PAGE, follow_redirects=False).status_code == 200
    accounts.set_password(instance.db, "redaktion-user", "ein-ganz-neues-passwort")
    response = client.get(STAFF_PAGE, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def _attempt(client: Any, username: str, password: str) -> int:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    ).status_code


def test_login_is_throttled_after_the_configured_failures(
    hallo_distribution, make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["hallo"], web={"login_max_failures": 3})
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    client = make_client(instance)
    assert [_attempt(client, "anna", "falsch") for _ in range(3)] == [400, 400, 400]
    # Now even the right password is refused, with the reason.
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "ANNA", "password": TEST_PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in response.text
    assert client.get(STAFF_PAGE, follow_redirects=False).status_code == 303  # not logged in


def test_a_successful_login_resets_the_failure_count(
    hallo_distribution, make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["hallo"], web={"login_max_failures": 3})
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    for _ in range(3):
        client = make_client(instance)
        assert [_attempt(client, "anna", "falsch") for _ in range(2)] == [400, 400]
        assert _attempt(client, "anna", TEST_PASSWORD) == 303


# -- headers and cookies -------------------------------------------------------------


def _csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_security_headers_are_on_every_response(app_endpoints, client_for):
    anonymous, _ = client_for(None)
    admin, _ = client_for("admin")
    responses = {
        "static": anonymous.get("/static/willkommen.css"),
        "404": anonymous.get("/gibt-es-nicht"),
        "api 404": anonymous.get("/api/v1/gibt-es-nicht"),
        "login error": anonymous.post("/login", data={}),
    }
    for endpoint in app_endpoints:
        if endpoint.method == "GET":
            responses[f"anonymous {endpoint}"] = send(anonymous, endpoint)
            responses[f"admin {endpoint}"] = send(admin, endpoint)
    wrong = []
    for what, response in responses.items():
        headers = response.headers
        csp = _csp(headers.get("content-security-policy", ""))
        script_src = csp.get("script-src", csp.get("default-src", []))
        problems = [
            "csp script-src" if not script_src or "'unsafe-inline'" in script_src else "",
            "csp frame-ancestors" if csp.get("frame-ancestors") != ["'none'"] else "",
            "nosniff" if headers.get("x-content-type-options") != "nosniff" else "",
            "referrer"
            if headers.get("referrer-policy") not in ("same-origin", "no-referrer")
            else "",
        ]
        if any(problems):
            wrong.append(f"{what}: {[p for p in problems if p]}")
    assert wrong == []


def test_session_cookie_is_httponly_secure_and_samesite_lax(instance, make_client):
    client = make_client(instance)
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "anna", "password": TEST_PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite=lax"} <= flags


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_never_redirects_to_another_site(instance, make_client, target):
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    client = make_client(instance)
    page = client.get("/login", params={"next": target})
    assert 'name="next" value="/"' in page.text
    response = client.post(
        "/login",
        data={
            "username": "anna",
            "password": TEST_PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": target,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_login_returns_to_a_local_page(instance, make_client):
    client = make_client(instance)
    response = client.get("/hallo/", follow_redirects=False)
    assert response.headers["location"] == "/login?next=/hallo/"
    accounts.create_user(instance.db, "anna", "leitung", TEST_PASSWORD)
    page = client.get(response.headers["location"])
    response = client.post(
        "/login",
        data={
            "username": "anna",
            "password": TEST_PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "/hallo/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/hallo/"


# -- tokens and accounts on the command line -----------------------------------------


def test_token_create_prints_a_bearer_token_stored_only_as_its_hash(instance, make_client):
    result = run("--instance", instance.root, "token", "create", "skript", "--role", "leitung")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    client = make_client(instance)
    bearer = {"authorization": f"Bearer {token}"}
    assert client.get("/api/v1/hallo/greetings", headers=bearer).status_code == 200
    # leitung may not add greetings (redaktion only)
    response = client.post("/api/v1/hallo/greetings", headers=bearer, json={"text": "x"})
    assert response.status_code == 403

    with instance.db.read() as s:
        rows = [dict(r._mapping) for r in s.execute(select(api_tokens))]
    assert [r["token_hash"] for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert not any(token in str(value) for row in rows for value in row.values())

    result = run("--instance", instance.root, "token", "revoke", "skript")
    assert result.exit_code == 0
    assert client.get("/api/v1/hallo/greetings", headers=bearer).status_code == 401


def test_token_with_unknown_role_or_revoking_an_unknown_name_is_an_error(instance):
    result = run("--instance", instance.root, "token", "create", "skript", "--role", "chef")
    assert result.exit_code == 1
    assert (
        "unknown role 'chef' (known: admin, leitung, redaktion, vertrauensperson)" in result.output
    )
    result = run("--instance", instance.root, "token", "revoke", "gibtsnicht")
    assert result.exit_code == 1
    assert "no token named 'gibtsnicht'" in result.output


def test_admin_create_reads_the_password_from_stdin(instance, make_client):
    result = run(
        "--instance",
        instance.root,
        "admin",
        "create",
        "anna",
        "--role",
        "redaktion",
        "--password-stdin",
        input="ein-langes-passwort\n",
    )
    assert result.exit_code == 0, result.output
    assert "created account anna (redaktion)" in result.output
    client = make_client(instance)
    assert _attempt(client, "anna", "ein-langes-passwort") == 303


@pytest.mark.parametrize(
    ("role", "password", "message"),
    [
        ("redaktion", "kurz\n", "password must have at least 12 characters"),
        (
            "chef",
            "ein-langes-passwort\n",
            "unknown role 'chef' (known: admin, leitung, redaktion, vertrauensperson)",
        ),
    ],
)
def test_admin_create_refuses_weak_passwords_and_unknown_roles(instance, role, password, message):
    result = run(
        "--instance",
        instance.root,
        "admin",
        "create",
        "anna",
        "--role",
        role,
        "--password-stdin",
        input=password,
    )
    assert result.exit_code == 1
    assert message in result.output
    with instance.db.read() as s:
        assert s.execute(select(users.c.id).where(users.c.username == "anna")).first() is None


# -- the API document ----------------------------------------------------------------


def test_openapi_document_is_valid_and_lists_every_api_route(app_endpoints, client_for):
    from openapi_spec_validator import validate

    client, _ = client_for(None)
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    listed = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    routes = {(e.template, e.method) for e in app_endpoints if e.is_api}
    assert listed == routes
    assert ("/api/v1/hallo/greetings", "POST") in listed
    assert ("/api/v1/hallo/greetings/{greeting_id}", "GET") in listed
