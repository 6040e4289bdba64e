"""The detail screen: tabs, live polling to each final status, pause, refresh, copy."""

from __future__ import annotations

import threading
import time

import pytest
from textual.widgets import TabbedContent

from tui.emulator.seed import (
    BIG_PACKAGE_ID,
    DEMO_PACKAGE_ID,
    FAILED_AFTER,
    STARTED_FAILED_ID,
    STARTED_SUCCESS_ID,
    STARTED_TIMEOUT_ID,
    SUCCESS_AFTER,
    TIMEOUT_AFTER,
    big_package,
)
from tui.ui.screens.copy import CopyScreen
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.lookup import LookupScreen
from tui.ui.widgets.fields import LiveLine
from tui.ui.widgets.lazy import ExampleList, TextView


def flat(text: str) -> str:
    return " ".join(text.split())


async def open_detail(app, pilot, wait_until) -> DetailScreen:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail screen")
    screen = app.screen
    await wait_until(pilot, lambda: screen.package is not None, what="package")
    await pilot.pause()
    return screen


async def test_each_tab(make_app, emulator, wait_until, screen_text) -> None:
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(app, pilot, wait_until)
        tabs = screen.query_one(TabbedContent)
        text = screen_text(app)
        assert "1 Overview" in text and "3 Examples (4)" in text and "5 Raw" in text
        for expected in (
            "Name             collect_triage",
            f"Package ID       {DEMO_PACKAGE_ID}",
            "Status           ✔ success",
            "Category         custom",
            "Version          3",
            "Size             2.4 MiB (2,481,152 bytes)",
            "Timeout          5m (300 s)",
            "Playbooks        7",
            "Download URL     " + emulator.base_url,
            "ago)",
        ):
            assert expected in text, expected
        assert "Elapsed" not in text  # only while started

        await pilot.press("2")
        assert tabs.active == "descriptor"
        text = screen_text(app)
        for expected in (
            "Entry point      main.py",
            "File name        collect_triage.zip",
            "File type        python",
            f"Package ID       {DEMO_PACKAGE_ID}",
            "Windows live-response triage collection.",
        ):
            assert expected in text, expected

        await pilot.press("3")
        assert tabs.active == "examples"
        text = screen_text(app)
        assert "Default triage profile into the Optics staging" in text
        assert "Example 1 of 4" in text
        assert isinstance(app.focused, ExampleList)
        await pilot.press("down")
        await pilot.pause()
        text = screen_text(app)
        assert "Example 2 of 4" in text
        assert "› main.py --profile default --browsers all" in text

        await pilot.press("4")
        assert tabs.active == "uploader"
        text = flat(screen_text(app))
        assert "Login j.doe@example.com" in text
        assert "User ID 4a7c1e9b-2d3f-4b8a-9e6c-0f1d2a3b4c5d" in text
        assert " UTC" in text and "ago" in text

        await pilot.press("5")
        assert tabs.active == "raw"
        text = screen_text(app)
        assert text.splitlines()[4].strip() == "{"  # pretty-printed from the top
        assert '"category": "custom"' in text
        raw_view = screen.query_one("#raw-json", TextView)
        assert '  "packageId": "e378dacb-9324-453a-b8c6-5a8406952195",' in raw_view.text

        # Left/right step through the tabs and wrap around.
        await pilot.press("right")
        assert tabs.active == "overview"
        await pilot.press("left")
        assert tabs.active == "raw"
        # The raw JSON scrolls by keys.
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert '"category"' not in text and '"uploadedOn"' in text
        # And the mouse works too.
        await pilot.click("#--content-tab-descriptor")
        await pilot.pause()
        assert tabs.active == "descriptor"
        # Opened straight on a package (`cypkg ID`): Esc goes to the lookup screen.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)


