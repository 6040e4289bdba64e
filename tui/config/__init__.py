"""Profiles, paths and the config file.

The config file is TOML under the platformdirs config directory (so XDG_*
variables are honoured), or wherever ``CYPKG_CONFIG`` points::

    active_profile = "default"

    [profiles.default]
    region = "na"            # or base_url = "https://..."
    tenant_id = "..."
    app_id = "..."
    app_secret = "..."
    ca_bundle = "/etc/ssl/corp.pem"   # optional
    poll_interval = 5                 # optional, seconds
    request_timeout = 60              # optional, seconds one request may take in all
    daily_budget = 10000              # optional, requests a UTC day (all cypkgs of the user)
    scopes = "opticspkgconfig:read"   # optional

Keys this version does not know (top-level settings and per-profile extras)
are kept and written back, so a newer cypkg's settings survive an older one.
Environment overrides (``CYPKG_*``) are applied by :func:`resolve_profile`
only; they never reach the file.

No Textual and no httpx here: the CLI, the TUI and the API layer all use it.
The package's modules: :mod:`~tui.config.settings` (defaults and limits, once),
:mod:`~tui.config.paths`, :mod:`~tui.config.profile` (Secret, Profile, Config),
:mod:`~tui.config.validate`, :mod:`~tui.config.resolve` (environment and flags),
:mod:`~tui.config.store` (file I/O) and :mod:`~tui.config.edit` (comment-keeping writes).
"""

from __future__ import annotations

from tui.config.paths import (
    cache_dir,
    config_path,
    data_dir,
    describe_paths,
    state_dir,
    token_cache_dir,
)
from tui.config.profile import Config, Profile, Secret, scrub
from tui.config.resolve import require_complete, resolve_profile, upsert_profile
from tui.config.settings import (
    DEFAULT_DAILY_BUDGET,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_PROFILE,
    DEFAULT_REQUEST_TIMEOUT,
    ENV_API_URL,
    ENV_APP_ID,
    ENV_APP_SECRET,
    ENV_CONFIG,
    ENV_DAILY_BUDGET,
    ENV_PROFILE,
    ENV_REGION,
    ENV_REQUEST_TIMEOUT,
    ENV_TENANT_ID,
    MAX_DAILY_BUDGET,
    MAX_POLL_INTERVAL,
    MAX_REQUEST_TIMEOUT,
    MIN_POLL_INTERVAL,
)
from tui.config.store import load_config, save_config
from tui.config.validate import parse_daily_budget, parse_request_timeout

__all__ = [
    "DEFAULT_DAILY_BUDGET",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_PROFILE",
    "DEFAULT_REQUEST_TIMEOUT",
    "ENV_API_URL",
    "ENV_APP_ID",
    "ENV_APP_SECRET",
    "ENV_CONFIG",
    "ENV_DAILY_BUDGET",
    "ENV_PROFILE",
    "ENV_REGION",
    "ENV_REQUEST_TIMEOUT",
    "ENV_TENANT_ID",
    "MAX_DAILY_BUDGET",
    "MAX_POLL_INTERVAL",
    "MAX_REQUEST_TIMEOUT",
    "MIN_POLL_INTERVAL",
    "Config",
    "Profile",
    "Secret",
    "cache_dir",
    "config_path",
    "data_dir",
    "describe_paths",
    "load_config",
    "parse_daily_budget",
    "parse_request_timeout",
    "require_complete",
    "resolve_profile",
    "save_config",
    "scrub",
    "state_dir",
    "token_cache_dir",
    "upsert_profile",
]
