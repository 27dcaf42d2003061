"""Group commit: writes that arrive while one is in progress share the next transaction.

A busy moment (a whole authority answering the self-assessment after a staff
meeting) is many small writes. Each alone costs a thread hop, a transaction
and, on SQLite, the database's single write lock, which the other worker
processes then wait for. Gathered, they cost one of each per batch. A lone
write is not delayed: it starts at once, and only what comes in meanwhile
waits for the next batch.

``write_many(owner, items)`` gets the owner (the database) from a weak
reference, so the batches of a disposed database do not keep it alive.

Every item still succeeds or fails on its own: ``write_many`` returns one
outcome per item (refusals are outcomes, not exceptions). Only an error of
the whole transaction, such as the database being unreachable, reaches every
item of that batch, none of which is then stored.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from starlette.concurrency import run_in_threadpool

Owner = TypeVar("Owner")
Item = TypeVar("Item")
Outcome = TypeVar("Outcome")

MAX_BATCH = 256


WriteMany = Callable[[Owner, Sequence[Item]], Sequence[Outcome]]


class GroupCommit(Generic[Owner, Item, Outcome]):
    """Batches items for ``write_many`` (blocking; run in a worker thread).

    Belongs to one event loop; :func:`for_loop` hands out one per loop.
    """

    def __init__(
        self,
        owner: Owner,
        write_many: WriteMany[Owner, Item, Outcome],
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._owner = weakref.ref(owner)
        self._write_many = write_many
        self._max_batch = max_batch
        self._pending: list[tuple[Item, asyncio.Future[Outcome]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, item: Item) -> Outcome:
        """Write ``item`` with whatever else is waiting; its outcome once committed."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._drain())
        # A caller that goes away cancels only its own future: its item is
        # written (or refused) with the batch all the same.
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                try:
                    owner = self._owner()
                    if owner is None:
                        raise RuntimeError("the database was closed")
                    outcomes = await run_in_threadpool(
                        self._write_many, owner, [item for item, _ in batch]
                    )
                    del owner
                    if len(outcomes) != len(batch):
                        raise RuntimeError("write_many returned a different number of outcomes")
                except Exception as exc:  # the whole transaction failed: every item learns why
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if not future.done():
                        future.set_result(outcome)
        finally:
            self._writer = None


_by_key: weakref.WeakKeyDictionary[object, weakref.WeakKeyDictionary[Any, Any]] = (
    weakref.WeakKeyDictionary()
)


def for_loop(
    owner: Owner, write_many: WriteMany[Owner, Item, Outcome]
) -> GroupCommit[Owner, Item, Outcome]:
    """The group commit of ``owner`` (e.g. a database) for the running event loop.

    One per loop because futures belong to their loop (tests run several);
    both keys are weak, so a disposed database or a finished loop takes its
    group commit with it.
    """
    loop = asyncio.get_running_loop()
    per_loop = _by_key.get(owner)
    if per_loop is None:
        per_loop = _by_key[owner] = weakref.WeakKeyDictionary()
    committer = per_loop.get(loop)
    if committer is None:
        committer = per_loop[loop] = GroupCommit(owner, write_many)
    return committer
