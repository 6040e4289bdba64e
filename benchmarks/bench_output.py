"""4c/4d and 5c: what the watchlist screen writes to the terminal, and its CPU (issue 11, point 4).

Three programs run at once, each in its own 80×24 pseudo-terminal, for one
window after they have settled:

* cypkg on the watchlist screen (F4) with 200 watched ``started`` packages
  (their elapsed times run for the whole window), default settings (5 s
  interval, the default daily budget);
* cypkg on the watchlist screen with 200 watched packages that are all
  finished (``success``): nothing changes any more;
* the anchor of 4a, the real procps ``watch -n 5 curl …`` (benchmarks/anchor.py).

Each cypkg is measured once every row has been fetched ("200 started" /
"200 success" in the summary line), so the window shows the steady state,
not the first round of fetches.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from benchmarks import anchor
from benchmarks.bench_idle import BASELINE, Usage, _measure, anchor_bytes, anchor_cpu, stop
from benchmarks.core import Figure
from benchmarks.terminal import PtyApp
from benchmarks.workspace import Workspace, unique_names

F4 = b"\x1bOS"
STARTED_GOAL = 1024.0  # B/s
FINISHED_GOAL = 5.0  # B/s
CPU_GOAL = 3.0  # % of one core
#: The issue's size; the smoke test's tiny run watches fewer (a first round at 5 a second).
FULL_COUNT = 200
SMALL_COUNT = 10


def _home_watching(ws: Workspace, name: str, watched: list[tuple[str, str]]) -> Path:
    """A home whose watchlist file holds ``watched`` (ID, name), as cypkg writes it."""
    home = ws.new_home(name)
    data = home / "data" / "cypkg"
    data.mkdir(parents=True, mode=0o700)
    entries = [
        {"package_id": pid, "name": shown, "status": None, "added_at": time.time()}
        for pid, shown in watched
    ]
    path = data / "watchlist.json"
    path.write_text(json.dumps({"version": 1, "entries": entries}))
    path.chmod(0o600)
    return home


def run(ws: Workspace) -> list[Figure]:
    count = FULL_COUNT if ws.sizes.mode == "full" else SMALL_COUNT
    window = ws.sizes.idle_window
    names = unique_names("out")
    timeout = max(3600, int(3 * (window + 120)))
    started = [
        (ws.add_package(n, status="started", timeout=timeout), n)
        for n in (next(names) for _ in range(count))
    ]
    finished = [(ws.add_package(n), n) for n in (next(names) for _ in range(count))]
    baseline_name = next(names)
    theirs = ws.add_package(baseline_name, status="started", timeout=timeout)
    tools = anchor.find_tools(install=ws.sizes.install_tools)
    cypkg = [*ws.cypkg(), "--api-url", ws.base_url]
    apps: dict[str, PtyApp] = {}
    try:
        for key, watched in (("started", started), ("finished", finished)):
            app = PtyApp(cypkg, ws.env(_home_watching(ws, f"output-{key}", watched)))
            apps[key] = app
            app.wait_for(("Package",), timeout=30)
            app.send(F4)
        if isinstance(tools, anchor.Tools):
            home = ws.new_home("output-anchor")
            apps[BASELINE] = anchor.start(
                tools, home, ws.env(home), ws.base_url, ws.access_token(), theirs
            )
        # Every row fetched once (the first round goes at 5 requests a second).
        first_round = 30 + count / 4
        # At 80 columns the summary line gives the counts as symbols: "◷200 · polling 200".
        apps["started"].wait_for((f"◷{count} · polling",), timeout=first_round)
        apps["finished"].wait_for((f"{count} success",), timeout=first_round)
        time.sleep(ws.sizes.idle_settle)
        usage, start, end = _measure(apps, window)
    finally:
        stop(apps)
    baseline = usage.get(BASELINE)
    window_text = f"{end - start:.0f} s window"

    def output(key: str, which: str, goal: float, u: Usage) -> Figure:
        return Figure(
            key=key,
            title=f"Terminal output, watchlist screen, {count} {which} packages",
            unit="B/s",
            value=u.bytes_per_second,
            goal=f"≤ {goal:,.0f} B/s",
            met=u.bytes_per_second <= goal,
            note=f"{u.total_bytes:,} bytes in the {window_text}; by screen row (80×24): "
            f"{u.rows_text()}",
            **anchor_bytes(baseline, tools, window_text),
        )

    cpu = usage["started"]
    return [
        output("4c", "started", STARTED_GOAL, usage["started"]),
        output("4d", "finished", FINISHED_GOAL, usage["finished"]),
        Figure(
            key="5c",
            title=f"CPU, share of one core: watchlist screen, {count} started packages",
            unit="%",
            value=cpu.cpu_percent,
            goal=f"≤ {CPU_GOAL:.0f} %",
            met=cpu.cpu_percent <= CPU_GOAL,
            note=f"{cpu.cpu_percent * 0.6:.2f} CPU s per minute over the {window_text} "
            "(/proc clock ticks: 10 ms resolution)",
            **anchor_cpu(baseline, tools),
        ),
    ]
