"""7. Long runs: RSS after 10,000 poll cycles minus RSS after 100.

Driven in a child process (benchmarks/longrun_worker.py) so that only the
app's memory is measured, not the emulator's request log: cypkg's real
DetailScreen poll loop runs headless under ``App.run_test`` with a 1 ms poll
interval (``AppOptions.poll_interval``/``min_poll_interval``) against the
emulator, rendering every result, its wall clock moving a second per poll
(``--second-per-poll``: every poll draws new times, as a terminal left open
for hours does; with a clock standing still the issue-11 growth, ~1 KB a poll
into Rich's cache of text widths, did not show here). The baseline is the
same number of cycles of the UI-less core loop (``CylanceClient`` +
``PollState``, what ``cypkg watch`` runs).
"""

from __future__ import annotations

import json
import subprocess

from benchmarks.core import Figure
from benchmarks.procfs import MB
from benchmarks.workspace import ROOT, Workspace, unique_names

GOAL_MB = 10.0
INTERVAL = 0.001
#: A started package that will not time out during the run.
FOREVER = 10**7


def soak(ws: Workspace, mode: str, package_id: str) -> dict[str, float]:
    sizes = ws.sizes
    argv = [
        ws.python(),
        "-m",
        "benchmarks.longrun_worker",
        mode,
        ws.base_url,
        package_id,
        "--interval",
        str(INTERVAL),
        "--cycles",
        str(sizes.longrun_cycles),
        "--early",
        str(sizes.longrun_early),
        *(["--second-per-poll"] if mode == "app" else []),
    ]
    result = subprocess.run(
        argv,
        env=ws.env(ws.new_home(f"longrun-{mode}")),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if result.returncode != 0:
        raise RuntimeError(f"longrun_worker {mode} failed: {result.stderr.strip()[-800:]}")
    values: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return values


def run(ws: Workspace) -> list[Figure]:
    names = unique_names("soak")
    app = soak(ws, "app", ws.add_package(next(names), status="started", timeout=FOREVER))
    core = soak(ws, "core", ws.add_package(next(names), status="started", timeout=FOREVER))
    growth = (app["rss_late"] - app["rss_early"]) / MB
    core_growth = (core["rss_late"] - core["rss_early"]) / MB
    rate = app["calls"] / max(app["seconds"], 1e-9)
    return [
        Figure(
            key="7",
            title=f"RSS after {int(app['calls']):,} poll cycles minus after "
            f"{int(app['early_at']):,} (headless app, real poll loop)",
            unit="MB",
            value=growth,
            baseline=core_growth,
            goal=f"< {GOAL_MB:.0f} MB",
            met=growth < GOAL_MB,
            baseline_label="the UI-less core loop for as many cycles (CylanceClient + PollState)",
            note=f"app {app['rss_early'] / MB:.1f} → {app['rss_late'] / MB:.1f} MB at "
            f"{rate:.0f} cycles/s (interval {INTERVAL * 1000:.0f} ms); core "
            f"{core['rss_early'] / MB:.1f} → {core['rss_late'] / MB:.1f} MB; "
            "in-process via App.run_test, the DetailScreen's own poll loop, "
            "the app's clock a second per poll",
        )
    ]
