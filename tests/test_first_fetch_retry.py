"""The first fetch is retried like the CLI's requests before the error panel shows
(issue 13.13), against the emulator with planned faults on loopback.

The app polls at a real interval here (5 s): an error after the first answer waits
for it, so only the first fetch's quick retries can bring the package in time.
"""

from __future__ import annotations

import time
from typing import Any

from tui.api.errors import ServerError
from tui.api.models import parse_package
from tui.api.retry import RetryPolicy
from tui.emulator.seed import DEMO_PACKAGE_ID
from tui.polling.policy import PollState
from tui.ui.screens.detail import DetailScreen
from tui.ui.widgets.error_panel import ErrorPanel

#: The CLI's policy with short delays (the tests' clock is the real one).
QUICK = RetryPolicy(base_delay=0.02, max_delay=0.1)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_policy_retries_the_first_fetch_quickly_then_backs_off() -> None:
    state = PollState(interval=5.0, first_retry=QUICK)
    delays = [state.after_error(ServerError("boom", status=500), lambda: 0.5) for _ in range(4)]
    assert all(d is not None and d <= 0.1 for d in delays[:3]), delays
    assert state.retrying_first is False and delays[3] is not None and delays[3] >= 5.0
    # The quick retries do not count towards the backoff: the panel says cypkg keeps
    # trying, and it does at twice the interval, not 2**4 times (80 s at 5 s; in tmux
    # the panel said "retrying at" 90 s later).
    assert delays[3] <= 5.0 * 2 * 1.1
    # Once a package came, errors back off from the interval as before.
    late = PollState(interval=5.0, first_retry=QUICK)
    late.after_success(parse_package({"packageId": DEMO_PACKAGE_ID, "status": "started"}))
    delay = late.after_error(ServerError("boom", status=500), lambda: 0.5)
    assert delay is not None and delay >= 5.0 and not late.retrying_first


def make(make_app: Any) -> Any:
    return make_app(
        package_id=DEMO_PACKAGE_ID, poll_interval=5.0, min_poll_interval=1.0, first_retry=QUICK
    )


async def test_two_500s_then_success_shows_no_error_panel(
    make_app, emulator, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    emulator.faults.fail_next(2, status=500)
    app = make(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        screen = app.screen
        panel = screen.query_one(ErrorPanel)
        started, panel_seen = time.monotonic(), False
        deadline = started + 4.0  # a hang guard; the old code took one interval and more
        while screen.package is None:
            panel_seen = panel_seen or panel.display
            assert time.monotonic() < deadline, "no package after 4 s"
            await pilot.pause(0.02)
        assert not panel_seen, "the error panel showed before the retry"
        assert time.monotonic() - started < 3.0
        assert screen.error is None


async def test_persistent_500_says_retrying_then_shows_the_panel(
    make_app, emulator, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    emulator.faults.fail_next(100, status=502)
    app = make(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        screen = app.screen
        panel = screen.query_one(ErrorPanel)
        await wait_until(
            pilot, lambda: "retrying…" in screen_text(app), timeout=4, what="retrying…"
        )
        assert not panel.display
        await wait_until(pilot, lambda: panel.display, timeout=5, what="the error panel")
        await pilot.pause()
        # Four requests (the CLI's four attempts), each with its own quick retry inside.
        assert emulator.count("GET", "/packages") == 8
        text = flat(screen_text(app))
        assert "✘ Server error" in text and "keeps trying by itself" in text
        assert "Try again later" not in text  # not both: it does try again by itself
        # "What to do:" is followed by something to do (it said "The service had a problem.").
        assert "What to do: Wait, or press r to try now" in text
