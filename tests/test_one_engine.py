"""Issue 11, point 1: one request engine for the whole app.

The watchlist, every detail screen and the package browser send their requests
through the app's one scheduler (tui.ui.engine.RequestEngine): one
poll per interval per package whatever shows it, detail views of started
packages riding the watchlist's list request, one budget (≤ 5 a second, sign-ins
included), a pause that belongs to the screen that set it.
"""

from __future__ import annotations

import bisect
import time
import uuid
from pathlib import Path

from tui.api.client import CylanceClient
from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID
from tui.polling.requests import MAX_PER_WINDOW
from tui.polling.watchlist import WatchlistStore
from tui.ui.requests import counted, note_request
from tui.ui.screens.browser import BrowserScreen
from tui.ui.screens.detail import DetailScreen

LONG = 3600


def started_package(package_id: str, now: float, name: str) -> dict[str, object]:
    from tests.test_watchlist_tui import started_package as make

    return make(package_id, now, name)


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max((bisect.bisect_right(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


def by_id(emulator: Emulator, package_id: str) -> int:
    return emulator.count("GET", f"/packages/v2/{package_id}")


def listed(emulator: Emulator) -> int:
    return sum(1 for r in emulator.requests if r.method == "GET" and r.path == "/packages/v2")


async def test_a_detail_view_of_a_started_package_rides_the_watchlists_list_request(
    make_app, emulator, fake_clock, tmp_path: Path, wait_until
) -> None:  # type: ignore[no-untyped-def]
    watched, shown = str(uuid.uuid4()), str(uuid.uuid4())
    emulator.store.add(started_package(watched, fake_clock(), "on the watchlist"))
    emulator.store.add(started_package(shown, fake_clock(), "in detail"))
    store = WatchlistStore(tmp_path / "watchlist.json")
    store.add(watched)
    app = make_app(watchlist_store=store, package_id=shown, poll_interval=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await wait_until(pilot, lambda: detail.package is not None, what="the package")
        rounds = listed(emulator)
        gets = by_id(emulator, shown) + by_id(emulator, watched)
        await wait_until(pilot, lambda: listed(emulator) >= rounds + 4, timeout=15, what="rounds")
        # Four rounds, one list request each, refreshed both: no GET by ID for either.
        assert by_id(emulator, shown) + by_id(emulator, watched) == gets
        assert "● live" in str(detail.query_one("#poll-status").render())
        # Before: the detail screen polled its package with GETs of its own.


async def test_pause_belongs_to_the_screen_that_set_it(
    make_app, emulator, fake_clock, tmp_path: Path, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    pid = str(uuid.uuid4())
    emulator.store.add(started_package(pid, fake_clock(), "paused here"))
    store = WatchlistStore(tmp_path / "watchlist.json")
    store.add(pid)
    app = make_app(watchlist_store=store, package_id=pid, poll_interval=0.1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await wait_until(pilot, lambda: detail.package is not None, what="the package")
        await pilot.press("p")
        watch = app.engine.watch_state(pid)
        assert watch is not None and watch.paused and detail.paused
        await wait_until(pilot, lambda: not watch.in_flight, what="the poll under way")
        await wait_until(pilot, lambda: "⏸ paused" in screen_text(app), what="shown paused")
        polled = by_id(emulator, pid)
        await pilot.pause(0.6)  # six intervals: nothing asked, the watchlist's polls included
        assert by_id(emulator, pid) == polled
        # Leaving the screen takes its pause along: the watchlist polls it again.
        await pilot.press("escape")
        await wait_until(pilot, lambda: not watch.paused, what="resumed")
        await wait_until(pilot, lambda: by_id(emulator, pid) >= polled + 2, what="polled again")
        assert watch.holders == {"watchlist"}


async def test_leaving_a_detail_screen_of_an_unwatched_package_stops_its_polling(
    make_app, emulator, fake_clock, wait_until
) -> None:  # type: ignore[no-untyped-def]
    pid = str(uuid.uuid4())
    emulator.store.add(started_package(pid, fake_clock(), "viewed only"))
    app = make_app(package_id=pid, poll_interval=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await wait_until(pilot, lambda: by_id(emulator, pid) >= 3, what="polls")
        assert pid in app.engine.scheduler.watches
        await pilot.press("escape")
        await wait_until(pilot, lambda: not detail.is_attached, what="the screen gone")
        assert pid not in app.engine.scheduler.watches
        await wait_until(pilot, lambda: not app.engine.running, what="the engine idle")
        polled = by_id(emulator, pid)
        await pilot.pause(0.5)
        assert by_id(emulator, pid) == polled


async def test_detail_watchlist_and_browser_at_once_stay_within_one_budget(
    make_app, tmp_path: Path, wait_until, figures: dict[str, object]
) -> None:  # type: ignore[no-untyped-def]
    """Real clock: 30 watched started packages polled every 50 ms (as often as allowed), a
    detail screen polling another, and the browser paging as fast as keys come. Before,
    each had its own spacing rule: up to ~10 requests a second."""
    from tests.test_watchlist_tui import emulator_profile_of

    emulator = Emulator(port=0).start()  # stamps requests with the real clock
    try:
        now = emulator.started_at or 0.0
        store = WatchlistStore(tmp_path / "w.json")
        for n in range(30):
            package_id = str(uuid.uuid4())
            emulator.store.add(started_package(package_id, now, f"bulk-{n}"))
            store.add(package_id)
        shown = str(uuid.uuid4())
        emulator.store.add(started_package(shown, now, "in detail"))
        app = make_app(
            profile=emulator_profile_of(emulator, list_scope=True),
            watchlist_store=store,
            package_id=shown,
            poll_interval=0.05,
        )
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
            app.engine.start()
            await pilot.press("f3")  # the package browser, on top of the detail screen
            await wait_until(pilot, lambda: isinstance(app.screen, BrowserScreen))
            browser = app.screen
            started = time.monotonic()
            while time.monotonic() - started < 3.0:
                await pilot.press("n", "p", "n")  # page keys in bursts
            await wait_until(pilot, lambda: browser.requests >= 3, what="browser pages")
            every = [r.at for r in emulator.requests]
            peak = app.engine.scheduler.peak_in_flight
            shown_gets = by_id(emulator, shown)
    finally:
        emulator.stop()
    worst = busiest_second(every)
    figures["detail + watchlist (30) + browser paging: busiest second, all requests"] = worst
    figures["detail + watchlist (30) + browser paging: most in flight"] = peak
    assert worst <= MAX_PER_WINDOW, sorted(every)
    assert peak <= 2
    assert shown_gets >= 1


def test_a_sign_in_counts_in_the_request_it_was_made_for(emulator) -> None:  # type: ignore[no-untyped-def]
    """The engine's budget counts what a request really cost: a GET that had to sign
    in first is two requests to the service."""
    client = CylanceClient(
        emulator.base_url,
        DEMO.tenant_id,
        DEMO.app_id,
        DEMO.app_secret,
        on_request=note_request,
    )
    try:
        first, sent = counted(lambda: client.get_package(DEMO_PACKAGE_ID))
        assert sent == 2  # the token, then the GET
        again, sent = counted(lambda: client.get_package(DEMO_PACKAGE_ID))
        assert sent == 1 and again.package_id == first.package_id
    finally:
        client.close()
