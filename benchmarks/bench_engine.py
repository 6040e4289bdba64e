"""11a–11d: the one request engine — requests a minute, busiest second, a day of polling.

* **11a** — 200 watched ``started`` packages, cypkg on the watchlist screen (F4)
  in an 80×24 pty, default settings (5 s interval, daily budget 10,000), an API
  app WITH the list scope: requests a minute at the emulator, sign-ins included,
  and each package's status age (the longest gap between two requests that
  refreshed it: a list page holding it, or its own GET). Baseline, at the same
  time in its own pty: the same 200 packages watched by a cypkg whose API app
  LACKS the list scope (one GET each), its daily budget lifted so only the
  5-a-second budget limits it. Each program signs in with an API app of its
  own, registered here, so the emulator's side tells their requests apart.
* **11b** — one cypkg with its detail screen, watchlist and browser open at
  once: started on a started package's detail screen with ~30 watched started
  packages (an app without the list scope: the watchlist's per-package polls
  keep the budget busy), then F4, F3 and page keys held down (``n``/``p`` in
  bursts): the busiest 1-second window of requests and the most in flight at
  once, next to the budget itself (5 a second, 2 in flight).
* **11c/11d** — a day of watching 200 started packages in virtual time
  (:mod:`benchmarks.engine_day`): the app's scheduler and the real daily
  counter's pacer, next to the same day without the pacer.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.bench_output import F4, _home_watching
from benchmarks.core import Figure, median
from benchmarks.engine_day import DAY, simulate_day
from benchmarks.terminal import PtyApp
from benchmarks.workspace import PACKAGES_PREFIX, TOKEN_PATH, Workspace, max_overlap, unique_names

F3 = b"\x1bOR"
REQUESTS_PER_MINUTE_GOAL = 15.0
AGE_GOAL_INTERVALS = 2
INTERVAL = 5.0
BUSIEST_SECOND_GOAL = 5
IN_FLIGHT_BUDGET = 2
DAILY_BUDGET = 10_000
LIFTED_BUDGET = 1_000_000_000
FULL_COUNT = 200
TOGETHER_WATCHED = 30


@dataclass(frozen=True)
class Seen:
    """One request as the service saw it: who sent it, and which packages it refreshed."""

    at: float  # perf_counter when it reached the service
    method: str
    path: str
    query: str
    status: int
    app: str  # the API app (the access token's or the sign-in JWT's ``sub``)
    refreshed: tuple[str, ...]  # package IDs in a list page, or the one GET's


def _app_of(headers: dict[str, str], path: str, body: bytes) -> str:
    import jwt

    token = ""
    if path == TOKEN_PATH:
        try:
            token = str(json.loads(body).get("auth_token", ""))
        except (ValueError, AttributeError):
            return "?"
    else:
        value = headers.get("authorization", "")
        token = value.split(" ", 1)[1] if " " in value else value
    try:
        return str(jwt.decode(token, options={"verify_signature": False}).get("sub", "?"))
    except jwt.PyJWTError:
        return "?"


def _refreshed(method: str, path: str, status: int, body: bytes) -> tuple[str, ...]:
    if method != "GET" or status != 200 or not path.startswith(PACKAGES_PREFIX.rstrip("/")):
        return ()
    rest = path[len(PACKAGES_PREFIX) :].strip("/") if path.startswith(PACKAGES_PREFIX) else ""
    if rest:
        return (rest.lower(),)
    try:
        items = json.loads(body).get("page_items", [])
    except (ValueError, AttributeError):
        return ()
    return tuple(str(i.get("packageId", "")).lower() for i in items if isinstance(i, dict))


@contextmanager
def seen_by_service() -> Iterator[list[Seen]]:
    """Record every request the emulator's service answers (class-wide, for the block)."""
    from tui.emulator.service import Service

    original = Service.handle
    lock = threading.Lock()
    seen: list[Seen] = []

    def handle(service: Any, request: Any) -> Any:
        at = time.perf_counter()
        response = original(service, request)
        record = Seen(
            at,
            request.method,
            request.path,
            request.query,
            response.status,
            _app_of(request.headers, request.path, request.body),
            _refreshed(request.method, request.path, response.status, response.body),
        )
        with lock:
            seen.append(record)
        return response

    Service.handle = handle  # type: ignore[method-assign,assignment]
    try:
        yield seen
    finally:
        Service.handle = original  # type: ignore[method-assign]


def _register_app(ws: Workspace, *, list_scope: bool) -> tuple[str, str]:
    """A new API app of the demo tenant (with or without the list scope): (ID, secret)."""
    from tui.emulator import DEMO
    from tui.emulator.apps import ALL_SCOPES, SCOPE_READ

    app_id, secret = str(uuid.uuid4()), f"bench-{uuid.uuid4().hex}"
    scopes = set(ALL_SCOPES) if list_scope else {SCOPE_READ}
    ws.emulator.add_app(app_id, secret, DEMO.tenant_id, scopes)
    return app_id, secret


