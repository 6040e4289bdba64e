"""Issue 11, point 4: bytes written to the terminal follow changes in the data, not timers.

The real figures (B/s and CPU in an 80×24 pty) are in ``benchmarks/bench_output.py``;
these tests capture, in-process, the escape sequences Textual would send per
frame (see ``tests/test_repaint.record_frames``) and count them, on fake clocks.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.strip import Strip

from tests.test_repaint import record_frames
from tests.test_watchlist_tui import started_package as bare_started
from tui.api.models import parse_package
from tui.emulator.testing import FakeClock
from tui.emulator.times import format_timestamp
from tui.polling.present import progress, watch_step
from tui.polling.watchlist import WatchEntry, WatchlistStore
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.watchlist import WatchlistScreen, watch_row
from tui.ui.widgets.fields import LiveLine, ValueStatic
from tui.ui.widgets.watch_table import WatchRow, WatchTable

LONG = 86_400  # a day's timeout: its percentage and bar move rarely


def started_package(package_id: str, at: float, name: str, **private: Any) -> dict[str, Any]:
    """A started package uploaded at ``at`` (epoch), with its upload time in the body."""
    return {**bare_started(package_id, at, name, **private), "uploadedOn": format_timestamp(at)}


def written(frames: list[str]) -> int:
    return sum(len(frame.encode()) for frame in frames)


async def settle(app: App[Any], pilot: Any, timeout: float = 5.0) -> None:
    """Until two pauses in a row write nothing: the follow-up paints of a layout change (the
    scrollbar that appears once rows arrive) can land a few frames late on a busy machine."""
    import time

    frames = record_frames(app)
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 2:
        before = len(frames)
        await pilot.pause(0.05)
        quiet = quiet + 1 if len(frames) == before else 0
        assert time.monotonic() < deadline, f"still painting after {timeout} s: {frames[-1]!r}"


def local_hms(epoch: float) -> str:
    return f"{datetime.fromtimestamp(math.ceil(epoch), tz=timezone.utc).astimezone():%H:%M:%S}"


async def open_detail(app: Any, pilot: Any, wait_until: Any) -> DetailScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    await wait_until(pilot, lambda: screen.package is not None, what="package")
    await wait_until(pilot, lambda: not screen.in_flight, what="answer")
    # The screen's first frames (the footer's keys come a moment after the package,
    # later on a loaded machine) are over before a test counts what it writes.
    await settle(app, pilot)
    return screen


# -- detail screen --------------------------------------------------------------------


async def test_detail_ticks_between_polls_write_nothing(
    make_app, emulator, fake_clock, wait_until, screen_text
) -> None:
    """Between two polls nothing on the detail screen changes: the next poll is a time."""
    pid = str(uuid.uuid4())
    emulator.store.add(started_package(pid, fake_clock(), "slow upload", timeout=LONG))
    monotonic = FakeClock(1000.0)
    app = make_app(package_id=pid, poll_interval=5.0, monotonic=monotonic, tick=3600.0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(app, pilot, wait_until)
        due = fake_clock() + 5.0
        assert f"next {local_hms(due)}" in screen_text(app)
        assert "● live" in screen_text(app)
        frames = record_frames(app)
        for _ in range(4):  # four seconds of the five: the wall clock too stands still
            monotonic.now += 1
            screen._tick()
            await pilot.pause()
        # Before: "next in 4s", "next in 3s", … rewrote the countdown every second.
        assert written(frames) == 0, frames
        assert f"next {local_hms(due)}" in screen_text(app)


async def test_detail_elapsed_time_ticks_in_10_second_steps(
    make_app, emulator, fake_clock, wait_until
) -> None:
    pid = str(uuid.uuid4())
    emulator.store.add(started_package(pid, fake_clock() - 3.0, "slow upload", timeout=LONG))
    monotonic = FakeClock(1000.0)
    app = make_app(package_id=pid, poll_interval=3600.0, monotonic=monotonic, tick=3600.0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(app, pilot, wait_until)
        elapsed = screen.query_one("#elapsed-text", LiveLine)
        shown = [elapsed.current.plain]
        frames = record_frames(app)
        for _ in range(30):  # 30 s of wall clock, one tick a second
            fake_clock.advance(1)
            screen._tick()
            await pilot.pause()
            if elapsed.current.plain != shown[-1]:
                shown.append(elapsed.current.plain)
        assert screen.package is not None
        # Still right: what progress() says for now, in 10 s steps (3 changes in 30 s).
        expected = progress(screen.package, app.now(), step=10)
        assert expected is not None and shown[-1].startswith(expected[1])
        assert len(shown) == 4, shown
        assert 0 < written(frames) < 4 * 120, frames


async def test_detail_polled_every_second_writes_little_per_poll(
    make_app, emulator, fake_clock, wait_until, screen_text
) -> None:
    pid = str(uuid.uuid4())
    emulator.store.add(started_package(pid, fake_clock(), "fast poll", timeout=LONG))
    monotonic = FakeClock(1000.0)
    app = make_app(package_id=pid, poll_interval=1.0, monotonic=monotonic, tick=3600.0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(app, pilot, wait_until)
        frames = record_frames(app)
        polls = 6
        for _ in range(polls):
            before = emulator.count("GET", f"/packages/v2/{pid}")
            monotonic.now += 1
            fake_clock.advance(1)
            app.engine.scheduler.wake()
            await wait_until(
                pilot,
                lambda b=before: (
                    emulator.count("GET", f"/packages/v2/{pid}") > b and not screen.in_flight
                ),
                what="a poll",
            )
            screen._tick()
            await pilot.pause()
        # The next poll's time, moved on by a second each poll.
        assert f"next {local_hms(fake_clock() + 1)}" in screen_text(app)
        # Before: "updated hh:mm:ss" and "fetching…" / "next in 1s" about 150 B a poll.
        assert written(frames) < polls * 80, frames


async def test_detail_of_a_finished_package_writes_nothing_on_ticks(
    make_app, emulator, fake_clock, wait_until
) -> None:
    pid = str(uuid.uuid4())
    emulator.store.add({**started_package(pid, fake_clock(), "done"), "status": "success"})
    app = make_app(package_id=pid, tick=3600.0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(app, pilot, wait_until)
        frames = record_frames(app)
        for _ in range(50):
            fake_clock.advance(1)
            screen._tick()
        await pilot.pause()
        # At most the "(n minutes ago)" of the upload time, once a minute.
        assert written(frames) < 120, frames


# -- watchlist ------------------------------------------------------------------------


def rows(n: int, elapsed: str = "1m of 1d") -> list[WatchRow]:
    return [
        WatchRow(f"id-{i}", f"package-{i:03}", "◷ started", elapsed, "12:00:00") for i in range(n)
    ]


class Table(App[None]):
    def compose(self) -> ComposeResult:
        yield WatchTable(id="table")


async def test_watch_table_repaints_only_the_changed_rows_on_screen() -> None:
    app = Table()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(WatchTable)
        table.set_rows(rows(200))
        await settle(app, pilot)
        drawn: list[int] = []
        render_line = table.render_line

        def spy(y: int) -> Strip:
            drawn.append(y)
            return render_line(y)

        table.render_line = spy  # type: ignore[method-assign]
        frames = record_frames(app)
        # A row far below the viewport changed: nothing to draw.
        changed = rows(200)
        changed[150] = WatchRow("id-150", "package-150", "✔ success", "—", "12:00:05")
        assert table.set_rows(changed)
        await pilot.pause()
        assert drawn == [] and written(frames) == 0, (drawn, frames)
        # A row on screen changed: that line only (before: every visible line).
        changed = list(changed)
        changed[3] = WatchRow("id-3", "package-003", "◷ started", "2m of 1d", "12:00:00")
        table.set_rows(changed)
        await pilot.pause()
        assert drawn == [3], drawn
        output = "".join(frames)
        # The cells from the row's start to the change: "2" of "2m of 1d".
        assert "package-003" in output and "2" in output and "package-004" not in output
        assert written(frames) < 200, frames
        # The same rows again: nothing at all.
        drawn.clear()
        assert not table.set_rows(list(changed))
        await pilot.pause()
        assert drawn == []


async def test_watch_table_redraws_all_when_rows_move() -> None:
    app = Table()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(WatchTable)
        table.set_rows(rows(30))
        await pilot.pause()
        frames = record_frames(app)
        table.set_rows(rows(30)[1:])  # the first removed: every row below moves up
        await pilot.pause()
        output = "".join(frames)
        assert "package-001" in output and "package-010" in output


def test_watch_row_elapsed_steps() -> None:
    assert watch_step(5) == 10 and watch_step(59) == 10 and watch_step(60) == 60
    entry = WatchEntry("id-1", "p")
    now = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
    assert watch_row(entry, None, now, 0.0).elapsed == "—"


async def make_watchlist(
    make_app: Any, emulator: Any, fake_clock: Any, tmp_path: Path, n: int, status: str
) -> tuple[Any, list[str]]:
    store = WatchlistStore(tmp_path / "watchlist.json")
    ids = [str(uuid.UUID(int=0xD0000 + i)) for i in range(n)]
    for i, pid in enumerate(ids):
        package = started_package(pid, fake_clock() - 90, f"pkg-{i:03}", timeout=LONG)
        if status != "started":
            package["status"] = status
        emulator.store.add(package)
        store.add(pid)
    return make_app(watchlist_store=store, poll_interval=0.2, tick=3600.0), ids


async def test_watchlist_unchanged_polls_and_ticks_repaint_no_row(
    make_app, emulator, fake_clock, tmp_path, wait_until, screen_text
) -> None:
    app, ids = await make_watchlist(make_app, emulator, fake_clock, tmp_path, 14, "started")
    async with app.run_test(size=(80, 14)) as pilot:  # 14 rows, about 8 on screen
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        screen = app.screen
        assert isinstance(screen, WatchlistScreen)
        scheduler = app.engine.scheduler
        await wait_until(
            pilot,
            lambda: all(w.requests >= 1 for w in scheduler.watches.values()),
            timeout=20,
            what="every package fetched",
        )
        await pilot.pause()
        assert "1m of 1d" in screen_text(app)
        # Live: the summary says when polls were last answered (the rows, when each changed).
        answered = f"answered {local_hms(math.floor(fake_clock()))}"
        assert answered in " ".join(screen_text(app).split())
        frames = record_frames(app)
        before = sum(w.requests for w in scheduler.watches.values())
        await wait_until(
            pilot,
            lambda: sum(w.requests for w in scheduler.watches.values()) >= before + 14,
            timeout=20,
            what="every package polled again",
        )
        screen._tick()
        await pilot.pause()
        output = "".join(frames)
        # Same bodies: no row was repainted (before: each answer redrew the table).
        assert "pkg-0" not in output, output
        # Elapsed times tick in whole minutes: 59 s later nothing has moved.
        fake_clock.advance(29)
        screen._tick()
        await pilot.pause()
        assert "pkg-0" not in "".join(frames)
        # A minute on: the rows on screen show it, and only those are drawn.
        fake_clock.advance(31)
        frames.clear()
        screen._tick()
        await pilot.pause()
        assert "2m of 1d" in screen_text(app)
        assert "pkg-000" in "".join(frames) and "pkg-013" not in "".join(frames)
        # A poll that brings a changed body repaints that row.
        changed = started_package(ids[1], fake_clock() - 150, "pkg-001 renamed", timeout=LONG)
        emulator.store.add(changed)
        await wait_until(
            pilot, lambda: "pkg-001 renamed" in screen_text(app), timeout=10, what="rename"
        )


async def test_watchlist_after_everything_finished_writes_nothing(
    make_app, emulator, fake_clock, tmp_path, wait_until
) -> None:
    app, _ids = await make_watchlist(make_app, emulator, fake_clock, tmp_path, 10, "success")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        screen = app.screen
        assert isinstance(screen, WatchlistScreen)
        await wait_until(
            pilot, lambda: not app.engine.scheduler.active, timeout=20, what="all final"
        )
        await pilot.pause()
        frames = record_frames(app)
        for _ in range(120):
            fake_clock.advance(1)
            screen._tick()
        await pilot.pause()
        assert written(frames) == 0, frames


async def test_a_summary_line_update_repaints_only_itself(
    make_app, emulator, fake_clock, tmp_path, wait_until, screen_text
) -> None:
    """The watchlist's summary line changes with each answer; the list beside it does not."""
    app, _ids = await make_watchlist(make_app, emulator, fake_clock, tmp_path, 10, "success")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        await wait_until(
            pilot, lambda: not app.engine.scheduler.active, timeout=20, what="all final"
        )
        await pilot.pause()
        summary = app.screen.query_one("#watch-summary", ValueStatic)
        frames = record_frames(app)
        text = summary.current.plain
        summary.set(text.replace("10 watched", "11 watched"))
        await pilot.pause()
        # Before: a layout pass, and the list's scroll bar (a cell on every row) was
        # rewritten with it, about 600 bytes; now the two cells that changed.
        assert "11" in "".join(frames) and "watched" not in "".join(frames)
        assert written(frames) < 60, frames
        assert "11 watched" in screen_text(app)


