"""The profile in effect: the file's, overlaid by the environment (``CYPKG_*``) and flags.
Overrides never reach the file."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui.api.errors import ConfigError
from tui.config.paths import config_path
from tui.config.profile import Config, Profile, Secret
from tui.config.settings import (
    ENV_API_URL,
    ENV_APP_ID,
    ENV_APP_SECRET,
    ENV_DAILY_BUDGET,
    ENV_PROFILE,
    ENV_REGION,
    ENV_REQUEST_TIMEOUT,
    ENV_TENANT_ID,
)
from tui.config.validate import (
    _check_plain,
    _check_uuid,
    _env_check,
    _parse_base_url,
    _parse_region,
    _parse_request_timeout,
    _scrub,
    _unknown_profile_message,
    parse_daily_budget,
    parse_request_timeout,
)


def resolve_profile(
    config: Config,
    *,
    profile: str | None = None,
    api_url: str | None = None,
    request_timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> Profile:
    """The profile to use: the file's, overlaid with environment and flags.

    Name: ``profile`` > ``CYPKG_PROFILE`` > ``config.active_profile``.
    Fields: ``--api-url`` > ``CYPKG_API_URL``/``CYPKG_REGION`` and the
    credential variables > the file; ``--request-timeout`` >
    ``CYPKG_REQUEST_TIMEOUT`` > the file > 60 s; ``CYPKG_DAILY_BUDGET`` > the
    file > 10,000. Empty variables are ignored.
    """
    env = os.environ if env is None else env

    def env_value(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    env_secret = env_value(ENV_APP_SECRET)
    secrets = [env_secret] if env_secret else []
    secrets += [p.app_secret.reveal() for p in config.profiles.values()]

    flag_name = (profile or "").strip() or None
    env_name = env_value(ENV_PROFILE)
    source = "--profile" if flag_name else ENV_PROFILE if env_name else None
    name = flag_name or env_name or config.active_profile
    chosen = config.profiles.get(name)
    if chosen is None:
        # Asked for by name, or the file has profiles but not the active one:
        # a typo, so list what there is. No profiles at all: first run.
        if source or config.profiles:
            raise ConfigError(_scrub(_unknown_profile_message(name, source, config), secrets))
        try:
            chosen = Profile(name=name)
        except ConfigError as exc:
            raise ConfigError(_scrub(f"active_profile: {exc}", secrets)) from None

    changes: dict[str, Any] = {}
    for var, key in ((ENV_TENANT_ID, "tenant_id"), (ENV_APP_ID, "app_id")):
        value = env_value(var)
        if value is not None:
            try:
                _check_plain(value, f"Environment variable {var}")
                _check_uuid(value, f"Environment variable {var}")
            except ConfigError as exc:
                raise ConfigError(_scrub(str(exc), secrets)) from None
            changes[key] = value
    if env_secret is not None:
        changes["app_secret"] = Secret(env_secret)

    region = env_value(ENV_REGION)
    if region is not None:
        changes["region"] = _env_check(
            _parse_region, region, f"Environment variable {ENV_REGION}", secrets
        )
        # A region from the environment means "use that region", not the file's URL.
        changes["base_url"] = None
    url = env_value(ENV_API_URL)
    if url is not None:
        changes["base_url"] = _env_check(
            _parse_base_url, url, f"Environment variable {ENV_API_URL}", secrets
        )
    if api_url is not None and api_url.strip():
        changes["base_url"] = _env_check(_parse_base_url, api_url, "--api-url", secrets)
    deadline = env_value(ENV_REQUEST_TIMEOUT)
    if deadline is not None:
        changes["request_timeout"] = _env_check(
            parse_request_timeout, deadline, f"Environment variable {ENV_REQUEST_TIMEOUT}", secrets
        )
    if request_timeout is not None:
        changes["request_timeout"] = _parse_request_timeout(request_timeout, "--request-timeout")
    budget = env_value(ENV_DAILY_BUDGET)
    if budget is not None:
        changes["daily_budget"] = _env_check(
            parse_daily_budget, budget, f"Environment variable {ENV_DAILY_BUDGET}", secrets
        )

    return chosen.replace(**changes) if changes else chosen


def require_complete(profile: Profile, *, config_file: Path | None = None) -> Profile:
    """Return ``profile`` if it has all credentials, else raise :class:`ConfigError`."""
    missing = profile.missing_fields()
    if not missing:
        return profile
    where = config_file if config_file is not None else config_path()
    lead = "No credentials configured" if len(missing) == 3 else "Incomplete credentials"
    raise ConfigError(
        profile.scrub(
            f"{lead} for profile '{profile.name}': missing {', '.join(missing)}. "
            f"Set them in the settings screen (cypkg, then F2), in {where}, "
            f"or with {ENV_TENANT_ID}/{ENV_APP_ID}/{ENV_APP_SECRET}."
        )
    )


def upsert_profile(config: Config, profile: Profile, *, activate: bool) -> Config:
    """A copy of ``config`` with ``profile`` added or replaced (by name).

    The profile also becomes active when ``activate`` is set or when the
    active name does not name a profile yet (the first profile saved).
    """
    profiles = dict(config.profiles)
    profiles[profile.name] = profile
    active = config.active_profile
    if activate or active not in config.profiles:
        active = profile.name
    return dataclasses.replace(
        config,
        active_profile=active,
        profiles=profiles,
        settings=dict(config.settings),
        warnings=list(config.warnings),
    )