def _env(ws: Workspace, home: Path, app: tuple[str, str]) -> dict[str, str]:
    env = ws.env(home)
    env["CYPKG_APP_ID"], env["CYPKG_APP_SECRET"] = app
    return env


def _lift_budget(home: Path) -> None:
    config = home / "config" / "cypkg"
    config.mkdir(parents=True, mode=0o700, exist_ok=True)
    path = config / "config.toml"
    path.write_text(
        f'active_profile = "bench"\n\n[profiles.bench]\ndaily_budget = {LIFTED_BUDGET}\n'
    )
    path.chmod(0o600)


def status_ages(
    seen: list[Seen], app: str, ids: list[str], start: float, end: float
) -> list[float]:
    """Per package: the longest gap between two refreshes by ``app`` that touch the window
    [start, end] (the last one before it counts; so does the gap from the last one to its end)."""
    wanted = set(ids)
    times: dict[str, list[float]] = {pid: [] for pid in ids}
    for record in seen:
        if record.app != app or record.at > end:
            continue
        for pid in record.refreshed:
            if pid in wanted:
                times[pid].append(record.at)
    ages = []
    for pid in ids:
        before = [t for t in times[pid] if t < start]
        inside = [t for t in times[pid] if t >= start]
        points = ([before[-1]] if before else []) + inside
        if not points:
            ages.append(end - start)  # never refreshed in the window: at least that old
            continue
        gaps = [b - a for a, b in itertools.pairwise(points)]
        gaps.append(end - points[-1])
        ages.append(max(gaps))
    return ages


def busiest_second(times: list[float]) -> int:
    """The most requests that started within any 1-second window."""
    times = sorted(times)
    best = 0
    low = 0
    for high, at in enumerate(times):
        while at - times[low] >= 1.0:
            low += 1
        best = max(best, high - low + 1)
    return best


# -- 11a ---------------------------------------------------------------------------------


