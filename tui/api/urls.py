"""Regions and the base-URL policy: https everywhere, http only on loopback."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from tui.api.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    url: str


REGIONS: tuple[Region, ...] = (
    Region("na", "North America", "https://protectapi.cylance.com"),
    Region("us", "US Government", "https://protectapi.us.cylance.com"),
    Region("euc1", "Europe Central", "https://protectapi-euc1.cylance.com"),
    Region("apne1", "Asia-Pacific North", "https://protectapi-apne1.cylance.com"),
    Region("au", "Asia-Pacific Southeast", "https://protectapi-au.cylance.com"),
    Region("sae1", "South America", "https://protectapi-sae1.cylance.com"),
)
DEFAULT_REGION = "na"

# Other spellings users bring from the `cyapi` SDK and the console.
_ALIASES = {
    "us-gov": "us",
    "usgov": "us",
    "gov": "us",
    "euc": "euc1",
    "eu": "euc1",
    "apn": "apne1",
    "aps": "au",
    "apse": "au",
    "sae": "sae1",
    "sa": "sae1",
}


def region_by_code(code: str) -> Region:
    key = code.strip().lower()
    key = _ALIASES.get(key, key)
    for region in REGIONS:
        if region.code == key:
            return region
    known = ", ".join(r.code for r in REGIONS)
    raise ConfigError(f"Unknown region '{code[:40]}'; expected one of: {known}.")


def region_for_url(base_url: str) -> Region | None:
    for region in REGIONS:
        if region.url == base_url:
            return region
    return None


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 and the name localhost, nothing that merely starts like them."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(value: str) -> str:
    """Validate a base URL and return it without a trailing slash.

    Refuses anything but ``https://host[:port][/path]``, except ``http://`` to a
    loopback host (the local emulator). User info, queries and fragments are
    refused: they have no place in a base URL and are a classic way to smuggle
    a different host past a reader.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ConfigError("The API base URL is empty.")
    if len(text) > 2048 or not text.isascii() or any(c.isspace() or ord(c) < 0x20 for c in text):
        raise ConfigError("The API base URL must be a plain ASCII URL without spaces.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"The API base URL is not a valid URL ({exc}).") from None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in ("https", "http") or not host:
        raise ConfigError(
            "The API base URL must start with https:// and name a host, "
            "e.g. https://protectapi.cylance.com."
        )
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ConfigError("The API base URL must not contain a user name or password.")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ConfigError("The API base URL must not contain a query (?) or fragment (#).")
    if scheme == "http" and not is_loopback_host(host):
        raise ConfigError(
            f"Refusing plain http:// to '{host}': credentials would cross the network "
            "unencrypted. Use https://; http:// is allowed only for loopback "
            "(127.0.0.1, ::1, localhost)."
        )
    path = parts.path.rstrip("/")
    if any(seg in (".", "..") for seg in path.split("/")) or "%" in path:
        raise ConfigError("The API base URL path must not contain '.', '..' or %-escapes.")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    if not _valid_host(host) or parts.netloc.lower() != netloc.lower():
        # e.g. "%40" in a host name, or "[::1].evil.example", which urlsplit reads as ::1
        raise ConfigError(
            f"The API base URL's host '{parts.netloc[:80]}' is not a host name or IP address."
        )
    return f"{scheme}://{netloc}{path}"


_HOST_NAME = re.compile(
    r"(?!-)[a-z0-9_-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9_-]{1,63}(?<!-))*\.?", re.IGNORECASE
)


def _valid_host(host: str) -> bool:
    if ":" in host:
        try:
            return ipaddress.ip_address(host).version == 6
        except ValueError:
            return False
    return len(host) <= 253 and _HOST_NAME.fullmatch(host) is not None
