"""A state host that scales out (issue 15): two `willkommen serve --instances` processes
on different ports over the same PostgreSQL databases answer alike, whichever a
load balancer picks. Requests alternate between them; every shared thing (sessions,
login throttling, one-time codes, round state, settings) lives in the databases.
And one process holds only the instances in use: loaded at their first request,
unloaded when idle or when too many are loaded."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from willkommen_core import accounts, two_factor
from willkommen_core.instance import Instance
from willkommen_core.rollout import register
from willkommen_core.rollout.run import rollout
from willkommen_core.testing.fixtures import _require_postgres
from willkommen_core.testing.instance import TEST_PASSWORD, csrf_from, postgres_url

SERVER = make_url(postgres_url())
SLUGS = ("harz", "stendal")
# One database per authority ({slug} as in a register); the process id keeps two
# runs at the same time (tox environments in parallel) apart.
DATABASE = f"test_scaleout_{os.getpid()}_{{slug}}"

REGISTER = """
federal_state = "Sachsen-Anhalt"

[defaults]
modules = ["partner", "prozesse", "selbstcheck"]
database_url = "{url}"

[[authority]]
name = "Landkreis Harz"
type = "Landkreis"

[[authority.sites]]
name = "Kreisverwaltung"
street = "Friedrich-Ebert-Straße 42"
postcode = "38820"
city = "Halberstadt"

[[authority]]
name = "Landkreis Stendal"
type = "Landkreis"

[[authority.sites]]
name = "Kreisverwaltung"
street = "Hospitalstraße 1-2"
postcode = "39576"
city = "Stendal"
"""


def _admin_engine() -> Any:
    return create_engine(SERVER.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")


def _recreate_databases(drop_only: bool = False) -> None:
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            for slug in SLUGS:
                name = DATABASE.format(slug=slug)
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                if not drop_only:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        # Plain http on 127.0.0.1 in this test; production runs behind TLS.
        "WILLKOMMEN_WEB__SECURE_COOKIES": "false",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "willkommen_core",
            "serve",
            "--instances",
            str(folder),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_until_up(process: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"{base} did not come up")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    _require_postgres()
    _recreate_databases()
    base = tmp_path_factory.mktemp("scaleout")
    # {slug} in the register's database_url: one database per authority.
    url = SERVER.set(database="__db__").render_as_string(hide_password=False)
    url = url.replace("__db__", DATABASE)
    path = base / "land.toml"
    path.write_text(textwrap.dedent(REGISTER).format(url=url).lstrip(), encoding="utf-8")
    output = base / "out"
    result = rollout(register.load(path), output, migrate=True)
    assert [o.status for o in result.outcomes] == ["created", "created"], [
        o.reasons for o in result.outcomes
    ]
    for slug in SLUGS:
        instance = Instance.open(output / slug)
        assert instance.db.dialect == "postgresql"
        accounts.create_user(instance.db, f"leitung-{slug}", "leitung", TEST_PASSWORD)
        accounts.create_user(instance.db, f"admin-{slug}", "admin", TEST_PASSWORD)
        instance.db.dispose()
    try:
        yield output
    finally:
        _recreate_databases(drop_only=True)


@pytest.fixture(scope="module")
def servers(folder: Path) -> Iterator[tuple[str, str]]:
    """The two processes' base addresses (as a load balancer would see them)."""
    ports = (_free_port(), _free_port())
    processes = [_start(folder, port) for port in ports]
    try:
        bases = tuple(f"http://127.0.0.1:{port}" for port in ports)
        for process, base in zip(processes, bases, strict=True):
            _wait_until_up(process, base)
        yield bases[0], bases[1]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Browser:
    """One person's browser behind a load balancer: one cookie jar, and each
    request goes to the next process in turn (or to the one named)."""

    def __init__(self, bases: tuple[str, str], forwarded_for: str | None = None) -> None:
        headers = {"x-forwarded-for": forwarded_for} if forwarded_for else {}
        self.client = httpx.Client(follow_redirects=False, timeout=30, headers=headers)
        self.a, self.b = bases
        self._turns = cycle(bases)

    def close(self) -> None:
        self.client.close()

    def get(self, path: str, *, via: str | None = None, **kw: Any) -> httpx.Response:
        return self.client.get((via or next(self._turns)) + path, **kw)

    def post(self, path: str, *, via: str | None = None, **kw: Any) -> httpx.Response:
        return self.client.post((via or next(self._turns)) + path, **kw)

    def login(self, slug: str, username: str, password: str, *, form_via: str, send_via: str):
        page = self.get(f"/{slug}/login", via=form_via)
        assert page.status_code == 200, page.text
        return self.post(
            f"/{slug}/login",
            via=send_via,
            data={
                "username": username,
                "password": password,
                "csrf_token": csrf_from(page.text),
                "next": "/",
            },
        )


