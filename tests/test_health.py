"""/healthz tells monitoring the version and the database state."""

from willkommen_core import __version__
from willkommen_core.storage import migrate


def test_healthz_reports_version_and_current_schema(make_instance, make_client, database):
    instance = make_instance([])
    body = make_client(instance).get("/healthz").json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["database"]["dialect"] == database
    assert body["database"]["schema"] == "current"
    core = body["database"]["components"]["core"]
    assert core["current"] == core["head"] is not None


def test_healthz_is_503_when_schema_is_outdated(make_instance, make_client):
    instance = make_instance([], migrate_db=False)
    migrate.upgrade(instance.db, [migrate.core_component()], target="base")
    response = make_client(instance).get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["schema"] == "outdated"
