"""``willkommen partner ...``: import, export and list the partner list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

NAME = "partner"


def _open(obj: Any) -> Any:
    """The instance, refusing a database whose schema is not current."""
    from willkommen_core.errors import UserError
    from willkommen_core.storage import migrate

    instance = obj.instance()
    outdated = migrate.outdated(instance.db, instance.components())
    if outdated:
        raise UserError("the database is not up to date:", outdated)
    return instance


@click.group(name=NAME, help="Partnerliste: externe Akteure importieren, exportieren, anzeigen.")
def group() -> None:
    """The commands below attach themselves with ``@group.command``."""


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only validate the file, import nothing.")
@click.pass_obj
def import_(obj: Any, file: Path, dry_run: bool) -> None:
    """Import partners from a CSV file (all rows or none)."""
    from . import categories, exchange

    instance = _open(obj)
    data = file.read_bytes()
    cats = categories.load(instance)
    if dry_run:
        rows, errors = exchange.parse_csv(data, cats)
        if errors:
            raise exchange.ImportFailed(str(file), errors)
        click.echo(f"{file}: {len(rows)} rows valid (dry run, nothing imported)")
        return
    result = exchange.import_csv(instance.db, data, cats, filename=str(file))
    click.echo(f"{file}: {result.created} created, {result.updated} updated")


@group.command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: standard output).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "vcard"]), default="csv", show_default=True
)
@click.pass_obj
def export(obj: Any, output: Path | None, fmt: str) -> None:
    """Export all partners as CSV (the import format) or vCard 3.0."""
    from . import categories, exchange, store

    instance = _open(obj)
    found = store.search(instance.db)
    if fmt == "csv":
        data = exchange.export_csv(found)
    else:
        data = exchange.vcards(
            found, categories.load(instance), f"{instance.slug}.willkommen"
        ).encode("utf-8")
    if output is None:
        click.echo(data, nl=False)
    else:
        output.write_bytes(data)
        click.echo(f"{len(found)} partners written to {output}", err=True)


@group.command("list")
@click.option("--language", default="", help="Only partners offering this ISO 639 code.")
@click.option("--category", default="", help="Only this category id.")
@click.option("--status", default="", help="angesprochen | interesse | kooperation | ruhend")
@click.option("--search", "q", default="", help="Words in name, services or notes.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def list_(obj: Any, language: str, category: str, status: str, q: str, as_json: bool) -> None:
    """List partners."""
    from . import store

    instance = _open(obj)
    found = store.search(
        instance.db, store.Filters(q=q, category=category, language=language, status=status)
    )
    if as_json:
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "category": p.category,
                "status": p.status,
                "languages": p.languages,
                "public": p.public,
                "last_contact": p.last_contact.isoformat() if p.last_contact else None,
            }
            for p in found
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for p in found:
        click.echo(f"{p.id:>4}  {p.name}  [{p.category}, {p.status}]  {' '.join(p.languages)}")
    click.echo(f"{len(found)} partners", err=True)
