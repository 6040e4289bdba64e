"""Injected faults as a client sees them on the wire."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from tui.emulator import Emulator, Faults
from tui.emulator.seed import DEMO_PACKAGE_ID
from tui.emulator.testing import FakeClock, client_jwt

PACKAGE = f"/packages/v2/{DEMO_PACKAGE_ID}"








def raw_get(emu: Emulator, path: str, token: str) -> bytes:
    """Everything the server sends for one request, read until it closes the socket."""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        request = f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n\r\n"
        sock.sendall(request.encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_fail_next_then_recover(api: httpx.Client, emu: Emulator) -> None:
    emu.faults.fail_next(2, status=503, retry_after="3")
    for _ in range(2):
        response = api.get(PACKAGE)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "3"
        assert response.json()["message"]
    assert api.get(PACKAGE).status_code == 200
    assert [r.status for r in emu.requests if r.path == PACKAGE] == [503, 503, 200]


def test_fail_next_spares_authentication_by_default(
    api: httpx.Client, emu: Emulator, clock: FakeClock
) -> None:
    emu.faults.fail_next(1, status=500)
    token = api.post("/auth/v2/token", json={"auth_token": client_jwt(now=clock())})
    assert token.status_code == 200
    assert api.get(PACKAGE).status_code == 500


def test_faults_can_target_authentication(
    api: httpx.Client, emu: Emulator, clock: FakeClock
) -> None:
    emu.faults.fail_next(1, status=502, path_prefix="/auth")
    first = api.post("/auth/v2/token", json={"auth_token": client_jwt(now=clock())})
    assert first.status_code == 502
    assert api.get(PACKAGE).status_code == 200


def test_rate_limit_next(api: httpx.Client, emu: Emulator) -> None:
    emu.faults.rate_limit_next(1, retry_after="60")
    response = api.get("/packages/v2")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"
    assert response.json()["message"]
    emu.faults.rate_limit_next(1)
    assert "retry-after" not in api.get("/packages/v2").headers
    assert api.get("/packages/v2").status_code == 200


def test_drop_next_closes_without_a_response(api: httpx.Client, emu: Emulator) -> None:
    emu.faults.drop_next(1)
    with pytest.raises(httpx.RemoteProtocolError):
        api.get(PACKAGE)
    assert api.get(PACKAGE).status_code == 200
    assert [r.status for r in emu.requests if r.path == PACKAGE] == [0, 200]


def test_reset_mid_body_sends_half_of_the_promised_body(api: httpx.Client, emu: Emulator) -> None:
    emu.faults.reset_mid_body_next(1)
    with pytest.raises(httpx.RemoteProtocolError):
        api.get(PACKAGE)
    emu.faults.reset_mid_body_next(1)
    raw = raw_get(emu, PACKAGE, api.headers["Authorization"])
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    length = int(
        next(
            line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        ).split(b":")[1]
    )
    assert 0 < len(body) < length
    assert api.get(PACKAGE).status_code == 200


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        ("html", "text/html"),
        ("truncated", "application/json"),
        ("notjson", "application/json"),
        ("wrongshape", "application/json"),
        ("wrongobject", "application/json"),
        ("empty", "application/json"),
    ],
)
def test_malformed_next(api: httpx.Client, emu: Emulator, kind: str, content_type: str) -> None:
    emu.faults.malformed_next(1, kind)
    response = api.get(PACKAGE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    assert int(response.headers["content-length"]) == len(response.content)
    if kind in ("html", "truncated", "notjson", "empty"):
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)
    if kind == "html":
        assert b"<html" in response.content
    if kind == "empty":
        assert response.content == b""
    if kind == "wrongshape":
        assert isinstance(response.json(), list)
    if kind == "wrongobject":
        assert isinstance(response.json(), dict) and "packageId" not in response.json()
    assert api.get(PACKAGE).json()["packageId"] == DEMO_PACKAGE_ID


def test_stall_trips_a_client_read_timeout(api: httpx.Client, emu: Emulator) -> None:
    emu.faults.stall_next(1, 5.0)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        api.get(PACKAGE, timeout=0.2)
    assert time.monotonic() - started < 4.0
    assert api.get(PACKAGE).status_code == 200


def test_stall_then_answers_normally(api: httpx.Client, emu: Emulator) -> None:
    emu.faults.stall_next(1, 0.2)
    started = time.monotonic()
    assert api.get(PACKAGE).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_latency_is_added_to_every_response(api: httpx.Client, emu: Emulator) -> None:
    emu.faults.latency = 0.15
    started = time.monotonic()
    api.get(PACKAGE)
    api.get("/packages/v2")
    assert time.monotonic() - started >= 0.3
    emu.faults.latency = 0
    assert emu.faults.latency == 0.0


def test_planned_faults_are_served_in_order(api: httpx.Client, emu: Emulator) -> None:
    emu.faults.fail_next(1, status=504)
    emu.faults.malformed_next(1, "html")
    emu.faults.rate_limit_next(1)
    assert emu.faults.pending() == 3
    assert api.get(PACKAGE).status_code == 504
    assert api.get(PACKAGE).headers["content-type"].startswith("text/html")
    assert api.get(PACKAGE).status_code == 429
    assert api.get(PACKAGE).status_code == 200
    assert emu.faults.pending() == 0


def test_clear_forgets_everything(api: httpx.Client, emu: Emulator) -> None:
    emu.faults.fail_next(5)
    emu.faults.latency = 1.0
    emu.faults.fail_rate = 1.0
    emu.faults.clear()
    assert (emu.faults.pending(), emu.faults.latency, emu.faults.fail_rate) == (0, 0.0, 0.0)
    assert api.get(PACKAGE).status_code == 200


def test_fail_rate_fails_package_calls_only(
    api: httpx.Client, emu: Emulator, clock: FakeClock
) -> None:
    emu.faults.fail_rate = 1.0
    assert api.get(PACKAGE).status_code in (500, 502, 503, 504)
    token = api.post("/auth/v2/token", json={"auth_token": client_jwt(now=clock())})
    assert token.status_code == 200


def test_fail_rate_is_repeatable_with_a_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = Faults(seed=seed)
        faults.fail_rate = 0.5
        return [faults.take("/packages/v2") is not None for _ in range(40)]

    assert pattern(7) == pattern(7)
    assert 5 < sum(pattern(7)) < 35
    assert pattern(7) != pattern(8)


@pytest.mark.parametrize(
    "plan",
    [
        lambda f: f.fail_next(-1),
        lambda f: f.fail_next(1, status=99),
        lambda f: f.fail_next(1, retry_after=5),
        lambda f: f.malformed_next(1, "xml"),
        lambda f: f.stall_next(1, -2),
        lambda f: f.drop_next(1, path_prefix="packages"),
        lambda f: setattr(f, "fail_rate", 1.5),
        lambda f: setattr(f, "latency", -1),
    ],
)
def test_invalid_fault_settings_raise(plan: object) -> None:
    with pytest.raises(ValueError):
        plan(Faults())  # type: ignore[operator]


def test_stop_interrupts_a_stall(clock: FakeClock) -> None:
    emu = Emulator(clock=clock, seed=False).start()
    emu.faults.stall_next(1, 30, path_prefix="/")
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(b"GET /anything HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.05)  # let the handler reach the stall
        started = time.monotonic()
        emu.stop()
        assert time.monotonic() - started < 2


def test_stop_closes_idle_keep_alive_connections(api: httpx.Client, emu: Emulator) -> None:
    assert api.get(PACKAGE).status_code == 200  # leaves a pooled connection open
    emu.stop()
    with pytest.raises((httpx.RemoteProtocolError, httpx.ConnectError)):
        api.get(PACKAGE)


def test_faults_object_can_be_swapped(api: httpx.Client, emu: Emulator) -> None:
    emu.faults = Faults(seed=3)
    emu.faults.fail_next(1, status=500)
    assert api.get(PACKAGE).status_code == 500
    assert api.get(PACKAGE).status_code == 200
