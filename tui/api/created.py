"""The answer to ``POST /packages/v2``, and the rule for the storage URLs it and a
package hand out (``uploadTo``, ``downloadUrl``).

Both are untrusted: the answer is checked field by field, and a storage URL must be
``https://`` (or ``http://`` to loopback, as for the base URL) with no user name or
password. A URL's query is its signature: it is never quoted in a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tui.api.errors import ConfigError, CypkgError, InvalidResponse
from tui.api.ids import is_uuid
from tui.api.urls import normalize_base_url
from tui.base.safe_text import inert

MAX_URL = 8192


@dataclass(frozen=True)
class Created:
    """A package the API created: it is ``started`` until its file reaches ``upload_to``."""

    package_id: str
    package_url: str
    upload_to: str
    #: The answer as received (for ``--json``).
    raw: str = ""


def shown_url(url: str) -> str:
    """``scheme://host/path`` of a URL, made inert: never its query (the signature)."""
    try:
        parts = urlsplit(url)
        text = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
    except ValueError:
        text = "(an unreadable URL)"
    return inert(text, limit=120)


def check_storage_url(url: object, what: str) -> str:
    """``url`` if it may be used for ``what`` (e.g. "upload URL"), else ConfigError."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise InvalidResponse(f"The package's {what} is missing or not a URL.")
    if not url.isascii() or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise InvalidResponse(f"The package's {what} is not a plain ASCII URL.")
    try:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
    except ValueError:
        raise InvalidResponse(f"The package's {what} is not a valid URL.") from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidResponse(f"The package's {what} holds a user name or password: not used.")
    try:
        # The base URL's rule: https, or plain http only to loopback; a real host.
        normalize_base_url(root)
    except ConfigError as exc:
        reason = str(exc).replace("The API base URL", "It")
        raise ConfigError(f"Refusing the {what} {shown_url(url)}: {reason}") from None
    return url


def parse_created(data: object, raw: str = "") -> Created:
    """The create answer, checked: a UUID packageId and a usable ``uploadTo``."""
    if not isinstance(data, dict):
        raise InvalidResponse("The create answer is not a JSON object.")
    package_id = data.get("packageId")
    if not isinstance(package_id, str) or not is_uuid(package_id):
        raise InvalidResponse("The create answer has no valid packageId.")
    try:
        upload_to = check_storage_url(data.get("uploadTo"), "upload URL")
    except CypkgError as exc:
        # The package exists all the same: say so, or it would be a silent leftover.
        exc.message = (
            f"Package {package_id.lower()} was created (it stays started, then times out), "
            f"but {exc.message[0].lower()}{exc.message[1:]}"
        )
        exc.args = (exc.message,)
        raise
    package_url = data.get("packageUrl")
    if not isinstance(package_url, str) or len(package_url) > MAX_URL:
        package_url = ""
    return Created(package_id.lower(), inert(package_url, limit=MAX_URL), upload_to, raw)
