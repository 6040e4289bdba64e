"""The Cylance API client: authentication, requests, retries and error mapping.

Synchronous on purpose: the CLI stays a plain fast script, and the TUI calls
it from worker threads. One ``httpx.Client`` (keep-alive, proxies from the
environment, TLS always verified) serves every request of a session.
"""

from __future__ import annotations

import functools
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import httpx

from tui import __version__
from tui.api.auth import (
    ASSUMED_LIFETIME,
    AccessToken,
    TokenCache,
    build_client_jwt,
    cache_key,
    token_expiry,
)
from tui.api.errors import (
    ApiError,
    AuthFailed,
    ConfigError,
    CypkgError,
    InvalidResponse,
    NetworkError,
    RateLimited,
    RequestTimeout,
)
from tui.api.ids import is_uuid, normalize_package_id
from tui.api.models import Package, PackagePage, parse_package, parse_page

# The list's fields and checks: importable from here as before they had their own module.
from tui.api.query import MAX_PAGE_SIZE as MAX_PAGE_SIZE
from tui.api.query import SORT_FIELDS as SORT_FIELDS
from tui.api.query import list_params as list_params
from tui.api.responses import (
    clock_skew,
    decode,
    describe_transport_error,
    parse_json,
    read_capped,
    redirect_error,
    refuse_redirect,
    server_message,
    status_error,
    timeout_kind,
)
from tui.api.retry import RETRYABLE_STATUS, RetryPolicy, describe_wait, parse_retry_after
from tui.api.transport import attempt, tls_verification, watch_client
from tui.api.urls import is_loopback_host, normalize_base_url
from tui.base.safe_text import mask_secrets

if TYPE_CHECKING:
    from tui.api.created import Created

SCOPE_READ = "opticspkgconfig:read"
SCOPE_LIST = "opticspkgconfig:list"
SCOPE_CREATE = "opticspkgconfig:create"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)
#: Seconds one request attempt may take in all, connect to last body byte (the
#: timeouts above bound single operations only). The profile's default too.
DEFAULT_REQUEST_TIMEOUT = 60.0
#: Clock skew worth mentioning when authentication fails.
SKEW_WARNING = 120.0

RetryHook = Callable[[ApiError, float, int], None]
_P = ParamSpec("_P")
_T = TypeVar("_T")


def _masking_secret(method: Callable[_P, _T]) -> Callable[_P, _T]:
    """Errors leave the client with its secret masked.

    Messages quote settings (the base URL, the CA bundle path), and a secret pasted
    into one of them would be shown with it.
    """

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return method(*args, **kwargs)
        except CypkgError as exc:
            secret = str(getattr(args[0], "_secret", ""))
            exc.mask(lambda text: mask_secrets(text, (secret,)))
            raise

    return wrapper


