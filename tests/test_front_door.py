"""The public front door: the start page for customers, the accessibility statement,
forms whose errors are found, and a header that fits a phone.

BITV 2.0 § 4 asks for an explanation of the site in Leichte Sprache and German
Sign Language on the start page; § 7 and the EU model statement (2018/1523) for
the statement's parts. The browser half (keyboard, 320 px, axe, the focused
error summary, the header's height) is tests/browser/test_front_door.py.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from willkommen_core.settings import WEEKDAYS, OpeningHours
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_core.web.opening_hours import rows

DOCS = Path(__file__).parent.parent / "docs"
HOURS = [
    {"days": ["mo", "di", "mi", "do", "fr"], "opens": "08:00", "closes": "12:00"},
    {"days": ["di", "do"], "opens": "13:00", "closes": "18:00"},
]
SITES = [
    {
        "name": "Hauptsitz",
        "street": "Marktplatz 1",
        "postcode": "39104",
        "city": "Teststadt",
        "opening_hours": HOURS,
    },
    {"name": "Außenstelle Nord", "street": "Nordweg 2", "postcode": "39106", "city": "Teststadt"},
]


@pytest.fixture
def instance(make_sqlite_instance, hallo_distribution):
    return make_sqlite_instance(["hallo"], authority={"sites": SITES, "phone": "0391 540-0"})


@pytest.fixture
def anonymous(instance, make_client):
    return make_client(instance)


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


# -- the start page ----------------------------------------------------------------------


def test_customers_find_the_authority_its_sites_and_hours_at_the_root(anonymous):
    page = anonymous.get("/", follow_redirects=False)
    assert page.status_code == 200  # no longer sent to the staff login
    main = main_of(page.text)
    assert "<h1>Ausländerbehörde Teststadt</h1>" in main
    assert "Marktplatz 1" in main and "Außenstelle Nord" in main
    # Day names and times from CLDR; the site without hours is by appointment.
    assert "Mo.–Fr." in main and "08:00–12:00" in main and "Di. und Do." in main
    assert "Termine nach Vereinbarung." in main
    assert "0391 540-0" in main


def test_the_start_page_links_the_modules_customer_pages_and_a_discreet_staff_login(
    anonymous, instance
):
    page = anonymous.get("/").text
    for name in instance.plugins.active:
        info = instance.plugins.info(name)
        if info.public_path:
            assert f'href="{info.public_path}"' in main_of(page)
    assert 'href="/barrierefreiheit"' in main_of(page)
    login_links = re.findall(r'<li class="account staff-login"><a href="/login"', page)
    assert len(login_links) == 1, "one staff login, at the end of the menu"


def test_staff_reach_their_dashboard_at_the_same_address_after_login(instance, make_client):
    client = make_client(instance)
    login(client, instance, "leitung")  # the login form sends them to "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Werkzeugkasten Willkommensbehörde" in page.text  # the dashboard's heading
    assert "Standorte und Öffnungszeiten" not in page.text


def test_one_language_selector_offers_every_customer_language_and_leichte_sprache(anonymous):
    page = anonymous.get("/").text
    assert page.count('<nav class="languages"') == 1
    selector = page[page.index('<nav class="languages"') : page.index("</nav>")]
    assert re.findall(r'href="/\?lang=([\w-]+)"', selector) == ["de", "en", "ar", "uk", "de-x-ls"]
    assert 'lang="de" dir="ltr" hreflang="de">Leichte Sprache</a>' in selector


def test_leichte_sprache_explains_the_site_and_is_remembered(anonymous):
    page = anonymous.get("/?lang=de-x-ls")
    assert '<html lang="de" dir="ltr">' in page.text
    main = main_of(page.text)
    assert '<section class="plain-language" aria-labelledby="h-plain" lang="de"' in main
    assert "Barriere·freiheit bedeutet" in main
    # Written out, as Leichte Sprache asks: no abbreviated weekdays.
    assert "Montag bis Freitag" in main and "08:00 bis 12:00" in main
    again = anonymous.get("/")
    assert "Die Seite in Leichter Sprache" in again.text
    assert 'hreflang="de" aria-current="true">Leichte Sprache' in again.text


def test_the_sign_language_video_is_linked_only_when_set(
    make_sqlite_instance, make_client, hallo_distribution
):
    without = make_client(make_sqlite_instance(["hallo"], name="ohne")).get("/").text
    assert "Gebärdensprache" not in without
    url = "https://video.example.org/dgs/willkommen"
    instance = make_sqlite_instance(["hallo"], name="mit", web={"sign_language_video_url": url})
    page = make_client(instance).get("/").text
    assert f'href="{url}">Video in Deutscher Gebärdensprache</a>' in page


def test_a_sign_language_video_must_be_https_or_a_local_path(tmp_path):
    from willkommen_core.settings import WebSection

    assert WebSection(sign_language_video_url="/static/dgs.mp4").sign_language_video_url
    with pytest.raises(ValueError, match="sign_language_video_url"):
        WebSection(sign_language_video_url="http://video.example.org/x")


def test_opening_hours_that_end_before_they_begin_name_the_key(make_sqlite_instance):
    from willkommen_core.errors import UserError

    wrong = [{**SITES[0], "opening_hours": [{"days": ["mo"], "opens": "12:00", "closes": "08:00"}]}]
    with pytest.raises(UserError) as raised:
        make_sqlite_instance([], authority={"sites": wrong}).check()
    assert "opening_hours" in str(raised.value) or "closes" in str(raised.value)


@given(
    st.lists(
        st.tuples(
            st.sets(st.sampled_from(WEEKDAYS), min_size=1),
            st.integers(min_value=0, max_value=22),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["de", "en", "ar", "fa", "uk", "de-x-ls"]),
)
def test_every_line_of_opening_hours_is_shown_once_in_every_language(lines, lang):
    hours = [
        OpeningHours(days=sorted(days, key=WEEKDAYS.index), opens=time(h), closes=time(h + 1))
        for days, h in lines
    ]
    shown = rows(hours, lang)
    assert len(shown) == len({tuple(h.days) for h in hours})  # one row per set of days
    assert sum(times.count(":") for _days, times in shown) == 2 * len(hours)
    assert all(days and times for days, times in shown)


# -- the accessibility statement ---------------------------------------------------------


def test_the_statement_has_the_parts_of_the_eu_model(anonymous):
    main = main_of(anonymous.get("/barrierefreiheit").text)
    assert "Diese Erklärung wurde am 26. November 2026 erstellt" in main
    assert "zuletzt am 26. November 2026 überprüft" in main
    assert "mit der BITV 2.0 vollständig vereinbar" in main
    assert "Nicht barrierefreie Inhalte sind nicht bekannt." in main
    assert 'href="mailto:abh@teststadt.example"' in main
    # Saxony-Anhalt's conciliation body, by default.
    assert "Schlichtungsstelle bei der Landesbeauftragten für Menschen mit Behinderungen" in main
    assert "§ 16 BGG LSA" in main
    assert "Dokumentation" not in main  # no pointer to "known limitations" elsewhere


def test_none_known_agrees_with_the_documentation():
    text = (DOCS / "accessibility.md").read_text(encoding="utf-8")
    known = text[text.index("## Known exceptions") :]
    assert known.split("\n\n")[1].startswith("None.")


def test_an_instance_states_its_own_barriers_dates_and_enforcement_body(
    make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(
        [],
        accessibility={
            "prepared": "2027-01-15",
            "reviewed": "2027-03-01",
            "conformance": "teilweise",
            "non_accessible": ["Das Antragsformular als PDF ist nicht barrierefrei."],
            "enforcement": {
                "name": "Durchsetzungsstelle des Landes Beispiel",
                "email": "durchsetzung@land.example",
                "url": "https://land.example/barrierefreiheit",
            },
        },
    )
    main = main_of(make_client(instance).get("/barrierefreiheit").text)
    assert "teilweise mit der BITV 2.0 vereinbar" in main
    assert "Das Antragsformular als PDF ist nicht barrierefrei." in main
    assert "15. Januar 2027" in main and "1. März 2027" in main
    assert "Durchsetzungsstelle des Landes Beispiel" in main
    assert 'href="mailto:durchsetzung@land.example"' in main
    assert "Sachsen-Anhalt" not in main


def test_partial_conformance_must_name_the_barriers():
    from willkommen_core.settings import AccessibilitySection

    with pytest.raises(ValueError, match="non_accessible"):
        AccessibilitySection(conformance="teilweise")
    with pytest.raises(ValueError, match="before prepared"):
        AccessibilitySection(prepared="2027-01-02", reviewed="2027-01-01")


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("en", "Enforcement procedure"), ("ar", "إجراء الإنفاذ"), ("uk", "Процедура")],
)
def test_the_statement_is_in_every_customer_language(anonymous, lang, heading):
    main = main_of(anonymous.get(f"/barrierefreiheit?lang={lang}").text)
    assert heading in main
    # German is left only where it is the authority's own data, marked as German.
    assert "Durchsetzungsverfahren" not in main and "Erstellung dieser" not in main
    assert '<address id="enforcement" lang="de" dir="ltr">' in main


# -- forms -------------------------------------------------------------------------------


@pytest.fixture
def leitung(make_sqlite_instance, make_client):
    instance = make_sqlite_instance([], name="plan")
    client = make_client(instance)
    login(client, instance, "leitung")
    return client


def test_a_form_with_errors_says_so_in_the_title_and_focuses_its_summary(leitung):
    page = leitung.post(
        "/plan/groups/new",
        data={"csrf_token": csrf_from(leitung.get("/plan/groups/new").text), "name": ""},
    )
    assert page.status_code == 400
    assert re.search(r"<title>Fehler: Neue Arbeitsgruppe – ", page.text)
    summary = re.search(r'<div class="error-summary"[^>]*>', page.text)
    assert summary and "autofocus" in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    # The summary comes before the form and links each message to its field.
    main = main_of(page.text)
    assert main.index("error-summary") < main.index('<form method="post"')
    assert 'href="#f-name"' in page.text
    messages = re.findall(r'<p class="error-text" id="f-name-error">([^<]+)</p>', page.text)
    assert len(messages) == 1 and not re.search(r"[.:]\s*[.:]", messages[0])
    assert 'aria-describedby="f-name-error"' in page.text


def test_a_page_without_errors_has_no_error_in_its_title(leitung):
    assert "<title>Neue Arbeitsgruppe – " in leitung.get("/plan/groups/new").text


def test_checkbox_groups_and_the_notice_checkbox_are_described_by_their_errors(
    make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["selbstcheck"], name="runde")
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get("/selbstcheck/runden/neu")
    created = client.post(
        "/selbstcheck/runden/neu",
        data={"csrf_token": csrf_from(page.text), "title": "Runde 1", "mode": "code"},
        follow_redirects=False,
    )
    url = created.headers["location"]
    detail = client.get(url)
    refused = client.post(f"{url}/oeffnen", data={"csrf_token": csrf_from(detail.text)})
    assert refused.status_code == 400
    box = re.search(r'<input type="checkbox" id="f-notice_read"[^>]*>', refused.text)
    assert box and 'aria-describedby="f-notice_read-error"' in box.group(0)
    assert 'aria-invalid="true"' in box.group(0)
    assert 'id="f-notice_read-error"' in refused.text


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_unanswered_statements_are_named_without_punctuation_glitches(
    make_sqlite_instance, make_client, lang
):
    from html import unescape

    from selbstcheck_support import open_round

    instance = make_sqlite_instance(["selbstcheck"], name=f"teilnahme-{lang}")
    rnd = open_round(instance)
    client = make_client(instance)
    start = client.get("/selbstcheck/teilnahme", params={"code": rnd.code, "lang": lang})

    def step(page, **fields):
        hidden = dict(re.findall(r'name="(state|step)" value="([^"]*)"', page.text))
        data = {"csrf_token": csrf_from(page.text), "nav": "next", **hidden, **fields}
        return client.post("/selbstcheck/teilnahme", data={k: unescape(v) for k, v in data.items()})

    first = step(start, perspective="mitarbeitende")
    refused = step(first)  # nothing answered on the first cornerstone's page
    assert refused.status_code == 400
    assert refused.text.count('class="error-summary"') == 1
    summary = refused.text[refused.text.index('class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    links = re.findall(r"<li><a [^>]*>(.*?)</a></li>", summary, re.S)
    assert links, "each unanswered statement is linked"
    text = " ".join(re.sub(r"<[^>]+>", " ", link) for link in links)
    assert not re.search(r"[.!?]\s*:", text), text  # no ".:" between statement and message
    assert '<span class="error-item">' in summary


def test_field_attributes_are_real_attributes_not_escaped_text(instance, make_client):
    from willkommen_core.web.templating import make_environment

    env = make_environment(Path("/nonexistent"), [])
    html = env.from_string(
        '{% from "macros.html" import field %}'
        '{{ field("n", "Anzahl", attrs={"inputmode": "numeric"}) }}'
    ).render(csrf_token=lambda: "x")
    assert ' inputmode="numeric"' in html and "&#34;" not in html


# -- the header on a phone ---------------------------------------------------------------


def test_the_header_folds_languages_and_menu_into_details_without_script(anonymous):
    page = anonymous.get("/").text
    header = page[page.index("<header") : page.index("</header>")]
    assert header.count("<details") == 2 and "<script" not in page
    language = header[header.index('<details class="fold language-fold">') :]
    assert language.index('<nav class="languages"') < language.index("</details>")
    menu = header[header.index('<details class="fold menu-fold">') :]
    assert menu.index('<nav class="main-nav"') < menu.index("</details>")
    # The closed language fold names the current language in its own script.
    assert '<span lang="de" dir="ltr">Deutsch</span></summary>' in header


def test_first_information_has_no_second_language_bar(make_sqlite_instance, make_client):
    instance = make_sqlite_instance(["leitsystem"], name="info")
    page = make_client(instance).get("/leitsystem/info/?lang=de-x-ls").text
    assert page.count('<nav class="languages"') == 1 and "info-langs" not in page
    assert 'href="/leitsystem/info/?lang=de-x-ls"' in page
