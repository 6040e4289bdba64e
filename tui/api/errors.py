"""One error taxonomy for everything that can go wrong talking to the API.

The CLI maps each class to an exit code and the TUI to a panel; both show
``str(error)``, which is one clear sentence (or two) and never holds a secret
or unfiltered server text.
"""

from __future__ import annotations

from collections.abc import Callable


class CypkgError(Exception):
    """Base class: ``str(err)`` is a message fit to show a user."""

    exit_code = 6
    #: A short title for panels and toasts.
    title = "Error"
    #: What the user can do next, shown under the message.
    hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return self.message

    def mask(self, hide: Callable[[str], str]) -> None:
        """Pass the message and hint through ``hide`` (to mask a secret they may quote)."""
        self.message = hide(self.message)
        self.args = (self.message,)
        if self.hint:
            self.hint = hide(self.hint)


class UsageError(CypkgError):
    """Bad command-line usage or a request the API rejected as malformed (400)."""

    exit_code = 2
    title = "Invalid request"


class InvalidPackageId(UsageError):
    """The text is not a package ID; no request was made."""

    title = "Invalid package ID"
    hint = "A package ID is a UUID such as e378dacb-9324-453a-b8c6-5a8406952195."


class ConfigError(CypkgError):
    """Missing, incomplete or unreadable configuration."""

    exit_code = 5
    title = "Configuration problem"
    hint = "Open the settings (F2 in the app) or run `cypkg config path` to find the file."


class ApiError(CypkgError):
    """Something the API (or the way to it) answered or failed to answer."""

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        #: Seconds the server asked callers to wait (Retry-After on 429/503), if it did.
        self.retry_after: float | None = None


class BadRequest(ApiError):
    """The API answered 400: it did not accept the request's parameters."""

    exit_code = 2
    title = "Request rejected"


class NotFound(ApiError):
    exit_code = 4
    title = "Not found"
    hint = (
        "Check the ID, and that the profile's tenant and region are the ones the package "
        "was uploaded to."
    )


class AuthFailed(ApiError):
    exit_code = 5
    title = "Authentication failed"
    hint = (
        "Check the tenant ID, app ID and app secret; that this machine's clock is right "
        "(tokens are time-limited, so clock skew is the most common cause); and that the "
        "region matches the tenant (credentials of one region are rejected by the others)."
    )


class MissingScope(ApiError):
    exit_code = 5
    title = "Permission denied"

    def __init__(self, scope: str, *, status: int | None = 403) -> None:
        super().__init__(
            f"The API application lacks the '{scope}' permission (HTTP 403).",
            status=status,
            hint=f"In the Cylance console, give the application the '{scope}' scope, "
            "then try again.",
        )
        self.scope = scope


class RateLimited(ApiError):
    exit_code = 6
    title = "Rate limited"
    hint = "The tenant's API limit (about 20 requests a second) was reached; wait a minute."

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after


class ServerError(ApiError):
    exit_code = 6
    title = "Server error"
    hint = "The service had a problem; cypkg retried. Try again later."


class NetworkError(ApiError):
    exit_code = 6
    title = "Network error"
    hint = (
        "Check the network, the proxy settings (HTTPS_PROXY, NO_PROXY) and, behind a "
        "TLS-inspecting proxy, the CA bundle (ca_bundle setting or SSL_CERT_FILE)."
    )


class RequestTimeout(NetworkError):
    title = "Timed out"
    hint = "The service or the link is slow; cypkg retried. Try again, or check the proxy."


class InvalidResponse(ApiError):
    exit_code = 6
    title = "Invalid response"
    hint = (
        "The answer was not what the Cylance API sends. A proxy or captive portal may be "
        "answering instead of the service; check the base URL and proxy settings."
    )
