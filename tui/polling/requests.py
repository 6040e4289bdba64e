"""What the scheduler hands out and gets back: the kinds of request (a GET by ID, a page
of the started list, an errand), what it knows per watched package, the events it
reports, and the global budget (at most :data:`MAX_PER_WINDOW` requests the service may
see in any :data:`WINDOW` seconds, at most :data:`MAX_IN_FLIGHT` in flight). Plain Python.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from tui.api.client import MAX_PAGE_SIZE
from tui.api.errors import CypkgError
from tui.api.models import Package, PackagePage, Status
from tui.polling.policy import PollState

#: The global budget: the service sees at most MAX_PER_WINDOW of our requests in any
#: WINDOW seconds (see _Budget). The window is a little over a second so that, even
#: with clock granularity and jitter, no second holds more than 5 (the tenant allows ~20).
MAX_PER_WINDOW = 5
WINDOW = 1.1
MAX_IN_FLIGHT = 2
#: When a 429 says nothing about how long to wait.
RATE_LIMIT_PAUSE = 60.0

Outcome = Package | CypkgError
ListOutcome = PackagePage | CypkgError


@dataclass(frozen=True)
class ListRequest:
    """One page of every started package of the tenant: ``GET /packages/v2?page=N
    &page_size=200&status=started``; it refreshes all watched started packages at once."""

    page: int = 1
    page_size: int = MAX_PAGE_SIZE

    @property
    def filters(self) -> dict[str, str]:
        return {"status": Status.STARTED.value}


@dataclass(frozen=True, eq=False)
class Errand:
    """A one-off request of a screen (a page of the package browser) that goes through
    the same budget as the polls, before them. ``call`` runs it and returns how many
    requests it sent the service (a sign-in on the way makes 2)."""

    call: Callable[[], Awaitable[int]]


_R = TypeVar("_R")


@dataclass(frozen=True)
class Sent(Generic[_R]):
    """What a fetch returns when it knows what it cost: the outcome (of a GET or a list
    page), and the requests sent for it (a sign-in when the token had to be renewed)."""

    outcome: _R | None
    requests: int = 1


#: What to send next: a GET of one package (its ID), a page of the started list, or an errand.
Request = str | ListRequest | Errand

#: The holder of the packages on the watchlist (a view adds its own name).
WATCHLIST = "watchlist"


@dataclass
class Round:
    """A list round under way: the watched packages it refreshes and has not seen yet."""

    members: set[str]
    page: int = 1
    #: A page request is in flight (else the next page waits for the budget).
    sending: bool = True


@dataclass
class Watch:
    """What the scheduler knows about one watched package."""

    package_id: str
    poll: PollState
    #: Monotonic time of the next request; None once polling stopped.
    due: float | None = 0.0
    in_flight: bool = False
    package: Package | None = None
    error: CypkgError | None = None
    #: Wall-clock time (epoch s) of the last successful fetch.
    updated_at: float | None = None
    #: Seen in a non-terminal status, so reaching a terminal one is news.
    seen_started: bool = False
    requests: int = 0
    #: Missing from the started list: its next request is a GET by ID (its final state).
    by_id: bool = False
    #: Who wants this package polled: the watchlist, a detail screen showing it, …
    #: It is polled once whatever their number, and dropped when the last one leaves.
    holders: set[str] = field(default_factory=set)
    #: The holders that paused it (``p`` on a detail screen): no polls while any does.
    pausers: set[str] = field(default_factory=set)
    #: Monotonic time the request in flight (or the last one) was sent.
    sent_at: float | None = None
    #: Refreshed by hand while paused: one request goes anyway.
    once: bool = False

    @property
    def active(self) -> bool:
        return self.due is not None or self.in_flight

    @property
    def paused(self) -> bool:
        return bool(self.pausers)


@dataclass(frozen=True)
class WatchEvent:
    """The result of one request, after the scheduler applied it."""

    package_id: str
    watch: Watch
    #: The terminal status reached after being seen under way: announce it.
    finished: Status | None = None
    #: Polling stopped for good with this error (not found, no permission, …).
    stopped_by: CypkgError | None = None
    #: One of the events of a list page (a view redraws once for the page, not for each).
    listed: bool = False


@dataclass
class Budget:
    """At most ``limit`` requests that the service may see within any ``window`` seconds.

    A request may reach the service at any moment between its start and its
    reply (a sign-in or a slow connection can hold it back), so a request counts
    against the budget from its start until ``window`` seconds after its reply.
    Counting starts alone would let requests delayed on the way bunch up with
    the next ones at the service.
    """

    limit: int
    window: float
    in_flight: int = 0
    ended: deque[float] = field(default_factory=deque)

    def _trim(self, now: float) -> None:
        while self.ended and self.ended[0] <= now - self.window:
            self.ended.popleft()

    def available(self, now: float) -> bool:
        self._trim(now)
        return self.in_flight + len(self.ended) < self.limit

    def next_slot(self, now: float) -> float | None:
        """When a request may start; None when only a reply can free the budget."""
        if self.available(now):
            return now
        if not self.ended:
            return None
        # A hair later than the oldest reply leaving the window, against float rounding.
        return self.ended[0] + self.window + 1e-6

    def spend(self) -> None:
        self.in_flight += 1

    def release(self, now: float, requests: int = 1) -> None:
        """A request is over; ``requests`` is what it cost the service (a sign-in adds one)."""
        self.in_flight = max(self.in_flight - 1, 0)
        self.ended.extend([now] * max(requests, 1))
