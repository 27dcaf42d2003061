"""`willkommen rollout REGISTER --output DIR [--only SLUG] [--update] [--migrate]`:
one checked instance per authority, a report, idempotent re-runs, safe updates."""

from __future__ import annotations

import json
import shutil
import stat
import textwrap
import tomllib

import pytest
from click.testing import CliRunner

from willkommen_core.cli import cli
from willkommen_core.instance import Instance
from willkommen_core.rollout import register
from willkommen_core.rollout.render import Template
from willkommen_core.rollout.run import rollout
from willkommen_core.rollout.summary import KEY_FILE, key_id
from willkommen_core.rollout.update import BASELINE_FILE
from willkommen_core.scaffold import template_dir


def run_cli(*args: str):
    return CliRunner().invoke(cli, ["rollout", *args])


@pytest.fixture(scope="module")
def saxony_anhalt(tmp_path_factory):
    """The 14 authorities of Saxony-Anhalt rolled out once from the shipped register."""
    output = tmp_path_factory.mktemp("land") / "sachsen-anhalt"
    result = run_cli("sachsen-anhalt", "--output", str(output))
    assert result.exit_code == 0, result.output
    return output, result.output


def test_the_rollout_creates_one_checked_instance_per_authority(saxony_anhalt):
    output, text = saxony_anhalt
    assert "14 authorities: 14 created" in text
    reg = register.load("sachsen-anhalt")
    for entry in reg.authorities:
        instance = Instance.open(output / entry.slug)
        assert instance.check(database=False) == []
        authority = instance.settings.authority
        assert (authority.name, authority.slug) == (entry.name, entry.slug)
        assert authority.sites[0].street == entry.sites[0].street
        assert authority.model_authority == (entry.slug == "magdeburg")
        assert instance.plugins.enabled == entry.modules


def test_the_toolkit_version_is_pinned_in_every_instance(saxony_anhalt):
    from willkommen_core import __version__

    output, _ = saxony_anhalt
    assert f"willkommen=={__version__}" in (output / "harz" / "requirements.txt").read_text()


def test_each_instance_has_its_own_secret_and_signing_key_readable_only_by_its_owner(saxony_anhalt):
    output, _ = saxony_anhalt
    secrets, keys = set(), set()
    for name in ("magdeburg", "harz"):
        env = output / name / ".env"
        pem = output / name / KEY_FILE
        assert stat.S_IMODE(env.stat().st_mode) == 0o600
        assert stat.S_IMODE(pem.stat().st_mode) == 0o600
        secrets.add(env.read_text())
        keys.add(pem.read_text())
    assert len(secrets) == len(keys) == 2


def test_the_report_lists_every_authority_in_json_and_accessible_html(saxony_anhalt):
    output, _ = saxony_anhalt
    data = json.loads((output / "rollout-report.json").read_text())
    assert data["counts"]["created"] == 14
    assert {a["slug"] for a in data["authorities"]} == {
        e.slug for e in register.load("sachsen-anhalt").authorities
    }
    magdeburg = next(a for a in data["authorities"] if a["slug"] == "magdeburg")
    assert magdeburg["status"] == "created"
    assert magdeburg["key_id"] == key_id(magdeburg["public_key"])
    html = (output / "rollout-report.html").read_text()
    assert html.count("<h1>") == 1 and '<html lang="de">' in html
    assert html.count("<caption>") == 2 and 'scope="col"' in html
    assert "Ausländerbehörde der Landeshauptstadt Magdeburg" in html
    assert (output / "report.css").is_file() and "style=" not in html


def test_keys_json_records_every_public_key(saxony_anhalt):
    output, _ = saxony_anhalt
    keys = json.loads((output / "keys.json").read_text())
    assert keys["schema"] == "willkommen.keys/1"
    assert len(keys["authorities"]) == 14
    report = json.loads((output / "rollout-report.json").read_text())
    for a in report["authorities"]:
        assert keys["authorities"][a["slug"]]["public_key"] == a["public_key"]


def test_a_rerun_changes_nothing_and_reports_every_instance_unchanged(saxony_anhalt):
    output, _ = saxony_anhalt
    before = {p: p.stat().st_mtime_ns for p in (output / "stendal").rglob("*") if p.is_file()}
    result = run_cli("sachsen-anhalt", "--output", str(output))
    assert result.exit_code == 0, result.output
    assert "14 authorities: 14 unchanged" in result.output
    after = {p: p.stat().st_mtime_ns for p in (output / "stendal").rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in output.iterdir() if p.name.startswith(".")]


