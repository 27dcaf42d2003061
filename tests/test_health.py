"""/healthz tells monitoring the state; the version and the database only to admins and tokens."""

from willkommen_core import __version__, accounts
from willkommen_core.storage import migrate


def _bearer(instance) -> dict[str, str]:
    return {"authorization": f"Bearer {accounts.create_token(instance.db, 'monitor', 'leitung')}"}


def test_healthz_reports_version_and_current_schema(make_instance, make_client, database):
    instance = make_instance([])
    body = make_client(instance).get("/healthz", headers=_bearer(instance)).json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["database"]["dialect"] == database
    assert body["database"]["schema"] == "current"
    core = body["database"]["components"]["core"]
    assert core["current"] == core["head"] is not None


def test_healthz_tells_anonymous_callers_only_the_status(make_instance, make_client):
    instance = make_instance([])
    response = make_client(instance).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_503_when_schema_is_outdated(make_instance, make_client):
    instance = make_instance([], migrate_db=False)
    migrate.upgrade(instance.db, [migrate.core_component()], target="base")
    response = make_client(instance).get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded"}
