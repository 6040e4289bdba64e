"""Redirects: never followed, never retried, always "unexpected redirect", shown inert.

A 3xx from the API host means a proxy, a portal or a wrong base URL is answering;
whatever its ``Location`` holds (escape sequences, CR, NUL, non-ASCII, nothing, 200 KB),
the client must say so at once, after exactly one request, in text that cannot act on
a terminal. Driven through the emulator's ``redirect_next`` fault on a real socket.
"""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from tui import cli
from tui.api.auth import TokenCache
from tui.api.client import CylanceClient
from tui.api.errors import InvalidResponse
from tui.base.safe_text import is_inert
from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID

PACKAGE = f"/packages/v2/{DEMO_PACKAGE_ID}"
ESC_LOCATION = b"https://evil.example/\x1b]0;owned\x07\x1b[2J\x1b[31mred"

#: Location values a hostile or broken server might send (None: no header at all).
LOCATIONS: dict[str, bytes | None] = {
    "ordinary": b"https://login.portal.example/?next=%2Fpackages",
    "relative": b"/elsewhere",
    "escape sequences": ESC_LOCATION,
    "bare CR": b"https://evil.example/a\rb",
    "CR LF injection": b"https://evil.example/\r\nSet-Cookie: x=1",
    "NUL": b"https://evil.example/\x00",
    "C1 and DEL": b"https://evil.example/\x9b31m\x7f",
    "non-ASCII UTF-8": "https://évil.example/пакет/\u202egnp.exe".encode(),
    "not UTF-8": b"https://evil.example/\xff\xfe",
    "space and bad brackets": b"http://[::1/ x",
    "empty": b"",
    "missing": None,
    "huge": b"https://evil.example/" + b"a" * 200_000,
}


def client_for(emulator: Emulator) -> CylanceClient:
    return CylanceClient(
        emulator.base_url,
        DEMO.tenant_id,
        DEMO.app_id,
        DEMO.app_secret,
        token_cache=TokenCache(None),
        sleep=lambda seconds: None,  # a retry (which must not happen) would not wait
    )


def assert_inert_redirect(message: str, status: int) -> None:
    assert f"Unexpected redirect (HTTP {status})" in message, message
    assert is_inert(message), repr(message)
    assert "\x1b" not in message and "\r" not in message and "\x00" not in message


# -- the emulator fault ------------------------------------------------------------------


