"""The scheduler's watched packages: who holds each, pauses, forced refreshes.

:class:`WatchSet` is the bottom of :class:`tui.polling.scheduler.WatchScheduler`:
its state, membership (holders and their pauses), the due-time queue it pushes
to, and the rate-limit pause. :mod:`tui.polling.handout` hands out requests from
it; :mod:`tui.polling.scheduler` applies their replies.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections import deque
from collections.abc import Awaitable, Callable

from tui.api.client import SCOPE_LIST
from tui.api.errors import CypkgError, MissingScope, RateLimited
from tui.api.models import Status
from tui.api.retry import MAX_RETRY_AFTER, RetryPolicy
from tui.polling.budget import Pace
from tui.polling.policy import DEFAULT_INTERVAL, MIN_INTERVAL, PollState
from tui.polling.requests import (
    MAX_IN_FLIGHT,
    MAX_PER_WINDOW,
    RATE_LIMIT_PAUSE,
    WATCHLIST,
    WINDOW,
    Budget,
    Errand,
    Round,
    Watch,
)


class WatchSet:
    """Due times for every watched package, one global request budget (the state).

    Not thread-safe: use it from one thread (the TUI's event loop, or the CLI's
    main thread). Time is the monotonic ``clock`` given.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = DEFAULT_INTERVAL,
        min_interval: float = MIN_INTERVAL,
        max_per_window: int = MAX_PER_WINDOW,
        window: float = WINDOW,
        max_in_flight: int = MAX_IN_FLIGHT,
        rng: Callable[[], float] | None = None,
        give_up_after: float | None = None,
        pace: Callable[[float, int], Pace] | None = None,
        batch: bool = False,
        first_retry: RetryPolicy | None = None,
    ) -> None:
        self.clock = clock
        #: See :attr:`tui.polling.policy.PollState.first_retry` (the TUI; None in `cypkg watch`).
        self.first_retry = first_retry
        self.interval = interval
        self.min_interval = min_interval
        #: See :attr:`tui.polling.policy.PollState.give_up_after` (`cypkg watch`; None in TUI).
        self.give_up_after = give_up_after
        #: The daily budget: (interval, requests a round) → the interval to use.
        self.pace = pace
        #: The last interval the daily budget stretched (its reason), None while it does not.
        self.stretched: Pace | None = None
        self.max_in_flight = max(max_in_flight, 1)
        self._budget = Budget(max(max_per_window, 1), window)
        self._rng = rng
        self.watches: dict[str, Watch] = {}
        self._queue: list[tuple[float, int, str]] = []
        self._seq = 0
        #: After a 429 nobody asks before this (monotonic) time; the 429 that said so.
        self.paused_until: float | None = None
        self.paused_by: RateLimited | None = None
        #: Packages refreshed (or opened) by hand: they go before the polls, one GET each,
        #: during a pause too (waiting, then sent: an answer to one ends the pause).
        self._forced: set[str] = set()
        self._forced_sent: set[str] = set()
        #: Requests handed out so far, and the most ever in flight at once.
        self.started = 0
        self.peak_in_flight = 0
        #: Set by the asyncio driver (tui.polling.driver) while it runs: wake() sets it.
        self.wake_event: asyncio.Event | None = None
        #: Refresh started packages through the list endpoint (the driver can send it).
        self.batch = batch
        #: Why the list cannot be used (403: no list scope); set once, kept for the session.
        self.list_refused: CypkgError | None = None
        self._round: Round | None = None
        #: Pages the last round needed (a round's cost, for the daily budget).
        self._pages = 1
        #: A round's cost while a list page is applied: counted once for its 200
        #: packages, not once each (that made applying a page quadratic).
        self._page_cost: int | None = None
        #: One-off requests waiting for the budget, and those under way.
        self._errands: deque[Errand] = deque()
        self._errands_out = 0

    # -- membership ---------------------------------------------------------------

    def add(self, package_id: str, *, due: float | None = None, holder: str = WATCHLIST) -> Watch:
        """Poll ``package_id`` for ``holder``; a package already polled is not asked for
        again (one poll per interval, whatever its number of holders)."""
        watch = self.watches.get(package_id)
        if watch is not None:
            watch.holders.add(holder)
            return watch
        poll = PollState(
            interval=self.interval,
            min_interval=self.min_interval,
            give_up_after=self.give_up_after,
            since=self.clock(),
            pace=self._paced if self.pace is not None else None,
            first_retry=self.first_retry,
        )
        watch = Watch(package_id, poll, holders={holder})
        self.watches[package_id] = watch
        self._set_due(watch, self.clock() if due is None else due)
        return watch

    def _paced(self, interval: float) -> Pace:
        """One package's interval under the daily budget: a round polls each active one."""
        if self.pace is None:
            return Pace(interval)
        cost = self._page_cost if self._page_cost is not None else self._round_cost()
        pace = self.pace(interval, max(cost, 1))
        self.stretched = pace if pace.stretched else None
        return pace

    def remove(self, package_id: str) -> bool:
        # Its heap entries become stale and are skipped; a reply in flight is dropped.
        found = self.watches.pop(package_id, None) is not None
        self.wake()
        return found

    def release(self, package_id: str, holder: str = WATCHLIST) -> bool:
        """``holder`` no longer wants the package polled (its pause goes with it); the
        package is dropped once nobody does. True when it was dropped."""
        watch = self.watches.get(package_id)
        if watch is None:
            return False
        watch.holders.discard(holder)
        if watch.holders:
            self.hold(package_id, holder, paused=False)
            return False
        return self.remove(package_id)

    def hold(self, package_id: str, holder: str, *, paused: bool) -> None:
        """Pause (or resume) polling a package for ``holder``: no polls while any holder
        pauses it. A resumed package is polled at its due time (now, if that passed)."""
        watch = self.watches.get(package_id)
        if watch is None or paused == (holder in watch.pausers):
            return
        if paused:
            watch.pausers.add(holder)
        else:
            watch.pausers.discard(holder)
            if not watch.paused and watch.due is not None:
                self._set_due(watch, watch.due)  # its queue entry was dropped while paused
        self.wake()

    def set_interval(self, seconds: float) -> None:
        """A new poll interval (the settings changed): used from each package's next poll."""
        self.interval = seconds
        for watch in self.watches.values():
            watch.poll.interval = seconds

    def errand(self, call: Callable[[], Awaitable[int]]) -> Errand:
        """Queue a one-off request (:class:`Errand`); the driver runs it as the budget allows."""
        errand = Errand(call)
        self._errands.append(errand)
        self.wake()
        return errand

    def complete_errand(self, requests: int = 1) -> None:
        """An errand is over, having sent ``requests`` requests."""
        self._errands_out = max(self._errands_out - 1, 0)
        self._budget.release(self.clock(), requests)
        self.wake()

    @property
    def busy(self) -> bool:
        """Something to poll, or an errand waiting or under way (the driver runs on)."""
        return bool(self.active or self._errands or self._errands_out)

    def refresh(self, package_id: str | None = None) -> None:
        """Fetch now: one package, or every one (stopped ones included, once).

        During a rate-limit pause one package asked for by hand still goes (one
        request; an answer ends the pause); "every one" waits for the pause.
        """
        now = self.clock()
        targets = [self.watches[package_id]] if package_id in self.watches else []
        if package_id is None:
            targets = list(self.watches.values())
        elif targets and package_id is not None:
            self._forced.add(package_id)
        for watch in targets:
            if not watch.in_flight:
                watch.poll.consecutive_errors = watch.poll.quick_errors = 0
                watch.once = watch.paused
                # A key held down asks 30 times a second: one package is still asked
                # at most once per minimum interval.
                last = watch.sent_at
                soonest = now if last is None else max(now, last + self.min_interval)
                self._set_due(watch, soonest)

    def held_until(self, now: float | None = None) -> float | None:
        """The (monotonic) end of the current rate-limit pause; None when there is none."""
        now = self.clock() if now is None else now
        paused = self.paused_until
        return paused if paused is not None and now < paused else None

    def give_up_held(self, now: float | None = None) -> list[Watch]:
        """Stop the packages a pause holds past their give-up point (``cypkg watch``).

        Their error becomes the 429 that paused everybody; each one's
        ``poll.give_up_reason`` says "wait".
        """
        until = self.held_until(now)
        if until is None or self.give_up_after is None:
            return []
        given: list[Watch] = []
        for watch in self.watches.values():
            if watch.due is not None and not watch.in_flight and watch.poll.held_until(until):
                watch.due = None
                watch.error = self.paused_by or watch.error  # the wait is the 429's
                given.append(watch)
        return given

    def stop(self, package_id: str) -> None:
        """Stop polling a package (it stays in the list)."""
        watch = self.watches.get(package_id)
        if watch is not None:
            watch.due = None

    @property
    def in_flight(self) -> int:
        """Requests in flight: a list round's members share its one request."""
        members = self._round.members if self._round is not None else set()
        single = sum(1 for pid, w in self.watches.items() if w.in_flight and pid not in members)
        listing = 1 if self._round is not None and self._round.sending else 0
        return single + listing + self._errands_out

    @property
    def batching(self) -> bool:
        """Started packages are refreshed through the list (not refused so far)."""
        return self.batch and self.list_refused is None

    @property
    def per_package_reason(self) -> str | None:
        """Why batching was asked for but each package is polled on its own; None otherwise."""
        error = self.list_refused
        if not self.batch or error is None:
            return None
        if isinstance(error, MissingScope):
            return f"per-package polling: the API app lacks {SCOPE_LIST}"
        return f"per-package polling: the list of started packages failed ({error.title})"

    def _listed(self, watch: Watch) -> bool:
        """Refreshed by the list: batching, and started or not fetched yet (not known gone)."""
        if not self.batching or watch.by_id or watch.paused:
            return False
        return watch.package is None or watch.package.status is Status.STARTED

    def _round_cost(self) -> int:
        """Requests one polling round costs: the list pages, plus a GET for each other one."""
        active = [w for w in self.watches.values() if w.active]
        listed = sum(1 for w in active if self._listed(w))
        return len(active) - listed + (self._pages if listed else 0)

    @property
    def active(self) -> int:
        """Packages still being polled (or with a request in flight)."""
        return sum(1 for w in self.watches.values() if w.active)

    # -- the due-time queue ------------------------------------------------------

    def _set_due(self, watch: Watch, due: float | None) -> None:
        watch.due = due
        if due is not None:
            self._seq += 1
            heapq.heappush(self._queue, (due, self._seq, watch.package_id))
        self.wake()

    def _head(self) -> Watch | None:
        """The most overdue idle watch, dropping stale queue entries."""
        while self._queue:
            due, _, pid = self._queue[0]
            watch = self.watches.get(pid)
            if watch is None or watch.in_flight or watch.due != due:
                heapq.heappop(self._queue)
                continue
            if watch.paused and not watch.once:  # queued again when resumed (hold)
                heapq.heappop(self._queue)
                continue
            return watch
        return None

    # -- rate-limit pause -------------------------------------------------------

    def pause(self, error: RateLimited, now: float | None = None) -> None:
        """A 429: the budget is the tenant's, so everybody
        waits its Retry-After (at most a day), or 60 s without one."""
        now = self.clock() if now is None else now
        pause = error.retry_after if error.retry_after is not None else RATE_LIMIT_PAUSE
        until = now + min(max(pause, 0.0), MAX_RETRY_AFTER)
        if self.paused_until is None or until >= self.paused_until:
            self.paused_until, self.paused_by = until, error
        self.wake()

    def end_pause(self) -> None:
        """The service answered a request sent by hand during the pause: it is over."""
        self.paused_until = self.paused_by = None
        self.wake()

    # -- asyncio driver ---------------------------------------------------------

    def wake(self) -> None:
        if self.wake_event is not None:
            self.wake_event.set()
