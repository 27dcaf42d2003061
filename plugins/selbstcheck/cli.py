"""``willkommen selbstcheck ...``: the anonymous state summary for the ministry."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group(help="Selbstcheck: anonyme Zusammenfassung für den Landesbericht.")
def group() -> None:
    """The commands below attach themselves with ``@group.command``."""


@group.command("summary")
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="JSON file to write (parent folder must exist).",
)
@click.pass_obj
def summary(obj, output: Path) -> None:  # type: ignore[no-untyped-def]
    """Write the anonymous summary of all closed rounds (suppression applied)."""
    from willkommen_core.audit import Actor
    from willkommen_core.errors import UserError

    from .summary import build, with_integrity

    instance = obj.instance(check_db=True)
    data = with_integrity(build(instance))
    if not output.parent.is_dir():
        raise UserError(f"{output}: folder {output.parent} does not exist")
    output.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    instance.audit.record("results.exported", Actor.command_line(), "selbstcheck", format="summary")
    click.echo(
        f"wrote {output}: {len(data['rounds'])} closed round(s), "
        f"questionnaire {data['questionnaire_version']}"
    )
