"""The watchlist's plain-Python parts: store, history, scheduler and budget, exit codes,
terminal title sequences, key remaps, and ``cypkg watch ID ID …``."""

from __future__ import annotations

import bisect
import itertools
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from tui import cli
from tui.api.errors import NotFound, RateLimited, ServerError
from tui.api.models import Package, Status, parse_package
from tui.cli import commands as cli_commands
from tui.cli import watch as cli_watch
from tui.emulator import DEMO
from tui.emulator.seed import (
    DEMO_PACKAGE_ID,
    FAILED_AFTER,
    STARTED_FAILED_ID,
    STARTED_SUCCESS_ID,
    SUCCESS_AFTER,
)
from tui.emulator.testing import FakeClock
from tui.polling.history import StatusHistory
from tui.polling.policy import worst_exit_code
from tui.polling.requests import MAX_IN_FLIGHT, MAX_PER_WINDOW, WINDOW
from tui.polling.scheduler import WatchScheduler
from tui.polling.watchlist import WatchlistStore
from tui.ui.keymap import parse_keymap
from tui.ui.term_title import (
    POP_TITLE,
    PUSH_TITLE,
    TerminalTitle,
    notify_kind,
    notify_sequence,
    osc_safe,
    title_enabled,
    title_sequence,
)

PIDS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(300)]


def package(status: str, pid: str = PIDS[0], name: str = "pkg") -> Package:
    return parse_package({"packageId": pid, "status": status, "packageDescriptor": {"name": name}})


def busiest_window(times: list[float], width: float = 1.0) -> int:
    """The most events in any closed window of ``width`` seconds."""
    times = sorted(times)
    return max((bisect.bisect_right(times, t + width) - i for i, t in enumerate(times)), default=0)


# --------------------------------------------------------------------------- store


def test_store_add_remove_persist_bounded(tmp_path: Path) -> None:
    path = tmp_path / "data" / "watchlist.json"
    store = WatchlistStore(path, limit=3, clock=lambda: 1000.0)
    assert store.add(PIDS[0].upper(), name="one") == "added"
    assert store.add(PIDS[0]) == "present"
    assert store.add("not-an-id") == "invalid"
    assert store.add(PIDS[1], status="started") == "added"
    assert store.add(PIDS[2]) == "added"
    assert store.add(PIDS[3]) == "full"  # never evicts a watched package
    assert store.update(PIDS[1], name="two", status="success")
    assert not store.update(PIDS[1], name="two", status="success")
    assert store.remove(PIDS[2]) and not store.remove(PIDS[2])
    store.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = WatchlistStore(path, limit=3)
    assert [(e.package_id, e.name, e.status) for e in again.entries] == [
        (PIDS[0], "one", None),
        (PIDS[1], "two", "success"),
    ]
    assert again.entries[0].added_at == 1000.0


def test_store_survives_a_damaged_file_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    document = {"entries": [{"package_id": PIDS[0], "name": 5}, {"package_id": "x"}, "junk"]}
    path.write_text(json.dumps(document))
    store = WatchlistStore(path)
    assert store.ids() == [PIDS[0]]
    store.add(PIDS[1])
    store.save()
    assert (tmp_path / "watchlist.json.corrupt").exists()
    assert WatchlistStore(path).ids() == [PIDS[0], PIDS[1]]
    path.write_text("{not json")
    assert WatchlistStore(path).ids() == []


# --------------------------------------------------------------------------- history


def test_history_records_changes_only_and_is_bounded() -> None:
    history = StatusHistory(per_package=3, packages=2)
    assert history.record(PIDS[0], package("started"), 1.0)
    assert not history.record(PIDS[0], package("started"), 2.0)
    for at, status in enumerate(["success", "weird", "failed"], 3):
        assert history.record(PIDS[0], package(status), float(at))
    seen = history.get(PIDS[0])
    # The first status stays; the oldest of the rest gave way.
    assert [(s.at, s.status, s.text) for s in seen] == [
        (1.0, Status.STARTED, None),
        (4.0, Status.UNKNOWN, "weird"),
        (5.0, Status.FAILED, None),
    ]
    history.record(PIDS[1], package("started", PIDS[1]), 1.0)
    history.record(PIDS[2], package("started", PIDS[2]), 1.0)
    assert history.get(PIDS[0]) == []  # least recently updated package dropped


# --------------------------------------------------------------------------- scheduler