def _batch(ws: Workspace) -> list[Figure]:
    count = FULL_COUNT
    window = ws.sizes.idle_window
    names = unique_names("engine")
    timeout = max(3600, int(3 * (window + 180)))
    watched = [
        (ws.add_package(n, status="started", timeout=timeout), n)
        for n in (next(names) for _ in range(count))
    ]
    ids = [pid.lower() for pid, _ in watched]
    ours_app = _register_app(ws, list_scope=True)
    theirs_app = _register_app(ws, list_scope=False)
    cypkg = [*ws.cypkg(), "--api-url", ws.base_url]
    apps: dict[str, PtyApp] = {}
    with seen_by_service() as seen:
        try:
            home = _home_watching(ws, "engine-batch", watched)
            apps["ours"] = PtyApp(cypkg, _env(ws, home, ours_app))
            home = _home_watching(ws, "engine-per-id", watched)
            _lift_budget(home)
            apps["theirs"] = PtyApp(cypkg, _env(ws, home, theirs_app))
            for app in apps.values():
                app.wait_for(("Package",), timeout=30)
                app.send(F4)
            apps["ours"].wait_for((f"◷{count} · polling",), timeout=60)  # the 80-column summary
            time.sleep(ws.sizes.idle_settle)
            start = time.perf_counter()
            time.sleep(window)
            end = time.perf_counter()
        finally:
            for app in apps.values():
                app.quit()
        records = list(seen)
    in_window = [r for r in records if start <= r.at <= end]
    started_total = sum(1 for p in ws.emulator.store.snapshot() if p.get("status") == "started")

    def rate(app: tuple[str, str]) -> tuple[float, int, int, int]:
        mine = [r for r in in_window if r.app == app[0]]
        sign_ins = sum(1 for r in mine if r.path == TOKEN_PATH)
        lists = sum(1 for r in mine if r.path.rstrip("/") == PACKAGES_PREFIX.rstrip("/"))
        return len(mine) * 60.0 / (end - start), len(mine), sign_ins, lists

    ours_rate, ours_n, ours_sign, ours_lists = rate(ours_app)
    rounds = sum(
        1
        for r in in_window
        if r.app == ours_app[0]
        and r.path.rstrip("/") == PACKAGES_PREFIX.rstrip("/")
        and "page=1&" in f"{r.query}&"
    )
    theirs_rate, theirs_n, theirs_sign, _ = rate(theirs_app)
    ours_ages = status_ages(records, ours_app[0], ids, start, end)
    theirs_ages = status_ages(records, theirs_app[0], ids, start, end)
    age_goal = AGE_GOAL_INTERVALS * INTERVAL
    pages = -(-started_total // 200)
    return [
        Figure(
            key="11a",
            title=f"Requests a minute at the emulator, {count} watched started packages, "
            "watchlist screen, list scope, 5 s interval",
            unit="/min",
            value=ours_rate,
            baseline=theirs_rate,
            goal=f"≤ {REQUESTS_PER_MINUTE_GOAL:.0f} a minute; status ≤ {age_goal:.0f} s old",
            met=ours_rate <= REQUESTS_PER_MINUTE_GOAL and max(ours_ages) <= age_goal,
            baseline_label="the same packages watched at the same time by a cypkg whose API app "
            "lacks the list scope (a GET each; daily budget lifted, so only the 5-a-second "
            "budget limits it)",
            note=f"{ours_n} requests ({ours_lists} list pages, {ours_sign} sign-ins) in the "
            f"{end - start:.0f} s window; status age (longest gap between two refreshes of a "
            f"package) max {max(ours_ages):.1f} s, median {median(ours_ages):.1f} s; the "
            f"emulator held {started_total} started packages ({pages} page(s) of 200: other "
            f"benchmarks add some, as other uploads would; the newest come first, so a round "
            f"stops at the page where the last watched one is: {rounds} rounds sent "
            f"{ours_lists} pages). Baseline: {theirs_n} requests "
            f"({theirs_sign} sign-ins), status age max {max(theirs_ages):.1f} s, median "
            f"{median(theirs_ages):.1f} s",
        )
    ]


# -- 11b ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Together:
    busiest: int
    overlap: int
    text: str


def _together_once(ws: Workspace, *, list_scope: bool) -> Together:
    """One cypkg: detail screen, then F4 and F3, then page keys held for the window."""
    window = ws.sizes.idle_window
    names = unique_names("together")
    timeout = max(3600, int(3 * (window + 120)))
    count = TOGETHER_WATCHED
    watched = [
        (ws.add_package(n, status="started", timeout=timeout), n)
        for n in (next(names) for _ in range(count))
    ]
    shown_name = next(names)
    shown = ws.add_package(shown_name, status="started", timeout=timeout)
    app_creds = _register_app(ws, list_scope=list_scope)
    cypkg = [*ws.cypkg(), "--api-url", ws.base_url]
    home = _home_watching(ws, "engine-together", watched)
    _lift_budget(home)  # the daily pacer would space 31 GETs a round minutes apart
    presses = 0
    with seen_by_service() as seen:
        app = PtyApp([*cypkg, shown], _env(ws, home, app_creds))
        try:
            app.wait_for((shown_name,), timeout=30)
            app.send(F4)
            app.wait_for(("Watchlist",), timeout=20)
            app.send(F3)
            app.wait_for(("a page (n/p",), timeout=20)
            start = time.perf_counter()
            deadline = start + window
            forward = True
            while time.perf_counter() < deadline:
                # A user holding a key: a burst of repeats, then the other way.
                app.send((b"n" if forward else b"p") * 10)
                presses += 10
                forward = not forward
                time.sleep(0.4)
            end = time.perf_counter()
        finally:
            app.quit()
        records = [r for r in seen if r.app == app_creds[0]]
    served = ws.probe.served(start, end)
    in_window = [r for r in records if start <= r.at <= end]
    busiest = busiest_second([r.at for r in in_window])
    overlap = max_overlap(served)
    pages = [r for r in in_window if r.path.rstrip("/") == PACKAGES_PREFIX.rstrip("/")]
    refused = sum(1 for r in pages if r.status == 403)
    rounds = sum(1 for r in pages if "status=started" in r.query)
    # Whether the held keys starve the polls: the shown package's and the watched ones' ages.
    # Only the watch's own requests count (its rounds, its GETs), not the browser's pages.
    polls = [
        r for r in records if r.path != PACKAGES_PREFIX.rstrip("/") or "status=started" in r.query
    ]
    shown_age = max(status_ages(polls, app_creds[0], [shown.lower()], start, end))
    ages = status_ages(polls, app_creds[0], [pid.lower() for pid, _ in watched], start, end)
    gets = sum(1 for r in in_window if r.path.startswith(PACKAGES_PREFIX))
    sign_ins = sum(1 for r in in_window if r.path == TOKEN_PATH)
    scope = "with" if list_scope else "without"
    text = (
        f"{scope} the list scope: busiest second {busiest}, most in flight {overlap}, "
        f"{len(in_window)} requests in {end - start:.0f} s ({len(in_window) / (end - start):.2f}/s:"
        f" {len(pages)} list pages ({rounds} of them the watch's rounds, {refused} refused, "
        f"403), {gets} package GETs, {sign_ins} sign-ins), {presses} n/p presses; status age "
        f"of the package on the detail screen {shown_age:.1f} s, of the watched ones max "
        f"{max(ages):.1f} s"
    )
    return Together(busiest, overlap, text)


def _together(ws: Workspace) -> Figure:
    runs = [_together_once(ws, list_scope=False), _together_once(ws, list_scope=True)]
    busiest = max(r.busiest for r in runs)
    overlap = max(r.overlap for r in runs)
    return Figure(
        key="11b",
        title="Busiest second of requests, detail + watchlist + browser open at once, "
        "page keys held",
        unit="requests",
        value=float(busiest),
        baseline=float(BUSIEST_SECOND_GOAL),
        goal=f"≤ {BUSIEST_SECOND_GOAL} a second, ≤ {IN_FLIGHT_BUDGET} in flight",
        met=busiest <= BUSIEST_SECOND_GOAL and overlap <= IN_FLIGHT_BUDGET,
        baseline_label="the budget itself: 5 requests a second (not a measurement)",
        note=f"the worse of two runs, {TOGETHER_WATCHED} watched started + 1 on the detail "
        "screen, daily budget lifted; most in flight from the probe's start/end times. "
        + "; ".join(r.text for r in runs),
    )


# -- 11c/11d ----------------------------------------------------------------------------


def _day(ws: Workspace) -> list[Figure]:
    seconds = {"full": DAY, "quick": 6 * 3600.0}.get(ws.sizes.mode, 600.0)
    span = "a day" if seconds == DAY else f"the first {seconds / 3600:g} h of a day"
    scale = DAY / seconds
    started = time.monotonic()
    paced = simulate_day(FULL_COUNT, interval=INTERVAL, budget=DAILY_BUDGET, seconds=seconds)
    unpaced = simulate_day(FULL_COUNT, interval=INTERVAL, budget=None, seconds=seconds)
    fallback = simulate_day(
        FULL_COUNT, interval=INTERVAL, budget=DAILY_BUDGET, list_scope=False, seconds=seconds
    )
    took = time.monotonic() - started
    projected = "" if scale == 1 else " pro rata, + the first round"

    def allowed(day: Any) -> float:
        """The budget; for a part of a day its share, plus the round sent at 00:00 (the
        pacer spreads the rest of the day's budget after it)."""
        if scale == 1:
            return DAILY_BUDGET
        first_round = day.gets if day.lists <= 1 else 1
        return DAILY_BUDGET / scale + min(first_round, FULL_COUNT)

    def midnight(day: Any) -> str:
        if not day.next_day:
            return ""
        return f"; {day.next_day} more sent at 00:00 of the next day, counted there"

    def first(day: Any) -> str:
        if day.first_stretch is None:
            return "never stretched"
        return f"stretched from {day.first_stretch / 3600:.2f} h after 00:00 UTC"

    return [
        Figure(
            key="11c",
            title=f"Requests in {span}, {FULL_COUNT} watched started packages, list scope, "
            "5 s interval, daily pacer",
            unit="requests",
            value=float(paced.requests),
            baseline=float(unpaced.requests),
            goal=f"≤ {DAILY_BUDGET:,} (daily_budget){projected}",
            met=paced.requests <= allowed(paced),
            baseline_label="the same day without the pacer (pace=None)",
            note=f"virtual time from 00:00 UTC with the app's WatchScheduler and the real "
            f"DailyCounter (its count for the day {paced.counted}{midnight(paced)}); "
            "longest interval "
            f"{paced.longest_interval:.2f} s ({first(paced)}); status age max "
            f"{paced.worst_age:.2f} s (without the pacer {unpaced.worst_age:.2f} s); "
            f"{took:.1f} s to simulate all three",
        ),
        Figure(
            key="11d",
            title=f"Requests in {span}, {FULL_COUNT} watched started packages, NO list scope "
            "(a GET each), daily pacer",
            unit="requests",
            value=float(fallback.requests),
            baseline=float(DAILY_BUDGET / scale),
            goal=f"≤ {DAILY_BUDGET:,} (daily_budget){projected}",
            met=fallback.requests <= allowed(fallback),
            baseline_label="the daily budget (10,000; its share for a part of a day)",
            note=f"{fallback.gets} GETs + {fallback.lists} refused list request(s) (the "
            f"counter's count {fallback.counted}{midnight(fallback)}); longest "
            f"interval {fallback.longest_interval:.0f} s ({first(fallback)}); status age max "
            f"{fallback.worst_age:.0f} s",
        ),
    ]


def run(ws: Workspace) -> list[Figure]:
    figures: list[Figure] = []
    parts: list[tuple[str, Callable[[Workspace], list[Figure]]]] = [
        ("11a", _batch),
        ("11b", lambda w: [_together(w)]),
        ("11c", _day),
    ]
    for _key, part in parts:
        figures += part(ws)
    return figures
