"""CSV import/export (web and CLI) and vCard export of the partner list."""

from __future__ import annotations

import json

import pytest
import vobject
from click.testing import CliRunner

from willkommen_core.cli import cli
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_plugins.partner import categories, exchange, store
from willkommen_plugins.partner.demo import seed

GOOD_SEMICOLON = (
    "name;category;languages;email;status;last_contact;public;notes\n"
    "Volkshochschule;sprachkurs;de ar uk;vhs@example.org;kooperation;14.03.2025;ja;Kurse; intern\n"
    "Jobcenter;arbeit;de,ru;;interesse;2024-01-31;nein;\n"
).replace("Kurse; intern", '"Kurse; intern"')

GOOD_COMMA = '\ufeffname,category,services,languages\nIHK,kammer,"Anerkennung, Beratung","en, pl"\n'

BROKEN = (
    "name;category;email;languages;last_contact\n"
    "Gut;netzwerk;ok@example.org;de;2024-01-01\n"
    "Schlecht;zirkus;kein-at;de;2024-01-01\n"
    "\n"
    ";netzwerk;;xx;2999-01-01\n"
)


def _names(instance):
    return [p.name for p in store.search(instance.db)]


def test_import_with_semicolons_creates_partners(make_instance):
    instance = make_instance(["partner"])
    result = exchange.import_csv(instance.db, GOOD_SEMICOLON.encode(), categories.load(instance))
    assert (result.created, result.updated) == (2, 0)
    vhs, jobcenter = (
        store.search(instance.db, store.Filters(q=n))[0] for n in ("Volkshochschule", "Jobcenter")
    )
    assert vhs.languages == ["ar", "de", "uk"] and vhs.notes == "Kurse; intern"
    assert vhs.last_contact.isoformat() == "2025-03-14" and vhs.public
    assert jobcenter.public is False and jobcenter.languages == ["de", "ru"]


def test_import_detects_commas_and_a_byte_order_mark(make_instance):
    instance = make_instance(["partner"])
    exchange.import_csv(instance.db, GOOD_COMMA.encode(), categories.load(instance))
    [ihk] = store.search(instance.db)
    assert ihk.services == "Anerkennung, Beratung" and ihk.languages == ["en", "pl"]
    assert ihk.status == "angesprochen" and not ihk.public  # defaults of missing columns


def test_import_is_all_or_nothing_and_names_line_and_column_of_each_error(make_instance):
    instance = make_instance(["partner"])
    with pytest.raises(exchange.ImportFailed) as caught:
        exchange.import_csv(
            instance.db, BROKEN.encode(), categories.load(instance), filename="partner.csv"
        )
    errors = {(e.line, e.column) for e in caught.value.errors}
    assert errors == {
        (3, "category"),
        (3, "email"),
        (5, "name"),
        (5, "languages"),
        (5, "last_contact"),
    }
    text = str(caught.value)
    assert "partner.csv" in text and "nichts importiert" in text
    assert "Zeile 3, Spalte email" in "\n".join(str(e) for e in caught.value.errors)
    assert _names(instance) == []  # the good line 2 was not imported either


def test_import_rejects_unknown_and_missing_columns_in_the_header(make_instance):
    instance = make_instance(["partner"])
    with pytest.raises(exchange.ImportFailed) as caught:
        exchange.import_csv(instance.db, b"name;telefax\nA;1\n", categories.load(instance))
    assert {(e.line, e.column) for e in caught.value.errors} == {(1, "telefax"), (1, "category")}


def test_import_reports_duplicate_names_and_a_non_utf8_file(make_instance):
    instance = make_instance(["partner"])
    cats = categories.load(instance)
    dup = b"name;category\nA;sonstige\na;sonstige\n"
    with pytest.raises(exchange.ImportFailed) as caught:
        exchange.import_csv(instance.db, dup, cats)
    assert [(e.line, e.column) for e in caught.value.errors] == [(3, "name")]
    latin1 = "name;category\nStraße;sonstige\n".encode("latin-1")
    with pytest.raises(exchange.ImportFailed) as caught:
        exchange.import_csv(instance.db, latin1, cats)
    assert caught.value.errors[0].line == 2 and "UTF-8" in caught.value.errors[0].message


def test_reimport_updates_partners_with_the_same_name(make_instance):
    instance = make_instance(["partner"])
    cats = categories.load(instance)
    exchange.import_csv(instance.db, GOOD_COMMA.encode(), cats)
    again = b"name;category;status\nihk;kammer;kooperation\n"
    result = exchange.import_csv(instance.db, again, cats)
    assert (result.created, result.updated) == (0, 1)
    [ihk] = store.search(instance.db)
    assert ihk.status == "kooperation"


