"""The poll policy shared by `cypkg watch` and the detail screen."""

from __future__ import annotations

import pytest

from tui.api.errors import (
    AuthFailed,
    ConfigError,
    InvalidResponse,
    MissingScope,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
)
from tui.api.models import Status, parse_package
from tui.polling.policy import MAX_ERROR_BACKOFF, PollState, clamp_interval, exit_code_for


def package(status: str):  # type: ignore[no-untyped-def]
    return parse_package({"packageId": "x", "status": status})


def test_polls_while_started_and_stops_on_terminal_status() -> None:
    state = PollState(interval=5)
    assert state.after_success(package("started")) == 5
    for final in ("success", "failed", "timeout"):
        assert PollState().after_success(package(final)) is None


def test_interval_is_clamped_to_stay_inside_the_rate_limit() -> None:
    assert clamp_interval(0.01) == 1.0 and clamp_interval(10**9) == 3600.0
    assert PollState(interval=0.001).after_success(package("started")) == 1.0


def test_unknown_status_keeps_polling() -> None:
    assert PollState(interval=5).after_success(package("processing")) == 5


def test_transient_errors_back_off_capped_and_reset_on_success() -> None:
    state = PollState(interval=5)
    delays = [state.after_error(ServerError("x"), rng=lambda: 0.5) for _ in range(12)]
    assert delays[:3] == [10.0, 20.0, 40.0]
    assert max(d for d in delays if d is not None) == MAX_ERROR_BACKOFF
    state.after_success(package("started"))
    assert state.consecutive_errors == 0
    assert state.after_error(NetworkError("x"), rng=lambda: 0.5) == 10.0
    assert state.after_error(InvalidResponse("x"), rng=lambda: 0.5) == 20.0


@pytest.mark.parametrize(
    "error",
    [AuthFailed("x"), MissingScope("opticspkgconfig:read"), NotFound("x"), ConfigError("x")],
)
def test_fatal_errors_stop_polling(error: Exception) -> None:
    assert PollState().after_error(error) is None  # type: ignore[arg-type]


def test_rate_limit_waits_at_least_retry_after() -> None:
    error = RateLimited("x", retry_after=90)
    assert PollState(interval=1).after_error(error, rng=lambda: 0.0) == 90


def test_exit_codes() -> None:
    assert [exit_code_for(s) for s in (Status.SUCCESS, Status.FAILED, Status.TIMEOUT)] == [0, 1, 3]
