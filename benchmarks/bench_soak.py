"""11e. Memory over a long session in a real terminal: RSS growth from poll N₀ to poll N₁.

Two programs run at once, each in its own 80×24 pseudo-terminal, each polling
a ``started`` package of its own at a 1 s interval (the shortest allowed) for
real: every poll brings new times to draw, as a terminal left open for hours.

* cypkg's detail screen (the TUI, ``poll_interval = 1`` in its config file,
  the daily budget raised so the interval is not stretched);
* the baseline: ``cypkg watch ID --interval 1``, the same client and poll
  policy without a UI, in the same kind of terminal.

The polls are counted at the emulator; each program's RSS (from /proc) is
read when its package's poll count reaches N₀ and again at N₁. The full run
goes from poll 500 to poll 5,000 (83 minutes at 1 s): run it alone with
``python -m benchmarks --only soak``.
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.core import Figure
from benchmarks.procfs import MB, rss_bytes
from benchmarks.terminal import PtyApp
from benchmarks.workspace import PACKAGES_PREFIX, Workspace, unique_names

GOAL_MB = 1.0
#: A started package that will not time out during the run.
FOREVER = 10**7


def _home_polling_every_second(ws: Workspace, name: str) -> Path:
    """A home whose config file polls every second, with a budget that never stretches it."""
    home = ws.new_home(name)
    config = home / "config" / "cypkg"
    config.mkdir(parents=True, mode=0o700)
    path = config / "config.toml"
    path.write_text(
        'active_profile = "bench"\n\n[profiles.bench]\npoll_interval = 1\n'
        "daily_budget = 1000000000\n"
    )
    path.chmod(0o600)
    return home


class _Tracker:
    """Polls of one package so far (at the emulator) and the program's RSS at N₀ and N₁."""

    def __init__(self, ws: Workspace, app: PtyApp, package_id: str) -> None:
        self.ws, self.app, self.path = ws, app, PACKAGES_PREFIX + package_id
        self.at: dict[int, tuple[int, int]] = {}  # target → (polls, RSS bytes)

    def polls(self) -> int:
        return len(self.ws.probe.served(method="GET", path_prefix=self.path))

    def look(self, targets: tuple[int, int]) -> None:
        polls = self.polls()
        for target in targets:
            if target not in self.at and polls >= target:
                self.at[target] = (polls, rss_bytes(self.app.pid))


def run(ws: Workspace) -> list[Figure]:
    early, late = ws.sizes.soak_early, ws.sizes.soak_polls
    names = unique_names("soak")
    ours_name, theirs_name = next(names), next(names)
    ours = ws.add_package(ours_name, status="started", timeout=FOREVER)
    theirs = ws.add_package(theirs_name, status="started", timeout=FOREVER)
    cypkg = [*ws.cypkg(), "--api-url", ws.base_url]
    apps: dict[str, PtyApp] = {}
    trackers: dict[str, _Tracker] = {}
    started = time.monotonic()
    try:
        home = _home_polling_every_second(ws, "soak-tui")
        apps["tui"] = PtyApp([*cypkg, ours], ws.env(home))
        home = _home_polling_every_second(ws, "soak-cli")
        argv = [*ws.cypkg(), "--api-url", ws.base_url, "watch", theirs, "--interval", "1"]
        env = ws.env(home)
        env["CYPKG_DAILY_BUDGET"] = "1000000000"
        apps["cli"] = PtyApp(argv, env)
        apps["tui"].wait_for((ours_name,), timeout=30)
        trackers = {
            "tui": _Tracker(ws, apps["tui"], ours),
            "cli": _Tracker(ws, apps["cli"], theirs),
        }
        # A hang guard: twice the time the polls take at 1 s, plus a minute.
        deadline = time.monotonic() + 2 * late + 60
        while time.monotonic() < deadline:
            for tracker in trackers.values():
                tracker.look((early, late))
            if all(late in t.at for t in trackers.values()):
                break
            time.sleep(0.5)
    finally:
        for name, app in apps.items():
            app.quit(keys=b"\x03" if name == "cli" else b"\x11")
    minutes = (time.monotonic() - started) / 60
    growth: dict[str, float | None] = {}
    detail: dict[str, str] = {}
    for name, tracker in trackers.items():
        if early in tracker.at and late in tracker.at:
            (p0, r0), (p1, r1) = tracker.at[early], tracker.at[late]
            growth[name] = (r1 - r0) / MB
            detail[name] = f"{r0 / MB:.1f} → {r1 / MB:.1f} MB from poll {p0:,} to {p1:,}"
        else:
            growth[name] = None
            detail[name] = f"did not reach poll {late:,} ({tracker.polls():,} polls)"
    value, baseline = growth.get("tui"), growth.get("cli")
    return [
        Figure(
            key="11e",
            title=f"RSS growth, detail screen polling every 1 s in a pty, poll {early:,} → "
            f"{late:,}",
            unit="MB",
            value=value,
            baseline=baseline,
            goal=f"< {GOAL_MB:.0f} MB",
            met=None if value is None else value < GOAL_MB,
            baseline_label="`cypkg watch ID --interval 1` (no UI) in a pty at the same time",
            note=f"cypkg {detail.get('tui', '—')}; baseline {detail.get('cli', '—')}; "
            f"{minutes:.0f} min of real polling, polls counted at the emulator",
        )
    ]
