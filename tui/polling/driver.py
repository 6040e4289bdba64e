"""The asyncio driver of the one scheduler (the TUI's; ``cypkg watch`` sleeps instead).

:func:`drive` starts what :meth:`WatchScheduler.take` hands out as tasks, applies
their replies, and sleeps until the next due time or a wake. Plain asyncio, no Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from tui.api.errors import CypkgError
from tui.polling.requests import (
    Errand,
    ListOutcome,
    ListRequest,
    Outcome,
    Sent,
    WatchEvent,
)
from tui.polling.scheduler import WatchScheduler


async def drive(
    scheduler: WatchScheduler,
    fetch: Callable[[str], Awaitable[Outcome | Sent[Outcome] | None]],
    on_event: Callable[[WatchEvent], None],
    *,
    wall: Callable[[], float] = time.time,
    fetch_list: Callable[[ListRequest], Awaitable[ListOutcome | Sent[ListOutcome] | None]]
    | None = None,
    on_list: Callable[[], None] | None = None,
) -> None:
    """Poll while any package is active: start what is due, sleep until the next due
    time or a wake. Returns once every package stopped and no errand is left (run
    it again after adding).

    ``fetch`` runs one request and returns its outcome (never raises; None
    for a stale reply), or a :class:`Sent` that also says what it cost;
    ``on_event`` sees every applied reply. ``fetch_list`` runs a
    :class:`ListRequest` likewise (without it nothing is batched);
    ``on_list`` is called after each list page is applied. Errands run their
    own call.
    """
    if fetch_list is None:
        scheduler.batch = False
    scheduler.wake_event = asyncio.Event()
    tasks: set[asyncio.Task[None]] = set()

    def applied(event: WatchEvent | None) -> None:
        if event is not None:
            with contextlib.suppress(Exception):
                on_event(event)

    async def one(package_id: str) -> None:
        got: Outcome | Sent[Outcome] | None
        try:
            got = await fetch(package_id)
        except Exception as exc:  # a fetch that raised: shown, never fatal
            got = CypkgError(f"{type(exc).__name__}: {exc}")
        sent: Sent[Outcome] = got if isinstance(got, Sent) else Sent(got)
        applied(scheduler.complete(package_id, sent.outcome, wall=wall(), requests=sent.requests))

    async def listed(request: ListRequest) -> None:
        assert fetch_list is not None  # batching is off without it
        got: ListOutcome | Sent[ListOutcome] | None
        try:
            got = await fetch_list(request)
        except Exception as exc:  # a fetch that raised: shown, never fatal
            got = CypkgError(f"{type(exc).__name__}: {exc}")
        sent: Sent[ListOutcome] = got if isinstance(got, Sent) else Sent(got)
        completed = scheduler.complete_list(
            request, sent.outcome, wall=wall(), requests=sent.requests
        )
        for event in completed:
            applied(event)
        if on_list is not None:
            with contextlib.suppress(Exception):
                on_list()

    async def errand(request: Errand) -> None:
        requests = 1
        try:
            with contextlib.suppress(Exception):  # its own caller hears of it
                requests = await request.call()
        finally:
            scheduler.complete_errand(requests)

    try:
        while scheduler.busy:
            scheduler.wake_event.clear()
            for request in scheduler.take():
                if isinstance(request, ListRequest):
                    task = asyncio.create_task(listed(request))
                elif isinstance(request, Errand):
                    task = asyncio.create_task(errand(request))
                else:
                    task = asyncio.create_task(one(request))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            wakeup = scheduler.next_wakeup()
            timeout = None if wakeup is None else max(wakeup - scheduler.clock(), 0.0)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(scheduler.wake_event.wait(), timeout=timeout)
    finally:
        for task in tasks:
            task.cancel()
        scheduler.wake_event = None
