"""``hallo``: a minimal third-party plugin that uses every kind of hook.

Installed in the tests as the distribution ``willkommen-hallo`` 1.0 (entry
point group ``willkommen``), it serves pages, a JSON API, a start-page card,
a table with its own migration, a settings section and a CLI group, so the
tests can check that each of them appears when enabled and leaves no trace
when disabled.
"""

from __future__ import annotations

from pathlib import Path

import click
from pydantic import BaseModel, Field
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select
from starlette.requests import Request
from starlette.responses import Response

from willkommen_core.hookspecs import hookimpl
from willkommen_core.types import (
    AssessmentItem,
    Card,
    ModuleInfo,
    PluginStorage,
    Recommendation,
)
from willkommen_core.web.api import ApiError, ApiRoute
from willkommen_core.web.routing import Page
from willkommen_core.web.templating import render

HERE = Path(__file__).parent
NAME = "hallo"

metadata = MetaData()
greetings = Table(
    "hallo_greetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", String(200), nullable=False),
)


class HalloSettings(BaseModel):
    greeting: str = "Hallo"
    repeat: int = Field(default=1, ge=1, le=10)


class GreetingIn(BaseModel):
    text: str = Field(min_length=1, max_length=200)


class GreetingOut(BaseModel):
    id: int
    text: str


@hookimpl
def module_info() -> ModuleInfo:
    return ModuleInfo(
        title="Hallo-Modul",
        summary="Begrüßt die Mitarbeitenden.",
        cornerstones=("verankerung",),
        nav_path="/hallo/",
        public_path="/hallo/oeffentlich",
        public_title="Hallo öffentlich",
    )


@hookimpl
def settings_model() -> type[BaseModel]:
    return HalloSettings


@hookimpl
def storage() -> PluginStorage:
    return PluginStorage(metadata, HERE / "migrations")


def index(request: Request) -> Response:
    instance = request.app.state.instance
    with instance.db.read() as s:
        texts = [row.text for row in s.execute(select(greetings.c.text).order_by(greetings.c.id))]
    greeting = instance.plugin_settings(NAME).greeting
    return render(request, "hallo/index.html", {"greeting": greeting, "texts": texts})


async def add(request: Request) -> Response:
    form = await request.form()
    text = str(form.get("text", "")).strip()[:200]
    if not text:
        return render(request, "hallo/index.html", {"greeting": "", "texts": []}, 400)
    with request.app.state.instance.db.write() as s:
        s.execute(insert(greetings).values(text=text))
    from starlette.responses import RedirectResponse

    return RedirectResponse("/hallo/", status_code=303)


def detail(request: Request) -> Response:
    with request.app.state.instance.db.read() as s:
        row = s.execute(
            select(greetings).where(greetings.c.id == request.path_params["greeting_id"])
        ).first()
    if row is None:
        from starlette.exceptions import HTTPException

        raise HTTPException(404)
    return render(request, "hallo/index.html", {"greeting": row.text, "texts": []})


def public(request: Request) -> Response:
    return render(request, "hallo/index.html", {"greeting": "Hallo Welt", "texts": []})


@hookimpl
def web_routes(instance) -> list[Page]:  # type: ignore[no-untyped-def]
    return [
        Page("/", index, roles=("leitung", "redaktion"), name="hallo-index"),
        Page("/", add, methods=("POST",), roles=("redaktion",), name="hallo-add"),
        Page("/gruss/{greeting_id:int}", detail, roles=("leitung",), name="hallo-detail"),
        Page("/oeffentlich", public, public=True, name="hallo-public"),
    ]


def api_list(request: Request) -> list[dict[str, object]]:
    with request.app.state.instance.db.read() as s:
        return [dict(r._mapping) for r in s.execute(select(greetings))]


def api_add(request: Request, body: GreetingIn) -> GreetingOut:
    with request.app.state.instance.db.write() as s:
        new_id = s.execute(insert(greetings).values(text=body.text)).inserted_primary_key[0]
    return GreetingOut(id=new_id, text=body.text)


def api_get(request: Request) -> GreetingOut:
    with request.app.state.instance.db.read() as s:
        row = s.execute(
            select(greetings).where(greetings.c.id == request.path_params["greeting_id"])
        ).first()
    if row is None:
        raise ApiError(404, "no such greeting")
    return GreetingOut(id=row.id, text=row.text)


@hookimpl
def api_routes(instance) -> list[ApiRoute]:  # type: ignore[no-untyped-def]
    return [
        ApiRoute("/greetings", api_list, roles=("leitung",), summary="List greetings"),
        ApiRoute(
            "/greetings",
            api_add,
            methods=("POST",),
            roles=("redaktion",),
            request_model=GreetingIn,
            response_model=GreetingOut,
            status_code=201,
            summary="Add a greeting",
            name="api_add",
        ),
        ApiRoute(
            "/greetings/{greeting_id:int}",
            api_get,
            roles=("leitung", "redaktion"),
            response_model=GreetingOut,
            summary="One greeting",
        ),
    ]


@hookimpl
def templates_dir() -> Path:
    return HERE / "templates"


@hookimpl
def dashboard_cards(instance, user) -> list[Card]:  # type: ignore[no-untyped-def]
    return [Card("Hallo-Karte", "Grüße aus dem Test-Plugin.", "/hallo/", "Zum Hallo-Modul")]


@hookimpl
def selfassessment_items(instance) -> list[AssessmentItem]:  # type: ignore[no-untyped-def]
    return [AssessmentItem("hallo_gruss", "verankerung", "Wir grüßen unsere Kundschaft.")]


@hookimpl
def recommendations(instance, results) -> list[Recommendation]:  # type: ignore[no-untyped-def]
    return [Recommendation("verankerung", "Mehr grüßen", "Test-Plugin", "/hallo/")]


@hookimpl
def state_summary(instance) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with instance.db.read() as s:
        return {"greetings": len(s.execute(select(greetings.c.id)).all())}


@hookimpl
def content_problems(instance) -> list:  # type: ignore[no-untyped-def,type-arg]
    return []


@click.group(help="Grüße verwalten (Test-Plugin).")
def hallo_cli() -> None:
    """The commands below attach themselves with ``@hallo_cli.command``."""


@hallo_cli.command("greet")
@click.argument("text")
@click.pass_obj
def greet(obj, text: str) -> None:  # type: ignore[no-untyped-def]
    """Store a greeting."""
    instance = obj.instance(check_db=True)
    with instance.db.write() as s:
        s.execute(insert(greetings).values(text=text))
    click.echo(f"stored {text}")


@hookimpl
def cli_group() -> click.Group:
    return hallo_cli