def test_only_rolls_out_the_named_authorities_and_keeps_the_others_keys(tmp_path):
    output = tmp_path / "out"
    result = run_cli(
        "sachsen-anhalt", "--output", str(output), "--only", "harz", "--only", "stendal"
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in output.iterdir() if p.is_dir()) == ["harz", "stendal"]
    run_cli("sachsen-anhalt", "--output", str(output), "--only", "boerde")
    keys = json.loads((output / "keys.json").read_text())["authorities"]
    assert sorted(keys) == ["boerde", "harz", "stendal"]


def test_migrate_creates_the_tables_so_the_full_check_passes(tmp_path):
    output = tmp_path / "out"
    result = run_cli("sachsen-anhalt", "--output", str(output), "--only", "harz", "--migrate")
    assert result.exit_code == 0, result.output
    instance = Instance.open(output / "harz")
    assert instance.check() == []
    instance.db.dispose()


def test_an_instance_that_fails_its_check_is_reported_failed_and_removed(tmp_path, monkeypatch):
    from willkommen_core.rollout import run

    monkeypatch.setattr(run._Checker, "__call__", lambda self, root: ["willkommen.toml: x: broken"])
    reg = register.load("sachsen-anhalt")
    result = rollout(reg, tmp_path / "out", only=["harz"])
    (outcome,) = result.outcomes
    assert outcome.status == "failed"
    assert "check: willkommen.toml: x: broken" in outcome.reasons
    assert not (tmp_path / "out" / "harz").exists()


def test_a_folder_that_is_no_instance_is_reported_and_left_alone(tmp_path):
    (tmp_path / "out" / "harz").mkdir(parents=True)
    (tmp_path / "out" / "harz" / "notes.txt").write_text("mine")
    result = rollout(register.load("sachsen-anhalt"), tmp_path / "out", only=["harz"])
    assert result.outcomes[0].status == "failed"
    assert "exists but is no instance" in result.outcomes[0].reasons[0]
    assert (tmp_path / "out" / "harz" / "notes.txt").read_text() == "mine"


# -- safe updates ------------------------------------------------------------------------

REGISTER = """
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

[[authority]]
name = "Landkreis Stendal"
type = "Landkreis"

[[authority.sites]]
name = "Kreisverwaltung"
street = "Hospitalstraße 1-2"
postcode = "39576"
city = "Stendal"
"""


