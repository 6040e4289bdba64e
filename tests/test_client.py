"""API client against a scripted transport: auth, token reuse, retries, error mapping."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import jwt
import pytest

from tui.api.auth import TokenCache, build_client_jwt, token_expiry
from tui.api.client import CylanceClient
from tui.api.errors import (
    ApiError,
    AuthFailed,
    BadRequest,
    InvalidPackageId,
    InvalidResponse,
    MissingScope,
    NetworkError,
    NotFound,
    RateLimited,
    RequestTimeout,
    ServerError,
    UsageError,
)
from tui.api.models import Status
from tui.api.responses import MAX_BODY_BYTES
from tui.api.retry import RetryPolicy

BASE = "https://protectapi.cylance.com"
TENANT = "11111111-2222-3333-4444-555555555555"
APP = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
SECRET = "s3cr3t-value-that-must-never-leak"
PID = "e378dacb-9324-453a-b8c6-5a8406952195"
PACKAGE = {
    "packageId": PID,
    "status": "started",
    "category": "custom",
    "size": 1234,
    "timeout": 300,
    "uploadedOn": "2026-11-27T19:58:04.1234567Z",
    "uploadedBy": {"id": "u1", "login": "j.doe@example.com"},
    "packageDescriptor": {"name": "collect", "version": 2, "examples": []},
}

Handler = Callable[[httpx.Request], httpx.Response]


def access_token(exp_in: float = 1800, now: float | None = None) -> str:
    now = time.time() if now is None else now
    return jwt.encode(
        {"exp": int(now + exp_in), "scp": ["opticspkgconfig:read"]}, "k" * 32, "HS256"
    )


class Script:
    """A transport that answers token requests itself and API requests from a queue."""

    def __init__(self, *api: httpx.Response | Exception) -> None:
        self.api = list(api)
        self.requests: list[httpx.Request] = []
        self.tokens_issued = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/auth/v2/token":
            self.tokens_issued += 1
            return httpx.Response(200, json={"access_token": access_token()})
        item = self.api.pop(0) if self.api else httpx.Response(200, json=PACKAGE)
        if isinstance(item, Exception):
            raise item
        return item

    @property
    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != "/auth/v2/token"]


def make(
    handler: Handler,
    *,
    cache_dir: Path | None = None,
    sleeps: list[float] | None = None,
    retry: RetryPolicy | None = None,
) -> CylanceClient:
    recorded = sleeps if sleeps is not None else []
    return CylanceClient(
        BASE,
        TENANT,
        APP,
        SECRET,
        token_cache=TokenCache(cache_dir),
        transport=httpx.MockTransport(handler),
        sleep=recorded.append,
        retry=retry,
    )


def test_client_jwt_claims() -> None:
    now = 1_800_000_000.0
    token = build_client_jwt(tenant_id=TENANT, app_id=APP, app_secret=SECRET, now=now)
    claims = jwt.decode(
        token, SECRET, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False}
    )
    assert claims["iss"] == "http://cylance.com"
    assert claims["sub"] == APP and claims["tid"] == TENANT
    assert claims["iat"] == int(now) and claims["exp"] - claims["iat"] <= 1800
    assert len(claims["jti"]) == 36 and "scp" not in claims
    other = build_client_jwt(
        tenant_id=TENANT, app_id=APP, app_secret=SECRET, now=now, scopes="opticspkgconfig:read"
    )
    claims2 = jwt.decode(
        other, SECRET, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False}
    )
    assert claims2["jti"] != claims["jti"] and claims2["scp"] == "opticspkgconfig:read"


def test_auth_request_shape_and_bearer() -> None:
    script = Script()
    with make(script) as client:
        package = client.get_package(PID.upper())
    auth, get = script.requests
    assert auth.method == "POST" and auth.headers["Content-Type"].startswith("application/json")
    assert "auth_token" in json.loads(auth.content)
    assert get.url.path == f"/packages/v2/{PID}"
    assert get.headers["Authorization"].startswith("Bearer ")
    assert get.headers["Accept"] == "application/json"
    assert package.status is Status.STARTED and json.loads(package.raw) == PACKAGE


def test_token_reused_in_memory_and_across_processes(tmp_path: Path) -> None:
    script = Script()
    with make(script, cache_dir=tmp_path) as client:
        client.get_package(PID)
        client.get_package(PID)
    assert script.tokens_issued == 1 and len(script.api_requests) == 2
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and (files[0].stat().st_mode & 0o777) == 0o600
    assert SECRET not in files[0].read_text()
    # A new client (as in a new process) with the same cache dir: one request, not two.
    second = Script()
    with make(second, cache_dir=tmp_path) as client:
        client.get_package(PID)
    assert len(second.requests) == 1 and second.tokens_issued == 0


def test_expiring_token_is_renewed(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path)
    script = Script()
    client = CylanceClient(
        BASE, TENANT, APP, SECRET, token_cache=cache, transport=httpx.MockTransport(script)
    )
    client.get_package(PID)
    key = next(iter(cache._memory))
    token = cache._memory[key]
    # Thirty seconds before its expiry the token is no longer handed out.
    assert cache.get(key, now=token.expires_at - 30) is None
    assert cache.get(key, now=token.expires_at - 120) is not None


def test_401_reauthenticates_once_and_retries() -> None:
    script = Script(httpx.Response(401, json={"message": "expired"}))
    with make(script) as client:
        assert client.get_package(PID).package_id == PID
    assert script.tokens_issued == 2 and len(script.api_requests) == 2


def test_repeated_401_is_auth_failed() -> None:
    script = Script(*[httpx.Response(401, json={"message": "nope"})] * 3)
    with make(script) as client, pytest.raises(AuthFailed) as err:
        client.get_package(PID)
    assert script.tokens_issued == 2 and len(script.api_requests) == 2
    assert err.value.exit_code == 5


def test_auth_rejection_mentions_clock_and_region() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401,
            json={"message": "Invalid JWT payload"},
            headers={"Date": "Mon, 01 Jan 2024 00:00:00 GMT"},
        )

    with make(handler) as client, pytest.raises(AuthFailed) as err:
        client.get_package(PID)
    message = str(err.value)
    assert "Invalid JWT payload" in message and "clock" in message
    assert "region" in err.value.hint and "clock" in err.value.hint
    assert SECRET not in message + err.value.hint


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [(403, MissingScope, 5), (404, NotFound, 4), (400, BadRequest, 2), (418, InvalidResponse, 6)],
)
def test_status_mapping(status: int, error: type[Exception], code: int) -> None:
    script = Script(httpx.Response(status, json={"message": "x"}))
    with make(script) as client, pytest.raises(error) as err:
        client.get_package(PID)
    assert getattr(err.value, "exit_code", None) == code
    assert len(script.api_requests) == 1  # not retried


def test_missing_scope_is_named() -> None:
    script = Script(httpx.Response(403, json={"message": "Forbidden"}))
    with make(script) as client, pytest.raises(MissingScope) as err:
        client.list_packages()
    assert err.value.scope == "opticspkgconfig:list" and "opticspkgconfig:list" in str(err.value)


def test_5xx_retried_with_capped_backoff_then_succeeds() -> None:
    sleeps: list[float] = []
    script = Script(httpx.Response(503), httpx.Response(502), httpx.Response(500))
    with make(script, sleeps=sleeps) as client:
        client.get_package(PID)
    assert len(script.api_requests) == 4
    assert len(sleeps) == 3
    policy = RetryPolicy()
    for attempt, delay in enumerate(sleeps, start=1):
        ceiling = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling


def test_5xx_gives_up_after_max_attempts() -> None:
    script = Script(*[httpx.Response(503, json={"message": "busy"})] * 10)
    with make(script) as client, pytest.raises(ServerError) as err:
        client.get_package(PID)
    assert len(script.api_requests) == RetryPolicy().max_attempts
    assert "503" in str(err.value) and err.value.exit_code == 6


def test_retry_after_is_honoured() -> None:
    sleeps: list[float] = []
    script = Script(httpx.Response(503, headers={"Retry-After": "7"}))
    with make(script, sleeps=sleeps) as client:
        client.get_package(PID)
    assert sleeps == [7.0]


def test_429_without_retry_after_waits_sixty_seconds() -> None:
    sleeps: list[float] = []
    script = Script(httpx.Response(429))
    with make(script, sleeps=sleeps) as client:
        client.get_package(PID)
    assert sleeps == [60.0]


def test_429_with_huge_retry_after_is_reported_not_waited() -> None:
    sleeps: list[float] = []
    script = Script(httpx.Response(429, headers={"Retry-After": "86400"}))
    with make(script, sleeps=sleeps) as client, pytest.raises(RateLimited) as err:
        client.get_package(PID)
    assert sleeps == [] and err.value.retry_after == 86400


def test_rate_limited_error_carries_the_wait_for_pollers() -> None:
    script = Script(*[httpx.Response(429)] * 5)
    with (
        make(script, retry=RetryPolicy(max_attempts=1)) as client,
        pytest.raises(RateLimited) as err,
    ):
        client.get_package(PID)
    assert err.value.retry_after == 60.0
    from tui.polling.policy import PollState

    # Never sooner than the server asked, whatever the jitter.
    assert PollState(interval=5).after_error(err.value, rng=lambda: 0.0) == 60.0


def test_connection_errors_retried_then_network_error() -> None:
    script = Script(*[httpx.ConnectError("[Errno 111] Connection refused")] * 5)
    with make(script) as client, pytest.raises(NetworkError) as err:
        client.get_package(PID)
    assert "refused" in str(err.value).lower() and len(script.api_requests) == 4


def test_read_timeout_is_timeout_error() -> None:
    script = Script(*[httpx.ReadTimeout("slow")] * 5)
    with make(script) as client, pytest.raises(RequestTimeout) as err:
        client.get_package(PID)
    assert "Timed out" in str(err.value)


def test_auth_post_is_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503)

    with make(handler) as client, pytest.raises(ServerError):
        client.get_package(PID)
    assert len(calls) == 1


def test_invalid_id_makes_no_request() -> None:
    script = Script()
    with make(script) as client:
        for bad in ["", "../etc/passwd", "%2e%2e", PID + "/x", PID + "?a", "ｅ378dacb"]:
            with pytest.raises(InvalidPackageId):
                client.get_package(bad)
    assert script.requests == []


@pytest.mark.parametrize(
    ("body", "headers", "fragment"),
    [
        (b"<html><body>Proxy login</body></html>", {"Content-Type": "text/html"}, "HTML"),
        (b'{"packageId": "x", "status": ', {}, "not valid JSON"),
        (b"[1, 2, 3]", {}, "JSON list"),
        (b'{"message": "hi"}', {}, "without any package field"),
        (b"\xff\xfe\x00bad", {}, "UTF-8"),
        (b"", {}, "empty"),
        (b"[" * 100_000 + b"]" * 100_000, {}, "nested"),
    ],
)
def test_broken_bodies_become_invalid_response(
    body: bytes, headers: dict[str, str], fragment: str
) -> None:
    script = Script(httpx.Response(200, content=body, headers=headers))
    with make(script) as client, pytest.raises(InvalidResponse) as err:
        client.get_package(PID)
    assert fragment in str(err.value)


def test_huge_body_is_capped() -> None:
    big = b'{"packageId": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}'
    script = Script(httpx.Response(200, content=big))
    with make(script) as client, pytest.raises(InvalidResponse) as err:
        client.get_package(PID)
    assert "larger than" in str(err.value)


def test_list_validates_and_sends_params() -> None:
    page = {
        "page_number": 2,
        "page_size": 5,
        "total_pages": 3,
        "total_number_of_items": 12,
        "page_items": [PACKAGE, "junk"],
    }
    script = Script(httpx.Response(200, json=page))
    with make(script) as client:
        result = client.list_packages(2, 5, "-uploadedOn", {"status": "success"})
        for bad in [(0, 5, None), (1, 0, None), (1, 5, "bogus")]:
            with pytest.raises(UsageError):
                client.list_packages(*bad)
    request = script.api_requests[0]
    assert dict(request.url.params) == {
        "page": "2",
        "page_size": "5",
        "sort": "-uploadedOn",
        "status": "success",
    }
    assert result.total_pages == 3 and len(result.items) == 1


def test_token_expiry_reads_exp() -> None:
    assert token_expiry(access_token(100, now=1000.0)) == 1100.0
    assert token_expiry("not-a-jwt") is None
    assert token_expiry("a.!!!.c") is None


def test_repr_hides_secret_and_token(tmp_path: Path) -> None:
    script = Script()
    with make(script, cache_dir=tmp_path) as client:
        token = client.authenticate()
        assert SECRET not in repr(client) and token.value not in repr(token)


def test_http_base_url_refused_for_remote_hosts() -> None:
    from tui.api.errors import ConfigError

    with pytest.raises(ConfigError):
        CylanceClient("http://protectapi.cylance.com", TENANT, APP, SECRET)


@pytest.mark.parametrize("status", [418, 502])
def test_server_message_ending_in_a_full_stop_is_not_doubled(status: int) -> None:
    script = Script(*[httpx.Response(status, json={"message": "Injected failure."})] * 10)
    with make(script) as client, pytest.raises(ApiError) as err:
        client.get_package(PID)
    assert f"HTTP {status}: Injected failure." in str(err.value)
    assert ".." not in str(err.value)
