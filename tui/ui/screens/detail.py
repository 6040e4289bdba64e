"""One package: tabs with its fields, fetched in a worker and polled while ``started``.

Worker structure (one screen watches one package):

* ``fetch`` group: one request (the first load, and ``r`` when no poll loop runs).
* ``poll`` group: the loop ``wait until due → request → apply``; it runs while
  :class:`tui.polling.policy.PollState` returns a delay, i.e. while the status is
  ``started`` or a transient error is being retried, and ends on a terminal
  status or a fatal error.

Both go through :meth:`DetailScreen._request`, which refuses to start while
another request is in flight, runs the synchronous client in a thread, and
drops results that are stale (another client since, or the screen left).
Workers belong to the screen, so leaving the screen stops its polling.
"""

from __future__ import annotations

import functools
import math
from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import TabbedContent, TabPane

from tui.api.errors import CypkgError, InvalidPackageId
from tui.api.ids import normalize_package_id
from tui.api.models import Package, Status
from tui.base.safe_text import inert
from tui.polling.policy import PollState
from tui.polling.present import STATUS_LABELS, until_label
from tui.ui.poll_status import PollView, status_texts
from tui.ui.screens.base import CypkgScreen
from tui.ui.screens.copy import CopyScreen
from tui.ui.title import package_title, refresh_title
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.error_panel import ErrorPanel
from tui.ui.widgets.fields import STATUS_STYLES, LiveLine, ValueStatic
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.lazy import ExampleList
from tui.ui.widgets.package_views import (
    DescriptorPane,
    ExamplesPane,
    OverviewPane,
    RawPane,
    UploaderPane,
)
from tui.ui.widgets.tabs import SteadyTabs
from tui.ui.widgets.timeline import StatusTimeline

if TYPE_CHECKING:
    from tui.polling.requests import Watch, WatchEvent

TABS = ("overview", "descriptor", "examples", "uploader", "raw")
#: The tabs whose pane is built on first view.
LAZY_PANES: dict[str, type[DescriptorPane | ExamplesPane | UploaderPane | RawPane]] = {
    "descriptor": DescriptorPane,
    "examples": ExamplesPane,
    "uploader": UploaderPane,
    "raw": RawPane,
}
TAB_TITLES = {
    "overview": "Overview",
    "descriptor": "Descriptor",
    "examples": "Examples",
    "uploader": "Uploader",
    "raw": "Raw",
}


Outcome = Package | CypkgError

#: Seconds a poll is in flight before the status line says "fetching…".
SLOW_REQUEST = 1.0


