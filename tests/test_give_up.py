"""``cypkg watch`` gives a package up after ``--give-up-after`` seconds without a
successful answer, and every line it writes names its package.

Issue 10, point 4: on a package that answered 502 every time, ``watch`` polled with
growing gaps (10, 19, 42, 74 s…) and its retry lines said neither which package nor
more than "Retrying in 0 s". The CLI tests run on virtual time: every wait (poll and
in-request retry) moves the fake clock the emulator and the watch loop read.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from cli_on_emulator import point_cli_at, run

from tui import cli
from tui.api.errors import NotFound, RateLimited, ServerError
from tui.api.models import parse_package
from tui.emulator import Emulator
from tui.emulator.seed import (
    DEMO_PACKAGE_ID,
    FAILED_AFTER,
    STARTED_FAILED_ID,
    STARTED_SUCCESS_ID,
)
from tui.polling.policy import PollState
from tui.polling.scheduler import WatchScheduler

MANY = 10_000
BROKEN = STARTED_SUCCESS_ID  # answers 502 every time in these tests
LINE = re.compile(r"^cypkg: (?:hint: |(?P<id>[0-9a-f-]{36}): )")


def package(status: str) -> Any:
    return parse_package({"packageId": "x", "status": status})


# --------------------------------------------------------------------------- the rule


def test_gives_up_when_nothing_succeeded_for_that_long() -> None:
    state = PollState(interval=1, give_up_after=30, since=100.0)
    now, waits = 100.0, []
    while (delay := state.after_error(ServerError("502"), rng=lambda: 0.5, now=now)) is not None:
        waits.append(delay)
        now += delay
    # Growing gaps, the last one cut to land on the give-up point, then no more.
    assert waits == [2.0, 4.0, 8.0, 16.0]  # 2 + 4 + 8 + 16 = 30
    assert now == 130.0 and state.give_up_reason == "no answer"


def test_last_try_lands_on_the_give_up_point() -> None:
    state = PollState(interval=5, give_up_after=12, since=0.0)
    assert state.after_error(ServerError("502"), rng=lambda: 0.5, now=0.0) == 10.0
    assert state.after_error(ServerError("502"), rng=lambda: 0.5, now=10.0) == 2.0
    assert state.after_error(ServerError("502"), rng=lambda: 0.5, now=12.0) is None


def test_a_success_starts_the_count_again() -> None:
    state = PollState(interval=1, give_up_after=10, since=0.0)
    assert state.after_error(ServerError("502"), now=9.0) is not None
    assert state.after_success(package("started"), now=9.5) == 1.0
    assert state.after_error(ServerError("502"), now=18.0) is not None  # 8.5 s since
    assert state.after_error(ServerError("502"), now=19.5) is None
    assert state.give_up_reason == "no answer"


def test_a_wait_past_the_give_up_point_gives_up_at_once() -> None:
    state = PollState(interval=1, give_up_after=300, since=0.0)
    assert state.after_error(RateLimited("x", retry_after=60), now=200.0) == 60.0
    assert state.after_error(RateLimited("x", retry_after=60), now=260.0) is None
    assert state.give_up_reason == "wait"
    far = PollState(interval=1, give_up_after=300, since=0.0)
    assert far.after_error(RateLimited("x", retry_after=86_400), now=0.0) is None


def test_fatal_errors_are_not_a_give_up_and_the_tui_never_gives_up() -> None:
    state = PollState(interval=1, give_up_after=10, since=0.0)
    assert state.after_error(NotFound("gone"), now=1.0) is None
    assert state.give_up_reason is None
    tui = PollState(interval=1)  # no give_up_after: the TUI polls on, backing off
    assert all(tui.after_error(ServerError("x"), now=t * 1e6) for t in range(20))


def test_a_rate_limit_pause_past_the_give_up_point_gives_the_held_packages_up() -> None:
    clock = [0.0]
    scheduler = WatchScheduler(
        clock=lambda: clock[0], interval=5, give_up_after=300, max_in_flight=1
    )
    for pid in (STARTED_SUCCESS_ID, DEMO_PACKAGE_ID):
        scheduler.add(pid)
    first = scheduler.take()[0]
    scheduler.complete(first, RateLimited("slow", retry_after=86_400))
    assert scheduler.watches[first].poll.give_up_reason == "wait"
    held = scheduler.give_up_held()
    assert [w.package_id for w in held] == [DEMO_PACKAGE_ID]
    assert held[0].poll.give_up_reason == "wait" and isinstance(held[0].error, RateLimited)
    assert scheduler.active == 0
    # A short pause holds nobody past the point.
    clock[0] = 0.0
    other = WatchScheduler(clock=lambda: clock[0], interval=5, give_up_after=300, max_in_flight=1)
    for pid in (STARTED_SUCCESS_ID, DEMO_PACKAGE_ID):
        other.add(pid)
    other.complete(other.take()[0], RateLimited("slow", retry_after=60))
    assert other.give_up_held() == [] and other.active == 2


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator, fake_clock: Any) -> Emulator:
    """The CLI on the emulator; its waits move the fake clock (no real sleeping)."""
    return point_cli_at(monkeypatch, emulator, fake_clock)


def check_lines(err: str) -> list[str]:
    """Every stderr line names its package (or is the hint under such a line)."""
    lines = err.splitlines()
    for line in lines:
        assert LINE.match(line), line
        assert "in 0 s" not in line, line
    return lines


def test_one_id_gives_up_with_exit_6(
    env: Emulator, capsys: pytest.CaptureFixture[str], fake_clock: Any
) -> None:
    env.faults.fail_next(MANY, 502)
    began, real = fake_clock(), time.monotonic()
    code, out, err = run(capsys, "watch", BROKEN, "--interval", "1", "--give-up-after", "30")
    assert code == 6 and out == ""
    lines = check_lines(err)
    assert all(BROKEN in line for line in lines if not line.startswith("cypkg: hint:"))
    gave_up = [line for line in lines if "gave up" in line]
    assert len(gave_up) == 1 and gave_up[0].startswith(
        f"cypkg: {BROKEN}: gave up after 30 s without a successful answer "
        "(--give-up-after 30); last error: The service answered HTTP 502: Injected failure."
    )
    assert lines[-1].startswith("cypkg: hint:")
    # Rounded up (a 0.25-0.5 s retry says "1 s"); the first poll waits 2 s ± 10 %.
    assert "Retrying in 1 s (1)." in err and re.search(r"Polling again in [23] s\.", err)
    # Bounded: the give-up point plus at most one request's own retry, quickly in real time.
    assert 30 <= fake_clock() - began <= 33 and time.monotonic() - real < 5
    assert env.count("GET") <= 12


def test_one_id_json_lines_stay_json(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    env.faults.fail_next(2, 502)  # the first poll fails, then the service is back
    code, out, err = run(capsys, "watch", STARTED_SUCCESS_ID, "--json", "--give-up-after", "30")
    assert code == 0
    statuses = [json.loads(line)["status"] for line in out.splitlines()]
    assert statuses == ["started", "success"]
    check_lines(err)
    env.faults.fail_next(MANY, 502)
    code, out, err = run(capsys, "watch", STARTED_FAILED_ID, "--json", "--give-up-after", "5")
    assert code == 6 and out == "" and "gave up after 5 s" in err


def test_several_ids_one_given_up_the_others_finish(
    env: Emulator, capsys: pytest.CaptureFixture[str], fake_clock: Any
) -> None:
    env.faults.fail_next(MANY, 502, path_prefix=f"/packages/v2/{BROKEN}")
    began = fake_clock()
    code, out, err = run(
        capsys,
        "watch",
        BROKEN,
        STARTED_FAILED_ID,
        DEMO_PACKAGE_ID,
        "--interval",
        "2",
        "--give-up-after",
        "10",
        "--json",
    )
    assert code == 6, err  # an error (the given-up package) beats `failed`
    ends = {item["packageId"]: item["status"] for item in map(json.loads, out.splitlines())}
    # BROKEN is seen `started` in the list of started packages; once it leaves that
    # list its GETs by ID fail (502) until it is given up.
    assert ends == {STARTED_FAILED_ID: "failed", DEMO_PACKAGE_ID: "success", BROKEN: "started"}
    lines = check_lines(err)
    assert sum("gave up" in line for line in lines) == 1
    assert f"cypkg: {BROKEN}: gave up after 10 s without a successful answer" in err
    assert STARTED_FAILED_ID not in err and DEMO_PACKAGE_ID not in err
    assert FAILED_AFTER <= fake_clock() - began <= FAILED_AFTER + 5  # the others went on


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "soon", ""])
def test_give_up_after_must_be_a_positive_number(
    capsys: pytest.CaptureFixture[str], value: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["watch", DEMO_PACKAGE_ID, "--give-up-after", value])
    assert exited.value.code == 2
    assert "--give-up-after: not a positive number of seconds" in capsys.readouterr().err


def test_get_retry_lines_name_the_package_and_never_say_0_s(
    env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    env.faults.fail_next(2, 503)
    code, _, err = run(capsys, "get", DEMO_PACKAGE_ID)
    assert code == 0
    lines = check_lines(err)
    assert len(lines) == 2 and all(f"cypkg: {DEMO_PACKAGE_ID}: " in line for line in lines)
