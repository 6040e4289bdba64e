"""Tab keys sent in one burst (no pause between them) end on the last key's tab and go idle.

A burst is what a fast typist, tmux ``send-keys 5 4 3`` or a slow SSH link that delivers
several keys in one read produces: the key events are queued before any of them is handled.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import time
from pathlib import Path

import pytest
from ptyapp import PtyApp, cypkg_env
from textual import events
from textual.widgets import ContentSwitcher, TabbedContent, Tabs

from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_SUCCESS_ID
from tui.ui.screens.detail import TABS, DetailScreen

KEY_TAB = {str(n): tab for n, tab in enumerate(TABS, 1)}


def burst(app, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Queue every key at once, as a driver does when one read holds several keys."""
    for key in keys:
        char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


def expected_tab(start: str, keys: tuple[str, ...]) -> str:
    tab = start
    for key in keys:
        if key in KEY_TAB:
            tab = KEY_TAB[key]
        else:
            step = 1 if key == "right" else -1
            tab = TABS[(TABS.index(tab) + step) % len(TABS)]
    return tab


def shown_tab(screen: DetailScreen) -> tuple[str, str, str]:
    """(active, underlined, pane shown): all three must agree."""
    tabbed = screen.query_one(TabbedContent)
    underlined = (screen.query_one(Tabs).active or "").removeprefix("--content-tab-")
    pane = screen.query_one(ContentSwitcher).current or ""
    return tabbed.active, underlined, pane


