"""The poll policy: when to fetch again while a package's status is ``started``.

Plain Python, shared by ``cypkg watch`` and the TUI's detail screen, so both
back off, stop and give up the same way.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from tui.api.errors import (
    ApiError,
    AuthFailed,
    BadRequest,
    CypkgError,
    MissingScope,
    NotFound,
    UsageError,
)
from tui.api.models import Package, Status

DEFAULT_INTERVAL = 5.0
#: The tenant's whole budget is about 20 requests a second; one watcher never
#: polls faster than once a second, whatever the setting says.
MIN_INTERVAL = 1.0
MAX_INTERVAL = 3600.0
MAX_ERROR_BACKOFF = 300.0


def clamp_interval(seconds: float, floor: float = MIN_INTERVAL) -> float:
    return min(max(float(seconds), floor), MAX_INTERVAL)


def is_fatal(error: CypkgError) -> bool:
    """Errors that another poll will not fix: stop instead of hammering the service."""
    fatal = (AuthFailed, MissingScope, NotFound, BadRequest, UsageError)
    return isinstance(error, fatal) or not isinstance(error, ApiError)


@dataclass
class PollState:
    """What one watcher knows between polls."""

    interval: float = DEFAULT_INTERVAL
    consecutive_errors: int = 0
    last_status: Status | None = None
    #: The floor the interval is clamped to; tests lower it to poll in milliseconds.
    min_interval: float = MIN_INTERVAL

    def after_success(self, package: Package) -> float | None:
        """Record a fetched package; seconds until the next poll, or None to stop."""
        self.consecutive_errors = 0
        self.last_status = package.status
        if package.status.is_terminal:
            return None
        # `started`, or a status this version does not know: the upload may still
        # be under way, so keep watching rather than fall silent.
        return clamp_interval(self.interval, self.min_interval)

    def after_error(
        self, error: CypkgError, rng: Callable[[], float] = random.random
    ) -> float | None:
        """Record a failed poll; seconds until the next try, or None to stop for good.

        Transient errors back off exponentially from the interval, capped at
        :data:`MAX_ERROR_BACKOFF`, with a little jitter.
        """
        if is_fatal(error):
            return None
        self.consecutive_errors += 1
        interval = clamp_interval(self.interval, self.min_interval)
        base = interval * 2.0 ** min(self.consecutive_errors, 10)
        delay = min(base, MAX_ERROR_BACKOFF) * (0.9 + 0.2 * rng())
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, (int, float)):
            delay = max(delay, float(retry_after))
        return delay


def exit_code_for(status: Status) -> int:
    """The CLI's exit code for a watch that ended in ``status``."""
    return {Status.SUCCESS: 0, Status.FAILED: 1, Status.TIMEOUT: 3}.get(status, 0)
