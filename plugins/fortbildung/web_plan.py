"""Pages of the annual plan: sessions, registrations and attendance, exports, the public
"what is on" page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from starlette.responses import Response

from willkommen_core.i18n import gettext as _
from willkommen_core.sdk import PageRequest

from . import exports, store
from .model import validate_pseudonym, validate_session
from .web_common import (
    PERSONAL,
    PLANNERS,
    PUBLIC_SCHEDULE,
    STAFF,
    can,
    labels,
    page,
    to,
    year,
    year_options,
)

SESSION_FIELDS = ("entry_id", "title", "day", "start", "end", "location", "capacity", "notes")
NOTICES = {
    "gespeichert": lambda: _("Die Angaben wurden gespeichert."),
    "angemeldet": lambda: _("Die Anmeldung wurde gespeichert."),
    "abgemeldet": lambda: _("Die Anmeldung wurde entfernt."),
    "teilnahme": lambda: _("Die Teilnahme wurde gespeichert."),
}


def default_year(years_with_sessions: Iterable[int], today: date) -> int:
    """The year the plan opens on without ``?jahr=``.

    This year when it has sessions (or nothing is planned at all); otherwise
    the latest year that has some, so that a plan made ahead for next year,
    or last year's plan in January, or the demo's 2014/2015, opens with its
    sessions instead of an empty year whose targets all read "nicht erreicht".
    """
    found = set(years_with_sessions)
    if today.year in found or not found:
        return today.year
    return max(found)


@page("/plan", roles=STAFF)
def plan(p: PageRequest) -> Response:
    shown = year(p) if p.query("jahr") else default_year(store.years(p.db), date.today())
    return p.render(
        "fortbildung/plan.html",
        {
            "year": shown,
            "year_options": year_options(p, shown),
            "sessions": store.list_sessions(p.db, year=shown),
            "targets": store.targets(p.db, shown, p.settings),
            "notice": _("Der Termin wurde gelöscht.") if p.query("geloescht") else None,
            **labels(p),
        },
    )


@page("/plan.csv", roles=STAFF)
def plan_csv(p: PageRequest) -> Response:
    shown = year(p)
    body = exports.plan_csv(store.list_sessions(p.db, year=shown))
    return p.download(body, f"fortbildung-plan-{shown}.csv", "text/csv; charset=utf-8")


def _ics(p: PageRequest, found: list[store.Session], filename: str) -> Response:
    body = exports.calendar(
        found,
        name=_("Fortbildungen – %(authority)s", authority=p.instance.settings.authority.name),
        domain=f"{p.instance.slug}.willkommen",
    )
    return p.download(body, filename, "text/calendar; charset=utf-8")


@page("/plan.ics", roles=STAFF)
def plan_ics(p: PageRequest) -> Response:
    shown = year(p)
    return _ics(p, store.list_sessions(p.db, year=shown), f"fortbildung-{shown}.ics")


# -- one session -------------------------------------------------------------------------


def _session_or_404(p: PageRequest) -> store.Session:
    found = store.get_session(p.db, p.param("session_id"))
    if found is None:
        p.not_found()
    return found


def _notice(p: PageRequest) -> str | None:
    return next((text() for key, text in NOTICES.items() if p.query(key)), None)


def _session(
    p: PageRequest, errors: dict[str, str] | None = None, pseudonym: str = "", status: int = 200
) -> Response:
    found = _session_or_404(p)
    personal = can(p, *PERSONAL)
    return p.render(
        "fortbildung/session.html",
        {
            "s": found,
            "registrations": store.session_registrations(p.db, found.id) if personal else [],
            "errors": errors or {},
            "pseudonym": pseudonym,
            "notice": _notice(p),
            **labels(p),
        },
        status,
    )


@page("/plan/{session_id:int}", roles=STAFF)
def session(p: PageRequest) -> Response:
    return _session(p)


def _session_values(found: store.Session) -> dict[str, str]:
    return {
        "entry_id": str(found.entry_id),
        "title": found.title,
        "day": found.starts_at.date().isoformat(),
        "start": found.starts_at.strftime("%H:%M"),
        "end": found.ends_at.strftime("%H:%M"),
        "location": found.location,
        "capacity": "" if found.capacity is None else str(found.capacity),
        "notes": found.notes,
    }


def _session_form(
    p: PageRequest,
    values: dict[str, str],
    errors: dict[str, str],
    found: store.Session | None,
    status: int = 200,
) -> Response:
    entries = store.list_entries(p.db, active_only=True)
    if found is not None and all(e.id != found.entry_id for e in entries):
        current = store.get_entry(p.db, found.entry_id)
        if current is not None:
            entries.append(current)
    return p.render(
        "fortbildung/session_form.html",
        {
            "values": values,
            "errors": errors,
            "s": found,
            "entry_options": [(str(e.id), e.title) for e in entries],
            **labels(p),
        },
        status,
    )


def _submitted(p: PageRequest) -> dict[str, str]:
    return {name: p.value(name) for name in SESSION_FIELDS}


@page("/plan/neu", methods=("GET", "POST"), roles=PLANNERS)
def session_create(p: PageRequest) -> Response:
    if p.method == "GET":
        values = {name: "" for name in SESSION_FIELDS} | {
            "entry_id": p.query("eintrag")[:10],
            "start": "09:00",
            "end": "11:00",
        }
        return _session_form(p, values, {}, None)
    values = _submitted(p)
    data, errors = validate_session(values, {e.id for e in store.list_entries(p.db)})
    if data is None:
        return _session_form(p, values, errors, None, 400)
    return to(p, "session", "gespeichert=1", session_id=store.create_session(p.db, data))


@page("/plan/{session_id:int}/bearbeiten", methods=("GET", "POST"), roles=PLANNERS)
def session_edit(p: PageRequest) -> Response:
    found = _session_or_404(p)
    if p.method == "GET":
        return _session_form(p, _session_values(found), {}, found)
    values = _submitted(p)
    data, errors = validate_session(values, {e.id for e in store.list_entries(p.db)})
    if data is None:
        return _session_form(p, values, errors, found, 400)
    if data.capacity is not None and data.capacity < found.registered:
        errors = {
            "capacity": _(
                "Es sind schon %(n)s Personen angemeldet; die Zahl der Plätze darf nicht kleiner sein.",
                n=found.registered,
            )
        }
        return _session_form(p, values, errors, found, 400)
    store.save_session(p.db, found.id, data)
    return to(p, "session", "gespeichert=1", session_id=found.id)


@page("/plan/{session_id:int}/loeschen", methods=("GET", "POST"), roles=PLANNERS)
def session_delete(p: PageRequest) -> Response:
    found = _session_or_404(p)
    if p.method == "GET":
        return p.render("fortbildung/session_delete.html", {"s": found, **labels(p)})
    store.delete_session(p.db, found.id)
    return to(p, "plan", f"jahr={found.starts_at.year}&geloescht=1")


# -- registrations and attendance (personal data: leitung/admin only) -----------------------


@page("/plan/{session_id:int}/anmelden", methods=("POST",), roles=PERSONAL)
def session_register(p: PageRequest) -> Response:
    found = _session_or_404(p)
    raw = p.value("pseudonym")
    pseudonym, error = validate_pseudonym(raw)
    if pseudonym is None:
        return _session(p, {"pseudonym": error or ""}, raw, 400)
    result = store.register(p.db, found.id, pseudonym, attended=bool(p.value("attended")))
    if result != "ok":
        message = {
            "full": _("Alle Plätze sind belegt: %(n)s von %(n)s.", n=found.capacity or 0),
            "duplicate": _("%(p)s ist für diesen Termin schon angemeldet.", p=pseudonym),
            "missing": _("Diesen Termin gibt es nicht mehr."),
        }[result]
        return _session(p, {"pseudonym": message}, raw, 409)
    return to(p, "session", "angemeldet=1", session_id=found.id)


@page("/plan/{session_id:int}/teilnahme", methods=("POST",), roles=PERSONAL)
def session_attendance(p: PageRequest) -> Response:
    found = _session_or_404(p)
    ids = {int(v) for v in p.values("attended") if v.isdecimal()}
    store.set_attended(p.db, found.id, ids)
    return to(p, "session", "teilnahme=1", session_id=found.id)


@page("/plan/{session_id:int}/abmelden", methods=("POST",), roles=PERSONAL)
def session_unregister(p: PageRequest) -> Response:
    found = _session_or_404(p)
    rid = p.value("registration")
    if rid.isdecimal():
        store.unregister(p.db, found.id, int(rid))
    return to(p, "session", "abgemeldet=1", session_id=found.id)


# -- public "what is on" (only with the setting public_schedule) ----------------------------


def _upcoming(p: PageRequest) -> list[store.Session]:
    return store.list_sessions(p.db, start=datetime.combine(date.today(), datetime.min.time()))


@page("/termine", public=True, when=PUBLIC_SCHEDULE)
def schedule(p: PageRequest) -> Response:
    """For staff without an account: dates, places free. Never who registered."""
    return p.render("fortbildung/schedule.html", {"sessions": _upcoming(p), **labels(p)})


@page("/termine.ics", public=True, when=PUBLIC_SCHEDULE)
def schedule_ics(p: PageRequest) -> Response:
    return _ics(p, _upcoming(p), "fortbildung-termine.ics")


"""The pages that exist only with the setting ``public_schedule``."""
