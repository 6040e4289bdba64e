"""The poll policy: when to fetch again while a package's status is ``started``.

Plain Python, shared by ``cypkg watch`` and the TUI's detail screen, so both
back off, stop and give up the same way.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tui.api.errors import (
    ApiError,
    AuthFailed,
    BadRequest,
    CypkgError,
    MissingScope,
    NetworkError,
    NotFound,
    ServerError,
    UsageError,
)
from tui.api.models import Package, Status
from tui.api.retry import MAX_RETRY_AFTER, RetryPolicy
from tui.config.settings import DEFAULT_POLL_INTERVAL, MAX_POLL_INTERVAL, MIN_POLL_INTERVAL
from tui.polling.budget import Pace

# The limits are the settings' (defined once, in tui.config.settings).
DEFAULT_INTERVAL = DEFAULT_POLL_INTERVAL
MIN_INTERVAL = MIN_POLL_INTERVAL
MAX_INTERVAL = MAX_POLL_INTERVAL
MAX_ERROR_BACKOFF = 300.0


def clamp_interval(seconds: float, floor: float = MIN_INTERVAL) -> float:
    return min(max(float(seconds), floor), MAX_INTERVAL)


def is_fatal(error: CypkgError) -> bool:
    """Errors that another poll will not fix: stop instead of hammering the service."""
    fatal = (AuthFailed, MissingScope, NotFound, BadRequest, UsageError)
    return isinstance(error, fatal) or not isinstance(error, ApiError)


GiveUpReason = Literal["no answer", "wait"]


@dataclass
class PollState:
    """What one watcher knows between polls."""

    interval: float = DEFAULT_INTERVAL
    consecutive_errors: int = 0
    last_status: Status | None = None
    #: The floor the interval is clamped to; tests lower it to poll in milliseconds.
    min_interval: float = MIN_INTERVAL
    #: Give up after this many seconds without a successful answer (``cypkg watch``);
    #: None polls on for ever, backing off (the TUI, where the user is watching).
    give_up_after: float | None = None
    #: Monotonic time the give-up count runs from: the last success, else the start.
    since: float | None = None
    #: Why the last :meth:`after_error` gave up: nothing succeeded for ``give_up_after``,
    #: or the wait asked for would end past that point. None when it did not.
    give_up_reason: GiveUpReason | None = None
    #: Stretches an interval so the daily budget holds (the interval → a Pace); None: no budget.
    pace: Callable[[float], Pace] | None = None
    #: Why the last delay given is longer than the interval asked (None when it is not).
    stretched: str | None = None
    #: Before the first answer, a 5xx or network error is retried on this policy (the
    #: CLI's: three retries in about 3 s) before the backoff from the interval takes
    #: over: someone is waiting for the package. None: no quick retries (``cypkg watch``).
    first_retry: RetryPolicy | None = None
    #: The last error is being retried quickly (``first_retry``): not worth a panel yet.
    retrying_first: bool = False
    #: Of ``consecutive_errors``, how many were retried quickly: the backoff from the
    #: interval starts after them (twice the interval, not 2**4 times).
    quick_errors: int = 0

    def after_success(self, package: Package, *, now: float | None = None) -> float | None:
        """Record a fetched package; seconds until the next poll, or None to stop."""
        self.consecutive_errors = self.quick_errors = 0
        self.retrying_first = False
        self.last_status = package.status
        self.give_up_reason = None
        if now is not None:
            self.since = now
        if package.status.is_terminal:
            return None
        # `started`, or a status this version does not know: the upload may still
        # be under way, so keep watching rather than fall silent.
        return self._paced(clamp_interval(self.interval, self.min_interval))

    def _paced(self, interval: float) -> float:
        """``interval``, stretched when the day's request budget asks for it."""
        if self.pace is None:
            return interval
        pace = self.pace(interval)
        self.stretched = pace.reason
        return max(pace.interval, interval)

    def after_error(
        self,
        error: CypkgError,
        rng: Callable[[], float] = random.random,
        *,
        now: float | None = None,
    ) -> float | None:
        """Record a failed poll; seconds until the next try, or None to stop for good.

        Transient errors back off exponentially from the interval, capped at
        :data:`MAX_ERROR_BACKOFF`, with a little jitter, and never sooner than the
        server asked (``retry_after``, at most a day). With ``give_up_after`` (and the
        monotonic ``now``), the last try lands on the give-up point and the next
        failure gives up; so does a server wait that would end past that point.
        """
        self.retrying_first = False
        if is_fatal(error):
            return None
        self.consecutive_errors += 1
        quick = self._first_retry(error)
        if quick is not None:
            self.retrying_first = True
            self.quick_errors += 1
            return quick
        interval = clamp_interval(self.interval, self.min_interval)
        base = interval * 2.0 ** min(max(self.consecutive_errors - self.quick_errors, 1), 10)
        delay = min(base, MAX_ERROR_BACKOFF) * (0.9 + 0.2 * rng())
        delay = max(delay, self._paced(interval))  # a failed request counts too
        retry_after = getattr(error, "retry_after", None)
        server_wait = 0.0
        if isinstance(retry_after, (int, float)):
            server_wait = min(max(float(retry_after), 0.0), MAX_RETRY_AFTER)
            delay = max(delay, server_wait)
        if self.give_up_after is None or now is None:
            return delay
        if self.since is None:
            self.since = now
        deadline = self.since + self.give_up_after
        if now >= deadline:
            self.give_up_reason = "no answer"
            return None
        if now + server_wait > deadline:
            self.give_up_reason = "wait"
            return None
        return min(delay, deadline - now)

    def _first_retry(self, error: CypkgError) -> float | None:
        """The quick retry's delay while nothing was fetched yet, else None."""
        policy = self.first_retry
        if policy is None or self.last_status is not None:
            return None
        # What the CLI retries: 5xx and network errors, and no server-given wait.
        if not isinstance(error, (ServerError, NetworkError)) or error.retry_after is not None:
            return None
        return policy.delay_for(self.consecutive_errors, status=None, retry_after=None)

    def held_until(self, until: float) -> bool:
        """A pause (a tenant-wide 429) holds this package until ``until`` (monotonic):
        True, and given up, when that is past its give-up point."""
        if self.give_up_after is None or self.since is None:
            return False
        if until > self.since + self.give_up_after:
            self.give_up_reason = "wait"
            return True
        return False


def exit_code_for(status: Status) -> int:
    """The CLI's exit code for a watch that ended in ``status``."""
    return {Status.SUCCESS: 0, Status.FAILED: 1, Status.TIMEOUT: 3}.get(status, 0)


def _severity(code: int) -> int:
    # success < timeout < failed < any error, and among errors the higher code.
    return {0: 0, 3: 1, 1: 2}.get(code, 3 + code)


def worst_exit_code(codes: list[int]) -> int:
    """The exit code of a watch of several packages: its worst outcome.

    Any error (4 not found, 5 auth/permission, 6 network; the higher wins) is
    worse than ``failed`` (1), which is worse than ``timeout`` (3), which is
    worse than ``success`` (0).
    """
    return max(codes, key=_severity, default=0)
