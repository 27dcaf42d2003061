"""Group commit: concurrent writes share a transaction, each keeps its own outcome."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from collections.abc import Sequence

import pytest

from willkommen_core.storage import group_commit
from willkommen_core.storage.group_commit import GroupCommit


class Recorder:
    """A fake database: records each batch; ``gate`` holds the first write open."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.started = threading.Event()


def write_many(owner: Recorder, items: Sequence[int]) -> list[str]:
    owner.started.set()
    assert owner.gate.wait(10)
    owner.batches.append(list(items))
    if any(item < 0 for item in items):
        raise RuntimeError("disk full")
    return ["odd" if item % 2 else "even" for item in items]


async def writing_held_open(committer: GroupCommit, owner: Recorder, item: int) -> asyncio.Task:
    """Start writing ``item`` and return once its batch is in the (held) transaction."""
    owner.gate.clear()
    task = asyncio.create_task(committer.write(item))
    while not owner.started.is_set():
        await asyncio.sleep(0.001)
    return task


async def release(owner: Recorder) -> None:
    await asyncio.sleep(0.01)  # let the writers queue up
    owner.gate.set()


def test_a_lone_write_goes_at_once_and_returns_its_own_outcome():
    owner = Recorder()

    async def main() -> str:
        return await GroupCommit(owner, write_many).write(3)

    assert asyncio.run(main()) == "odd"
    assert owner.batches == [[3]]


def test_writes_arriving_during_a_write_share_the_next_batch_in_order():
    owner = Recorder()
    owner.gate.clear()

    async def main() -> list[str]:
        committer = GroupCommit(owner, write_many)
        first = await writing_held_open(committer, owner, 1)
        rest = [asyncio.create_task(committer.write(n)) for n in range(2, 12)]
        await release(owner)  # everything that came meanwhile goes next, together
        return [await first, *[await t for t in rest]]

    outcomes = asyncio.run(main())
    assert owner.batches == [[1], list(range(2, 12))]
    assert outcomes == ["odd" if n % 2 else "even" for n in range(1, 12)]


def test_batches_are_capped():
    owner = Recorder()
    owner.gate.clear()

    async def main() -> None:
        committer = GroupCommit(owner, write_many, max_batch=4)
        tasks = [asyncio.create_task(committer.write(n)) for n in range(10)]
        await asyncio.sleep(0.01)
        owner.gate.set()
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert [len(b) for b in owner.batches] == [4, 4, 2]
    assert [n for batch in owner.batches for n in batch] == list(range(10))


def test_a_failed_transaction_reaches_every_item_of_its_batch_and_only_those():
    owner = Recorder()
    owner.gate.clear()

    async def main() -> list[object]:
        committer = GroupCommit(owner, write_many)
        first = await writing_held_open(committer, owner, 1)
        doomed = [asyncio.create_task(committer.write(n)) for n in (2, -1, 4)]
        await release(owner)
        results = await asyncio.gather(first, *doomed, return_exceptions=True)
        # The committer goes on working after a failed batch.
        results.append(await committer.write(5))
        return results

    first, *doomed, later = asyncio.run(main())
    assert first == "odd"
    assert all(isinstance(r, RuntimeError) and str(r) == "disk full" for r in doomed)
    assert later == "odd"


def test_a_caller_that_goes_away_does_not_cancel_the_others():
    owner = Recorder()
    owner.gate.clear()

    async def main() -> list[str]:
        committer = GroupCommit(owner, write_many)
        leaving = asyncio.create_task(committer.write(1))
        staying = asyncio.create_task(committer.write(2))
        while not owner.started.is_set():
            await asyncio.sleep(0.001)
        leaving.cancel()
        owner.gate.set()
        with pytest.raises(asyncio.CancelledError):
            await leaving
        return [await staying]

    assert asyncio.run(main()) == ["even"]
    assert owner.batches == [[1, 2]]  # the leaver's item was written all the same


def test_one_group_commit_per_owner_and_loop_and_none_kept_for_a_dropped_owner():
    owner = Recorder()

    async def get(of: Recorder) -> GroupCommit:
        a = group_commit.for_loop(of, write_many)
        assert group_commit.for_loop(of, write_many) is a
        await a.write(1)
        return a

    first, second = asyncio.run(get(owner)), asyncio.run(get(owner))
    assert first is not second  # a new loop, a new one: futures belong to their loop
    gone = weakref.ref(owner)
    del owner
    gc.collect()
    assert gone() is None  # a closed database is not kept alive by its group commits
