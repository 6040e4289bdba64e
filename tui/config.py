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
"""

from __future__ import annotations

import dataclasses
import errno
import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from tui import config_edit
from tui.api.errors import ConfigError
from tui.api.ids import is_uuid
from tui.api.urls import DEFAULT_REGION, normalize_base_url, region_by_code, region_for_url
from tui.base.files import (
    FileTooLarge,
    LinkRefused,
    PrivateDir,
    atomic_write_private,
    read_private_file,
)
from tui.base.safe_text import MASK, inert, is_inert, mask_secrets
from tui.polling.budget import DEFAULT_DAILY_BUDGET, MAX_DAILY_BUDGET

# platformdirs, tomllib, tomlkit and hmac are imported where they are used:
# `cypkg get` with only environment variables should not pay for them.

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

APP_NAME = "cypkg"
DEFAULT_PROFILE = "default"
DEFAULT_POLL_INTERVAL = 5.0
MIN_POLL_INTERVAL = 1.0
MAX_POLL_INTERVAL = 3600.0
#: The deadline of one request attempt (connect to last byte); the API client's default.
DEFAULT_REQUEST_TIMEOUT = 60.0
#: Longer than anyone would wait for one answer; beyond it a typo is more likely.
MAX_REQUEST_TIMEOUT = 600.0

ENV_CONFIG = "CYPKG_CONFIG"
ENV_PROFILE = "CYPKG_PROFILE"
ENV_API_URL = "CYPKG_API_URL"
ENV_REGION = "CYPKG_REGION"
ENV_TENANT_ID = "CYPKG_TENANT_ID"
ENV_APP_ID = "CYPKG_APP_ID"
ENV_APP_SECRET = "CYPKG_APP_SECRET"
ENV_REQUEST_TIMEOUT = "CYPKG_REQUEST_TIMEOUT"
ENV_DAILY_BUDGET = "CYPKG_DAILY_BUDGET"

# A config file is a few hundred bytes; refuse to slurp something that is not one.
_MAX_FILE_SIZE = 1024 * 1024
_MASK = MASK
_ID_KEYS = ("tenant_id", "app_id")
_PROFILE_KEYS = (
    "region",
    "base_url",
    "tenant_id",
    "app_id",
    "app_secret",
    "ca_bundle",
    "poll_interval",
    "scopes",
    "request_timeout",
    "daily_budget",
)


# --------------------------------------------------------------------------- paths
# Functions, not constants: the environment (XDG_*, CYPKG_CONFIG) may change
# between calls, in tests and in long-lived processes alike.


def config_path() -> Path:
    """The config file: ``$CYPKG_CONFIG`` if set, else ``<user config dir>/config.toml``."""
    override = os.environ.get(ENV_CONFIG, "").strip()
    if override:
        return Path(override).expanduser()
    return _default_config_dir() / "config.toml"


def cache_dir() -> Path:
    import platformdirs

    return platformdirs.user_cache_path(APP_NAME)


def token_cache_dir() -> Path:
    return cache_dir() / "tokens"


def data_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)


def state_dir() -> Path:
    """Where the day's request count lives (shared by every cypkg of the user)."""
    import platformdirs

    return platformdirs.user_state_path(APP_NAME)


def describe_paths() -> dict[str, Path]:
    """Where cypkg keeps things, for ``cypkg config path`` and the help screen."""
    return {
        "config file": config_path(),
        "cache dir": cache_dir(),
        "token cache dir": token_cache_dir(),
        "data dir": data_dir(),
        "state dir": state_dir(),
    }


def _default_config_dir() -> Path:
    import platformdirs

    return platformdirs.user_config_path(APP_NAME)


def _is_own_dir(directory: Path) -> bool:
    """True for cypkg's own config directory, whose mode cypkg may change.

    A directory ``CYPKG_CONFIG`` points into (a home directory, a project
    checkout, /tmp) belongs to the user and other programs.
    """
    try:
        return directory.resolve() == _default_config_dir().resolve()
    except OSError:
        return False


# --------------------------------------------------------------------------- secret


