"""Partner list pages: staff list with search and filters, editing, public help page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_plugins.partner import store
from willkommen_plugins.partner.model import PartnerData

VALID = {
    "name": "Migrationsberatung Nord",
    "category": "migrationsberatung",
    "services": "Beratung zu Aufenthalt und Arbeit",
    "languages": "de, ar, fa",
    "contact_person": "Frau Geheim",
    "phone": "0391 000 0000-1",
    "email": "nord@beratung.example.org",
    "website": "https://beratung.example.org",
    "street": "Breiter Weg 1",
    "postcode": "39104",
    "city": "Magdeburg",
    "opening_hours": "Mo–Do 9–12 Uhr",
    "status": "kooperation",
    "last_contact": "2025-03-14",
    "notes": "Streng intern: Leitung wechselt im Sommer",
    "public": "1",
}


def _staff(make_instance, make_client, role="redaktion", **settings):
    instance = make_instance(["partner"], **settings)
    client = make_client(instance)
    login(client, instance, role)
    return instance, client


def _post(client, url, data):
    token = csrf_from(client.get(url).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def _add(instance, **values):
    base = {"name": "Partner", "category": "sonstige", "status": "angesprochen"}
    return store.create(instance.db, PartnerData(**{**base, **values}))


def test_create_shows_the_partner_with_all_fields(make_instance, make_client):
    instance, client = _staff(make_instance, make_client)
    response = _post(client, "/partner/neu", VALID)
    assert response.status_code == 303
    assert response.headers["location"].endswith("?saved=1")
    page = client.get(response.headers["location"]).text
    for text in (
        "Migrationsberatung Nord",
        "Frau Geheim",
        "Streng intern",
        "2025-03-14",
        "Arabisch",
    ):
        assert text in page
    [partner] = store.search(instance.db)
    assert partner.languages == ["ar", "de", "fa"]
    assert partner.public is True and partner.status == "kooperation"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "nord(at)beratung", "keine gültige E-Mail-Adresse"),
        ("languages", "de, xx, klingonisch", "Unbekannter Sprachcode: xx, klingonisch"),
        ("last_contact", (date.today() + timedelta(days=3)).isoformat(), "nicht in der Zukunft"),
        ("last_contact", "31.02.2025", "ist kein Datum"),
        ("postcode", "3910", "fünf Ziffern"),
        ("name", "", "Namen der Organisation"),
        ("category", "zirkus", "Unbekannte Kategorie"),
    ],
)
def test_invalid_input_re_renders_the_form_with_input_and_a_specific_message(
    make_instance, make_client, field, value, message
):
    instance, client = _staff(make_instance, make_client)
    response = _post(client, "/partner/neu", {**VALID, field: value})
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    # What the user typed is still there, the bad value included.
    assert "Streng intern: Leitung wechselt im Sommer" in response.text
    if value:
        assert value.replace("&", "&amp;") in response.text
    assert store.search(instance.db) == []


def test_edit_saves_changes_and_keeps_input_on_error(make_instance, make_client):
    instance, client = _staff(make_instance, make_client, role="leitung")
    pid = _add(instance, name="VHS", category="sprachkurs", languages=["de"])
    url = f"/partner/{pid}/bearbeiten"
    bad = _post(client, url, {**VALID, "name": "VHS Magdeburg", "email": "vhs@"})
    assert bad.status_code == 400 and 'value="VHS Magdeburg"' in bad.text
    assert store.get(instance.db, pid).name == "VHS"
    ok = _post(client, url, {**VALID, "name": "VHS Magdeburg", "public": ""})
    assert ok.status_code == 303
    changed = store.get(instance.db, pid)
    assert changed.name == "VHS Magdeburg" and changed.public is False
    assert changed.updated_at >= changed.created_at


def test_delete_asks_for_confirmation_then_removes(make_instance, make_client):
    instance, client = _staff(make_instance, make_client)
    pid = _add(instance, name="Zu löschen", languages=["uk"])
    confirm = client.get(f"/partner/{pid}/loeschen")
    assert "Zu löschen" in confirm.text and 'method="post"' in confirm.text
    assert store.get(instance.db, pid) is not None  # GET changes nothing
    response = _post(client, f"/partner/{pid}/loeschen", {})
    assert response.status_code == 303
    assert store.get(instance.db, pid) is None
    assert client.get(f"/partner/{pid}").status_code == 404


def test_delete_without_csrf_token_is_refused(make_instance, make_client):
    instance, client = _staff(make_instance, make_client)
    pid = _add(instance)
    response = client.post(f"/partner/{pid}/loeschen", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert store.get(instance.db, pid) is not None


def test_search_covers_name_services_and_notes_and_filters_combine(make_instance, make_client):
    instance, client = _staff(make_instance, make_client)
    _add(
        instance,
        name="Jobcenter",
        category="arbeit",
        services="Arbeitsvermittlung",
        languages=["uk"],
        status="interesse",
    )
    _add(
        instance,
        name="IHK",
        category="kammer",
        notes="Anerkennung von Abschlüssen",
        languages=["pl"],
    )
    _add(
        instance,
        name="Kulturverein 100%",
        category="verein",
        languages=["uk", "ru"],
        status="kooperation",
    )

    def names(query):
        html = client.get("/partner/" + query).text
        return {
            n.split()[0]
            for n in re.findall(r'<th scope="row"><a href="/partner/\d+">([^<]+)</a>', html)
        }

    assert names("?q=arbeitsvermittlung") == {"Jobcenter"}
    assert names("?q=ANERKENNUNG") == {"IHK"}  # notes are searched, case-insensitively
    assert names("?q=100%25") == {"Kulturverein"}  # % is a character, not a wildcard
    assert names("?language=uk") == {"Jobcenter", "Kulturverein"}
    assert names("?language=uk&status=kooperation") == {"Kulturverein"}
    assert names("?category=kammer") == {"IHK"}
    assert names("?q=nichts-passt") == set()
    table = client.get("/partner/").text
    assert "<caption>" in table and 'scope="col"' in table


def test_stale_filter_lists_old_and_unknown_contacts_but_not_dormant_ones(
    make_instance, make_client
):
    instance, client = _staff(make_instance, make_client, partner={"stale_contact_months": 6})
    _add(instance, name="Frisch", last_contact=date.today() - timedelta(days=30))
    _add(instance, name="Alt", last_contact=date.today() - timedelta(days=400))
    _add(instance, name="Nie", last_contact=None)
    _add(instance, name="Ruht", status="ruhend", last_contact=date.today() - timedelta(days=900))
    html = client.get("/partner/?stale=1").text
    assert ">Alt</a>" in html and ">Nie</a>" in html
    assert ">Frisch</a>" not in html and ">Ruht</a>" not in html


def test_internal_pages_need_login_and_a_staff_role(make_instance, make_client):
    instance = make_instance(["partner"], partner={"staff_roles": ["leitung"]})
    client = make_client(instance)
    anonymous = client.get("/partner/", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    login(client, instance, "redaktion")
    assert client.get("/partner/").status_code == 403
    admin = make_client(instance)
    login(admin, instance, "admin")
    assert admin.get("/partner/").status_code == 200


def test_public_page_shows_only_public_partners_and_never_internal_fields(
    make_instance, make_client
):
    instance = make_instance(["partner"])
    _add(
        instance,
        name="Offene Beratung",
        category="beratung",
        languages=["ar", "de"],
        contact_person="Herr Vertraulich",
        notes="Interne Notiz XYZ",
        status="ruhend",
        last_contact=date(2024, 5, 17),
        phone="0391 000 0000-5",
        public=True,
    )
    _add(instance, name="Geheimer Partner", languages=["ar"], public=False)
    client = make_client(instance)  # not logged in
    page = client.get("/partner/hilfe")
    assert page.status_code == 200
    html = page.text
    assert "Offene Beratung" in html and "0391 000 0000-5" in html
    for hidden in (
        "Geheimer Partner",
        "Herr Vertraulich",
        "Interne Notiz XYZ",
        "2024-05-17",
        "ruhend",
    ):
        assert hidden not in html
    assert "Geheimer Partner" not in client.get("/partner/hilfe?language=ar").text


def test_public_page_filters_by_language(make_instance, make_client):
    instance = make_instance(["partner"])
    _add(instance, name="Ukrainisch", languages=["uk"])
    _add(instance, name="Persisch", languages=["fa"])
    html = make_client(instance).get("/partner/hilfe?language=fa").text
    assert "Persisch" in html and ">Ukrainisch<" not in html
    assert '<option value="fa" selected>' in html


def test_public_page_in_arabic_is_right_to_left_and_translated(make_instance, make_client):
    instance = make_instance(["partner"])
    _add(instance, name="Beratung", languages=["ar"])
    html = make_client(instance).get("/partner/hilfe?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in html
    assert "المساعدة بلغتك" in html  # "Hilfe in Ihrer Sprache"
    assert "Hilfe in Ihrer Sprache" not in html.split("<main", 1)[1]


def test_public_page_can_be_switched_off(make_instance, make_client):
    instance = make_instance(["partner"], partner={"public_page": False})
    client = make_client(instance)
    assert client.get("/partner/hilfe").status_code == 404
    assert client.get("/api/v1/partner/public").status_code == 404
    # ... and no page links to it any more
    for path in ("/", "/barrierefreiheit", "/login"):
        assert "/partner/hilfe" not in client.get(path).text, path


def test_public_link_is_in_the_navigation_for_everyone(make_instance, make_client):
    instance = make_instance(["partner"])
    client = make_client(instance)
    assert 'href="/partner/hilfe"' in client.get("/barrierefreiheit").text
    login(client, instance, "redaktion")
    assert 'href="/partner/"' in client.get("/").text


def test_html_in_free_text_is_stored_faithfully_and_shown_escaped(make_instance, make_client):
    instance, client = _staff(make_instance, make_client)
    script = "<script>alert('x')</script>"
    response = _post(
        client, "/partner/neu", {**VALID, "name": f"Verein {script}", "services": script}
    )
    assert response.status_code == 303
    [partner] = store.search(instance.db)
    assert partner.name == f"Verein {script}" and partner.services == script
    for url in (response.headers["location"], "/partner/", "/partner/hilfe"):
        html = client.get(url).text
        assert script not in html and "&lt;script&gt;" in html