@pytest.fixture
def browser(servers: tuple[str, str]) -> Iterator[Browser]:
    b = Browser(servers)
    yield b
    b.close()


STAFF_PAGE = "/harz/-/konto/passwort"


@pytest.mark.postgres
def test_a_login_made_on_one_process_is_valid_on_the_other_and_a_logout_ends_it_on_both(
    browser: Browser,
) -> None:
    a, b = browser.a, browser.b
    assert browser.get(STAFF_PAGE, via=a).status_code == 303, "not logged in yet"
    done = browser.login("harz", "leitung-harz", TEST_PASSWORD, form_via=a, send_via=b)
    assert done.status_code == 303, done.text
    for via in (a, b, a, b):
        assert browser.get(STAFF_PAGE, via=via).status_code == 200
    page = browser.get(STAFF_PAGE, via=a)
    assert (
        browser.post("/harz/logout", via=b, data={"csrf_token": csrf_from(page.text)}).status_code
        == 303
    )
    for via in (a, b):
        assert browser.get(STAFF_PAGE, via=via).status_code == 303


@pytest.mark.postgres
def test_a_stolen_session_cookie_is_dead_on_both_after_logout(servers: tuple[str, str]) -> None:
    """Logging out deletes the server-side session: a copy of the cookie is refused by both."""
    a, b = servers
    person = Browser(servers)
    try:
        assert (
            person.login("harz", "leitung-harz", TEST_PASSWORD, form_via=a, send_via=a).status_code
            == 303
        )
        copy = dict(person.client.cookies.items())
        page = person.get(STAFF_PAGE, via=b)
        person.post("/harz/logout", via=a, data={"csrf_token": csrf_from(page.text)})
    finally:
        person.close()
    for via in (a, b):
        thief = httpx.Client(cookies=copy, follow_redirects=False)
        try:
            assert thief.get(via + STAFF_PAGE).status_code == 303
        finally:
            thief.close()


def _answers(base: str, slug: str, round_id: int, **credential: str) -> dict[str, Any]:
    q = httpx.get(
        f"{base}/{slug}/api/v1/selbstcheck/rounds/{round_id}/questionnaire", params=credential
    )
    assert q.status_code == 200, q.text
    items = [i["id"] for c in q.json()["cornerstones"] for i in c["items"]]
    return {"perspective": "mitarbeitende", "answers": dict.fromkeys(items, 4), **credential}


