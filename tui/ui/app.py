"""The Textual application: screens, the shared API client, themes and commands.

Layering: ``tui/ui`` (this module, the screens and widgets) is the only layer
that imports Textual. They never build HTTP requests: they ask
:attr:`CypkgApp.client` (one ``CylanceClient`` per active profile, built by
:func:`tui.polling.clients.make_client`) and call it from workers.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.filter import LineFilter, Monochrome, NoColor
from textual.reactive import var
from textual.screen import Screen

from tui.api.errors import ConfigError
from tui.base.safe_text import inert
from tui.config import (
    DEFAULT_PROFILE,
    Config,
    Profile,
    save_config,
)
from tui.polling.recent import RecentStore, default_path
from tui.ui.clients import ClientHolder
from tui.ui.commands import AppCommands
from tui.ui.driver import write_sequence
from tui.ui.gc_tuning import resume_gc
from tui.ui.requests import note_request
from tui.ui.term_title import TerminalTitle, title_enabled
from tui.ui.typeahead import TypeAhead
from tui.ui.width_cache import trim_width_cache

if TYPE_CHECKING:
    from tui.polling.budget import Pace
    from tui.polling.daily_count import DailyCounter
    from tui.polling.history import StatusHistory
    from tui.polling.watchlist import WatchlistStore
    from tui.ui.engine import RequestEngine
from tui.ui.options import AppOptions, PackageClient, Startup, real_user_host, tui_retry_policy
from tui.ui.theme import (
    NO_COLOR_STYLES,
    initial_theme,
    no_color_requested,
)


class CypkgApp(AppCommands):
    """Look up one Cylance Optics package and watch its upload status."""

    TITLE = "cypkg"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit cypkg", priority=True),
        Binding(
            "f2,ctrl+s",
            "settings",
            "Settings",
            id="settings",
            tooltip="Edit profiles and credentials",
        ),
        Binding(
            "f1,question_mark",
            "help",
            "Help",
            id="help",
            tooltip="Keys, settings and where cypkg keeps its files",
            show=False,
        ),
        Binding("f3", "browse", "Browse", id="browse", tooltip="List packages", show=False),
        Binding(
            "f4", "watchlist", "Watchlist", id="watchlist", tooltip="Watched packages", show=False
        ),
    ]

    #: The profile in use (env and flag overrides applied). Widgets watch it.
    profile: var[Profile] = var(Profile(name=DEFAULT_PROFILE), init=False)
    #: Bumped whenever the client is replaced; results from an older client are dropped.
    client_generation: var[int] = var(0, init=False)

    def __init__(self, startup: Startup, options: AppOptions | None = None) -> None:
        self.options = options or AppOptions()
        # NO_COLOR: the terminal's own colours (Textual's NoColor filter, which needs ANSI
        # colour on; without it Textual sends greys over a forced dark background).
        no_color = no_color_requested()
        super().__init__(ansi_color=True if no_color else None)
        self.no_color = no_color  # Textual counts an empty NO_COLOR too; no-color.org does not
        # No perpetual animation over SSH: nothing moves unless data changed.
        self.animation_level = "none"
        self.startup = startup
        self.config = startup.config
        self.demo = startup.demo
        self.set_reactive(CypkgApp.profile, startup.profile)
        self.user_host = self.options.user_host or real_user_host()
        #: The shared API client of the active profile (built on first use, any thread).
        self.clients = ClientHolder(lambda: self.build_client(self.profile))
        if self.options.recent_store is not None:
            self.recent = self.options.recent_store
        else:
            self.recent = RecentStore(None if self.is_demo else default_path())
        # Both built on first use: neither is needed for the first paint.
        self._watchlist_store: WatchlistStore | None = self.options.watchlist_store
        self._history: StatusHistory | None = None
        self.terminal_title = TerminalTitle(
            self._write_escape, lambda: title_enabled(self.config.settings.get("terminal_title"))
        )
        self._engine: RequestEngine | None = None
        self._token_cache_told = False
        #: Today's request count for the active profile's tenant (built on first use).
        self._daily: DailyCounter | None = None
        self._daily_lock = threading.Lock()
        self.theme = initial_theme(
            self.options.theme, self.config.settings.get("theme"), self.available_themes
        )
        self._typeahead: TypeAhead | None = None

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this platform; on POSIX terminals, one that survives a hangup."""
        driver_class = super().get_driver_class()
        if driver_class.__name__ == "LinuxDriver":
            from tui.ui.driver import HangupSafeDriver

            return HangupSafeDriver
        return driver_class

    # -- state ----------------------------------------------------------------------

    @property
    def is_demo(self) -> bool:
        return self.startup.demo is not None

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.options.clock(), tz=timezone.utc)

    def poll_interval(self) -> float:
        if self.options.poll_interval is not None:
            return self.options.poll_interval
        return float(self.profile.poll_interval)

    @property
    def client(self) -> PackageClient:
        """The shared client of the active profile, built on first use (any thread)."""
        return self.clients.current

    def build_client(self, profile: Profile) -> PackageClient:
        """A new client for ``profile`` (the caller owns it unless it becomes :attr:`client`)."""
        if self.options.client_factory is not None:
            return self.options.client_factory(profile)
        from tui.polling.clients import make_client

        return make_client(
            profile,
            persist_tokens=not self.is_demo,
            retry=tui_retry_policy(),
            on_cache_problem=self._token_cache_refused,
            on_request=functools.partial(_note_request, self.daily_for(profile)),
        )

    @property
    def daily(self) -> DailyCounter:
        """Today's request count and budget for the active profile's tenant (any thread)."""
        return self.daily_for(self.profile)

    def daily_for(self, profile: Profile) -> DailyCounter:
        with self._daily_lock:
            daily = self._daily
            if daily is None or (daily.tenant, daily.budget) != self._daily_key(profile):
                from tui.polling.clients import daily_counter

                if daily is not None:
                    daily.close()  # what it counted goes to the file before the switch
                daily = self._daily = daily_counter(
                    profile,
                    demo=self.is_demo,
                    budget=self.options.daily_budget,
                    clock=self.options.clock,
                )
            return daily

    def _daily_key(self, profile: Profile) -> tuple[str, int]:
        budget = self.options.daily_budget or profile.daily_budget
        return profile.tenant_id.strip().lower(), budget

    def pace(self, interval: float, per_round: int = 1) -> Pace:
        """``interval`` stretched as the day's request budget asks (see tui.polling.budget)."""
        return self.daily.pace(interval, per_round)

    def _token_cache_refused(self, message: str) -> None:
        """Tokens are not cached on disk (a link was refused): say so once a run; any thread."""
        if not self._token_cache_told:
            self._token_cache_told = True
            self.notify(inert(message), title="Token cache", severity="warning", markup=False)

    def use_profile(self, config: Config, profile: Profile) -> None:
        """Make ``profile`` active (after a save); the next request uses a new client."""
        self.config = config
        # The profile first: a client built from here on (say by the warm-up thread) is
        # for the new profile, and one built before is dropped just below.
        self.profile = profile
        old = self.clients.retire()
        if old is not None and self.is_running:
            # Closing now would break a request in flight on another thread: close it
            # once any such request is over (or at exit, whichever first).
            grace = self.options.retired_client_grace
            self.set_timer(grace, lambda: self.clients.close_retired(old))
        self.client_generation += 1

    def remember(
        self,
        package_id: str,
        *,
        name: str | None = None,
        status: str | None = None,
        move_to_front: bool,
    ) -> None:
        """Update the recent list; the file is written in a thread."""
        store = self.recent

        def write() -> None:
            store.record(package_id, name=name, status=status, move_to_front=move_to_front)

        self.run_worker(write, thread=True, group="recent", exit_on_error=False)

    @property
    def watchlist_store(self) -> WatchlistStore:
        """The watched packages, read from the data dir (memory only in demo mode)."""
        if self._watchlist_store is None:
            from tui.polling.watchlist import WatchlistStore, default_path

            self._watchlist_store = WatchlistStore(None if self.is_demo else default_path())
        return self._watchlist_store

    @property
    def history(self) -> StatusHistory:
        """Statuses seen this session per package (the detail screen's timeline)."""
        if self._history is None:
            from tui.polling.history import StatusHistory

            self._history = StatusHistory()
        return self._history

    @property
    def engine(self) -> RequestEngine:
        """The one request engine: the watchlist, the packages shown, their one scheduler
        (built on first use)."""
        if self._engine is None:
            from tui.ui.engine import RequestEngine

            self._engine = RequestEngine(self)
        return self._engine

    @property
    def engine_if_built(self) -> RequestEngine | None:
        """The request engine when something built it already (asking must not build it)."""
        return self._engine

    def _write_escape(self, sequence: str) -> None:
        """Write a terminal sequence (title, notification) built by :mod:`tui.ui.term_title`."""
        write_sequence(self, sequence)

    # -- theme ------------------------------------------------------------------------

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()  # also Textual's theme_variables
        if self.no_color:
            variables.update(NO_COLOR_STYLES)
        return variables

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        if self.no_color:
            return filters
        return [f for f in filters if not isinstance(f, (NoColor, Monochrome))]

    def watch_theme(self, theme: str) -> None:
        self._remember_theme(theme)

    def _remember_theme(self, theme: str) -> None:
        """Keep a theme picked in the palette for next time (never in demo mode)."""
        if not self.is_running or self.is_demo or self.startup.problems:
            return
        if self.config.settings.get("theme") == theme:
            return
        self.config.settings["theme"] = theme
        try:
            save_config(self.config)
        except (ConfigError, OSError) as exc:
            self.notify(inert(str(exc)), title="Theme not saved", severity="warning", markup=False)

    # -- life -----------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The lookup screen is the bottom of the stack.

        Composed as the app's own first screen, it is in the first frame; pushing it over
        Textual's blank default screen cost an extra screen and a paint before it.
        """
        from tui.ui.screens.lookup import LookupScreen

        return LookupScreen()

    async def on_event(self, event: events.Event) -> None:
        typeahead = self._typeahead
        if isinstance(event, events.Key) and typeahead is not None and typeahead.stale(event):
            return  # typed for the screen before this one (tui.ui.typeahead)
        await super().on_event(event)

    def on_mount(self) -> None:
        self._typeahead = TypeAhead(self)
        for warning in self.startup.warnings:
            self.notify(inert(warning), title="Config", severity="warning", markup=False)
        if self.startup.package_id:
            # Only now: the detail screen's module is not needed for the lookup's first paint.
            from tui.ui.screens.detail import DetailScreen

            self.push_screen(DetailScreen(self.startup.package_id))
        self.call_after_refresh(self._start_extras)

    def _start_extras(self) -> None:
        """After the first paint: key remaps, the terminal title, watched packages, warm-up."""
        from tui.ui.keymap import apply_config_keymap
        from tui.ui.title import refresh_title

        if not self.is_running:
            return  # already on the way out
        resume_gc()
        apply_config_keymap(self)
        self.screen_change_signal.subscribe(self, lambda _screen: refresh_title(self))
        refresh_title(self)
        limit = self.options.width_cache_limit
        self.set_interval(self.options.width_cache_period, lambda: trim_width_cache(limit))
        if len(self.watchlist_store):
            self.engine.start()
        for store in (self.recent, self.watchlist_store):
            if store.notice:  # a file kept as it is: the user must hear it before using it
                title = f"{store.label.capitalize()} kept as it is"
                self.notify(store.notice, title=title, severity="warning", markup=False, timeout=15)
        if not self.startup.package_id:
            # After the next refresh, so the thread does not compete with the screen's
            # own follow-up frame (the input taking focus).
            self.call_after_refresh(self._start_warm_up)

    def _start_warm_up(self) -> None:
        if self.is_running:
            threading.Thread(target=self.warm_up, name="cypkg-warm-up", daemon=True).start()

    def warm_up(self) -> None:
        """Load what the first lookup needs while the user types; runs in a daemon thread.

        The detail screen's modules and the request engine, then the API client
        (httpx, its TLS context), which becomes :attr:`client`. No request is made:
        fetching a token ahead would cost a sign-in on every launch, even one that only
        opens the settings, and a cached token (the usual case) already makes the
        first lookup a single request.
        Best effort: a failure here is left for the lookup itself to meet and report.
        """
        try:
            # Imports first, outside the lock: they are most of the cost (httpx above all).
            import tui.api.client
            import tui.ui.engine
            import tui.ui.screens.detail  # noqa: F401

            if not self.profile.missing_fields():
                self.clients.warm()
            # Today's count so far (other cypkgs'), for the watchlist header and help.
            self.daily.sync()
            # Last (the client first: a lookup waits for it): the request engine every
            # lookup goes through, built on the app's thread (its signals belong to it).
            self.call_from_thread(lambda: self.engine)
        except Exception:
            pass

    async def on_unmount(self) -> None:
        self.terminal_title.restore()
        # Changes still queued (a save worker not run yet when the app quits): written now,
        # so a removal right before Ctrl+Q is not undone at the next start.
        for store in (self.recent, self._watchlist_store):
            if store is not None:
                store.save()
        self.clients.close_all()
        if self._daily is not None:
            self._daily.close()  # this session's last requests go to the shared count


def _note_request(daily: DailyCounter) -> None:
    """Every request the client sends (sign-ins too): the day's count, and the cost of
    the request under way for the scheduler's budget (see tui.ui.requests)."""
    daily.add()
    note_request()

