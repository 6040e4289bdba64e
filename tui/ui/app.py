"""The Textual application: screens, the shared API client, themes and commands.

Layering: this module and ``tui/screens``/``tui/widgets`` are the only ones
that import Textual. They never build HTTP requests: they ask
:attr:`CypkgApp.client` (one ``CylanceClient`` per active profile, built by
:func:`tui.polling.clients.make_client`) and call it from workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import getpass
import os
import random
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.reactive import var
from textual.screen import Screen

from tui.api.errors import ConfigError, CypkgError
from tui.base.safe_text import inert
from tui.config import (
    DEFAULT_PROFILE,
    Config,
    Profile,
    config_path,
    load_config,
    resolve_profile,
    save_config,
)
from tui.polling.policy import MIN_INTERVAL
from tui.polling.recent import RecentStore, default_path
from tui.ui.term_title import TerminalTitle, title_enabled
from tui.ui.width_cache import LIMIT as WIDTH_CACHE_LIMIT
from tui.ui.width_cache import PERIOD as WIDTH_CACHE_PERIOD
from tui.ui.width_cache import trim_width_cache

if TYPE_CHECKING:
    from tui.api.auth import AccessToken
    from tui.api.models import Package
    from tui.polling.budget import Pace
    from tui.polling.clients import Demo
    from tui.polling.daily_count import DailyCounter
    from tui.polling.history import StatusHistory
    from tui.polling.watchlist import WatchlistStore
    from tui.ui.engine import RequestEngine

#: Environment variable naming the theme (e.g. ``ansi-dark`` on a 16-colour terminal).
ENV_THEME = "CYPKG_THEME"
#: Themes that use the terminal's own 16 colours.
ANSI_THEMES = ("ansi-dark", "ansi-light")
DEFAULT_THEME = "textual-dark"


class PackageClient(Protocol):
    """What the screens need from an API client (``CylanceClient`` or a test double)."""

    base_url: str

    def get_package(self, package_id: str) -> Package: ...

    def authenticate(self, *, force: bool = False) -> AccessToken: ...

    def close(self) -> None: ...


ClientFactory = Callable[[Profile], PackageClient]


@dataclass(frozen=True)
class DemoEntry:
    """A sample package listed on the lookup screen in demo mode."""

    package_id: str
    label: str


@dataclass
class AppOptions:
    """Knobs tests, snapshots and the screenshot script turn; defaults suit real use."""

    #: Wall clock (epoch seconds) for "now": elapsed times, "ago", "updated HH:MM:SS".
    clock: Callable[[], float] = time.time
    #: Monotonic clock for countdowns ("next in 4s").
    monotonic: Callable[[], float] = time.monotonic
    #: Shown in the header; None means the real ``user@host``.
    user_host: str | None = None
    #: Poll interval in seconds instead of the profile's (tests use a tiny one).
    poll_interval: float | None = None
    #: Lowest poll interval honoured (the policy's floor; tests lower it).
    min_poll_interval: float = MIN_INTERVAL
    #: Jitter source for error backoff.
    rng: Callable[[], float] = random.random
    #: Builds the API client for a profile; None means :func:`tui.polling.clients.make_client`.
    client_factory: ClientFactory | None = None
    #: How often the detail screen refreshes its clock texts, seconds.
    tick: float = 1.0
    #: Where the recent list lives; None means the data dir (or memory in demo mode).
    recent_store: RecentStore | None = None
    #: Theme name; None means CYPKG_THEME, the config file's ``theme``, or a guess.
    theme: str | None = None
    #: Where the watchlist lives; None means the data dir (or memory in demo mode).
    watchlist_store: WatchlistStore | None = None
    #: Seconds a replaced client stays open for requests already on their way; longer
    #: than a request can take (two attempts at the 30 s read timeout, a short backoff).
    retired_client_grace: float = 120.0
    #: Requests a day instead of the profile's ``daily_budget`` (tests polling every
    #: 50 ms raise it, or their intervals would stretch).
    daily_budget: int | None = None
    #: How often Rich's cache of text widths is trimmed, and to how many texts
    #: (tui/width_cache.py: a long session would otherwise grow with every new time shown).
    width_cache_period: float = WIDTH_CACHE_PERIOD
    width_cache_limit: int = WIDTH_CACHE_LIMIT
    #: The request engine's budget: requests the service may see in any 1.1 s (tests
    #: that poll in milliseconds against a fake client raise it; see tui/watchlist.py).
    max_per_window: int = 5


@dataclass
class Startup:
    """What :func:`run_app` found before the UI started."""

    config: Config
    profile: Profile
    demo: Demo | None = None
    package_id: str | None = None
    api_url_override: str | None = None
    #: ``--request-timeout``, kept to resolve a profile again after a save.
    request_timeout_override: float | None = None
    #: Problems to show on the first screen (a broken config file, an unknown profile).
    problems: list[CypkgError] = field(default_factory=list)
    #: Config warnings (permissions fixed) to toast once.
    warnings: list[str] = field(default_factory=list)
    demo_entries: list[DemoEntry] = field(default_factory=list)


def real_user_host() -> str:
    try:
        user = getpass.getuser()
    except Exception:
        user = "?"
    host = socket.gethostname().split(".")[0] or "?"
    return inert(f"{user}@{host}", limit=60)


def guess_theme(env: dict[str, str] | os._Environ[str] | None = None) -> str:
    """An ANSI theme on terminals that only do 16 colours, else Textual's dark theme."""
    env = os.environ if env is None else env
    term = env.get("TERM", "").lower()
    colorterm = env.get("COLORTERM", "").lower()
    if colorterm in ("truecolor", "24bit") or "256" in term or "direct" in term:
        return DEFAULT_THEME
    if term in ("", "xterm-kitty", "alacritty", "xterm-ghostty", "wezterm"):
        return DEFAULT_THEME
    if term == "dumb" or "16color" in term or term in ("linux", "vt100", "vt220", "xterm", "ansi"):
        return "ansi-dark"
    return DEFAULT_THEME


