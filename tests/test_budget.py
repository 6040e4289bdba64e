"""The daily budget's pacing: a pure function of today's count, the budget and the time left."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from tui.polling.budget import (
    DAY,
    paced_interval,
    seconds_left_in_day,
    usage_text,
    utc_day,
)


def polls_before_midnight(interval: float, seconds_left: float) -> int:
    # The round just made is counted already; the next ones come at interval, 2×interval, …
    return math.floor(seconds_left / interval)


@given(
    used=st.integers(min_value=0, max_value=2_000_000),
    budget=st.integers(min_value=1, max_value=1_000_000),
    seconds_left=st.floats(min_value=0.001, max_value=DAY),
    per_round=st.integers(min_value=1, max_value=400),
    base=st.floats(min_value=0.01, max_value=3600.0),
)
def test_pace_keeps_the_budget(
    used: int, budget: int, seconds_left: float, per_round: int, base: float
) -> None:
    pace = paced_interval(used, budget, seconds_left, per_round, base)
    assert math.isfinite(pace.interval)
    assert pace.interval >= base
    remaining = budget - used
    if remaining > 0:
        assert per_round * polls_before_midnight(pace.interval, seconds_left) <= remaining
    else:
        # Used up: nothing more before the day ends.
        assert polls_before_midnight(pace.interval, seconds_left) == 0
    assert pace.stretched == (pace.interval > base)
    if pace.stretched:
        assert pace.reason is not None and pace.reason.startswith("interval stretched to ")


@given(
    used=st.one_of(st.integers(), st.floats()),
    budget=st.one_of(st.integers(), st.floats()),
    seconds_left=st.floats(),
    per_round=st.one_of(st.integers(), st.floats()),
    base=st.floats(),
)
def test_pace_never_fails_on_odd_input(
    used: float, budget: float, seconds_left: float, per_round: float, base: float
) -> None:
    pace = paced_interval(used, budget, seconds_left, per_round, base)  # type: ignore[arg-type]
    assert math.isfinite(pace.interval) and pace.interval > 0


def test_pace_figures() -> None:
    # Plenty left: the interval asked for.
    assert paced_interval(0, 10_000, 3600, 1, 5.0).interval == 5.0
    assert paced_interval(0, 10_000, 3600, 1, 5.0).reason is None
    # One package at 5 s from midnight costs 17,280 a day: stretched to ~8.6 s.
    start = paced_interval(0, 10_000, DAY, 1, 5.0)
    assert 8.6 < start.interval < 8.7
    assert start.reason == "interval stretched to 8s: daily budget"
    # Near the budget with half a day left: 200 left, 20 packages → 10 rounds → 72 min.
    near = paced_interval(9_800, 10_000, DAY / 2, 20, 5.0)
    assert round(near.interval) == 4320
    assert near.reason == "interval stretched to 1h 12m: daily budget"
    # Smooth: one request more stretches a little more, never a jump.
    assert 0 < paced_interval(9_801, 10_000, DAY / 2, 20, 5.0).interval - near.interval < 30
    # Used up (or over): the rest of the day, a little past midnight.
    over = paced_interval(10_500, 10_000, 600, 3, 5.0)
    assert over.interval == 601.0
    assert over.reason == "interval stretched to 10m 1s: daily budget used up"
    # A second before midnight: still at least the base interval, never zero.
    assert paced_interval(10_000, 10_000, 0.5, 1, 5.0).interval == 5.0


def test_utc_day_and_seconds_left() -> None:
    midnight = 1_764_374_400.0  # 2025-11-29 00:00:00 UTC
    assert utc_day(midnight - 0.001) == "2025-11-28"
    assert utc_day(midnight) == "2025-11-29"
    assert seconds_left_in_day(midnight) == DAY
    assert seconds_left_in_day(midnight - 10) == 10
    assert usage_text(1204, 10_000) == "1,204 of 10,000 requests today"
