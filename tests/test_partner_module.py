"""The partner plugin as a toolkit module: demo content, content checks, cards,
recommendations, state summary, migrations, and no trace when disabled."""

from __future__ import annotations

from datetime import date, timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from willkommen_core.testing import login
from willkommen_core.types import AssessmentResult
from willkommen_plugins.partner import categories, store
from willkommen_plugins.partner.demo import demo_partners, seed
from willkommen_plugins.partner.model import PartnerData, form_values, validate
from willkommen_plugins.partner.tables import metadata


def _demo(instance):
    instance.plugins.call_one("partner", "demo_content", instance=instance)


def test_demo_content_is_a_plausible_magdeburg_set_and_idempotent(make_instance):
    instance = make_instance(["partner"])
    _demo(instance)
    _demo(instance)
    found = store.search(instance.db)
    assert 15 <= len(found) == len(demo_partners())
    names = " ".join(p.name for p in found)
    for actor in (
        "Integrationsnetzwerk Magdeburg",
        "Migrationsberatung",
        "Jugendmigrationsdienst",
        "Otto-von-Guericke-Universität",
        "Landesintegrationsbeirat",
        "Jobcenter",
        "Agentur für Arbeit",
        "IHK",
        "Handwerkskammer",
        "Volkshochschule",
        "ZASt",
        "BAMF",
    ):
        assert actor in names
    assert {p.status for p in found} == {"angesprochen", "interesse", "kooperation", "ruhend"}
    offered = {code for p in found for code in p.languages}
    assert {"ar", "fa", "uk", "ru", "en", "tr", "pl", "ro"} <= offered
    assert all(p.email.endswith("example.org") for p in found if p.email)
    assert any(not p.public for p in found) and any(p.category == "verein" for p in found)


def test_demo_partners_pass_the_same_validation_as_the_form(make_instance):
    instance = make_instance(["partner"])
    cats = categories.load(instance)
    for partner in demo_partners():
        data, errors = validate(form_values(partner), cats)
        assert errors == {}, (partner.name, errors)
        assert data == partner


def test_shipped_categories_are_valid_and_translated():
    from willkommen_plugins.partner.categories import parse, shipped_path

    found, problems = parse(shipped_path(), "categories.toml")
    assert problems == []
    assert list(found) == [
        "migrationsberatung", "sprachkurs", "arbeit", "hochschule", "kammer",
        "verein", "behoerde", "netzwerk", "beratung", "sonstige",
    ]  # fmt: skip
    assert found["arbeit"].title("de") == "Jobcenter/Arbeitsagentur"
    assert all(c.titles["en"] and c.titles["ar"] for c in found.values())


def test_content_problems_name_file_key_and_reason_of_a_broken_override(make_instance):
    instance = make_instance(["partner"])
    assert instance.check() == []
    override = instance.root / "content" / "partner" / "categories.toml"
    override.parent.mkdir(parents=True)
    override.write_text(
        '[categories.beratung]\ntitle = { de = "Beratung" }\n'
        '[categories.Zirkus]\ntitle = { de = "Zirkus", en = "Circus" }\n'
        '[categories.kammer]\ntitle = { de = "Kammer", en = "Chamber", xx1 = "?" }\nfarbe = "rot"\n',
        encoding="utf-8",
    )
    problems = {(p.file, p.key) for p in instance.check()}
    file = "content/partner/categories.toml"
    assert problems == {
        (file, "categories.beratung.title.en"),
        (file, "categories.Zirkus"),
        (file, "categories.kammer.title.xx1"),
        (file, "categories.kammer.farbe"),
    }
    # The pages keep working with the shipped categories meanwhile.
    assert "sonstige" in categories.load(instance)
    override.write_text("[categories\n", encoding="utf-8")
    [problem] = instance.check()
    assert problem.file == file and "invalid TOML" in problem.reason


