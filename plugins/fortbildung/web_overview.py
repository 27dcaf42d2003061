"""The overview page of the training module: targets, upcoming sessions, catalogue, surveys."""

from __future__ import annotations

from datetime import datetime

from starlette.responses import Response

from willkommen_core.sdk import PageRequest

from . import store, survey
from .web_common import STAFF, labels, page, participants, year


@page("/", roles=STAFF)
def index(p: PageRequest) -> Response:
    shown = year(p)
    today = datetime.now().replace(second=0, microsecond=0)
    return p.render(
        "fortbildung/index.html",
        {
            "year": shown,
            "targets": store.targets(p.db, shown, p.settings),
            "upcoming": store.list_sessions(p.db, start=today)[:5],
            "entry_counts": store.counts_by_category(p.db),
            "surveys": survey.list_all(p.db)[:3],
            "participants": participants(p),
            **labels(p),
        },
    )
