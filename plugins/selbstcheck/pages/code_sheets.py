"""The trusted person (role ``vertrauensperson``) prints the one-time codes.

These pages are ``exclusive``: not even ``admin`` reaches them, so whoever
can read results never holds an unused code. A sheet shows its codes once,
is never cached, and no other page or endpoint ever shows a code.
"""

from __future__ import annotations

from starlette.responses import Response

from willkommen_core.sdk import PageRequest

from .. import TRUSTED, store
from ..store import Refused
from .common import absolute_url, page, refusal_message, round_or_404, token_count


def _sheets_page(
    p: PageRequest,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The open rounds with one-time codes: first sheet to print, or further codes."""
    rounds = [r for r in store.list_rounds(p.db) if r.mode == "tokens" and r.status == "open"]
    return p.render(
        "selbstcheck/codebogen.html",
        {
            "rounds": rounds,
            "issued": {r.id: store.token_counts(p.db, r.id)[0] for r in rounds},
            "max_tokens": p.settings.max_tokens,
            "errors": errors or {},
            "values": values or {},
        },
        status,
    )


def _token_sheet(p: PageRequest, rnd: store.Round, tokens: list[str]) -> Response:
    """The printable sheet: the only place the codes ever exist in plain text."""
    response = p.render(
        "selbstcheck/codes.html",
        {"round": rnd, "tokens": tokens, "link": absolute_url(p, "participate")},
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@page("/codebogen/", roles=TRUSTED, exclusive=True)
def code_sheets(p: PageRequest) -> Response:
    return _sheets_page(p)


@page(
    "/codebogen/{round_id:int}",
    methods=("POST",),
    roles=TRUSTED,
    exclusive=True,
    name="code_sheet_print",
)
def print_sheet(p: PageRequest) -> Response:
    rnd = round_or_404(p)
    try:
        tokens = store.print_sheet(p.db, rnd.id)
    except Refused as exc:
        errors = {f"sheet_{rnd.id}": refusal_message(exc)}
        return _sheets_page(p, errors=errors, status=exc.status)
    p.audit("codes.printed", f"selbstcheck/{rnd.id}", count=len(tokens), sheet="first")
    return _token_sheet(p, rnd, tokens)


@page(
    "/codebogen/{round_id:int}/weitere",
    methods=("POST",),
    roles=TRUSTED,
    exclusive=True,
    name="code_sheet_more",
)
def print_more(p: PageRequest) -> Response:
    rnd = round_or_404(p)
    field = f"tokens_{rnd.id}"
    raw = p.value(field)
    limit = p.settings.max_tokens
    errors: dict[str, str] = {}
    count = token_count(raw, limit - store.token_counts(p.db, rnd.id)[0], errors, field)
    if errors:
        return _sheets_page(p, errors=errors, values={field: raw}, status=400)
    try:
        tokens = store.print_more(p.db, rnd.id, count, limit=limit)
    except Refused as exc:
        errors[field] = refusal_message(exc)
        return _sheets_page(p, errors=errors, values={field: raw}, status=exc.status)
    p.audit("codes.printed", f"selbstcheck/{rnd.id}", count=len(tokens), sheet="more")
    return _token_sheet(p, rnd, tokens)
