"""What the app is started with: the profile and config found (:class:`Startup`), and
the knobs tests and benchmarks turn (:class:`AppOptions`: clocks, intervals, budget)."""

from __future__ import annotations

import getpass
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from tui.api.errors import CypkgError
from tui.api.retry import RetryPolicy
from tui.base.safe_text import inert
from tui.config import (
    Config,
    Profile,
)
from tui.polling.policy import MIN_INTERVAL
from tui.polling.recent import RecentStore
from tui.ui.width_cache import LIMIT as WIDTH_CACHE_LIMIT
from tui.ui.width_cache import PERIOD as WIDTH_CACHE_PERIOD

if TYPE_CHECKING:
    from tui.api.auth import AccessToken
    from tui.api.models import Package
    from tui.polling.clients import Demo
    from tui.polling.watchlist import WatchlistStore


class PackageClient(Protocol):
    """What the screens need from an API client (``CylanceClient`` or a test double)."""

    base_url: str

    def get_package(self, package_id: str) -> Package: ...

    def authenticate(self, *, force: bool = False) -> AccessToken: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class DemoEntry:
    """A sample package listed on the lookup screen in demo mode."""

    package_id: str
    label: str


ClientFactory = Callable[[Profile], PackageClient]


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
    #: that poll in milliseconds against a fake client raise it; see tui/polling/requests.py).
    max_per_window: int = 5
    #: How the first fetch of a package is retried before its error panel shows: the
    #: CLI's policy (the client's default; tests shorten its delays).
    first_retry: RetryPolicy = field(default_factory=RetryPolicy)


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


def tui_retry_policy() -> Any:
    """Retries inside one request stay short: the screen's poll loop does the visible
    backoff (the same policy as ``cypkg watch``)."""
    from tui.api.retry import POLL_RETRY

    return POLL_RETRY
