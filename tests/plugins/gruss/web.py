import asyncio
import threading

from starlette.responses import Response

from willkommen_core.sdk import PageRequest

from . import module

page = module.pages.page


@page("/", roles=("leitung",))
def index(p: PageRequest) -> Response:
    return p.render("gruss/index.html", {"greeting": p.settings.greeting, "name": p.query("an")})


@page("/an/{name}", methods=("GET", "POST"), roles=("leitung",), name="greet")
def greet(p: PageRequest) -> Response:
    if p.method == "GET":
        return p.render("gruss/form.html", {"errors": {}, "text": ""})
    text = p.value("text", limit=20)
    if not text:
        return p.render(
            "gruss/form.html", {"errors": {"text": "Bitte Text angeben."}, "text": text}, 400
        )
    return p.redirect("index", notice=text)


@page("/wo", roles=("leitung",))
def where(p: PageRequest) -> Response:
    """Where the handler runs: not on the event loop."""
    try:
        asyncio.get_running_loop()
        on_loop = True
    except RuntimeError:
        on_loop = False
    return Response(f"{threading.current_thread().name} loop={on_loop}")


@page("/datei", roles=("leitung",))
def file(p: PageRequest) -> Response:
    return p.download("a;b\n", "Grüße März.csv", "text/csv; charset=utf-8")


@page("/fehlt", public=True)
def missing(p: PageRequest) -> Response:
    p.not_found("Diesen Gruß gibt es nicht.")


async def _double(n: int) -> int:
    await asyncio.sleep(0)
    return 2 * n


@page("/doppelt/{n:int}", roles=("leitung",), name="double")
def double(p: PageRequest) -> Response:
    return Response(str(p.run_async(_double, p.param("n"))))


@page("/bearbeiten", roles=lambda settings: settings.editors)
def edit(p: PageRequest) -> Response:
    return Response("darf")


@page("/hilfe", public=True, when=lambda settings: settings.public_help)
def help_page(p: PageRequest) -> Response:
    return Response("Hilfe")
