"""``willkommen leitsystem ...``: build the signs, import and export the building model."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from willkommen_core.progress import Progress

NAME = "leitsystem"


def _open(obj: Any) -> Any:
    """The instance, refusing a database whose schema is not current."""
    from willkommen_core.errors import UserError
    from willkommen_core.storage import migrate

    instance = obj.instance()
    outdated = migrate.outdated(instance.db, instance.components())
    if outdated:
        raise UserError("the database is not up to date:", outdated)
    return instance


@click.group(
    name=NAME, help="Leitsystem: Schilder erzeugen, Gebäudedaten importieren und exportieren."
)
def group() -> None:
    """The commands below attach themselves with ``@group.command``."""


def split_languages(values: tuple[str, ...]) -> list[str]:
    """``--lang de,ar --lang uk`` as ``["de", "ar", "uk"]`` (blanks around commas ignored)."""
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


@group.command("build")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the signs (<lang>/<size>/<sign>.pdf|svg and manifest.json).",
)
@click.option(
    "--lang",
    "langs",
    multiple=True,
    help="Sign languages, comma-separated (de,ar) or repeated; default: all configured.",
)
@click.option(
    "--size", "sizes", multiple=True, type=click.Choice(["a4", "a3"]), help="Default: both."
)
@click.option(
    "--format", "formats", multiple=True, type=click.Choice(["pdf", "svg"]), help="Default: both."
)
@click.option(
    "--base-url",
    default=None,
    help="Address for the QR codes; default: [leitsystem] base_url, else the address "
    "the instance was last served at.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress and no summary; only errors.")
@click.pass_obj
def build(
    obj: Any,
    output: Path,
    langs: tuple[str, ...],
    sizes: tuple[str, ...],
    formats: tuple[str, ...],
    base_url: str | None,
    quiet: bool,
) -> None:
    """Build every sign of every site: door and direction signs, floor directories, overviews."""
    from willkommen_core.errors import UserError

    from . import address, content, render, store

    instance = _open(obj)
    problems = content.problems(instance, instance.plugin_settings(NAME))
    if problems:
        raise UserError("the guidance system's content has problems:", problems)
    base, source = address.base_url(instance, base_url)
    sites = store.load(instance.db, [s.name for s in instance.settings.authority.sites])
    if not sites:
        raise UserError("no buildings yet: enter them under /leitsystem/ or import a file")
    chosen = render.sign_languages(instance, split_languages(langs))
    started = time.perf_counter()
    with Progress("signs", quiet=quiet) as bar:
        manifest = render.build(
            instance,
            sites,
            output,
            langs=chosen,
            base_url=base,
            sizes=sizes or tuple(render.SIZES),
            formats=formats or render.FORMATS,
            progress=bar,
        )
    if quiet:
        return
    files = sum(len(m["files"]) for m in manifest)
    if source != "--base-url":
        click.echo(f"QR codes lead to {base} ({source})")
    click.echo(
        f"{len(manifest)} signs in {len(chosen)} language(s) ({', '.join(chosen)}), "
        f"{files} files in {output} ({time.perf_counter() - started:.1f} s)"
    )


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only validate the file, import nothing.")
@click.pass_obj
def import_(obj: Any, file: Path, dry_run: bool) -> None:
    """Import buildings, floors, rooms and routes (TOML or JSON); replaces the sites in the file."""
    from . import exchange

    instance = _open(obj)
    data = file.read_bytes()
    if dry_run:
        sites = exchange.read(instance, data, str(file))
        click.echo(f"{file}: valid, {len(sites)} site(s) (dry run, nothing imported)")
        return
    sites = exchange.import_file(instance, data, str(file))
    rooms = sum(len(f.rooms) for s in sites for b in s.buildings for f in b.floors)
    click.echo(f"{file}: {len(sites)} site(s) with {rooms} rooms imported")


@group.command("export")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["toml", "json"]),
    default=None,
    help="Default: from the file name, else TOML.",
)
@click.pass_obj
def export(obj: Any, output: Path | None, fmt: str | None) -> None:
    """Export the building model in the import format."""
    from . import exchange

    instance = _open(obj)
    fmt = fmt or ("json" if output and output.suffix.lower() == ".json" else "toml")
    data = exchange.export(instance, fmt)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)
        click.echo(f"written to {output}", err=True)
