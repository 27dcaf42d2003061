"""`willkommen serve --instances DIR`: every instance of a rollout folder in one process,
each under /<slug>/ with its own settings, sessions and database, plus an index page."""

from __future__ import annotations

import textwrap

import pytest
from starlette.testclient import TestClient

from willkommen_core import accounts
from willkommen_core.instance import Instance
from willkommen_core.rollout import register
from willkommen_core.rollout.host import InstancesHost
from willkommen_core.rollout.run import rollout
from willkommen_core.testing.instance import TEST_PASSWORD, csrf_from

REGISTER = """
federal_state = "Sachsen-Anhalt"

[defaults]
modules = ["partner", "prozesse"]

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


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    base = tmp_path_factory.mktemp("host")
    path = base / "land.toml"
    path.write_text(textwrap.dedent(REGISTER).lstrip(), encoding="utf-8")
    output = base / "out"
    result = rollout(register.load(path), output, migrate=True)
    assert [o.status for o in result.outcomes] == ["created", "created"]
    for slug in ("harz", "stendal"):
        instance = Instance.open(output / slug)
        accounts.create_user(instance.db, f"leitung-{slug}", "leitung", TEST_PASSWORD)
        instance.db.dispose()
    return output


@pytest.fixture
def client(folder):
    host = InstancesHost(folder)
    with TestClient(host, base_url="https://testserver") as c:
        yield c
    host.close()


def login(client, slug, username):
    page = client.get(f"/{slug}/login")
    assert page.status_code == 200
    return client.post(
        f"/{slug}/login",
        data={
            "username": username,
            "password": TEST_PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )


def test_the_index_page_lists_every_authority_with_its_link(client):
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="de">' in page.text and page.text.count("<h1>") == 1
    assert '<a href="/harz/">Landkreis Harz</a>' in page.text
    assert '<a href="/stendal/">Landkreis Stendal</a>' in page.text
    assert "<caption>" in page.text
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_host_healthz_shows_details_only_to_an_api_token(folder, client):
    """Issue 12: anonymous gets the status only, no version and no list of instances."""
    anonymous = client.get("/healthz")
    assert anonymous.status_code == 200 and anonymous.json() == {"status": "ok"}
    assert "harz" not in anonymous.text and "version" not in anonymous.text
    wrong = client.get("/healthz", headers={"authorization": "Bearer wk_nonsense"})
    assert wrong.json() == {"status": "ok"}
    instance = Instance.open(folder / "harz")
    token = accounts.create_token(instance.db, "monitor", "leitung")
    instance.db.dispose()
    details = client.get("/healthz", headers={"authorization": f"Bearer {token}"}).json()
    assert details["status"] == "ok" and details["version"]
    assert details["instances"]["harz"]["served"] is True
    assert details["instances"]["stendal"]["path"] == "/stendal/"


def test_each_instance_answers_under_its_slug_with_its_own_settings(client):
    harz = client.get("/harz/barrierefreiheit")
    stendal = client.get("/stendal/barrierefreiheit")
    assert harz.status_code == stendal.status_code == 200
    assert "Landkreis Harz" in harz.text and "Landkreis Stendal" not in harz.text
    assert "Landkreis Stendal" in stendal.text
    assert client.get("/harz/healthz").json()["status"] == "ok"


def test_links_forms_and_styles_carry_the_prefix(client):
    page = client.get("/harz/login").text
    assert 'href="/harz/static/willkommen.css"' in page
    assert 'action="/harz/login"' in page
    assert 'href="/harz/barrierefreiheit"' in page
    assert 'href="/static/' not in page and 'action="/login"' not in page
    assert client.get("/harz/static/willkommen.css").status_code == 200


def test_redirects_to_the_login_stay_inside_the_instance(client):
    response = client.get("/harz/plan/", follow_redirects=False)  # "/harz/" is public
    assert response.status_code == 303
    assert response.headers["location"] == "/harz/login?next=/harz/plan/"
    assert client.get("/harz", follow_redirects=False).headers["location"] == "/harz/"


def test_links_and_redirects_built_with_url_carry_the_prefix_once(client):
    assert login(client, "harz", "leitung-harz").status_code == 303
    page = client.get("/harz/prozesse/")
    assert page.status_code == 200
    assert 'action="/harz/prozesse/starten"' in page.text
    assert 'href="/harz/harz/' not in page.text and 'action="/harz/harz/' not in page.text
    started = client.post(
        "/harz/prozesse/starten",
        data={
            "template": "magdeburg",
            "start": "2026-01-05",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    assert started.headers["location"] == "/harz/prozesse/?ok=started"


def test_a_login_at_one_authority_is_not_valid_at_another(client):
    response = login(client, "harz", "leitung-harz")
    assert response.status_code == 303
    assert response.headers["location"] == "/harz/"
    assert "path=/harz/" in response.headers["set-cookie"].lower()
    # Logged in at Harz ...
    assert client.get("/harz/", follow_redirects=False).status_code == 200
    # ... but not at Stendal: the session cookie is not even sent there.
    assert client.get("/stendal/plan/", follow_redirects=False).status_code == 303
    # And Harz's account does not exist in Stendal's database.
    assert login(client, "stendal", "leitung-harz").status_code == 400
    assert login(client, "stendal", "leitung-stendal").status_code == 303


def test_data_entered_at_one_authority_does_not_appear_at_the_other(client, folder):
    from willkommen_plugins.partner import store
    from willkommen_plugins.partner.model import PartnerData

    instance = Instance.open(folder / "harz")
    store.create(
        instance.db, PartnerData(name="Migrationsberatung Halberstadt", category="beratung")
    )
    instance.db.dispose()
    login(client, "harz", "leitung-harz")
    login(client, "stendal", "leitung-stendal")
    assert "Migrationsberatung Halberstadt" in client.get("/harz/partner/").text
    assert "Migrationsberatung Halberstadt" not in client.get("/stendal/partner/").text


def test_a_broken_instance_is_listed_as_unavailable_and_the_others_are_served(folder, tmp_path):
    import shutil

    copy = tmp_path / "out"
    shutil.copytree(folder, copy)
    (copy / "stendal" / "willkommen.toml").write_text("kaputt = [")
    host = InstancesHost(copy)
    with TestClient(host, base_url="https://testserver") as c:
        index = c.get("/").text
        assert "Landkreis Harz" in index and "derzeit nicht verfügbar" in index
        assert c.get("/stendal/login").status_code == 404
        assert c.get("/harz/login").status_code == 200
        assert c.get("/healthz").json()["status"] == "degraded"
    host.close()


def test_a_single_instance_served_alone_is_unchanged(folder, make_client):
    client = make_client(Instance.open(folder / "harz"))
    page = client.get("/login").text
    assert 'href="/static/willkommen.css"' in page and 'action="/login"' in page
    assert client.get("/plan/", follow_redirects=False).headers["location"] == "/login?next=/plan/"
    assert 'href="/barrierefreiheit"' in client.get("/").text  # the start page, unprefixed


MEASURE = """
import sys
from starlette.testclient import TestClient
from willkommen_core.rollout.host import InstancesHost

host = InstancesHost(sys.argv[1])
with TestClient(host, base_url="https://testserver") as client:
    for slug in host.apps:
        for page in ("login", "barrierefreiheit", "healthz"):
            assert client.get(f"/{slug}/{page}").status_code == 200, (slug, page)
    status = open("/proc/self/status").read()
    rss_kb = int(next(l for l in status.splitlines() if l.startswith("VmRSS")).split()[1])
    print(len(host.apps), rss_kb)
"""


def test_all_14_instances_of_saxony_anhalt_run_in_one_process_under_400_mb(tmp_path):
    import subprocess
    import sys

    output = tmp_path / "sachsen-anhalt"
    result = rollout(register.load("sachsen-anhalt"), output, migrate=True)
    assert {o.status for o in result.outcomes} == {"created"}
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(output)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    served, rss_kb = map(int, run.stdout.split())
    assert served == 14
    assert rss_kb < 400 * 1024
