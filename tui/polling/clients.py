"""Glue between config and the API client: build a client for a profile.

Also starts the embedded emulator for ``--demo``. Neither Textual nor the
CLI build HTTP clients themselves; they come here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.config import Config, Profile, Secret, token_cache_dir

if TYPE_CHECKING:
    from tui.api.client import CylanceClient, RetryHook
    from tui.api.retry import RetryPolicy
    from tui.emulator import Emulator
    from tui.polling.daily_count import DailyCounter

DEMO_PROFILE_NAME = "demo"
#: The documented quota of a whole tenant, requests a day.
DEMO_DAILY_BUDGET = 100_000


def make_client(
    profile: Profile,
    *,
    persist_tokens: bool = True,
    retry: RetryPolicy | None = None,
    on_retry: RetryHook | None = None,
    on_cache_problem: Callable[[str], None] | None = None,
    on_request: Callable[[], None] | None = None,
) -> CylanceClient:
    """A client for ``profile``; tokens are cached on disk unless ``persist_tokens`` is off.

    ``on_cache_problem`` hears once why the disk cache is refused (a link in place
    of cypkg's cache or token directory); the client then signs in each time.
    """
    from tui.api.auth import TokenCache
    from tui.api.client import CylanceClient

    # <cache dir>/tokens: both directories are cypkg's own (never links, 0700).
    directory = token_cache_dir() if persist_tokens else None
    cache = TokenCache(directory, own=2, on_problem=on_cache_problem)
    return CylanceClient(
        profile.api_url,
        profile.tenant_id,
        profile.app_id,
        profile.app_secret.reveal(),
        scopes=profile.scopes,
        ca_bundle=profile.ca_bundle,
        request_timeout=profile.request_timeout,
        token_cache=cache,
        retry=retry,
        on_retry=on_retry,
        on_request=on_request,
    )


def daily_counter(
    profile: Profile,
    *,
    demo: bool = False,
    budget: int | None = None,
    clock: Callable[[], float] | None = None,
) -> DailyCounter:
    """Today's request count for ``profile``'s tenant, in the state dir shared by every
    cypkg of the user; in memory only for the demo (its requests go to no tenant).
    ``budget`` replaces the profile's; ``clock`` is the wall clock (tests fake it)."""
    import time

    from tui.polling.daily_count import DailyCounter, default_path

    path = None if demo else default_path()
    budget = profile.daily_budget if budget is None else budget
    return DailyCounter(path, profile.tenant_id, budget, clock=clock or time.time)


@dataclass
class Demo:
    """A running embedded emulator and the in-memory profile that points at it."""

    emulator: Emulator
    profile: Profile
    config: Config = field(default_factory=Config)

    def stop(self) -> None:
        self.emulator.stop()


def start_demo(*, poll_interval: float = 2.0) -> Demo:
    """Start the emulator on a free loopback port; nothing is written to the user's files."""
    from tui.emulator import DEMO, Emulator

    emulator = Emulator(host="127.0.0.1", port=0).start()
    profile = Profile(
        name=DEMO_PROFILE_NAME,
        region=None,
        base_url=emulator.base_url,
        tenant_id=DEMO.tenant_id,
        app_id=DEMO.app_id,
        app_secret=Secret(DEMO.app_secret),
        ca_bundle=None,
        poll_interval=poll_interval,
        # The emulator is a tenant of its own, shared with no SIEM or SOAR feed: its whole
        # documented quota, so the demo's quick polling is not stretched.
        daily_budget=DEMO_DAILY_BUDGET,
    )
    config = Config(active_profile=DEMO_PROFILE_NAME, profiles={DEMO_PROFILE_NAME: profile})
    return Demo(emulator=emulator, profile=profile, config=config)
