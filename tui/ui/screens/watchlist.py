"""The watchlist: many packages watched at once, and the service that polls them.

:class:`WatchlistService` belongs to the app, not to the screen, so watched
packages keep being polled (and announce their outcome) whatever screen is
shown. It owns the app's one :class:`tui.polling.scheduler.WatchScheduler` — one queue
of due times, one global request budget — run by a single app worker; every
request goes through the app's one client (one token) in a daemon thread.

It is the app's one request engine: the watchlist, every detail screen (a
*view* of its package's watch: :meth:`WatchlistService.view`) and the package
browser's page loads (:meth:`WatchlistService.request`) are its clients. A
package is polled once per interval whatever shows it, its statuses are
recorded once, and a finished upload is announced once, here.

:class:`WatchlistScreen` shows the list: name, status, elapsed time against
the timeout and the last update of each package, updated live.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from tui.api.errors import InvalidPackageId, RateLimited
from tui.api.ids import extract_package_id
from tui.api.models import Package, Status
from tui.base.safe_text import inert
from tui.polling.budget import usage_text
from tui.polling.driver import drive
from tui.polling.present import (
    STATUS_LABELS,
    human_duration,
    progress,
    status_label,
    until_label,
    watch_step,
)
from tui.polling.requests import MAX_PER_WINDOW, WATCHLIST, Sent, SentList, WatchEvent
from tui.polling.scheduler import WatchScheduler
from tui.ui.requests import counted, fetch_package, fetch_started_page, in_daemon_thread
from tui.ui.term_title import notify_kind, notify_sequence
from tui.ui.title import refresh_title
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.fields import ValueStatic
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.still import StillInput
from tui.ui.widgets.watch_table import WatchHeader, WatchRow, WatchTable

if TYPE_CHECKING:
    from tui.polling.requests import ListRequest, Watch
    from tui.polling.watchlist import WatchEntry
    from tui.ui.app import CypkgApp

T = TypeVar("T")


class WatchlistService:
    """The watched packages of this app and their one poll scheduler."""

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
        )
        self._listeners: list[Callable[[], None]] = []
        #: Per package, the views (detail screens) told of each of its events.
        self._views: dict[str, dict[str, Callable[[WatchEvent], None]]] = {}
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

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every change; returns the function that unsubscribes."""
        self._listeners.append(listener)
        return functools.partial(self._unsubscribe, listener)

    def _unsubscribe(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception as exc:  # a screen's redraw must not stop the polling
                self.app.log.error("watchlist listener failed", exc)

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
        self.app.notify(
            f"Watching {shown} ({len(self.store)} on the watchlist, F4 shows it).",
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

    def view(
        self, package_id: str, holder: str, listener: Callable[[WatchEvent], None]
    ) -> Watch:
        """A detail screen shows ``package_id``: poll it (once, whoever else does) and
        tell ``listener`` of each of its events until :meth:`unview`.

        A package polled already and answered within its interval is not asked for
        again; one that stopped (finished, or an error) or has no answer yet is
        fetched now, as if asked by hand (during a rate-limit pause too).
        """
        self._views.setdefault(package_id, {})[holder] = listener
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

    def unview(self, package_id: str, holder: str) -> None:
        """The detail screen left: its interest (and its pause) go; so does the package,
        unless the watchlist or another view still holds it."""
        views = self._views.get(package_id)
        if views is not None:
            views.pop(holder, None)
            if not views:
                del self._views[package_id]
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

    async def _fetch(self, package_id: str) -> Sent:
        app = self.app
        generation = app.client_generation
        call = functools.partial(fetch_package, app, package_id)
        outcome, sent = await in_daemon_thread(functools.partial(counted, call))
        if generation != app.client_generation:
            return Sent(None, sent)  # fetched with the previous profile's client: ask again
        return Sent(outcome, sent)

    async def _fetch_list(self, request: ListRequest) -> SentList:
        app = self.app
        generation = app.client_generation
        call = functools.partial(fetch_started_page, app, request)
        outcome, sent = await in_daemon_thread(functools.partial(counted, call))
        if generation != app.client_generation:
            return SentList(None, sent)  # fetched with the previous profile's client
        return SentList(outcome, sent)

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
        for listener in list(self._views.get(event.package_id, {}).values()):
            try:
                listener(event)
            except Exception as exc:  # a screen's redraw must not stop the polling
                self.app.log.error("package view failed", exc)
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


# --------------------------------------------------------------------------- rows


def watch_row(
    entry: WatchEntry,
    watch: Watch | None,
    now: datetime,
    monotonic: float,
    held: str | None = None,
    changed_at: float | None = None,
) -> WatchRow:
    """The cells for one watched package: server text made inert, times made human.

    ``held``: the end of a rate-limit pause ("14:05"), shown on every row it holds.
    ``changed_at``: when its body last changed; the last column shows that rather
    than the last poll, so an unchanged answer leaves the row as it is (the
    summary line says when a poll was last answered).
    """
    package = watch.package if watch is not None else None
    name = package.name if package is not None and package.name else entry.name
    shown_name = inert(name, limit=80) if name else inert(entry.package_id)
    state: Status | None = None
    if package is not None:
        status = status_label(package)
        state = package.status
    elif entry.status:
        parsed = Status.parse(entry.status)
        symbol, word = STATUS_LABELS[parsed]
        status = (
            f"{symbol} {word if parsed is not Status.UNKNOWN else inert(entry.status, limit=20)}"
        )
    else:
        status = "… waiting"
    elapsed = "—"
    if package is not None:
        # 10 s steps in the first minute, then whole minutes: a row on screen
        # changes once a minute, not every second (bytes over SSH, for hours).
        shown = progress(package, now, step=watch_step)
        if shown is not None:
            elapsed = shown[1]
    updated = "not fetched yet"
    problem = False
    if watch is not None and watch.updated_at is not None:
        at = changed_at if changed_at is not None else watch.updated_at
        stamp = datetime.fromtimestamp(at, tz=timezone.utc).astimezone()
        updated = f"{stamp:%H:%M:%S}"
        if package is not None and package.status.is_terminal and not watch.active:
            updated += " · final"
    if watch is not None and watch.error is not None:
        problem = True
        title = inert(watch.error.title, limit=24)
        if watch.in_flight:
            updated = "⚠ retrying now…"
        elif watch.due is None:
            updated = f"✘ {title}"
        else:
            updated = f"⚠ {title}, retry {human_duration(max(watch.due - monotonic, 0))}"
    elif watch is not None and watch.in_flight and watch.updated_at is None:
        updated = "fetching…"
    short = ""
    if held is not None and watch is not None and watch.due is not None and not watch.in_flight:
        # "⏸ until …" where the column is narrow: the header says "rate limited" then.
        problem, updated, short = True, f"rate limited until {held}", f"⏸ until {held}"
    return WatchRow(entry.package_id, shown_name, status, elapsed, updated, state, problem, short)


# --------------------------------------------------------------------------- screen


class WatchlistScreen(Screen[None]):
    """Every watched package, live."""

    DEFAULT_CSS = """
    #watch-notice {
        height: auto;
        max-height: 4;
        padding: 0 1;
        color: $text-warning;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="watchlist-back", tooltip="Back"),
        Binding("a", "focus_add", "Add", id="watchlist-add", tooltip="Add a package by ID"),
        Binding("x,delete", "remove", "Remove", id="watchlist-remove", tooltip="Stop watching it"),
        Binding("r", "refresh", "Refresh", id="watchlist-refresh", tooltip="Fetch the package now"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def cy(self) -> CypkgApp:
        return cast("CypkgApp", self.app)

    def compose(self) -> ComposeResult:
        yield ContextBar("Watchlist")
        yield ValueStatic(id="watch-summary")
        # Why the list shown is not the whole file, or is not saved (tui.base.entry_file).
        yield ValueStatic(id="watch-notice")
        yield StillInput(
            placeholder="a: add a package ID or URL, then Enter",
            id="watch-add",
            compact=True,
        )
        yield WatchHeader(id="watch-header")
        yield WatchTable(id="watch-table")
        yield Static(
            Content(
                "Nothing watched yet: type a package ID above, or press w on a package "
                "(detail screen, package browser)."
            ),
            id="watch-empty",
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        service = self.cy.watchlist
        service.start()
        self._unsubscribe = service.subscribe(self._update)
        self.set_interval(self.cy.options.tick, self._tick)
        self.query_one(WatchTable).focus()
        self._update()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def on_screen_resume(self) -> None:
        self._update()

    def _tick(self) -> None:
        try:
            # Only the clock moved: rows off screen cost nothing (200 started packages).
            self._update(only_on_screen=True)
        except Exception as exc:  # pragma: no cover - a timer that raised would end the app
            self.log.error("watchlist tick failed", exc)

    @on(WatchTable.Shown)
    def _shown(self) -> None:
        self._update(only_on_screen=True)

    def _update(self, *, only_on_screen: bool = False) -> None:
        """Rebuild the rows and the summary; ``only_on_screen``: just the rows in view
        (a clock tick; the data, hence the summary's counts, did not change)."""
        if not self.is_attached:
            return
        service = self.cy.watchlist
        now = self.cy.now()
        monotonic = self.cy.options.monotonic()
        until = service.rate_limited_until()
        held = until_label(until, now) if until is not None else None

        def build(entry: WatchEntry) -> WatchRow:
            pid = entry.package_id
            return watch_row(
                entry, service.watch_state(pid), now, monotonic, held, service.changed_at(pid)
            )

        entries = service.store.entries
        table = self.query_one(WatchTable)
        rows = list(table.rows)
        # Same packages in the same order (else the list changed: rebuild it all).
        if only_on_screen and len(rows) == len(entries):
            for index in table.on_screen():
                if rows[index].package_id != entries[index].package_id:
                    rows = [build(entry) for entry in entries]
                    break
                rows[index] = build(entries[index])
        else:
            rows = [build(entry) for entry in entries]
        table.set_rows(rows)
        table.display = bool(rows)
        self.query_one("#watch-empty").display = not rows
        self.query_one(WatchHeader).display = bool(rows)
        scheduler = service.scheduler
        counts: dict[Status, int] = {}
        for row in rows:
            if row.state is not None:
                counts[row.state] = counts.get(row.state, 0) + 1
        parts = [f"{len(rows)} watched"]
        parts += [f"{STATUS_LABELS[s][0]} {n} {STATUS_LABELS[s][1]}" for s, n in counts.items()]
        daily = self.cy.daily
        usage = usage_text(daily.used_today(), daily.budget)
        stretched = scheduler.stretched
        if held is None and stretched is not None and scheduler.active:
            # Short, to fit 80 columns: "⏳ stretched to 40s: 9,990 of 10,000 requests today".
            parts.append(f"⏳ stretched to {human_duration(stretched.interval)}: {usage}")
        elif held is not None:
            # Nothing is sent while paused; the pause is what matters (and 80 columns are few).
            parts.append(f"⏸ rate limited until {held}")
        else:
            parts.append(f"polling {scheduler.active} (≤{MAX_PER_WINDOW}/s)")
            # Rows show when a package last changed; this shows that polls are answered.
            answered = [w.updated_at for w in scheduler.watches.values() if w.updated_at]
            if scheduler.active and answered:
                stamp = datetime.fromtimestamp(max(answered), tz=timezone.utc).astimezone()
                parts.append(f"answered {stamp:%H:%M:%S}")
            parts.append(usage)
        self.query_one("#watch-summary", ValueStatic).set(Content(" · ".join(parts)))
        notice = self.query_one("#watch-notice", ValueStatic)
        lines = [f"⚠ {service.store.notice}"] if service.store.notice else []
        if scheduler.per_package_reason is not None:
            lines.append(scheduler.per_package_reason)  # no list scope: one GET each
        notice.display = bool(lines)
        notice.set(Content("\n".join(lines)))
        refresh_title(self.cy)

    def terminal_title(self) -> str:
        store = self.cy.watchlist.store
        counts: dict[Status, int] = {}
        for entry in store.entries:
            watch = self.cy.watchlist.watch_state(entry.package_id)
            if watch is not None and watch.package is not None:
                counts[watch.package.status] = counts.get(watch.package.status, 0) + 1
        summary = " ".join(f"{STATUS_LABELS[s][0]}{n}" for s, n in sorted(counts.items()))
        return f"cypkg: watching {len(store)}" + (f" · {summary}" if summary else "")

    # -- actions ------------------------------------------------------------------

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(WatchTable).focus()
            return
        self.dismiss()

    def action_focus_add(self) -> None:
        self.query_one("#watch-add").focus()

    @on(Input.Submitted, "#watch-add")
    def _add(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.query_one(WatchTable).focus()
            return
        try:
            package_id = extract_package_id(value)
        except InvalidPackageId as exc:
            self.app.bell()
            self.notify(
                inert(str(exc), limit=200),
                title="Not a package ID",
                severity="warning",
                markup=False,  # it quotes what was typed: "[/]" would end the app
            )
            return
        event.input.clear()
        self.cy.watchlist.watch(package_id)
        self.query_one(WatchTable).focus()

    def action_remove(self) -> None:
        table = self.query_one(WatchTable)
        package_id = table.selected_id
        if package_id is None:
            return
        entry = self.cy.watchlist.store.get(package_id)
        if self.cy.watchlist.unwatch(package_id):
            name = inert((entry.name if entry else None) or package_id, limit=60)
            self.notify(f"Stopped watching {name}.", timeout=3, markup=False)

    def action_refresh(self) -> None:
        package_id = self.query_one(WatchTable).selected_id
        if package_id is not None:
            self.cy.watchlist.refresh(package_id)

    def action_refresh_all(self) -> None:
        self.cy.watchlist.refresh()

    @on(WatchTable.Chosen)
    def _chosen(self, event: WatchTable.Chosen) -> None:
        event.stop()
        self.cy.action_open_package(event.package_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (isinstance(self.focused, Input) and action != "back")

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Add to the watchlist", "Type a package ID (a)", self.action_focus_add),
            SystemCommand(
                "Remove from the watchlist", "The selected package (x)", self.action_remove
            ),
            SystemCommand("Refresh", "Fetch the selected package now (r)", self.action_refresh),
            SystemCommand(
                "Refresh all", "Fetch every watched package again", self.action_refresh_all
            ),
        ]
