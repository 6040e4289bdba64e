"""4. Idle output and 5. idle CPU, plus the real-time half of 8 (one GET per 5 s interval).

Three programs run at once, each in its own 80×24 pseudo-terminal, for one
window (60 s in the full run) after they have settled:

* (a) cypkg watching a ``started`` package at the default 5 s interval
  (it stays started for the whole window; its elapsed time moves in 10 s
  steps and the next poll's time once a poll);
* (b) cypkg showing a finished package;
* the anchor, the real procps ``watch -n 5 curl -s -H @auth-header URL`` on a
  started package of its own (benchmarks/anchor.py; installed if missing, else
  the figures say "anchor not available").

Bytes are everything each terminal received in the window; CPU is
user+system time of the process (all threads) from /proc, as a share of one
core; the anchor's includes the shell and curl that ``watch`` runs each poll.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import TypedDict

from benchmarks import anchor
from benchmarks.core import Figure
from benchmarks.procfs import cpu_seconds
from benchmarks.terminal import PtyApp, bytes_by_row
from benchmarks.workspace import PACKAGES_PREFIX, Workspace, max_overlap, unique_names

INTERVAL = 5.0  # the default poll interval (profile default, tui.polling.policy.DEFAULT_INTERVAL)
WATCHING_GOAL = 40.0  # B/s (issue 11; issue 5 asked for 300)
FINISHED_GOAL = 5.0  # B/s (issue 11; issue 5 asked for 10)
CPU_GOAL = 1.0  # % of one core


@dataclass(frozen=True)
class Usage:
    bytes_per_second: float
    cpu_percent: float
    total_bytes: int
    by_row: dict[int, int]

    def rows_text(self) -> str:
        """``row 2: 11%, rows 5–15: 70%, row 16: 19%``: where on screen the bytes went.

        Consecutive rows that got about the same share are shown as one range.
        """
        if not self.total_bytes:
            return "nothing written"
        shares = {r: 100.0 * n / self.total_bytes for r, n in sorted(self.by_row.items())}
        groups: list[list[int]] = []
        for row, share in shares.items():
            last = groups[-1] if groups else None
            if last and row == last[-1] + 1 and abs(shares[last[-1]] - share) < 1.5:
                last.append(row)
            else:
                groups.append([row])
        parts = []
        for group in groups:
            total = sum(shares[r] for r in group)
            if total < 2:
                continue
            name = f"row {group[0]}" if len(group) == 1 else f"rows {group[0]}–{group[-1]}"
            parts.append(f"{name}: {total:.0f}%")
        return ", ".join(parts) or "spread thinly"


BASELINE = "baseline"


def _cpu(name: str, app: PtyApp) -> float:
    return cpu_seconds(app.pid, children=name == BASELINE)


def _measure(apps: dict[str, PtyApp], window: float) -> tuple[dict[str, Usage], float, float]:
    """Usage of each app over a window of ``window`` seconds; also the window's start and end."""
    cpu_before = {name: _cpu(name, app) for name, app in apps.items()}
    offsets = {name: app.offset() for name, app in apps.items()}
    start = time.perf_counter()
    time.sleep(window)
    end = time.perf_counter()
    usage = {}
    for name, app in apps.items():
        cpu = _cpu(name, app) - cpu_before[name]
        total = app.bytes_between(start, end)
        rows = bytes_by_row(app.output(offsets[name]))
        usage[name] = Usage(total / (end - start), 100.0 * cpu / (end - start), total, rows)
    return usage, start, end


