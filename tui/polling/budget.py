"""The daily request budget: how far to stretch a poll interval so the day's budget holds.

The Cylance API allows a tenant 100,000 requests a day, shared by everything
that tenant runs. cypkg counts its own (:mod:`tui.polling.daily_count`) and, given
that count, paces its polling so that polling on at the interval chosen until
the UTC day ends stays within the profile's ``daily_budget``.

Pure functions only: no I/O, no clock of its own, no Textual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone

from tui.polling.present import human_duration

#: The tenant's whole quota, as the API documentation gives it.
DOCUMENTED_DAILY_QUOTA = 100_000
#: cypkg's share by default: a tenth of the quota, the rest is for the tenant's other tools.
DEFAULT_DAILY_BUDGET = 10_000
#: Above this a value is more likely a typo than a quota anyone has.
MAX_DAILY_BUDGET = 1_000_000_000
DAY = 86_400.0


@dataclass(frozen=True)
class Pace:
    """The interval to poll at, and why it is longer than asked (None when it is not)."""

    interval: float
    reason: str | None = None

    @property
    def stretched(self) -> bool:
        return self.reason is not None


def paced_interval(
    used: int, budget: int, seconds_left: float, per_round: int, base: float
) -> Pace:
    """The interval that keeps ``budget`` until the UTC day ends; never below ``base``.

    ``used``: requests counted today; ``seconds_left``: until 00:00 UTC;
    ``per_round``: requests one polling round costs (one per package polled);
    ``base``: the interval asked for. Polling every ``interval`` until midnight
    then costs ``per_round * seconds_left / interval`` requests, which must fit in
    what is left of the budget: the interval is the smallest that does, at least
    ``base``. The stretch grows smoothly with the count. With nothing left, the
    next poll is in the next UTC day. Never raises; always finite and positive.
    """
    base = base if _positive(base) else 1.0
    base = min(base, DAY)
    if not _positive(seconds_left):
        return Pace(base)
    seconds_left = min(seconds_left, DAY)
    per_round = max(int(per_round), 1) if _finite(per_round) else 1
    remaining = budget - used if _finite(budget) and _finite(used) else 0
    # A hair more than the exact quotient: rounding must not let one round too many fit.
    needed = per_round * seconds_left / remaining * (1 + 1e-9) if remaining > 0 else math.inf
    if needed <= base:
        return Pace(base)
    # Nothing can be afforded before midnight: the next poll is in the new day.
    interval = max(min(needed, seconds_left + 1.0), base)
    if interval <= base:
        return Pace(base)
    what = "daily budget" if remaining > per_round else "daily budget used up"
    return Pace(interval, f"interval stretched to {human_duration(interval)}: {what}")


def utc_day(epoch: float) -> str:
    """The UTC date of ``epoch`` seconds, ``YYYY-MM-DD``: the day a request counts in."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d")


def seconds_left_in_day(epoch: float) -> float:
    """Seconds from ``epoch`` until the next 00:00 UTC (in (0, 86400])."""
    return DAY - (epoch % DAY)


def usage_text(used: int, budget: int) -> str:
    """``1,204 of 10,000 requests today``."""
    return f"{used:,} of {budget:,} requests today"


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except TypeError:
        return False


def _positive(value: float) -> bool:
    return _finite(value) and value > 0
