"""3. Time to detail, and 6. big packages: Enter → detail painted, tab switch, peak RSS.

In an 80×24 pseudo-terminal: wait for the lookup screen, type the package
ID, wait until the screen shows it was taken (cypkg's "✔ ID · Enter opens
it"; the floor app's echo), press Enter and time until the package name is
on screen. The emulator's own handling time for the requests in that window
(timed from its side, see workspace.ServeProbe) is subtracted.

Each app launch does a first lookup (the client is built then) and, after
Escape, a repeat lookup of another package. The baseline is
`floor_app.py --fetch`: a minimal Textual app that does the same GET with httpx
in a thread worker and pushes a screen with the name.

Big packages (6): a package with 3,000 examples and a 300 KB description,
then key ``3`` (the Examples tab) until its first example row is drawn, and
the app's peak RSS (VmHWM). The baseline is the same app and steps with an
ordinary package (a copy of the demo one, 4 examples).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from benchmarks.bench_startup import FLOOR_MARKERS, lookup_markers
from benchmarks.core import Figure, median, ms, spread
from benchmarks.procfs import MB, peak_rss_bytes
from benchmarks.terminal import ENTER, ESCAPE, PtyApp
from benchmarks.workspace import Workspace, unique_names

DETAIL_GOAL_MS = 100.0
BIG_GOAL_MS = 1000.0
RSS_GOAL_MB = 150.0
#: Pause after a screen settles before the next key: measure from an idle app.
SETTLE = 0.3
EXAMPLES_KEY = b"3"


@dataclass(frozen=True)
class Trial:
    total: float  # Enter → name painted, seconds
    server: float  # the emulator's handling time within that window, seconds

    @property
    def net(self) -> float:
        return self.total - self.server


@dataclass(frozen=True)
class Flavour:
    """How to drive one app: its command, its 'ready' screen, and how it confirms an ID."""

    argv: list[str]
    home_markers: tuple[str, ...]
    cypkg: bool

    def typed_markers(self, package_id: str) -> tuple[str, ...]:
        if self.cypkg:
            return (f"{package_id} · Enter opens it",)
        return (package_id,)


def open_package(app: PtyApp, ws: Workspace, flavour: Flavour, package_id: str, name: str) -> Trial:
    mark = app.offset()
    app.send(package_id.encode())
    app.wait_for(flavour.typed_markers(package_id), after=mark)
    time.sleep(SETTLE)
    mark = app.offset()
    pressed = app.send(ENTER)
    painted = app.wait_for((name,), after=mark, timeout=30)
    return Trial(painted - pressed, ws.probe.handling_seconds(pressed, painted))


def go_back(app: PtyApp, flavour: Flavour) -> None:
    mark = app.offset()
    app.send(ESCAPE)
    app.wait_for(flavour.home_markers, after=mark)
    time.sleep(SETTLE)


def launch(ws: Workspace, flavour: Flavour, env: dict[str, str]) -> PtyApp:
    app = PtyApp(flavour.argv, env)
    try:
        app.wait_for(flavour.home_markers, timeout=30)
    except BaseException:
        app.close()
        raise
    time.sleep(SETTLE)
    return app


def _first_and_repeat(
    ws: Workspace, flavour: Flavour, env: dict[str, str], names: Iterator[str]
) -> tuple[Trial, Trial]:
    first_name, again_name = next(names), next(names)
    first_id = ws.add_package(first_name)
    again_id = ws.add_package(again_name)
    with launch(ws, flavour, env) as app:
        first = open_package(app, ws, flavour, first_id, first_name)
        time.sleep(SETTLE)
        go_back(app, flavour)
        again = open_package(app, ws, flavour, again_id, again_name)
        app.quit()
    return first, again


def _warm_token_cache(ws: Workspace, env: dict[str, str], package_id: str) -> None:
    import subprocess

    argv = [*ws.cypkg(), "--api-url", ws.base_url, "get", package_id, "--json"]
    subprocess.run(argv, env=env, check=True, capture_output=True, timeout=60)


def run_detail(ws: Workspace) -> list[Figure]:
    home = ws.new_home("detail")
    env = ws.env(home)
    names = unique_names("detail")
    probe_id = ws.add_package(next(names))
    _warm_token_cache(ws, env, probe_id)  # the TUI shares the CLI's token cache
    cypkg = Flavour([*ws.cypkg(), "--api-url", ws.base_url], lookup_markers(), cypkg=True)
    token = ws.access_token()
    floor = Flavour(
        [ws.python(), ws.script("floor_app.py"), "--fetch", ws.base_url, token],
        FLOOR_MARKERS,
        cypkg=False,
    )
    ours: list[tuple[Trial, Trial]] = []
    base: list[tuple[Trial, Trial]] = []
    for i in range(ws.sizes.detail_runs):
        pair = [(cypkg, ours), (floor, base)]
        for flavour, trials in pair if i % 2 == 0 else reversed(pair):
            trials.append(_first_and_repeat(ws, flavour, env, names))
    figures = []
    for index, (key, which) in enumerate((("3a", "first lookup"), ("3b", "repeat lookup"))):
        net = [ms(t[index].net) for t in ours]
        base_net = [ms(t[index].net) for t in base]
        server = [ms(t[index].server) for t in ours]
        total = [ms(t[index].total) for t in ours]
        figures.append(
            Figure(
                key=key,
                title=f"Enter → detail painted, minus emulator time ({which})",
                unit="ms",
                value=median(net),
                baseline=median(base_net),
                goal=f"< {DETAIL_GOAL_MS:.0f} ms",
                met=median(net) < DETAIL_GOAL_MS,
                baseline_label="minimal Textual app: httpx GET in a thread worker, push a screen "
                "with the name (benchmarks/floor_app.py --fetch)",
                note=f"cypkg net {spread(net)}; wall incl. emulator {median(total):.0f} ms, "
                f"emulator handling {median(server):.1f} ms; floor net {spread(base_net)}"
                + ("; the first lookup of a launch builds the API client" if index == 0 else ""),
                samples=net,
                baseline_samples=base_net,
            )
        )
    return figures


@dataclass(frozen=True)
class BigTrial:
    detail: Trial
    tab: float  # key 3 → first example row painted, seconds
    peak_rss: int  # bytes


def _examples_marker(ws: Workspace, package_id: str) -> str:
    """The start of the first example's description, as its list row shows it."""
    examples = ws.examples_of(package_id)
    if not examples:  # pragma: no cover - both packages have examples
        raise RuntimeError("the package has no examples")
    return str(examples[0].get("description", ""))[:20]