def _submit(base: str, slug: str, round_id: int, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{base}/{slug}/api/v1/selbstcheck/rounds/{round_id}/responses", json=body)


@pytest.mark.postgres
def test_a_round_closed_through_one_process_refuses_submissions_through_the_other_at_once(
    folder: Path, servers: tuple[str, str]
) -> None:
    from willkommen_plugins.selbstcheck import questionnaire as qmod
    from willkommen_plugins.selbstcheck import store

    a, b = servers
    instance = Instance.open(folder / "stendal")
    try:
        rid = store.create_round(instance.db, qmod.current(instance), title="Runde", mode="code")
        store.open_round(instance.db, rid, notice="Hinweis")
        code = store.get_round(instance.db, rid).code  # type: ignore[union-attr]
        token = accounts.create_token(instance.db, "skript", "leitung")
    finally:
        instance.db.dispose()
    body = _answers(b, "stendal", rid, code=code)
    # Both processes know the round as open (and may keep it in memory a moment) ...
    for via in (a, b):
        assert _submit(via, "stendal", rid, body).status_code == 201
    closed = httpx.post(
        f"{a}/stendal/api/v1/selbstcheck/rounds/{rid}/close",
        headers={"authorization": f"Bearer {token}"},
    )
    assert closed.status_code == 200, closed.text
    # ... yet the other refuses the very next submission.
    refused = _submit(b, "stendal", rid, body)
    assert refused.status_code == 409 and "closed" in refused.text
    assert _submit(a, "stendal", rid, body).status_code == 409


@pytest.mark.postgres
def test_a_one_time_code_used_on_one_process_is_refused_on_the_other(
    folder: Path, servers: tuple[str, str]
) -> None:
    from willkommen_plugins.selbstcheck import questionnaire as qmod
    from willkommen_plugins.selbstcheck import store

    a, b = servers
    instance = Instance.open(folder / "harz")
    try:
        rid = store.create_round(instance.db, qmod.current(instance), title="Codes", mode="tokens")
        store.open_round(instance.db, rid, notice="Hinweis", tokens_count=2)
        first, second = store.print_sheet(instance.db, rid)
    finally:
        instance.db.dispose()
    body = _answers(a, "harz", rid, token=first)
    assert _submit(a, "harz", rid, body).status_code == 201
    again = _submit(b, "harz", rid, body)
    assert again.status_code == 409 and "already been used" in again.text
    assert _submit(b, "harz", rid, {**body, "token": second}).status_code == 201
    assert _submit(a, "harz", rid, {**body, "token": second}).status_code == 409


@pytest.mark.postgres
def test_a_recovery_code_used_on_one_process_is_refused_on_the_other(
    folder: Path, servers: tuple[str, str]
) -> None:
    import pyotp

    a, b = servers
    instance = Instance.open(folder / "stendal")
    try:
        user = accounts.create_user(instance.db, "zwei-faktor", "leitung", TEST_PASSWORD)
        key = two_factor.cipher_key(instance.settings.secret_key.get_secret_value())  # type: ignore[union-attr]
        secret = two_factor.pending_secret(instance.db, key, user.id)
        codes = two_factor.confirm(instance.db, key, user.id, pyotp.TOTP(secret).now())
        assert codes
    finally:
        instance.db.dispose()

    def second_step(person: Browser, code: str, *, via: str) -> httpx.Response:
        page = person.get("/stendal/login/code", via=via)
        assert page.status_code == 200, page.text
        return person.post(
            "/stendal/login/code",
            via=via,
            data={"code": code, "csrf_token": csrf_from(page.text)},
        )

    first = Browser(servers)
    try:
        # The password on one process, the code on the other: the half-login travels.
        assert (
            first.login("stendal", "zwei-faktor", TEST_PASSWORD, form_via=a, send_via=a).status_code
            == 303
        )
        assert second_step(first, codes[0], via=b).status_code == 303
        assert first.get("/stendal/-/konto/passwort", via=a).status_code == 200
    finally:
        first.close()
    replay = Browser(servers)
    try:
        assert (
            replay.login(
                "stendal", "zwei-faktor", TEST_PASSWORD, form_via=b, send_via=b
            ).status_code
            == 303
        )
        assert second_step(replay, codes[0], via=a).status_code == 400
        assert replay.get("/stendal/-/konto/passwort", via=b).status_code == 303
    finally:
        replay.close()


@pytest.mark.postgres
def test_login_throttling_counts_failures_made_on_both_processes(
    servers: tuple[str, str],
) -> None:
    # A client of its own (the processes trust X-Forwarded-For from 127.0.0.1, as
    # behind nginx), so its failures slow no other test down.
    guesser = Browser(servers, forwarded_for="203.0.113.7")
    try:
        a, b = servers
        for attempt, via in zip(range(5), cycle((a, b)), strict=False):
            wrong = guesser.login(
                "harz", "leitung-harz", f"falsch-{attempt}", form_via=via, send_via=via
            )
            assert wrong.status_code == 400, (attempt, via)
        # Five failures spread over two processes: the sixth waits, on either.
        for via in (a, b):
            throttled = guesser.login(
                "harz", "leitung-harz", TEST_PASSWORD, form_via=via, send_via=via
            )
            assert throttled.status_code == 429
            assert int(throttled.headers["retry-after"]) > 0
    finally:
        guesser.close()


@pytest.mark.postgres
def test_a_settings_change_made_through_one_process_is_seen_by_both_at_once(
    servers: tuple[str, str],
) -> None:
    a, b = servers
    admin = Browser(servers)
    try:
        assert (
            admin.login("harz", "admin-harz", TEST_PASSWORD, form_via=a, send_via=a).status_code
            == 303
        )
        for via in (a, b):
            assert admin.get("/harz/partner/", via=via).status_code == 200

        def change(action: str, via: str) -> None:
            page = admin.get("/harz/-/admin/plugins", via=via)
            assert page.status_code == 200, page.text
            done = admin.post(
                f"/harz/-/admin/plugins/{action}",
                via=via,
                data={"name": "partner", "csrf_token": csrf_from(page.text)},
            )
            assert done.status_code == 303, done.text

        change("disable", a)
        for via in (b, a):
            assert admin.get("/harz/partner/", via=via).status_code == 404
        # The other authority's settings are its own (there the admin is a stranger).
        assert admin.get("/stendal/partner/", via=b).status_code == 303
        change("enable", b)
        for via in (a, b):
            assert admin.get("/harz/partner/", via=via).status_code == 200
    finally:
        admin.close()


@pytest.mark.postgres
def test_a_settings_change_reaches_a_process_whose_file_times_lag_behind(
    folder: Path, servers: tuple[str, str]
) -> None:
    """On several machines the instance folder is shared over the network, whose
    file times may arrive late: the settings generation in the database tells
    every process at once (``willkommen plugins disable`` bumps it as the admin page does)."""
    from willkommen_core.plugin_config import set_enabled
    from willkommen_core.web.reloading import announce_settings_change

    a, b = servers
    root = folder / "stendal"
    settings = root / "willkommen.toml"
    visitor = Browser(servers)
    try:
        # Staff pages: an anonymous visitor is sent to the login while the module is on.
        for via in (a, b):
            assert visitor.get("/stendal/partner/", via=via).status_code == 303
        for enabled, status in ((False, 404), (True, 303)):
            seen = settings.stat()
            set_enabled(root, "partner", enabled)
            # As a client of a network file system may see it: the old modification time.
            os.utime(settings, ns=(seen.st_atime_ns, seen.st_mtime_ns))
            instance = Instance.open(root)
            try:
                announce_settings_change(instance)
            finally:
                instance.db.dispose()
            for via in (b, a):
                assert visitor.get("/stendal/partner/", via=via).status_code == status
    finally:
        visitor.close()


# -- loading on first use, unloading when idle (SQLite, in one process) ----------------


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("lazy")
    path = base / "land.toml"
    entries = "".join(
        f'\n[[authority]]\nname = "Landkreis {name}"\ntype = "Landkreis"\n\n'
        f'[[authority.sites]]\nname = "Kreisverwaltung"\nstreet = "Markt 1"\n'
        f'postcode = "{postcode}"\ncity = "{city}"\n'
        for name, postcode, city in (
            ("Harz", "38820", "Halberstadt"),
            ("Stendal", "39576", "Stendal"),
            ("Börde", "39340", "Haldensleben"),
        )
    )
    path.write_text(
        'federal_state = "Sachsen-Anhalt"\n\n[defaults]\nmodules = ["partner"]\n' + entries,
        encoding="utf-8",
    )
    output = base / "out"
    result = rollout(register.load(path), output, migrate=True)
    assert {o.status for o in result.outcomes} == {"created"}
    return output


def test_instances_are_loaded_at_their_first_request_and_not_before(three: Path) -> None:
    from starlette.testclient import TestClient

    from willkommen_core.rollout.host import InstancesHost

    host = InstancesHost(three)
    assert host.loaded() == [], "reading the folders loads nothing"
    with TestClient(host, base_url="https://testserver") as client:
        # Start-up loads one instance, so the modules' code is imported and checked once.
        assert host.loaded() == ["boerde"]
        page = client.get("/")
        assert "Landkreis Stendal" in page.text and "3 von 3" in page.text
        assert host.loaded() == ["boerde"], "the index page needs no instance loaded"
        assert client.get("/stendal/login").status_code == 200
        assert sorted(host.loaded()) == ["boerde", "stendal"]
    host.close()
    assert host.loaded() == []


def test_the_least_recently_used_instance_goes_when_too_many_are_loaded(three: Path) -> None:
    from starlette.testclient import TestClient

    from willkommen_core.rollout.host import InstancesHost

    host = InstancesHost(three, max_loaded=2)
    with TestClient(host, base_url="https://testserver") as client:
        for slug in ("harz", "stendal", "boerde", "harz"):
            assert client.get(f"/{slug}/login").status_code == 200
            assert len(host.loaded()) <= 2
        assert sorted(host.loaded()) == ["boerde", "harz"]
        # An unloaded instance answers as before: it is loaded again.
        assert "Landkreis Stendal" in client.get("/stendal/login").text
    host.close()


def test_idle_instances_are_unloaded_but_never_one_in_use(three: Path) -> None:
    import asyncio

    from starlette.testclient import TestClient

    from willkommen_core.rollout.host import InstancesHost

    host = InstancesHost(three, idle_seconds=60)
    with TestClient(host, base_url="https://testserver") as client:
        for slug in ("harz", "stendal"):
            assert client.get(f"/{slug}/login").status_code == 200
        soon = time.monotonic() + 30
        assert asyncio.run(host.sweep(now=soon)) == []
        host.hosted["harz"].active = 1  # a request in progress
        later = time.monotonic() + 120
        assert sorted(asyncio.run(host.sweep(now=later))) == ["boerde", "stendal"]
        assert host.loaded() == ["harz"]
        host.hosted["harz"].active = 0
        assert client.get("/stendal/login").status_code == 200
    host.close()


def test_an_instance_that_failed_to_load_is_tried_again_later(three: Path, tmp_path: Path) -> None:
    import shutil

    from starlette.testclient import TestClient

    from willkommen_core.rollout.host import InstancesHost

    copy = tmp_path / "out"
    shutil.copytree(three, copy)
    database = copy / "stendal" / "willkommen.db"
    database.rename(database.with_suffix(".away"))
    host = InstancesHost(copy)
    with TestClient(host, base_url="https://testserver") as client:
        away = client.get("/stendal/login")
        assert away.status_code == 503 and "nicht verfügbar" in away.text
        assert client.get("/healthz").json() == {"status": "degraded"}
        assert client.get("/harz/login").status_code == 200, "the others are served"
        database.with_suffix(".away").rename(database)
        assert client.get("/stendal/login").status_code == 404, "not before the retry is due"
        host.hosted["stendal"].retry_at = time.monotonic()
        assert client.get("/stendal/login").status_code == 200
        assert client.get("/healthz").json() == {"status": "ok"}
    host.close()


# -- the shipped service and proxy files ---------------------------------------------


def test_each_instance_ships_a_template_unit_that_runs_it_on_a_port_of_its_own(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from willkommen_core.cli import cli

    args = ["new", str(tmp_path / "harz"), "--name", "Landkreis Harz"]
    args += ["--set", "street=Friedrich-Ebert-Straße 42", "--set", "postcode=38820"]
    made = CliRunner().invoke(cli, args)
    assert made.exit_code == 0, made.output
    deploy = tmp_path / "harz" / "deploy"
    unit = (deploy / "willkommen@.service").read_text()
    # willkommen@harz.service: the slug comes from the unit's name, the port from its file.
    assert "WorkingDirectory=/srv/willkommen/%i" in unit
    assert "EnvironmentFile=/etc/willkommen/%i.env" in unit
    assert "serve --host 127.0.0.1 --port ${PORT} --workers 2" in unit
    assert "willkommen@harz" in unit, "the install steps name this instance's service"
    nginx = (deploy / "nginx.conf").read_text()
    assert "upstream willkommen_harz {" in nginx and "proxy_pass http://willkommen_harz;" in nginx


def test_the_state_host_ships_its_units_and_load_balancer() -> None:
    import willkommen_core.rollout

    deploy = Path(willkommen_core.rollout.__file__).parent / "deploy"
    host = (deploy / "willkommen-host.service").read_text()
    assert "serve --instances /srv/willkommen/land" in host
    assert "--idle-minutes ${IDLE_MINUTES} --max-loaded ${MAX_LOADED}" in host
    assert "FORWARDED_ALLOW_IPS" in host, "the client address behind the balancer counts"
    assert "EnvironmentFile=/etc/willkommen/%i.env" in (deploy / "willkommen@.service").read_text()
    balancer = (deploy / "nginx-host.conf").read_text()
    assert "upstream willkommen_host" in balancer and balancer.count("server 10.0.0.") == 2
    assert "X-Forwarded-For" in balancer and "access_log off;" in balancer


def test_a_request_never_gets_the_settings_generation_of_a_read_begun_before_it() -> None:
    """The generation is read once for all requests of a moment, but a request
    waits for a read that starts after it arrived: a change committed before
    it arrived is always seen."""
    import asyncio
    import threading

    from willkommen_core.web.reloading import SharedRead

    database = {"generation": 0}
    reads: list[int] = []
    first_read_may_end = threading.Event()

    def read() -> int:
        seen = database["generation"]
        reads.append(seen)
        if len(reads) == 1:
            first_read_may_end.wait(5)
        return seen

    async def scenario() -> tuple[int, int, int]:
        shared = SharedRead(read)
        first = asyncio.create_task(shared())
        while not reads:
            await asyncio.sleep(0.01)
        database["generation"] = 1  # committed while the first read is under way
        second, third = asyncio.create_task(shared()), asyncio.create_task(shared())
        await asyncio.sleep(0.05)
        first_read_may_end.set()
        return await first, await second, await third

    assert asyncio.run(scenario()) == (0, 1, 1)
    assert reads == [0, 1], "the two later requests shared one read"
