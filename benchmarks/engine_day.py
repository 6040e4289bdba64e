"""11c/11d: a day of watching started packages, in virtual time, with the app's own engine.

The app's :class:`tui.polling.scheduler.WatchScheduler` (the sans-IO core every
screen and ``cypkg watch`` go through) is driven here as its drivers drive
it: ``take`` what is due, answer it, ``complete``/``complete_list``, sleep
until ``next_wakeup``. Nothing is sent anywhere: every request is answered at
once (a list page holding every watched package as ``started``, or the
package itself), and counted in the real :class:`tui.polling.daily_count.DailyCounter`
(its file in a temporary state dir) whose ``pace`` stretches the interval as
the app's does. The wall clock is fake: the day starts at 00:00 UTC and ends
24 h later, so the pacer sees the whole day.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

#: 2026-01-01 00:00:00 UTC.
DAY_START = 1_767_225_600.0
DAY = 86_400.0


@dataclass
class Day:
    """What one simulated day cost."""

    requests: int
    lists: int
    gets: int
    #: The longest interval the pacer asked for (the base one when it never stretched).
    longest_interval: float
    #: When the pacer first stretched the interval (seconds after 00:00), None: never.
    first_stretch: float | None
    #: The longest gap between two refreshes of one package (virtual seconds).
    worst_age: float
    #: The daily counter's count for the first UTC day (its file, as last synced by then).
    counted: int | None
    #: Requests whose wall time fell in the next UTC day (float rounding at 00:00).
    next_day: int


def simulate_day(
    count: int,
    *,
    interval: float = 5.0,
    budget: int | None = 10_000,
    list_scope: bool = True,
    seconds: float = DAY,
) -> Day:
    """``count`` watched started packages for ``seconds`` from 00:00 UTC; ``budget`` None:
    no pacer (``pace=None``)."""
    from tui.api.errors import MissingScope
    from tui.api.models import Package, PackagePage, Status
    from tui.polling.budget import Pace
    from tui.polling.daily_count import DailyCounter
    from tui.polling.requests import ListRequest
    from tui.polling.scheduler import WatchScheduler

    tenant = "bench-tenant"
    now = [0.0]  # virtual monotonic seconds since 00:00 UTC

    def monotonic() -> float:
        return now[0]

    def wall() -> float:
        return DAY_START + now[0]

    with tempfile.TemporaryDirectory(prefix="cypkg-bench-day-") as state:
        path = Path(state) / "requests.json"
        counter = (
            DailyCounter(path, tenant, budget, clock=wall, monotonic=monotonic)
            if budget is not None
            else None
        )
        longest = [interval]
        first_stretch: list[float] = []

        def pace(base: float, per_round: int = 1) -> Pace:
            assert counter is not None
            result = counter.pace(base, per_round)
            longest[0] = max(longest[0], result.interval)
            if result.stretched and not first_stretch:
                first_stretch.append(now[0])
            return result

        scheduler = WatchScheduler(
            clock=monotonic,
            interval=interval,
            pace=pace if counter is not None else None,
            batch=True,
            rng=lambda: 0.5,
        )
        ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(count)]
        packages = {
            pid: Package(package_id=pid, status=Status.STARTED, status_text="started")
            for pid in ids
        }
        page = PackagePage(1, 200, 1, count, tuple(packages.values()))
        for pid in ids:
            scheduler.add(pid)
        last_seen: dict[str, float] = {}
        worst = 0.0
        lists = gets = next_day = 0
        counted: int | None = None
        refused = MissingScope("opticspkgconfig:list")

        def seen(pid: str) -> None:
            nonlocal worst
            before = last_seen.get(pid)
            if before is not None:
                worst = max(worst, now[0] - before)
            last_seen[pid] = now[0]

        while now[0] < seconds:
            taken = scheduler.take(now[0])
            for request in taken:
                if counter is not None:
                    counter.add(1)
                    if wall() < DAY_START + DAY:
                        counted = counter.used_today()
                if wall() >= DAY_START + DAY:
                    next_day += 1
                if isinstance(request, ListRequest):
                    lists += 1
                    if not list_scope:
                        scheduler.complete_list(request, refused, wall=wall())
                        continue
                    for event in scheduler.complete_list(request, page, wall=wall()):
                        seen(event.package_id)
                elif isinstance(request, str):
                    gets += 1
                    scheduler.complete(request, packages[request], wall=wall())
                    seen(request)
                else:  # pragma: no cover - no errands here
                    raise RuntimeError(f"unexpected request {request!r}")
            wake = scheduler.next_wakeup(now[0])
            if wake is None:
                if taken:
                    continue
                break
            if wake >= seconds:  # the next request is in the next day
                break
            now[0] = max(wake, now[0]) if taken else max(wake, now[0] + 1e-6)
        if counter is not None:
            counter.close()
        return Day(
            requests=lists + gets - next_day,
            lists=lists,
            gets=gets,
            longest_interval=longest[0],
            first_stretch=first_stretch[0] if first_stretch else None,
            worst_age=worst,
            counted=counted,
            next_day=next_day,
        )
