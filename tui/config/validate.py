"""Checks of every profile value, from the file, the environment or a flag: one clear
message naming where the bad value came from, never the secret."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, TypeVar

from tui.api.errors import ConfigError
from tui.api.ids import is_uuid
from tui.api.urls import normalize_base_url, region_by_code
from tui.base.safe_text import inert, is_inert, mask_secrets
from tui.config.settings import (
    MAX_DAILY_BUDGET,
    MAX_POLL_INTERVAL,
    MAX_REQUEST_TIMEOUT,
    MIN_POLL_INTERVAL,
)

if TYPE_CHECKING:
    from tui.config.profile import Config


# Each helper takes ``where``: the key path in the file ("profiles.x.region"),
# the variable or flag name, or the field name, so messages point at the source.


def _parse_region(value: object, where: str) -> str | None:
    text = _optional_text(_require_str(value, where))
    if text is None:
        return None
    try:
        return region_by_code(text).code
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _parse_base_url(value: object, where: str) -> str | None:
    text = _optional_text(_require_str(value, where))
    if text is None:
        return None
    try:
        return normalize_base_url(text)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _parse_poll_interval(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} must be a number, got {_type_name(value)}.")
    number = float(value)
    if not (math.isfinite(number) and MIN_POLL_INTERVAL <= number <= MAX_POLL_INTERVAL):
        raise ConfigError(
            f"{where} must be between {MIN_POLL_INTERVAL:g} and {MAX_POLL_INTERVAL:g} "
            f"seconds, got {value!r}."
        )
    return number


def _parse_request_timeout(value: object, where: str) -> float:
    """A request deadline in seconds, from the file or code: above 0, at most the max."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} must be a number, got {_type_name(value)}.")
    return _deadline_in_range(float(value), value, where)


def parse_request_timeout(text: str, where: str) -> float:
    """A request deadline written as text (a variable, a flag), checked like the file's."""
    try:
        number = float(text.strip())
    except ValueError:
        number = math.nan
    return _deadline_in_range(number, text, where)


def _deadline_in_range(number: float, given: object, where: str) -> float:
    if not (math.isfinite(number) and 0 < number <= MAX_REQUEST_TIMEOUT):
        raise ConfigError(
            f"{where} must be a number of seconds above 0 and at most "
            f"{MAX_REQUEST_TIMEOUT:g}, got {inert(repr(given), limit=40)}."
        )
    return number


def _parse_daily_budget(value: object, where: str) -> int:
    """Requests a day, from the file or code: a whole number from 1 up."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where} must be a whole number of requests, got {_type_name(value)}.")
    return _budget_in_range(value, value, where)


def parse_daily_budget(text: str, where: str) -> int:
    """A daily budget written as text (a variable): digits, ``_`` or ``,`` between them."""
    digits = text.strip().replace("_", "").replace(",", "")
    number = int(digits) if digits.isascii() and digits.isdigit() else 0
    return _budget_in_range(number, text, where)


def _budget_in_range(number: int, given: object, where: str) -> int:
    if not 1 <= number <= MAX_DAILY_BUDGET:
        raise ConfigError(
            f"{where} must be a whole number of requests a day from 1 to "
            f"{MAX_DAILY_BUDGET:,}, got {inert(repr(given), limit=40)}."
        )
    return number


def _check_profile_name(name: object, where: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where} must be a non-empty string.")
    if not is_inert(name) or len(name) > 100:
        raise ConfigError(
            f"{where} '{inert(name, limit=40)}' must be at most 100 characters, "
            "without control characters."
        )
    return name


def _check_plain(value: str | None, where: str) -> None:
    if value and not is_inert(value):
        raise ConfigError(
            f"{where} must not contain control or invisible characters "
            f"(it holds '{inert(value, limit=60)}')."
        )


def _check_uuid(value: str | None, where: str) -> None:
    """Tenant and app IDs go into the signed JWT's ``tid`` and ``sub``: UUIDs only.

    The value is not quoted: when it is not an ID it is often the secret, pasted
    one field off.
    """
    if value and not is_uuid(value.strip()):
        raise ConfigError(
            f"{where} must be a UUID (8-4-4-4-12 hex digits, as the Cylance console shows "
            "it); the value given is not one."
        )


def _optional_text(value: str | None) -> str | None:
    """Blank means "not set": a cleared form field or an empty TOML string."""
    if value is None:
        return None
    text = value.strip()
    return text or None


def _require_str(value: object, where: str) -> str | None:
    """``value`` if it is a string, None if absent; anything else is an error."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string, got {_type_name(value)}.")
    return value


def _type_name(value: object) -> str:
    """The TOML name of a value's type, as a user sees it in the file."""
    kinds: tuple[tuple[type | tuple[type, ...], str], ...] = (
        (bool, "boolean"),  # before int: bool is an int
        (str, "string"),
        (int, "integer"),
        (float, "float"),
        (dict, "table"),
        (list, "array"),
        (datetime, "date-time"),  # before date: datetime is a date
        (date, "date"),
        (time, "time"),
    )
    for kind, name in kinds:
        if isinstance(value, kind):
            return name
    return type(value).__name__


_Parsed = TypeVar("_Parsed")


def _env_check(
    parse: Callable[[str, str], _Parsed], value: str, where: str, secrets: Iterable[str]
) -> _Parsed:
    """``parse(value, where)``, its error message scrubbed of the secrets."""
    try:
        return parse(value, where)
    except ConfigError as exc:
        raise ConfigError(_scrub(str(exc), secrets)) from None


def _unknown_profile_message(name: str, source: str | None, config: Config) -> str:
    known = ", ".join(sorted(config.profiles))
    where = str(config.path) if config.path is not None else "the config file"
    asked = f" (from {source})" if source else ""
    if not known:
        return (
            f"Profile '{name}'{asked} is not defined: {where} has no profiles. "
            "Add one in the settings screen (cypkg, then F2)."
        )
    hint = "" if source else f" Fix active_profile in {where}, or choose one with --profile."
    return f"Profile '{name}'{asked} is not in {where}; known profiles: {known}.{hint}"


def _scrub(message: str, secrets: Iterable[str]) -> str:
    """Make ``message`` safe to show: no secret value, no control characters.

    Messages quote values from the file or the environment; if a secret was
    pasted into the wrong field, it must still not be echoed.
    """
    return inert(mask_secrets(message, secrets))
