"""The register of authorities: the shipped Saxony-Anhalt register, TOML and CSV,
and every register error named with file and line before anything is written."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from willkommen_core.cli import cli
from willkommen_core.errors import UserError
from willkommen_core.rollout import register
from willkommen_core.scaffold import builtin_plugins, installed_plugins

SAXONY_ANHALT = {
    # slug: (type, seat)
    "dessau-rosslau": ("kreisfreie Stadt", "Dessau-Roßlau"),
    "halle-saale": ("kreisfreie Stadt", "Halle (Saale)"),
    "magdeburg": ("kreisfreie Stadt", "Magdeburg"),
    "altmarkkreis-salzwedel": ("Landkreis", "Salzwedel"),
    "anhalt-bitterfeld": ("Landkreis", "Köthen (Anhalt)"),
    "boerde": ("Landkreis", "Haldensleben"),
    "burgenlandkreis": ("Landkreis", "Naumburg (Saale)"),
    "harz": ("Landkreis", "Halberstadt"),
    "jerichower-land": ("Landkreis", "Burg"),
    "mansfeld-suedharz": ("Landkreis", "Sangerhausen"),
    "saalekreis": ("Landkreis", "Merseburg"),
    "salzlandkreis": ("Landkreis", "Bernburg (Saale)"),
    "stendal": ("Landkreis", "Stendal"),
    "wittenberg": ("Landkreis", "Lutherstadt Wittenberg"),
}


def test_the_shipped_register_lists_the_14_authorities_of_saxony_anhalt_at_their_seats():
    reg = register.load("sachsen-anhalt")
    found = {e.slug: (e.type, e.sites[0].city) for e in reg.authorities}
    assert found == SAXONY_ANHALT
    for entry in reg.authorities:
        assert entry.federal_state == "Sachsen-Anhalt"
        assert entry.sites[0].street and len(entry.sites[0].postcode) == 5
        assert entry.languages[0] == "de"


def test_magdeburg_is_the_only_model_authority():
    reg = register.load("sachsen-anhalt")
    assert [e.slug for e in reg.authorities if e.model_authority] == ["magdeburg"]


def test_modules_all_means_the_toolkits_own_modules():
    reg = register.load("sachsen-anhalt")
    assert all(e.modules == builtin_plugins() for e in reg.authorities)
    assert {"partner", "selbstcheck"} <= set(builtin_plugins())


def test_modules_all_leaves_out_a_third_party_module_unless_it_is_named(
    tmp_path, hallo_distribution
):
    """Issue 12: a pip-installed plugin is only enabled where the register names it."""
    assert hallo_distribution in installed_plugins()
    everything = GOOD.replace("modules = []", 'modules = "all"')
    reg = register.load(write(tmp_path, everything))
    assert all(e.modules == builtin_plugins() for e in reg.authorities)
    assert hallo_distribution not in builtin_plugins()
    named = everything.replace('languages = ["de", "ar"]', 'modules = ["partner", "hallo"]')
    reg = register.load(write(tmp_path, named))
    assert reg.authorities[0].modules == builtin_plugins()
    assert reg.authorities[1].modules == ["partner", "hallo"]


def test_the_shipped_register_is_found_by_name_and_lives_in_the_package():
    path = register.resolve("sachsen-anhalt")
    assert path.name == "sachsen-anhalt.toml"
    assert path.parent.name == "registers"
    assert "willkommen_core" in path.parts


def write(tmp_path, text, name="land.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


GOOD = """
federal_state = "Sachsen-Anhalt"

[defaults]
modules = []

[[authority]]
name = "Landkreis Harz"
type = "Landkreis"

[[authority.sites]]
name = "Kreisverwaltung"
street = "Friedrich-Ebert-Straße 42"
postcode = "38820"
city = "Halberstadt"

[[authority.sites]]
name = "Außenstelle Wernigerode"
street = "Lindenallee 35"
postcode = "38855"
city = "Wernigerode"

[[authority]]
name = "Ausländerbehörde Stendal"
type = "Landkreis"
contact_email = "abh@stendal.example.org"
languages = ["de", "ar"]

