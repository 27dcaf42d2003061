"""JSON API of the partner list: internal list and detail for staff, public list for everyone."""

from __future__ import annotations

from datetime import date

from willkommen_core import accounts
from willkommen_plugins.partner import store
from willkommen_plugins.partner.model import PartnerData


def _seed(instance):
    ids = {}
    for name, langs, public in (
        ("Arabische Gemeinde", ["ar", "de"], True),
        ("Ukrainischer Verein", ["uk"], True),
        ("Vertraulicher Partner", ["ar"], False),
    ):
        ids[name] = store.create(
            instance.db,
            PartnerData(
                name=name,
                category="verein",
                languages=langs,
                public=public,
                status="kooperation",
                contact_person="Frau Intern",
                notes="nur für uns",
                last_contact=date(2025, 1, 2),
            ),
        )
    return ids


def _bearer(instance, role):
    return {"Authorization": f"Bearer {accounts.create_token(instance.db, f'{role}-script', role)}"}


def test_staff_list_with_filters_and_internal_fields(make_instance, make_client):
    instance = make_instance(["partner"])
    _seed(instance)
    client = make_client(instance)
    body = client.get("/api/v1/partner/partners", headers=_bearer(instance, "redaktion")).json()
    assert body["count"] == 3
    first = body["partners"][0]
    assert first["notes"] == "nur für uns" and first["status"] == "kooperation"
    assert first["last_contact"] == "2025-01-02" and first["category_title"]
    only_ar = client.get(
        "/api/v1/partner/partners?language=ar&public=false", headers=_bearer(instance, "leitung")
    ).json()
    assert [p["name"] for p in only_ar["partners"]] == ["Vertraulicher Partner"]
    bad = client.get("/api/v1/partner/partners?status=kaputt", headers=_bearer(instance, "admin"))
    assert bad.status_code == 400 and "status" in bad.json()["error"]


def test_one_partner_and_404_for_unknown_id(make_instance, make_client):
    instance = make_instance(["partner"])
    ids = _seed(instance)
    client = make_client(instance)
    headers = _bearer(instance, "leitung")
    one = client.get(f"/api/v1/partner/partners/{ids['Ukrainischer Verein']}", headers=headers)
    assert one.status_code == 200 and one.json()["languages"] == ["uk"]
    missing = client.get("/api/v1/partner/partners/99999", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]


def test_internal_endpoints_need_a_token_of_a_staff_role(make_instance, make_client):
    instance = make_instance(["partner"], partner={"staff_roles": ["leitung"]})
    ids = _seed(instance)
    client = make_client(instance)
    for path in (
        "/api/v1/partner/partners",
        f"/api/v1/partner/partners/{ids['Arabische Gemeinde']}",
    ):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer wk_falsch"}).status_code == 401
        assert client.get(path, headers=_bearer(instance, "redaktion")).status_code == 403
        assert client.get(path, headers=_bearer(instance, "leitung")).status_code == 200


def test_public_list_has_only_public_partners_and_fields(make_instance, make_client):
    instance = make_instance(["partner"])
    _seed(instance)
    client = make_client(instance)
    body = client.get("/api/v1/partner/public?lang=ar").json()  # no login needed
    assert [p["name"] for p in body["partners"]] == ["Arabische Gemeinde"]
    partner = body["partners"][0]
    for internal in ("notes", "status", "last_contact", "contact_person", "public"):
        assert internal not in partner
    assert "nur für uns" not in str(body) and "Frau Intern" not in str(body)
    assert {"code": "uk", "name": "Українська", "partners": 1} in body["languages"]
    # The hidden partner does not count towards the languages either.
    assert {"code": "ar", "name": "العربية", "partners": 1} in body["languages"]


def test_endpoints_are_in_the_openapi_document(make_instance, make_client):
    instance = make_instance(["partner"])
    doc = make_client(instance).get("/api/openapi.json").json()
    assert "/api/v1/partner/partners" in doc["paths"]
    assert "/api/v1/partner/partners/{partner_id}" in doc["paths"]
    public = doc["paths"]["/api/v1/partner/public"]["get"]
    assert "security" not in public
    assert "notes" not in doc["components"]["schemas"]["PublicPartnerOut"]["properties"]