def run(ws: Workspace) -> list[Figure]:
    window = ws.sizes.idle_window
    names = unique_names("idle")
    watched_name, finished_name, baseline_name = next(names), next(names), next(names)
    # A realistic upload timeout that outlasts the run, so the elapsed bar moves.
    timeout = max(300, int(3 * (window + ws.sizes.idle_settle) + 60))
    watched = ws.add_package(watched_name, status="started", timeout=timeout)
    finished = ws.add_package(finished_name)
    # The baseline watches a package of its own: the emulator counts each one's requests.
    theirs = ws.add_package(baseline_name, status="started", timeout=timeout)
    tools = anchor.find_tools(install=ws.sizes.install_tools)
    cypkg = [*ws.cypkg(), "--api-url", ws.base_url]
    apps: dict[str, PtyApp] = {}
    try:
        apps["watching"] = PtyApp([*cypkg, watched], ws.env(ws.new_home("idle-watching")))
        apps["finished"] = PtyApp([*cypkg, finished], ws.env(ws.new_home("idle-finished")))
        if isinstance(tools, anchor.Tools):
            home = ws.new_home("idle-anchor")
            apps[BASELINE] = anchor.start(
                tools, home, ws.env(home), ws.base_url, ws.access_token(), theirs
            )
        apps["watching"].wait_for((watched_name,), timeout=30)
        apps["finished"].wait_for((finished_name,), timeout=30)
        time.sleep(ws.sizes.idle_settle)
        usage, start, end = _measure(apps, window)
    finally:
        stop(apps)

    seconds = end - start
    polls = ws.probe.served(start, end, method="GET", path_prefix=PACKAGES_PREFIX + watched)
    expected = seconds / INTERVAL
    gaps = [b.start - a.start for a, b in itertools.pairwise(polls)]
    baseline = usage.get(BASELINE)
    window_text = f"{seconds:.0f} s window"
    figures = []
    for key, which, goal in (("4a", "watching", WATCHING_GOAL), ("4b", "finished", FINISHED_GOAL)):
        u = usage[which]
        figures.append(
            Figure(
                key=key,
                title=_title(which, "output to the terminal"),
                unit="B/s",
                value=u.bytes_per_second,
                goal=f"≤ {goal:.0f} B/s",
                met=u.bytes_per_second <= goal,
                note=f"{u.total_bytes:,} bytes in the {window_text}; by screen row (80×24): "
                f"{u.rows_text()}",
                **anchor_bytes(baseline, tools, window_text),
            )
        )
    for key, which in (("5a", "watching"), ("5b", "finished")):
        u = usage[which]
        figures.append(
            Figure(
                key=key,
                title=_title(which, "CPU, share of one core"),
                unit="%",
                value=u.cpu_percent,
                goal=f"< {CPU_GOAL:.0f} % ({CPU_GOAL * 0.6:.1f} CPU s/min)",
                met=u.cpu_percent < CPU_GOAL,
                note=f"{u.cpu_percent * 0.6:.2f} CPU s per minute over the {window_text} "
                "(/proc clock ticks: 10 ms resolution)",
                **anchor_cpu(baseline, tools),
            )
        )
    figures.append(
        Figure(
            key="8b",
            title="GETs while watching in real time at the default 5 s interval",
            unit="requests",
            value=float(len(polls)),
            baseline=round(expected, 1),
            goal="one per interval, never overlapping",
            met=abs(len(polls) - expected) <= 1.0
            and max_overlap(polls) <= 1
            and all(gap >= INTERVAL * 0.98 for gap in gaps),
            baseline_label="the ideal: window / 5 s",
            note=f"counted at the emulator in the {window_text} of 4a; gaps between requests "
            + (f"{min(gaps):.3f}–{max(gaps):.3f} s" if gaps else "n/a")
            + f"; at most {max_overlap(polls)} in flight",
        )
    )
    return figures


def stop(apps: dict[str, PtyApp]) -> None:
    for name, app in apps.items():
        if name == BASELINE:
            app.terminate()  # watch takes no quit key
        app.quit()


class AnchorFields(TypedDict):
    baseline: float | None
    baseline_text: str | None
    baseline_label: str


def anchor_bytes(
    baseline: Usage | None, tools: anchor.Tools | str, window_text: str
) -> AnchorFields:
    """A figure's baseline fields for the anchor's output, or why there is none."""
    if baseline is None:
        return AnchorFields(
            baseline=None, baseline_text=anchor.NOT_AVAILABLE, baseline_label=str(tools)
        )
    return AnchorFields(
        baseline=baseline.bytes_per_second,
        baseline_text=None,
        baseline_label=f"{anchor.COMMAND} in the same 80×24 pty, polling a started package "
        f"of its own ({baseline.total_bytes:,} bytes in the {window_text}; by screen row: "
        f"{baseline.rows_text()})",
    )


def anchor_cpu(baseline: Usage | None, tools: anchor.Tools | str) -> AnchorFields:
    """A figure's baseline fields for the anchor's CPU, or why there is none."""
    if baseline is None:
        return AnchorFields(
            baseline=None, baseline_text=anchor.NOT_AVAILABLE, baseline_label=str(tools)
        )
    return AnchorFields(
        baseline=baseline.cpu_percent,
        baseline_text=None,
        baseline_label=f"{anchor.COMMAND}: the watch process with the shell and curl it runs",
    )


def _title(which: str, what: str) -> str:
    if which == "watching":
        return f"Idle {what}: watching a started package (5 s interval)"
    return f"Idle {what}: finished package shown"
