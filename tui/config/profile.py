"""A profile (where and as whom to connect), its secret, and the whole config."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.api.errors import ConfigError
from tui.api.urls import DEFAULT_REGION, region_by_code, region_for_url
from tui.base.safe_text import inert, mask_secrets
from tui.config.settings import (
    _ID_KEYS,
    _MASK,
    DEFAULT_DAILY_BUDGET,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_PROFILE,
    DEFAULT_REQUEST_TIMEOUT,
)
from tui.config.validate import (
    _check_plain,
    _check_profile_name,
    _check_uuid,
    _optional_text,
    _parse_base_url,
    _parse_daily_budget,
    _parse_poll_interval,
    _parse_region,
    _parse_request_timeout,
)


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


def scrub(text: object, secrets: Iterable[Secret], *, limit: int | None = None) -> str:
    """``text`` fit to show: each of ``secrets`` masked, control characters made inert."""
    shown = str(text)
    for secret in secrets:
        shown = secret.mask(shown)
    return inert(shown, limit=limit)
