"""Exports people open (issue 15): a round's results and the state report as XLSX, the
round's results report as PDF (typst), and no live formula in any XLSX cell.

An XLSX is read with openpyxl and compared cell for cell with the CSV of the same
data: it never holds a figure the CSV (and the pages, which read the same
disclosure release) suppress. The PDF's text is read back with pypdf.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import openpyxl
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from selbstcheck_support import API, add_responses, bearer, breakdown_round, open_round
from test_csv_safety import assert_safe

from willkommen_core import plan
from willkommen_core.disclosure import Answers, Release
from willkommen_core.disclosure.release import SUPPRESSED
from willkommen_core.exports import XLSX_MEDIA_TYPE, Sheet, spreadsheet_safe, xlsx_bytes
from willkommen_core.rollout import summary as signing
from willkommen_core.rollout.land import CSV_FILE, build_report
from willkommen_core.rollout.land_xlsx import XLSX_FILE
from willkommen_core.testing import login
from willkommen_plugins.selbstcheck import store
from willkommen_plugins.selbstcheck.questionnaire import Cornerstone, Item, Questionnaire
from willkommen_plugins.selbstcheck.results import compute
from willkommen_plugins.selbstcheck.summary import CSV_FIELDS, export_csv
from willkommen_plugins.selbstcheck.xlsx import export_xlsx

FIGURES = ["responses", "n", "mean", *[f"count_{v}" for v in range(1, 6)], "dont_know"]
FORMULAS = ("=1+1", "+SUM(1;2)", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1+1", "＝5+5")


def workbook(body: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(body))


def data_rows(body: bytes, sheet: str | None = None, skip: int = 2) -> list[list[object]]:
    """The rows below the note and the heading."""
    book = workbook(body)
    ws = book[sheet] if sheet else book.worksheets[0]
    return [list(r) for r in ws.iter_rows(min_row=skip + 1, values_only=True)]


def same_cell(csv_cell: str, xlsx_cell: object) -> bool:
    """A CSV cell and an XLSX cell hold the same thing (an empty cell, a number, text)."""
    if csv_cell == "":
        return xlsx_cell is None
    if isinstance(xlsx_cell, bool):
        return csv_cell.lower() == str(xlsx_cell).lower()
    if isinstance(xlsx_cell, int | float):
        return float(csv_cell) == pytest.approx(float(xlsx_cell))
    return csv_cell == xlsx_cell


def assert_xlsx_equals_csv(csv_text: str, xlsx: list[list[object]], width: int) -> None:
    rows = list(csv.reader(io.StringIO(csv_text.removeprefix("\ufeff"))))[1:]
    assert len(rows) == len(xlsx)
    for row, cells in zip(rows, xlsx, strict=True):
        for c, x in zip(row, cells[:width], strict=True):
            assert same_cell(c, x), f"CSV {row} differs from XLSX {cells}"


# -- a round's results: the same figures as the CSV, property-tested ------------------------

AREAS = ("EDV", "Aufenthaltsbeendigung")


def _q() -> Questionnaire:
    def item(i: str, c: str) -> Item:
        return Item(i, c, {"de": f"Aussage {i}", "en": i}, {"de": "", "en": ""})

    return Questionnaire(
        "t-1",
        tuple(
            Cornerstone(c, {"de": c, "en": c}, (), tuple(item(f"{c}_{n}", c) for n in range(2)))
            for c in ("binnenorganisation", "verankerung")
        ),
        work_areas=AREAS,
    )


ROUND = store.Round(
    1,
    "Runde",
    None,
    None,
    "tokens",
    None,
    "closed",
    "t-1",
    "",
    False,
    None,
    None,
    datetime(2026, 1, 1),
    None,
    None,
)
_answer = st.one_of(st.none(), st.integers(1, 5))
_answer_sets = st.lists(
    st.tuples(
        st.tuples(st.sampled_from(("leitung", "mitarbeitende")), st.sampled_from([*AREAS, ""])),
        st.fixed_dictionaries({i: _answer for i in _q().items}),
    ),
    max_size=24,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_answer_sets, st.integers(2, 5))
def test_results_xlsx_holds_exactly_the_csv_figures_and_nothing_suppressed(answers, k):
    res = compute(_q(), [Answers(keys, values) for keys, values in answers], [], k)
    rows = data_rows(export_xlsx(ROUND, res, "Behörde"))
    assert_xlsx_equals_csv(export_csv(res), rows, len(CSV_FIELDS))
    suppressed = CSV_FIELDS.index("suppressed")
    for row in rows:
        if row[suppressed] is True:
            figures = [row[CSV_FIELDS.index(f)] for f in FIGURES if f != "responses"]
            assert figures[:-1] == [None] * (len(figures) - 1), f"suppressed row shows {row}"


def test_results_xlsx_has_readable_headings_the_note_and_the_statements(make_sqlite_instance):
    instance = make_sqlite_instance(["selbstcheck"])
    rnd, codes = breakdown_round(instance)
    add_responses(instance, rnd, 6, codes=codes)
    store.close_round(instance.db, rnd.id)
    from willkommen_plugins.selbstcheck.summary import round_results

    rnd = store.get_round(instance.db, rnd.id)
    body = export_xlsx(rnd, round_results(instance, rnd, with_comments=False), "Stadt X")
    ws = workbook(body).worksheets[0]
    assert ws.title == "Ergebnisse"
    assert "Stadt X" in ws["A1"].value and "weniger als 5 Antworten" in ws["A1"].value
    assert [c.value for c in ws[2]][:3] == ["Perspektive", "Arbeitsbereich", "Teilnahmen"]
    assert ws[2][-1].value == "Text"
    texts = {r[-1] for r in data_rows(body)}
    assert "Kundinnen und Kunden bekommen in angemessener Zeit einen Termin." in texts


# -- the round's pages: XLSX, PDF, links, roles, audit ---------------------------------------


@pytest.fixture
def instance(make_sqlite_instance):
    return make_sqlite_instance(["selbstcheck"])


def closed_round(instance, leitung=2, staff=8):
    """Leadership answers 1 everywhere, staff 4: the small leadership group (and, as its
    complement, the staff group) are suppressed; the authority's mean is shown."""
    rnd, codes = breakdown_round(instance, title="Dienstberatung Juni")
    add_responses(instance, rnd, leitung, perspective="leitung", value=1, codes=codes)
    add_responses(instance, rnd, staff, perspective="mitarbeitende", value=4, codes=codes)
    store.close_round(instance.db, rnd.id)
    return rnd