class CylanceClient:
    """A session with one tenant's API application."""

    def __init__(
        self,
        base_url: str,
        tenant_id: str,
        app_id: str,
        app_secret: str,
        *,
        scopes: str | None = None,
        ca_bundle: str | None = None,
        token_cache: TokenCache | None = None,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] | None = None,
        on_retry: RetryHook | None = None,
        transport: httpx.BaseTransport | None = None,
        on_request: Callable[[], None] | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.tenant_id = tenant_id.strip()
        self.app_id = app_id.strip()
        self._secret = app_secret
        self._scopes = scopes
        self._cache = token_cache if token_cache is not None else TokenCache(None)
        self._key = cache_key(self.base_url, self.tenant_id, self.app_id, app_secret)
        self.retry = retry or RetryPolicy()
        if not request_timeout > 0:
            raise ValueError("request_timeout must be a positive number of seconds")
        #: The deadline of every request attempt, seconds (see DEFAULT_REQUEST_TIMEOUT).
        self.request_timeout = float(request_timeout)
        self._timeout = timeout
        self._clock = clock
        self._sleep = sleep
        self.on_retry = on_retry
        self._closed = threading.Event()
        self._auth_lock = threading.Lock()
        #: HTTP requests sent, auth included (for diagnostics and benchmarks).
        self.requests_sent = 0
        #: Called as each request (sign-ins included) is sent: the daily count.
        self.on_request = on_request
        verify = self._tls_verification(ca_bundle)
        if transport is None and is_loopback_host(urlsplit(self.base_url).hostname or ""):
            # A transport of our own makes httpx ignore the proxy variables: the loopback
            # emulator's plain-http credentials must not go through a proxy (in clear).
            # SSL_CERT_FILE still counts (an https loopback server).
            transport = httpx.HTTPTransport(verify=verify, trust_env=True)
        self._http = httpx.Client(
            timeout=timeout,
            verify=verify,
            # trust_env: HTTPS_PROXY/NO_PROXY and SSL_CERT_FILE work as users expect.
            trust_env=True,
            follow_redirects=False,
            # Before httpx reads a Location at all: some make it raise (an ESC in the URL).
            event_hooks={"response": [refuse_redirect]},
            headers={"Accept": "application/json", "User-Agent": f"cypkg/{__version__}"},
            transport=transport,
        )
        watch_client(self._http)

    def __repr__(self) -> str:
        return f"CylanceClient(base_url={self.base_url!r}, tenant_id={self.tenant_id!r})"

    def __enter__(self) -> CylanceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool; a retry waiting in another thread gives up at once."""
        self._closed.set()
        self._http.close()

    # -- public API ---------------------------------------------------------------------

    @_masking_secret
    def get_package(self, package_id: str) -> Package:
        """``GET /packages/v2/{id}``; the ID is validated before any request."""
        pid = normalize_package_id(package_id)
        response = self._get(f"/packages/v2/{pid}", None, SCOPE_READ, not_found_id=pid)
        text = decode(response)
        return parse_package(parse_json(text), raw=text)

    @_masking_secret
    def list_packages(
        self,
        page: int = 1,
        page_size: int = 20,
        sort: str | None = None,
        filters: Mapping[str, str] | None = None,
    ) -> PackagePage:
        """``GET /packages/v2`` with paging, sorting and equality filters."""
        params = list_params(page, page_size, sort, filters)
        response = self._get("/packages/v2", params, SCOPE_LIST)
        text = decode(response)
        return parse_page(parse_json(text), raw=text)

    @_masking_secret
    def create_package(self, descriptor: Mapping[str, object], checksum: str) -> Created:
        """``POST /packages/v2``: a ``started`` package and where to upload its file.

        Never retried, but for one fresh token after a 401 (refused, so nothing was
        made): a second POST after a lost answer would create a second package.
        """
        # Imported here: `cypkg get` and the TUI's start-up do not pay for them.
        from tui.api.created import parse_created
        from tui.api.descriptor import create_body

        body = create_body(descriptor, checksum)  # validated before any request
        for fresh in (False, True):
            token = self.authenticate(force=fresh)
            headers = {
                "Authorization": f"Bearer {token.value}",
                "Content-Type": "application/json; charset=utf-8",
            }
            with self._send("POST", "/packages/v2", content=body, headers=headers) as response:
                if response.status_code in (200, 201):
                    text = decode(response)
                    return parse_created(parse_json(text), raw=text)
                if response.status_code != 401 or fresh:
                    raise status_error(response, SCOPE_CREATE, None)
        raise AssertionError("unreachable")

    @_masking_secret
    def authenticate(self, *, force: bool = False) -> AccessToken:
        """Return a usable access token, fetching one only when needed (or forced)."""
        with self._auth_lock:
            if not force:
                cached = self._cache.get(self._key, self._clock())
                if cached is not None:
                    return cached
            self._cache.discard(self._key)
            token = self._request_token()
            self._cache.put(self._key, token)
            return token

    # -- internals ----------------------------------------------------------------------

    @_masking_secret
    def _tls_verification(self, ca_bundle: str | None) -> ssl.SSLContext | bool:
        # The message names the CA bundle path, which may be the secret pasted there.
        return tls_verification(ca_bundle)

    def _request_token(self) -> AccessToken:
        if not (self.tenant_id and self.app_id and self._secret):
            raise ConfigError("Tenant ID, app ID and app secret are all needed to sign in.")
        # They travel in the JWT's claims, readable by anyone on the way: only what
        # belongs there (a value that is not a UUID is often the secret, one field off).
        for label, value in (("tenant ID", self.tenant_id), ("app ID", self.app_id)):
            if not is_uuid(value):
                raise ConfigError(f"The {label} is not a UUID (8-4-4-4-12 hex digits).")
        if self._scopes and mask_secrets(self._scopes, (self._secret,)) != self._scopes:
            raise ConfigError("The scopes setting holds the app secret: it is not sent.")
        now = self._clock()
        assertion = build_client_jwt(
            tenant_id=self.tenant_id,
            app_id=self.app_id,
            app_secret=self._secret,
            now=now,
            scopes=self._scopes,
        )
        body = json.dumps({"auth_token": assertion}).encode("utf-8")
        with self._send(
            "POST",
            "/auth/v2/token",
            content=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
        ) as response:
            if response.status_code != 200:
                raise self._auth_error(response, now)
            data = parse_json(decode(response))
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token or len(token) > 16_384:
            raise InvalidResponse("The token endpoint's answer has no access_token.")
        expires_at = token_expiry(token) or (now + ASSUMED_LIFETIME)
        return AccessToken(token, expires_at)

    def _auth_error(self, response: httpx.Response, now: float) -> ApiError:
        status = response.status_code
        said = server_message(response)
        if status in (400, 401, 403):
            text = f"The API rejected the credentials (HTTP {status}{said})."
            skew = clock_skew(response, now)
            if skew is not None and abs(skew) > SKEW_WARNING:
                direction = "behind" if skew > 0 else "ahead of"
                text += (
                    f" This machine's clock is {abs(skew) / 60:.0f} min {direction} the "
                    "server's; fix the clock (NTP) and try again."
                )
            return AuthFailed(text, status=status)
        if status == 404:
            return AuthFailed(
                f"No token endpoint at {self.base_url} (HTTP 404): check the region or base URL.",
                status=status,
            )
        return status_error(response, SCOPE_READ, None)

    def _get(
        self,
        path: str,
        params: list[tuple[str, str]] | None,
        scope: str,
        *,
        not_found_id: str | None = None,
    ) -> httpx.Response:
        """GET with a bearer token: re-auth once on 401, retry 5xx/429/transport errors."""
        attempt = 0
        reauthenticated = False
        while True:
            token = self.authenticate()
            error: ApiError
            retry_after: float | None = None
            status: int | None = None
            try:
                with self._send(
                    "GET", path, params=params, headers={"Authorization": f"Bearer {token.value}"}
                ) as response:
                    status = response.status_code
                    if status == 200:
                        response.read()
                        return response
                    if status == 401 and not reauthenticated:
                        # Expired or revoked early: one fresh token, one more try.
                        reauthenticated = True
                        self._cache.discard(self._key)
                        continue
                    now = self._clock()
                    asked = parse_retry_after(response.headers.get("Retry-After"), now)
                    until = ""
                    if asked is not None and asked.asked > self.retry.max_retry_after:
                        # Not sat out here: the message says until when ("14:05 UTC").
                        until = describe_wait(asked, now)
                    error = status_error(response, scope, not_found_id, until)
                    if status not in RETRYABLE_STATUS:
                        raise error
                    if asked is not None:
                        # Whoever polls next must wait this long too (at most a day).
                        error.retry_after = asked.wait
                        retry_after = asked.asked
                    elif isinstance(error, RateLimited):
                        error.retry_after = self.retry.rate_limit_wait  # the docs say 60 s
            except NetworkError as exc:
                error = exc
            attempt += 1
            delay = self.retry.delay_for(attempt, status=status, retry_after=retry_after)
            if delay is None:
                raise error
            if self.on_retry is not None:
                self.on_retry(error, delay, attempt)
            self._wait(delay, error)

    def _wait(self, delay: float, error: ApiError) -> None:
        if self._sleep is not None:
            self._sleep(delay)
        elif self._closed.wait(delay):
            raise error

    @contextmanager
    def _send(self, method: str, path: str, **kwargs: Any) -> Iterator[httpx.Response]:
        """Send one request; the body is read (capped) inside, transport errors mapped."""
        url = self.base_url + path
        self.requests_sent += 1
        if self.on_request is not None:
            self.on_request()
        with attempt(self.request_timeout) as sent:
            try:
                timeout = sent.bound(self._timeout)
                with self._http.stream(method, url, timeout=timeout, **kwargs) as response:
                    read_capped(response, sent)
                    yield response
            except httpx.TimeoutException as exc:
                if sent.limited or sent.ran_out:
                    raise self._deadline_error() from None
                raise RequestTimeout(f"{timeout_kind(exc)} talking to {self.base_url}.") from None
            except httpx.TransportError as exc:
                status = sent.status
                if isinstance(exc, httpx.ProtocolError) and status and 300 <= status < 400:
                    # A head too broken for h11 (CR or NUL in Location, 100 KB of it).
                    raise redirect_error(status, None, malformed=True) from None
                raise NetworkError(describe_transport_error(exc, self.base_url)) from None

    def _deadline_error(self) -> RequestTimeout:
        return RequestTimeout(
            f"No complete answer from {urlsplit(self.base_url).netloc} within "
            f"{self.request_timeout:g} s (request deadline).",
            hint="The answer came too slowly (a slow link, or a server or proxy sending it "
            "bit by bit); cypkg retried. On a slow link, raise request_timeout in the "
            "profile, CYPKG_REQUEST_TIMEOUT or --request-timeout.",
        )

