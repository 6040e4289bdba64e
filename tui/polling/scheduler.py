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

import time
from dataclasses import replace

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
from tui.polling.handout import RequestQueue
from tui.polling.requests import ListOutcome, ListRequest, Outcome, Round, Watch, WatchEvent

__all__ = ["WatchScheduler"]


class WatchScheduler(RequestQueue):
    """Due times for every watched package, one global request budget.

    Not thread-safe: use it from one thread (the TUI's event loop, or the CLI's
    main thread). Time is the monotonic ``clock`` given. Its parts: the watches
    and pauses (:mod:`tui.polling.watches`), the hand-out order
    (:mod:`tui.polling.handout`), and here the replies.
    """

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
