from __future__ import annotations

from typing import Any

import click
from sqlalchemy import insert

from .tables import greetings


@click.group(help="Grüße verwalten (Test-Plugin).")
def group() -> None:
    """The commands below attach themselves with ``@group.command``."""


@group.command("greet")
@click.argument("text")
@click.pass_obj
def greet(obj: Any, text: str) -> None:
    """Store a greeting."""
    instance = obj.instance(check_db=True)
    with instance.db.write() as s:
        s.execute(insert(greetings).values(text=text))
    click.echo(f"stored {text}")
