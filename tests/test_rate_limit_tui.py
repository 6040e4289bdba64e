"""A 429 in the TUI: the pause it starts is shown where it holds packages, and ends.

Issue 10, point 3: one 429 with ``Retry-After: Fri, 31 Dec 9999 23:59:59 GMT`` stopped
every watched package for ~8,000 years, and nothing on screen said so. Now the pause
lasts at most a day (the cap), the watchlist's header and each row it holds say
"rate limited until HH:MM", a detail screen held by it says so too, polling resumes
by itself at that time, and ``r`` on one package tries it at once.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from typing import Any

from tui.api.errors import RateLimited
from tui.api.models import parse_package
from tui.api.retry import MAX_RETRY_AFTER
from tui.emulator.seed import STARTED_FAILED_ID, STARTED_SUCCESS_ID
from tui.emulator.testing import FakeClock
from tui.polling.present import until_label
from tui.polling.scheduler import WatchScheduler
from tui.polling.watchlist import WatchlistStore
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.watchlist import WatchlistScreen
from tui.ui.widgets.watch_table import WatchTable

FAR_FUTURE = "Fri, 31 Dec 9999 23:59:59 GMT"
HELD = re.compile(r"rate limited until ((?:\w{3} )?\d\d:\d\d)")


def expected_labels(fake_clock: Any, seconds: float) -> set[str]:
    """The local "HH:MM" (with the day when not today) of now + ``seconds``, ± 2 s."""
    now = datetime.fromtimestamp(fake_clock(), tz=timezone.utc)
    return {
        until_label(datetime.fromtimestamp(fake_clock() + seconds + d, tz=timezone.utc), now)
        for d in (-2.0, 0.0, 2.0)
    }


def watched(tmp_path: Any, *ids: str) -> WatchlistStore:
    store = WatchlistStore(tmp_path / "watchlist.json")
    for package_id in ids:
        store.add(package_id)
    return store


def test_the_pause_lasts_a_day_at_most_and_r_on_one_package_goes_through_it() -> None:
    clock = [0.0]
    scheduler = WatchScheduler(clock=lambda: clock[0], interval=5, max_in_flight=1)
    a, b = STARTED_SUCCESS_ID, STARTED_FAILED_ID
    scheduler.add(a)
    scheduler.add(b)
    assert scheduler.take() == [a]
    scheduler.complete(a, RateLimited("x", retry_after=1e12))  # whoever built it, capped
    assert scheduler.held_until() == MAX_RETRY_AFTER and scheduler.next_wakeup() == MAX_RETRY_AFTER
    scheduler.refresh()  # "refresh all" waits for the pause
    assert scheduler.take() == []
    scheduler.refresh(b)  # one package by hand: one request now
    assert scheduler.next_wakeup() == 0.0 and scheduler.take() == [b]
    assert scheduler.take() == []  # only that one
    scheduler.complete(b, RateLimited("again", retry_after=60))
    assert scheduler.held_until() == MAX_RETRY_AFTER  # a 429 again: still paused
    clock[0] = 0.5  # r again: at most once per minimum interval (1 s)
    scheduler.refresh(b)
    assert scheduler.take() == [] and scheduler.next_wakeup() == 1.0
    clock[0] = 1.0
    assert scheduler.take() == [b]
    scheduler.complete(b, parse_package({"packageId": b, "status": "started"}))
    assert scheduler.held_until() is None and scheduler.paused_by is None  # answered: over
    clock[0] = 100.0
    assert scheduler.take() == [a]


async def test_far_future_429_is_shown_on_the_header_and_every_held_row_and_ends(
    make_app, emulator, fake_clock, tmp_path, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    # Runs with the real monotonic clock (the app's timers are real), moved on by hand.
    monotonic = FakeClock(0.0, base=time.monotonic)
    store = watched(tmp_path, STARTED_SUCCESS_ID, STARTED_FAILED_ID)
    app = make_app(watchlist_store=store, monotonic=monotonic)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        screen = app.screen
        table = screen.query_one(WatchTable)
        scheduler = app.engine.scheduler
        # Both are refreshed by one list request a round: seen (names known), then the 429.
        await wait_until(
            pilot, lambda: all(w.package is not None for w in scheduler.watches.values())
        )
        emulator.faults.rate_limit_next(1, FAR_FUTURE)
        await wait_until(pilot, lambda: scheduler.held_until() is not None, what="a pause")
        # Capped at a day, not 8,000 years.
        assert scheduler.held_until() - monotonic() <= MAX_RETRY_AFTER  # type: ignore[operator]
        await wait_until(
            pilot,
            lambda: all(HELD.fullmatch(row.updated) for row in table.rows),
            what="every row held",
        )
        labels = expected_labels(fake_clock, MAX_RETRY_AFTER)
        assert {HELD.fullmatch(row.updated)[1] for row in table.rows} <= labels  # type: ignore[index]
        header = screen.query_one("#watch-summary").render()
        found = HELD.search(str(header))
        assert found is not None and found[1] in labels, header
        await wait_until(  # the header and both rows, once painted
            pilot, lambda: screen_text(app).count("rate limited until") == 3, what="three"
        )
        await pilot.resize_terminal(80, 24)  # narrow: the rows say "⏸ until …"
        # Names keep their room. Which of the two packages the 429 answered first is a
        # race (on a busy machine the other one may never have been fetched): look at
        # the names of those that were.
        names = ("amcache_shimcache_parser", "registry_hive_export")
        await wait_until(
            pilot,
            lambda: screen_text(app).count(f"⏸ until {found[1]}") == 2
            and any(row.name in names for row in table.rows)
            and all(row.name in screen_text(app) for row in table.rows if row.name in names),
            what="narrow rows, names whole",
        )
        gets = emulator.count("GET")
        await pilot.pause(0.5)  # 10 poll intervals: nobody asks during the pause
        assert emulator.count("GET") == gets
        # A day later it resumes by itself (the wake stands in for the timer firing).
        monotonic.advance(MAX_RETRY_AFTER + 1)
        scheduler.wake()
        await wait_until(pilot, lambda: emulator.count("GET") >= gets + 2, what="resumed")
        await wait_until(
            pilot,
            lambda: not any("rate limited" in row.updated for row in table.rows),
            what="rows no longer held",
        )
        screen._update()
        assert "rate limited" not in str(screen.query_one("#watch-summary").render())


async def test_r_on_a_row_tries_it_at_once_and_an_answer_ends_the_pause(
    make_app, emulator, tmp_path, wait_until
) -> None:  # type: ignore[no-untyped-def]
    store = watched(tmp_path, STARTED_SUCCESS_ID, STARTED_FAILED_ID)
    emulator.faults.rate_limit_next(1, "3600")
    app = make_app(watchlist_store=store)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        scheduler = app.engine.scheduler
        await wait_until(pilot, lambda: scheduler.held_until() is not None, what="a pause")
        await wait_until(pilot, lambda: scheduler.in_flight == 0)
        gets = emulator.count("GET")
        await pilot.press("r")
        await wait_until(pilot, lambda: emulator.count("GET") >= gets + 1, what="a request")
        await wait_until(pilot, lambda: scheduler.held_until() is None, what="pause ended")
        await wait_until(pilot, lambda: emulator.count("GET") >= gets + 3, what="polling again")


async def test_a_detail_screen_held_by_the_same_429_says_so_and_waits(
    make_app, emulator, fake_clock, tmp_path, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    store = watched(tmp_path, STARTED_SUCCESS_ID)
    # The watchlist's first poll and the request of the opening (one by hand, which
    # goes during a pause) both meet the 429.
    emulator.faults.rate_limit_next(2, FAR_FUTURE)
    app = make_app(watchlist_store=store)
    async with app.run_test(size=(100, 24)) as pilot:
        scheduler = app.engine.scheduler
        await wait_until(pilot, lambda: scheduler.held_until() is not None, what="a pause")
        gets = emulator.count("GET")
        app.action_open_package(STARTED_SUCCESS_ID)
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await wait_until(pilot, lambda: detail.error is not None)  # opened: one request
        assert emulator.count("GET") == gets + 1
        await wait_until(
            pilot, lambda: "rate limited until" in screen_text(app), what="the pause shown"
        )
        status = str(detail.query_one("#poll-status").render())
        found = HELD.search(status)
        assert found is not None and found[1] in expected_labels(fake_clock, MAX_RETRY_AFTER)
        gets = emulator.count("GET")
        await pilot.pause(0.5)  # 10 poll intervals
        assert emulator.count("GET") == gets
        await pilot.press("r")  # r retries at once, and its answer ends the pause
        await wait_until(pilot, lambda: emulator.count("GET") >= gets + 1, what="r")
        await wait_until(pilot, lambda: scheduler.held_until() is None, what="pause ended")
        await wait_until(pilot, lambda: "● live" in screen_text(app), what="live again")


async def test_a_429_met_by_the_poll_of_a_detail_screen_holds_the_watchlist_too(
    make_app, emulator, tmp_path, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    store = watched(tmp_path, STARTED_FAILED_ID)
    app = make_app(watchlist_store=store, package_id=STARTED_SUCCESS_ID)
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await wait_until(pilot, lambda: detail.package is not None)
        # Both started packages ride one list request a round: it meets the 429.
        emulator.faults.rate_limit_next(1, "600", path_prefix="/packages/v2")
        await wait_until(pilot, lambda: detail.error is not None, what="the 429")
        await wait_until(
            pilot, lambda: "rate limited until" in screen_text(app), what="shown on the detail"
        )
        await wait_until(
            pilot,
            lambda: "Rate limited by the API until" in " ".join(screen_text(app).split()),
            what="the STALE line saying why",
        )
        held = app.engine.scheduler.held_until()
        assert held is not None and 590 < held - time.monotonic() <= 600