def test_scheduler_keeps_the_global_budget_with_100_due_at_once() -> None:
    """100 packages always due; replies take 20–300 ms and reach the service anywhere
    between start and reply (a sign-in can hold a request back): the service still
    never sees more than 5 in a second."""
    clock = FakeClock(100.0)
    scheduler = WatchScheduler(clock=clock, interval=1.0, min_interval=1.0, rng=lambda: 0.5)
    for pid in PIDS[:100]:
        scheduler.add(pid)
    starts: list[float] = []
    arrivals: list[float] = []
    pending: list[tuple[float, str]] = []
    n = 0
    for _ in range(3000):  # 30 s in steps of 10 ms
        for done_at, pid in list(pending):
            if done_at <= clock.now:
                pending.remove((done_at, pid))
                scheduler.complete(pid, package("started", pid))
        taken = scheduler.take()
        assert scheduler.in_flight <= MAX_IN_FLIGHT
        for pid in taken:
            n += 1
            latency = (0.02, 0.3, 0.1, 0.25)[n % 4]
            starts.append(clock.now)
            arrivals.append(clock.now + latency * (n % 3) / 2)  # at start, midway or at reply
            pending.append((clock.now + latency, pid))
        clock.now += 0.01
    assert busiest_window(starts) <= MAX_PER_WINDOW
    assert busiest_window(arrivals) <= MAX_PER_WINDOW
    assert scheduler.peak_in_flight == MAX_IN_FLIGHT
    # Fair: every package got its turn, most overdue first.
    counts = [w.requests for w in scheduler.watches.values()]
    assert min(counts) >= 1 and max(counts) - min(counts) <= 1
    # And the budget is used, not wasted: at least 3.5 requests a second.
    assert len(starts) >= 30 * 3.5
    assert WINDOW > 1.0


def test_scheduler_backoff_terminal_stop_and_rate_limit_pause() -> None:
    clock = FakeClock(100.0)
    scheduler = WatchScheduler(clock=clock, interval=5.0, min_interval=1.0, rng=lambda: 0.5)
    for pid in PIDS[:3]:
        scheduler.add(pid)
    assert scheduler.take() == PIDS[:2]  # two in flight at most
    event = scheduler.complete(PIDS[0], package("started"))
    assert event is not None and event.finished is None
    assert scheduler.watches[PIDS[0]].due == pytest.approx(105.0)
    # A transient error backs off (interval * 2, jitter 1.0 at rng 0.5).
    event = scheduler.complete(PIDS[1], ServerError("boom", status=503))
    assert event is not None and event.stopped_by is None
    assert scheduler.watches[PIDS[1]].due == pytest.approx(110.0)
    assert scheduler.take() == [PIDS[2]]
    # Not found stops that package only.
    event = scheduler.complete(PIDS[2], NotFound("gone"))
    assert event is not None and isinstance(event.stopped_by, NotFound)
    assert scheduler.watches[PIDS[2]].due is None
    # Started, then success: announced once, and polling stops.
    clock.now = 105.0
    assert scheduler.take() == [PIDS[0]]
    event = scheduler.complete(PIDS[0], package("success"))
    assert event is not None and event.finished is Status.SUCCESS
    assert scheduler.active == 1 and scheduler.next_wakeup() == pytest.approx(110.0)
    # A 429 pauses everybody for its Retry-After.
    clock.now = 110.0
    assert scheduler.take() == [PIDS[1]]
    scheduler.complete(PIDS[1], RateLimited("slow down", retry_after=30.0))
    assert scheduler.paused_until == pytest.approx(140.0)
    scheduler.refresh()  # even "refresh all" waits for the pause
    assert scheduler.take() == []
    assert scheduler.next_wakeup() == pytest.approx(140.0)
    clock.now = 140.0
    assert set(scheduler.take()) <= set(PIDS[:3]) and scheduler.in_flight == 2
    # Removed while in flight: the reply is dropped.
    busy = next(pid for pid, w in scheduler.watches.items() if w.in_flight)
    scheduler.remove(busy)
    assert scheduler.complete(busy, package("started", busy)) is None


def test_a_package_held_by_the_watchlist_and_a_view_is_polled_once_per_interval() -> None:
    clock = FakeClock(100.0)
    scheduler = WatchScheduler(clock=clock, interval=5.0, min_interval=1.0)
    scheduler.add(PIDS[0])  # on the watchlist
    scheduler.add(PIDS[0], holder="view-1")  # and open on a detail screen
    scheduler.add(PIDS[0], holder="view-2")  # twice
    asked = 0
    for _ in range(12):  # one simulated minute
        for pid in scheduler.take():
            assert pid == PIDS[0]
            asked += 1
            scheduler.complete(pid, package("started"))
        clock.now += 5.0
    assert asked == 12
    assert scheduler.watches[PIDS[0]].holders == {"watchlist", "view-1", "view-2"}
    # Views leave: still watched, still polled; the last holder leaving drops it.
    assert scheduler.release(PIDS[0], "view-1") is False
    assert scheduler.release(PIDS[0], "view-2") is False
    assert PIDS[0] in scheduler.watches
    assert scheduler.release(PIDS[0]) is True
    assert PIDS[0] not in scheduler.watches and scheduler.take() == []