class DetailScreen(CypkgScreen):
    """The tabbed view of one package, live while its upload runs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Back to the package lookup"),
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Fetch the package now"),
        Binding("p", "pause", "Pause", id="pause", tooltip="Pause or resume live polling"),
        Binding("w", "watch", "Watch", id="watch", tooltip="Add to the watchlist (F4)", show=False),
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
        self._tabs_shown = False
        self._remembered: tuple[str | None, str] | None = None
        #: The body and example count last drawn: an unchanged poll redraws nothing.
        self._drawn_raw: str | None = None
        self._drawn_count: int | None = None
        #: The lazily built panes so far, by tab.
        self._built: dict[str, DescriptorPane | ExamplesPane | UploaderPane | RawPane] = {}
        if fetch_now:
            self._start_viewing()

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ContextBar("Package")
        with Horizontal(id="title-row"):
            yield ValueStatic(id="package-title")
            yield LiveLine(id="poll-status")
            yield LiveLine(id="poll-countdown")
        yield ValueStatic(id="notice")
        yield StatusTimeline(id="timeline")
        yield ErrorPanel(id="error-panel")
        with SteadyTabs(id="tabs", initial="overview"):
            with TabPane(self._tab_title("overview"), id="overview"):
                yield OverviewPane(id="overview-pane")
            # The other panes are built when their tab is first shown (_build_pane):
            # fewer widgets to mount makes the screen open sooner.
            for tab in LAZY_PANES:
                yield TabPane(self._tab_title(tab), id=tab)
        yield Footer(compact=True)

    @staticmethod
    def _tab_title(tab: str, extra: str = "") -> Content:
        return Content(f"{TABS.index(tab) + 1} {TAB_TITLES[tab]}{extra}")

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

    # -- the package's watch ----------------------------------------------------------
    # The app's one request engine (tui.ui.engine.RequestEngine) polls the
    # package; this screen is a view of its watch: it shows each answer, and r / p act
    # on the watch. Nothing here sends a request.

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
        self.package = package
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
        if self.package is None:
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
        tabs = self.query_one("#tabs", TabbedContent)
        first = not self._tabs_shown
        tabs.display = self._tabs_shown = True
        now = self.cy.now()
        # Polls of a running upload mostly bring the same body back: then only
        # the clock texts (the tick) can change, and nothing else is redrawn.
        if first or package.raw != self._drawn_raw or not package.raw:
            self._drawn_raw = package.raw
            self.query_one(OverviewPane).show(package, now)
            for pane in self._built.values():
                pane.show(package, now)
        count = len(package.descriptor.examples)
        if count != self._drawn_count:
            self._drawn_count = count
            tabs.get_tab("examples").label = self._tab_title("examples", f" ({count:,})")
        self._set_title()
        if first:
            self._focus_pane(tabs.active)
            self.refresh_bindings()

    def _show_error_panel(self, error: CypkgError, *, retrying: bool = False) -> None:
        self.query_one("#tabs").display = self._tabs_shown = False
        panel = self.query_one(ErrorPanel)
        panel.display = True
        keys = "r try again · F2 settings · Esc back"
        extra = "" if not retrying else "cypkg keeps trying by itself (see the top right)."
        panel.show(error, keys=keys, extra=extra)
        self._set_title()

    def _set_title(self) -> None:
        title = self.query_one("#package-title", ValueStatic)
        package = self.package
        if package is None:
            title.set(Content(f"Package {self.package_id or inert(self.raw_id, limit=60)}"))
            return
        symbol, word = STATUS_LABELS[package.status]
        if package.status is Status.UNKNOWN and package.status_text:
            word = inert(package.status_text, limit=20)
        title.set(
            Content.assemble(
                (inert(package.name or "(no name)", limit=40), "bold"),
                "  ",
                (f"{symbol} {word}", STATUS_STYLES[package.status]),
            )
        )

    def _tick(self) -> None:
        """The countdown and the clock texts of the tab in view (hidden ones catch up later)."""
        # A timer callback that raised would end the app: never let one escape.
        try:
            self._refresh_status()
            self._tick_pane(self._active_tab())
        except Exception as exc:  # pragma: no cover - defensive
            self.log.error("tick failed", exc)

    def _tick_pane(self, tab: str) -> None:
        package = self.package
        if package is None or not self._tabs_shown:
            return
        if tab == "overview":
            self.query_one(OverviewPane).tick(package, self.cy.now())
        elif tab == "uploader" and tab in self._built:
            self.query_one(UploaderPane).tick(package, self.cy.now())

    def _refresh_status(self) -> None:
        if not self.is_mounted:
            return
        status, countdown, notice = self.status_texts()
        self.query_one("#poll-status", LiveLine).set(status)
        clock = self.query_one("#poll-countdown", LiveLine)
        clock.set(countdown)
        if clock.display != bool(countdown.plain):
            clock.display = bool(countdown.plain)
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
        watch = self._watch
        return status_texts(
            PollView(
                package=self.package,
                error=self.error,
                polling=self.next_at is not None,
                in_flight=self.in_flight,
                slow=self._slow_request(),
                paused=self.paused,
                held=held,
                updated=self.last_updated,
                next_time=self._next_time(),
                stretched=watch.poll.stretched if watch is not None else None,
            )
        )

    def _next_time(self) -> str:
        """When the next request goes out, local time to the second (rounded up)."""
        if self.next_wall is None:
            return "—"
        stamp = datetime.fromtimestamp(math.ceil(self.next_wall), tz=timezone.utc)
        return f"{stamp.astimezone():%H:%M:%S}"

    def _slow_request(self) -> bool:
        """A request in flight for a tick or more: say so (a quick one is not worth 2 repaints)."""
        watch = self._watch
        if watch is None or not watch.in_flight or watch.sent_at is None:
            return False
        return self.cy.options.monotonic() - watch.sent_at >= SLOW_REQUEST

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
        self.notify("Polling paused." if self.paused else "Polling resumed.", timeout=3)

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        if not self._tabs_shown or tab not in TABS:
            return
        tabs.active = tab
        if tab == "overview" or tab in self._built:
            # Otherwise the pane is being built and takes the focus when it is there.
            self._focus_pane(tab)

    def action_step_tab(self, step: int) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        current = TABS.index(tabs.active) if tabs.active in TABS else 0
        self.action_show_tab(TABS[(current + step) % len(TABS)])

    @on(TabbedContent.TabActivated)
    async def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or ""
        # After a burst of tab keys, the activations of the tabs passed through arrive
        # late: only the tab still active gets its pane built and the focus.
        if tab != self._active_tab():
            return
        await self._build_pane(tab)
        if tab != self._active_tab():  # another key came in while the pane was mounted
            return
        if tab in LAZY_PANES and tab not in self._built:  # the app is closing
            return
        # Mouse clicks on a tab: move the keyboard focus into the pane too.
        self._focus_pane(tab)
        self._tick_pane(tab)

    async def _build_pane(self, tab: str) -> None:
        """The pane of ``tab``, built and filled on its first view."""
        kind = LAZY_PANES.get(tab)
        holder = self.query_one(f"#{tab}", TabPane)
        if kind is None or tab in self._built or holder.children:
            return
        pane = kind(id=f"{tab}-pane")
        await holder.mount(pane)
        if not pane.children:
            # The app is closing (a hangup or signal during the mount): the pane was
            # never composed, and filling it would raise.
            return
        self._built[tab] = pane
        if self.package is not None and self._tabs_shown:
            pane.show(self.package, self.cy.now())

    def _active_tab(self) -> str:
        return self.query_one("#tabs", TabbedContent).active

    def _focus_pane(self, tab: str) -> None:
        """The focus goes into the pane of ``tab`` (each pane knows what takes it)."""
        pane = self.query_one(OverviewPane) if tab == "overview" else self._built.get(tab)
        if pane is not None:
            pane.focus_inside()

    def action_copy_id(self) -> None:
        value = self.package.package_id if self.package else self.package_id
        self._copy("package ID", value)

    def action_copy_url(self) -> None:
        self._copy("download URL", self.package.download_url if self.package else None)

    def action_copy_invocation(self) -> None:
        if self.package is None:
            self._copy("invocation string", None)
            return
        examples = self._built.get("examples")
        if isinstance(examples, ExamplesPane):
            example = examples.selected
        else:
            # The Examples tab was never opened: its selection would be the first one.
            example = next(iter(self.package.descriptor.examples), None)
        if example is None:
            self.notify("No example is selected (see the Examples tab, key 3).", timeout=4)
            return
        self._copy("invocation string", example.invocation_string)

    def _copy(self, what: str, value: str | None) -> None:
        if not value:
            self.notify(f"There is no {what} to copy.", severity="warning", timeout=4)
            return
        # The clipboard gets the value itself; the screen shows it inert.
        # An ESC in server data must not reach the terminal inside OSC 52 either:
        # copy the inert form, which is what the user sees.
        shown = inert(value, keep_newlines=False, limit=20_000)
        self.app.copy_to_clipboard(shown)
        self.notify(
            f"Copied the {what} (OSC 52). If your terminal ignores OSC 52, copy it from the box.",
            timeout=5,
            markup=False,
        )
        self.app.push_screen(CopyScreen(what, shown))

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Refresh", "Fetch the package now (r)", self.action_refresh),
            SystemCommand("Pause / resume polling", "Toggle live polling (p)", self.action_pause),
            SystemCommand("Copy package ID", "Copy the package ID (c)", self.action_copy_id),
            SystemCommand("Copy download URL", "Copy the download URL (u)", self.action_copy_url),
            SystemCommand(
                "Copy invocation",
                "Copy the selected example's invocation string (i)",
                self.action_copy_invocation,
            ),
            *(
                SystemCommand(
                    f"Show {TAB_TITLES[tab]}",
                    f"Switch to the {TAB_TITLES[tab]} tab ({n})",
                    functools.partial(self.action_show_tab, tab),
                )
                for n, tab in enumerate(TABS, 1)
            ),
            SystemCommand("Watch", "Add this package to the watchlist (w)", self.action_watch),
            SystemCommand("Back", "Back to the package lookup (Esc)", self.action_back),
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("step_tab", "show_tab"):
            # Left/right belong to the tabs only while the package is shown.
            return self._tabs_shown
        return True

    @on(ExampleList.Chosen)
    def _example_chosen(self, event: ExampleList.Chosen) -> None:
        event.stop()
        self.action_copy_invocation()
