"""What happens on 429 and 5xx: the retry policy for idempotent GETs."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
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
    #: A Retry-After longer than this is reported instead of waited out.
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
        """Seconds to wait before retry ``attempt``, or None to give up now."""
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        if status == 429:
            return self.rate_limit_delay
        return self.backoff(attempt, rng)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(min(int(text), 86_400))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if when < datetime(1970, 1, 2, tzinfo=timezone.utc):
        return None
    return max(0.0, when.timestamp() - now)
