"""What several pages share: labels, the participation notice, refusals, a round by id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from willkommen_core.disclosure.participation import shown_count
from willkommen_core.i18n import (
    CORE_LOCALE_DIR,
    activate,
    current_language,
    in_language,
    language_of,
    reset,
)
from willkommen_core.i18n import gettext as _
from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.sdk import PageRequest

from .. import module, store
from ..store import Refused
from ..summary import min_size

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

page = module.pages.page

DONT_KNOW = "x"

SCALE_LABELS = {
    1: _l("trifft gar nicht zu"),
    2: _l("trifft eher nicht zu"),
    3: _l("teils, teils"),
    4: _l("trifft eher zu"),
    5: _l("trifft voll zu"),
}
DONT_KNOW_LABEL = _l("kann ich nicht beurteilen")
PERSPECTIVE_LABELS = {"leitung": _l("Leitung"), "mitarbeitende": _l("Mitarbeitende")}
STATUS_LABELS = {"draft": _l("Entwurf"), "open": _l("offen"), "closed": _l("abgeschlossen")}
MODE_LABELS = {
    "code": _l("ein gemeinsamer Teilnahmecode"),
    "tokens": _l("Einmal-Codes zum Ausdrucken"),
}
MODE_HINTS = {
    "code": _l(
        "Mit einem gemeinsamen Code kann eine Person mehrfach teilnehmen. Ergebnisse gibt es "
        "deshalb nur für die ganze Behörde, ohne Aufteilung nach Perspektive oder "
        "Arbeitsbereich."
    ),
    "tokens": _l(
        "Einmal-Codes verhindern doppelte Teilnahme. Sie entstehen erst, wenn die "
        "Vertrauensperson (z. B. aus dem Personalrat) den Code-Bogen druckt, und werden nur "
        "ihr ein einziges Mal angezeigt: Leitung und IT erhalten keine Codes."
    ),
}


def default_notice() -> str:
    return _(
        "Die Teilnahme ist freiwillig und anonym. Wir speichern Ihre Antworten ohne Namen, "
        "ohne IP-Adresse, ohne Angaben zu Ihrem Gerät und ohne Uhrzeit. Ergebnisse sehen nur "
        "die Behördenleitung und nur zusammengefasst: Gruppen mit weniger als %(n)s Antworten "
        "werden nirgends gezeigt. Ihre Kommentare erscheinen ohne Bezug zu Ihren Antworten und "
        "in zufälliger Reihenfolge. Die Ergebnisse dienen dazu, gemeinsam Maßnahmen für unsere "
        "Behörde zu planen; sie werden nicht zur Bewertung einzelner Personen genutzt.",
        n="%(n)s",
    )


def notice_text(instance: Instance) -> str:
    """The instance's notice (setting ``[selbstcheck] notice``, one text or one per
    language) or the standard text, in the current language where it exists."""
    own = module.settings(instance).notice
    if isinstance(own, dict):
        lang = current_language()
        text = own.get(lang) or in_language(own.get("de", ""), "de")
    else:
        text = in_language(own.strip(), "de") if own.strip() else default_notice()
    shown = text.replace("%(n)s", str(min_size(instance)))
    return in_language(shown, language_of(text))


def _in(lang: str, instance: Instance) -> str:
    previous = current_language()
    token = activate(lang, (CORE_LOCALE_DIR, *instance.plugins.locale_dirs()))
    try:
        return str(notice_text(instance))
    finally:
        reset(token, previous)


def participation_notice(instance: Instance, frozen: str) -> str:
    """The notice a round shows its participants, in their language: the round keeps
    the text it opened with (in the language of whoever opened it); where that is the
    notice of this instance in one of its languages, it is shown in the reader's."""
    if not frozen:
        return notice_text(instance)
    if any(frozen == _in(lang, instance) for lang in instance.settings.languages):
        return notice_text(instance)
    return in_language(frozen, "de")


def refusal_message(exc: Refused) -> str:
    return {
        "no_code": _("Bitte geben Sie Ihren Teilnahmecode ein."),
        "unknown_code": _("Diesen Code kennen wir nicht. Bitte prüfen Sie die Schreibweise."),
        "wrong_code": _("Der Teilnahmecode passt nicht zu dieser Runde."),
        "unknown_token": _("Diesen Einmal-Code kennen wir nicht."),
        "token_required": _("Für diese Runde brauchen Sie einen Einmal-Code."),
        "token_used": _(
            "Dieser Einmal-Code wurde bereits verwendet. Jeder Einmal-Code gilt nur für eine "
            "Teilnahme."
        ),
        "not_open": _("Diese Runde ist noch nicht geöffnet."),
        "sheet_printed": _(
            "Der Code-Bogen dieser Runde ist bereits gedruckt; jeder Bogen wird nur einmal "
            "angezeigt. Für verlorene Zettel oder neue Mitarbeitende drucken Sie weitere "
            "Einmal-Codes."
        ),
        "sheet_missing": _("Bitte drucken Sie zuerst den Code-Bogen dieser Runde."),
        "closed": _("Diese Runde ist abgeschlossen; Antworten werden nicht mehr angenommen."),
        "unknown_round": _("Diese Runde gibt es nicht."),
    }.get(exc.kind, exc.message)


def round_or_404(p: PageRequest) -> store.Round:
    rnd = store.get_round(p.db, p.param("round_id"))
    if rnd is None:
        p.not_found()
    return rnd


def participants(p: PageRequest, rnd: store.Round, count: Any) -> str:
    """A count of participants (or used codes) as leadership may see it:
    exact once the round is closed (or never opened), only its band while open."""
    return shown_count(count, min_size(p.instance), closed=rnd.status != "open")


def token_count(raw: str, limit: int, errors: dict[str, str], field: str = "tokens") -> int:
    """The number of one-time codes asked for in ``raw``, or 0 with a message in ``errors``."""
    if limit < 1:
        errors[field] = _(
            "Für diese Runde sind bereits so viele Einmal-Codes gedruckt wie erlaubt."
        )
        return 0
    if not raw.isdecimal() or not 1 <= int(raw) <= limit:
        errors[field] = _("Bitte eine Anzahl von 1 bis %(n)s angeben.", n=limit)
        return 0
    return int(raw)


def absolute_url(p: PageRequest, name: str) -> str:
    """The full address (scheme, host, prefix) of this module's page ``name``, for
    links that leave the browser: printed on a code sheet, passed on by e-mail."""
    return str(p.request.url_for(f"{module.name}:{name}"))
