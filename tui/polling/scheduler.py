"""The one scheduler every request of a cypkg process goes through.

:class:`WatchScheduler` — one queue of due times for all polled packages (watched
ones, and those a detail screen shows: its *holders*). It hands out requests
within a global budget (:mod:`tui.polling.requests`) and applies each package's
:class:`tui.polling.policy.PollState` (interval, backoff, terminal states). 100
watched packages therefore never mean 100 requests at once: requests asked for
by hand go first, then the most overdue, as the budget allows.
:func:`tui.polling.driver.drive` is the asyncio driver the TUI uses; ``cypkg watch``
drives it with plain sleeps.

With ``batch=True`` every watched package still ``started`` (or not fetched
yet) is refreshed by one :class:`ListRequest` a round — ``GET
/packages/v2?status=started&page_size=200``, more pages only while a watched
one is still unseen — whatever their number; one missing from the answer has
left ``started`` and gets one GET by ID for its final state. When the list
cannot be used (no ``opticspkgconfig:list`` scope: 403) the scheduler falls
back to a GET per package for good and says why (:attr:`per_package_reason`).
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import replace

from tui.api.client import SCOPE_LIST
from tui.api.errors import (
    ApiError,
    BadRequest,
    ConfigError,
    CypkgError,
    InvalidPackageId,
    MissingScope,
    NotFound,
    RateLimited,
    UsageError,
)
from tui.api.ids import normalize_package_id
from tui.api.models import Package, Status
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
    ListOutcome,
    ListRequest,
    Outcome,
    Request,
    Round,
    Watch,
    WatchEvent,
)


class WatchScheduler:
    """Due times for every watched package, one global request budget.

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
                watch.poll.consecutive_errors = 0
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

    # -- handing out requests ---------------------------------------------------

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

    def take(self, now: float | None = None) -> list[Request]:
        """What to request now, within the budget, most overdue first: package IDs to GET
        (marked in flight) and, when batching, a :class:`ListRequest` for every started one."""
        now = self.clock() if now is None else now
        paused = self.held_until(now) is not None
        if not paused:
            self.paused_until = self.paused_by = None
        elif self._round is not None and not self._round.sending:
            self._end_round(now, by_id=False)  # its next page waits: start over after the pause
        taken: list[Request] = []
        deferred: list[tuple[float, int, str]] = []
        in_flight = self.in_flight
        while in_flight < self.max_in_flight and self._budget.available(now):
            request: Request
            if self._errands:  # asked for by hand: before the polls, even in a pause
                request = self._errands.popleft()
                self._errands_out += 1
                self._spent(taken, request)
                in_flight += 1
                continue
            watch: Watch | None = self._next_forced(now)
            if watch is not None:  # asked for by hand: before the polls
                self._forced.discard(watch.package_id)
                self._forced_sent.add(watch.package_id)
            elif paused:
                break
            else:
                round_ = self._round
                if round_ is not None and not round_.sending:  # the next page of a round
                    round_.sending, round_.page = True, round_.page + 1
                    request = ListRequest(round_.page)
                    self._spent(taken, request)
                    in_flight += 1
                    continue
                watch = self._head()
                if watch is None or watch.due is None or watch.due > now:
                    break
                if self._listed(watch):
                    if round_ is not None:  # the round under way was sent before it was due
                        deferred.append(heapq.heappop(self._queue))
                        continue
                    members = self._round_members()
                    if len(members) > 1:  # for one package alone a GET costs the same
                        self._round = self._start_round(members)
                        self._spent(taken, ListRequest(1))
                        in_flight += 1
                        continue
                heapq.heappop(self._queue)
            watch.in_flight = True
            watch.requests += 1
            watch.sent_at = now
            watch.once = False
            self._spent(taken, watch.package_id)
            in_flight += 1
        for entry in deferred:
            heapq.heappush(self._queue, entry)
        self.peak_in_flight = max(self.peak_in_flight, in_flight)
        return taken

    def _spent(self, taken: list[Request], request: Request) -> None:
        self._budget.spend()
        self.started += 1
        taken.append(request)

    def _round_members(self) -> set[str]:
        """Every idle watch the list refreshes, due or not: one request costs the same."""
        return {
            pid
            for pid, w in self.watches.items()
            if not w.in_flight and w.due is not None and self._listed(w)
        }

    def _start_round(self, members: set[str]) -> Round:
        now = self.clock()
        for pid in members:
            watch = self.watches[pid]
            watch.in_flight = True
            watch.requests += 1
            watch.sent_at = now
        return Round(members)

    def _end_round(self, now: float, *, by_id: bool) -> None:
        """The round is over; those it has not seen are due now (``by_id``: by a GET)."""
        round_, self._round = self._round, None
        for pid in round_.members if round_ is not None else ():
            watch = self.watches.get(pid)
            if watch is not None:
                watch.in_flight = False
                watch.by_id = by_id
                self._set_due(watch, now)
        self.wake()

    def _next_forced(self, now: float) -> Watch | None:
        """A package refreshed by hand that is due, if one waits (its heap entry, still
        there, is skipped by :meth:`_head` as in flight, then as stale)."""
        for package_id in sorted(self._forced):
            watch = self._forced_watch(package_id)
            if watch is not None and watch.due is not None and watch.due <= now:
                return watch
        return None

    def _forced_watch(self, package_id: str) -> Watch | None:
        watch = self.watches.get(package_id)
        if watch is None or watch.in_flight or watch.due is None:
            self._forced.discard(package_id)  # answered another way, or gone
            return None
        return watch

    def _forced_due(self) -> float | None:
        """When the next package refreshed by hand may go (its minimum spacing)."""
        dues = [w.due for pid in sorted(self._forced) if (w := self._forced_watch(pid))]
        return min((d for d in dues if d is not None), default=None)

    def next_wakeup(self, now: float | None = None) -> float | None:
        """When :meth:`take` may next return something; None: only a completion can tell."""
        now = self.clock() if now is None else now
        if self.in_flight >= self.max_in_flight:
            return None
        slot = self._budget.next_slot(now)
        if slot is None:
            return None
        if self._errands:
            return slot
        forced = self._forced_due()
        forced_at = None if forced is None else max(forced, slot)
        round_ = self._round
        if round_ is not None and not round_.sending and self.held_until(now) is None:
            return slot  # the next page
        due = self._next_due(round_ is not None)
        if due is None:
            return forced_at
        when = max(due, slot)
        if self.paused_until is not None:
            when = max(when, self.paused_until)
        return when if forced_at is None else min(when, forced_at)

    def _next_due(self, round_under_way: bool) -> float | None:
        """The earliest due time :meth:`take` can act on (listed ones wait for a round)."""
        watch = self._head()
        if watch is None or watch.due is None:
            return None
        if not (round_under_way and self._listed(watch)):
            return watch.due
        dues = [
            w.due
            for w in self.watches.values()
            if w.due is not None and not w.in_flight and not self._listed(w)
        ]
        return min(dues, default=None)

    # -- results ----------------------------------------------------------------

    def complete(
        self,
        package_id: str,
        outcome: Outcome | None,
        *,
        wall: float | None = None,
        requests: int = 1,
    ) -> WatchEvent | None:
        """Apply a reply; None when the package was removed meanwhile.

        ``outcome`` None means "stale, ask again" (e.g. the profile changed);
        ``requests``: what it cost the service (2 with a sign-in).
        """
        watch = self.watches.get(package_id)
        now = self.clock()
        self._budget.release(now, requests)
        if watch is None:
            self.wake()
            return None
        watch.in_flight = False
        if package_id in self._forced_sent:
            self._forced_sent.discard(package_id)
            if isinstance(outcome, Package):  # asked by hand and answered: the pause is over
                self.end_pause()
        if outcome is None:
            self._set_due(watch, now)
            return WatchEvent(package_id, watch)
        if isinstance(outcome, Package):
            watch.by_id = False  # still started after all: the list covers it again
            return self._success(watch, outcome, now, time.time() if wall is None else wall)
        return self._failure(watch, outcome, now)

    def complete_list(
        self,
        request: ListRequest,
        outcome: ListOutcome | None,
        *,
        wall: float | None = None,
        requests: int = 1,
    ) -> list[WatchEvent]:
        """Apply a list page: an event for each watched package in it (or, when the list
        failed like a GET can, for each one it was to refresh).

        Those still unseen after the last page needed have left ``started``: each gets
        a GET by ID. A list the API app may not use (403) ends batching for good.
        ``outcome`` None means "stale, ask again".
        """
        now = self.clock()
        self._budget.release(now, requests)
        round_ = self._round
        if round_ is None or not round_.sending or request.page != round_.page:
            self.wake()
            return []
        round_.sending = False
        if outcome is None:
            self._end_round(now, by_id=False)
            return []
        if isinstance(outcome, CypkgError):
            return self._list_failed(round_, outcome, now)
        wall = time.time() if wall is None else wall
        events: list[WatchEvent] = []
        self._page_cost = self._round_cost()
        try:
            for package in outcome.items:
                pid = _normalized(package.package_id)
                if pid is None or pid not in round_.members:
                    continue
                round_.members.discard(pid)
                watch = self.watches.get(pid)
                if watch is not None:
                    watch.in_flight = False
                    events.append(replace(self._success(watch, package, now, wall), listed=True))
        finally:
            self._page_cost = None
        more = (outcome.total_pages or 0) > round_.page and bool(outcome.items)
        if round_.members and more:
            self.wake()  # the next page, as the budget allows
            return events
        self._pages = round_.page
        self._end_round(now, by_id=True)
        return events

    def _list_failed(self, round_: Round, error: CypkgError, now: float) -> list[WatchEvent]:
        if _list_unusable(error):
            self.list_refused = error  # decided once: per-package GETs from now on
            self._end_round(now, by_id=False)
            return []
        self._round = None
        events: list[WatchEvent] = []
        for pid in round_.members:  # as if each one's GET had failed so: same back-off, pause
            watch = self.watches.get(pid)
            if watch is not None:
                watch.in_flight = False
                events.append(replace(self._failure(watch, error, now), listed=True))
        self.wake()
        return events

    def _success(self, watch: Watch, package: Package, now: float, wall: float) -> WatchEvent:
        watch.package = package
        watch.error = None
        watch.updated_at = wall
        delay = watch.poll.after_success(package, now=now)
        finished: Status | None = None
        if not package.status.is_terminal:
            watch.seen_started = True
        elif watch.seen_started:
            watch.seen_started = False  # announce once
            finished = package.status
        self._set_due(watch, None if delay is None else now + delay)
        return WatchEvent(watch.package_id, watch, finished=finished)

    def _failure(self, watch: Watch, error: CypkgError, now: float) -> WatchEvent:
        watch.error = error
        if self._rng is not None:
            delay = watch.poll.after_error(error, self._rng, now=now)
        else:
            delay = watch.poll.after_error(error, now=now)
        if isinstance(error, RateLimited):
            self.pause(error, now)
        self._set_due(watch, None if delay is None else now + delay)
        return WatchEvent(watch.package_id, watch, stopped_by=error if delay is None else None)

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


def _normalized(package_id: str | None) -> str | None:
    try:
        return normalize_package_id(package_id) if package_id else None
    except InvalidPackageId:
        return None


def _list_unusable(error: CypkgError) -> bool:
    """A list failure another try will not fix, though a GET may work: no list scope
    (403), a query refused, a bug. Sign-in and settings problems hit GETs too."""
    if isinstance(error, (MissingScope, BadRequest, NotFound, UsageError)):
        return True
    return not isinstance(error, (ApiError, ConfigError))
