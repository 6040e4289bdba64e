"""A child process that polls one package: cypkg's detail screen headless, or the bare core loop.

    python -m benchmarks.longrun_worker app  BASE_URL PACKAGE_ID --interval S [--cycles N]
                                             [--early M] [--seconds T] [--second-per-poll]
    python -m benchmarks.longrun_worker core BASE_URL PACKAGE_ID ...

``app`` runs :class:`tui.ui.app.CypkgApp` with ``App.run_test`` (headless, 80×24)
opened on the package, so the real DetailScreen poll loop does the requests
(``AppOptions.poll_interval``/``min_poll_interval`` set the interval) and
every result is rendered. With ``--second-per-poll`` the app's wall clock moves
one second per request, so each poll draws new times ("updated 10:33:12") as in
a terminal left open at a 1 s interval, and the app's timer that trims Rich's
cache of text widths comes as many polls apart as it would at that interval;
without it the clock hardly moves in a run of polls milliseconds apart, and
what grows with every new text drawn (issue 11) does not show. ``core`` runs what ``cypkg watch``
runs without the UI: ``CylanceClient.get_package`` and ``tui.polling.policy.PollState``
in a loop.

It stops after ``--cycles`` requests or ``--seconds`` after the first one,
reads its RSS (after ``gc.collect()``) once ``--early`` requests were made and
again at the end, and prints one JSON object. Credentials are the emulator's
demo app; HOME/XDG should point at a scratch directory (the token cache).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.procfs import rss_bytes

if TYPE_CHECKING:
    from tui.api.auth import AccessToken
    from tui.api.client import CylanceClient
    from tui.api.models import Package
    from tui.config import Profile

#: Give up when the run has not finished in this long (a hung app must not hang the suite).
LIMIT = 900.0


class CountingClient:
    """The real client, counting completed ``get_package`` calls."""

    def __init__(self, inner: CylanceClient) -> None:
        self.inner = inner
        self.base_url = inner.base_url
        self.calls = 0

    def get_package(self, package_id: str) -> Package:
        try:
            return self.inner.get_package(package_id)
        finally:
            self.calls += 1

    def authenticate(self, *, force: bool = False) -> AccessToken:
        return self.inner.authenticate(force=force)

    def close(self) -> None:
        self.inner.close()


def _profile(base_url: str) -> Profile:
    from tui.config import Profile, Secret
    from tui.emulator import DEMO

    return Profile(
        name="bench",
        base_url=base_url,
        tenant_id=DEMO.tenant_id,
        app_id=DEMO.app_id,
        app_secret=Secret(DEMO.app_secret),
    )


class Meter:
    """Decides when to read RSS and when to stop, from the number of requests made."""

    def __init__(self, args: argparse.Namespace, calls: Callable[[], int]) -> None:
        self.args = args
        self.calls = calls
        self.launched = time.monotonic()
        self.first: float | None = None
        self.early: int | None = None
        self.early_at = 0

    def step(self) -> bool:
        """Take the readings due; True when the run is over."""
        n = self.calls()
        now = time.monotonic()
        if n >= 1 and self.first is None:
            self.first = now
        if self.early is None and n >= self.args.early:
            gc.collect()
            self.early, self.early_at = rss_bytes(), n
        if self.args.cycles and n >= self.args.cycles:
            return True
        if self.args.seconds and self.first is not None and now - self.first >= self.args.seconds:
            return True
        if now - self.launched > LIMIT:
            raise TimeoutError(f"only {n} requests in {LIMIT:.0f} s")
        return False

    def result(self) -> dict[str, Any]:
        gc.collect()
        late = rss_bytes()
        first = self.first if self.first is not None else time.monotonic()
        return {
            "calls": self.calls(),
            "seconds": time.monotonic() - first,
            "rss_early": self.early if self.early is not None else late,
            "early_at": self.early_at,
            "rss_late": late,
        }


async def _drive(meter: Meter, pause: Callable[[float], Awaitable[None]]) -> dict[str, Any]:
    while not meter.step():
        await pause(0.02)
    return meter.result()


async def run_app(args: argparse.Namespace) -> dict[str, Any]:
    from tui.config import Config
    from tui.polling.clients import make_client
    from tui.polling.recent import RecentStore
    from tui.ui.app import AppOptions, CypkgApp, Startup, tui_retry_policy
    from tui.ui.width_cache import PERIOD as WIDTH_CACHE_PERIOD

    clients: list[CountingClient] = []

    def factory(profile: Profile) -> CountingClient:
        client = CountingClient(make_client(profile, retry=tui_retry_policy()))
        clients.append(client)
        return client

    profile = _profile(args.base_url)
    start = time.time()

    def second_per_poll() -> float:
        return start + sum(c.calls for c in clients)

    startup = Startup(
        config=Config(active_profile=profile.name, profiles={profile.name: profile}),
        profile=profile,
        package_id=args.package_id,
    )
    options = AppOptions(
        poll_interval=args.interval,
        min_poll_interval=args.interval,
        daily_budget=1_000_000_000,  # polls every millisecond: not stretched by the budget
        # Nor held to 5 requests a second: time here runs 50 to 1,000 times faster.
        max_per_window=1_000_000,
        user_host="bench@host",
        client_factory=factory,
        recent_store=RecentStore(None),
        theme="textual-dark",
    )
    if args.second_per_poll:
        # A second per poll: the width-cache trim (every PERIOD s) comes every PERIOD polls.
        period = WIDTH_CACHE_PERIOD * args.interval
        options = dataclasses.replace(options, clock=second_per_poll, width_cache_period=period)
    app = CypkgApp(startup, options)
    meter = Meter(args, lambda: sum(c.calls for c in clients))
    async with app.run_test(size=(80, 24)) as pilot:
        return await _drive(meter, pilot.pause)


def run_core(args: argparse.Namespace) -> dict[str, Any]:
    from tui.polling.clients import make_client
    from tui.polling.policy import PollState
    from tui.ui.app import tui_retry_policy

    state = PollState(interval=args.interval, min_interval=args.interval)
    client = CountingClient(make_client(_profile(args.base_url), retry=tui_retry_policy()))
    meter = Meter(args, lambda: client.calls)
    with client.inner:
        while not meter.step():
            delay = state.after_success(client.get_package(args.package_id))
            if delay is None:
                raise RuntimeError("the package left the 'started' status")
            time.sleep(delay)
    return meter.result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.longrun_worker")
    parser.add_argument("mode", choices=("app", "core"))
    parser.add_argument("base_url")
    parser.add_argument("package_id")
    parser.add_argument("--interval", type=float, default=0.001)
    parser.add_argument("--cycles", type=int, default=0)
    parser.add_argument("--early", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=0.0)
    parser.add_argument(
        "--second-per-poll",
        action="store_true",
        help="app: the wall clock moves one second per request (new times on every poll)",
    )
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here too")
    args = parser.parse_args(argv)
    result = asyncio.run(run_app(args)) if args.mode == "app" else run_core(args)
    text = json.dumps(result)
    if args.out is not None:
        args.out.write_text(text)
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