def test_a_holder_pauses_polling_until_it_resumes_or_leaves() -> None:
    clock = FakeClock(100.0)
    scheduler = WatchScheduler(clock=clock, interval=5.0, min_interval=1.0)
    scheduler.add(PIDS[0])
    scheduler.add(PIDS[0], holder="view")
    assert scheduler.take() == [PIDS[0]]
    scheduler.complete(PIDS[0], package("started"))
    scheduler.hold(PIDS[0], "view", paused=True)
    clock.now += 60.0
    assert scheduler.take() == [] and scheduler.next_wakeup() is None
    assert scheduler.active == 1  # paused, not stopped
    # r while paused: one request anyway, and paused again after it.
    scheduler.refresh(PIDS[0])
    assert scheduler.take() == [PIDS[0]]
    scheduler.complete(PIDS[0], package("started"))
    clock.now += 60.0
    assert scheduler.take() == []
    # The view leaves: its pause goes with it, and the overdue poll is sent.
    scheduler.release(PIDS[0], "view")
    assert scheduler.take() == [PIDS[0]]


def test_refresh_held_down_asks_at_most_once_per_minimum_interval() -> None:
    clock = FakeClock(100.0)
    scheduler = WatchScheduler(clock=clock, interval=5.0, min_interval=1.0)
    scheduler.add(PIDS[0])
    sent: list[float] = []
    for _ in range(90):  # 3 s of a key repeating 30 times a second
        scheduler.refresh(PIDS[0])
        for pid in scheduler.take():
            sent.append(clock.now)
            scheduler.complete(pid, package("started"))
        clock.now += 1 / 30
    assert len(sent) == 3
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(sent))


def test_errands_share_the_budget_and_go_before_polls() -> None:
    clock = FakeClock(100.0)
    scheduler = WatchScheduler(clock=clock, interval=5.0, max_per_window=5, window=1.0)
    for pid in PIDS[:5]:
        scheduler.add(pid)

    async def call() -> int:
        return 1

    errand = scheduler.errand(call)
    assert scheduler.busy
    taken = scheduler.take()
    assert taken[0] is errand and len(taken) == 2  # two in flight at most
    scheduler.complete_errand(2)  # it signed in on the way: two requests
    for request in taken[1:]:
        assert isinstance(request, str)
        scheduler.complete(request, package("started", request))
    # 2 + 1 spent of 5 in this window: two more now, the rest after it.
    assert len(scheduler.take()) == 2

def test_worst_exit_code() -> None:
    assert worst_exit_code([]) == 0
    assert worst_exit_code([0, 3]) == 3
    assert worst_exit_code([0, 3, 1]) == 1
    assert worst_exit_code([1, 4, 3]) == 4
    assert worst_exit_code([6, 5, 4, 1]) == 6


# --------------------------------------------------------------------------- title


def test_escape_sequences_carry_only_safe_text() -> None:
    hostile = "evil\x1b]52;c;AAAA\x07\x9d\u202e [b]x[/b];\x1b[2J" + "z" * 500
    safe = osc_safe(hostile)
    assert all(ch.isprintable() for ch in safe) and len(safe) <= 120
    assert "\x1b" not in safe and "\x07" not in safe and "\u202e" not in safe
    sequence = title_sequence(hostile)
    assert sequence.startswith("\x1b]2;") and sequence.endswith("\x07")
    assert sequence.count("\x1b") == 1 and sequence.count("\x07") == 1
    note = notify_sequence("osc777", "cy;pkg", hostile)
    assert note.startswith("\x1b]777;notify;cy,pkg;") and note.count(";") == 3
    assert notify_sequence("osc9", "cypkg", "x: ✔ success") == "\x1b]9;cypkg: x: ✔ success\x1b\\"
    assert notify_kind(True) == "osc9" and notify_kind("OSC777") == "osc777"
    assert notify_kind(None) is None and notify_kind(False) is None and notify_kind("x") is None
    assert title_enabled(None) and title_enabled(True) and not title_enabled(False)
    assert not title_enabled("off")


