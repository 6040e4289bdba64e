"""What an HTTP answer means, for the client: bodies read under a size cap and
decoded strictly, JSON parsed, the server's message and clock read, redirects
refused, and transport failures described in one line. No Textual."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime

import httpx

from tui.api.errors import (
    ApiError,
    AuthFailed,
    BadRequest,
    InvalidResponse,
    MissingScope,
    NotFound,
    RateLimited,
    ServerError,
)
from tui.api.transport import Attempt
from tui.base.safe_text import inert

#: A package with thousands of examples is well under this; anything larger is
#: not a package, and reading it all would only cost memory.
MAX_BODY_BYTES = 16 * 1024 * 1024


def refuse_redirect(response: httpx.Response) -> None:
    """Any 3xx ends the request as it is: never followed, never retried."""
    if 300 <= response.status_code < 400:
        raise redirect_error(response.status_code, response.headers.get("Location"))


def redirect_error(status: int, location: str | None, *, malformed: bool = False) -> ApiError:
    if malformed:
        what = "with a malformed Location header"
    elif location is None:
        what = "without a Location"
    else:
        what = f"to {inert(location, limit=120)}"
    return InvalidResponse(
        f"Unexpected redirect (HTTP {status}) {what}: a proxy or portal may be answering; "
        "check the base URL.",
        status=status,
    )


def read_capped(response: httpx.Response, sent: Attempt) -> None:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise InvalidResponse(too_big())
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        if sent.ran_out:
            # The streams stop a read at the deadline; this catches a transport whose
            # streams are not watched (see tui.api.transport.watch_client).
            raise httpx.ReadTimeout("the request deadline passed", request=response.request)
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            raise InvalidResponse(too_big())
        chunks.append(chunk)
    response._content = b"".join(chunks)  # what .read() would have stored


def too_big() -> str:
    return f"The response is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB; not read further."


def decode(response: httpx.Response) -> str:
    body = response.content
    content_type = response.headers.get("Content-Type", "").lower()
    if "html" in content_type or body.lstrip()[:1] == b"<":
        raise InvalidResponse(
            "The server answered with an HTML page instead of JSON (a proxy or login page?).",
            status=response.status_code,
        )
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidResponse("The response is not valid UTF-8 text.") from None


def parse_json(text: str) -> object:
    try:
        return json.loads(text)
    except RecursionError:
        raise InvalidResponse("The response is JSON nested too deeply to be a package.") from None
    except ValueError as exc:
        if not text.strip():
            raise InvalidResponse("The response body is empty.") from None
        raise InvalidResponse(
            f"The response is not valid JSON ({exc.__class__.__name__} at character "
            f"{getattr(exc, 'pos', '?')}); it may have been cut off."
        ) from None


def server_message(response: httpx.Response) -> str:
    """``: <message>`` from a JSON error body, made inert; empty when there is none."""
    try:
        data = json.loads(response.content[:65536])
    except (ValueError, RecursionError):
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    if isinstance(message, str) and message.strip():
        return f": {inert(message.strip(), limit=200)}"
    return ""


def clock_skew(response: httpx.Response, now: float) -> float | None:
    """Server time minus local time, from the Date header, when there is one."""
    try:
        server = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError, IndexError):
        return None
    return server.timestamp() - now


def timeout_kind(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "Timed out connecting"
    if isinstance(exc, httpx.ReadTimeout):
        return "Timed out waiting for an answer"
    if isinstance(exc, httpx.PoolTimeout):
        return "Timed out waiting for a free connection"
    return "Timed out sending the request"


def describe_transport_error(exc: httpx.TransportError, base_url: str) -> str:
    detail = str(exc) or exc.__class__.__name__
    lowered = detail.lower()
    if isinstance(exc, httpx.ProxyError):
        said = inert(detail, limit=160)
        return f"The proxy refused or failed the connection to {base_url} ({said})."
    if "certificate" in lowered or "ssl" in lowered:
        return (
            f"TLS verification failed for {base_url} ({inert(detail, limit=160)}). Behind a "
            "TLS-inspecting proxy, set ca_bundle in the profile or SSL_CERT_FILE."
        )
    if (
        "name or service not known" in lowered
        or "nodename nor servname" in lowered
        or ("temporary failure in name resolution" in lowered)
        or "getaddrinfo" in lowered
    ):
        return f"Cannot resolve the host of {base_url} (DNS): check the region/base URL."
    if "connection refused" in lowered or "errno 111" in lowered:
        return f"Connection refused by {base_url}: nothing is listening there."
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return f"The connection to {base_url} broke off mid-answer ({inert(detail, limit=120)})."
    return f"Cannot reach {base_url} ({inert(detail, limit=160)})."


def status_error(
    response: httpx.Response, scope: str, not_found_id: str | None, until: str = ""
) -> ApiError:
    """The error an HTTP status other than 200 means, its message with the server's own."""
    status = response.status_code
    said = server_message(response)
    if status == 401:
        return AuthFailed(
            f"The API refused the access token even after signing in again (HTTP 401{said}).",
            status=status,
        )
    if status == 403:
        return MissingScope(scope)
    if status == 404:
        what = f"No package with ID {not_found_id}" if not_found_id else "Not found"
        return NotFound(f"{what} in this tenant (HTTP 404{said}).", status=status)
    if status == 400:
        return BadRequest(f"The API rejected the request (HTTP 400{said}).", status=status)
    if status == 429:
        when = f" {until}" if until else ""
        error = RateLimited(f"Rate limited by the API{when} (HTTP 429{said}).")
        if until:
            error.hint = "The service asked cypkg to wait that long; try again after that time."
        return error
    if 500 <= status < 600:
        asks = f" It asks to wait {until}." if until else ""
        # The sentence ends here: the server's own full stop is not doubled.
        bare = said.rstrip(".")
        return ServerError(f"The service answered HTTP {status}{bare}.{asks}", status=status)
    bare = said.rstrip(".")
    return InvalidResponse(f"Unexpected HTTP {status}{bare}.", status=status)
