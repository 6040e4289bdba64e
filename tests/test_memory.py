"""Memory that must not grow with the number of polls, where only passing time shows it.

In a real terminal each poll and each tick draws texts never drawn before
("updated 10:33:12", countdowns, elapsed times). Rich remembers the width of
every distinct text Textual measures (``rich.cells.cached_cell_len``, up to
4,096 of them, about 300 bytes each with the strings it keeps): a detail screen
polling at 1 s grew by about 0.7 KB a poll for 25 minutes (issue 11). The
in-process soak does not see it, its clock standing still; here the wall clock
moves a second per step, as a terminal left open does.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from rich.cells import cached_cell_len
from test_soak import PID, make_client, started_package

from tui.emulator import Emulator
from tui.ui.screens.detail import DetailScreen
from tui.ui.width_cache import trim_width_cache

LIMIT = 64


def test_trim_empties_the_cache_only_past_the_limit() -> None:
    cached_cell_len.cache_clear()
    for n in range(10):
        cached_cell_len(f"updated 10:33:{n:02}")
    assert not trim_width_cache(limit=10)
    assert cached_cell_len.cache_info().currsize == 10
    cached_cell_len("updated 10:33:10")
    assert trim_width_cache(limit=10)
    assert cached_cell_len.cache_info().currsize == 0
    assert cached_cell_len("● 10:33:10") == 10  # widths are as right as before


async def test_width_cache_stays_small_while_time_passes(
    make_app, emulator: Emulator, fake_clock: Any, wait_until
) -> None:  # type: ignore[no-untyped-def]
    emulator.store.add(started_package(fake_clock()))
    client = make_client(emulator, fake_clock)
    app = make_app(
        package_id=PID,
        poll_interval=0.005,
        min_poll_interval=0.005,
        tick=0.005,
        client_factory=lambda p: client,
        width_cache_period=0.01,
        width_cache_limit=LIMIT,
        max_per_window=10_000,  # a fake client: polls in milliseconds, as fast as they go
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: client.calls >= 5, what="polling")
        cached_cell_len.cache_clear()  # the cache is the process's: start from empty
        start, largest, measured, size = client.calls, 0, 0, 0
        deadline = time.monotonic() + 30  # a hang guard, not a timing claim
        while client.calls < start + 200:
            assert screen.next_at is not None, f"polling stopped: {screen.error!r}"
            assert time.monotonic() < deadline, f"stuck at {client.calls - start} polls"
            fake_clock.advance(1.0)  # a second per step: new times on screen
            await asyncio.sleep(0.005)
            before, size = size, cached_cell_len.cache_info().currsize
            # Texts measured since the last look (all of them when it was emptied since).
            measured += size - before if size >= before else size
            largest = max(largest, size)
    # New texts were measured all along (the test does what a terminal would)...
    assert measured > 4 * LIMIT, measured
    # ...but the app never let Rich keep more than about the limit of them.
    assert largest <= 3 * LIMIT, (largest, measured)