def test_results_xlsx_matches_what_the_api_and_the_pages_show_per_group(instance, make_client):
    rnd = closed_round(instance)
    client = make_client(instance)
    login(client, instance, "leitung")
    response = client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    rows = data_rows(response.content)
    assert_xlsx_equals_csv(
        client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse.csv").text, rows, len(CSV_FIELDS)
    )
    col = {f: i for i, f in enumerate(CSV_FIELDS)}
    headers = bearer(instance)
    for perspective in ("leitung", "mitarbeitende"):
        api = client.get(
            f"{API}/rounds/{rnd.id}/results", params={"perspective": perspective}, headers=headers
        ).json()
        mine = [
            r for r in rows if r[col["perspective"]] == perspective and r[col["area"]] == "(alle)"
        ]
        assert api["suppressed"] is True
        assert all(r[col["mean"]] is None and r[col["suppressed"]] is True for r in mine)
        page = client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse?perspektive={perspective}")
        assert "zu klein" in page.text
    total = [r for r in rows if r[col["perspective"]] is None and r[col["area"]] == "(alle)"]
    assert total and all(r[col["mean"]] == pytest.approx(3.4) for r in total)


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_report_has_charts_tables_suppression_note_and_recommendations(instance, make_client):
    rnd = closed_round(instance)
    client = make_client(instance)
    login(client, instance, "leitung")
    results_page = client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse").text
    assert f"/selbstcheck/runden/{rnd.id}/bericht.pdf" in results_page
    assert f"/selbstcheck/runden/{rnd.id}/ergebnisse.xlsx" in results_page
    response = client.get(f"/selbstcheck/runden/{rnd.id}/bericht.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(pdf_text(response.content).split())
    assert "Ergebnisse: Dienstberatung Juni" in text
    assert instance.settings.authority.name in text
    assert "10 Teilnahmen" in text and "weniger als 5 Antworten" in text  # the note
    assert "Überblick über die fünf Eckpunkte" in text  # the chart of means
    assert "Nach Perspektive und Arbeitsbereich" in text  # the table of groups
    assert "Leitung" in text and "unterdrückt" in text
    assert "3,4" in text  # the authority's mean, shown
    # The suppressed groups' means (1.0 and 4.0) appear nowhere.
    assert "1,0" not in text and "4,0" not in text
    assert "Kundinnen und Kunden bekommen in angemessener Zeit einen Termin." in text
    assert "Empfehlungen" in text  # every cornerstone is below the modules' thresholds


def test_pdf_report_of_a_round_too_small_to_show_says_so_and_shows_no_figure(instance, make_client):
    rnd = closed_round(instance, leitung=1, staff=2)
    client = make_client(instance)
    login(client, instance, "leitung")
    text = " ".join(
        pdf_text(client.get(f"/selbstcheck/runden/{rnd.id}/bericht.pdf").content).split()
    )
    assert "weniger als 5 Teilnahmen" in text and "zum Schutz der Anonymität" in text
    assert "Empfehlungen" not in text
    for figure in ("1,0", "2,0", "3,0", "4,0"):
        assert figure not in text


def test_pdf_report_of_a_shared_code_round_covers_the_whole_authority_only(instance, make_client):
    rnd = open_round(instance, title="Mit Code")
    add_responses(instance, rnd, 6, value=2)
    store.close_round(instance.db, rnd.id)
    client = make_client(instance)
    login(client, instance, "leitung")
    body = client.get(f"/selbstcheck/runden/{rnd.id}/bericht.pdf").content
    text = " ".join(pdf_text(body).split())
    assert "nur für die ganze Behörde" in text and "2,0" in text
    assert "Nach Perspektive und Arbeitsbereich" not in text


@pytest.mark.parametrize("suffix", ["ergebnisse.xlsx", "bericht.pdf"])
def test_office_exports_are_for_leadership_only_and_audited(instance, make_client, suffix):
    rnd = closed_round(instance)
    url = f"/selbstcheck/runden/{rnd.id}/{suffix}"
    assert make_client(instance).get(url, follow_redirects=False).status_code in (302, 303)
    for role in ("redaktion", "vertrauensperson"):
        other = make_client(instance)
        login(other, instance, role)
        assert other.get(url).status_code == 403, role
    leader = make_client(instance)
    login(leader, instance, "leitung")
    assert leader.get(url).status_code == 200
    formats = [e.details["format"] for e in instance.audit.entries(event="results.exported")]
    assert formats == [suffix.rsplit(".", 1)[1]]
    running = open_round(instance, title="Läuft noch")
    assert leader.get(f"/selbstcheck/runden/{running.id}/{suffix}").status_code == 409


def test_when_the_disclosure_layer_withholds_everything_no_office_export_shows_a_figure(
    instance, make_client, monkeypatch
):
    """The XLSX and the PDF ask the round's release like every other view: where it
    withholds, neither holds a figure of its own."""
    rnd = closed_round(instance, leitung=5, staff=10)
    client = make_client(instance)
    login(client, instance, "leitung")
    shown = client.get(f"/selbstcheck/runden/{rnd.id}/bericht.pdf").content
    assert "15 Teilnahmen" in " ".join(pdf_text(shown).split())
    monkeypatch.setattr(Release, "size", lambda self, **f: None)
    monkeypatch.setattr(Release, "pooled", lambda self, ids, **f: SUPPRESSED)
    monkeypatch.setattr(Release, "item", lambda self, item, **f: SUPPRESSED)
    rows = data_rows(client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse.xlsx").content)
    col = {f: i for i, f in enumerate(CSV_FIELDS)}
    assert rows and all(r[col["mean"]] is None and r[col["responses"]] is None for r in rows)
    text = " ".join(
        pdf_text(client.get(f"/selbstcheck/runden/{rnd.id}/bericht.pdf").content).split()
    )
    assert "15 Teilnahmen" not in text and "weniger als 5 Teilnahmen" in text
    for figure in ("1,0", "3,0", "4,0"):
        assert figure not in text


# -- the state report ------------------------------------------------------------------------


def _cells(means, suppressed=()):
    ids = ("binnenorganisation", "verankerung", "kompetenzen", "zusammenarbeit", "erscheinungsbild")
    return [
        {
            "id": cid,
            "n": None if cid in suppressed else 12,
            "mean": None if cid in suppressed else mean,
            "distribution": None,
            "dont_know": 0,
            "suppressed": cid in suppressed,
        }
        for cid, mean in zip(ids, means, strict=True)
    ]


def _summary(tmp_path, slug, name, cells):
    doc = {
        "schema": "willkommen.summary/1",
        "authority": {"slug": slug, "name": name, "type": "Landkreis", "federal_state": "ST"},
        "toolkit_version": "0.1.0",
        "created": "2026-03-01",
        "sequence": 1,
        "modules": {
            "selbstcheck": {
                "schema": "willkommen.selbstcheck.summary",
                "schema_version": 1,
                "questionnaire_version": "2025.1",
                "min_group_size": 5,
                "suppression_applied": True,
                "rounds": [
                    {
                        "id": 1,
                        "title": "=Ausgangslage",
                        "closed_on": "2026-02-01",
                        "questionnaire_version": "2025.1",
                        "responses": 12,
                        "suppressed": False,
                        "cornerstones": cells,
                    }
                ],
            }
        },
    }
    path = tmp_path / f"{slug}.json"
    path.write_text(json.dumps(signing.sign(doc, Ed25519PrivateKey.generate())))
    return path


def test_state_report_xlsx_holds_the_csv_rows_and_keeps_suppressed_cells_empty(tmp_path):
    files = [
        _summary(tmp_path, "harz", "Landkreis Harz", _cells([3.0, 2.5, 3.5, 2.0, 3.0])),
        _summary(
            tmp_path,
            "stendal",
            "@Landkreis Stendal",
            _cells([4.0, 4.0, 4.0, 4.9, 4.0], suppressed=("zusammenarbeit",)),
        ),
    ]
    out = tmp_path / "bericht"
    result = build_report(files, out)
    assert len(result.accepted) == 2
    body = (out / XLSX_FILE).read_bytes()
    ws = workbook(body).worksheets[0]
    assert ws.title == "Landesbericht"
    assert "Nicht geprüft" in ws["A1"].value and "unterdrückt" in ws["A1"].value
    assert [c.value for c in ws[2]][:2] == ["Kennung", "Behörde"]
    rows = data_rows(body)
    csv_text = (out / CSV_FILE).read_text(encoding="utf-8")
    header = csv_text.splitlines()[0].split(",")
    assert_xlsx_equals_csv(csv_text, rows, len(header))
    col = {name: i for i, name in enumerate(header)}
    hidden = [r for r in rows if r[col["cornerstone"]] == "zusammenarbeit" and r[0] == "stendal"]
    assert hidden and hidden[0][col["mean"]] is None and hidden[0][col["n"]] is None
    assert all(4.9 not in r for r in rows), "a suppressed mean never reaches the workbook"
    harz = [r for r in rows if r[0] == "harz"]
    assert harz[0][col["mean"]] == 3.0, "means are numbers an office suite can sum"
    names = {r[col["name"]] for r in rows}
    assert names == {"Landkreis Harz", "'@Landkreis Stendal"}
    assert all(r[col["round"]] == "'=Ausgangslage" for r in rows)
    assert XLSX_FILE in result.html_path.read_text(encoding="utf-8")


# -- formula safety of every XLSX -------------------------------------------------------------


def test_plan_xlsx_neutralises_formula_shaped_text_like_the_csv(make_sqlite_instance, make_client):
    instance = make_sqlite_instance([])
    for i, text in enumerate(FORMULAS):
        gid = plan.create_group(instance.db, f"{text} {i}", text)
        plan.add_goal(instance.db, gid, text)
        plan.add_result(instance.db, gid, text)
        plan.add_measure(
            instance.db,
            plan.MeasureInput(title=text, description=text, group_id=str(gid), owner=text),
        )
    client = make_client(instance)
    login(client, instance, "leitung")
    book = workbook(client.get("/plan/export.xlsx").content)
    seen = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and cell.value.lstrip(" '").startswith(
                    ("=", "+", "-", "@", "\t", "＝")
                ):
                    assert cell.value.startswith("'"), cell.value
                    seen += 1
    assert seen >= 4 * len(FORMULAS), "the payloads reached the workbook"
    # The CSV's new rows (groups, goals, first results) are neutralised the same way.
    assert_safe(client.get("/plan/export.csv").text, FORMULAS)


@given(st.text(max_size=40), st.integers(-1000, 1000), st.dates())
def test_an_xlsx_cell_is_never_a_formula_and_numbers_and_dates_stay_what_they_are(text, n, day):
    book = workbook(xlsx_bytes([Sheet("T", ["a", "b", "c"], [[text, n, day]])]))
    a, b, c = next(book.active.iter_rows(min_row=2, values_only=False))
    assert a.data_type != "f"
    cleaned = "".join(ch for ch in spreadsheet_safe(text) if ch >= " " or ch in "\t\n\r")
    # XML reads every line break as \n.
    assert (a.value or "") == cleaned.replace("\r\n", "\n").replace("\r", "\n")
    assert b.value == n and c.value.date() == day and isinstance(day, date)
