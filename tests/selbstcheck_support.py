"""Helpers shared by the tests of the self-assessment (tests/test_selbstcheck*.py)."""

from __future__ import annotations

from typing import Any

from willkommen_core import accounts
from willkommen_plugins.selbstcheck import questionnaire as qmod
from willkommen_plugins.selbstcheck import store

API = "/api/v1/selbstcheck"


def bearer(instance: Any, role: str = "leitung") -> dict[str, str]:
    token = accounts.create_token(instance.db, f"{role}-script", role)
    return {"authorization": f"Bearer {token}"}


def open_round(instance: Any, *, title: str = "Runde") -> store.Round:
    """A round with a shared code, opened directly through the store (no HTTP)."""
    return open_token_round(instance, 0, title=title, mode="code")[0]


def breakdown_round(instance: Any, *, title: str = "Runde") -> tuple[store.Round, list[str]]:
    """A round with one-time codes: the kind whose results are broken down by
    perspective and work area (a shared-code round offers the whole authority only)."""
    return open_token_round(instance, 120, title=title)


def open_token_round(
    instance: Any, tokens: int, *, title: str = "Runde", mode: str = "tokens"
) -> tuple[store.Round, list[str]]:
    """A round opened through the store, with its one-time codes (mode tokens),
    printed as the trusted person would (:func:`store.print_sheet`)."""
    rid = store.create_round(instance.db, qmod.current(instance), title=title, mode=mode)
    store.open_round(instance.db, rid, notice="Hinweis", tokens_count=tokens)
    created = store.print_sheet(instance.db, rid) if mode == "tokens" else []
    rnd = store.get_round(instance.db, rid)
    assert rnd is not None
    return rnd, created


def item_ids(instance: Any, rnd: store.Round) -> list[str]:
    return list(store.questionnaire_of(instance.db, rnd).items)


def answer_all(instance: Any, rnd: store.Round, value: int | None) -> dict[str, int | None]:
    return dict.fromkeys(item_ids(instance, rnd), value)


def add_responses(
    instance: Any,
    rnd: store.Round,
    count: int,
    *,
    perspective: str = "mitarbeitende",
    area: str = "",
    value: int | None = 3,
    comment: dict[str, str] | None = None,
    codes: list[str] | None = None,
) -> None:
    """``count`` stored submissions, all with ``value`` on every item; in a tokens
    round each uses up one of ``codes``."""
    for _n in range(count):
        store.submit(
            instance.db,
            rnd.id,
            code=rnd.code,
            token=codes.pop() if codes is not None else None,
            perspective=perspective,
            area=area,
            values=answer_all(instance, rnd, value),
            texts=comment or {},
        )


def table_counts(instance: Any) -> dict[str, int]:
    from sqlalchemy import func, select

    from willkommen_plugins.selbstcheck.tables import answers, comments, responses, tokens

    with instance.db.read() as s:
        return {
            t.name: int(s.execute(select(func.count()).select_from(t)).scalar() or 0)
            for t in (responses, answers, comments, tokens)
        }