def _big_trial(
    ws: Workspace, flavour: Flavour, env: dict[str, str], name: str, *, big: bool
) -> BigTrial:
    package_id = ws.add_package(name, big=big)
    marker = _examples_marker(ws, package_id)
    with launch(ws, flavour, env) as app:
        detail = open_package(app, ws, flavour, package_id, name)
        time.sleep(SETTLE)
        mark = app.offset()
        pressed = app.send(EXAMPLES_KEY)
        shown = app.wait_for((marker,), after=mark, timeout=30)
        time.sleep(SETTLE)
        peak = peak_rss_bytes(app.pid)
        app.quit()
    return BigTrial(detail, shown - pressed, peak)


def run_big(ws: Workspace) -> list[Figure]:
    home = ws.new_home("big")
    env = ws.env(home)
    names = unique_names("bulk")
    _warm_token_cache(ws, env, ws.add_package(next(names)))
    cypkg = Flavour([*ws.cypkg(), "--api-url", ws.base_url], lookup_markers(), cypkg=True)
    big: list[BigTrial] = []
    small: list[BigTrial] = []
    for i in range(ws.sizes.big_runs):
        pair = [(True, big), (False, small)]
        for is_big, trials in pair if i % 2 == 0 else reversed(pair):
            trials.append(_big_trial(ws, cypkg, env, next(names), big=is_big))

    sizes = f"{ws.sizes.big_examples:,} examples, {ws.sizes.big_description_kb} KB description"
    same_app = "the same app and steps with an ordinary package (4 examples, 0.3 KB description)"

    def values(trials: Sequence[BigTrial], what: str) -> list[float]:
        if what == "detail":
            return [ms(t.detail.net) for t in trials]
        if what == "tab":
            return [ms(t.tab) for t in trials]
        return [t.peak_rss / MB for t in trials]

    detail, detail_base = values(big, "detail"), values(small, "detail")
    tab, tab_base = values(big, "tab"), values(small, "tab")
    rss, rss_base = values(big, "rss"), values(small, "rss")
    server = [ms(t.detail.server) for t in big]
    return [
        Figure(
            key="6a",
            title=f"Big package ({sizes}): Enter → detail painted, minus emulator time",
            unit="ms",
            value=median(detail),
            baseline=median(detail_base),
            goal=f"< {BIG_GOAL_MS / 1000:.0f} s",
            met=median(detail) < BIG_GOAL_MS,
            baseline_label=same_app,
            note=f"cypkg {spread(detail)}; emulator handling {median(server):.0f} ms "
            f"(serialising the big package) not counted",
            samples=detail,
            baseline_samples=detail_base,
        ),
        Figure(
            key="6b",
            title="Big package: key 3 → Examples tab painted",
            unit="ms",
            value=median(tab),
            baseline=median(tab_base),
            goal=f"< {BIG_GOAL_MS / 1000:.0f} s",
            met=median(tab) < BIG_GOAL_MS,
            baseline_label=same_app,
            note=f"cypkg {spread(tab)}",
            samples=tab,
            baseline_samples=tab_base,
        ),
        Figure(
            key="6c",
            title="Big package: peak RSS of the app (VmHWM)",
            unit="MB",
            value=median(rss),
            baseline=median(rss_base),
            goal=f"< {RSS_GOAL_MB:.0f} MB",
            met=max(rss) < RSS_GOAL_MB,
            baseline_label=same_app,
            note=f"cypkg {spread(rss, 'MB')}",
            samples=rss,
            baseline_samples=rss_base,
        ),
    ]