class Secret:
    """The app secret, masked everywhere it could be printed or logged.

    ``repr``, ``str`` and ``format`` show a fixed mask (not even the length);
    only :meth:`reveal` returns the value.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str = "") -> None:
        if not isinstance(value, str):
            # Say nothing about the value itself: it may be the secret.
            raise TypeError("Secret value must be a str")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def mask(self, text: str) -> str:
        """``text`` with this secret, and any long piece of it, replaced by the mask."""
        return mask_secrets(text, (self._value,))

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __format__(self, format_spec: str) -> str:
        return format(_MASK, format_spec)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # Constant time, out of habit for anything that is compared with a secret.
        import hmac

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))


# --------------------------------------------------------------------------- profile


@dataclass(frozen=True)
class Profile:
    """One set of credentials and connection settings.

    Construction validates and normalises (region aliases become codes, base
    URLs lose their trailing slash), so every ``Profile`` is usable as is;
    errors are :class:`ConfigError`.
    """

    name: str
    region: str | None = None
    base_url: str | None = None
    tenant_id: str = ""
    app_id: str = ""
    app_secret: Secret = field(default_factory=Secret)
    ca_bundle: str | None = None
    poll_interval: float = DEFAULT_POLL_INTERVAL
    scopes: str | None = None
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    #: Requests a UTC day this tenant's cypkgs aim to stay within (see tui.polling.budget).
    daily_budget: int = DEFAULT_DAILY_BUDGET
    # Keys from the file this version does not know; written back on save.
    # Not in repr: unknown content may be a credential in the wrong place.
    extras: Mapping[str, object] = field(default_factory=dict, repr=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.app_secret, Secret):
            raise TypeError("app_secret must be a Secret")
        try:
            self._validate()
        except ConfigError as exc:
            # Messages quote values (a name, a region), and the secret may be one of them.
            raise ConfigError(self.app_secret.mask(str(exc))) from None

    def _validate(self) -> None:
        _check_profile_name(self.name, "profile name")
        # Frozen: normalised values go in through object.__setattr__.
        set_ = object.__setattr__
        set_(self, "region", _parse_region(self.region, "region"))
        set_(self, "base_url", _parse_base_url(self.base_url, "base_url"))
        # Pasted credentials often carry a stray space or newline; real ones never do.
        set_(self, "tenant_id", self.tenant_id.strip())
        set_(self, "app_id", self.app_id.strip())
        for key in _ID_KEYS:
            _check_uuid(getattr(self, key), key)
        # These are shown in the settings form, which draws text as it is: nothing in
        # them may act on the terminal (a hand edit or a pasted escape sequence).
        for key in ("tenant_id", "app_id", "ca_bundle", "scopes"):
            _check_plain(getattr(self, key), key)
        if self.app_secret.reveal() != self.app_secret.reveal().strip():
            set_(self, "app_secret", Secret(self.app_secret.reveal().strip()))
        set_(self, "ca_bundle", _optional_text(self.ca_bundle))
        set_(self, "poll_interval", _parse_poll_interval(self.poll_interval, "poll_interval"))
        set_(self, "scopes", _optional_text(self.scopes))
        deadline = _parse_request_timeout(self.request_timeout, "request_timeout")
        set_(self, "request_timeout", deadline)
        set_(self, "daily_budget", _parse_daily_budget(self.daily_budget, "daily_budget"))
        set_(self, "extras", dict(self.extras))  # a private copy: frozen means frozen

    def __repr__(self) -> str:
        # The dataclass repr, masked: the secret may have been pasted into any field.
        shown = (f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self) if f.repr)
        return self.app_secret.mask(f"Profile({', '.join(shown)})")

    def scrub(self, text: object, *, limit: int | None = None) -> str:
        """``text`` fit to show: this profile's secret masked, control characters inert.

        Every string shown from a profile goes through here (or, for messages that
        quote several profiles, :func:`scrub`): whichever field the secret was
        pasted into, a CA bundle path, a base URL, a name, it is not shown.
        """
        return scrub(text, (self.app_secret,), limit=limit)

    @property
    def api_url(self) -> str:
        """The base URL requests go to: custom URL, else the region's, else North America."""
        if self.base_url:
            return self.base_url
        return region_by_code(self.region or DEFAULT_REGION).url

    @property
    def region_label(self) -> str:
        """E.g. ``North America (protectapi.cylance.com)``, or the custom URL."""
        region = region_for_url(self.api_url)
        if region is None:
            return self.api_url
        return f"{region.name} ({region.url.removeprefix('https://')})"

    def missing_fields(self) -> list[str]:
        """Human names of the credentials still missing, in form order."""
        missing = []
        if not self.tenant_id:
            missing.append("tenant ID")
        if not self.app_id:
            missing.append("app ID")
        if not self.app_secret:
            missing.append("app secret")
        return missing

    @property
    def is_complete(self) -> bool:
        return not self.missing_fields()

    def replace(self, **changes: Any) -> Profile:
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- config


