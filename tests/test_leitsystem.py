"""Guidance system (``leitsystem``): model, content, editing, import/export, first information."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from willkommen_core.cli import cli
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_plugins.leitsystem import content, contrast, exchange, hours, store

LANGS = ["de", "en", "uk", "ru", "ar", "fa", "ps", "pl", "ro", "tr"]


@pytest.fixture
def demo(make_sqlite_instance):
    instance = make_sqlite_instance(["leitsystem"], languages=LANGS)
    instance.plugins.call_each("demo_content", instance=instance)
    return instance


# -- contrast (DIN 32975) --------------------------------------------------------------


def test_luminance_contrast_follows_the_din_formula():
    assert contrast.contrast("#000000", "#ffffff") == pytest.approx(1.0)
    assert contrast.contrast("#ffffff", "#000000") == pytest.approx(1.0)
    assert contrast.contrast("#777777", "#777777") == 0.0
    # K = (L1 - L2) / (L1 + L2) with relative luminances 1.0 and 0.2159 (#808080).
    assert contrast.contrast("#ffffff", "#808080") == pytest.approx((1 - 0.2159) / 1.2159, abs=1e-3)


def test_shipped_themes_reach_the_minimum_for_every_pair(demo):
    themes, problems = content.themes(demo)
    assert not problems
    assert {"standard", "hell"} <= set(themes)
    for theme in themes.values():
        for _fg, a, _bg, b in theme.pairs():
            assert contrast.contrast(a, b) >= contrast.MINIMUM


def test_a_theme_below_the_minimum_is_refused_by_check_naming_the_pair(demo):
    path = demo.root / "content" / "leitsystem" / "themes.toml"
    path.parent.mkdir(parents=True)
    path.write_text(
        '[standard]\nbackground = "#0b2a4a"\ntext = "#ffffff"\naccent = "#3a5a7a"\n'
        'panel = "#ffffff"\npanel_text = "#0b2a4a"\n',
        encoding="utf-8",
    )
    found = [str(p) for p in demo.check(database=False)]
    assert any(
        "content/leitsystem/themes.toml: standard: contrast of accent #3a5a7a on background #0b2a4a"
        in p
        for p in found
    ), found


# -- content and languages -------------------------------------------------------------


def test_shipped_texts_are_complete_in_every_language(demo):
    assert content.problems(demo, demo.plugin_settings("leitsystem")) == []
    for lang in content.INFO_LANGUAGES:
        assert content.missing_texts(demo, lang) == [], lang


def test_a_missing_translation_is_reported_and_never_shown_empty(demo, make_client):
    shipped = demo.content_path("leitsystem", "texts", "pl.toml").read_text(encoding="utf-8")
    local = demo.root / "content" / "leitsystem" / "texts" / "pl.toml"
    local.parent.mkdir(parents=True)
    local.write_text(
        shipped.replace('kasse = "Kasa"\n', "").replace(
            'what_to_bring = "Co zabrać ze sobą"\n', 'what_to_bring = ""\n'
        ),
        encoding="utf-8",
    )
    found = [str(p) for p in demo.check(database=False)]
    assert (
        "content/leitsystem/texts/pl.toml: services.kasse: missing translation (German: 'Kasse')"
        in found
    )
    assert any(
        p.startswith("content/leitsystem/texts/pl.toml: labels.what_to_bring: missing")
        for p in found
    )
    # On a sign the Polish line is left out; on the web the German text stands in, marked as German.
    from willkommen_plugins.leitsystem import render

    sign = next(
        s
        for s in render.signs(
            demo, store.load(demo.db), "pl", render.theme_for(demo), "https://x.example"
        )
        if s.id == "tuer-haus-a-0-05"
    )
    texts = [r["t"] for r in sign.texts()]
    assert "Kasse" in texts and "" not in texts
    page = make_client(demo).get("/leitsystem/info/kasse?lang=pl")
    assert '<span lang="de" dir="ltr">Was Sie mitbringen</span>' in page.text
    assert "<h1>" in page.text and "<h1></h1>" not in page.text


def test_unknown_sign_language_in_settings_names_the_key(make_sqlite_instance):
    from willkommen_core.errors import UserError

    with pytest.raises(UserError) as err:
        make_sqlite_instance(["leitsystem"], leitsystem={"sign_languages": ["de", "xx"]})
    assert "leitsystem.sign_languages: unknown sign language 'xx'" in str(err.value)


def test_opening_hours_are_parsed_and_shown_in_each_language():
    assert hours.localized("Mo-Fr 08:00-12:00; Di, Do 13:00-18:00", "de") == [
        ("Mo.–Fr.", "08:00–12:00"),
        ("Di., Do.", "13:00–18:00"),
    ]
    assert hours.localized("Mo-Fr 8.00-12.00", "en") == [("Mon–Fri", "08:00–12:00")]
    assert hours.localized("Mo-Fr 08:00-12:00", "ar")[0][0] == "الاثنين–الجمعة"
    for bad, reason in [
        ("Mx 08:00-12:00", "unknown day 'mx'"),
        ("Mo 12:00-08:00", "end must be after"),
        ("Mo ab 8", "unknown day 'mo ab'"),
        ("Mo", "expected days and times"),
    ]:
        with pytest.raises(hours.HoursError, match=reason):
            hours.parse(bad)


# -- storage, import and export ---------------------------------------------------------


def test_demo_content_is_idempotent_and_complete(make_instance):
    instance = make_instance(["leitsystem"])
    instance.plugins.call_each("demo_content", instance=instance)
    instance.plugins.call_each("demo_content", instance=instance)
    (site,) = store.load(instance.db)
    (building,) = site.buildings
    assert [f.level for f in building.floors] == [0, 1, 2]
    services = {s for f in building.floors for r in f.rooms for s in r.services}
    assert services == set(content.services(instance))
    assert len(building.routes) == 14


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_export_and_import_round_trip_on_both_databases(make_instance, fmt):
    instance = make_instance(["leitsystem"])
    instance.plugins.call_each("demo_content", instance=instance)
    before = store.load(instance.db)
    data = exchange.export(instance, fmt)
    store.replace(instance.db, [type(before[0])(before[0].name)])
    assert store.load(instance.db)[0].buildings == [] if store.load(instance.db) else True
    exchange.import_file(instance, data, f"haus.{fmt}")
    after = store.load(instance.db)
    strip = lambda sites: json.loads(json.dumps(exchange.to_document(sites)))  # noqa: E731
    assert strip(after) == strip(before)


def test_a_bad_import_names_every_problem_and_changes_nothing(demo):
    doc = exchange.to_document(store.load(demo.db))
    building = doc["sites"][0]["buildings"][0]
    building["floors"][0]["rooms"][1]["services"] = ["kantine"]
    building["floors"][1]["rooms"][0]["opening_hours"] = "Montag immer"
    building["routes"][0]["to"] = "9.99"
    doc["sites"].append({"name": "Außenstelle Nord", "buildings": []})
    before = exchange.export(demo, "json")
    from willkommen_core.errors import UserError

    with pytest.raises(UserError) as err:
        exchange.import_file(demo, json.dumps(doc).encode(), "haus.json")
    keys = [p.key for p in err.value.problems]
    assert keys == [
        "sites[0].buildings[0].floors[0].rooms[1].services",
        "sites[0].buildings[0].floors[1].rooms[0].opening_hours",
        "sites[0].buildings[0].routes[0].to",
        "sites[1].name",
    ]
    assert "unknown service 'kantine'" in str(err.value)
    assert exchange.export(demo, "json") == before


def test_cli_import_and_export(demo, tmp_path):
    runner = CliRunner()
    out = tmp_path / "haus.json"
    result = runner.invoke(
        cli, ["--instance", str(demo.root), "leitsystem", "export", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["schema"] == 1
    result = runner.invoke(
        cli, ["--instance", str(demo.root), "leitsystem", "import", str(out), "--dry-run"]
    )
    assert result.exit_code == 0 and "valid, 1 site(s)" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = 1\n[[sites]\n", encoding="utf-8")
    result = runner.invoke(cli, ["--instance", str(demo.root), "leitsystem", "import", str(bad)])
    assert result.exit_code == 1
    assert "bad.toml: invalid TOML" in result.output and "line 2" in result.output


# -- editing in the web UI --------------------------------------------------------------


def test_redaktion_and_admin_edit_leadership_only_looks(demo, make_client):
    client = make_client(demo)
    assert client.get("/leitsystem/", follow_redirects=False).status_code == 303
    login(client, demo, "leitung")
    page = client.get("/leitsystem/")
    assert page.status_code == 200 and "Gebäude hinzufügen" not in page.text
    assert client.get("/leitsystem/schilder").status_code == 200
    assert client.get("/leitsystem/raum/neu").status_code == 403
    assert client.get("/leitsystem/import").status_code == 403
    token = csrf_from(client.get("/").text)
    denied = client.post(
        "/leitsystem/gebaeude", data={"csrf_token": token, "site": "Hauptsitz", "name": "X"}
    )
    assert denied.status_code == 403
    admin = make_client(demo)
    login(admin, demo, "admin")
    assert "Gebäude hinzufügen" in admin.get("/leitsystem/").text


def test_redaktion_builds_a_site_with_validation_that_keeps_the_input(
    make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["leitsystem"])
    client = make_client(instance)
    login(client, instance, "redaktion")
    page = client.get("/leitsystem/")
    token = csrf_from(page.text)
    r = client.post(
        "/leitsystem/gebaeude", data={"csrf_token": token, "site": "Hauptsitz", "name": ""}
    )
    assert r.status_code == 400 and "Bitte geben Sie einen Namen an" in r.text
    r = client.post(
        "/leitsystem/gebaeude",
        data={"csrf_token": token, "site": "Hauptsitz", "name": "Haus B"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    bid = store.load(instance.db)[0].buildings[0].id
    r = client.post(
        "/leitsystem/etage", data={"csrf_token": token, "building": bid, "level": "zwei"}
    )
    assert r.status_code == 400 and "ganze Zahl" in r.text
    assert (
        client.post(
            "/leitsystem/etage",
            data={"csrf_token": token, "building": bid, "level": "0"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    fid = store.load(instance.db)[0].buildings[0].floors[0].id
    form = {
        "csrf_token": token,
        "floor": fid,
        "number": "0.07",
        "name": "Kasse <Nord>",
        "opening_hours": "Mo-Fr 25:00-12:00",
    }
    r = client.post("/leitsystem/raum/neu", data=form)
    assert r.status_code == 400
    assert (
        "Öffnungszeiten nicht lesbar" in r.text
        and "Bitte wählen Sie mindestens ein Angebot" in r.text
    )
    assert 'value="0.07"' in r.text and "Kasse &lt;Nord&gt;" in r.text  # input kept, escaped
    form |= {
        "opening_hours": "Mo-Fr 08:00-12:00",
        "services": ["kasse"],
        "accessibility": ["stufenlos"],
    }
    assert client.post("/leitsystem/raum/neu", data=form, follow_redirects=False).status_code == 303
    form |= {"number": "0.00", "name": "Eingang", "services": ["ausgang"], "opening_hours": ""}
    assert client.post("/leitsystem/raum/neu", data=form, follow_redirects=False).status_code == 303
    r = client.post("/leitsystem/raum/neu", data=form)
    assert r.status_code == 400 and "Diese Raumnummer gibt es in dem Gebäude schon" in r.text
    rooms = {r.number: r.id for r in store.load(instance.db)[0].buildings[0].floors[0].rooms}
    r = client.post(
        "/leitsystem/weg",
        data={
            "csrf_token": token,
            "origin": rooms["0.00"],
            "destination": rooms["0.00"],
            "arrow": "left",
        },
    )
    assert r.status_code == 400 and "anderer Raum" in r.text
    r = client.post(
        "/leitsystem/weg",
        data={
            "csrf_token": token,
            "origin": rooms["0.00"],
            "destination": rooms["0.07"],
            "arrow": "right",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    (site,) = store.load(instance.db)
    assert [(w.origin, w.destination, w.arrow) for w in site.buildings[0].routes] == [
        ("0.00", "0.07", "right")
    ]
    assert (
        client.post(
            f"/leitsystem/loeschen/room/{rooms['0.07']}",
            data={"csrf_token": token},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert store.load(instance.db)[0].buildings[0].routes == []
    gone = client.post(f"/leitsystem/loeschen/room/{rooms['0.07']}", data={"csrf_token": token})
    assert gone.status_code == 404
    # Without the CSRF token nothing changes.
    assert client.post(f"/leitsystem/loeschen/building/{bid}", data={}).status_code == 403


def test_signs_page_previews_and_downloads(demo, make_client):
    client = make_client(demo)
    login(client, demo, "redaktion")
    page = client.get("/leitsystem/schilder?sprache=ar")
    assert page.status_code == 200
    assert 'src="/leitsystem/schilder/ar/a4/tuer-haus-a-1-14.png"' in page.text
    png = client.get("/leitsystem/schilder/ar/a4/tuer-haus-a-1-14.png")
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    pdf = client.get("/leitsystem/schilder/ar/a3/tuer-haus-a-1-14.pdf?download=1")
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    svg = client.get("/leitsystem/schilder/uk/a4/gebaeude-haus-a.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/leitsystem/schilder/xx/a4/tuer-haus-a-1-14.pdf").status_code == 404
    assert client.get("/leitsystem/schilder/ar/a4/nichts.pdf").status_code == 404


# -- first information ----------------------------------------------------------------


def test_first_information_is_public_with_language_and_direction(demo, make_client):
    client = make_client(demo)
    page = client.get("/leitsystem/info/aufenthalt?lang=ar")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "<h1>الإقامة</h1>" in page.text
    assert "الغرفة 1.14" in page.text and "من المصعد: يسارًا" in page.text  # where and route
    assert "يمكن الوصول بالمصعد" in page.text  # accessibility
    assert "الاثنين–الجمعة" in page.text  # opening hours in Arabic
    assert 'media="print"' in page.text and "handout.css" in page.text
    uk = client.get("/leitsystem/info/kasse?lang=uk")
    assert '<html lang="uk" dir="ltr">' in uk.text and "Що взяти з собою" in uk.text


def test_plain_language_is_offered_for_first_information(demo, make_client):
    client = make_client(demo)
    page = client.get("/leitsystem/info/aufenthalt?lang=de-x-ls")
    assert '<html lang="de" dir="ltr">' in page.text
    assert "Das bringen Sie mit" in page.text
    # Offered in the layout's one language selector, beside the other languages.
    assert 'href="/leitsystem/info/aufenthalt?lang=de-x-ls"' in page.text
    assert "Leichte Sprache" in page.text and "info-langs" not in page.text
    index = client.get("/leitsystem/info/?lang=de-x-ls")
    assert "/leitsystem/info/kasse?lang=de-x-ls" in index.text
    assert "/leitsystem/info/aufzug" not in index.text  # facilities have no info page
    assert client.get("/leitsystem/info/aufzug").status_code == 404


def test_partners_helping_in_the_language_come_from_the_partner_list(
    make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["leitsystem", "partner"], languages=LANGS)
    instance.plugins.call_each("demo_content", instance=instance)
    page = make_client(instance).get("/leitsystem/info/aufenthalt?lang=ar")
    assert "مساعدة بلغتك" in page.text
    assert "Migrationsberatung" in page.text or "e. V." in page.text
    assert "Interesse" not in page.text  # internal status never shown


def test_without_the_partner_list_the_page_still_works(demo, make_client):
    page = make_client(demo).get("/leitsystem/info/aufenthalt?lang=ar")
    assert page.status_code == 200 and "مساعدة بلغتك" not in page.text