class Statics(App[None]):
    CSS = "#padded { padding: 0 2; }"

    def compose(self) -> ComposeResult:
        yield ValueStatic(id="plain")
        yield ValueStatic(id="padded")


async def test_value_static_repaints_the_changed_cells_of_wrapped_lines() -> None:
    app = Statics()
    async with app.run_test(size=(30, 8)) as pilot:
        plain, padded = app.query_one("#plain", ValueStatic), app.query_one("#padded", ValueStatic)
        text = "alpha beta gamma delta epsilon zeta eta"  # two lines at 30 columns
        plain.set(text)
        padded.set(text)
        await pilot.pause()
        frames = record_frames(app)
        plain.set(text.replace("zeta", "ZETA"))  # on the second line
        padded.set(text.replace("beta", "BETA"))
        await pilot.pause()
        output = "".join(frames)
        # Only the changed line of each (a repaint starts at the widget's left edge).
        assert "ZETA" in output and "BETA" in output and "delta" not in output
        # The padding is kept: the change lands where the text is drawn.
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        assert lines[2].startswith("  alpha BETA")
        # A change of length re-lays out and redraws the whole widget.
        frames.clear()
        plain.set(text + " theta")
        await pilot.pause()
        assert "alpha" in "".join(frames)


def test_progress_moves_in_steps() -> None:
    """The text and the fraction (the bar, the percentage) change together, once a step."""
    uploaded = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
    raw = {
        "packageId": "x",
        "status": "started",
        "timeout": 300,
        "uploadedOn": "2026-11-29T12:00:00Z",
    }
    package = parse_package(raw, "")
    seen = set()
    for second in range(0, 60):
        now = uploaded + timedelta(seconds=second)
        shown = progress(package, now, step=10)
        assert shown is not None
        seen.add(shown)
    assert len(seen) == 6
    assert progress(package, uploaded + timedelta(seconds=59), step=10) == (50 / 300, "50s of 5m")


