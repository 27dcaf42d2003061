"""The customers' pages: the survey by QR code or short link, and the kiosk.

No login, no script; the form posts back and a thank-you page follows (303), so
reloading never sends twice. Kiosk pages link nowhere else, are never cached and
start over by themselves (``<meta http-equiv="refresh">``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from willkommen_core.i18n import current_language
from willkommen_core.sdk import PageRequest

from . import content, module, store
from . import survey as sv
from .content import SCALE, WAIT_BANDS, Survey
from .settings import settings_of

KIOSK_COOKIE = "willkommen_kiosk"
THANKS_SECONDS = 6
page = module.pages.page


def survey_of(p: PageRequest) -> Survey:
    return content.current(p.instance)


def content_lang(p: PageRequest, survey: Survey, asked: str | None = None) -> str:
    """``?lang=`` (or the form's) when offered, else the UI's language, else German."""
    offered = content.offered_languages(p.instance, survey)
    asked = asked if asked is not None else p.query("lang")
    if asked in offered:
        return asked
    ui = current_language()
    return ui if ui in offered else "de"


def _context(p: PageRequest, survey: Survey, lang: str, **extra: Any) -> dict[str, Any]:
    settings = settings_of(p.instance)
    offered = content.offered_languages(p.instance, survey)
    base = extra.pop("base", "survey")
    site = extra.get("site", "")

    def lang_url(code: str) -> str:
        query = {"lang": code, **({"standort": site} if site and base == "survey" else {})}
        return p.url(base) + "?" + urlencode(query)

    return {
        "t": survey,
        "content_lang": lang,
        "html_lang": content.html_lang(lang),
        "text_dir": content.direction(lang),
        "survey_langs": [(c, content.native(c)) for c in offered],
        "lang_url": lang_url,
        "scale": SCALE,
        "bands": WAIT_BANDS,
        "values": {},
        "allow_comment": settings.allow_comment,
        "comment_length": settings.comment_length,
        "comment": "",
        "kiosk": False,
        "refresh": None,
        "error": None,
        "site": "",
        **extra,
    }


def _given(p: PageRequest, survey: Survey) -> sv.Given:
    answers = {q.id: p.value(f"q_{q.id}", limit=40) for q in survey.questions}
    return sv.Given({k: v for k, v in answers.items() if v}, p.value("kommentar", limit=5000))


def _message(survey: Survey, lang: str, error: sv.Invalid) -> content.Text:
    if error.field == "answers":
        return survey.label(lang, "empty")
    return content.Text(error.message, "en")  # only a tampered form gets here


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# -- by QR code or short link -----------------------------------------------------------


@page("/", public=True, audience="customers", name="survey")
def survey_page(p: PageRequest) -> Response:
    survey = survey_of(p)
    lang = content_lang(p, survey)
    site = sv.site_of(p.instance, p.query("standort"))
    context = _context(p, survey, lang, site=site, action=p.url("survey"))
    return _no_store(p.render("kundenbefragung/survey.html", context))


@page("/", methods=("POST",), public=True, audience="customers", name="submit")
def submit(p: PageRequest) -> Response:
    survey = survey_of(p)
    lang = content_lang(p, survey, p.value("lang", limit=10))
    site = sv.site_of(p.instance, p.value("standort", limit=200))
    settings = settings_of(p.instance)
    given = _given(p, survey)
    try:
        sub = sv.check(survey, settings, given, channel="qr", site=site, language=lang)
        sv.save(p.instance, sub, settings)
    except sv.Invalid as exc:
        return _again(p, survey, lang, site, given, exc, "survey")
    except store.Limited:
        return _too_many(p, survey, lang)
    return _to(p, "thanks", lang)


def _to(p: PageRequest, name: str, lang: str) -> Response:
    return RedirectResponse(p.url(name) + "?" + urlencode({"lang": lang}), status_code=303)


def _again(
    p: PageRequest,
    survey: Survey,
    lang: str,
    site: str,
    given: sv.Given,
    exc: sv.Invalid,
    base: str,
) -> Response:
    kiosk = base == "kiosk"
    context = _context(
        p,
        survey,
        lang,
        site=site,
        base=base,
        action=p.url("kiosk_submit" if kiosk else "submit"),
        values={k: str(v) for k, v in given.answers.items()},
        comment=given.comment,
        error=_message(survey, lang, exc),
        kiosk=kiosk,
    )
    return _no_store(p.render("kundenbefragung/survey.html", context, 400))


def _too_many(p: PageRequest, survey: Survey, lang: str, *, kiosk: bool = False) -> Response:
    context = _context(
        p, survey, lang, message=survey.label(lang, "too_many"), kiosk=kiosk, survey_langs=[]
    )
    return _no_store(p.render("kundenbefragung/message.html", context, 429))


@page("/danke", public=True, audience="customers", name="thanks")
def thanks(p: PageRequest) -> Response:
    survey = survey_of(p)
    lang = content_lang(p, survey)
    context = _context(p, survey, lang, survey_langs=[])
    return _no_store(p.render("kundenbefragung/thanks.html", context))


# -- kiosk ------------------------------------------------------------------------------


def kiosk_of(p: PageRequest) -> store.Kiosk | None:
    cookie = p.request.cookies.get(KIOSK_COOKIE, "")
    return store.kiosk_for(p.db, cookie) if cookie else None


def _not_enrolled(p: PageRequest, survey: Survey) -> Response:
    lang = content_lang(p, survey)
    context = _context(
        p, survey, lang, message=survey.label(lang, "not_a_kiosk"), survey_langs=[], kiosk=True
    )
    # Not an access error (the page is public): a device that is no kiosk (yet).
    return _no_store(
        p.render("kundenbefragung/message.html", context, 409 if p.method == "POST" else 200)
    )


@page("/kiosk", public=True, audience="customers", name="kiosk")
def kiosk_page(p: PageRequest) -> Response:
    survey = survey_of(p)
    kiosk = kiosk_of(p)
    if kiosk is None:
        return _not_enrolled(p, survey)
    lang = content_lang(p, survey) if p.query("lang") else "de"
    settings = settings_of(p.instance)
    context = _context(
        p,
        survey,
        lang,
        base="kiosk",
        kiosk=True,
        action=p.url("kiosk_submit"),
        # Starts over (German, empty form) after a pause: the next person never
        # sees what the previous one chose.
        refresh={
            "seconds": settings.kiosk_reset_seconds,
            "minutes": -(-settings.kiosk_reset_seconds // 60),
            "url": p.url("kiosk"),
        },
    )
    return _no_store(p.render("kundenbefragung/survey.html", context))


@page("/kiosk", methods=("POST",), public=True, audience="customers", name="kiosk_submit")
def kiosk_submit(p: PageRequest) -> Response:
    survey = survey_of(p)
    kiosk = kiosk_of(p)
    if kiosk is None:
        return _not_enrolled(p, survey)
    lang = content_lang(p, survey, p.value("lang", limit=10))
    settings = settings_of(p.instance)
    given = _given(p, survey)
    try:
        sub = sv.check(survey, settings, given, channel="kiosk", site=kiosk.site, language=lang)
        sv.save(p.instance, sub, settings, kiosk=kiosk.id)
    except sv.Invalid as exc:
        return _again(p, survey, lang, kiosk.site, given, exc, "kiosk")
    except store.Limited:
        return _too_many(p, survey, lang, kiosk=True)
    return _to(p, "kiosk_thanks", lang)


@page("/kiosk/danke", public=True, audience="customers", name="kiosk_thanks")
def kiosk_thanks(p: PageRequest) -> Response:
    survey = survey_of(p)
    lang = content_lang(p, survey)
    context = _context(
        p,
        survey,
        lang,
        kiosk=True,
        survey_langs=[],
        refresh={"seconds": THANKS_SECONDS, "url": p.url("kiosk")},
    )
    return _no_store(p.render("kundenbefragung/thanks.html", context))


from . import web_kiosks, web_results  # noqa: E402, F401  (their pages register on import)
