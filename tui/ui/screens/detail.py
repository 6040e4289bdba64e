"""One package: its tabs, the title row with its poll status, and the error panel.

The screen is a view of its package's watch in the app's one request engine
(:class:`tui.ui.engine.RequestEngine`): it shows each answer, and ``r`` / ``p`` act on
the watch; nothing here sends a request. The watch goes on while the screen is shown
(and while the package is on the watchlist), so leaving the screen stops its polling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content

from tui.api.errors import CypkgError, InvalidPackageId
from tui.api.ids import normalize_package_id
from tui.api.models import Package
from tui.base.safe_text import inert
from tui.polling.policy import PollState
from tui.polling.present import until_label
from tui.ui.poll_status import poll_view, status_texts
from tui.ui.screens.base import CypkgScreen
from tui.ui.screens.detail_commands import copy_id, copy_invocation, copy_url, detail_commands
from tui.ui.title import package_title, refresh_title
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.error_panel import ErrorPanel
from tui.ui.widgets.fields import ValueStatic
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.lazy import ExampleList
from tui.ui.widgets.package_tabs import TAB_TITLES, TABS, PackageTabs
from tui.ui.widgets.timeline import StatusTimeline
from tui.ui.widgets.title_row import TitleRow

if TYPE_CHECKING:
    from tui.polling.requests import Watch, WatchEvent


class DetailScreen(CypkgScreen):
    """The tabbed view of one package, live while its upload runs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Back to the previous screen"),
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Fetch the package now"),
        # One key, two labels: check_action shows the one that applies (same ID: one remap).
        Binding("p", "pause", "Pause", id="pause", tooltip="Pause or resume live polling"),
        Binding("p", "resume", "Resume", id="pause", tooltip="Pause or resume live polling"),
        Binding("w", "watch", "Watch", id="watch", tooltip="Add to the watchlist (F4)"),
        Binding(
            "d", "download", "Download", id="download", tooltip="Download the file", show=False
        ),
        Binding(
            "c",
            "copy_id",
            "Copy",
            id="copy-id",
            key_display="c/u/i",
            tooltip="Copy: c the package ID, u the download URL, i the example's invocation",
        ),
        Binding(
            "u",
            "copy_url",
            "Copy URL",
            id="copy-url",
            tooltip="Copy the download URL",
            show=False,
        ),
        Binding(
            "i",
            "copy_invocation",
            "Copy invocation",
            id="copy-invocation",
            tooltip="Copy the selected example's invocation string",
            show=False,
        ),
        # The app's keys, shown here (before the tabs' key: the footer drops from the right).
        Binding("f3", "app.browse", "Browse", id="browse", tooltip="List packages"),
        Binding("f4", "app.watchlist", "Watchlist", id="watchlist", tooltip="Watched packages"),
        *(
            Binding(
                str(n),
                f"show_tab('{tab}')",
                "Tabs" if n == 1 else TAB_TITLES[tab],
                show=n == 1,
                key_display="1-5" if n == 1 else None,
                tooltip="Switch tabs (also left/right)",
                # Priority like left/right: all tab keys are then handled by the app
                # in the order typed (a plain binding waits for the focused widget's
                # queue, so "4 →" in one burst would step from the old tab).
                priority=True,
            )
            for n, tab in enumerate(TABS, 1)
        ),
        Binding("left", "step_tab(-1)", "Previous tab", show=False, priority=True),
        Binding("right", "step_tab(1)", "Next tab", show=False, priority=True),
    ]

    def __init__(self, package_id: str, *, fetch_now: bool = False) -> None:
        """``fetch_now``: ask for the package at once, while the screen is being built.

        Building and laying out the screen takes tens of milliseconds; the request
        need not wait for it (the app passes this when it pushes the screen at once).
        """
        super().__init__()
        self.raw_id = package_id
        try:
            self.package_id: str | None = normalize_package_id(package_id)
            self.id_error: CypkgError | None = None
        except InvalidPackageId as exc:
            self.package_id = None
            self.id_error = exc
        self.package: Package | None = None
        self.error: CypkgError | None = None
        #: The watch's due time (the options' monotonic clock); None once polling stopped.
        self.next_at: float | None = None
        #: ``next_at`` on the wall clock, fixed when an answer came: the screen shows it
        #: as a time ("next 14:05:10"), which stays put between polls (a countdown ticks).
        self.next_wall: float | None = None
        self.last_updated: float | None = None
        #: This screen's name as a holder of its package's watch (tui.polling.scheduler).
        self._holder = f"view-{id(self)}"
        self._viewing = False
        self._generation = -1
        self._remembered: tuple[str | None, str] | None = None
        if fetch_now:
            self._start_viewing()

    @property
    def tabs(self) -> PackageTabs:
        return self.query_one(PackageTabs)

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ContextBar("Package")
        yield TitleRow(id="title-row")
        yield ValueStatic(id="notice")
        yield StatusTimeline(id="timeline")
        yield ErrorPanel(id="error-panel")
        yield PackageTabs(self.cy.now, id="tabs")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#error-panel").display = False
        # The tabs are laid out while the request is in flight, their values "—" and
        # "fetching…" at the top right: the data then only fills them in.
        self.query_one("#notice").display = False
        self._set_title()
        self.set_interval(self.cy.options.tick, self._tick)
        if self.id_error is not None or self.package_id is None:
            self._show_error_panel(self.id_error or InvalidPackageId("No package ID."))
            return
        self.cy.remember(self.package_id, move_to_front=True)
        self._start_viewing()
        self.cy.engine.package_events.subscribe(self, self._on_event, immediate=True)
        watch = self._watch
        if watch is not None and (watch.package is not None or watch.error is not None):
            # Polled already (watched, or the answer came while the screen was built).
            self._show(watch, None)
        self._refresh_status()

    def on_unmount(self) -> None:
        if self._viewing and self.package_id is not None:
            self._viewing = False
            self.cy.engine.package_events.unsubscribe(self)
            self.cy.engine.unview(self.package_id, self._holder)

    def on_screen_resume(self) -> None:
        # The profile may have changed in the settings screen: fetch with the new client.
        if self._generation not in (-1, self.cy.client_generation) and not self.in_flight:
            self.action_refresh()

    # -- the package's watch (in the app's request engine) -----------------------------

    def _start_viewing(self) -> None:
        if self._viewing or self.package_id is None:
            return
        self._viewing = True
        self.cy.engine.view(self.package_id, self._holder)

    @property
    def _watch(self) -> Watch | None:
        if self.package_id is None:
            return None
        return self.cy.engine.watch_state(self.package_id)

    @property
    def state(self) -> PollState:
        """The poll policy of the package's watch (interval, errors, stretch)."""
        watch = self._watch
        return watch.poll if watch is not None else PollState()

    @property
    def in_flight(self) -> bool:
        watch = self._watch
        return watch is not None and watch.in_flight

    @property
    def paused(self) -> bool:
        watch = self._watch
        return watch is not None and self._holder in watch.pausers

    def _on_event(self, event: WatchEvent) -> None:
        if event.package_id == self.package_id and self.is_mounted:
            self._show(event.watch, event)

    def _show(self, watch: Watch, event: WatchEvent | None) -> None:
        options = self.cy.options
        self._generation = self.cy.client_generation
        self.next_at = watch.due
        self.next_wall = None
        if watch.due is not None:
            self.next_wall = options.clock() + max(watch.due - options.monotonic(), 0.0)
        self.last_updated = watch.updated_at
        try:
            if watch.error is not None:
                self._apply_error(watch, watch.error, event)
            elif watch.package is not None:
                self._apply_package(watch.package)
        finally:
            self._refresh_status()

    # -- results --------------------------------------------------------------------

    def _apply_package(self, package: Package) -> None:
        ended = package.status.is_terminal and not (
            self.package is not None and self.package.status.is_terminal
        )
        self.package = package
        if ended:
            self.refresh_bindings()  # the footer's p goes (see check_action)
        self.error = None
        self._render_package()
        self._record_status()
        seen = (package.name, package.status_text or package.status.value)
        if self.package_id is not None and seen != self._remembered:
            self._remembered = seen
            self.cy.remember(self.package_id, name=seen[0], status=seen[1], move_to_front=False)

    def _record_status(self) -> None:
        """The session timeline and the terminal title follow every status seen."""
        if self.package_id is not None:
            self.query_one(StatusTimeline).show(self.cy.history.get(self.package_id))
        refresh_title(self.cy)

    def terminal_title(self) -> str | None:
        """The terminal's title while this screen is on top (see tui.ui.title)."""
        return package_title(self.package, self.package_id) if self.package else None

    def action_watch(self) -> None:
        if self.package_id is not None:
            package = self.package
            name = package.name if package else None
            status = (package.status_text or package.status.value) if package else None
            self.cy.engine.watch(self.package_id, name=name, status=status)

    def action_download(self) -> None:
        from tui.ui.screens.download import DownloadScreen

        if self.package is None or self.package_id is None:
            self.notify("The package is not loaded yet.", severity="warning", timeout=4)
            return
        self.app.push_screen(DownloadScreen(self.package, self.package_id))

    def _apply_error(self, watch: Watch, error: CypkgError, event: WatchEvent | None) -> None:
        self.error = error
        # What the last good answer showed stays, marked stale.
        self.package = self.package or watch.package
        if self.package is None and not watch.poll.retrying_first:
            # (While the first fetch is retried at once, the top right says "retrying…".)
            self._show_error_panel(error, retrying=watch.due is not None)
        elif event is not None and event.stopped_by is not None:
            self.notify(
                inert(f"{error} {error.hint}".strip(), limit=600),
                title=f"Polling stopped: {error.title}",
                severity="error",
                markup=False,
                timeout=12,
            )

    # -- rendering --------------------------------------------------------------------

    def _render_package(self) -> None:
        package = self.package
        if package is None:
            return
        self.query_one("#error-panel").display = False
        tabs = self.tabs
        first = not tabs.shown
        tabs.show_package(package)
        self._set_title()
        if first:
            self.refresh_bindings()

    def _show_error_panel(self, error: CypkgError, *, retrying: bool = False) -> None:
        self.tabs.hide()
        panel = self.query_one(ErrorPanel)
        panel.display = True
        panel.show(error, keys="r try again · F2 settings · Esc back", retrying=retrying)
        self._set_title()

    def _set_title(self) -> None:
        name = f"Package {self.package_id or inert(self.raw_id, limit=60)}"
        self.query_one(TitleRow).show_package(self.package, name)

    def _tick(self) -> None:
        """The countdown and the clock texts of the tab in view (hidden ones catch up later)."""
        # A timer callback that raised would end the app: never let one escape.
        try:
            self._refresh_status()
            self.tabs.tick()
        except Exception as exc:  # pragma: no cover - defensive
            self.log.error("tick failed", exc)

    def _refresh_status(self) -> None:
        if not self.is_mounted:
            return
        status, countdown, notice = self.status_texts()
        self.query_one(TitleRow).set_status(status, countdown)
        notice_widget = self.query_one("#notice", ValueStatic)
        notice_widget.set(notice)
        notice_widget.display = bool(notice.plain)

    def status_texts(self) -> tuple[Content, Content, Content]:
        """The top-right status, its countdown and the banner under the title
        (see :func:`tui.ui.poll_status.status_texts`)."""
        engine = self.cy.engine_if_built
        until = engine.rate_limited_until() if engine is not None else None
        held = None
        if until is not None and self.next_at is not None and not self.in_flight:
            held = f"⏸ rate limited until {until_label(until, self.cy.now())}"
        view = poll_view(
            self._watch,
            self._holder,
            package=self.package,
            error=self.error,
            next_wall=self.next_wall,
            updated=self.last_updated,
            held=held,
            now=self.cy.options.monotonic(),
        )
        return status_texts(view)

    # -- actions ------------------------------------------------------------------------

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.dismiss()
        else:
            from tui.ui.screens.lookup import LookupScreen

            # Opened straight on a package (`cypkg ID`): the lookup is below.
            if any(isinstance(s, LookupScreen) for s in self.app.screen_stack):
                self.dismiss()
            else:
                self.app.switch_screen(LookupScreen())

    def action_refresh(self) -> None:
        if self.package_id is None:
            return
        if self.in_flight:
            self.notify("A request is already in flight.", timeout=3)
            return
        # Fetched now (during a rate-limit pause too: an answer ends it), at most once
        # per minimum interval however fast the key repeats.
        self.cy.engine.refresh(self.package_id)

    def action_pause(self) -> None:
        live = self.package is not None and not self.package.status.is_terminal
        if not self.paused and not live:
            self.notify("Nothing to pause: this package is not being polled.", timeout=4)
            return
        if self.package_id is None:
            return
        self.cy.engine.pause(self.package_id, self._holder, not self.paused)
        self._refresh_status()
        self.refresh_bindings()  # the footer's p: Pause or Resume
        self.notify("Polling paused." if self.paused else "Polling resumed.", timeout=3)

    def action_show_tab(self, tab: str) -> None:
        self.tabs.show_tab(tab)

    def action_step_tab(self, step: int) -> None:
        self.tabs.step(step)

    def action_copy_id(self) -> None:
        copy_id(self)

    def action_copy_url(self) -> None:
        copy_url(self)

    def action_copy_invocation(self) -> None:
        copy_invocation(self)

    def palette_commands(self) -> list[SystemCommand]:
        return detail_commands(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("step_tab", "show_tab"):
            # Left/right belong to the tabs only while the package is shown.
            return self.tabs.shown
        if action in ("pause", "resume"):
            if not self.paused and self.package is not None and self.package.status.is_terminal:
                return False  # nothing polls a finished package: no key to offer
            return self.paused == (action == "resume")
        return True

    def action_resume(self) -> None:
        self.action_pause()  # the same toggle, under the label that says what it does

    @on(ExampleList.Chosen)
    def _example_chosen(self, event: ExampleList.Chosen) -> None:
        event.stop()
        self.action_copy_invocation()
