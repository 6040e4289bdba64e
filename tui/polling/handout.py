"""Handing out the scheduler's requests: most overdue first, within the budget.

:class:`RequestQueue` adds to :class:`tui.polling.watches.WatchSet` the order
requests go in (errands and packages asked for by hand first, then list rounds
and the most overdue polls) and when the next one may go.
"""

from __future__ import annotations

import heapq

from tui.polling.requests import ListRequest, Request, Round, Watch
from tui.polling.watches import WatchSet


class RequestQueue(WatchSet):
    """What to request now, and when to ask again (see :class:`WatchSet`)."""

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
