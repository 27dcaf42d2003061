"""Long work shows its progress: a bar on a terminal, plain counted lines in a log,
nothing with ``--quiet`` (rollout, update, backup, restore)."""

from __future__ import annotations

import io
import re
import shutil
import textwrap

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from willkommen_core.cli import cli
from willkommen_core.progress import LINES, Progress

COUNT = re.compile(r"^(?P<label>[a-z]+): (?P<done>\d+)/(?P<total>\d+)(?: (?P<item>.+))?$")


def counted_lines(text: str, label: str) -> list[tuple[int, int, str]]:
    """The progress lines of ``label``: (done, total, item)."""
    lines = []
    for line in text.splitlines():
        match = COUNT.match(line)
        if match and match["label"] == label:
            lines.append((int(match["done"]), int(match["total"]), match["item"] or ""))
    return lines


# -- the helper -------------------------------------------------------------------


def test_in_a_log_it_writes_a_few_lines_with_counts_ending_at_the_total():
    out = io.StringIO()
    with Progress("signs", total=550, file=out) as bar:
        for i in range(550):
            bar.advance(f"sign-{i}")
    lines = counted_lines(out.getvalue(), "signs")
    assert lines[0] == (0, 550, "")
    assert lines[-1] == (550, 550, "sign-549")
    assert len(lines) == LINES + 1  # a start line and one per tenth
    assert [done for done, _, _ in lines] == sorted(done for done, _, _ in lines)
    assert all(total == 550 for _, total, _ in lines)
    assert len(out.getvalue().splitlines()) == len(lines)  # nothing but these lines


def test_short_work_gets_one_line_per_step():
    out = io.StringIO()
    with Progress("backup", file=out) as bar:
        bar.start(3)
        for name in ("core_users", "partner_partners", "content/logo.png"):
            bar.advance(name)
    assert counted_lines(out.getvalue(), "backup") == [
        (0, 3, ""),
        (1, 3, "core_users"),
        (2, 3, "partner_partners"),
        (3, 3, "content/logo.png"),
    ]


def test_quiet_writes_nothing_and_a_missing_progress_is_silent():
    out = io.StringIO()
    with Progress("rollout", total=5, quiet=True, file=out) as bar:
        for _ in range(5):
            bar.advance("x")
    assert out.getvalue() == ""
    silent = Progress.of(None)
    silent.start(2)
    silent.advance("a")
    assert silent.done == 1


def test_on_a_terminal_it_draws_a_bar_with_counts():
    out = io.StringIO()
    with Progress("rollout", total=4, file=out, tty=True) as bar:
        for _ in range(4):
            bar.advance("harz")
    text = out.getvalue()
    assert "rollout" in text and "4/4" in text
    assert counted_lines(text, "rollout") == []  # a bar, not log lines


# -- the commands -----------------------------------------------------------------


@pytest.fixture
def register_file(tmp_path):
    path = tmp_path / "land.toml"
    path.write_text(
        textwrap.dedent(
            """
            [defaults]
            federal_state = "Sachsen-Anhalt"
            modules = ["partner"]

            [[authority]]
            name = "Landkreis Harz"
            type = "Landkreis"
            [[authority.sites]]
            name = "Hauptsitz"
            street = "Friedrich-Ebert-Straße 42"
            postcode = "38820"
            city = "Halberstadt"

            [[authority]]
            name = "Stadt Dessau-Roßlau"
            type = "kreisfreie Stadt"
            [[authority.sites]]
            name = "Bürgeramt"
            street = "Zerbster Straße 4"
            postcode = "06844"
            city = "Dessau-Roßlau"
            """
        ),
        encoding="utf-8",
    )
    return path


def test_rollout_and_update_print_a_counted_line_per_authority_when_not_on_a_terminal(
    register_file, tmp_path
):
    output = tmp_path / "out"
    result = CliRunner().invoke(cli, ["rollout", str(register_file), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert counted_lines(result.stderr, "rollout") == [
        (0, 2, ""),
        (1, 2, "harz created"),
        (2, 2, "dessau-rosslau created"),
    ]
    assert "2 authorities: 2 created" in result.stdout

    again = CliRunner().invoke(
        cli, ["rollout", str(register_file), "--output", str(output), "--update"]
    )
    assert again.exit_code == 0, again.output
    assert counted_lines(again.stderr, "update")[-1] == (2, 2, "dessau-rosslau unchanged")


def test_rollout_quiet_prints_nothing_but_errors(register_file, tmp_path):
    output = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["rollout", str(register_file), "--output", str(output), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert (output / "harz" / "willkommen.toml").is_file()

    # A failed authority is still reported, on standard error, with exit code 1.
    shutil.rmtree(output / "harz")
    (output / "harz").write_text("not a folder", encoding="utf-8")
    failed = CliRunner().invoke(cli, ["rollout", str(register_file), "--output", str(output), "-q"])
    assert failed.exit_code == 1
    assert failed.stdout == ""
    assert failed.stderr.startswith("harz: failed: ")


def test_backup_and_restore_count_tables_and_files_or_stay_quiet(make_instance, tmp_path):
    instance = make_instance(["partner"], name="inst")
    (instance.root / "content").mkdir(exist_ok=True)
    (instance.root / "content" / "hinweis.md").write_text("Öffnungszeiten", encoding="utf-8")
    file = tmp_path / "sicherung.zip"
    base = ["--instance", str(instance.root)]

    made = CliRunner().invoke(cli, [*base, "backup", str(file)])
    assert made.exit_code == 0, made.output
    lines = counted_lines(made.stderr, "backup")
    done, total, item = lines[-1]
    assert done == total > 1 and item == "content/hinweis.md"  # the tables, then the files
    assert made.stdout.startswith(f"wrote {file}: ")

    quiet = CliRunner().invoke(cli, [*base, "backup", str(file), "--quiet"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.output == ""

    restored = CliRunner().invoke(cli, [*base, "restore", str(file), "--yes"])
    assert restored.exit_code == 0, restored.output
    # The same tables and files, each counted once.
    assert counted_lines(restored.stderr, "restore")[-1][:2] == (total, total)

    quiet = CliRunner().invoke(cli, [*base, "restore", str(file), "--yes", "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.output == ""

    missing = CliRunner().invoke(cli, [*base, "restore", str(tmp_path / "nope.zip"), "-q"])
    assert missing.exit_code != 0 and "nope.zip" in missing.stderr


@settings(max_examples=200, deadline=None)
@given(total=st.integers(min_value=0, max_value=5000), steps=st.integers(min_value=0, max_value=60))
def test_log_lines_are_few_ordered_and_end_at_the_count_done(total, steps):
    out = io.StringIO()
    with Progress("work", total=total, file=out) as bar:
        for i in range(steps):
            bar.advance(f"item-{i}")
    lines = counted_lines(out.getvalue(), "work")
    assert lines[0] == (0, total, "")
    assert [d for d, _, _ in lines] == sorted(d for d, _, _ in lines)
    # A start line, at most one per tenth, and any steps beyond the announced total.
    assert len(lines) <= 1 + LINES + max(0, steps - total)
    if steps:
        assert lines[-1][0] == steps or steps < total