@dataclass
class Config:
    """The config file's content, plus where it came from and what load noticed."""

    active_profile: str = DEFAULT_PROFILE
    profiles: dict[str, Profile] = field(default_factory=dict)
    # Other top-level settings (theme, ...), kept verbatim so unknown keys
    # survive a round trip. Not in repr, like Profile.extras.
    settings: dict[str, object] = field(default_factory=dict, repr=False)
    path: Path | None = None
    # Things the caller should show the user, e.g. a permission fix.
    warnings: list[str] = field(default_factory=list)


def load_config(path: Path | None = None) -> Config:
    """Read the config file; a missing file gives an empty :class:`Config`.

    Tightens a file or (cypkg's own) directory that others can read, and says
    so in ``Config.warnings``. Raises :class:`ConfigError` naming the file and
    the problem.
    """
    path = path if path is not None else config_path()
    warnings = _tighten_permissions(path)
    data = _read_file(path)
    if data is None:
        return Config(path=path, warnings=warnings)
    config = _parse_document(path, data)
    config.warnings = warnings
    return config


def save_config(config: Config, path: Path | None = None) -> None:
    """Write ``config`` atomically, 0600 in a 0700 directory.

    The target is ``path``, else ``config.path``, else :func:`config_path`.
    The previous file is kept as ``<name>.bak``; a previous file that does not
    load is kept for good as ``<name>.corrupt-YYYYmmdd-HHMMSS`` instead, since
    it is likely a hand edit gone wrong that the user will want back.
    """
    target = path if path is not None else (config.path or config_path())
    document = _serialise(config)
    try:
        payload = config_edit.dumps(document).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"Cannot save the settings: {inert(exc, limit=200)}") from None

    previous = _read_file(target)
    if previous is not None:
        try:
            before = _serialise(_parse_document(target, previous))
        except ConfigError:
            backup = _free_name(target, f".corrupt-{datetime.now():%Y%m%d-%H%M%S}")
        else:
            backup = target.with_name(target.name + ".bak")
            payload = _edited(target, previous, before, document) or payload
        _write_private(backup, previous)
    _write_private(target, payload)


def _edited(
    target: Path, previous: bytes, before: dict[str, Any], document: dict[str, Any]
) -> bytes | None:
    """The previous file with only the changed values changed (comments, order kept).

    None when the edited text would not read back as ``document``: then the file is
    written fresh (its comments are still in the .bak) rather than wrong.
    """
    try:
        edited = config_edit.update(previous.decode("utf-8"), before, document).encode("utf-8")
        if _serialise(_parse_document(target, edited)) == document:
            return edited
    except Exception:  # tomlkit's own errors, whatever they are: the fresh text is right
        pass
    return None


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


def scrub(text: object, secrets: Iterable[Secret], *, limit: int | None = None) -> str:
    """``text`` fit to show: each of ``secrets`` masked, control characters made inert."""
    shown = str(text)
    for secret in secrets:
        shown = secret.mask(shown)
    return inert(shown, limit=limit)


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


# --------------------------------------------------------------------------- validation
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


# --------------------------------------------------------------------------- file I/O


