"""``cypkg watch``: packages polled by the one scheduler the TUI uses too, with plain
sleeps that a signal ends at once."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.api.models import Package
    from tui.config import Profile
    from tui.polling.clients import Demo
    from tui.polling.daily_count import DailyCounter
from tui.cli import common
from tui.cli.common import (
    EXIT_NETWORK,
    _client,
    _compact,
    _daily,
    _package_id,
    _safe_json,
    _Signalled,
    _Subject,
    _write,
)

_SLEEP_SLICE = 0.5


def _sleep(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        received = common._SIGNALS_RECEIVED  # the handler's list (tests swap it)
        if received:
            raise _Signalled(received[-1])
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, _SLEEP_SLICE))


def _cmd_watch(args: argparse.Namespace, profile: Profile, demo: Demo | None) -> int:
    given = args.package_id if isinstance(args.package_id, list) else [args.package_id]
    # Every ID is checked before any request; repeats are watched once.
    package_ids = list(dict.fromkeys(_package_id(value) for value in given))
    return _watch_many(args, profile, demo, package_ids)


def _monotonic() -> float:
    return time.monotonic()


class _StretchNote:
    """Says on stderr when the daily budget starts (or stops) stretching the interval."""

    def __init__(self, daily: DailyCounter, subject: str = "") -> None:
        self.daily = daily
        self.subject = subject
        self.told: str | None = None

    def tell(self, reason: str | None) -> None:
        # Once when it starts, stops, or the budget is used up; not for every second more.
        if _stretch_kind(reason) == _stretch_kind(self.told):
            return
        from tui.cli.format import note
        from tui.polling.budget import usage_text

        if reason is not None:
            used = usage_text(self.daily.used_today(), self.daily.budget)
            print(note(self.subject, f"{reason} ({used})."), file=sys.stderr)
        elif self.told is not None:
            back = "the daily budget no longer stretches the interval."
            print(note(self.subject, back), file=sys.stderr)
        self.told = reason


def _stretch_kind(reason: str | None) -> str | None:
    return None if reason is None else reason.rsplit(": ", 1)[-1]


def _watch_many(
    args: argparse.Namespace, profile: Profile, demo: Demo | None, package_ids: list[str]
) -> int:
    """Watch packages with the one scheduler the TUI uses too (one request at a time,
    ≤ 5 a second).

    The started ones are refreshed by one list request a round when the API app
    may list (else one GET each, said once on stderr). One line per change per
    package; a package that cannot be watched any more (not found, no
    permission, given up) is reported on stderr and the others go on. The exit
    code is the worst outcome (see ``worst_exit_code``).
    """
    from tui.api.errors import CypkgError
    from tui.api.models import PackagePage
    from tui.api.retry import POLL_RETRY
    from tui.cli.format import after, note, stopped_lines, watch_line
    from tui.polling.policy import clamp_interval, exit_code_for, worst_exit_code
    from tui.polling.requests import ListRequest, Watch, WatchEvent
    from tui.polling.scheduler import WatchScheduler

    interval = clamp_interval(args.interval if args.interval is not None else profile.poll_interval)
    daily = _daily(profile, demo)
    scheduler = WatchScheduler(
        clock=_monotonic,
        interval=interval,
        max_in_flight=1,
        give_up_after=args.give_up_after,
        pace=daily.pace,
        batch=True,
    )
    stretch = _StretchNote(daily, package_ids[0] if len(package_ids) == 1 else "")
    for package_id in package_ids:
        scheduler.add(package_id)
    codes: dict[str, int] = {}
    last: dict[str, tuple[object, ...]] = {}
    subject = _Subject()
    raws: dict[str, str] = {}
    told: list[str] = []  # the fallback to per-package polling, said once

    def stopped(watch: Watch, error: CypkgError) -> None:
        for line in stopped_lines(watch.package_id, error, watch.poll, _monotonic()):
            print(line, file=sys.stderr)
        codes[watch.package_id] = EXIT_NETWORK if watch.poll.give_up_reason else error.exit_code

    def show(event: WatchEvent, *, quiet: bool = False) -> None:
        """One applied reply: a line when the status changed, the error on stderr."""
        watch, package_id = event.watch, event.package_id
        if watch.error is not None:
            if watch.due is None:
                stopped(watch, watch.error)
            elif not quiet:
                wait = after(watch.due - _monotonic())
                print(note(package_id, f"{watch.error} Polling again {wait}."), file=sys.stderr)
            return
        package = watch.package
        if package is None:
            return
        key = (package.status, package.status_text)
        if last.get(package_id) != key:
            last[package_id] = key
            if args.json:
                raw = package.raw or raws.get(package_id, "")
                _write(_safe_json(_compact(raw)) + "\n")
            else:
                _write(watch_line(package) + "\n")
        if watch.due is None:
            codes[package_id] = exit_code_for(package.status)

    def listed(request: ListRequest) -> None:
        """One page of the started list: every watched package in it, at once."""
        subject.package_id = "started packages"
        outcome: PackagePage | CypkgError
        try:
            outcome = client.list_packages(request.page, request.page_size, None, request.filters)
        except CypkgError as exc:
            outcome = exc
        if isinstance(outcome, PackagePage) and args.json:
            raws.clear()
            raws.update(_page_items(outcome.raw))
        events = scheduler.complete_list(request, outcome)
        if isinstance(outcome, CypkgError) and events:
            # One line for the round, not one per package it was to refresh.
            due = min((e.watch.due for e in events if e.watch.due is not None), default=None)
            if due is not None:
                wait = after(due - _monotonic())
                print(note(subject.package_id, f"{outcome} Polling again {wait}."), file=sys.stderr)
        for event in events:
            show(event, quiet=True)
        reason = scheduler.per_package_reason
        if reason is not None and not told:
            told.append(reason)
            print(note("", reason + "."), file=sys.stderr)

    with _client(profile, demo, subject=subject, retry=POLL_RETRY, daily=daily) as client:
        while scheduler.active:
            for request in scheduler.take():
                if isinstance(request, ListRequest):
                    listed(request)
                    continue
                assert isinstance(request, str)  # the CLI queues no errands
                subject.package_id = request
                try:
                    outcome: Package | CypkgError = client.get_package(request)
                except CypkgError as exc:
                    outcome = exc
                event = scheduler.complete(request, outcome)
                if event is not None:
                    show(event)
            paced = scheduler.stretched
            stretch.tell(paced.reason if paced is not None and scheduler.active else None)
            # A 429 pausing everybody past their give-up point ends them too.
            for held in scheduler.give_up_held():
                if held.error is not None:
                    stopped(held, held.error)
            wakeup = scheduler.next_wakeup()
            if wakeup is not None:
                _sleep(max(wakeup - _monotonic(), 0.0))
    return worst_exit_code(list(codes.values()))


def _page_items(raw: str) -> dict[str, str]:
    """Each item of a list page as its own JSON text, by package ID (for ``--json``)."""
    import json

    try:
        items = json.loads(raw).get("page_items")
    except (ValueError, AttributeError):
        return {}
    found: dict[str, str] = {}
    for item in items if isinstance(items, list) else ():
        pid = item.get("packageId") if isinstance(item, dict) else None
        if isinstance(pid, str):
            found[pid.lower()] = json.dumps(item, ensure_ascii=False)
    return found