def test_csv_export_round_trips_through_import(make_instance):
    source = make_instance(["partner"])
    seed(source)
    exported = exchange.export_csv(store.search(source.db))
    target = make_instance(["partner"])
    result = exchange.import_csv(target.db, exported, categories.load(target))
    assert result.created == len(store.search(source.db))

    def comparable(instance):
        return [
            {k: v for k, v in vars(p).items() if k not in ("id", "created_at", "updated_at")}
            for p in store.search(instance.db)
        ]

    assert comparable(target) == comparable(source)
    assert exchange.export_csv(store.search(target.db)) == exported


def test_imported_partners_are_internal_unless_marked_public(make_instance, make_client):
    """Issue 12: no public column or an empty cell keeps a partner off the help page."""
    instance = make_instance(["partner"])
    cats = categories.load(instance)
    exchange.import_csv(instance.db, b"name;category;languages\nStillerPartner;netzwerk;ar\n", cats)
    data = b"name;category;languages;public\nLeererPartner;netzwerk;ar;\nOffenerPartner;netzwerk;ar;ja\n"
    exchange.import_csv(instance.db, data, cats)
    public = {p.name: p.public for p in store.search(instance.db)}
    assert public == {"StillerPartner": False, "LeererPartner": False, "OffenerPartner": True}
    page = make_client(instance).get("/partner/hilfe?language=ar").text
    assert "OffenerPartner" in page
    assert "StillerPartner" not in page and "LeererPartner" not in page
    # The round trip keeps both: an exported public partner comes back public.
    target = make_instance(["partner"])
    exported = exchange.export_csv(store.search(instance.db))
    exchange.import_csv(target.db, exported, categories.load(target))
    assert {p.name: p.public for p in store.search(target.db)} == public


def test_vcard_export_parses_back_with_vobject(make_instance):
    instance = make_instance(["partner"])
    seed(instance)
    partners = store.search(instance.db)
    text = exchange.vcards(partners, categories.load(instance), "test.willkommen")
    cards = list(vobject.readComponents(text))
    assert len(cards) == len(partners)
    by_name = {c.fn.value: c for c in cards}
    uni = by_name["Otto-von-Guericke-Universität Magdeburg – International Office"]
    assert uni.version.value == "3.0"
    assert uni.org.value == ["Otto-von-Guericke-Universität Magdeburg – International Office"]
    assert uni.email.value == "international@ovgu.example.org"
    assert uni.adr.value.city == "Magdeburg" and uni.adr.value.code == "39106"
    assert "Sammeltermine" not in uni.note.value  # internal notes stay out of address books


def test_web_import_export_and_vcard_downloads(make_instance, make_client):
    instance = make_instance(["partner"])
    client = make_client(instance)
    login(client, instance, "redaktion")
    token = csrf_from(client.get("/partner/import").text)
    bad = client.post(
        "/partner/import",
        data={"csrf_token": token},
        files={"file": ("liste.csv", BROKEN.encode(), "text/csv")},
    )
    assert bad.status_code == 400
    assert "Zeile 3, Spalte category" in bad.text and "Zeile 5, Spalte last_contact" in bad.text
    assert _names(instance) == []
    good = client.post(
        "/partner/import",
        data={"csrf_token": token},
        files={"file": ("liste.csv", GOOD_SEMICOLON.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert "2 neu angelegt" in client.get(good.headers["location"]).text
    csv_download = client.get("/partner/export.csv?language=ar")
    assert csv_download.headers["content-type"].startswith("text/csv")
    lines = csv_download.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("name;category") and len(lines) == 2  # only the VHS offers ar
    pid = store.search(instance.db)[0].id
    one = client.get(f"/partner/{pid}/vcard.vcf")
    assert one.headers["content-type"].startswith("text/vcard")
    assert vobject.readOne(one.text).fn.value
    assert len(list(vobject.readComponents(client.get("/partner/export.vcf").text))) == 2


def _run(instance, *args):
    return CliRunner().invoke(cli, ["--instance", str(instance.root), "partner", *args])


def test_cli_import_export_and_list(make_instance, tmp_path):
    instance = make_instance(["partner"])
    source = tmp_path / "partner.csv"
    source.write_text(GOOD_SEMICOLON, encoding="utf-8")
    result = _run(instance, "import", str(source))
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    out = tmp_path / "export.csv"
    assert _run(instance, "export", "--output", str(out)).exit_code == 0
    assert out.read_bytes() == exchange.export_csv(store.search(instance.db))
    vcf = _run(instance, "export", "--format", "vcard")
    assert len(list(vobject.readComponents(vcf.stdout))) == 2
    listed = _run(instance, "list", "--language", "ar", "--json")
    assert [p["name"] for p in json.loads(listed.stdout)] == ["Volkshochschule"]


def test_cli_import_of_a_broken_file_exits_1_naming_file_line_and_column(make_instance, tmp_path):
    instance = make_instance(["partner"])
    source = tmp_path / "kaputt.csv"
    source.write_text(BROKEN, encoding="utf-8")
    result = _run(instance, "import", str(source))
    assert result.exit_code == 1
    message = result.output  # the message, no traceback
    assert "Traceback" not in message
    assert str(source) in message and "3:email" in message and "5:last_contact" in message
    assert _names(instance) == []