def _tighten_permissions(path: Path) -> list[str]:
    """Make the file 0600 and cypkg's own directory 0700; describe what changed.

    Nothing is followed through a link: a linked file or directory is left for
    :func:`_read_file` to refuse.
    """
    if os.name != "posix":
        return []
    try:
        with PrivateDir.open(path.parent, own=_own_dirs(path), create=False) as directory:
            directory.tighten(path.name)
            changes = directory.tightened
    except OSError:
        return []  # missing, a link or unreadable: _read_file reports what matters
    warnings: list[str] = []
    for target, mode, error in changes:
        wanted = f"{0o700 if target != path else 0o600:04o}"
        what = "readable" if mode & 0o044 else "accessible"
        if error is not None:
            warnings.append(
                inert(
                    f"{target} is {what} by others (mode {mode:04o}) and could not be "
                    f"changed to {wanted}: {error.strerror or error}"
                )
            )
        else:
            warnings.append(
                inert(f"{target} was {what} by others (mode {mode:04o}); changed to {wanted}")
            )
    return warnings


def _own_dirs(path: Path) -> int:
    """How many trailing directories of ``path``'s parent are cypkg's (see tui.base.files)."""
    return 1 if _is_own_dir(path.parent) else 0


def _read_file(path: Path) -> bytes | None:
    """The file's bytes, or None when there is no file. Never read through a link."""
    try:
        return read_private_file(path, _MAX_FILE_SIZE, own=_own_dirs(path))
    except LinkRefused as exc:
        raise _link_error(exc) from None
    except IsADirectoryError:
        raise _file_error(path, "is a directory, not a file.") from None
    except FileTooLarge as exc:
        raise _file_error(path, f"is too large ({exc.size} bytes) to be a config file.") from None
    except FileNotFoundError:
        return None
    except PermissionError:
        raise _file_error(path, "cannot be read: permission denied.") from None
    except OSError as exc:
        if exc.errno == errno.EINVAL:
            # Opening a FIFO or a device could block or never end.
            raise _file_error(path, "is not a regular file.") from None
        raise _file_error(path, f"cannot be read: {exc.strerror or exc}.") from None


def _link_error(exc: LinkRefused) -> ConfigError:
    return ConfigError(
        inert(
            f"{exc}. Replace the link with the real {exc.kind}, or set {ENV_CONFIG} "
            "to the path of the file it leads to."
        )
    )


def _file_error(path: Path, detail: str, secrets: Iterable[str] = ()) -> ConfigError:
    return ConfigError(_scrub(f"Config file {path} {detail}", secrets))


def _parse_document(path: Path, data: bytes) -> Config:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the standard library reads TOML only from 3.11 on
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _file_error(
            path, f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})."
        ) from None
    text = text.removeprefix("\ufeff")  # editors on Windows add a BOM
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        if "line" not in detail:
            # tomllib says "at end of document" for unterminated values.
            detail += f" (line {text.count(chr(10)) + 1}, the last line)"
        raise _file_error(path, f"is not valid TOML: {detail}.") from None

    secrets = _secrets_in(document)
    try:
        return _config_from_document(document, path)
    except ConfigError as exc:
        raise _file_error(path, f"has an error: {exc}", secrets) from None


def _secrets_in(document: Mapping[str, Any]) -> list[str]:
    """The secrets a message about ``document`` must not show: its own and the
    environment's (which will be used with it)."""
    known = [os.environ.get(ENV_APP_SECRET, "").strip()]
    profiles = document.get("profiles")
    if not isinstance(profiles, dict):
        return known
    return known + [
        table["app_secret"]
        for table in profiles.values()
        if isinstance(table, dict) and isinstance(table.get("app_secret"), str)
    ]


def _config_from_document(document: dict[str, Any], path: Path) -> Config:
    active = document.get("active_profile", DEFAULT_PROFILE)
    if not isinstance(active, str):
        raise ConfigError(f"active_profile must be a string, got {_type_name(active)}.")
    _check_profile_name(active, "active_profile")

    tables = document.get("profiles", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"profiles must be a table, got {_type_name(tables)}.")
    profiles = {name: _profile_from_table(name, table) for name, table in tables.items()}

    settings = {k: v for k, v in document.items() if k not in ("active_profile", "profiles")}
    return Config(active_profile=active, profiles=profiles, settings=settings, path=path)