@pytest.mark.parametrize(
    ("package_id", "after", "word", "severity"),
    [
        (STARTED_SUCCESS_ID, SUCCESS_AFTER, "✔ success", "information"),
        (STARTED_FAILED_ID, FAILED_AFTER, "✘ failed", "error"),
        (STARTED_TIMEOUT_ID, TIMEOUT_AFTER, "⌛ timeout", "warning"),
    ],
)
async def test_polls_by_itself_until_final(
    make_app, emulator, fake_clock, wait_until, screen_text, package_id, after, word, severity
) -> None:
    app = make_app(package_id=package_id)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_detail(app, pilot, wait_until)
        assert "◷ started" in screen_text(app)
        await wait_until(pilot, lambda: "● live" in screen_text(app), what="live")
        assert "next " in screen_text(app) or "fetching" in screen_text(app)
        polls_before = emulator.count("GET", "/packages")
        await wait_until(
            pilot, lambda: emulator.count("GET", "/packages") > polls_before + 2, what="polls"
        )
        fake_clock.advance(after + 1)
        await wait_until(pilot, lambda: screen.package.status.is_terminal, what="final status")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert word in text and "● live" not in text and "final · updated" in text
        notes = [n for n in app._notifications if n.title == "Upload finished"]
        assert len(notes) == 1
        assert word in notes[0].message and notes[0].severity == severity
        assert "Upload finished" in text  # the toast is on screen
        assert bells == [1]
        # Polling has stopped: no more requests.
        count = emulator.count("GET", "/packages")
        await pilot.pause(0.2)
        assert emulator.count("GET", "/packages") == count
        assert screen.next_at is None


async def test_elapsed_against_timeout(make_app, fake_clock, wait_until, screen_text) -> None:
    app = make_app(package_id=STARTED_TIMEOUT_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(app, pilot, wait_until)
        fake_clock.advance(20)
        await wait_until(pilot, lambda: "20s of 50s" in screen_text(app), what="elapsed")
        # 20 s of 50 s: 40 % of the 24-cell bar is filled.
        assert screen.query_one("#elapsed-bar", LiveLine).current.plain == "━" * 10 + "─" * 14
        assert "━" * 10 + "─" * 14 + " 20s of 50s (40%)" in screen_text(app)


async def test_pause_and_resume(make_app, emulator, wait_until, screen_text) -> None:
    app = make_app(package_id=STARTED_SUCCESS_ID)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_detail(app, pilot, wait_until)
        await pilot.press("p")
        await wait_until(pilot, lambda: not screen.in_flight)
        await pilot.pause()
        assert "⏸ paused" in screen_text(app)
        count = emulator.count("GET", "/packages")
        await pilot.pause(0.25)  # five poll intervals
        assert emulator.count("GET", "/packages") == count
        await pilot.press("p")
        await wait_until(
            pilot, lambda: emulator.count("GET", "/packages") > count + 1, what="resumed polls"
        )
        assert "⏸ paused" not in screen_text(app)


async def test_refresh_now(make_app, emulator, wait_until, screen_text) -> None:
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_detail(app, pilot, wait_until)
        await app.workers.wait_for_complete()
        count = emulator.count("GET", "/packages")
        await pilot.press("r")
        await wait_until(pilot, lambda: emulator.count("GET", "/packages") == count + 1)
        await app.workers.wait_for_complete()
        assert emulator.count("GET", "/packages") == count + 1
        # A final status is not polled: no p in the footer, and p pauses nothing.
        await pilot.press("p")
        assert not app.screen.paused
        assert "Pause" not in screen_text(app).splitlines()[-1]


async def test_one_request_in_flight(make_app, emulator_profile, wait_until) -> None:
    """However often r is pressed and the poll timer fires, requests never overlap."""
    from tui.polling.clients import make_client

    lock = threading.Lock()
    state = {"now": 0, "max": 0, "calls": 0}

    class Counting:
        def __init__(self, profile):  # type: ignore[no-untyped-def]
            self.inner = make_client(profile, persist_tokens=False)
            self.base_url = self.inner.base_url

        def get_package(self, package_id):  # type: ignore[no-untyped-def]
            with lock:
                state["now"] += 1
                state["calls"] += 1
                state["max"] = max(state["max"], state["now"])
            try:
                time.sleep(0.05)
                return self.inner.get_package(package_id)
            finally:
                with lock:
                    state["now"] -= 1

        def authenticate(self, *, force=False):  # type: ignore[no-untyped-def]
            return self.inner.authenticate(force=force)

        def close(self) -> None:
            self.inner.close()

    app = make_app(package_id=STARTED_SUCCESS_ID, client_factory=Counting, poll_interval=0.01)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_detail(app, pilot, wait_until)
        for _ in range(3):
            await pilot.press("r")
        await wait_until(pilot, lambda: state["calls"] >= 6, what="polls")
    assert state["max"] == 1


async def test_leaving_the_screen_stops_polling(make_app, emulator, wait_until) -> None:
    app = make_app(package_id=STARTED_SUCCESS_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, wait_until)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        await app.workers.wait_for_complete()
        count = emulator.count("GET", "/packages")
        await pilot.pause(0.2)
        assert emulator.count("GET", "/packages") == count


async def test_copy_actions(make_app, emulator, wait_until, screen_text) -> None:
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_detail(app, pilot, wait_until)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CopyScreen)
        assert app.clipboard == DEMO_PACKAGE_ID
        text = screen_text(app)
        assert "Copied the package ID" in text and DEMO_PACKAGE_ID in text
        # The box says how it was copied; no toast covers it (issue 13.15).
        assert "OSC 52" in text and not list(app._notifications)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)

        await pilot.press("u")
        await pilot.pause()
        assert app.clipboard == emulator.store.get(DEMO_PACKAGE_ID)["downloadUrl"]
        assert "Copied the download URL" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()

        await pilot.press("3", "down", "i")
        await pilot.pause()
        assert app.clipboard == "main.py --profile default --browsers all"
        await pilot.press("escape", "down", "enter")  # Enter on a row copies it too
        await pilot.pause()
        assert app.clipboard == "main.py --evtx-since 48h --compress zip"
        assert isinstance(app.screen, CopyScreen)