class TabEvents:
    """A ``message_hook`` that counts tab activations."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, message: object) -> None:
        if isinstance(message, TabbedContent.TabActivated):
            self.count += 1

    async def after_settling(self, seconds: float, timeout: float = 10.0) -> int:
        """Tab activations in ``seconds`` with nothing pressed, once the burst is handled.

        Handled means a quiet ``seconds``: no activation, and the process mostly idle (a
        pane being built on a busy machine can take longer than ``seconds`` without an
        activation). A runaway loop is never quiet; after ``timeout`` the window below
        counts its activations.
        """
        loop = asyncio.get_running_loop()
        give_up = loop.time() + timeout
        seen, quiet_since = self.count, loop.time()
        while loop.time() < give_up and loop.time() - quiet_since < seconds:
            cpu = time.process_time()
            await asyncio.sleep(0.01)
            busy = time.process_time() - cpu > 0.007
            if self.count != seen or busy:
                seen, quiet_since = self.count, loop.time()
        before = self.count
        await asyncio.sleep(seconds)
        return self.count - before


async def open_package(app, wait_until, package_id: str) -> DetailScreen:  # type: ignore[no-untyped-def]
    await wait_until(None, lambda: isinstance(app.screen, DetailScreen), what="detail screen")
    screen = app.screen
    await wait_until(None, lambda: screen.package is not None, what="package")
    return screen


@pytest.mark.parametrize(
    "keys",
    [
        ("5", "4", "3"),
        ("right", "right", "right", "1"),
        ("2", "3", "4", "5", "1", "5", "2"),
        ("left", "left", "3", "right", "5", "4"),
    ],
    ids=["5-4-3", "right-right-right-1", "all-tabs", "mixed"],
)
async def test_burst_ends_on_last_key_and_goes_idle(make_app, wait_until, keys) -> None:
    app = make_app(package_id=DEMO_PACKAGE_ID)
    tab_events = TabEvents()
    async with app.run_test(size=(80, 24), message_hook=tab_events):
        screen = await open_package(app, wait_until, DEMO_PACKAGE_ID)
        want = expected_tab("overview", keys)
        burst(app, *keys)
        activations = await tab_events.after_settling(0.5)
        assert shown_tab(screen) == (want, want, want)
        assert activations == 0, f"{activations} tab changes with no key pressed"
        # The keyboard focus is in the pane shown, not in one the burst passed through.
        assert app.focused is not None and screen.query_one(f"#{want}") in app.focused.ancestors


async def test_random_bursts_while_polls_land(make_app, wait_until) -> None:
    """Seeded random bursts on a package still polled every 200 ms."""
    app = make_app(package_id=STARTED_SUCCESS_ID, poll_interval=0.2)
    rng = random.Random(10)
    alphabet = [*KEY_TAB, "left", "right"]
    tab_events = TabEvents()
    async with app.run_test(size=(80, 24), message_hook=tab_events):
        screen = await open_package(app, wait_until, STARTED_SUCCESS_ID)
        tab = "overview"
        for _ in range(6):
            keys = tuple(rng.choice(alphabet) for _ in range(rng.randint(2, 9)))
            tab = expected_tab(tab, keys)
            burst(app, *keys)
            activations = await tab_events.after_settling(0.3)
            assert shown_tab(screen) == (tab, tab, tab), keys
            assert activations == 0, keys


async def test_every_pair_of_tab_keys(make_app, wait_until) -> None:
    """Every ordered pair of number keys, pressed with no pause (the first burst of the
    parametrised test above covers panes built for the first time; here they are built)."""
    app = make_app(package_id=DEMO_PACKAGE_ID)
    tab_events = TabEvents()
    async with app.run_test(size=(80, 24), message_hook=tab_events):
        screen = await open_package(app, wait_until, DEMO_PACKAGE_ID)
        for first, second in itertools.permutations(KEY_TAB, 2):
            burst(app, first, second)
            activations = await tab_events.after_settling(0.1)
            want = KEY_TAB[second]
            assert shown_tab(screen) == (want, want, want), (first, second)
            assert activations == 0, (first, second)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize(
    ("burst_bytes", "drawn"),
    [(b"543", b"Example 1 of 4"), (b"\x1b[C\x1b[C\x1b[C1", b"Playbooks")],
    ids=["5-4-3", "right-right-right-1"],
)
def test_burst_in_a_real_terminal(emulator, tmp_path: Path, burst_bytes, drawn) -> None:  # type: ignore[no-untyped-def]
    """The keys in one write to the pty; then the app must go quiet: no bytes, no CPU."""
    app = PtyApp(
        "--api-url", emulator.base_url, DEMO_PACKAGE_ID, env=cypkg_env(tmp_path), size=(80, 24)
    )
    try:
        app.wait_for(b"Playbooks", b"collect_triage")
        time.sleep(0.5)  # the first paint's follow-ups (warm-up, footer) are done
        since = app.mark()
        os.write(app.master, burst_bytes)
        app.wait_for(drawn, since=since, timeout=10)
        time.sleep(1.0)  # "within a second the app is idle"
        quiet_from, cpu_from = app.mark(), _cpu_seconds(app.proc.pid)
        time.sleep(2.0)
        written = app.mark() - quiet_from
        cpu = _cpu_seconds(app.proc.pid) - cpu_from
        app.press("ctrl+q")
        assert app.wait() == 0
    finally:
        app.close()
    assert written == 0, app.output[quiet_from:][:300]
    assert cpu < 0.2, f"{cpu:.2f} s of CPU in 2 s with nothing pressed"


async def test_pane_never_composed_is_not_filled(make_app, wait_until, monkeypatch) -> None:
    """A mount that ends without the pane being composed (the app closing under a hangup
    or signal during a tab switch) must not raise: that exited 1 instead of 129."""
    from tui.ui.widgets.package_views import RawPane

    monkeypatch.setattr(RawPane, "compose", lambda self: iter(()))
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_package(app, wait_until, DEMO_PACKAGE_ID)
        await pilot.press("5")
        await pilot.pause()
        assert "raw" not in screen.tabs.built
        app.exit(None, 129)
    assert app.return_code == 129


@pytest.mark.parametrize("tab", ["descriptor", "examples", "uploader", "raw"])
async def test_tab_switch_as_the_app_exits(make_app, wait_until, tab) -> None:  # type: ignore[no-untyped-def]
    """A tab's activation handled after ``app.exit`` (SIGHUP while switching tabs) must
    not mount its pane: Textual refuses a mount once the app is exiting (MountError),
    and the hung-up app then exited 1 instead of 129."""
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)):
        screen = await open_package(app, wait_until, DEMO_PACKAGE_ID)
        screen.tabs.show_tab(tab)  # its activation is handled after the exit below
        app.exit(None, 129)
    assert app.return_code == 129


@pytest.mark.parametrize("spins", range(8))
@pytest.mark.parametrize("tab", ["descriptor", "examples"])
async def test_exit_at_any_step_of_a_pane_build(make_app, wait_until, tab, spins) -> None:  # type: ignore[no-untyped-def]
    """The exit lands ``spins`` loop steps into a tab switch: before the mount, between
    the pane's compose and its children's (the Examples pane then lacked its parts:
    NoMatches in on_mount or in the fill), or after. Every case exits 129."""
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)):
        screen = await open_package(app, wait_until, DEMO_PACKAGE_ID)
        screen.tabs.show_tab(tab)
        for _ in range(spins):
            await asyncio.sleep(0)
        app.exit(None, 129)
    assert app.return_code == 129