def resume_gc() -> None:
    """Turn the cyclic GC back on after the first paint (``cypkg`` turns it off to start).

    Everything allocated so far is frozen first: the modules, classes and widgets
    that live as long as the app would otherwise be scanned by every full collection
    (one would land in the middle of a later lookup). Cyclic garbage made before the
    first paint stays with them, about half a megabyte, once.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def tui_retry_policy() -> Any:
    """Retries inside one request stay short: the screen's poll loop does the visible
    backoff (the same policy as ``cypkg watch``)."""
    from tui.api.retry import POLL_RETRY

    return POLL_RETRY


class CypkgApp(App[int]):
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
        super().__init__()
        # No perpetual animation over SSH: nothing moves unless data changed.
        self.animation_level = "none"
        self.startup = startup
        self.config = startup.config
        self.demo = startup.demo
        self.set_reactive(CypkgApp.profile, startup.profile)
        self.user_host = self.options.user_host or real_user_host()
        self._client: PackageClient | None = None
        self._client_lock = threading.Lock()
        self._retired: list[PackageClient] = []
        #: Set (under the lock) once the clients are closed: no client is built after.
        self._clients_closed = False
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
        self.theme = self._initial_theme()

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
        with self._client_lock:
            if self._client is None:
                self._client = self.build_client(self.profile)
            return self._client

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
        with self._client_lock:
            old = self._client
            self._client = None
        if old is not None:
            # Closing now would break a request in flight on another thread: retire it,
            # and close it once any such request is over (or at exit, whichever first).
            self._retired.append(old)
            if self.is_running:
                self.set_timer(
                    self.options.retired_client_grace, lambda: self._close_retired(old)
                )
        self.client_generation += 1

    def _close_retired(self, client: PackageClient) -> None:
        if client in self._retired:
            self._retired.remove(client)
            with contextlib.suppress(Exception):
                client.close()

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

    def _close_clients(self) -> None:
        with self._client_lock:
            self._clients_closed = True
            current, self._client = self._client, None
        for client in [*self._retired, *([current] if current else [])]:
            with contextlib.suppress(Exception):
                client.close()
        self._retired.clear()

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
        driver = self._driver
        # After a hang-up the output thread is gone and its queue never drains: a write
        # then could block the exit for good.
        writer = getattr(driver, "_writer_thread", None)
        if driver is not None and (writer is None or writer.is_alive()):
            driver.write(sequence)

    # -- theme ------------------------------------------------------------------------

    def _initial_theme(self) -> str:
        wanted = (
            self.options.theme
            or os.environ.get(ENV_THEME, "").strip()
            or _str_setting(self.config.settings.get("theme"))
            or guess_theme()
        )
        if wanted not in self.available_themes:
            return DEFAULT_THEME
        if self.no_color and wanted in ANSI_THEMES:
            # Textual picks its NO_COLOR filter for the theme at start-up (a truecolour
            # one); with an ANSI theme that filter draws black on black.
            return DEFAULT_THEME
        return wanted

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

    def on_mount(self) -> None:
        for warning in self.startup.warnings:
            self.notify(inert(warning), title="Config", severity="warning", markup=False)
        if self.startup.package_id:
            # Only now: the detail screen's module is not needed for the lookup's first paint.
            from tui.ui.screens.detail import DetailScreen

            self.push_screen(DetailScreen(self.startup.package_id))
        self.call_after_refresh(self._start_extras)

    def _start_extras(self) -> None:
        """After the first paint: key remaps, the terminal title, watched packages, warm-up."""
        from tui.ui.screens.help import apply_config_keymap
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

        The detail screen's modules, then the API client (httpx, its TLS context),
        which becomes :attr:`client`. No request is made: fetching a token ahead would
        cost a sign-in on every launch, even one that only opens the settings, and a
        cached token (the usual case) already makes the first lookup a single request.
        Best effort: a failure here is left for the lookup itself to meet and report.
        """
        try:
            # Imports first, outside the lock: they are most of the cost (httpx above all).
            import tui.api.client
            import tui.ui.screens.detail  # noqa: F401

            if not self.profile.missing_fields():
                with self._client_lock:
                    # As the client property does, unless the app is already closing.
                    if self._client is None and not self._clients_closed:
                        self._client = self.build_client(self.profile)
            # Today's count so far (other cypkgs'), for the watchlist header and help.
            self.daily.sync()
        except Exception:
            pass

    async def on_unmount(self) -> None:
        self.terminal_title.restore()
        # Changes still queued (a save worker not run yet when the app quits): written now,
        # so a removal right before Ctrl+Q is not undone at the next start.
        for store in (self.recent, self._watchlist_store):
            if store is not None:
                store.save()
        self._close_clients()
        if self._daily is not None:
            self._daily.close()  # this session's last requests go to the shared count

    # -- actions ----------------------------------------------------------------------

    def action_settings(self) -> None:
        from tui.ui.screens.settings import SettingsScreen

        if isinstance(self.screen, SettingsScreen):
            return
        # A modal (copy, palette) on top: settings go above it, which is fine.
        self.push_screen(SettingsScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "settings":
            # Already there: keep the key out of the footer.
            return not self._on_settings()
        if action in ("browse", "watchlist"):
            # Leaving the settings this way would drop unsaved edits: save or Esc first.
            return not self._on_settings()
        return True

    def _on_settings(self) -> bool:
        """Whether the settings screen is on top.

        Asked for every footer key, the first paint included: the settings module is
        looked up only if something loaded it, since no settings screen exists before.
        """
        module = sys.modules.get("tui.ui.screens.settings")
        return module is not None and isinstance(self.screen, module.SettingsScreen)

    def action_toggle_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_open_package(self, package_id: str) -> None:
        from tui.ui.screens.detail import DetailScreen

        self.push_screen(DetailScreen(package_id, fetch_now=True))

    def action_help(self) -> None:
        from tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_browse(self) -> None:
        from tui.ui.screens.browser import BrowserScreen

        self._show_single(BrowserScreen)

    def action_watchlist(self) -> None:
        from tui.ui.screens.watchlist import WatchlistScreen

        self._show_single(WatchlistScreen)

    def _show_single(self, kind: type[Screen[Any]]) -> None:
        """Show the screen of ``kind``: back to it if it is in the stack, else a new one."""
        if isinstance(self.screen, kind):
            return
        stack = self.screen_stack
        if any(isinstance(s, kind) for s in stack):
            while not isinstance(self.screen, kind) and len(self.screen_stack) > 1:
                self.pop_screen()
            return
        self.push_screen(kind())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from tui.ui.screens.settings import SettingsScreen

        screen_commands = getattr(screen, "palette_commands", None)
        if callable(screen_commands):
            yield from screen_commands()
        if not isinstance(screen, SettingsScreen):
            yield SystemCommand(
                "Settings",
                "Edit profiles, credentials and the poll interval (F2)",
                self.action_settings,
            )
        yield SystemCommand(
            "Browse packages", "List the tenant's packages, page by page (F3)", self.action_browse
        )
        yield SystemCommand(
            "Watchlist", "Watch many packages at once (F4)", self.action_watchlist
        )
        yield SystemCommand(
            "Help", "Keys, settings and where cypkg keeps its files (F1, ?)", self.action_help
        )
        yield SystemCommand(
            "Keys", "Show or hide the keys panel of this screen", self.action_toggle_keys
        )
        yield SystemCommand(
            "Theme",
            "Change the colours (ansi-dark suits 16-colour terminals)",
            self.action_change_theme,
        )
        yield SystemCommand("Quit", "Quit cypkg (ctrl+q)", self.action_quit)


def _note_request(daily: DailyCounter) -> None:
    """Every request the client sends (sign-ins too): the day's count, and the cost of
    the request under way for the scheduler's budget (see tui.ui.requests)."""
    from tui.ui.requests import note_request

    daily.add()
    note_request()


def _str_setting(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


# -- entry point ---------------------------------------------------------------------


def demo_entries() -> list[DemoEntry]:
    from tui.emulator.seed import (
        DEMO_PACKAGE_ID,
        FAILED_AFTER,
        STARTED_FAILED_ID,
        STARTED_SUCCESS_ID,
        STARTED_TIMEOUT_ID,
        SUCCESS_AFTER,
        TIMEOUT_AFTER,
    )

    after = "s after launch"
    return [
        DemoEntry(STARTED_SUCCESS_ID, f"demo: started, succeeds ~{SUCCESS_AFTER:.0f} {after}"),
        DemoEntry(STARTED_FAILED_ID, f"demo: started, fails ~{FAILED_AFTER:.0f} {after}"),
        DemoEntry(STARTED_TIMEOUT_ID, f"demo: started, times out ~{TIMEOUT_AFTER:.0f} {after}"),
        DemoEntry(DEMO_PACKAGE_ID, "demo: finished package with examples"),
    ]


def prepare(
    *,
    profile_name: str | None = None,
    api_url: str | None = None,
    package_id: str | None = None,
    demo: Demo | None = None,
    request_timeout: float | None = None,
) -> Startup:
    """Load the config and pick the profile; problems are kept for the UI, never raised."""
    if demo is not None:
        profile = demo.profile
        if request_timeout is not None:
            profile = profile.replace(request_timeout=request_timeout)
        return Startup(
            config=demo.config,
            profile=profile,
            demo=demo,
            package_id=package_id,
            demo_entries=demo_entries(),
        )
    problems: list[CypkgError] = []
    try:
        config = load_config()
    except ConfigError as exc:
        problems.append(exc)
        config = Config(path=config_path())
    try:
        profile = resolve_profile(
            config, profile=profile_name, api_url=api_url, request_timeout=request_timeout
        )
    except ConfigError as exc:
        problems.append(exc)
        try:
            profile = Profile(name=(profile_name or "").strip() or config.active_profile)
        except ConfigError:
            profile = Profile(name=DEFAULT_PROFILE)
    return Startup(
        config=config,
        profile=profile,
        package_id=package_id,
        api_url_override=api_url,
        request_timeout_override=request_timeout,
        problems=problems,
        warnings=list(config.warnings),
    )


def run_app(
    *,
    profile_name: str | None = None,
    api_url: str | None = None,
    package_id: str | None = None,
    demo: Demo | None = None,
    theme: str | None = None,
    request_timeout: float | None = None,
) -> int:
    """Run the TUI until the user quits; the exit status for the CLI."""
    startup = prepare(
        profile_name=profile_name,
        api_url=api_url,
        package_id=package_id,
        demo=demo,
        request_timeout=request_timeout,
    )
    app = CypkgApp(startup, AppOptions(theme=theme))
    with exit_on_signals(app):
        app.run()
    return app.return_code or 0


#: Signals that end the app like ctrl+q does: SIGTERM (kill, a service manager), SIGHUP
#: (the SSH link dropped) and SIGINT (``kill -INT``: inside the app ctrl+c is a key).
EXIT_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


@contextlib.contextmanager
def exit_on_signals(app: App[Any]) -> Iterator[None]:
    """While the app runs, :data:`EXIT_SIGNALS` make it exit cleanly, terminal restored.

    The handler only schedules ``app.exit(return_code=128 + signum)`` on the app's
    event loop, which runs in this (the main) thread. Raising from a signal handler
    instead can be swallowed by the loop or leave the terminal in raw mode. Outside
    the loop (before it starts, after it ends) the previous handler applies.
    """
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(app.exit, None, 128 + signum)
            return
        before = previous.get(signum)
        if callable(before):
            before(signum, frame)
            return
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for name in EXIT_SIGNALS:
        number = getattr(signal, name, None)
        # A signal the user chose to ignore (nohup) stays ignored.
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, before in previous.items():
            signal.signal(number, before if before is not None else signal.SIG_DFL)
