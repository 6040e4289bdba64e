"""Token exchange and bearer checks of the emulator, over real loopback sockets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID
from tui.emulator.testing import FakeClock, client_jwt

LIFETIME = 600.0
ALL = {
    "opticspkgconfig:read",
    "opticspkgconfig:list",
    "opticspkgconfig:create",
    "opticspkgconfig:delete",
}




@pytest.fixture
def emu(clock: FakeClock) -> Iterator[Emulator]:
    with Emulator(clock=clock, token_lifetime=LIFETIME) as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.base_url, timeout=5, trust_env=False, verify=False) as c:
        yield c


def exchange(client: httpx.Client, token: str) -> httpx.Response:
    return client.post("/auth/v2/token", json={"auth_token": token})


def access_token(client: httpx.Client, clock: FakeClock, **overrides: Any) -> str:
    response = exchange(client, client_jwt(now=clock(), **overrides))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_exchange_issues_a_jwt_with_documented_claims(
    client: httpx.Client, clock: FakeClock
) -> None:
    response = exchange(client, client_jwt(now=clock()))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["iat"] == int(clock())
    assert claims["exp"] == int(clock() + LIFETIME)
    assert claims["tid"] == DEMO.tenant_id
    assert claims["sub"] == DEMO.app_id
    assert set(claims["scp"]) == ALL
    assert claims["jti"]


def test_requested_scopes_are_intersected_with_the_app_scopes(
    client: httpx.Client, clock: FakeClock
) -> None:
    token = access_token(
        client, clock, scp="opticspkgconfig:read, opticspkgconfig:list,made-up:scope"
    )
    claims = jwt.decode(token, options={"verify_signature": False})
    assert sorted(claims["scp"]) == ["opticspkgconfig:list", "opticspkgconfig:read"]


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"secret": "not-the-secret-of-this-application-at-all"}, id="bad-signature"),
        pytest.param({"iss": "http://example.com"}, id="wrong-iss"),
        pytest.param({"tid": "00000000-0000-4000-8000-000000000000"}, id="wrong-tid"),
        pytest.param({"sub": "11111111-1111-4111-8111-111111111111"}, id="unknown-app"),
        pytest.param(
            {"iat": int(FakeClock()()) - 3600, "exp": int(FakeClock()()) - 1800}, id="expired"
        ),
        pytest.param(
            {"iat": int(FakeClock()()) + 120, "exp": int(FakeClock()()) + 900}, id="future-iat"
        ),
        pytest.param({"jti": None}, id="missing-jti"),
        pytest.param({"tid": None}, id="missing-tid"),
        pytest.param({"iat": None}, id="missing-iat"),
        pytest.param({"iat": "yesterday"}, id="iat-not-a-number"),
    ],
)
def test_bad_client_jwts_are_401_invalid_payload(
    client: httpx.Client, clock: FakeClock, overrides: dict[str, Any]
) -> None:
    response = exchange(client, client_jwt(now=clock(), **overrides))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid JWT payload"


def test_small_client_clock_skew_is_tolerated(client: httpx.Client, clock: FakeClock) -> None:
    now = int(clock())
    assert exchange(client, client_jwt(iat=now + 30, exp=now + 600)).status_code == 200


def test_lifetime_over_1800_seconds_is_400(client: httpx.Client, clock: FakeClock) -> None:
    now = int(clock())
    response = exchange(client, client_jwt(iat=now, exp=now + 1801))
    assert response.status_code == 400
    assert "1800" in response.json()["message"]
    assert exchange(client, client_jwt(iat=now, exp=now + 1800)).status_code == 200


def test_replayed_jti_is_rejected(client: httpx.Client, clock: FakeClock) -> None:
    token = client_jwt(now=clock())
    assert exchange(client, token).status_code == 200
    replay = exchange(client, token)
    assert replay.status_code == 401
    assert replay.json()["message"] == "Invalid JWT payload"


@pytest.mark.parametrize("alg_token", ["none", "HS512"])
def test_only_hs256_is_accepted(client: httpx.Client, clock: FakeClock, alg_token: str) -> None:
    claims = jwt.decode(client_jwt(now=clock()), options={"verify_signature": False})
    key = None if alg_token == "none" else DEMO.app_secret + "-padding-for-a-512-bit-hmac-key-x"
    token = jwt.encode(claims, key, algorithm=alg_token)
    assert exchange(client, token).status_code == 401


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"token": "x"}', b'{"auth_token": 5}', b""],
)
def test_malformed_token_requests_are_400(client: httpx.Client, body: bytes) -> None:
    response = client.post("/auth/v2/token", content=body)
    assert response.status_code == 400
    assert response.json()["message"]


def test_garbage_auth_token_is_401(client: httpx.Client) -> None:
    assert exchange(client, "garbage.not.jwt").status_code == 401


def test_get_on_token_endpoint_is_405(client: httpx.Client) -> None:
    response = client.get("/auth/v2/token")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


# -- bearer checks ------------------------------------------------------------


def test_api_without_token_is_401(client: httpx.Client) -> None:
    response = client.get(f"/packages/v2/{DEMO_PACKAGE_ID}")
    assert response.status_code == 401
    assert response.json()["message"]
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-token", "Basic abc", "token"])
def test_api_with_bad_authorization_is_401(client: httpx.Client, header: str) -> None:
    response = client.get("/packages/v2", headers={"Authorization": header})
    assert response.status_code == 401


def test_token_from_another_emulator_is_401(client: httpx.Client, clock: FakeClock) -> None:
    with (
        Emulator(clock=clock, seed=False) as other,
        httpx.Client(base_url=other.base_url, trust_env=False, verify=False) as other_client,
    ):
        foreign = access_token(other_client, clock)
    assert client.get("/packages/v2", headers=bearer(foreign)).status_code == 401


def test_token_expires_by_the_emulator_clock(client: httpx.Client, clock: FakeClock) -> None:
    token = access_token(client, clock)
    url = f"/packages/v2/{DEMO_PACKAGE_ID}"
    clock.advance(LIFETIME - 1)
    assert client.get(url, headers=bearer(token)).status_code == 200
    clock.advance(1)
    response = client.get(url, headers=bearer(token))
    assert response.status_code == 401
    assert "expired" in response.json()["message"]


def test_revoked_tokens_are_401_and_new_ones_work(
    emu: Emulator, client: httpx.Client, clock: FakeClock
) -> None:
    first, second = access_token(client, clock), access_token(client, clock)
    assert emu.revoke_tokens() == 2
    for token in (first, second):
        assert client.get("/packages/v2", headers=bearer(token)).status_code == 401
    fresh = access_token(client, clock)
    assert client.get("/packages/v2", headers=bearer(fresh)).status_code == 200


def test_missing_scope_is_403(emu: Emulator, client: httpx.Client, clock: FakeClock) -> None:
    reader = DEMO.__class__(
        tenant_id=DEMO.tenant_id,
        app_id="5a5a5a5a-0000-4000-8000-00000000beef",
        app_secret="reader-secret-long-enough-for-hs256-0123456789",
    )
    emu.add_app(reader.app_id, reader.app_secret, reader.tenant_id, {"opticspkgconfig:read"})
    response = exchange(client, client_jwt(reader, now=clock()))
    token = response.json()["access_token"]
    assert client.get(f"/packages/v2/{DEMO_PACKAGE_ID}", headers=bearer(token)).status_code == 200
    listing = client.get("/packages/v2", headers=bearer(token))
    assert listing.status_code == 403
    assert "opticspkgconfig:list" in listing.json()["message"]
    create = client.post("/packages/v2", headers=bearer(token), json={})
    assert create.status_code == 403
    assert (
        client.delete(f"/packages/v2/{DEMO_PACKAGE_ID}", headers=bearer(token)).status_code == 403
    )


def test_scope_narrowed_by_request_is_enforced(client: httpx.Client, clock: FakeClock) -> None:
    token = access_token(client, clock, scp="opticspkgconfig:list")
    assert client.get("/packages/v2", headers=bearer(token)).status_code == 200
    assert client.get(f"/packages/v2/{DEMO_PACKAGE_ID}", headers=bearer(token)).status_code == 403


def test_auth_runs_before_not_found(client: httpx.Client) -> None:
    assert client.get("/packages/v2/not-a-uuid").status_code == 401


def test_secrets_and_tokens_are_never_printed(
    client: httpx.Client, clock: FakeClock, capfd: pytest.CaptureFixture[str]
) -> None:
    token = access_token(client, clock)
    client.get("/packages/v2", headers=bearer(token))
    exchange(client, client_jwt(now=clock(), secret="wrong-secret-wrong-secret-wrong-secret"))
    client.get("/packages/v2", headers=bearer(token + "x"))
    out, err = capfd.readouterr()
    for secret in (DEMO.app_secret, token):
        assert secret not in out
        assert secret not in err
    assert DEMO.app_secret not in repr(DEMO)
