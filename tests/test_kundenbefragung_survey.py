"""Customer survey (``kundenbefragung``): the survey in every language, storage,
the API, limits, the kiosk, results, summary, side-by-side view and no trace
when disabled."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_plugins.kundenbefragung import content, periods, store
from willkommen_plugins.kundenbefragung import survey as sv
from willkommen_plugins.kundenbefragung.results import for_months
from willkommen_plugins.kundenbefragung.settings import settings_of
from willkommen_plugins.kundenbefragung.tables import responses

ALL_LANGS = ["de", "en", "uk", "ar", "fa", "ps", "ru", "pl", "ro", "tr"]
RTL = {"ar", "fa", "ps"}


def _instance(make, **extra):
    return make(["kundenbefragung"], **extra)


def _form(client, url):
    page = client.get(url)
    assert page.status_code == 200, page.text
    return page, csrf_from(page.text)


def _seed(instance, month, people, *, site="Hauptsitz", channel="qr"):
    """Store ``people`` (service, language, rating) in ``month`` directly (a past day)."""
    day = periods.first_day(month) + timedelta(days=3)
    settings = settings_of(instance)
    for service, language, value in people:
        sub = store.Submission(
            channel,
            site,
            service,
            language,
            {
                "orientierung": value,
                "termin": value,
                "respekt": value,
                "weitervermittlung": None,
                "gesamt": value,
                "wartezeit": 2,
            },
        )
        sv.save(instance, sub, settings.model_copy(update={"qr_limit": 10_000}), today=day)


def test_survey_in_every_customer_language_and_leichte_sprache(make_sqlite_instance, make_client):
    instance = _instance(make_sqlite_instance, languages=ALL_LANGS)
    client = make_client(instance)
    survey = content.current(instance)
    assert content.load(instance)[1] == []
    assert len(survey.questions) <= content.MAX_QUESTIONS
    for lang in [*ALL_LANGS, "de-x-ls"]:
        page = client.get(f"/kundenbefragung/?lang={lang}")
        assert page.status_code == 200
        html = page.text
        code = "de" if lang == "de-x-ls" else lang
        assert f'<html lang="{code}" dir="{"rtl" if lang in RTL else "ltr"}">' in html
        assert "<script" not in html
        assert survey.label(lang, "title").lang == lang
        for q in survey.questions:
            text = survey.text(lang, "questions", q.id)
            assert text.lang == lang, (lang, q.id)
            assert text.text.replace("'", "&#39;").replace('"', "&#34;") in html
        if lang in ("ar", "fa"):
            assert "؟" in survey.text(lang, "questions", "gesamt").text
    # A language without texts is not offered: German (marked) instead, and no
    # content problem (which would stop the instance).
    assert survey.label("fr", "title").lang == "de"
    french = make_sqlite_instance(["kundenbefragung"], name="fr", languages=["de", "fr"])
    assert french.plugins.call_one("kundenbefragung", "content_problems", instance=french) == []
    assert "fr" not in content.offered_languages(french, survey)


def test_submitting_stores_nothing_personal_and_thanks(make_instance, make_client):
    instance = _instance(make_instance)
    client = make_client(instance)
    _page, token = _form(client, "/kundenbefragung/?lang=ar")
    answer = client.post(
        "/kundenbefragung/",
        data={
            "csrf_token": token,
            "lang": "ar",
            "standort": "",
            "q_orientierung": "4",
            "q_termin": "x",
            "q_wartezeit": "3",
            "q_anliegen": "einbuergerung",
        },
        headers={"User-Agent": "Nokia6300/2.0"},
        follow_redirects=False,
    )
    assert (
        answer.status_code == 303 and "/kundenbefragung/danke?lang=ar" in answer.headers["location"]
    )
    with instance.db.read() as s:
        rows = s.execute(select(responses)).all()
    assert len(rows) == 1
    row = rows[0]._asdict()
    assert set(row) == {"id", "answered_on", "channel", "site", "service", "language"}
    assert (
        row["site"] == "Hauptsitz" and row["language"] == "ar" and row["service"] == "einbuergerung"
    )
    assert row["answered_on"] == date.today()
    dump = json.dumps([str(v) for v in row.values()])
    assert "Nokia" not in dump and "127.0.0.1" not in dump and "testclient" not in dump


def test_an_empty_or_tampered_form_is_shown_again_with_a_message(make_sqlite_instance, make_client):
    instance = _instance(make_sqlite_instance)
    client = make_client(instance)
    _page, token = _form(client, "/kundenbefragung/")
    empty = client.post("/kundenbefragung/", data={"csrf_token": token, "lang": "de"})
    assert empty.status_code == 400 and "Bitte beantworten Sie mindestens eine Frage." in empty.text
    bad = client.post(
        "/kundenbefragung/",
        data={"csrf_token": token, "lang": "de", "q_gesamt": "9", "q_termin": "2"},
    )
    assert bad.status_code == 400 and 'value="2" checked' in bad.text
    with instance.db.read() as s:
        assert s.execute(select(responses)).first() is None


def test_the_api_takes_a_response_and_gives_results_of_final_months(make_instance, make_client):
    instance = _instance(make_instance)
    client = make_client(instance)
    stored = client.post(
        "/api/v1/kundenbefragung/responses",
        json={
            "language": "uk",
            "answers": {"gesamt": 5, "respekt": None, "anliegen": "aufenthalt"},
        },
    )
    assert stored.status_code == 201, stored.text
    plain = client.post(
        "/api/v1/kundenbefragung/responses",
        json={"language": "de-x-ls", "answers": {"orientierung": 3}},
    )
    assert plain.status_code == 201  # Leichte Sprache is a language of the survey
    wrong = client.post(
        "/api/v1/kundenbefragung/responses", json={"language": "uk", "answers": {"gesamt": 7}}
    )
    assert wrong.status_code == 422 and "gesamt" in wrong.json()["error"]
    month = periods.month_of(date.today().replace(day=1) - timedelta(days=62))
    people = [("aufenthalt", "de", 4)] * 6 + [("einbuergerung", "ar", 2)] * 5
    _seed(instance, month, people + [("einbuergerung", "tr", 1)] * 2)
    start, end = periods.first_day(month), periods.last_day(month)
    url = f"/api/v1/kundenbefragung/results?from={start}&to={end}"
    assert client.get(url).status_code == 401
    from willkommen_core import accounts

    for role, status in (("admin", 200), ("redaktion", 403)):
        token = accounts.create_token(instance.db, f"{role}-script", role)
        got = client.get(url, headers={"authorization": f"Bearer {token}"})
        assert got.status_code == status, (role, got.text)
    login(client, instance, "leitung")
    got = client.get(url)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["total"]["responses"] == 13 and body["months"] == [month]
    # Two Turkish answers are never a group, and the five Arabic ones go with them
    # (else "einbuergerung" minus "ar" would give the two); services still show.
    assert set(body["by_language"]) == {"de"} and body["by_language"]["de"]["responses"] == 6
    assert body["by_service"]["einbuergerung"]["responses"] == 7
    assert body["by_service"]["einbuergerung"]["questions"]["gesamt"]["mean"] == round(
        (5 * 2 + 2) / 7, 2
    )
    assert (
        client.get(
            f"/api/v1/kundenbefragung/results?from={start + timedelta(days=1)}&to={end}"
        ).status_code
        == 400
    )
    assert client.get("/api/v1/kundenbefragung/results?from=2026-13-01&to=x").status_code == 400
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/kundenbefragung/responses", "/api/v1/kundenbefragung/results"} <= set(paths)


# -- kiosk and stuffing -------------------------------------------------------------------


def _enrol(client, instance, name="Tablet Empfang"):
    login(client, instance, "leitung")
    _page, token = _form(client, "/kundenbefragung/kiosks")
    done = client.post(
        "/kundenbefragung/kiosks", data={"csrf_token": token, "name": name}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"].endswith("/kundenbefragung/kiosk")
    assert "willkommen_kiosk" in client.cookies
    return done


def test_a_kiosk_is_enrolled_once_then_starts_over_and_never_shows_the_last_answers(
    make_sqlite_instance, make_client
):
    instance = _instance(make_sqlite_instance)
    client = make_client(instance)
    assert "nicht als Kiosk angemeldet" in client.get("/kundenbefragung/kiosk").text
    _enrol(client, instance)
    # Enrolling logged leitung out: the tablet shows the survey only.
    assert client.get("/kundenbefragung/ergebnisse", follow_redirects=False).status_code == 303
    start = client.get("/kundenbefragung/kiosk?lang=ar")
    html = start.text
    assert start.status_code == 200 and start.headers["cache-control"] == "no-store"
    assert re.search(r'<meta http-equiv="refresh" content="180;url=/kundenbefragung/kiosk">', html)
    assert "بعد 3 دقائق" in html  # the page says it will start over
    assert 'dir="rtl"' in html and "<script" not in html and "Anmelden" not in html
    links = re.findall(r'href="([^"]+)"', html)
    assert links and all(
        link.startswith("/kundenbefragung/kiosk?lang=") or link.endswith(".css") or link == "#main"
        for link in links
    )
    token = csrf_from(html)
    sent = client.post(
        "/kundenbefragung/kiosk",
        data={"csrf_token": token, "lang": "ar", "q_gesamt": "2", "q_respekt": "1"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    thanks = client.get(sent.headers["location"])
    assert re.search(
        r'<meta http-equiv="refresh" content="\d+;url=/kundenbefragung/kiosk">', thanks.text
    )
    again = client.get("/kundenbefragung/kiosk")
    assert " checked" not in again.text.replace('value="" checked', "")  # a fresh form
    assert '<html lang="de"' in again.text  # and in the default language
    with instance.db.read() as s:
        row = s.execute(select(responses)).one()
    assert row.channel == "kiosk" and row.language == "ar"


def test_a_revoked_or_forged_kiosk_cookie_is_refused(make_sqlite_instance, make_client):
    instance = _instance(make_sqlite_instance)
    client = make_client(instance)
    _enrol(client, instance)
    cookie = client.cookies["willkommen_kiosk"]
    forged = make_client(instance)
    forged.cookies.set(
        "willkommen_kiosk", cookie.split(".")[0] + ".wrong-key", path="/kundenbefragung/"
    )
    assert "nicht als Kiosk angemeldet" in forged.get("/kundenbefragung/kiosk").text
    _page, token = _form(forged, "/kundenbefragung/")
    refused = forged.post("/kundenbefragung/kiosk", data={"csrf_token": token, "q_gesamt": "5"})
    assert refused.status_code == 409
    login(forged, instance, "leitung")
    page, token = _form(forged, "/kundenbefragung/kiosks")
    assert "Tablet Empfang" in page.text
    assert (
        forged.post("/kundenbefragung/kiosks/1/widerrufen", data={"csrf_token": token}).status_code
        == 200
    )
    assert "nicht als Kiosk angemeldet" in client.get("/kundenbefragung/kiosk").text
    # Enrolling and revoking a device are in the audit log, with who did it.
    logged = {e.event: e.actor.name for e in instance.audit.entries(event="kundenbefragung")}
    assert logged.keys() == {"kundenbefragung.kiosk_enrolled", "kundenbefragung.kiosk_revoked"}
    assert all(logged.values()), logged


def test_qr_submissions_are_limited_per_site_and_window(make_sqlite_instance, make_client):
    instance = _instance(make_sqlite_instance, kundenbefragung={"qr_limit": 3})
    client = make_client(instance)
    codes = []
    for _ in range(5):
        codes.append(
            client.post(
                "/api/v1/kundenbefragung/responses",
                json={"language": "de", "answers": {"gesamt": 5}},
            ).status_code
        )
    assert codes == [201, 201, 201, 429, 429]
    _page, token = _form(client, "/kundenbefragung/")
    refused = client.post(
        "/kundenbefragung/", data={"csrf_token": token, "lang": "de", "q_gesamt": "5"}
    )
    assert refused.status_code == 429 and "sehr viele Antworten" in refused.text
    with instance.db.read() as s:
        assert len(s.execute(select(responses)).all()) == 3


def test_a_burst_is_flagged_and_can_be_excluded_with_a_recorded_reason(
    make_sqlite_instance, make_client
):
    instance = _instance(
        make_sqlite_instance, kundenbefragung={"burst_minimum": 5, "qr_limit": 1000}
    )
    today = date.today()
    settings = settings_of(instance)
    quiet = today.replace(day=1) if today.day != 1 else today + timedelta(days=1)
    for day, n in ((quiet, 1), (today if today != quiet else quiet + timedelta(days=1), 12)):
        for _ in range(n):
            sv.save(
                instance,
                store.Submission("qr", "Hauptsitz", "", "de", {"gesamt": 5}),
                settings,
                today=day,
            )
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get("/kundenbefragung/ergebnisse")
    assert page.status_code == 200 and "Auffällige Tage" in page.text
    token = csrf_from(page.text)
    day = re.search(r'name="tag" value="([\d-]+)"', page.text).group(1)
    form = {"csrf_token": token, "tag": day, "standort": "Hauptsitz", "kanal": "qr"}
    short = client.post("/kundenbefragung/ergebnisse/ausschliessen", data={**form, "grund": "kurz"})
    assert short.status_code == 400 and "mindestens 10 Zeichen" in short.text
    done = client.post(
        "/kundenbefragung/ergebnisse/ausschliessen",
        data={**form, "grund": "Schulklasse hat den Code abfotografiert"},
    )
    assert done.status_code == 200 and "Schulklasse hat den Code abfotografiert" in done.text
    with instance.db.read() as s:
        assert len(s.execute(select(responses)).all()) == 1
    (recorded,) = store.list_exclusions(instance.db)
    assert recorded.reason == "Schulklasse hat den Code abfotografiert"
    assert recorded.removed == 12 and recorded.excluded_by
    (entry,) = instance.audit.entries(event="kundenbefragung.day_excluded")
    assert entry.target == day and entry.details["answers"] == 12
    assert "Schulklasse" not in str(entry.details)  # the reason stays the module's record


# -- summary, state report, side-by-side view, recommendations -------------------------


def _last_quarter(instance):
    """The last quarter whose months are all final today."""
    review = settings_of(instance).review_days
    last = periods.month_of(periods.first_open_day(date.today(), review) - timedelta(days=1))
    months = periods.months_between("2020-01", last)
    return periods.complete_periods(months, "quarter")[-1]


def _fill_quarter(instance, quarter, *, way=2, german=8, arabic=2):
    for month in periods.months_of(quarter):
        _seed(
            instance,
            month,
            [("aufenthalt", "de", way)] * german + [("aufenthalt", "ar", 5)] * arabic,
        )


def test_state_summary_and_report_show_the_quarter_suppressed_where_small(
    make_sqlite_instance, tmp_path
):
    from click.testing import CliRunner

    from willkommen_core.cli import cli
    from willkommen_core.rollout import summary as signing
    from willkommen_core.rollout.land import build_report

    instance = make_sqlite_instance(["kundenbefragung"], kundenbefragung={})
    quarter = _last_quarter(instance)
    _fill_quarter(instance, quarter)
    section = instance.plugins.call_one("kundenbefragung", "state_summary", instance=instance)
    (entry,) = [q for q in section["quarters"] if q["period"] == quarter]
    assert entry["responses"] == 30 and entry["cornerstones"]["gesamt"] == round(
        (2 * 24 + 5 * 6) / 30, 2
    )
    assert '"ar"' not in json.dumps(section)  # the whole authority only
    figures = instance.plugins.call_one("kundenbefragung", "read_state_summary", section=section)
    assert not figures.rounds  # cornerstone rounds are the self-assessment's
    table = next(t for t in figures.tables if t.key == f"kundenbefragung.{quarter}")
    assert table.cells[0].value == 30 and not table.cells[0].suppressed
    empty = [t for t in figures.tables if t.cells[0].suppressed]
    assert all(c.suppressed for t in empty for c in t.cells)
    with pytest.raises(ValueError, match="schema_version"):
        instance.plugins.call_one(
            "kundenbefragung", "read_state_summary", section={"schema_version": 9}
        )
    signing.ensure_key(instance.root)
    out = tmp_path / "summary.json"
    done = CliRunner().invoke(
        cli, ["--instance", str(instance.root), "summary", "--output", str(out)]
    )
    assert done.exit_code == 0, done.output
    report = build_report([out], tmp_path / "report")
    html = report.html_path.read_text()
    assert f"Kundenbefragung, {periods.label(quarter)}" in html and report.accepted


def test_customers_and_staff_side_by_side_through_the_public_contract(
    make_sqlite_instance, make_client
):
    from sqlalchemy import update

    from willkommen_plugins.selbstcheck import store as sc_store
    from willkommen_plugins.selbstcheck.tables import rounds as sc_rounds

    instance = make_sqlite_instance(["selbstcheck", "kundenbefragung"])
    quarter = _last_quarter(instance)
    _fill_quarter(instance, quarter, way=2)
    from selbstcheck_support import add_responses, open_round

    rnd = open_round(instance, title="Herbstrunde")
    add_responses(instance, rnd, 6, value=5)
    sc_store.close_round(instance.db, rnd.id)
    closed = periods.last_day(periods.months_of(quarter)[-1]) - timedelta(days=3)
    with instance.db.write() as s:
        s.execute(update(sc_rounds).where(sc_rounds.c.id == rnd.id).values(closed_on=closed))
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get(f"/kundenbefragung/ergebnisse?art=quarter&zeitraum={quarter}")
    assert page.status_code == 200
    part = page.text.split('id="vergleich"')[1].split("</table>")[0]
    assert "Herbstrunde" in part
    row = re.search(
        r"Erscheinungsbild und Kommunikation</th><td>([^<]+)</td><td>([^<]+)</td>\s*<td>([^<]+)",
        part,
    )
    assert row, part
    assert (row.group(1), row.group(2)) == ("2,6", "5,0") and "-2,4" in row.group(3)
    assert "Sichtweisen weichen ab" in part


def test_recommendations_follow_the_customers_view(make_sqlite_instance):
    from willkommen_core.types import AssessmentResult

    instance = make_sqlite_instance(["kundenbefragung", "leitsystem", "prozesse"])
    _fill_quarter(instance, _last_quarter(instance), way=1)
    recs = instance.plugins.call_one(
        "kundenbefragung", "recommendations", instance=instance, results=AssessmentResult()
    )
    hrefs = {r.cornerstone: r.href for r in recs}
    assert hrefs == {"erscheinungsbild": "/leitsystem/", "binnenorganisation": "/prozesse/"}
    good = make_sqlite_instance(["kundenbefragung"], name="good")
    _fill_quarter(good, _last_quarter(good), way=5)
    assert (
        good.plugins.call_one(
            "kundenbefragung", "recommendations", instance=good, results=AssessmentResult()
        )
        == []
    )


def test_results_page_charts_tables_and_exports(make_sqlite_instance, make_client):
    instance = _instance(make_sqlite_instance)
    quarter = _last_quarter(instance)
    _fill_quarter(instance, quarter)
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get(f"/kundenbefragung/ergebnisse?art=quarter&zeitraum={quarter}").text
    assert page.count('role="img"') == 3 and "<caption id=" in page
    csv = client.get(f"/kundenbefragung/ergebnisse/export.csv?art=quarter&zeitraum={quarter}")
    assert csv.status_code == 200 and csv.text.startswith("period,group,value,level")
    assert ",language,ar," not in csv.text  # six Arabic answers a quarter, two a month: no group
    xlsx = client.get(f"/kundenbefragung/ergebnisse/export.xlsx?art=quarter&zeitraum={quarter}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    home = client.get("/").text
    assert "Antworten im Monat" in home and 'href="/kundenbefragung/ergebnisse"' in home
    poster = client.get("/kundenbefragung/aushang?format=card")
    assert poster.status_code == 200 and poster.content[:4] == b"%PDF"


def test_customer_links_for_signs_and_pages(make_sqlite_instance):
    instance = _instance(make_sqlite_instance)
    (link,) = instance.plugins.call_one(
        "kundenbefragung", "customer_links", instance=instance, language="ar"
    )
    assert link.path == "/kundenbefragung/?lang=ar" and link.language == "ar" and "؟" in link.title
    (german,) = instance.plugins.call_one(
        "kundenbefragung", "customer_links", instance=instance, language="fr"
    )
    assert german.path == "/kundenbefragung/" and german.language == "de"


def test_the_first_information_pages_link_the_survey_in_their_language(
    make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["leitsystem", "kundenbefragung"])
    page = make_client(instance).get("/leitsystem/info/?lang=ar").text
    assert '<a href="/kundenbefragung/?lang=ar">كيف كانت زيارتكم؟</a>' in page


def test_a_disabled_survey_leaves_no_trace(make_instance, make_client):
    instance = make_instance(["leitsystem"])
    client = make_client(instance)
    for url in ("/kundenbefragung/", "/kundenbefragung/kiosk", "/kundenbefragung/ergebnisse"):
        assert client.get(url).status_code == 404, url
    assert client.post("/api/v1/kundenbefragung/responses", json={}).status_code in (404, 405)
    assert not instance.plugins.call_list("customer_links", instance=instance, language="de")
    tables = inspect(instance.db.engine).get_table_names()
    assert not [t for t in tables if "kundenbefragung" in t]
    assert "/api/v1/kundenbefragung" not in json.dumps(client.get("/api/openapi.json").json())
    info = client.get("/leitsystem/info/")  # the first-information pages link no survey
    assert info.status_code == 200 and "kundenbefragung" not in info.text
    login(client, instance, "admin")
    assert "kundenbefragung" not in client.get("/").text.lower()


# -- comments, storage, robustness ------------------------------------------------------


def test_comments_are_off_by_default_and_with_a_warning_when_allowed(
    make_sqlite_instance, make_client
):
    plain = _instance(make_sqlite_instance)
    client = make_client(plain)
    assert "<textarea" not in client.get("/kundenbefragung/").text
    stored = client.post(
        "/api/v1/kundenbefragung/responses",
        json={"answers": {"gesamt": 4}, "comment": "Frau Müller war nett"},
    )
    assert stored.status_code == 422  # no free text unless the instance allows it
    allowing = make_sqlite_instance(
        ["kundenbefragung"], name="comments", kundenbefragung={"allow_comment": True}
    )
    client = make_client(allowing)
    page = client.get("/kundenbefragung/?lang=uk").text
    assert "<textarea" in page and "не пишіть імен, номерів справ" in page
    quarter = _last_quarter(allowing)
    month = periods.months_of(quarter)[0]
    day = periods.first_day(month) + timedelta(days=2)
    settings = settings_of(allowing)
    for n in range(6):
        text = "Lange Schlange am Empfang" if n else "Einzelstimme auf Türkisch"
        language = "tr" if n == 0 else "de"
        sub = store.Submission("qr", "Hauptsitz", "", language, {"gesamt": 3}, text)
        sv.save(allowing, sub, settings, today=day)
    res = for_months(allowing, [month], with_comments=True)
    assert sorted(res.comments()) == sorted(
        ["Einzelstimme auf Türkisch"] + ["Lange Schlange am Empfang"] * 5
    )
    assert res.comments(language="tr") == []  # one Turkish comment is no group
    login(client, allowing, "leitung")
    results = client.get(f"/kundenbefragung/ergebnisse?art=month&zeitraum={month}").text
    assert "Lange Schlange am Empfang" in results
    assert (
        client.get(
            f"/api/v1/kundenbefragung/results?from={periods.first_day(month)}&to={periods.last_day(month)}"
        ).text.count("Lange Schlange")
        == 0
    )


def test_days_become_months_once_a_month_is_final(make_sqlite_instance):
    instance = _instance(make_sqlite_instance)
    settings = settings_of(instance)
    old = date.today().replace(day=1) - timedelta(days=70)
    sv.save(
        instance, store.Submission("qr", "Hauptsitz", "", "de", {"gesamt": 4}), settings, today=old
    )
    with instance.db.read() as s:
        assert s.execute(select(responses.c.answered_on)).scalar() == old
    sv.save(instance, store.Submission("qr", "Hauptsitz", "", "de", {"gesamt": 4}), settings)
    with instance.db.read() as s:
        days = sorted(s.execute(select(responses.c.answered_on)).scalars())
    assert days == [old.replace(day=1), date.today()]
    assert all(
        c.day >= date.today().replace(day=1) - timedelta(days=40)
        for c in store.day_counts_from(instance.db, date(2000, 1, 1))
    )


FIELDS = [
    "lang",
    "standort",
    "q_orientierung",
    "q_gesamt",
    "q_wartezeit",
    "q_anliegen",
    "kommentar",
]


def test_any_form_input_is_stored_or_refused_never_an_error(make_sqlite_instance, make_client):
    instance = _instance(make_sqlite_instance, kundenbefragung={"qr_limit": 10_000})
    client = make_client(instance)
    _page, token = _form(client, "/kundenbefragung/")

    @settings(max_examples=40, deadline=None)
    @given(st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=30)))
    def send(form):
        answer = client.post(
            "/kundenbefragung/", data={**form, "csrf_token": token}, follow_redirects=False
        )
        assert answer.status_code in (303, 400), answer.text

    send()


# -- content per instance ---------------------------------------------------------------


def test_an_instance_adapts_the_survey_with_local_toml(make_sqlite_instance, make_client):
    instance = _instance(make_sqlite_instance)
    folder = instance.root / "content" / "kundenbefragung"
    folder.mkdir(parents=True)
    (folder / "local.toml").write_text(
        'hide = ["weitervermittlung"]\n'
        'services = ["abholung"]\n'
        '[texts.de.services]\nabholung = "Abholung des Aufenthaltstitels"\n'
        '[texts.de.questions]\ngesamt = "Wie war es heute bei uns?"\n',
        encoding="utf-8",
    )
    survey, problems = content.load(instance)
    assert [q.id for q in survey.questions if q.id == "weitervermittlung"] == []
    assert survey.services == ("abholung",)
    # English, Arabic, ... lack the new service: each missing text is named.
    assert {p.key for p in problems} >= {"texts.en.services.abholung", "texts.ar.services.abholung"}
    page = make_client(instance).get("/kundenbefragung/").text
    assert "Wie war es heute bei uns?" in page and "Abholung des Aufenthaltstitels" in page
    assert "weitere Hilfe" not in page
    arabic = make_client(instance).get("/kundenbefragung/?lang=ar").text
    assert '<span lang="de" dir="ltr">Abholung des Aufenthaltstitels</span>' in arabic


def test_more_than_eight_questions_are_refused_by_the_check(make_sqlite_instance):
    instance = make_sqlite_instance(["kundenbefragung"], kundenbefragung={"allow_comment": True})
    folder = instance.root / "content" / "kundenbefragung"
    folder.mkdir(parents=True)
    shipped = (content.load(instance)[0]).questions
    extra = "".join(
        f'[[questions]]\nid = "extra{n}"\nkind = "rating"\ncornerstone = "kompetenzen"\n'
        for n in range(2)
    )
    survey_file = instance.content_path("kundenbefragung", "survey.toml").read_text(
        encoding="utf-8"
    )
    (folder / "survey.toml").write_text(
        survey_file.replace("[[questions]]", extra + "[[questions]]", 1), encoding="utf-8"
    )
    problems = instance.plugins.call_one("kundenbefragung", "content_problems", instance=instance)
    assert len(shipped) == 7
    assert any(p.key == "questions" and "at most 8" in p.reason for p in problems)
    assert any(p.key == "texts.de.questions.extra0" for p in problems)


def test_the_magdeburg_demo_has_a_year_of_feedback_beside_its_rounds(tmp_path):
    from willkommen_core.demo import prepare_demo
    from willkommen_plugins.kundenbefragung import sidebyside

    instance, _password = prepare_demo(tmp_path / "demo")
    year = for_months(instance, periods.months_between("2014-06", "2015-05"))
    assert all(for_months(instance, [m]).size() for m in year.months)  # every month
    assert len(year.values_of("language")) >= 4
    rnd, inside = sidebyside.round_for(
        sidebyside.staff_rounds(instance), periods.months_of("2015-Q2")
    )
    assert rnd is not None and inside and rnd.title == "Folgerunde 2015"
    rows = {
        r.cornerstone: r
        for r in sidebyside.compare(for_months(instance, periods.months_of("2015-Q2")), rnd)
    }
    assert rows["zusammenarbeit"].disagree  # customers see less referral than staff think
    first = for_months(instance, periods.months_of("2014-Q3")).cornerstone("erscheinungsbild")
    last = for_months(instance, periods.months_of("2015-Q2")).cornerstone("erscheinungsbild")
    assert first.mean < 2.8 < last.mean  # the new signage shows
    before = year.size()
    instance.plugins.call_one("kundenbefragung", "demo_content", instance=instance)
    assert for_months(instance, year.months).size() == before  # seeding twice adds nothing


@pytest.mark.parametrize("size", ["a4", "card"])
def test_the_poster_is_one_page_whose_code_leads_to_the_survey(make_sqlite_instance, size):
    import io

    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    from willkommen_plugins.kundenbefragung import render

    instance = make_sqlite_instance(
        ["kundenbefragung"], languages=[*ALL_LANGS], name=f"poster-{size}"
    )
    base = "https://willkommen.magdeburg.de"
    pdf = render.poster(instance, base, size)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Wie war Ihr Besuch?" in text and "Ziyaretiniz nasıl geçti?" in text
    png = render.poster(instance, base, size, fmt="png", ppi=150)
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert code.text == f"{base}/kundenbefragung/"


def test_answers_are_marked_and_read_only_for_the_disclosure_layer():
    from pathlib import Path

    import willkommen_plugins.kundenbefragung as package
    from willkommen_core.disclosure import bypasses
    from willkommen_plugins.kundenbefragung.tables import metadata

    marked = {t.name for t in metadata.tables.values() if t.info.get("answers")}
    assert marked == {
        "kundenbefragung_responses",
        "kundenbefragung_answers",
        "kundenbefragung_comments",
    }
    assert bypasses(Path(package.__file__).parent) == []


def test_with_the_signage_on_the_survey_asks_for_its_services_in_the_reader_s_language(
    make_sqlite_instance, make_client
):
    """Hook customer_services: the signage's counters (not lifts) replace the survey's own
    list, titled in each language; "something else" stays; no module imports the other."""
    from willkommen_plugins.kundenbefragung import content as kb_content

    alone = kb_content.current(_instance(make_sqlite_instance))
    assert alone.services == ("aufenthalt", "einbuergerung", "sonstiges")

    both = make_sqlite_instance(["kundenbefragung", "leitsystem"])
    survey = kb_content.current(both)
    assert survey.services[-1] == "sonstiges"
    assert {"empfang", "kasse", "aufenthalt", "einbuergerung"} <= set(survey.services)
    assert not {"aufzug", "wartebereich"} & set(survey.services)
    # The survey's own wording wins where it has one; the signage's fills the rest.
    assert survey.text("de", "services", "aufenthalt").text == "Aufenthaltserlaubnis oder Visum"
    assert survey.text("de", "services", "kasse").text == "Kasse"
    arabic = survey.text("ar", "services", "kasse")
    assert arabic.lang == "ar" and arabic.text != "Kasse"
    page = make_client(both).get("/kundenbefragung/?lang=ar")
    assert page.status_code == 200 and arabic.text in page.text
