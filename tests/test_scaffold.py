"""`willkommen new DIR --name ... [--set KEY=VALUE]`: an instance from cookiecutter-behoerde/."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from willkommen_core import __version__
from willkommen_core.cli import cli
from willkommen_core.errors import UserError
from willkommen_core.instance import Instance
from willkommen_core.scaffold import (
    builtin_plugins,
    parse_overrides,
    slugify,
    template_dir,
)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Ausländerbehörde Dessau-Roßlau", "dessau-rosslau"),
        ("Halle (Saale)", "halle-saale"),
        ("Ausländerbehörde Halle (Saale)", "halle-saale"),
        ("Ausländerbehörde der Landeshauptstadt Magdeburg", "magdeburg"),
        ("Altmarkkreis Salzwedel", "altmarkkreis-salzwedel"),
        ("Landkreis Anhalt-Bitterfeld", "anhalt-bitterfeld"),
        ("Ausländerbehörde des Landkreises Harz", "harz"),
        ("Landkreis Börde", "boerde"),
        ("Börde", "boerde"),
        ("Burgenlandkreis", "burgenlandkreis"),
        ("Jerichower Land", "jerichower-land"),
        ("Mansfeld-Südharz", "mansfeld-suedharz"),
        ("Lutherstadt Wittenberg", "wittenberg"),
        ("ÜBERLINGEN", "ueberlingen"),
        ("Dessau/Roßlau", "dessau-rosslau"),
        ("Stadt / Landkreis Görlitz", "goerlitz"),
        ("Stadt/Landkreis Görlitz", "goerlitz"),
        ("  Bad   Dürrenberg  ", "bad-duerrenberg"),
        ("Saint-Étienne", "saint-etienne"),
        ("Stadt", "stadt"),
    ],
)
def test_slug_is_derived_from_the_name_the_german_way(name, slug):
    assert slugify(name) == slug


def test_a_very_long_name_gives_a_slug_of_at_most_63_characters_ending_on_a_word():
    slug = slugify("Ausländerbehörde " + " ".join(["Nordwestuckermark"] * 10))
    assert len(slug) <= 63
    assert not slug.endswith("-")
    assert slug.split("-") == ["nordwestuckermark"] * len(slug.split("-"))


def test_overrides_are_parsed_as_key_value_pairs():
    assert parse_overrides(("postcode=06844", " city = Dessau-Roßlau ", "contact_email=")) == {
        "postcode": "06844",
        "city": "Dessau-Roßlau",
        "contact_email": "",
    }


@pytest.mark.parametrize(
    ("items", "message"),
    [(("postcode",), "'postcode'"), (("=06844",), "'=06844'"), (("a=1", "a=2"), "a: given twice")],
)
def test_a_malformed_override_is_a_user_error_naming_the_item(items, message):
    with pytest.raises(UserError, match="--set") as info:
        parse_overrides(items)
    assert message in str(info.value)


def test_the_template_is_found_in_the_installed_package():
    import willkommen_cookiecutter

    folder = template_dir()
    assert folder == Path(willkommen_cookiecutter.__file__).resolve().parent
    assert (folder / "cookiecutter.json").is_file()
    assert (folder / "hooks" / "pre_gen_project.py").is_file()
    assert (folder / "{{cookiecutter.slug}}" / "willkommen.toml").is_file()


ADDRESS = ("--set", "street=Zerbster Straße 4", "--set", "postcode=06844")


def new(*args: str) -> tuple[int, str]:
    """``willkommen new ARGS``, with a main site's address unless ARGS give one."""
    if not any(a.startswith(("street=", "postcode=")) for a in args):
        args = (*args, *ADDRESS)
    result = CliRunner().invoke(cli, ["new", *args])
    return result.exit_code, result.output


def test_new_creates_an_instance_that_opens_and_checks_clean(tmp_path):
    target = tmp_path / "abh" / "dessau"
    code, output = new(str(target), "--name", "Ausländerbehörde Dessau-Roßlau")
    assert code == 0, output
    assert f"created {target}" in output
    instance = Instance.open(target)
    authority = instance.settings.authority
    assert authority.name == "Ausländerbehörde Dessau-Roßlau"
    assert authority.slug == "dessau-rosslau"
    assert authority.sites[0].city == "Dessau-Roßlau"
    assert authority.federal_state == "Sachsen-Anhalt"
    assert instance.settings.languages == [
        "de",
        "en",
        "uk",
        "ar",
        "fa",
        "ru",
        "pl",
        "ro",
        "tr",
        "ps",
    ]
    assert instance.plugins.enabled == builtin_plugins()
    assert instance.settings.web.secure_cookies is True
    assert instance.check(database=False) == []
    assert f"willkommen=={__version__}" in (target / "requirements.txt").read_text()
    # Nothing from rendering stays beside the instance.
    assert [p.name for p in target.parent.iterdir()] == ["dessau"]


