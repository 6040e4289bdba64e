"""Long sessions: thousands of polls with random faults, and terminal resizes.

The soak test polls a started package at a tiny interval against the emulator while
seeded random faults hit it (5xx at a fixed rate, plus dropped connections, resets,
garbage bodies, 429s and revoked tokens). It runs ``CYPKG_SOAK_CYCLES`` polls (300
by default, so the normal test run includes it; 5000 for the full form) and checks:
no crash, never two requests in flight, resident memory growth bounded, and the
app's own containers (workers, notifications, widgets, threads, recent list, token
cache, retired clients) the same size at the end as after warm-up. Figures go to the
terminal summary and ``cypkg-figures.json``.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import threading
import time
from typing import Any

import pytest
from textual.events import Resize
from textual.geometry import Size
from textual.widget import Widget

from tui.api.auth import TokenCache
from tui.api.client import CylanceClient
from tui.api.retry import RetryPolicy
from tui.emulator import DEMO, Emulator
from tui.emulator.faults import MALFORMED_KINDS, Faults
from tui.ui.screens.detail import TABS, DetailScreen

CYCLES = int(os.environ.get("CYPKG_SOAK_CYCLES", "300"))
PID = "0fa17000-0000-4000-8000-000000000005"


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Counting:
    """The real client, counting calls and the most in flight at once."""

    def __init__(self, inner: CylanceClient) -> None:
        self.inner = inner
        self.base_url = inner.base_url
        self._lock = threading.Lock()
        self.in_flight = self.max_in_flight = self.calls = self.errors = 0

    def get_package(self, package_id: str) -> Any:
        with self._lock:
            self.in_flight += 1
            self.calls += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self.inner.get_package(package_id)
        except Exception:
            with self._lock:
                self.errors += 1
            raise
        finally:
            with self._lock:
                self.in_flight -= 1

    def authenticate(self, *, force: bool = False) -> Any:
        return self.inner.authenticate(force=force)

    def close(self) -> None:
        self.inner.close()


def started_package(now: float) -> dict[str, Any]:
    return {
        "packageId": PID,
        "status": "started",
        "timeout": 10**9,
        "packageDescriptor": {"name": "soak", "examples": [{"invocationString": "x"}] * 50},
        "_uploaded_at": now,
    }


def make_client(emulator: Emulator, clock: Any) -> Counting:
    return Counting(
        CylanceClient(
            emulator.base_url,
            DEMO.tenant_id,
            DEMO.app_id,
            DEMO.app_secret,
            token_cache=TokenCache(None),
            # The emulator's (fake) clock: a long run must not look like clock skew.
            clock=clock,
            # Tiny waits everywhere (after a 429 too): the soak is about many polls.
            retry=RetryPolicy(
                max_attempts=2,
                base_delay=0.001,
                max_delay=0.002,
                rate_limit_delay=0.002,
                rate_limit_wait=0.002,
            ),
        )
    )


def state_sizes(app: Any, screen: DetailScreen, client: Counting) -> dict[str, int]:
    """Everything in the app that could grow with the number of polls."""
    return {
        "workers": len(app.workers),
        "notifications": len(app._notifications),
        "widgets on screen": len(list(screen.walk_children())),
        "screens": len(app.screen_stack),
        "threads": threading.active_count(),
        "retired clients": len(app.clients._retired),
        "recent entries": len(app.recent.entries),
        "cached tokens": len(client.inner._cache._memory),
        # Every widget object alive, attached or not (Textual 8.2.8's Footer leaked its
        # old keys on every focus change: see tui/ui/widgets/footer.py).
        "widget objects (gc)": sum(isinstance(o, Widget) for o in gc.get_objects()),
    }


@pytest.mark.soak
# Above the suite's 120 s cap: the test's own hang guards (60 s warm-up, then 60 s +
# 0.2 s a poll) fail first with a clear message; CYPKG_SOAK_CYCLES=5000 still fits.
@pytest.mark.timeout(180 + CYCLES * 0.2)
async def test_soak_polling_with_random_faults(
    make_app,
    emulator: Emulator,
    fake_clock: Any,
    wait_until,
    figures: dict[str, object],  # type: ignore[no-untyped-def]
) -> None:
    emulator.store.add(started_package(fake_clock()))
    emulator.faults = Faults(seed=20261127)
    emulator.faults.fail_rate = 0.3
    rng = random.Random(42)
    client = make_client(emulator, fake_clock)
    app = make_app(
        package_id=PID,
        poll_interval=0.001,
        min_poll_interval=0.001,
        client_factory=lambda p: client,
    )
    planted: dict[str, int] = {}

    def plant() -> None:
        kind = rng.choice(["drop", "reset", "malformed", "429", "revoke", "stall"])
        planted[kind] = planted.get(kind, 0) + 1
        faults = emulator.faults
        if kind == "drop":
            faults.drop_next(1)
        elif kind == "reset":
            faults.reset_mid_body_next(1)
        elif kind == "malformed":
            faults.malformed_next(1, rng.choice(MALFORMED_KINDS))
        elif kind == "429":
            faults.rate_limit_next(1)
        elif kind == "stall":
            faults.stall_next(1, 0.01)
        else:
            emulator.revoke_tokens()

    started = time.monotonic()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        warm_up = min(50, CYCLES // 4)
        await wait_until(pilot, lambda: client.calls >= warm_up, timeout=60, what="warm-up")
        # Tab panes are built on first view: build them all before counting.
        for name in TABS:
            screen.action_show_tab(name)
            await pilot.pause()
        gc.collect()
        rss_before = rss_bytes()
        sizes_before = state_sizes(app, screen, client)
        next_fault = client.calls
        end = client.calls + CYCLES - warm_up
        tab = 0
        deadline = time.monotonic() + 60 + CYCLES * 0.2  # a hang guard, not a timing claim
        while client.calls < end:
            assert screen.next_at is not None, f"polling stopped: {screen.error!r}"
            assert time.monotonic() < deadline, f"stuck at {client.calls} polls"
            if client.calls >= next_fault:
                plant()
                next_fault = client.calls + rng.randint(5, 25)
                tab += 1
                screen.action_show_tab(TABS[tab % len(TABS)])  # redraws as it goes
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        gc.collect()
        rss_after = rss_bytes()
        sizes_after = state_sizes(app, screen, client)
        assert app.is_running and app.screen is screen
        cycles = client.calls
    elapsed = time.monotonic() - started

    assert client.max_in_flight == 1
    assert client.errors > 0 and sum(planted.values()) > 0  # faults did happen
    # The app's own state does not grow with the number of polls.
    for key, before in sizes_before.items():
        after = sizes_after[key]
        slack = {"workers": 2, "threads": 2, "widget objects (gc)": 12}.get(key, 0)
        assert after <= before + slack, (key, before, after)
    growth = rss_after - rss_before
    per_thousand = growth / max(cycles - warm_up, 1) * 1000
    # Bounded: well under a megabyte per thousand polls (and a floor for allocator noise).
    assert growth < max(24 * 1024 * 1024, 0.25 * 1024 * 1024 * (cycles / 1000)), growth
    figures["soak: polls"] = cycles
    figures["soak: failed polls (injected faults)"] = client.errors
    figures["soak: planted faults"] = dict(sorted(planted.items()))
    figures["soak: max requests in flight"] = client.max_in_flight
    figures["soak: RSS after warm-up / at end (MiB)"] = (
        f"{rss_before / 2**20:.1f} / {rss_after / 2**20:.1f} "
        f"({growth / 2**20:+.2f} MiB, {per_thousand / 2**20:+.2f} MiB per 1000 polls)"
    )
    figures["soak: app state after warm-up / at end"] = {
        key: f"{sizes_before[key]} / {sizes_after[key]}" for key in sizes_before
    }
    figures["soak: wall time (s)"] = round(elapsed, 1)


async def test_resize_while_polling(
    make_app, emulator: Emulator, fake_clock: Any, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    """From 200x60 down to 40x12 and back, on every tab, while polling goes on."""
    emulator.store.add(started_package(fake_clock()))
    client = make_client(emulator, fake_clock)
    app = make_app(package_id=PID, poll_interval=0.01, client_factory=lambda p: client)
    sizes = [(200, 60), (120, 40), (80, 24), (60, 16), (40, 12)]
    async with app.run_test(size=sizes[0]) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.package is not None)
        for index, (width, height) in enumerate([*sizes, *reversed(sizes[:-1])]):
            calls = client.calls
            screen.action_show_tab(TABS[index % len(TABS)])
            # What pilot.resize_terminal does, without its wait for an idle CPU (polling
            # every 10 ms never lets the process idle, so that wait always takes 1 s).
            app._driver._size = Size(width, height)
            app.post_message(Resize(Size(width, height), Size(width, height)))
            await wait_until(
                pilot,
                lambda size=(width, height), calls=calls: (
                    app.size == size
                    and len(screen_text(app).splitlines()) == size[1]
                    and client.calls > calls + 1
                ),
                what=f"{width}x{height} drawn while polling goes on",
            )
            assert "Package" in screen_text(app) or width < 60
        assert app.is_running and screen.error is None
    assert client.max_in_flight == 1


def test_every_screen_uses_the_leak_free_footer() -> None:
    """Textual's own Footer leaks its old keys on every focus change (tui/ui/widgets/footer.py)."""
    import re
    from pathlib import Path

    screens = Path(__file__).resolve().parent.parent / "tui" / "ui" / "screens"
    composing = []
    for path in sorted(screens.glob("*.py")):
        source = path.read_text()
        if "Footer(" not in source:
            continue
        composing.append(path.name)
        assert "from tui.ui.widgets.footer import Footer" in source, path.name
        assert not re.search(r"from textual\.widgets import [^\n]*\bFooter\b", source), path.name
    assert "detail.py" in composing and "lookup.py" in composing
