"""Training catalogue and staff development (``fortbildung``), issue 4.

The seed's working group "Personalentwicklung": a catalogue (professional,
cross-cutting, team-building), an anonymous needs survey, an annual plan
with places and registrations, the yearly targets, participation under
pseudonyms that only leadership sees, and recommendations for a weak
"Kompetenzen" result. Storage tests run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime

import pytest
from sqlalchemy import inspect

from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_core.types import AssessmentResult
from willkommen_plugins.fortbildung import content, store, survey
from willkommen_plugins.fortbildung.model import SessionData

SHIPPED_KEYS = {
    # professional
    "aufenthaltsrecht-aktuell",
    "asylverfahren",
    "bescheide-rechtsmittel",
    # cross-cutting
    "interkulturelle-kompetenz",
    "englisch-publikum",
    "sprachkurs-weitere",
    "deeskalation",
    "kundenorientierung",
    "einfache-sprache",
    # team-building
    "supervision",
    "teamtag",
    "besuch-bamf",
    "besuch-zast",
}


def _post(client, page_url, url, data, **kw):
    token = csrf_from(client.get(page_url).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False, **kw)


def _entry(instance, key):
    return next(e for e in store.list_entries(instance.db) if e.key == key)


def _session(instance, key, when, *, capacity=None, hours=2, title=""):
    return store.create_session(
        instance.db,
        SessionData(
            entry_id=_entry(instance, key).id,
            starts_at=when,
            ends_at=when.replace(hour=when.hour + hours),
            capacity=capacity,
            title=title,
            location="Raum 1",
        ),
    )


ENTRY_FORM = {
    "title": "Familiennachzug kompakt",
    "key": "familiennachzug",
    "category": "fachlich",
    "format": "intern",
    "duration_hours": "1,5",
    "provider": "Ausländerbehörde (eigene Fachkräfte)",
    "languages": "de",
    "target_groups": ["aufenthalt", "bescheide"],
    "cornerstones": ["kompetenzen"],
    "description": "Neue Rechtsprechung",
    "active": "1",
}


# -- catalogue ---------------------------------------------------------------------------


def test_shipped_catalogue_is_valid_and_covers_the_three_kinds_of_training(make_sqlite_instance):
    instance = make_sqlite_instance(["fortbildung"])
    assert content.problems(instance) == []
    shipped = content.load(instance)
    assert {e.key for e in shipped.entries} >= SHIPPED_KEYS
    assert {e.category for e in shipped.entries} == {"fachlich", "fachuebergreifend", "teambildung"}
    for entry in shipped.entries:
        assert entry.format in ("intern", "extern")
        assert entry.duration_hours > 0 and entry.languages and entry.cornerstones


def test_shipped_entries_are_seeded_by_db_upgrade_and_only_once(make_instance):
    """Seeding belongs to the upgrade, not to a page: reading never writes."""
    instance = make_instance(["fortbildung"])  # migrated like `willkommen db upgrade`
    entries = store.list_entries(instance.db)
    assert {e.key for e in entries} >= SHIPPED_KEYS and all(e.shipped for e in entries)
    # An entry the redaktion deleted on purpose does not come back with the next upgrade.
    assert store.delete_entry(instance.db, _entry(instance, "teamtag").id) == "deleted"
    instance.upgrade_storage()
    assert "teamtag" not in {e.key for e in store.list_entries(instance.db)}


def test_no_page_or_hook_of_the_module_seeds_on_its_read_path():
    from pathlib import Path

    import willkommen_plugins.fortbildung as package

    callers = [
        f.name
        for f in Path(package.__file__).parent.glob("*.py")
        if "ensure_seeded(" in f.read_text() and f.name not in ("store.py", "tables.py")
    ]
    assert callers in ([], ["demo.py"])


def test_a_broken_catalogue_override_is_reported_naming_file_entry_and_field(
    make_sqlite_instance,
):
    instance = make_sqlite_instance(["fortbildung"])
    override = instance.root / "content" / "fortbildung" / "katalog.toml"
    override.parent.mkdir(parents=True)
    override.write_text(
        '[work_areas.alle]\nde = "Alle"\nen = "All"\n\n'
        '[[entries]]\nkey = "kurs"\ntitle = "Kurs"\ncategory = "sport"\nformat = "intern"\n'
        'duration_hours = 2\nlanguages = ["de"]\ncornerstones = ["kompetenzen"]\n',
        encoding="utf-8",
    )
    problems = [p for p in instance.check(database=False) if "katalog" in p.file]
    assert [(p.file, p.key) for p in problems] == [
        ("content/fortbildung/katalog.toml", "entries[1] (kurs).category")
    ]
    # The pages keep working from the shipped catalogue.
    assert {e.key for e in content.load(instance).entries} >= SHIPPED_KEYS


def test_redaktion_adds_and_edits_an_entry_in_the_web_ui(make_instance, make_client):
    instance = make_instance(["fortbildung"])
    client = make_client(instance)
    login(client, instance, "redaktion")
    response = _post(client, "/fortbildung/katalog/neu", "/fortbildung/katalog/neu", ENTRY_FORM)
    assert response.status_code == 303
    entry = _entry(instance, "familiennachzug")
    assert (entry.duration_hours, entry.target_groups, entry.shipped) == (
        1.5,
        ["aufenthalt", "bescheide"],
        False,
    )
    page = client.get(response.headers["location"]).text
    assert "Familiennachzug kompakt" in page and "Publikumsbereich Ausländerrecht" in page

    url = f"/fortbildung/katalog/{entry.id}/bearbeiten"
    response = _post(client, url, url, {**ENTRY_FORM, "format": "extern", "active": ""})
    assert response.status_code == 303
    entry = _entry(instance, "familiennachzug")
    assert (entry.format, entry.active) == ("extern", False)


def test_invalid_entry_re_renders_with_the_input_and_a_message_per_field(
    make_instance, make_client
):
    instance = make_instance(["fortbildung"])
    client = make_client(instance)
    login(client, instance, "redaktion")
    bad = {
        **ENTRY_FORM,
        "key": "Kein Schlüssel",
        "duration_hours": "zwei",
        "languages": "de, klingonisch",
        "cornerstones": [],
        "title": "Mein <b>Titel</b>",
    }
    response = _post(client, "/fortbildung/katalog/neu", "/fortbildung/katalog/neu", bad)
    assert response.status_code == 400
    page = response.text
    assert "Bitte korrigieren Sie folgende Angaben" in page
    assert "Die Kennung besteht aus 2 bis 60 Kleinbuchstaben" in page
    assert "Dauer in Stunden als Zahl" in page
    assert "Unbekannte Sprachcodes: klingonisch" in page
    assert "mindestens einen Eckpunkt" in page
    assert 'value="Mein &lt;b&gt;Titel&lt;/b&gt;"' in page  # kept, escaped
    assert 'value="zwei"' in page
    assert 'value="bescheide" checked' in page
    assert "Familiennachzug" not in {e.title for e in store.list_entries(instance.db)}

    # A key that is taken is named as such.
    response = _post(
        client,
        "/fortbildung/katalog/neu",
        "/fortbildung/katalog/neu",
        {**ENTRY_FORM, "key": "teamtag"},
    )
    assert response.status_code == 400 and "Diese Kennung ist schon vergeben." in response.text


def test_only_editors_change_the_catalogue_leadership_reads_it(make_sqlite_instance, make_client):
    instance = make_sqlite_instance(["fortbildung"])
    client = make_client(instance)
    login(client, instance, "leitung")
    assert client.get("/fortbildung/katalog").status_code == 200
    assert "Eintrag anlegen" not in client.get("/fortbildung/katalog").text
    assert client.get("/fortbildung/katalog/neu").status_code == 403
    entry = _entry(instance, "teamtag")
    assert client.get(f"/fortbildung/katalog/{entry.id}/bearbeiten").status_code == 403
    admin = make_client(instance)
    login(admin, instance, "admin")
    assert admin.get("/fortbildung/katalog/neu").status_code == 200


def test_an_entry_with_sessions_is_not_deleted_but_can_be_deactivated(make_instance, make_client):
    instance = make_instance(["fortbildung"])
    _session(instance, "teamtag", datetime(2025, 9, 19, 9))
    used, free = _entry(instance, "teamtag"), _entry(instance, "besuch-bamf")
    client = make_client(instance)
    login(client, instance, "redaktion")
    url = f"/fortbildung/katalog/{used.id}/loeschen"
    response = _post(client, url, url, {})
    assert response.status_code == 409 and "stattdessen auf inaktiv" in response.text
    assert store.get_entry(instance.db, used.id) is not None
    url = f"/fortbildung/katalog/{free.id}/loeschen"
    assert _post(client, url, url, {}).status_code == 303
    assert store.get_entry(instance.db, free.id) is None


def test_provider_links_to_the_matching_partner_when_the_partner_list_is_enabled(
    make_instance, make_client
):
    from willkommen_plugins.partner import store as partner_store
    from willkommen_plugins.partner.model import PartnerData

    instance = make_instance(["fortbildung", "partner"])
    vhs = partner_store.create(
        instance.db, PartnerData(name="Volkshochschule Magdeburg", category="sprachkurs")
    )
    english = _entry(instance, "englisch-publikum")
    client = make_client(instance)
    login(client, instance, "redaktion")
    assert f'href="/partner/{vhs}"' in client.get(f"/fortbildung/katalog/{english.id}").text
    assert f'href="/partner/{vhs}"' in client.get("/fortbildung/katalog").text
    api = client.get(f"/api/v1/fortbildung/catalogue/{english.id}").json()
    assert api["partner"] == {"id": vhs, "name": "Volkshochschule Magdeburg"}
    # The editor may pick a partner explicitly; the form offers the partner list.
    url = f"/fortbildung/katalog/{english.id}/bearbeiten"
    assert 'name="partner_id"' in client.get(url).text
    response = _post(client, url, url, {**ENTRY_FORM, "key": english.key, "partner_id": "99999"})
    assert response.status_code == 400 and "nicht (mehr) in der Partnerliste" in response.text


def test_without_the_partner_list_providers_are_plain_text(make_instance, make_client):
    instance = make_instance(["fortbildung"])
    english = _entry(instance, "englisch-publikum")
    client = make_client(instance)
    login(client, instance, "redaktion")
    page = client.get(f"/fortbildung/katalog/{english.id}").text
    assert "Volkshochschule" in page and "/partner/" not in page
    assert (
        'name="partner_id"' not in client.get(f"/fortbildung/katalog/{english.id}/bearbeiten").text
    )
    assert client.get(f"/api/v1/fortbildung/catalogue/{english.id}").json()["partner"] is None
    assert store.partner_index(instance) is None


def test_catalogue_csv_export_neutralises_spreadsheet_formulas(make_sqlite_instance, make_client):
    instance = make_sqlite_instance(["fortbildung"])
    client = make_client(instance)
    login(client, instance, "redaktion")
    _post(
        client,
        "/fortbildung/katalog/neu",
        "/fortbildung/katalog/neu",
        {**ENTRY_FORM, "title": '=HYPERLINK("http://x")'},
    )
    response = client.get("/fortbildung/katalog.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["key", "title", "category"]
    assert ["familiennachzug", '\'=HYPERLINK("http://x")'] in [r[:2] for r in rows]
    assert "Aktuelle Änderungen im Aufenthaltsrecht" in response.text


# -- needs survey --------------------------------------------------------------------------


def _answer(client, code, **data):
    url = f"/fortbildung/umfrage/{code}"
    return _post(client, url, url, data)


def test_staff_answer_the_needs_survey_anonymously_through_a_public_link(
    make_instance, make_client
):
    instance = make_instance(["fortbildung"])
    leitung = make_client(instance)
    login(leitung, instance, "leitung")
    response = _post(
        leitung, "/fortbildung/umfragen", "/fortbildung/umfragen/neu", {"title": "Bedarf 2025"}
    )
    assert response.status_code == 303
    found = survey.list_all(instance.db)[0]
    assert found.code in leitung.get(response.headers["location"]).text

    staff = make_client(instance)  # no account, no login
    form = staff.get(f"/fortbildung/umfrage/{found.code}")
    assert form.status_code == 200 and "Deeskalation" in form.text
    response = _answer(
        staff,
        found.code,
        topics=["deeskalation", "englisch-publikum"],
        formats=["intern"],
        work_area="aufenthalt",
    )
    assert response.status_code == 303
    assert "anonym gespeichert" in staff.get(response.headers["location"]).text

    # Only work area and choices are stored, under a random key: no name, IP address,
    # day or time (the files themselves: tests/test_storage_unlinkable.py).
    columns = {c["name"] for c in inspect(instance.db.engine).get_columns("fortbildung_responses")}
    assert columns == {"id", "survey_id", "work_area"}
    with instance.db.read() as s:
        from willkommen_plugins.fortbildung.tables import responses

        (row,) = s.execute(responses.select()).all()
    assert re.fullmatch(r"[0-9a-f]{32}", row.id)


def test_an_empty_or_invalid_survey_answer_is_refused_with_a_message_and_kept(
    make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["fortbildung"])
    store.ensure_seeded(instance)
    found = survey.create(instance.db, "Bedarf")
    client = make_client(instance)
    response = _answer(client, found.code, work_area="aufenthalt")
    assert response.status_code == 400
    assert "mindestens ein Thema oder ein Format" in response.text
    assert '<option value="aufenthalt" selected>' in response.text
    response = _answer(client, found.code, topics=["gibt-es-nicht"], formats=["online"])
    assert response.status_code == 400 and "gibt es nicht (mehr)" in response.text
    assert 'value="online" checked' in response.text
    assert survey.participants(instance.db, found.id).n == 0
    survey.set_open(instance.db, found.id, False)
    assert client.get(f"/fortbildung/umfrage/{found.code}").status_code == 410
    assert client.get("/fortbildung/umfrage/NOPE1234").status_code == 404


def test_small_work_areas_are_withheld_together_so_none_can_be_subtracted():
    """The needs survey asks the core disclosure layer like every module: an area below
    the minimum is withheld, together with the next smallest where the withheld ones
    would still be too few, so the total minus the shown areas never isolates one."""
    from willkommen_core.disclosure import WITHHELD, Answers, release

    def shown(sizes):
        people = [Answers((a,), {"topic:x": 1}) for a, n in sizes.items() for _ in range(n)]
        rel = release(people, characteristics=("work_area",), min_size=5, scale=(0, 1))
        return {a for a in rel.values_of("work_area") if a is not WITHHELD}

    assert shown({"a": 9, "b": 6, "c": 2}) == {"a"}  # 2 alone is < 5: b goes with it
    assert shown({"a": 9, "b": 3, "c": 4}) == {"a"}  # together 7 >= 5
    assert shown({"a": 9, "b": 6}) == {"a", "b"}
    assert shown({"a": 20, "b": 8, "c": 1, "d": 1}) == {"a"}


def test_survey_results_respect_the_core_minimum_group_size(make_instance, make_client):
    instance = make_instance(["fortbildung"], privacy={"min_group_size": 5})
    store.ensure_seeded(instance)
    found = survey.create(instance.db, "Bedarf 2025")
    for _ in range(4):
        survey.submit(
            instance.db, found.id, work_area="aufenthalt", topics=["deeskalation"], formats=[]
        )
    client = make_client(instance)
    login(client, instance, "redaktion")
    page = client.get(f"/fortbildung/umfragen/{found.id}").text
    assert "sobald die Umfrage geschlossen ist" in page and "weniger als 5" in page
    survey.set_open(instance.db, found.id, False)
    page = client.get(f"/fortbildung/umfragen/{found.id}").text
    assert "Noch zu wenige Antworten" in page and "Deeskalation" not in page
    survey.set_open(instance.db, found.id, True)

    # 6 + 4 + 1 answers: "Integration" (4) and "EDV" (1) are below 5 and shown only
    # together (5); a single small area is never derivable as total minus the rest.
    for _ in range(2):
        survey.submit(
            instance.db,
            found.id,
            work_area="aufenthalt",
            topics=["deeskalation"],
            formats=["intern"],
        )
    for _ in range(4):
        survey.submit(
            instance.db, found.id, work_area="integration", topics=["einfache-sprache"], formats=[]
        )
    survey.submit(instance.db, found.id, work_area="edv", topics=["teamtag"], formats=[])
    assert "10 bis 19" in client.get(f"/fortbildung/umfragen/{found.id}").text  # while open
    survey.set_open(instance.db, found.id, False)
    result = survey.results(instance.db, found.id, 5)
    assert [g.id for g in result.groups] == ["aufenthalt"]
    assert result.combined.respondents == 5
    assert result.topics["deeskalation"] == 6
    page = client.get(f"/fortbildung/umfragen/{found.id}").text
    assert "Publikumsbereich Ausländerrecht (6 Antworten)" in page
    assert "Weitere Arbeitsbereiche zusammengefasst (5 Antworten)" in page
    assert "Publikumsbereich Integration und Einbürgerung (" not in page
    assert "EDV und Service (" not in page


# -- annual plan ---------------------------------------------------------------------------


def test_leadership_plans_a_session_and_registers_staff_up_to_its_capacity(
    make_instance, make_client
):
    instance = make_instance(["fortbildung"])
    entry = _entry(instance, "deeskalation")
    client = make_client(instance)
    login(client, instance, "leitung")
    form = {
        "entry_id": str(entry.id),
        "title": "",
        "day": "2025-03-12",
        "start": "10:00",
        "end": "09:00",
        "location": "Raum 2",
        "capacity": "2",
        "notes": "",
    }
    response = _post(client, "/fortbildung/plan/neu", "/fortbildung/plan/neu", form)
    assert response.status_code == 400
    assert "Die Endzeit muss nach der Anfangszeit liegen." in response.text
    assert 'value="Raum 2"' in response.text
    response = _post(
        client, "/fortbildung/plan/neu", "/fortbildung/plan/neu", {**form, "end": "16:00"}
    )
    assert response.status_code == 303
    sid = store.list_sessions(instance.db, year=2025)[0].id
    url = f"/fortbildung/plan/{sid}"
    for pseudonym in ("MA-01", "4711"):
        assert _post(client, url, f"{url}/anmelden", {"pseudonym": pseudonym}).status_code == 303
    response = _post(client, url, f"{url}/anmelden", {"pseudonym": "MA-01"})
    assert response.status_code == 409 and "schon angemeldet" in response.text
    response = _post(client, url, f"{url}/anmelden", {"pseudonym": "MA-03"})
    assert response.status_code == 409 and "Alle Plätze sind belegt: 2 von 2." in response.text
    response = _post(client, url, f"{url}/anmelden", {"pseudonym": "Erika Muster"})
    assert response.status_code == 400 and "ohne Leerzeichen" in response.text
    session = store.get_session(instance.db, sid)
    assert (session.registered, session.free) == (2, 0)
    # Capacity cannot drop below the registrations.
    edit = f"{url}/bearbeiten"
    response = _post(client, edit, edit, {**form, "end": "16:00", "capacity": "1"})
    assert response.status_code == 400 and "nicht kleiner sein" in response.text
    plan = client.get("/fortbildung/plan?jahr=2025").text
    assert "2 von 2 belegt" in plan


def test_icalendar_export_parses_back_with_the_sessions(make_instance, make_client):
    from icalendar import Calendar

    instance = make_instance(["fortbildung"])
    _session(
        instance, "interne-fachschulung", datetime(2025, 1, 15, 13, 30), title="Erlasse Januar"
    )
    _session(instance, "englisch-publikum", datetime(2025, 7, 1, 15), capacity=12)
    _session(instance, "teamtag", datetime(2026, 1, 9, 9))  # another year
    client = make_client(instance)
    login(client, instance, "redaktion")
    response = client.get("/fortbildung/plan.ics?jahr=2025")
    assert response.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [str(e["summary"]) for e in events] == [
        "Erlasse Januar",
        "Englisch für den Publikumsverkehr",
    ]
    start = events[0].decoded("dtstart")
    assert (start.hour, start.minute, str(start.tzinfo)) == (13, 30, "Europe/Berlin")
    assert events[0].decoded("dtend").hour == 15
    assert str(events[1]["location"]) == "Raum 1"
    assert len({str(e["uid"]) for e in events}) == 2
    assert cal.walk("VTIMEZONE"), "the time zone is included for calendar programs"


def test_the_public_schedule_shows_what_is_on_but_no_personal_data(make_instance, make_client):
    instance = make_instance(["fortbildung"])
    soon = datetime.combine(date.today(), datetime.min.time()).replace(
        year=date.today().year + 1, hour=9
    )
    sid = _session(instance, "deeskalation", soon, capacity=10)
    store.register(instance.db, sid, "MA-99")
    client = make_client(instance)  # anonymous
    page = client.get("/fortbildung/termine")
    assert page.status_code == 200
    assert "Deeskalation" in page.text and ">9<" in page.text  # free places
    assert "MA-99" not in page.text
    ics = client.get("/fortbildung/termine.ics")
    assert ics.status_code == 200 and b"MA-99" not in ics.content and b"Deeskalation" in ics.content


def test_plan_csv_export_lists_the_year(make_sqlite_instance, make_client):
    instance = make_sqlite_instance(["fortbildung"])
    _session(instance, "teamtag", datetime(2014, 9, 19, 9), capacity=31, title="Teamveranstaltung")
    client = make_client(instance)
    login(client, instance, "leitung")
    text = client.get("/fortbildung/plan.csv?jahr=2014").text
    assert "2014-09-19;09:00;11:00;Teamveranstaltung;Teamtag der Ausländerbehörde" in text
    assert "Teamveranstaltung" not in client.get("/fortbildung/plan.csv?jahr=2015").text


# -- targets -------------------------------------------------------------------------------


def test_targets_internal_training_each_month_and_one_professional_per_person(make_instance):
    instance = make_instance(["fortbildung"])
    settings = instance.plugin_settings("fortbildung")
    for month in range(1, 13):
        if month != 4:
            _session(instance, "interne-fachschulung", datetime(2014, month, 15, 13))
    t = store.targets(instance.db, 2014, settings, today=date(2015, 1, 5))
    assert [m.status for m in t.months].count("missed") == 1 and not t.internal_reached
    assert t.months[3].status == "missed"
    _session(instance, "interne-fachschulung", datetime(2014, 4, 10, 13))
    assert store.targets(instance.db, 2014, settings, today=date(2015, 1, 5)).internal_reached
    # A month not over yet is open, not missed.
    t = store.targets(instance.db, 2015, settings, today=date(2015, 3, 1))
    assert [m.status for m in t.months[:3]] == ["missed", "missed", "open"]

    law = _session(instance, "aufenthaltsrecht-aktuell", datetime(2014, 11, 26, 9))
    store.register(instance.db, law, "MA-01", attended=True)
    store.register(instance.db, law, "MA-02")  # registered, did not attend
    team = _session(instance, "teamtag", datetime(2014, 9, 19, 9))
    store.register(instance.db, team, "MA-02", attended=True)  # team-building, not professional
    t = store.targets(instance.db, 2014, settings)
    assert (t.staff_total, t.staff_reached, t.professional_reached) == (2, 1, False)
    store.set_attended(
        instance.db, law, {r.id for r in store.session_registrations(instance.db, law)}
    )
    assert store.targets(instance.db, 2014, settings).professional_reached


def test_targets_are_shown_as_reached_or_not(make_sqlite_instance, make_client):
    instance = make_sqlite_instance(["fortbildung"])
    _session(instance, "interne-fachschulung", datetime(2014, 1, 15, 13))
    client = make_client(instance)
    login(client, instance, "redaktion")
    page = client.get("/fortbildung/plan?jahr=2014").text
    assert "<strong>nicht erreicht:</strong>" in page
    assert page.count('<tr class="reached">') == 1 and page.count('<tr class="missed">') == 11


# -- privacy of participation --------------------------------------------------------------


def test_participation_data_is_visible_to_leadership_and_admin_only(make_instance, make_client):
    instance = make_instance(["fortbildung"])
    sid = _session(instance, "asylverfahren", datetime(2015, 2, 24, 9))
    store.register(instance.db, sid, "MA-07", attended=True)
    redaktion = make_client(instance)
    login(redaktion, instance, "redaktion")
    for url in (
        "/fortbildung/teilnahme",
        "/fortbildung/teilnahme/MA-07",
        "/fortbildung/teilnahme/MA-07/export.json",
        "/fortbildung/teilnahme/MA-07/export.csv",
        "/fortbildung/teilnahme/MA-07/loeschen",
    ):
        assert redaktion.get(url).status_code == 403, url
    page = redaktion.get(f"/fortbildung/plan/{sid}").text
    assert "MA-07" not in page and "1 angemeldet" in page
    for role in ("leitung", "admin"):
        client = make_client(instance)
        login(client, instance, role)
        assert "MA-07" in client.get("/fortbildung/teilnahme?jahr=2015").text
        assert "MA-07" in client.get(f"/fortbildung/plan/{sid}").text


def test_a_person_gets_their_participation_data_and_can_have_it_deleted(make_instance, make_client):
    instance = make_instance(["fortbildung"])
    one = _session(instance, "asylverfahren", datetime(2015, 2, 24, 9))
    two = _session(instance, "teamtag", datetime(2015, 9, 4, 9))
    store.register(instance.db, one, "MA-07", attended=True)
    store.register(instance.db, two, "MA-07")
    store.register(instance.db, one, "MA-08", attended=True)
    client = make_client(instance)
    login(client, instance, "leitung")
    data = json.loads(client.get("/fortbildung/teilnahme/MA-07/export.json").text)
    assert data["pseudonym"] == "MA-07"
    assert [(r["date"], r["attended"]) for r in data["participation"]] == [
        ("2015-02-24", True),
        ("2015-09-04", False),
    ]
    csv = client.get("/fortbildung/teilnahme/MA-07/export.csv")
    assert csv.headers["content-disposition"] == 'attachment; filename="teilnahme-MA-07.csv"'
    assert csv.text.count("MA-07") == 2 and "MA-08" not in csv.text

    url = "/fortbildung/teilnahme/MA-07/loeschen"
    assert _post(client, url, url, {}).status_code == 303
    assert store.participation_of(instance.db, "MA-07") is None
    assert client.get("/fortbildung/teilnahme/MA-07").status_code == 404
    assert store.get_session(instance.db, one).registered == 1  # MA-08 stays


def test_summaries_contain_counts_only(make_instance):
    instance = make_instance(["fortbildung"])
    sid = _session(instance, "asylverfahren", datetime(date.today().year, 2, 24, 9))
    store.register(instance.db, sid, "Geheim-Pseudonym", attended=True)
    found = survey.create(instance.db, "Bedarf")
    survey.submit(instance.db, found.id, work_area="edv", topics=["teamtag"], formats=[])
    summary = instance.plugins.call_one("fortbildung", "state_summary", instance=instance)
    text = json.dumps(summary)
    assert "Geheim-Pseudonym" not in text and "edv" not in text and "teamtag" not in text
    assert summary["sessions"] == 1 and summary["needs_surveys"] == 1
    assert all(isinstance(v, int | bool | dict) for v in summary.values())


# -- recommendations ---------------------------------------------------------------------


def test_weak_competences_propose_concrete_catalogue_entries(make_instance):
    instance = make_instance(["fortbildung"], privacy={"min_group_size": 3})
    store.ensure_seeded(instance)
    found = survey.create(instance.db, "Bedarf")
    for _ in range(3):
        survey.submit(instance.db, found.id, work_area="", topics=["deeskalation"], formats=[])
    survey.set_open(instance.db, found.id, False)  # wishes count once the survey is closed
    weak = AssessmentResult({"kompetenzen": 2.8, "zusammenarbeit": 4.0})
    recs = instance.plugins.call_one(
        "fortbildung", "recommendations", instance=instance, results=weak
    )
    assert 1 <= len(recs) <= 5
    first = recs[0]
    deeskalation = _entry(instance, "deeskalation")
    assert first.cornerstone == "kompetenzen"
    assert (
        str(first.title)
        == "Fortbildung anbieten: Deeskalation und Umgang mit schwierigen Gesprächssituationen"
    )
    assert first.href == f"/fortbildung/katalog/{deeskalation.id}"
    assert "2,8" in first.reason and "3 Mitarbeitende" in first.reason
    for rec in recs:
        entry = store.get_entry(instance.db, int(rec.href.rsplit("/", 1)[1]))
        assert "kompetenzen" in entry.cornerstones and entry.active
    strong = AssessmentResult({"kompetenzen": 4.2})
    assert (
        instance.plugins.call_one(
            "fortbildung", "recommendations", instance=instance, results=strong
        )
        == []
    )
    assert (
        instance.plugins.call_one(
            "fortbildung", "recommendations", instance=instance, results=AssessmentResult({})
        )
        == []
    )


def test_a_disabled_training_module_leaves_no_trace_in_the_recommendations(make_instance):
    weak = AssessmentResult({"kompetenzen": 1.0, "zusammenarbeit": 1.0})
    with_it = make_instance(["fortbildung", "partner"], name="with")
    titles = [
        str(r.title)
        for r in with_it.plugins.call_list("recommendations", instance=with_it, results=weak)
    ]
    assert any(t.startswith("Fortbildung anbieten") for t in titles)
    without = make_instance(["partner"], name="without")
    recs = without.plugins.call_list("recommendations", instance=without, results=weak)
    assert recs and not any("/fortbildung/" in (r.href or "") for r in recs)
    assert not any(str(r.title).startswith("Fortbildung anbieten") for r in recs)


# -- no trace, API, dashboard, demo --------------------------------------------------------


def test_a_disabled_training_module_leaves_no_trace(make_instance, make_client):
    instance = make_instance(["partner"])
    client = make_client(instance)
    login(client, instance, "admin")
    for url in (
        "/fortbildung/",
        "/fortbildung/katalog",
        "/fortbildung/termine",
        "/api/v1/fortbildung/catalogue",
        "/fortbildung/umfrage/ABCDEFGH",
    ):
        assert client.get(url).status_code == 404, url
    assert 'href="/fortbildung/' not in client.get("/").text
    tables = inspect(instance.db.engine).get_table_names()
    assert not [
        t for t in tables if t.startswith("fortbildung_") or t == "alembic_version_fortbildung"
    ]
    assert "/api/v1/fortbildung" not in json.dumps(client.get("/api/openapi.json").json())


def test_nav_dashboard_card_and_overview(make_sqlite_instance, make_client):
    instance = make_sqlite_instance(["fortbildung"])
    client = make_client(instance)
    login(client, instance, "leitung")
    home = client.get("/").text
    assert 'href="/fortbildung/"' in home and "Zu Fortbildung und Jahresplan" in home
    page = client.get("/fortbildung/")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    english = client.get("/fortbildung/?lang=en").text
    assert "Training and staff development" in english and "Targets" in english


def test_the_api_reads_catalogue_and_plan_and_is_in_the_openapi_document(
    make_instance, make_client
):
    instance = make_instance(["fortbildung"])
    sid = _session(instance, "teamtag", datetime(2014, 9, 19, 9), capacity=31)
    store.register(instance.db, sid, "MA-01")
    client = make_client(instance)
    assert client.get("/api/v1/fortbildung/catalogue").status_code == 401
    login(client, instance, "redaktion")
    catalogue = client.get("/api/v1/fortbildung/catalogue?category=teambildung").json()
    assert catalogue["count"] == len(catalogue["entries"]) >= 4
    assert {e["category"] for e in catalogue["entries"]} == {"teambildung"}
    assert client.get("/api/v1/fortbildung/catalogue?category=x").status_code == 400
    plan = client.get("/api/v1/fortbildung/plan?year=2014").json()
    assert plan["sessions"][0]["registered"] == 1 and plan["sessions"][0]["free"] == 30
    assert "MA-01" not in json.dumps(plan)
    assert len(plan["targets"]["months"]) == 12
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/fortbildung/catalogue", "/api/v1/fortbildung/plan"} <= set(paths)


def test_demo_is_a_year_of_trainings_in_magdeburg_and_idempotent(make_instance, make_client):
    from willkommen_plugins.fortbildung import demo

    instance = make_instance(["fortbildung", "partner"])
    demo.seed(instance)
    demo.seed(instance)
    sessions = store.list_sessions(instance.db)
    titles = " | ".join(s.display_title for s in sessions)
    assert "Englisch für den Publikumsverkehr" in titles
    assert "Gemeinsamer Besuch von BAMF, ZASt und ZABH" in titles
    assert "Huysburg" in titles and "Supervision" in titles and "Teamveranstaltung" in titles
    english = [s for s in sessions if s.entry_title == "Englisch für den Publikumsverkehr"]
    assert {s.starts_at.month for s in english} == {9, 10, 11, 12}
    internal_2014 = {s.starts_at.month for s in sessions if s.internal and s.starts_at.year == 2014}
    assert set(range(3, 13)) <= internal_2014
    assert len(sessions) == len({(s.entry_id, s.starts_at) for s in sessions})
    assert store.participation_of(instance.db, "MA-01")
    (found,) = survey.list_all(instance.db)
    k = instance.settings.privacy.min_group_size
    assert survey.participants(instance.db, found.id).n >= k
    assert survey.results(instance.db, found.id, k).groups
    client = make_client(instance)
    login(client, instance, "leitung")
    assert client.get("/fortbildung/plan?jahr=2014").status_code == 200
    assert client.get(f"/fortbildung/umfragen/{found.id}").status_code == 200


@pytest.mark.parametrize("setting", [{"public_schedule": False}])
def test_the_public_schedule_can_be_switched_off(setting, make_sqlite_instance, make_client):
    instance = make_sqlite_instance(["fortbildung"], fortbildung=setting)
    assert make_client(instance).get("/fortbildung/termine").status_code == 404