def raw_answer(emulator: Emulator, token: str) -> bytes:
    """The bytes the emulator sends for one GET, read until it is complete or closed."""
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as sock:
        request = f"GET {PACKAGE} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n"
        sock.sendall(request.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def test_redirect_fault_writes_the_location_bytes_as_given(emulator: Emulator) -> None:
    token = client_for(emulator).authenticate().value
    emulator.faults.redirect_next(1, ESC_LOCATION, status=308)
    head = raw_answer(emulator, token)
    assert head.startswith(b"HTTP/1.1 308 ")
    assert b"\r\nLocation: " + ESC_LOCATION + b"\r\n" in head
    emulator.faults.redirect_next(1, None, status=302)
    head = raw_answer(emulator, token)
    assert head.startswith(b"HTTP/1.1 302 ") and b"Location" not in head


def test_redirect_fault_over_the_control_endpoint(emulator: Emulator) -> None:
    token = client_for(emulator).authenticate().value
    with httpx.Client(base_url=emulator.base_url, trust_env=False) as http:
        body = {"redirect_next": {"n": 1, "location": "https://x.example/\x1b[2Jé"}}
        planned = http.post("/_emulator/faults", json=body).json()["planned"]
        assert planned[0]["kind"] == "redirect" and planned[0]["status"] == 307
        assert planned[0]["location"] == "https://x.example/\x1b[2Jé".encode().decode("latin-1")
        bad = http.post(
            "/_emulator/faults", json={"redirect_next": {"n": 1, "location": "/x", "status": 200}}
        )
        assert bad.status_code == 400
    head = raw_answer(emulator, token)
    assert b"\r\nLocation: https://x.example/\x1b[2J\xc3\xa9\r\n" in head


# -- the client --------------------------------------------------------------------------


@pytest.mark.parametrize("name", LOCATIONS)
def test_any_location_is_an_unexpected_redirect_at_once(emulator: Emulator, name: str) -> None:
    client = client_for(emulator)
    client.authenticate()
    emulator.faults.redirect_next(10, LOCATIONS[name])
    with client, pytest.raises(InvalidResponse) as caught:
        client.get_package(DEMO_PACKAGE_ID)
    assert_inert_redirect(str(caught.value), 307)
    assert caught.value.status == 307
    assert emulator.count("GET", "/packages") == 1  # not retried


@pytest.mark.parametrize("status", [300, 301, 302, 303, 304, 305, 307, 308])
def test_every_redirect_status(emulator: Emulator, status: int) -> None:
    client = client_for(emulator)
    emulator.faults.redirect_next(10, ESC_LOCATION, status=status)
    with client, pytest.raises(InvalidResponse) as caught:
        client.get_package(DEMO_PACKAGE_ID)
    assert_inert_redirect(str(caught.value), status)
    assert emulator.count("GET", "/packages") == 1


@pytest.mark.parametrize("name", ["escape sequences", "bare CR", "missing", "huge"])
def test_a_redirect_from_the_token_endpoint(emulator: Emulator, name: str) -> None:
    client = client_for(emulator)
    emulator.faults.redirect_next(10, LOCATIONS[name], path_prefix="/auth")
    with client, pytest.raises(InvalidResponse) as caught:
        client.get_package(DEMO_PACKAGE_ID)
    assert_inert_redirect(str(caught.value), 307)
    assert emulator.count("POST", "/auth") == 1
    assert emulator.count("GET", "/packages") == 0


# -- cypkg get ---------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> None:
    monkeypatch.setenv("CYPKG_API_URL", emulator.base_url)
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id)
    monkeypatch.setenv("CYPKG_APP_ID", DEMO.app_id)
    monkeypatch.setenv("CYPKG_APP_SECRET", DEMO.app_secret)

    def no_wait(self: CylanceClient, delay: float, error: Any) -> None:
        pass  # a retry (which must not happen) would not slow the test

    monkeypatch.setattr(CylanceClient, "_wait", no_wait)


@pytest.mark.parametrize("name", ["escape sequences", "bare CR", "non-ASCII UTF-8", "huge"])
def test_cypkg_get_reports_the_redirect_once(
    env: None, emulator: Emulator, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    emulator.faults.redirect_next(10, LOCATIONS[name])
    code = cli.main(["get", DEMO_PACKAGE_ID])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_NETWORK == 6
    assert out == ""
    assert "cypkg: Unexpected redirect (HTTP 307)" in err and "Retrying" not in err
    assert is_inert(err.replace("\n", "")), repr(err)
    assert emulator.count("GET", "/packages") == 1


def test_the_client_watches_its_connection_pools(emulator: Emulator) -> None:
    """The status line of a head h11 refuses is known only to watched streams: an httpx
    upgrade that moves the pools would make the broken-head cases above fail."""
    from tui.api.transport import _Backend

    with client_for(emulator) as client:
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert isinstance(pool._network_backend, _Backend)


async def test_the_tui_shows_the_redirect_inert(
    make_app, emulator, wait_until, screen_text  # type: ignore[no-untyped-def]
) -> None:
    from tui.ui.screens.detail import DetailScreen

    emulator.faults.redirect_next(10, ESC_LOCATION)
    # A long poll interval: the screen's own backoff (a portal may go away) stays out.
    app = make_app(package_id=DEMO_PACKAGE_ID, poll_interval=60.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.error is not None, what="the error")
        await pilot.pause()
        text = screen_text(app)
        assert "Unexpected redirect (HTTP 307)" in " ".join(text.split())
        assert "␛" in text and "\x1b" not in text and "\x07" not in text
        assert emulator.count("GET", "/packages") == 1