def test_new_writes_a_fresh_secret_key_readable_only_by_the_owner(tmp_path):
    keys = []
    for name in ("Börde", "Harz"):
        code, output = new(str(tmp_path / name), "--name", name)
        assert code == 0, output
        env = tmp_path / name / ".env"
        assert stat.S_IMODE(env.stat().st_mode) == 0o600
        assert Instance.open(tmp_path / name).settings.secret_key is not None
        keys.append(Instance.open(tmp_path / name).settings.secret_key.get_secret_value())
        assert "secret_key" not in (tmp_path / name / "willkommen.toml").read_text().split("#")[0]
    assert len(keys[0]) >= 32 and keys[0] != keys[1]


def test_the_instance_is_thin_with_local_folders_deployment_and_gitignore(tmp_path):
    code, output = new(str(tmp_path / "i"), "--name", "Landkreis Stendal")
    assert code == 0, output
    root = tmp_path / "i"
    for relative in [
        "README.md",
        "content/README.md",
        "plugins/README.md",
        "plugins/hinweis.py",
        "templates/README.md",
        "deploy/willkommen.service",
        "deploy/nginx.conf",
        "tests/test_smoke.py",
        "tox.ini",
    ]:
        assert (root / relative).is_file(), relative
    ignored = (root / ".gitignore").read_text().split()
    assert ".env" in ignored and "*.db" in ignored
    unit = (root / "deploy" / "willkommen.service").read_text()
    assert "serve --host 127.0.0.1 --port 8000 --workers 2" in unit
    assert "User=willkommen" in unit and "/srv/willkommen/stendal" in unit
    nginx = (root / "deploy" / "nginx.conf").read_text()
    assert "ssl_certificate" in nginx and "X-Forwarded-Proto" in nginx
    # Nothing of the template syntax survives rendering.
    for path in root.rglob("*"):
        if path.is_file():
            assert "{{" not in path.read_text(encoding="utf-8"), path


def test_set_overrides_are_applied(tmp_path):
    target = tmp_path / "halle"
    code, output = new(
        str(target),
        "--name",
        "Ausländerbehörde Halle (Saale)",
        "--set",
        "authority_type=kreisfreie Stadt",
        "--set",
        "street=Am Stadion 5",
        "--set",
        "postcode=06122",
        "--set",
        "site_name=Fachbereich Einwohnerwesen",
        "--set",
        "contact_email=abh@halle.example.org",
        "--set",
        "languages=de,en,ar",
        "--set",
        "modules=",
        "--set",
        "database_url=sqlite:///daten/halle.db",
    )
    assert code == 0, output
    settings = Instance.open(target).settings
    assert settings.authority.slug == "halle-saale"
    assert settings.authority.type == "kreisfreie Stadt"
    assert settings.authority.contact_email == "abh@halle.example.org"
    assert settings.authority.sites[0].model_dump(
        include={"name", "street", "postcode", "city"}
    ) == {
        "name": "Fachbereich Einwohnerwesen",
        "street": "Am Stadion 5",
        "postcode": "06122",
        "city": "Halle (Saale)",
    }
    assert settings.languages == ["de", "en", "ar"]
    assert settings.plugins.enabled == []
    assert settings.database_url == "sqlite:///daten/halle.db"
    assert settings.web.accessibility_contact == "abh@halle.example.org"


def test_names_with_quotes_and_backslashes_are_written_exactly(tmp_path):
    name = 'Ausländerbehörde "Nord" Süd\\Ost'
    code, output = new(str(tmp_path / "x"), "--name", name, "--set", "modules=")
    assert code == 0, output
    settings = Instance.open(tmp_path / "x").settings
    assert settings.authority.name == name
    assert settings.authority.slug == "nord-sued-ost"


def test_an_unknown_set_key_is_refused_listing_the_known_keys(tmp_path):
    target = tmp_path / "x"
    code, output = new(str(target), "--name", "Harz", "--set", "postleitzahl=38820")
    assert code == 1
    assert "postleitzahl: unknown key" in output
    assert "postcode" in output and "languages" in output
    assert not target.exists()


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("postcode=388", "postcode: '388' is not a German postcode"),
        ("slug=Harz_Kreis", "slug: 'Harz_Kreis' is not a valid slug"),
        ("authority_type=Bezirk", "authority_type: must be one of: Landkreis"),
        ("federal_state=Sachsen Anhalt", "federal_state: must be one of"),
        ("contact_email=abh-at-harz.de", "contact_email: 'abh-at-harz.de' is not an e-mail"),
        ("languages=de,xx", "languages: unknown language code(s): xx"),
        ("languages=en,uk", "languages: must include de"),
        ("modules=partner,zauberei", "modules: unknown module(s): zauberei"),
        ("database_url=mysql://x/y", "database_url: must be a sqlite:/// or postgresql"),
        ("street=", "street: required: the visiting address of the main site"),
        ("toolkit_version=neu", "toolkit_version: 'neu' is not a version"),
        ("model_authority=vielleicht", "model_authority: 'vielleicht' is not true or false"),
        ("authority_name=Harz", "the name is given with --name"),
    ],
)
def test_a_bad_set_value_is_refused_naming_the_key_and_nothing_is_left(tmp_path, item, message):
    parent = tmp_path / "rollout"
    parent.mkdir()
    code, output = new(str(parent / "harz"), "--name", "Landkreis Harz", "--set", item)
    assert code == 1
    assert message in output
    assert "Traceback" not in output
    assert list(parent.iterdir()) == []


