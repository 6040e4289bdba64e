"""The watchlist in the TUI: add/remove/persist, live rows, announcements, the global budget.

Note for test writers: while a watched package is ``started`` the watchlist worker
keeps polling, so ``app.workers.wait_for_complete()`` would wait forever; wait for
what you expect instead.
"""

from __future__ import annotations

import asyncio
import bisect
import time
import uuid
from pathlib import Path
from typing import Any

from tui.config import Config, Profile, Secret
from tui.emulator import DEMO, Emulator
from tui.emulator.apps import SCOPE_READ
from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_SUCCESS_ID
from tui.polling.recent import RecentStore
from tui.polling.requests import MAX_IN_FLIGHT, MAX_PER_WINDOW
from tui.polling.watchlist import WatchlistStore
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.watchlist import WatchlistScreen
from tui.ui.widgets.watch_table import WatchTable

STARTED = [str(uuid.UUID(int=0xC0000 + n)) for n in range(100)]


def flat(text: str) -> str:
    return " ".join(text.split())


def started_package(package_id: str, now: float, name: str, **private: Any) -> dict[str, Any]:
    return {
        "packageId": package_id,
        "status": "started",
        "timeout": private.pop("timeout", 86_400),
        "packageDescriptor": {"name": name},
        "_uploaded_at": now,
        **private,
    }


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max((bisect.bisect_right(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


async def test_add_remove_persist(make_app, emulator, tmp_path, wait_until, screen_text) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "watch" / "watchlist.json"
    app = make_app(watchlist_store=WatchlistStore(path), package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await wait_until(pilot, lambda: detail.package is not None)
        await pilot.press("w")  # from the detail screen
        await pilot.press("w")  # twice: still one entry
        assert app.watchlist_store.ids() == [DEMO_PACKAGE_ID]
        assert "already on the watchlist" in list(app._notifications)[-1].message
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        screen = app.screen
        table = screen.query_one(WatchTable)
        # By ID (here: a pasted URL, any case).
        await pilot.press("a")
        field = screen.query_one("#watch-add")
        field.insert_text_at_cursor(f"https://x.example/packages/v2/{STARTED_SUCCESS_ID.upper()}")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: [r.name for r in table.rows] == ["collect_triage", "amcache_shimcache_parser"],
            what="two named rows",
        )
        text = flat(screen_text(app))
        assert "✔ success" in text and "◷ started" in text and "of 5m" in text
        assert "2 watched" in text
        # Remove the first (the cursor is on it).
        assert app.focused is table
        await pilot.press("x")
        await wait_until(pilot, lambda: len(table.rows) == 1)
        assert app.watchlist_store.ids() == [STARTED_SUCCESS_ID]
    # Persisted (0600) across a restart, with the name last seen.
    await asyncio.sleep(0)
    again = WatchlistStore(path)
    assert [(e.package_id, e.name) for e in again.entries] == [
        (STARTED_SUCCESS_ID, "amcache_shimcache_parser")
    ]
    assert (path.stat().st_mode & 0o777) == 0o600
    app2 = make_app(watchlist_store=again)
    async with app2.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app2.screen, WatchlistScreen))
        assert "amcache_shimcache_parser" in screen_text(app2)


async def test_live_updates_and_announcements(
    make_app, emulator, fake_clock, tmp_path, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    now = fake_clock()
    ids = STARTED[:4]
    emulator.store.add(
        started_package(ids[0], now, "alpha", _finish_at=now + 10, _outcome="success")
    )
    emulator.store.add(
        started_package(ids[1], now, "bravo", _finish_at=now + 20, _outcome="failed")
    )
    emulator.store.add(started_package(ids[2], now, "charlie", timeout=30))
    emulator.store.add(started_package(ids[3], now, "delta"))  # stays started
    store = WatchlistStore(tmp_path / "w.json")
    for package_id in ids:
        store.add(package_id)
    profile = emulator_profile_of(emulator)
    config = Config(
        active_profile=profile.name,
        profiles={profile.name: profile},
        settings={"desktop_notifications": True},
    )
    app = make_app(profile=profile, config=config, watchlist_store=store)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    written: list[str] = []
    async with app.run_test(size=(90, 24), notifications=True) as pilot:
        app.terminal_title.write = written.append
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        table = app.screen.query_one(WatchTable)

        def status_of(name: str) -> str:
            return next((r.status for r in table.rows if r.name == name), "")

        # Polling started at launch, before the screen was opened.
        await wait_until(
            pilot, lambda: all(status_of(n) == "◷ started" for n in ("alpha", "delta"))
        )
        fake_clock.advance(15)
        await wait_until(pilot, lambda: status_of("alpha") == "✔ success", what="alpha done")
        assert status_of("bravo") in ("◷ started", "")
        fake_clock.advance(10)
        await wait_until(pilot, lambda: status_of("bravo") == "✘ failed", what="bravo failed")
        fake_clock.advance(10)
        await wait_until(pilot, lambda: status_of("charlie") == "⌛ timeout", what="charlie")
        await wait_until(pilot, lambda: len(bells) == 3, what="three bells")

        def announced() -> list[str]:
            return [n.message for n in app._notifications if n.title == "Upload finished"]

        # The bell rings at once; the toast is a message, handled a moment later.
        await wait_until(pilot, lambda: len(announced()) == 3, what="three toasts")
        titles = announced()
        assert titles == ["alpha: ✔ success", "bravo: ✘ failed", "charlie: ⌛ timeout"]
        notes = [w for w in written if w.startswith("\x1b]9;")]
        assert notes[0] == "\x1b]9;cypkg: alpha: ✔ success\x1b\\" and len(notes) == 3
        # Finished packages stopped polling; the started one goes on.
        service = app.engine
        assert service.scheduler.active == 1 and service.watch_state(ids[3]).due is not None  # type: ignore[union-attr]
        polls = {pid: service.watch_state(pid).requests for pid in ids[:3]}  # type: ignore[union-attr]
        before = emulator.count("GET", f"/packages/v2/{ids[3]}")
        await wait_until(
            pilot, lambda: emulator.count("GET", f"/packages/v2/{ids[3]}") > before + 1
        )
        assert {pid: service.watch_state(pid).requests for pid in ids[:3]} == polls  # type: ignore[union-attr]
        text = flat(screen_text(app))
        assert "final" in text and "✔1" in text  # the summary fits 90 columns: symbols only
        # The terminal title summarises the list; the status names are saved.
        assert app.terminal_title.current is not None
        assert app.terminal_title.current.startswith("cypkg: watching 4")
        assert [e.status for e in store.entries] == ["success", "failed", "timeout", "started"]


def emulator_profile_of(emulator: Emulator, *, list_scope: bool = True) -> Profile:
    app_id, secret = DEMO.app_id, DEMO.app_secret
    if not list_scope:  # an API app that may read packages, not list them
        app_id, secret = (
            "a0b1c2d3-0000-4000-8000-0000000011d0",
            "cyemu-read-only-app-secret-0123456789",
        )
        emulator.add_app(app_id, secret, DEMO.tenant_id, {SCOPE_READ})
    return Profile(
        name="emu",
        base_url=emulator.base_url,
        tenant_id=DEMO.tenant_id,
        app_id=app_id,
        app_secret=Secret(secret),
    )


async def test_100_packages_share_one_budget(
    make_app, tmp_path: Path, wait_until, figures: dict[str, object]
) -> None:  # type: ignore[no-untyped-def]
    """Real clock: 100 started packages, polled as often as allowed (interval 50 ms), one
    GET each: the API app lacks the list scope (with it, one list request a round)."""
    emulator = Emulator(port=0).start()  # stamps requests with the real clock
    try:
        now = emulator.started_at or 0.0
        store = WatchlistStore(tmp_path / "w.json")
        for n, package_id in enumerate(STARTED):
            emulator.store.add(started_package(package_id, now, f"bulk-{n}"))
            store.add(package_id)
        emulator.faults.latency = 0.15  # slow answers: the in-flight cap has to hold too
        app = make_app(
            profile=emulator_profile_of(emulator, list_scope=False), watchlist_store=store
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f4")
            await wait_until(
                pilot,
                lambda: emulator.count("GET", "/packages/v2/") >= 16,
                timeout=15,
                what="16 polls",
            )
            scheduler = app.engine.scheduler
            peak = scheduler.peak_in_flight
            gets = [r.at for r in emulator.requests if r.method == "GET"]
            every = [r.at for r in emulator.requests]
            polled = sum(1 for w in scheduler.watches.values() if w.requests)
    finally:
        emulator.stop()
    worst_get, worst = busiest_second(gets), busiest_second(every)
    span = max(gets) - min(gets)
    figures["watchlist, 100 started packages: busiest second of GETs at the emulator"] = worst_get
    figures["watchlist, 100 started packages: busiest second, all requests"] = worst
    figures["watchlist, 100 started packages: mean GETs/s"] = round((len(gets) - 1) / span, 2)
    figures["watchlist, 100 started packages: most requests in flight"] = peak
    assert worst_get <= MAX_PER_WINDOW, gets
    assert peak <= MAX_IN_FLIGHT
    assert polled >= 16  # most overdue first: nobody polled twice before the others


async def test_a_watched_package_open_in_detail_is_polled_once_per_interval(
    make_app, emulator, fake_clock, tmp_path, wait_until
) -> None:  # type: ignore[no-untyped-def]
    pid = STARTED[0]
    emulator.store.add(started_package(pid, fake_clock(), "both"))
    store = WatchlistStore(tmp_path / "watchlist.json")
    store.add(pid, name="both", status="started")
    app = make_app(watchlist_store=store, package_id=pid, poll_interval=0.5)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await wait_until(pilot, lambda: detail.package is not None)
        watch = app.engine.scheduler.watches[pid]
        await wait_until(pilot, lambda: watch.requests >= 1 and not watch.in_flight)
        ours = watch.requests
        polled = emulator.count("GET", f"/packages/v2/{pid}")
        started = time.monotonic()
        # Four polls at 0.5 s (longer on a busy machine). Every GET the service sees is
        # the one watch's: the detail screen sends none of its own (before: both
        # polled, and the watchlist took the screen's replies, twice the code).
        await wait_until(
            pilot,
            lambda: emulator.count("GET", f"/packages/v2/{pid}") - polled >= 4,
            timeout=20,
            what="four polls",
        )
        elapsed = time.monotonic() - started
        await wait_until(pilot, lambda: not watch.in_flight, what="the poll under way")
        gets = emulator.count("GET", f"/packages/v2/{pid}") - polled
        assert watch.requests - ours == gets
        assert gets <= elapsed / 0.5 + 2  # one poll per interval, not two
        assert watch.holders == {"watchlist", detail._holder}
        assert watch.package is not None and watch.updated_at is not None


async def test_changes_not_yet_saved_are_written_at_exit(make_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A removal whose save worker had not run when the app quit came back at the next start."""
    path = tmp_path / "watchlist.json"
    store = WatchlistStore(path)
    store.add(DEMO_PACKAGE_ID)
    store.add(STARTED_SUCCESS_ID)
    store.save()
    app = make_app(watchlist_store=store)
    async with app.run_test(size=(80, 24)):
        store.remove(DEMO_PACKAGE_ID)  # queued; no save worker started
        app.recent.record(STARTED_SUCCESS_ID, name="amcache")  # the same for the recent list
    assert WatchlistStore(path).ids() == [STARTED_SUCCESS_ID]
    assert [e.package_id for e in RecentStore(app.recent.path).entries] == [STARTED_SUCCESS_ID]


async def test_a_package_that_does_not_exist_says_so_and_toasts_fit_the_screen(
    make_app, emulator, tmp_path, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    """Issue 13.8: a watched package that does not exist was listed as "… waiting" for
    good; a toast on the watchlist screen said "(F4 shows it)" while F4 was on screen."""
    missing = str(uuid.uuid4())
    app = make_app(watchlist_store=WatchlistStore(tmp_path / "w.json"))
    async with app.run_test(size=(100, 24), notifications=True) as pilot:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        table = app.screen.query_one(WatchTable)
        await pilot.press("a")
        app.screen.query_one("#watch-add").insert_text_at_cursor(missing)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(table.rows), what="the row")
        toast = list(app._notifications)[-1].message
        assert toast.startswith("Watching ") and "F4" not in toast
        await wait_until(
            pilot, lambda: table.rows[0].status == "✘ not found", what="not found, not waiting"
        )
        assert "✘ not found" in screen_text(app)
