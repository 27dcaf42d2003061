"""Submissions that arrive together are stored together, each all or nothing on its own."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from selbstcheck_support import API, answer_all, open_round, open_token_round, table_counts

from willkommen_core.web.app import create_app
from willkommen_plugins.selbstcheck import store
from willkommen_plugins.selbstcheck.store import Submission


def _sub(rnd: store.Round, answers: dict, *, code=None, token=None, note: str = "") -> Submission:
    return Submission(
        rnd.id,
        code=code,
        token=token,
        perspective="mitarbeitende",
        area="",
        values=answers,
        texts={"verankerung": note} if note else {},
    )


def test_each_submission_of_a_batch_is_stored_or_refused_on_its_own(make_instance):
    instance = make_instance(["selbstcheck"])
    rnd, (first, second, _unused) = open_token_round(instance, 3)
    answers = answer_all(instance, rnd, 4)

    outcomes = store.submit_many(
        instance.db,
        [
            _sub(rnd, answers, token=first, note="gut"),
            _sub(rnd, answers, token=first),  # the same one-time code again, same batch
            _sub(rnd, answers, token="ZZZZZZZZZZZZ"),
            _sub(rnd, answers),  # no code at all
            _sub(rnd, answers, token=second),
        ],
    )

    assert outcomes[0] is None and outcomes[4] is None
    assert [o.kind for o in outcomes[1:4]] == ["token_used", "unknown_token", "token_required"]
    counts = table_counts(instance)
    assert counts["selbstcheck_responses"] == 2
    assert counts["selbstcheck_answers"] == 2 * len(answers)
    assert counts["selbstcheck_comments"] == 1
    assert store.token_counts(instance.db, rnd.id) == (3, 2)  # refused ones consumed nothing


def test_a_closed_round_refuses_its_part_of_a_batch_and_the_open_one_stores_its_part(
    make_instance,
):
    instance = make_instance(["selbstcheck"])
    open_one = open_round(instance, title="Offen")
    closed = open_round(instance, title="Geschlossen")
    store.close_round(instance.db, closed.id)
    answers = answer_all(instance, open_one, 2)

    outcomes = store.submit_many(
        instance.db,
        [
            _sub(closed, answers, code=closed.code),
            _sub(open_one, answers, code=open_one.code),
            _sub(open_one, answers, code=closed.code),  # another round's code
        ],
    )

    assert outcomes[0].kind == "closed" and outcomes[0].status == 409
    assert outcomes[1] is None
    assert outcomes[2].kind == "wrong_code"
    assert store.response_count(instance.db, open_one.id).n == 1
    assert store.response_count(instance.db, closed.id).n == 0


def test_a_failing_transaction_stores_nothing_of_its_batch_and_consumes_no_code(make_instance):
    instance = make_instance(["selbstcheck"])
    rnd, (good, other) = open_token_round(instance, 2)
    answers = answer_all(instance, rnd, 5)
    broken = Submission(rnd.id, None, other, None, "", answers, {})  # type: ignore[arg-type]

    with pytest.raises(Exception, match=r"(?i)null"):
        store.submit_many(instance.db, [_sub(rnd, answers, token=good), broken])

    assert table_counts(instance)["selbstcheck_responses"] == 0
    assert store.token_counts(instance.db, rnd.id) == (2, 0)
    assert store.submit_many(instance.db, [_sub(rnd, answers, token=good)]) == [None]


def test_concurrent_api_submissions_share_transactions_and_all_are_stored(
    make_instance, monkeypatch
):
    instance = make_instance(["selbstcheck"])
    rnd, codes = open_token_round(instance, 40)
    answers = answer_all(instance, rnd, 3)
    batches: list[int] = []
    real = store.submit_many

    def recording(db, subs):  # type: ignore[no-untyped-def]
        batches.append(len(subs))
        return real(db, subs)

    monkeypatch.setattr(store, "submit_many", recording)
    app = create_app(instance)

    async def fire() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            sent = [
                c.post(
                    f"{API}/rounds/{rnd.id}/responses",
                    json={"token": code, "perspective": "leitung", "answers": answers},
                )
                for code in [*codes, codes[0]]
            ]
            return [r.status_code for r in await asyncio.gather(*sent)]

    statuses = asyncio.run(fire())

    assert sorted(statuses) == [201] * 40 + [409]
    assert sum(batches) == 41
    assert len(batches) < 41  # some arrived while another batch was written, and shared it
    assert store.response_count(instance.db, rnd.id).n == 40


def test_a_busy_rounds_code_is_answered_from_memory_but_never_for_a_closed_round(
    make_instance,
):
    instance = make_instance(["selbstcheck"])
    rnd = open_round(instance)
    assert store.remembered_access(instance.db, rnd.code) is None  # not seen yet
    store.find_access(instance.db, rnd.code)
    store.questionnaire_of(instance.db, rnd)

    access, q = store.remembered_access(instance.db, rnd.code.lower())
    assert access.round.id == rnd.id and access.code == rnd.code
    assert q.version == rnd.questionnaire_version
    assert store.remembered_access(instance.db, "ABCDEFGH") is None

    store.close_round(instance.db, rnd.id)
    assert store.remembered_access(instance.db, rnd.code) is None
    with pytest.raises(store.Refused) as refused:
        store.find_access(instance.db, rnd.code)
    assert refused.value.kind == "closed"


def test_a_deleted_drafts_code_never_opens_a_round_that_reuses_its_id(make_instance):
    from willkommen_plugins.selbstcheck import questionnaire as qmod

    instance = make_instance(["selbstcheck"])
    db = instance.db
    draft_id = store.create_round(db, qmod.current(instance), title="Entwurf", mode="code")
    draft = store.get_round(db, draft_id)
    with pytest.raises(store.Refused, match="not been opened"):
        store.find_access(db, draft.code)  # the code is now remembered
    assert store.delete_draft(db, draft_id)
    later = store.create_round(db, qmod.current(instance), title="Später", mode="code")
    store.open_round(db, later, notice="Hinweis")
    if db.dialect == "sqlite":
        assert later == draft_id  # SQLite hands the id out again

    with pytest.raises(store.Refused) as refused:
        store.find_access(db, draft.code)
    assert refused.value.kind == "unknown_code"
    assert store.remembered_access(db, draft.code) is None


def test_a_busy_rounds_first_page_needs_no_database_access(make_instance, make_client):
    instance = make_instance(["selbstcheck"])
    rnd = open_round(instance)
    client = make_client(instance)
    path = f"/selbstcheck/teilnahme?code={rnd.code}&schritt=1"
    first = client.get(path)
    assert first.status_code == 200

    def unreachable(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the database was asked")

    db = instance.db
    for name in ("read", "write"):
        setattr(db, name, unreachable)
    again = client.get(path)
    assert again.status_code == 200
    assert again.text.count('type="radio"') == first.text.count('type="radio"') > 0