def test_a_non_empty_target_is_refused_and_left_untouched(tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    code, output = new(str(target), "--name", "Harz")
    assert code == 1
    assert "exists and is not empty" in output
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text() == "keep me"


def test_an_empty_existing_target_is_used(tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    code, output = new(str(target), "--name", "Harz")
    assert code == 0, output
    assert Instance.open(target).slug == "harz"


def test_plain_cookiecutter_derives_the_slug_and_its_hook_refuses_bad_values(tmp_path):
    """The template works without `willkommen new`, guarded by its pre-generation hook."""
    from cookiecutter.exceptions import FailedHookException
    from cookiecutter.main import cookiecutter

    config = tmp_path / "cookiecutter.yaml"
    config.write_text(f"cookiecutters_dir: {tmp_path / 'cc'}\nreplay_dir: {tmp_path / 'replay'}\n")
    out = tmp_path / "out"
    created = cookiecutter(
        str(template_dir()),
        no_input=True,
        extra_context={
            "authority_name": "Ausländerbehörde Dessau-Roßlau",
            "street": "Zerbster Straße 4",
            "postcode": "06844",
        },
        output_dir=str(out),
        config_file=str(config),
    )
    assert Path(created) == out / "dessau-rosslau"
    raw = tomllib.loads((out / "dessau-rosslau" / "willkommen.toml").read_text())
    assert raw["authority"]["sites"][0]["city"] == "Dessau-Roßlau"
    assert raw["authority"]["type"] == "sonstige"
    # Every toolkit module, as with `willkommen new` and the rollout.
    assert raw["plugins"]["enabled"] == builtin_plugins()

    with pytest.raises(FailedHookException):
        cookiecutter(
            str(template_dir()),
            no_input=True,
            extra_context={"authority_name": "Harz", "postcode": "1"},
            output_dir=str(out),
            config_file=str(config),
        )
    assert [p.name for p in out.iterdir()] == ["dessau-rosslau"]


def test_the_example_local_plugin_is_documented_disabled_and_works_when_enabled(tmp_path):
    root = tmp_path / "i"
    code, output = new(str(root), "--name", "Saalekreis", "--set", "modules=")
    assert code == 0, output
    listing = CliRunner().invoke(cli, ["--instance", str(root), "plugins", "list", "--json"])
    plugins = {p["name"]: p for p in json.loads(listing.output)["plugins"]}
    assert plugins["hinweis"]["source"] == "local"
    assert plugins["hinweis"]["status"] == "disabled"

    enable = CliRunner().invoke(cli, ["--instance", str(root), "plugins", "enable", "hinweis"])
    assert enable.exit_code == 0, enable.output
    with (root / "willkommen.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[hinweis]\ntext = "Am 24. Dezember geschlossen."\n')
    instance = Instance.open(root)
    assert instance.plugins.enabled == ["hinweis"]
    assert instance.check(database=False) == []
    cards = instance.plugins.call_list("dashboard_cards", instance=instance, user=None)
    assert [c.body for c in cards] == ["Am 24. Dezember geschlossen."]
    # The comments of willkommen.toml survive the edit.
    assert "# Toolkit modules switched on here" in (root / "willkommen.toml").read_text()


def test_the_generated_instance_passes_its_own_smoke_tests(tmp_path):
    root = tmp_path / "wittenberg"
    code, output = new(str(root), "--name", "Landkreis Wittenberg")
    assert code == 0, output
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
    # The smoke tests worked on a copy: the instance has no database of its own yet.
    assert not (root / "willkommen.db").exists()


@pytest.mark.parametrize("existing", [False, True])
def test_a_generated_instance_that_does_not_open_cleanly_is_removed(
    tmp_path, monkeypatch, existing
):
    from willkommen_core.errors import Problem
    from willkommen_core.scaffold import new_instance

    target = tmp_path / "x"
    if existing:
        target.mkdir()
    monkeypatch.setattr(
        Instance, "check", lambda self, **kw: [Problem("willkommen.toml", "web", "broken")]
    )
    with pytest.raises(UserError, match="nothing was created") as info:
        new_instance(target, "Landkreis Harz", {"street": "Am Markt 1", "postcode": "38820"})
    assert "willkommen.toml: web: broken" in str(info.value)
    assert [p.name for p in tmp_path.iterdir()] == (["x"] if existing else [])
    assert not existing or list(target.iterdir()) == []
