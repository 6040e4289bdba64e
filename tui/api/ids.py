"""Package IDs: validation and normalisation before anything reaches a URL."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from tui.api.errors import InvalidPackageId

# Only ASCII hex: `str.isdigit`-style Unicode look-alikes must not pass.
_UUID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[0-9a-fA-F]{32}"
)
_BRACED = re.compile(r"\{(.*)\}|urn:uuid:(.*)", re.IGNORECASE | re.DOTALL)
_MAX_INPUT = 2048


def is_uuid(value: str) -> bool:
    """True for a UUID as the Cylance console shows one: 8-4-4-4-12 (or 32) ASCII hex digits."""
    return _UUID.fullmatch(value) is not None


def normalize_package_id(value: str) -> str:
    """Return the canonical lower-case dashed form of a package ID.

    Accepts surrounding whitespace, upper case, braces, ``urn:uuid:`` and the
    32-digit undashed form. Anything else raises :class:`InvalidPackageId`
    with a message that says what is wrong.
    """
    if not isinstance(value, str):
        raise InvalidPackageId("A package ID must be text.")
    text = value.strip()
    if not text:
        raise InvalidPackageId(
            "Enter a package ID (a UUID such as e378dacb-9324-453a-b8c6-5a8406952195)."
        )
    if len(text) > _MAX_INPUT:
        raise InvalidPackageId(f"That is {len(text)} characters long; a package ID is 36.")
    braced = _BRACED.fullmatch(text)
    if braced:
        text = (braced.group(1) or braced.group(2) or "").strip()
    if not _UUID.fullmatch(text):
        raise InvalidPackageId(_explain(text))
    # What str(uuid.UUID(text)) gives, without importing uuid (and platform) on every run.
    digits = text.replace("-", "").lower()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _explain(text: str) -> str:
    shown = text if len(text) <= 48 else text[:45] + "…"
    from tui.base.safe_text import inert

    shown = inert(shown)
    if not text.isascii():
        return f"'{shown}' contains non-ASCII characters; a package ID is a UUID of hex digits."
    bad = sorted({c for c in text.lower() if c not in "0123456789abcdef-"})
    if bad:
        listed = " ".join(repr(c) for c in bad[:5])
        return f"'{shown}' is not a UUID: unexpected character(s) {inert(listed)}."
    digits = len(text.replace("-", ""))
    if digits != 32:
        return f"'{shown}' is not a UUID: it has {digits} hex digits, a UUID has 32."
    return f"'{shown}' is not a UUID: expected the form 8-4-4-4-12."


def extract_package_id(value: str) -> str:
    """Like :func:`normalize_package_id`, but also accepts a pasted API URL.

    ``https://protectapi.cylance.com/packages/v2/<id>`` (with or without a
    query string or trailing slash) yields ``<id>``.
    """
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and "://" in text and len(text) <= _MAX_INPUT:
        path = urlsplit(text).path
        segments = [unquote(s) for s in path.split("/") if s]
        if len(segments) >= 3 and segments[-3:-1] == ["packages", "v2"]:
            return normalize_package_id(segments[-1])
        raise InvalidPackageId(
            "That URL is not a package URL; expected …/packages/v2/<package ID>."
        )
    return normalize_package_id(text)
