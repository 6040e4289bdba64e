"""The watchlist screen: many packages watched at once, polled by the app's request
engine (:mod:`tui.ui.engine`) whatever screen is shown.

:class:`WatchlistScreen` shows the list: name, status, elapsed time against
the timeout and the last update of each package, updated live.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Input, Static

from tui.api.errors import InvalidPackageId, NotFound
from tui.api.ids import extract_package_id
from tui.api.models import Status
from tui.base.safe_text import inert
from tui.polling.present import (
    STATUS_LABELS,
    human_duration,
    progress,
    status_label,
    until_label,
    upload_took,
    watch_step,
)
from tui.polling.requests import MAX_PER_WINDOW
from tui.ui.screens.base import CypkgScreen
from tui.ui.title import refresh_title
from tui.ui.watch_summary import fit_line, summary_variants
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.fields import ValueStatic
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.still import StillInput
from tui.ui.widgets.watch_table import WatchHeader, WatchRow, WatchTable

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tui.polling.history import SeenStatus
    from tui.polling.requests import Watch
    from tui.polling.watchlist import WatchEntry

T = TypeVar("T")


# --------------------------------------------------------------------------- rows


def watch_row(
    entry: WatchEntry,
    watch: Watch | None,
    now: datetime,
    monotonic: float,
    held: str | None = None,
    changed_at: float | None = None,
    seen: Sequence[SeenStatus] = (),
) -> WatchRow:
    """The cells for one watched package: server text made inert, times made human.

    ``held``: the end of a rate-limit pause ("14:05"), shown on every row it holds.
    ``changed_at``: when its body last changed; the last column shows that rather
    than the last poll, so an unchanged answer leaves the row as it is (the
    summary line says when a poll was last answered).
    ``seen``: its statuses this session, for how long a finished upload took.
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
    elif watch is not None and isinstance(watch.error, NotFound):
        status = "✘ not found"  # never fetched: it does not exist (not "waiting")
    else:
        status = "… waiting"
    elapsed = "—"
    if package is not None:
        # 10 s steps in the first minute, then whole minutes: a row on screen
        # changes once a minute, not every second (bytes over SSH, for hours).
        shown = progress(package, now, step=watch_step)
        if shown is not None:
            elapsed = shown[1]
        elif package.status.is_terminal:
            elapsed = upload_took(package, seen)
    updated = "not fetched yet"
    problem = False
    short = ""
    if watch is not None and watch.updated_at is not None:
        at = changed_at if changed_at is not None else watch.updated_at
        stamp = datetime.fromtimestamp(at, tz=timezone.utc).astimezone()
        updated = f"{stamp:%H:%M:%S}"
        if package is not None and package.status.is_terminal and not watch.active:
            short = updated  # a narrow column keeps the time whole; the status says it ended
            updated += " · final"
    if watch is not None and watch.error is not None:
        problem, short = True, ""
        title = inert(watch.error.title, limit=24)
        if watch.in_flight:
            updated = "⚠ retrying now…"
        elif watch.due is None:
            updated = f"✘ {title}"
        else:
            updated = f"⚠ {title}, retry {human_duration(max(watch.due - monotonic, 0))}"
    elif watch is not None and watch.in_flight and watch.updated_at is None:
        updated = "fetching…"
    if held is not None and watch is not None and watch.due is not None and not watch.in_flight:
        # "⏸ until …" where the column is narrow: the header says "rate limited" then.
        problem, updated, short = True, f"rate limited until {held}", f"⏸ until {held}"
    return WatchRow(entry.package_id, shown_name, status, elapsed, updated, state, problem, short)


# --------------------------------------------------------------------------- screen


class WatchlistScreen(CypkgScreen):
    """Every watched package, live."""

    #: The engine's toasts need not say "F4 shows it" here.
    shows_watchlist: ClassVar[bool] = True

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
        service = self.cy.engine
        service.start()
        service.changed.subscribe(self, self._changed, immediate=True)
        self.set_interval(self.cy.options.tick, self._tick)
        self.query_one(WatchTable).focus()
        self._update()

    def on_unmount(self) -> None:
        self.cy.engine.changed.unsubscribe(self)

    def _changed(self, _: None) -> None:
        self._update()

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
        service = self.cy.engine
        now = self.cy.now()
        monotonic = self.cy.options.monotonic()
        until = service.rate_limited_until()
        held = until_label(until, now) if until is not None else None
        history = self.cy.history

        def build(entry: WatchEntry) -> WatchRow:
            pid = entry.package_id
            state, seen = service.watch_state(pid), history.get(pid)
            return watch_row(entry, state, now, monotonic, held, service.changed_at(pid), seen)

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
        daily = self.cy.daily
        stretched = scheduler.stretched
        answered = [w.updated_at for w in scheduler.watches.values() if w.updated_at]
        last = None
        if scheduler.active and answered:
            # Rows show when a package last changed; this shows that polls are answered.
            last = f"{datetime.fromtimestamp(max(answered), tz=timezone.utc).astimezone():%H:%M:%S}"
        variants = summary_variants(
            len(rows),
            counts,
            used=daily.used_today(),
            budget=daily.budget,
            active=scheduler.active,
            per_second=MAX_PER_WINDOW,
            answered=last,
            stretched=stretched.interval if stretched is not None and scheduler.active else None,
            held=held,
        )
        summary = self.query_one("#watch-summary", ValueStatic)
        # One line at any width (it wrapped at 80 columns): detail gives way first.
        summary.set(Content(fit_line(variants, summary.size.width or self.app.size.width)))
        notice = self.query_one("#watch-notice", ValueStatic)
        lines = [f"⚠ {service.store.notice}"] if service.store.notice else []
        if scheduler.per_package_reason is not None:
            lines.append(scheduler.per_package_reason)  # no list scope: one GET each
        notice.display = bool(lines)
        notice.set(Content("\n".join(lines)))
        refresh_title(self.cy)

    def terminal_title(self) -> str:
        store = self.cy.engine.store
        counts: dict[Status, int] = {}
        for entry in store.entries:
            watch = self.cy.engine.watch_state(entry.package_id)
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
        self.cy.engine.watch(package_id)
        self.query_one(WatchTable).focus()

    def action_remove(self) -> None:
        table = self.query_one(WatchTable)
        package_id = table.selected_id
        if package_id is None:
            return
        entry = self.cy.engine.store.get(package_id)
        if self.cy.engine.unwatch(package_id):
            name = inert((entry.name if entry else None) or package_id, limit=60)
            self.notify(f"Stopped watching {name}.", timeout=3, markup=False)

    def action_refresh(self) -> None:
        package_id = self.query_one(WatchTable).selected_id
        if package_id is not None:
            self.cy.engine.refresh(package_id)

    def action_refresh_all(self) -> None:
        self.cy.engine.refresh()

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