@pytest.fixture
def old_template(tmp_path):
    """A copy of the template standing for the toolkit's previous version."""
    copy = tmp_path / "template-old"
    shutil.copytree(template_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def new_version_of(old, tmp_path, edit):
    """A copy of ``old`` changed by ``edit(folder)``: the toolkit's next version."""
    new = tmp_path / "template-new"
    shutil.copytree(old, new)
    edit(new / "{{cookiecutter.slug}}")
    return Template.at(new)


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def rolled_out(tmp_path, old_template):
    reg_path = tmp_path / "land.toml"
    reg_path.write_text(textwrap.dedent(REGISTER).lstrip(), encoding="utf-8")
    reg = register.load(reg_path)
    output = tmp_path / "out"
    result = rollout(reg, output, template=Template.at(old_template))
    assert [o.status for o in result.outcomes] == ["created", "created"]
    return reg, output


def template_change(folder):
    # The new toolkit version shortens the session and documents a new key.
    replace_in(folder / "willkommen.toml", "session_max_age = 28800", "session_max_age = 14400")
    replace_in(
        folder / "README.md",
        "## Backup",
        "## Summaries for the ministry\n\n`willkommen summary --output FILE.json`.\n\n## Backup",
    )


def test_without_update_a_changed_template_is_reported_and_nothing_is_written(
    rolled_out, tmp_path, old_template
):
    reg, output = rolled_out
    before = (output / "harz" / "willkommen.toml").read_text()
    result = rollout(reg, output, template=new_version_of(old_template, tmp_path, template_change))
    assert {o.status for o in result.outcomes} == {"needs-attention"}
    assert "run the rollout with --update" in result.outcomes[0].reasons[0]
    assert "README.md, willkommen.toml" in result.outcomes[0].reasons[0]
    assert (output / "harz" / "willkommen.toml").read_text() == before


def test_update_keeps_local_edits_and_applies_the_template_changes(
    rolled_out, tmp_path, old_template
):
    reg, output = rolled_out
    settings = output / "harz" / "willkommen.toml"
    # The authority edits its config and content locally.
    replace_in(settings, 'contact_email = ""', 'contact_email = "abh@kreis-hz.example.org"')
    replace_in(settings, "min_group_size = 5", "min_group_size = 7  # our staff council")
    content = output / "harz" / "content" / "README.md"
    content.write_text(content.read_text() + "\nUnsere Räume: siehe leitsystem/.\n")
    new = new_version_of(old_template, tmp_path, template_change)

    result = rollout(reg, output, template=new, update_existing=True)

    harz, stendal = result.outcomes
    assert harz.status == "updated", harz.reasons
    assert harz.changed_files == ["README.md", "willkommen.toml"]
    text = settings.read_text()
    assert 'contact_email = "abh@kreis-hz.example.org"' in text  # local edit kept
    assert "min_group_size = 7  # our staff council" in text  # with its comment
    assert "session_max_age = 14400" in text  # template change applied
    assert "Unsere Räume" in content.read_text()
    assert "## Summaries for the ministry" in (output / "harz" / "README.md").read_text()
    assert Instance.open(output / "harz").settings.privacy.min_group_size == 7
    assert stendal.status == "updated"
    # Re-running the same update is idempotent.
    again = rollout(reg, output, template=new, update_existing=True)
    assert [o.status for o in again.outcomes] == ["unchanged", "unchanged"]


def test_a_conflicting_edit_is_never_overwritten_and_the_others_go_on(
    rolled_out, tmp_path, old_template
):
    reg, output = rolled_out
    settings = output / "harz" / "willkommen.toml"
    replace_in(settings, "session_max_age = 28800", "session_max_age = 3600")
    mine = settings.read_text()
    new = new_version_of(old_template, tmp_path, template_change)

    result = rollout(reg, output, template=new, update_existing=True)

    harz, stendal = result.outcomes
    assert harz.status == "needs-attention"
    (conflict,) = harz.conflicts
    assert conflict["file"] == "willkommen.toml"
    assert (
        "local 'session_max_age = 3600' vs. template 'session_max_age = 14400'"
        in conflict["detail"]
    )
    assert settings.read_text() == mine  # not overwritten
    proposal = (output / "harz" / "willkommen.toml.new").read_text()
    assert "<<<<<<< local (this instance)" in proposal and "session_max_age = 14400" in proposal
    assert harz.changed_files == ["README.md"]  # the clean file was still merged
    assert stendal.status == "updated"  # the others go on
    report = json.loads(
        (output / "harz" / ".." / "keys.json").read_text()
    )  # keys are still written
    assert "harz" in report["authorities"]

    # Until the .new file is merged by hand and deleted, it stays reported.
    assert rollout(reg, output, template=new).outcomes[0].status == "needs-attention"
    replace_in(settings, "session_max_age = 3600", "session_max_age = 7200")
    (output / "harz" / "willkommen.toml.new").unlink()
    assert [o.status for o in rollout(reg, output, template=new).outcomes] == [
        "unchanged",
        "unchanged",
    ]


def test_the_baseline_records_what_the_template_rendered(rolled_out, old_template):
    _, output = rolled_out
    data = json.loads((output / "harz" / BASELINE_FILE).read_text())
    assert data["template"] == Template.at(old_template).fingerprint
    assert data["files"]["willkommen.toml"].startswith("# Settings of the Willkommen instance")
    assert ".env" not in data["files"]


def test_a_register_change_reaches_the_instance_by_update(rolled_out, tmp_path, old_template):
    reg, output = rolled_out
    reg.authorities[0].phone = "03941 5970"
    result = rollout(reg, output, template=Template.at(old_template), update_existing=True)
    assert result.outcomes[0].status == "updated"
    assert (
        tomllib.loads((output / "harz" / "willkommen.toml").read_text())["authority"]["phone"]
        == "03941 5970"
    )


def test_update_migrates_the_config_layout_first_so_a_layout_change_is_no_conflict(
    rolled_out, tmp_path, old_template, monkeypatch
):
    from willkommen_core import config_migrate

    reg, output = rolled_out
    settings = output / "harz" / "willkommen.toml"
    replace_in(settings, "login_max_failures = 5", "login_max_failures = 3")

    def drop_obsolete_key(doc):
        del doc["web"]["login_max_failures"]

    # Toolkit version 2 dropped the key: its template no longer has it and it
    # ships the migration that removes it from existing files.
    monkeypatch.setattr(config_migrate, "CURRENT_SCHEMA", 2)
    monkeypatch.setattr(config_migrate, "MIGRATIONS", {1: drop_obsolete_key})

    def layout_2(folder):
        replace_in(folder / "willkommen.toml", "schema_version = 1", "schema_version = 2")
        replace_in(folder / "willkommen.toml", "login_max_failures = 5\n", "")

    result = rollout(
        reg, output, template=new_version_of(old_template, tmp_path, layout_2), update_existing=True
    )

    assert [o.status for o in result.outcomes] == ["updated", "updated"], result.outcomes[0].reasons
    text = settings.read_text()
    assert "schema_version = 2" in text and "login_max_failures" not in text
    assert not (output / "harz" / "willkommen.toml.new").exists()