[[authority.sites]]
name = "Kreisverwaltung"
street = "Hospitalstraße 1-2"
postcode = "39576"
city = "Stendal"
"""


def test_a_toml_register_gives_slugs_sites_and_per_authority_values(tmp_path):
    reg = register.load(write(tmp_path, GOOD))
    harz, stendal = reg.authorities
    assert (harz.slug, harz.line) == ("harz", 6)
    assert [s.city for s in harz.sites] == ["Halberstadt", "Wernigerode"]
    assert stendal.slug == "stendal"
    assert stendal.languages == ["de", "ar"]
    assert stendal.modules == []
    ctx = harz.context("1.0")
    assert ctx["extra_sites"] == {
        "sites": [
            {
                "name": "Außenstelle Wernigerode",
                "street": "Lindenallee 35",
                "postcode": "38855",
                "city": "Wernigerode",
            }
        ]
    }


def errors_of(path) -> str:
    with pytest.raises(UserError) as info:
        register.load(path)
    return str(info.value)


def test_a_duplicate_slug_is_named_with_both_lines(tmp_path):
    text = GOOD.replace('name = "Ausländerbehörde Stendal"', 'name = "Stendal"\nslug = "harz"')
    message = errors_of(write(tmp_path, text))
    assert "nothing was written" in message
    assert "land.toml:24: authority[1].slug: duplicate slug 'harz'" in message
    assert "on line 6 has it already" in message


def test_a_missing_field_is_named_with_the_line_of_its_authority(tmp_path):
    message = errors_of(write(tmp_path, GOOD.replace('type = "Landkreis"\ncontact', "contact")))
    assert "land.toml:22: authority[1].type: is required" in message
    assert "must be one of" not in message  # one problem, not two


def test_a_bad_postcode_is_named_with_its_own_line(tmp_path):
    message = errors_of(write(tmp_path, GOOD.replace('"38855"', '"3885"')))
    assert (
        "land.toml:19: authority[0].sites[1].postcode: '3885' is not a German postcode" in message
    )


def test_an_unknown_module_is_named_with_its_line(tmp_path):
    text = GOOD.replace('languages = ["de", "ar"]', 'modules = ["partner", "zauberei"]')
    message = errors_of(write(tmp_path, text))
    assert "land.toml:26: authority[1].modules: unknown module(s): zauberei" in message


def test_an_unknown_key_and_a_typo_in_a_site_are_refused(tmp_path):
    text = GOOD.replace('contact_email = "', 'kontakt = "x"\ncontact_email = "').replace(
        'city = "Wernigerode"', 'stadt = "Wernigerode"'
    )
    message = errors_of(write(tmp_path, text))
    assert "authority[1].kontakt: unknown key" in message
    assert "authority[0].sites[1].stadt: unknown key" in message
    assert "authority[0].sites[1].city: is required" in message


def test_invalid_toml_names_the_line(tmp_path):
    message = errors_of(
        write(tmp_path, GOOD.replace('type = "Landkreis"\n\n[[', 'type = "Land\n\n[[', 1))
    )
    assert "land.toml:8: invalid TOML" in message


def test_every_problem_is_reported_at_once(tmp_path):
    text = GOOD.replace('"38820"', '"1"').replace('languages = ["de", "ar"]', 'languages = ["ar"]')
    message = errors_of(write(tmp_path, text))
    assert "2 problem(s)" in message
    assert "authority[0].sites[0].postcode" in message
    assert "authority[1].languages: must include de" in message


CSV = """\
name,slug,type,federal_state,site_name,street,postcode,city,contact_email,languages,modules
Landkreis Harz,,Landkreis,Sachsen-Anhalt,Kreisverwaltung,Friedrich-Ebert-Straße 42,38820,Halberstadt,,de;en,partner
,harz,,,Außenstelle Wernigerode,Lindenallee 35,38855,Wernigerode,,,
Stendal,,Landkreis,Sachsen-Anhalt,Kreisverwaltung,Hospitalstraße 1-2,39576,Stendal,,,
"""


def test_a_csv_register_has_one_row_per_authority_and_rows_adding_sites(tmp_path):
    reg = register.load(write(tmp_path, CSV, "land.csv"))
    harz, stendal = reg.authorities
    assert [s.city for s in harz.sites] == ["Halberstadt", "Wernigerode"]
    assert harz.languages == ["de", "en"] and harz.modules == ["partner"]
    assert stendal.modules == builtin_plugins()
    assert (harz.line, stendal.line) == (2, 4)


def test_csv_errors_name_the_line_as_a_spreadsheet_shows_it(tmp_path):
    text = CSV.replace("39576", "3957").replace("38855", "x")
    message = errors_of(write(tmp_path, text, "land.csv"))
    assert "land.csv:4: authority[1].sites[0].postcode: '3957'" in message
    assert "land.csv:3: authority[0].sites[1].postcode: 'x'" in message


def test_a_csv_duplicate_slug_is_refused(tmp_path):
    text = CSV.replace("Stendal,,Landkreis", "Stendal,harz,Landkreis")
    message = errors_of(write(tmp_path, text, "land.csv"))
    assert "land.csv:4: authority[1].slug: duplicate slug 'harz'" in message


def test_a_register_error_stops_the_rollout_before_anything_is_written(tmp_path):
    path = write(tmp_path, GOOD.replace('"39576"', '"395"'))
    output = tmp_path / "out"
    result = CliRunner().invoke(cli, ["rollout", str(path), "--output", str(output)])
    assert result.exit_code == 1
    assert "land.toml:31: authority[1].sites[0].postcode" in result.output
    assert not output.exists()


def test_an_unknown_only_slug_stops_before_anything_is_written(tmp_path):
    output = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["rollout", "sachsen-anhalt", "--output", str(output), "--only", "muenchen"]
    )
    assert result.exit_code == 1
    assert "--only muenchen: not in" in result.output
    assert not output.exists()


def test_an_unknown_register_name_lists_the_shipped_ones(tmp_path):
    result = CliRunner().invoke(cli, ["rollout", "bayern", "--output", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "shipped registers: sachsen-anhalt" in result.output