def test_a_valid_override_replaces_the_categories(make_instance, make_client):
    instance = make_instance(["partner"])
    override = instance.root / "content" / "partner" / "categories.toml"
    override.parent.mkdir(parents=True)
    override.write_text(
        '[categories.kirche]\ntitle = { de = "Kirchengemeinde", en = "Parish" }\n', encoding="utf-8"
    )
    assert instance.check() == []
    assert list(categories.load(instance)) == ["kirche"]
    client = make_client(instance)
    login(client, instance, "redaktion")
    assert "Kirchengemeinde" in client.get("/partner/neu").text


def test_dashboard_cards_count_partners_per_status_and_stale_contacts(make_instance, make_client):
    instance = make_instance(["partner"])
    for name, status, days in (
        ("A", "kooperation", 10),
        ("B", "kooperation", 900),
        ("C", "interesse", None),
    ):
        last = date.today() - timedelta(days=days) if days else None
        store.create(
            instance.db,
            PartnerData(name=name, category="sonstige", status=status, last_contact=last),
        )
    client = make_client(instance)
    login(client, instance, "leitung")
    home = client.get("/").text
    assert "3 Partner: 1 Interesse bekundet, 2 Kooperation." in home
    assert "2 Partner ohne Kontakt seit mehr als 12 Monaten." in home


def test_weak_cooperation_score_brings_concrete_recommendations(make_instance):
    instance = make_instance(["partner"])
    store.create(
        instance.db,
        PartnerData(name="Alt", category="verein", status="interesse", last_contact=None),
    )
    recs = instance.plugins.call_list(
        "recommendations", instance=instance, results=AssessmentResult({"zusammenarbeit": 2.4})
    )
    assert len(recs) >= 3
    assert all(r.cornerstone == "zusammenarbeit" and r.href.startswith("/partner/") for r in recs)
    assert all("2,4" in r.reason for r in recs)  # says why
    hrefs = {r.href for r in recs}
    assert {"/partner/neu", "/partner/?stale=1", "/partner/?status=interesse"} <= hrefs
    strong = AssessmentResult({"zusammenarbeit": 4.2, "kompetenzen": 1.5})
    assert instance.plugins.call_list("recommendations", instance=instance, results=strong) == []
    assert (
        instance.plugins.call_list(
            "recommendations", instance=instance, results=AssessmentResult({})
        )
        == []
    )


def test_state_summary_holds_only_anonymous_aggregates(make_instance):
    instance = make_instance(["partner"])
    seed(instance)
    summary = instance.plugins.call_each("state_summary", instance=instance)["partner"]
    assert summary["partners"] == len(demo_partners())
    assert sum(summary["by_category"].values()) == summary["partners"]
    assert sum(summary["by_status"].values()) == summary["partners"]
    assert summary["languages_covered"] >= 8
    text = str(summary)
    for person_or_note in (
        "Frau Beispiel",
        "Herr Muster",
        "Sammeltermine",
        "example.org",
        "Magdeburg",
    ):
        assert person_or_note not in text


def test_migration_creates_exactly_the_partner_tables(make_instance):
    instance = make_instance(["partner"])
    names = set(inspect(instance.db.engine).get_table_names())
    assert {"partner_partners", "partner_languages", "alembic_version_partner"} <= names
    assert instance.check() == []  # schema at the head revision
    own = {t.name for t in metadata.sorted_tables}
    with instance.db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"include_name": lambda name, type_, _p: type_ != "table" or name in own},
        )
        # The hand-written revision matches tables.py: nothing left to autogenerate.
        assert compare_metadata(context, metadata) == []


def test_a_disabled_partner_plugin_leaves_no_trace(make_instance, make_client):
    instance = make_instance([])
    names = set(inspect(instance.db.engine).get_table_names())
    assert not any(n.startswith("partner_") or n == "alembic_version_partner" for n in names)
    client = make_client(instance)
    assert client.get("/partner/hilfe").status_code == 404
    assert client.get("/api/v1/partner/public").status_code == 404
    login(client, instance, "admin")
    assert client.get("/partner/").status_code == 404
    home = client.get("/").text
    assert "/partner/" not in home and "Partnerliste" not in home
    weak = AssessmentResult({"zusammenarbeit": 1.0})
    assert instance.plugins.call_list("recommendations", instance=instance, results=weak) == []
    assert "partner" not in instance.plugins.call_each("state_summary", instance=instance)
