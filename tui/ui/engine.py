"""The app's one request engine: every request of the TUI goes through it.

:class:`RequestEngine` belongs to the app, not to a screen, so watched packages
keep being polled (and announce their outcome) whatever screen is shown. It owns
the app's one :class:`tui.polling.scheduler.WatchScheduler` — one queue of due
times, one global request budget — run by a single app worker; every request goes
through the app's one client (one token) in a daemon thread.

Its clients: the watchlist (:attr:`RequestEngine.store`), every detail screen (a
*view* of its package's watch: :meth:`RequestEngine.view`) and the package
browser's page loads (:meth:`RequestEngine.request`). A package is polled once per
interval whatever shows it, its statuses are recorded once, and a finished upload
is announced once, here. Screens hear of changes through two Textual signals:
:attr:`RequestEngine.changed` (the watchlist) and :attr:`RequestEngine.package_events`
(each applied reply).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, TypeVar

from textual.signal import Signal
from textual.worker import Worker, WorkerState

from tui.api.errors import InvalidPackageId, RateLimited
from tui.api.ids import extract_package_id
from tui.api.models import Package, Status
from tui.base.safe_text import inert
from tui.polling.driver import drive
from tui.polling.present import STATUS_LABELS
from tui.polling.requests import WATCHLIST, Sent, WatchEvent
from tui.polling.scheduler import WatchScheduler
from tui.ui.requests import counted, fetch_package, fetch_started_page, in_daemon_thread
from tui.ui.term_title import notify_kind, notify_sequence

if TYPE_CHECKING:
    from tui.polling.requests import ListOutcome, ListRequest, Outcome, Watch
    from tui.ui.app import CypkgApp

T = TypeVar("T")


class RequestEngine:
    """The watched packages of this app, the packages its screens show, and their one
    scheduler (every request of the app goes through it)."""

    def __init__(self, app: CypkgApp) -> None:
        self.app = app
        self.store = app.watchlist_store
        options = app.options
        self.scheduler = WatchScheduler(
            clock=options.monotonic,
            interval=app.poll_interval(),
            min_interval=options.min_poll_interval,
            rng=options.rng,
            pace=app.pace,
            batch=True,
            max_per_window=options.max_per_window,
            first_retry=options.first_retry,
        )
        #: The watchlist changed (a package added, removed, polled): its screen redraws.
        self.changed: Signal[None] = Signal(app, "watchlist-changed")
        #: Each reply applied, for the views of its package (detail screens).
        self.package_events: Signal[WatchEvent] = Signal(app, "package-event")
        #: Per package, the body last seen and when (wall clock) it last changed: the
        #: rows show that, so a poll that brings the same body repaints nothing.
        self._bodies: dict[str, tuple[str, float]] = {}
        self._worker: Worker[None] | None = None
        self._unsaved = False
        for entry in self.store.entries:
            self.scheduler.add(entry.package_id)

    # -- life ---------------------------------------------------------------------

    @property
    def running(self) -> bool:
        worker = self._worker
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def start(self) -> None:
        """Run the scheduler in an app worker while any package is polled (it ends by itself)."""
        interval = self.app.poll_interval()
        if interval != self.scheduler.interval:  # the settings changed it
            self.scheduler.set_interval(interval)
        if self.running or not self.scheduler.busy:
            return
        self._worker = self.app.run_worker(
            drive(
                self.scheduler,
                self._fetch,
                self._on_event,
                wall=self.app.options.clock,
                fetch_list=self._fetch_list,
                on_list=self._after_list,
            ),
            group="watchlist",
            exit_on_error=False,
            name="watchlist",
        )

    def _changed(self) -> None:
        self._publish(self.changed, None)

    def _publish(self, signal: Signal[T], data: T) -> None:
        try:
            signal.publish(data)
        except Exception as exc:  # a screen's redraw must not stop the polling
            self.app.log.error(f"{signal} subscriber failed", exc)

    def _save(self) -> None:
        store = self.store
        self.app.run_worker(store.save, thread=True, group="watchlist-save", exit_on_error=False)

    # -- membership ---------------------------------------------------------------

    def watch(self, package_id: str, *, name: str | None = None, status: str | None = None) -> bool:
        """Add a package and say so; True when it was added."""
        try:
            pid = extract_package_id(package_id)
        except InvalidPackageId:
            self.app.notify(
                "That is not a package ID.", title="Not watched", severity="warning", timeout=5
            )
            return False
        result = self.store.add(pid, name=name, status=status)
        if result == "refused":
            self._refused()
            return False
        if result == "full":
            self.app.notify(
                f"The watchlist holds at most {self.store.limit} packages; remove one first.",
                title="Watchlist full",
                severity="warning",
                timeout=6,
            )
            return False
        shown = inert(name or pid, limit=60)
        if result == "present":
            self.app.notify(f"{shown} is already on the watchlist.", timeout=4, markup=False)
            return False
        self.scheduler.add(pid)
        self._save()
        self.start()
        self._changed()
        # "F4 shows it" only where the watchlist is not what is shown already.
        on_it = getattr(self.app.screen, "shows_watchlist", False)
        where = "" if on_it else ", F4 shows it"
        self.app.notify(
            f"Watching {shown} ({len(self.store)} on the watchlist{where}).",
            timeout=4,
            markup=False,
        )
        return True

    def unwatch(self, package_id: str) -> bool:
        if self.store.read_only:
            self._refused()
            return False
        removed = self.store.remove(package_id)
        if self.scheduler.release(package_id, WATCHLIST):  # a detail screen may still show it
            self._bodies.pop(package_id, None)
        if removed:
            self._save()
            self._changed()
        return removed

    def _refused(self) -> None:
        """The watchlist file is kept as it is (over the limits, a link): say why."""
        self.app.notify(
            self.store.notice or "The watchlist file cannot be changed.",
            title="Watchlist kept as it is",
            severity="warning",
            timeout=8,
            markup=False,
        )

    def refresh(self, package_id: str | None = None) -> None:
        self.scheduler.refresh(package_id)
        self.start()

    # -- views (detail screens) ------------------------------------------------------

    def view(self, package_id: str, holder: str) -> Watch:
        """A detail screen shows ``package_id``: poll it (once, whoever else does) until
        :meth:`unview`; :attr:`package_events` tells of each reply.

        A package polled already and answered within its interval is not asked for
        again; one that stopped (finished, or an error) or has no answer yet is
        fetched now, as if asked by hand (during a rate-limit pause too).
        """
        scheduler = self.scheduler
        watch = scheduler.add(package_id, holder=holder)
        if not watch.in_flight:
            now = self.app.options.monotonic()
            fresh = watch.sent_at is not None and now - watch.sent_at < scheduler.interval
            if watch.package is None or not (watch.due is not None and fresh):
                # Opened by hand: it goes during a rate-limit pause too (like r).
                scheduler.refresh(package_id)
        self.start()
        return watch

    def expect_outcome(self, package_id: str) -> None:
        """A package this app just created and uploaded (a view holds it): it was
        ``started``, so its final status is announced even if the first answer has it."""
        watch = self.scheduler.watches.get(package_id)
        if watch is not None:
            watch.seen_started = True

    def unview(self, package_id: str, holder: str) -> None:
        """The detail screen left: its interest (and its pause) go; so does the package,
        unless the watchlist or another view still holds it."""
        if self.scheduler.release(package_id, holder):
            self._bodies.pop(package_id, None)

    def pause(self, package_id: str, holder: str, paused: bool) -> None:
        """Pause (or resume) polling ``package_id`` for a view (``p`` on its screen)."""
        self.scheduler.hold(package_id, holder, paused=paused)
        self.start()
        self._changed()

    async def request(self, call: Callable[[], T]) -> T:
        """Run a one-off blocking client call (a page of the package browser) through
        the engine's budget, in a daemon thread; its errors are raised here."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()

        async def run() -> int:
            try:
                result, sent = await in_daemon_thread(functools.partial(counted, call))
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
                return 1
            if not future.done():
                future.set_result(result)
            return sent

        self.scheduler.errand(run)
        self.start()
        return await future

    def watch_state(self, package_id: str) -> Watch | None:
        return self.scheduler.watches.get(package_id)

    def rate_limited_until(self) -> datetime | None:
        """When the pause a 429 started ends (wall clock), or None when there is none."""
        options = self.app.options
        now = options.monotonic()
        held = self.scheduler.held_until(now)
        if held is None:
            return None
        return datetime.fromtimestamp(options.clock() + (held - now), tz=timezone.utc)

    def rate_limited(self, error: RateLimited) -> None:
        """A 429 some screen got: the budget is the tenant's, so the watchlist waits too."""
        self.scheduler.pause(error)
        self._changed()

    def end_pause(self) -> None:
        """A screen's request sent by hand (r) during the pause was answered: resume."""
        if self.scheduler.held_until() is not None:
            self.scheduler.end_pause()
            self.start()
            self._changed()

    # -- polling ------------------------------------------------------------------

    async def _fetch(self, package_id: str) -> Sent[Outcome]:
        return await self._sent(functools.partial(fetch_package, self.app, package_id))

    async def _fetch_list(self, request: ListRequest) -> Sent[ListOutcome]:
        return await self._sent(functools.partial(fetch_started_page, self.app, request))

    async def _sent(self, call: Callable[[], T]) -> Sent[T]:
        """``call()`` in a daemon thread, with the requests it sent; its outcome is None
        (ask again) when it was made with the previous profile's client."""
        app = self.app
        generation = app.client_generation
        outcome, sent = await in_daemon_thread(functools.partial(counted, call))
        if generation != app.client_generation:
            return Sent(None, sent)
        return Sent(outcome, sent)

    def changed_at(self, package_id: str) -> float | None:
        """When (wall clock) the package's body was last seen to change; None before a fetch."""
        seen = self._bodies.get(package_id)
        return seen[1] if seen is not None else None

    def _note_body(self, package_id: str, package: Package, at: float | None) -> None:
        seen = self._bodies.get(package_id)
        if seen is None or seen[0] != package.raw:
            self._bodies[package_id] = (
                package.raw,
                at if at is not None else self.app.options.clock(),
            )

    def _on_event(self, event: WatchEvent) -> None:
        package = event.watch.package
        if package is not None and event.watch.error is None:
            self._note_body(event.package_id, package, event.watch.updated_at)
            self.app.history.record(event.package_id, package, self.app.options.clock())
            status = package.status_text or package.status.value
            if self.store.update(event.package_id, name=package.name, status=status):
                if event.listed:
                    self._unsaved = True  # saved once for the page (_after_list)
                else:
                    self._save()
        if event.finished is not None and package is not None:
            self._announce(event.package_id, package)
        self._publish(self.package_events, event)
        if not event.listed:  # a list page's events redraw once, after the page (on_list)
            self._changed()

    def _after_list(self) -> None:
        """A list page was applied: one save and one redraw for all the packages in it."""
        if self._unsaved:
            self._unsaved = False
            self._save()
        self._changed()

    def _announce(self, package_id: str, package: Package) -> None:
        symbol, word = STATUS_LABELS[package.status]
        name = inert(package.name or package_id, limit=60)
        severity = {Status.SUCCESS: "information", Status.FAILED: "error"}.get(
            package.status, "warning"
        )
        self.app.notify(
            f"{name}: {symbol} {word}",
            title="Upload finished",
            severity=severity,  # type: ignore[arg-type]
            markup=False,
            timeout=15,
        )
        self.app.bell()
        kind = notify_kind(self.app.config.settings.get("desktop_notifications"))
        if kind is not None:
            self.app.terminal_title.write(
                notify_sequence(kind, "cypkg", f"{name}: {symbol} {word}")
            )
