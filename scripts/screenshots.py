#!/usr/bin/env python3
"""Regenerate screenshots/*.svg from the real app running against the local emulator.

    python scripts/screenshots.py [--out screenshots]

Runs headless at 80×24 in demo mode (the embedded emulator, demo credentials,
nothing written to your config). Times are shown in UTC and ``user@host`` is
fixed, so re-running only changes what really changed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402

from tui.polling.clients import Demo  # noqa: E402
from tui.polling.recent import RecentStore  # noqa: E402
from tui.ui.app import CypkgApp  # noqa: E402
from tui.ui.options import AppOptions  # noqa: E402
from tui.ui.startup import prepare  # noqa: E402

SIZE = (80, 24)
PORT = 8765


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Clock:
    """The emulator's and the app's "now": real time plus a skip, to show a running upload."""

    def __init__(self) -> None:
        self.skip = 0.0

    def __call__(self) -> float:
        return time.time() + self.skip


def start_demo(clock: Clock) -> Demo:
    """Like tui.polling.clients.start_demo, on a fixed port when it is free (a stable header)."""
    from tui.config import Config, Profile, Secret
    from tui.emulator import DEMO, Emulator
    from tui.polling.clients import DEMO_DAILY_BUDGET

    port = PORT if _free(PORT) else 0
    emulator = Emulator(host="127.0.0.1", port=port, clock=clock).start()
    profile = Profile(
        name="demo",
        base_url=emulator.base_url,
        tenant_id=DEMO.tenant_id,
        app_id=DEMO.app_id,
        app_secret=Secret(DEMO.app_secret),
        poll_interval=2.0,
        daily_budget=DEMO_DAILY_BUDGET,
    )
    return Demo(emulator, profile, Config(active_profile="demo", profiles={"demo": profile}))


async def wait_loaded(pilot: Pilot[int]) -> None:
    for _ in range(500):
        screen = pilot.app.screen
        if getattr(screen, "package", None) is not None and not getattr(screen, "in_flight", True):
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def shoot(out: Path, name: str, package_id: str | None, keys: tuple[str, ...]) -> None:
    clock = Clock()
    demo = start_demo(clock)
    try:
        if name == "live-polling":
            # 30 s into an upload with a 50 s timeout: the elapsed bar has moved.
            clock.skip = 30.0
        startup = prepare(package_id=package_id, demo=demo)
        options = AppOptions(
            clock=clock,
            user_host="you@jumphost",
            theme="textual-dark",
            recent_store=RecentStore(None),
        )
        app = CypkgApp(startup, options)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            if package_id:
                await wait_loaded(pilot)
            if keys:
                await pilot.press(*keys)
                await pilot.pause(0.2)
            svg = app.export_screenshot(title=f"cypkg — {name}")
        (out / f"{name}.svg").write_text(svg, encoding="utf-8")
        print(f"wrote {out / (name + '.svg')}")
    finally:
        demo.stop()


async def main(out: Path) -> None:
    from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_TIMEOUT_ID

    out.mkdir(parents=True, exist_ok=True)
    shots: list[tuple[str, str | None, tuple[str, ...]]] = [
        ("lookup", None, ()),
        ("detail-overview", DEMO_PACKAGE_ID, ("1",)),
        ("detail-descriptor", DEMO_PACKAGE_ID, ("2",)),
        ("detail-examples", DEMO_PACKAGE_ID, ("3", "down")),
        ("detail-uploader", DEMO_PACKAGE_ID, ("4",)),
        ("detail-raw", DEMO_PACKAGE_ID, ("5",)),
        ("live-polling", STARTED_TIMEOUT_ID, ()),
        ("settings", None, ("f2",)),
        ("browser", None, ("f3",)),
        ("watchlist", STARTED_TIMEOUT_ID, ("w", "f4")),
        ("help", None, ("f1",)),
        ("new-package", None, ("ctrl+n", "tab", *"collect_triage", "tab", *"Triage collection")),
    ]
    for name, package_id, keys in shots:
        await shoot(out, name, package_id, keys)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args()
    os.environ["TZ"] = "UTC"
    time.tzset()
    asyncio.run(main(args.out))
