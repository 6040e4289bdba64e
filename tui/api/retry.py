"""What happens on 429 and 5xx: the retry policy for idempotent GETs."""

from __future__ import annotations

import contextlib
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    #: Total attempts per call, the first included.
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: The API documents no rate-limit headers and says to wait 60 s after a 429.
    rate_limit_delay: float = 60.0
    #: What a 429 without Retry-After tells whoever polls next to wait (the documented
    #: 60 s), even when ``rate_limit_delay`` makes the retry inside one request quicker.
    rate_limit_wait: float = 60.0
    #: A Retry-After longer than this is reported (with its time) instead of waited out.
    max_retry_after: float = 300.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Capped exponential backoff with "equal jitter" for retry number ``attempt`` (1-based).

        Half the delay is fixed and half random, so many clients do not retry in step
        and no retry comes back immediately.
        """
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** max(attempt - 1, 0))
        rand = rng.random() if rng is not None else random.random()
        return ceiling / 2 + rand * ceiling / 2

    def delay_for(
        self,
        attempt: int,
        *,
        status: int | None,
        retry_after: float | None,
        rng: random.Random | None = None,
    ) -> float | None:
        """Seconds to wait before retry ``attempt``, or None to give up now.

        ``retry_after`` is what the server asked for (it may be ``math.inf``).
        """
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        if status == 429:
            return self.rate_limit_delay
        return self.backoff(attempt, rng)


#: The longest wait any ``Retry-After`` buys: one day. A server (or a proxy speaking
#: for it) may ask for more, up to the year 9999; :class:`RetryAfter` keeps that it did.
MAX_RETRY_AFTER = 86_400.0
#: More digits than this is beyond any date (and ``int()`` refuses > 4300 of them).
_MAX_DIGITS = 15
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class RetryAfter:
    """A ``Retry-After`` header, read: the wait to honour and what the server asked for."""

    #: Seconds to wait, in [0, MAX_RETRY_AFTER].
    wait: float
    #: Seconds the server asked for (>= wait; ``math.inf`` past any representable time).
    asked: float

    @property
    def beyond_cap(self) -> bool:
        return self.asked > MAX_RETRY_AFTER


def parse_retry_after(
    value: str | None, now: float, cap: float = MAX_RETRY_AFTER
) -> RetryAfter | None:
    """``Retry-After`` (delta-seconds or an HTTP date in any of its three forms) at ``now``
    (epoch seconds). None when absent or not valid (negative, fractional, non-ASCII
    digits, garbage): the caller then does what it does without one. Never raises.
    """
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        asked = float(int(text)) if len(text) <= _MAX_DIGITS else math.inf
    else:
        try:
            when = parsedate_to_datetime(text)
            if when.tzinfo is None:  # asctime form: GMT by definition
                when = when.replace(tzinfo=timezone.utc)
            # Subtracting datetimes, not .timestamp(): exact, and fine for any year.
            asked = max((when - _EPOCH).total_seconds() - now, 0.0)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return RetryAfter(min(asked, cap), asked)


def describe_wait(retry: RetryAfter, now: float) -> str:
    """Until when the server asked us to wait, in UTC, for messages.

    ``until 14:05 UTC`` the same day, ``until 2025-06-03 02:05 UTC`` another day;
    beyond the cap ``until 9999-12-31 23:59 UTC, more than 24 h away``, or just
    ``for more than 24 h`` past any representable time. Rounded up to the minute:
    "until" means "not before".
    """
    cap = f"more than {MAX_RETRY_AFTER / 3600:g} h"
    try:
        until = _EPOCH + timedelta(seconds=now + retry.asked)
        today = (_EPOCH + timedelta(seconds=now)).date()
    except (OverflowError, ValueError):  # inf, or past the year 9999
        return f"for {cap}"
    if until.second or until.microsecond:
        with contextlib.suppress(OverflowError):  # 9999-12-31 23:59:59 stays as it is
            until = until.replace(second=0, microsecond=0) + timedelta(minutes=1)
    stamp = f"{until:%H:%M} UTC" if until.date() == today else f"{until:%Y-%m-%d %H:%M} UTC"
    return f"until {stamp}, {cap} away" if retry.beyond_cap else f"until {stamp}"


#: Inside one poll (``cypkg watch``, the TUI): retry a blip quickly and leave longer
#: waits to the poll loop, which backs off, honours Retry-After and gives up in time.
POLL_RETRY = RetryPolicy(
    max_attempts=2, base_delay=0.5, max_delay=2.0, rate_limit_delay=2.0, max_retry_after=5.0
)