async def test_big_package_opens_fast(make_app, emulator, wait_until, screen_text) -> None:
    emulator.store.add(big_package(3000))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # How fast it opens is measured in benchmarks/, not asserted here.
        app.action_open_package(BIG_PACKAGE_ID)
        screen = await open_detail(app, pilot, wait_until)
        assert "3 Examples (3,000)" in screen_text(app)
        await pilot.press("3")
        await pilot.press("end")
        await pilot.pause()
        assert "Example 3,000 of 3,000" in screen_text(app)
        assert "main.py --set 89 --chunk 2999" in screen_text(app)
        await pilot.press("pageup")
        await pilot.pause()
        assert screen.query_one(ExampleList).cursor < 2999


async def test_palette_lists_screen_actions(make_app, wait_until) -> None:
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(app, pilot, wait_until)
        titles = [command.title for command in app.get_system_commands(screen)]
        for title in (
            "Refresh",
            "Pause / resume polling",
            "Copy package ID",
            "Copy download URL",
            "Copy invocation",
            "Show Raw",
            "Settings",
            "Theme",
            "Quit",
        ):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"copy pack")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause()
        assert app.clipboard == DEMO_PACKAGE_ID


async def test_quit_is_prompt_while_a_request_hangs(make_app, emulator, wait_until) -> None:
    emulator.faults.stall_next(1, 30)
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await wait_until(pilot, lambda: app.screen.in_flight, what="request in flight")
        started = time.perf_counter()
        await pilot.press("ctrl+q")
    # The request hangs for 30 s; quitting must not wait for it.
    assert time.perf_counter() - started < 15.0
