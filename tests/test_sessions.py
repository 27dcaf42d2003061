"""Sessions live on the server: logging out ends them even where a copy of the cookie survives."""

from __future__ import annotations

from sqlalchemy import func, select

from willkommen_core import accounts
from willkommen_core.storage.tables import sessions
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_core.web.app import SESSION_COOKIE


def _session_count(instance) -> int:
    with instance.db.read() as s:
        return s.execute(select(func.count()).select_from(sessions)).scalar_one()


def test_a_copied_session_cookie_is_worthless_after_logout(make_instance, make_client):
    instance = make_instance([])
    client = make_client(instance)
    login(client, instance, "leitung")
    stolen = client.cookies.get(SESSION_COOKIE)
    assert client.get("/plan/").status_code == 200
    token = csrf_from(client.get("/plan/").text)
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert _session_count(instance) == 0

    thief = make_client(instance)
    thief.cookies.set(SESSION_COOKIE, stolen)
    response = thief.get("/plan/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_new_password_ends_every_session_of_the_account(make_instance, make_client):
    instance = make_instance([])
    first, second = make_client(instance), make_client(instance)
    login(first, instance, "leitung", username="anna")
    login(second, instance, "leitung", username="anna")
    assert _session_count(instance) == 2
    accounts.set_password(instance.db, "anna", "ein-ganz-neues-passwort")
    assert _session_count(instance) == 0
    assert first.get("/plan/", follow_redirects=False).status_code == 303
    assert second.get("/plan/", follow_redirects=False).status_code == 303


def test_the_database_holds_only_a_hash_of_the_session_token(make_instance, make_client):
    instance = make_instance([])
    client = make_client(instance)
    login(client, instance, "leitung")
    with instance.db.read() as s:
        (stored,) = s.execute(select(sessions.c.id)).one()
    cookie = client.cookies.get(SESSION_COOKIE)
    assert len(stored) == 64 and stored not in cookie


def test_an_expired_session_logs_out(make_instance, make_client):
    instance = make_instance([], web={"session_max_age": 300})
    client = make_client(instance)
    login(client, instance, "leitung")
    with instance.db.write() as s:
        s.execute(sessions.update().values(expires_at=sessions.c.created_at))
    assert client.get("/plan/", follow_redirects=False).status_code == 303