def test_terminal_title_writes_changes_only_and_restores() -> None:
    written: list[str] = []
    enabled = [True]
    title = TerminalTitle(written.append, lambda: enabled[0])
    title.show(None)  # the default before anything else: nothing to do
    assert written == []
    title.show("cypkg: ◷ started · a")
    title.show("cypkg: ◷ started · a")
    title.show("cypkg: ✔ success · a")
    assert written == [
        PUSH_TITLE,
        "\x1b]2;cypkg: ◷ started · a\x07",
        "\x1b]2;cypkg: ✔ success · a\x07",
    ]
    title.restore()
    assert written[-1] == POP_TITLE
    enabled[0] = False
    written.clear()
    title.show("cypkg: ✘ failed · b")
    assert written == []


def test_parse_keymap() -> None:
    keymap, problems = parse_keymap(
        {"browse": "f6", "help": " f1 , ctrl+underscore ", "bad": 5, "worse": "a b", "": "x"}
    )
    assert keymap == {"browse": "f6", "help": "f1,ctrl+underscore"}
    assert len(problems) == 3
    assert parse_keymap(None) == ({}, [])
    assert parse_keymap("f6")[0] == {} and parse_keymap("f6")[1]


# --------------------------------------------------------------------------- CLI


def _use_emulator(monkeypatch: pytest.MonkeyPatch, emulator: Any) -> None:
    monkeypatch.setenv("CYPKG_API_URL", emulator.base_url)
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id)
    monkeypatch.setenv("CYPKG_APP_ID", DEMO.app_id)
    monkeypatch.setenv("CYPKG_APP_SECRET", DEMO.app_secret)


def test_cli_watch_several_ids_worst_outcome(
    monkeypatch: pytest.MonkeyPatch,
    emulator: Any,
    fake_clock: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Virtual time: the scheduler's waits move the clock the emulator runs on."""
    _use_emulator(monkeypatch, emulator)
    monkeypatch.setattr(cli_watch, "_sleep", fake_clock.advance)
    monkeypatch.setattr(cli_watch, "_monotonic", fake_clock)
    missing = "00000000-0000-4000-8000-000000000404"
    code = cli.main(
        [
            "watch",
            STARTED_SUCCESS_ID,
            STARTED_FAILED_ID,
            DEMO_PACKAGE_ID,
            missing,
            "--interval",
            "5",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 4, (out, err)  # not found beats failed
    lines = out.splitlines()
    # One line per change per package: started and the end for two, one for the finished one.
    assert sum(STARTED_SUCCESS_ID in line for line in lines) == 2
    assert sum(STARTED_FAILED_ID in line for line in lines) == 2
    assert sum(DEMO_PACKAGE_ID in line for line in lines) == 1
    assert any("✔ success" in line and STARTED_SUCCESS_ID in line for line in lines)
    assert any("✘ failed" in line and STARTED_FAILED_ID in line for line in lines)
    assert f"cypkg: {missing}: No package with ID" in err
    gets = [r.at for r in emulator.requests if r.method == "GET"]
    assert busiest_window(gets) <= MAX_PER_WINDOW
    # It polled until the failure (35 s after start) at 5 s intervals, not much more.
    assert len(gets) <= 4 + (FAILED_AFTER / 5 + 2) * 2
    assert SUCCESS_AFTER < FAILED_AFTER


def test_cli_watch_several_ids_without_errors(
    monkeypatch: pytest.MonkeyPatch,
    emulator: Any,
    fake_clock: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _use_emulator(monkeypatch, emulator)
    monkeypatch.setattr(cli_watch, "_sleep", fake_clock.advance)
    monkeypatch.setattr(cli_watch, "_monotonic", fake_clock)
    code = cli.main(["watch", STARTED_SUCCESS_ID, DEMO_PACKAGE_ID, STARTED_SUCCESS_ID.upper()])
    out, _ = capsys.readouterr()
    assert code == 0 and len(out.splitlines()) == 3
    assert cli.main(["watch", DEMO_PACKAGE_ID, "nonsense"]) == 2  # checked before any request


def test_cli_theme_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run_app(**kwargs: Any) -> int:
        seen.update(kwargs)
        return 0

    import tui.ui.startup

    monkeypatch.setattr(tui.ui.startup, "run_app", fake_run_app)
    monkeypatch.setattr(cli_commands, "_missing_terminal", lambda: None)  # pytest's streams
    assert cli.main(["--theme", "ansi-dark", DEMO_PACKAGE_ID]) == 0
    assert seen["theme"] == "ansi-dark" and seen["package_id"] == DEMO_PACKAGE_ID
    assert cli.main(["tui", "--theme", "ansi-light"]) == 0 and seen["theme"] == "ansi-light"
    assert cli.main(["--theme", "no-such-theme"]) == 2
