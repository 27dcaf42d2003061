from __future__ import annotations

from sqlalchemy import insert, select
from starlette.responses import Response

from willkommen_core.sdk import PageRequest

from . import module
from .tables import greetings

page = module.pages.page


def _texts(p: PageRequest) -> list[str]:
    with p.db.read() as s:
        return list(s.execute(select(greetings.c.text).order_by(greetings.c.id)).scalars())


@page("/", roles=("leitung", "redaktion"), name="index")
def index(p: PageRequest) -> Response:
    return p.render("hallo/index.html", {"greeting": p.settings.greeting, "texts": _texts(p)})


@page("/", methods=("POST",), roles=("redaktion",), name="add")
def add(p: PageRequest) -> Response:
    text = p.value("text", limit=200)
    if not text:
        context = {"greeting": p.settings.greeting, "texts": _texts(p), "error": "Bitte Text."}
        return p.render("hallo/index.html", context, 400)
    with p.db.write() as s:
        s.execute(insert(greetings).values(text=text))
    return p.redirect("index")


@page("/gruss/{greeting_id:int}", roles=("leitung",), name="detail")
def detail(p: PageRequest) -> Response:
    with p.db.read() as s:
        row = s.execute(select(greetings).where(greetings.c.id == p.param("greeting_id"))).first()
    if row is None:
        p.not_found("Diesen Gruß gibt es nicht.")
    return p.render("hallo/index.html", {"greeting": row.text, "texts": []})


@page("/oeffentlich", public=True, name="public")
def public(p: PageRequest) -> Response:
    return p.render("hallo/index.html", {"greeting": "Hallo Welt", "texts": []})