async def test_a_watchlist_tick_builds_only_the_rows_on_screen(
    make_app, emulator, fake_clock, tmp_path, wait_until, screen_text, monkeypatch
) -> None:
    """Rows off screen cost nothing on a tick (CPU with 200 started packages); rows
    scrolled into view show the time then, not at the next tick."""
    import tui.ui.screens.watchlist as watchlist_module

    store = WatchlistStore(tmp_path / "watchlist.json")
    ids = [str(uuid.UUID(int=0xE0000 + i)) for i in range(30)]
    for i, pid in enumerate(ids):
        emulator.store.add(started_package(pid, fake_clock() - 90, f"pkg-{i:03}", timeout=LONG))
        store.add(pid)
    # No second poll during the test: only ticks move the rows.
    app = make_app(watchlist_store=store, poll_interval=3600.0, tick=3600.0)
    async with app.run_test(size=(80, 14)) as pilot:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        screen = app.screen
        assert isinstance(screen, WatchlistScreen)
        scheduler = app.engine.scheduler
        await wait_until(
            pilot,
            lambda: all(w.updated_at is not None for w in scheduler.watches.values()),
            timeout=20,
            what="every package fetched",
        )
        await pilot.pause()
        table = screen.query_one(WatchTable)
        built: list[str] = []
        real = watchlist_module.watch_row

        def counting(entry: WatchEntry, *args: Any, **kwargs: Any) -> WatchRow:
            built.append(entry.package_id)
            return real(entry, *args, **kwargs)

        monkeypatch.setattr(watchlist_module, "watch_row", counting)
        fake_clock.advance(60)
        screen._tick()
        await pilot.pause()
        on_screen = table.scrollable_content_region.height
        assert 0 < len(built) <= on_screen < 30, built
        assert "pkg-000" in screen_text(app) and "2m of 1d" in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "pkg-029" in text and "1m of 1d" not in text, text
