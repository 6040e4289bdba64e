"""8. Polling economy: one request per interval, never two in flight, one access token.

Ten minutes of watching at the default 5 s interval are simulated by running
the app's real poll loop (headless, in benchmarks/longrun_worker.py) with the
interval divided by a speed-up factor (50×: 0.1 s) for the same factor less
time (12 s). Requests are timed at the emulator (workspace.ServeProbe), and
gaps are reported back in simulated seconds. A second run goes through a link
slower than the interval (2.5× the interval of latency on every response) to
check that a slow answer never leads to a second request in flight. 8b, the
same count in real time at the real interval, comes from the idle benchmark.
"""

from __future__ import annotations

import itertools
import time

from benchmarks.bench_longrun import FOREVER
from benchmarks.core import Figure
from benchmarks.workspace import (
    PACKAGES_PREFIX,
    ROOT,
    TOKEN_PATH,
    Served,
    Workspace,
    max_overlap,
    unique_names,
)

DEFAULT_INTERVAL = 5.0
SLOW_LINK = 2.5  # latency, in intervals


def _watch(ws: Workspace, package_id: str, interval: float, **limits: float) -> list[Served]:
    """Run the headless app on ``package_id``; the package GETs it made (emulator side)."""
    import subprocess

    argv = [ws.python(), "-m", "benchmarks.longrun_worker", "app", ws.base_url, package_id]
    argv += ["--interval", str(interval)]
    for name, value in limits.items():
        argv += [f"--{name}", str(value)]
    env = ws.env(ws.new_home("polling"))
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"longrun_worker failed: {result.stderr.strip()[-800:]}")
    return ws.probe.served(started, time.perf_counter(), path_prefix=PACKAGES_PREFIX + package_id)


def run(ws: Workspace) -> list[Figure]:
    sizes = ws.sizes
    speedup = sizes.polling_speedup
    interval = DEFAULT_INTERVAL / speedup
    simulated = sizes.polling_minutes * 60.0
    names = unique_names("poll")

    package_id = ws.add_package(next(names), status="started", timeout=FOREVER)
    started = time.perf_counter()
    polls = _watch(ws, package_id, interval, seconds=simulated / speedup)
    tokens = ws.probe.served(started, time.perf_counter(), method="POST", path_prefix=TOKEN_PATH)
    gaps = [(b.start - a.start) * speedup for a, b in itertools.pairwise(polls)]
    ideal = simulated / DEFAULT_INTERVAL + 1

    slow_id = ws.add_package(next(names), status="started", timeout=FOREVER)
    ws.emulator.faults.latency = SLOW_LINK * interval
    try:
        slow = _watch(ws, slow_id, interval, cycles=sizes.slow_link_cycles)
    finally:
        ws.emulator.faults.latency = 0.0
    overlap = max(max_overlap(polls), max_overlap(slow))
    gaps_ok = bool(gaps) and all(
        0.95 * DEFAULT_INTERVAL <= gap < 1.5 * DEFAULT_INTERVAL for gap in gaps
    )
    minutes = f"{sizes.polling_minutes:g} min"
    return [
        Figure(
            key="8a",
            title=f"GETs while watching {minutes} (simulated, default 5 s interval)",
            unit="requests",
            value=float(len(polls)),
            baseline=ideal,
            goal="one per interval: every gap 5–7.5 s",
            met=gaps_ok and overlap <= 1,
            baseline_label="the ideal: the first fetch plus one per 5 s",
            note=f"poll loop run {speedup:g}× faster (interval {interval * 1000:.0f} ms for "
            f"{simulated / speedup:.0f} s); gaps in simulated time "
            + (f"{min(gaps):.2f}–{max(gaps):.2f} s" if gaps else "n/a")
            + "; a count below the ideal is each request's own time, magnified by the speed-up",
        ),
        Figure(
            key="8c",
            title="Most package GETs in flight at once (incl. a link slower than the interval)",
            unit="requests",
            value=float(overlap),
            baseline=1.0,
            goal="1 (never overlapping)",
            met=overlap == 1,
            baseline_label="a strictly sequential poller",
            note=f"from request start/end at the emulator; slow link: {SLOW_LINK:g}× the interval "
            f"of latency on every answer, {len(slow)} requests",
        ),
        Figure(
            key="8d",
            title=f"Access-token requests while watching {minutes}",
            unit="requests",
            value=float(len(tokens)),
            baseline=1.0,
            goal="exactly 1",
            met=len(tokens) == 1,
            baseline_label="one token for the whole watch",
            note="cold token cache at launch; the token lives 30 min, longer than the watch",
        ),
    ]