def _profile_from_table(name: str, table: object) -> Profile:
    prefix = f"profiles.{_toml_key(name)}"
    _check_profile_name(name, "profile name")
    if not isinstance(table, dict):
        raise ConfigError(f"{prefix} must be a table, got {_type_name(table)}.")

    def text(key: str) -> str:
        value = _require_str(table.get(key), f"{prefix}.{key}")
        if key != "app_secret":  # never shown, and never quoted in a message
            _check_plain(value, f"{prefix}.{key}")
        if key in _ID_KEYS:
            _check_uuid(value, f"{prefix}.{key}")
        return value or ""

    poll = table.get("poll_interval", DEFAULT_POLL_INTERVAL)
    deadline = table.get("request_timeout", DEFAULT_REQUEST_TIMEOUT)
    budget = table.get("daily_budget", DEFAULT_DAILY_BUDGET)
    return Profile(
        name=name,
        region=_parse_region(table.get("region"), f"{prefix}.region"),
        base_url=_parse_base_url(table.get("base_url"), f"{prefix}.base_url"),
        tenant_id=text("tenant_id"),
        app_id=text("app_id"),
        app_secret=Secret(text("app_secret")),
        ca_bundle=text("ca_bundle") or None,
        poll_interval=_parse_poll_interval(poll, f"{prefix}.poll_interval"),
        scopes=text("scopes") or None,
        request_timeout=_parse_request_timeout(deadline, f"{prefix}.request_timeout"),
        daily_budget=_parse_daily_budget(budget, f"{prefix}.daily_budget"),
        extras={k: v for k, v in table.items() if k not in _PROFILE_KEYS},
    )


def _toml_key(name: str) -> str:
    """``name`` as it appears in a dotted key: bare if it can be, quoted otherwise."""
    bare = name and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    return name if bare else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _serialise(config: Config) -> dict[str, Any]:
    # Settings first, so they stay top-level keys before the [profiles.*] tables;
    # None has no TOML form and means "unset".
    document: dict[str, Any] = {"active_profile": config.active_profile}
    for key, value in config.settings.items():
        if key not in ("active_profile", "profiles") and value is not None:
            document[key] = value
    document["profiles"] = {
        name: _profile_table(profile) for name, profile in config.profiles.items()
    }
    return document


def _profile_table(profile: Profile) -> dict[str, Any]:
    # Written only when changed, as an integer when whole: "5" reads better than "5.0".
    poll: float | None = profile.poll_interval
    if poll == DEFAULT_POLL_INTERVAL:
        poll = None
    elif poll is not None and poll.is_integer():
        poll = int(poll)
    deadline: float | None = profile.request_timeout
    if deadline == DEFAULT_REQUEST_TIMEOUT:
        deadline = None
    elif deadline is not None and deadline.is_integer():
        deadline = int(deadline)
    budget = None if profile.daily_budget == DEFAULT_DAILY_BUDGET else profile.daily_budget
    values: dict[str, Any] = {
        "region": profile.region,
        "base_url": profile.base_url,
        "tenant_id": profile.tenant_id,
        "app_id": profile.app_id,
        "app_secret": profile.app_secret.reveal(),
        "ca_bundle": profile.ca_bundle,
        "poll_interval": poll,
        "scopes": profile.scopes,
        "request_timeout": deadline,
        "daily_budget": budget,
    }
    table = {key: value for key, value in values.items() if value not in (None, "")}
    for key, value in profile.extras.items():
        if key not in table and value is not None:
            table[key] = value
    return table


def _free_name(path: Path, suffix: str) -> Path:
    """``path`` + ``suffix``, with a counter if that name is taken (same second)."""
    candidate = path.with_name(path.name + suffix)
    counter = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}{suffix}-{counter}")
        counter += 1
    return candidate


def _write_private(path: Path, data: bytes) -> None:
    """Only cypkg's own config directory is made 0700, not one CYPKG_CONFIG points into."""
    try:
        atomic_write_private(path, data, own=_own_dirs(path))
    except LinkRefused as exc:
        raise _link_error(exc) from None
    except OSError as exc:
        raise ConfigError(
            inert(f"Cannot write {path}: {exc.strerror or exc}. The previous file is unchanged.")
        ) from None
