"""Faults during the TUI's live polling, one session, each fault in turn.

For each transient fault (refused, DNS, reset mid-body, read timeout, 500/502/503 with
and without Retry-After, 429 with and without, an HTML portal page) the screen must
keep the last good data marked STALE with a message naming the cause, back off
(growing waits, at least any Retry-After), never have two requests in flight, and
go live again once the service is back. Persistent 401s, revoked credentials, a
removed scope and clock skew must stop polling with a message, and the emulator must
see no further request until the user presses r.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tui.api.auth import TokenCache
from tui.api.client import CylanceClient
from tui.api.retry import RetryPolicy
from tui.emulator import DEMO, Emulator
from tui.polling.policy import MAX_ERROR_BACKOFF, PollState
from tui.ui.screens.detail import DetailScreen

PID = "0fa17000-0000-4000-8000-000000000002"
MANY = 100_000
ROTATED = "rotated-secret-0123456789abcdef-0123"


def flat(text: str) -> str:
    return " ".join(text.split())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Counting:
    """The real client, counting the calls in flight at once (there must never be two)."""

    def __init__(self, inner: CylanceClient) -> None:
        self.inner = inner
        self.base_url = inner.base_url
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls = 0

    def get_package(self, package_id: str) -> Any:
        with self._lock:
            self.in_flight += 1
            self.calls += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self.inner.get_package(package_id)
        finally:
            with self._lock:
                self.in_flight -= 1

    def authenticate(self, *, force: bool = False) -> Any:
        return self.inner.authenticate(force=force)

    def close(self) -> None:
        self.inner.close()


@dataclass
class World:
    emu: Emulator
    client: Counting
    url: str
    skew: list[float]

    def point_at(self, url: str) -> None:
        self.client.inner.base_url = url

    def rotate_secret(self) -> None:
        self.emu.add_app(DEMO.app_id, ROTATED, DEMO.tenant_id, set())
        self.emu.revoke_tokens()

    def remove_scope(self) -> None:
        self.emu.add_app(DEMO.app_id, DEMO.app_secret, DEMO.tenant_id, {"opticspkgconfig:list"})
        self.emu.revoke_tokens()

    def skew_clock(self) -> None:
        self.skew[0] = 600.0  # this machine jumps 10 minutes ahead
        self.emu.revoke_tokens()  # so the next request needs a new token

    def mend(self) -> None:
        self.emu.faults.clear()
        self.point_at(self.url)
        self.skew[0] = 0.0
        self.emu.add_app(DEMO.app_id, DEMO.app_secret, DEMO.tenant_id, set(DEMO.scopes))
        self.emu.revoke_tokens()


@dataclass(frozen=True)
class Fault:
    name: str
    inject: Callable[[World], None]
    cause: str
    #: The server asked for at least this wait (Retry-After, or the documented 60 s).
    min_wait: float = 0.0


TRANSIENT = [
    Fault(
        "connection refused",
        lambda w: w.point_at(f"http://127.0.0.1:{free_port()}"),
        "Network error: Connection refused by http://127.0.0.1:",
    ),
    Fault(
        "DNS failure",
        lambda w: w.point_at("https://cypkg-test.invalid"),
        "Cannot resolve the host of https://cypkg-test.invalid (DNS)",
    ),
    Fault(
        "reset mid-body", lambda w: w.emu.faults.reset_mid_body_next(MANY), "broke off mid-answer"
    ),
    Fault(
        "read timeout",
        lambda w: w.emu.faults.stall_next(MANY, 1.0),
        "Timed out: Timed out waiting for an answer",
    ),
    Fault(
        "HTTP 500",
        lambda w: w.emu.faults.fail_next(MANY, 500),
        "Server error: The service answered HTTP 500: Injected failure.",
    ),
    Fault("HTTP 502", lambda w: w.emu.faults.fail_next(MANY, 502), "answered HTTP 502"),
    Fault("HTTP 503", lambda w: w.emu.faults.fail_next(MANY, 503), "answered HTTP 503"),
    Fault(
        "HTTP 503 Retry-After",
        lambda w: w.emu.faults.fail_next(MANY, 503, "120"),
        "answered HTTP 503",
        min_wait=120,
    ),
    Fault(
        "HTTP 429",
        lambda w: w.emu.faults.rate_limit_next(MANY),
        "Rate limited: Rate limited by the API (HTTP 429",
        min_wait=60,
    ),
    Fault(
        "HTTP 429 Retry-After",
        lambda w: w.emu.faults.rate_limit_next(MANY, "30"),
        "HTTP 429",
        min_wait=30,
    ),
    Fault(
        "HTML portal page",
        lambda w: w.emu.faults.malformed_next(MANY, "html"),
        "Invalid response: The server answered with an HTML page",
    ),
]

FATAL = [
    Fault(
        "401 repeated",
        lambda w: w.emu.faults.fail_next(MANY, 401),
        "Authentication failed · r retries",
    ),
    Fault("credentials revoked", World.rotate_secret, "Authentication failed · r retries"),
    Fault("403 missing scope", World.remove_scope, "Permission denied · r retries"),
    Fault("clock skew", World.skew_clock, "Authentication failed · r retries"),
]
#: What the toast and the STALE line say for each fatal fault.
FATAL_MESSAGES = {
    "401 repeated": "refused the access token even after signing in again (HTTP 401",
    "credentials revoked": "rejected the credentials (HTTP 401: Invalid JWT payload)",
    "403 missing scope": "lacks the 'opticspkgconfig:read' permission",
    "clock skew": "clock is 10 min ahead of the server's",
}


@pytest.fixture
def world(emulator: Emulator, fake_clock: Any) -> World:
    now = fake_clock()
    emulator.store.add(
        {
            "packageId": PID,
            "status": "started",
            "timeout": 3600,
            "packageDescriptor": {"name": "fault_tui_package"},
            "_uploaded_at": now,
            "_finish_at": now + 3600,
            "_outcome": "success",
        }
    )
    skew = [0.0]
    inner = CylanceClient(
        emulator.base_url,
        DEMO.tenant_id,
        DEMO.app_id,
        DEMO.app_secret,
        token_cache=TokenCache(None),
        # One attempt per poll: the poll loop's own backoff is what is under test.
        retry=RetryPolicy(max_attempts=1, max_retry_after=300.0),
        timeout=httpx.Timeout(5.0, read=0.2),
        clock=lambda: time.time() + skew[0],
    )
    return World(emulator, Counting(inner), emulator.base_url, skew)


async def test_every_fault_while_polling(
    make_app,
    world: World,
    wait_until,
    screen_text,
    monkeypatch,
    figures,  # type: ignore[no-untyped-def]
) -> None:
    delays: list[float | None] = []
    real_after_error = PollState.after_error

    def recording(self: PollState, error: Any, rng: Any = None, **kw: Any) -> float | None:
        delay = (
            real_after_error(self, error, rng, **kw) if rng else real_after_error(self, error, **kw)
        )
        delays.append(delay)
        return delay

    monkeypatch.setattr(PollState, "after_error", recording)
    emu = world.emu
    app = make_app(package_id=PID, poll_interval=0.01, client_factory=lambda p: world.client)
    # Record toasts as they are sent: on a loaded machine one may expire before it is looked at.
    toasts: list[tuple[str, str]] = []
    real_notify = app.notify

    def notify(message: str, *, title: str = "", **options: Any) -> None:
        toasts.append((str(title), str(message)))
        real_notify(message, title=title, **options)

    monkeypatch.setattr(app, "notify", notify)
    survived: list[str] = []
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: "● live" in screen_text(app), what="live")

        for fault in TRANSIENT:
            delays.clear()
            fault.inject(world)
            errors = 1 if fault.min_wait else 3
            await wait_until(
                pilot,
                lambda n=errors: screen.state.consecutive_errors >= n,
                timeout=20,
                what=f"{fault.name}: errors",
            )
            await wait_until(
                pilot,
                lambda: (
                    "⚠ STALE" in screen_text(app)
                    # A 429 pauses every poll of the tenant's, this screen's too, and says so.
                    and re.search("retrying at|rate limited until", screen_text(app)) is not None
                ),
                what=f"{fault.name}: stale marker",
            )
            text = flat(screen_text(app))
            assert fault.cause in text, (fault.name, text)
            assert "fault_tui_package" in text  # the last good data stays on screen
            assert all(d is not None for d in delays), fault.name  # transient: retried
            waits = [d for d in delays if d is not None]
            if fault.min_wait:
                assert waits[0] >= fault.min_wait, (fault.name, waits)
                assert screen.next_at is not None
                assert screen.next_at - time.monotonic() > fault.min_wait - 5
            else:
                # Exponential backoff from the interval, capped.
                assert waits[:3] == sorted(waits[:3]) and waits[2] > 2 * waits[0], waits
                assert max(waits) <= MAX_ERROR_BACKOFF * 1.1
            world.mend()
            screen.action_refresh()  # r: do not sit out a long Retry-After in a test
            await wait_until(
                pilot,
                lambda: screen.error is None and "● live" in screen_text(app),
                timeout=10,
                what=f"{fault.name}: recovery",
            )
            assert "STALE" not in screen_text(app)
            survived.append(fault.name)

        # A token revoked mid-session: renewed without a word.
        posts = emu.count("POST", "/auth")
        emu.revoke_tokens()
        await wait_until(pilot, lambda: emu.count("POST", "/auth") > posts, what="re-auth")
        gets = emu.count("GET", "/packages")
        await wait_until(pilot, lambda: emu.count("GET", "/packages") > gets + 3, what="polls")
        assert screen.error is None and emu.count("POST", "/auth") == posts + 1
        survived.append("401 once (token revoked)")

        for fault in FATAL:
            fault.inject(world)
            await wait_until(
                pilot,
                lambda: screen.error is not None and screen.next_at is None,
                what=f"{fault.name}: stop",
            )
            await wait_until(pilot, lambda cause=fault.cause: cause in flat(screen_text(app)))
            text = flat(screen_text(app))
            assert "Polling stopped; r tries again." in text and "⚠ STALE" in text
            assert FATAL_MESSAGES[fault.name] in text, (fault.name, text)
            toast = [m for t, m in toasts if t.startswith("Polling stopped")]
            assert toast and FATAL_MESSAGES[fault.name] in flat(toast[-1])
            # Not hammering: nothing more reaches the service while the user is away.
            requests = len(emu.requests)
            calls = world.client.calls
            await asyncio.sleep(0.3)  # 30 poll intervals
            assert len(emu.requests) == requests and world.client.calls == calls, fault.name
            app.clear_notifications()
            world.mend()
            screen.action_refresh()
            await wait_until(
                pilot,
                lambda: screen.error is None and "● live" in screen_text(app),
                what=f"{fault.name}: resumed",
            )
            survived.append(fault.name)

    assert world.client.max_in_flight == 1
    figures["faults survived in TUI live polling"] = survived
    figures["TUI max requests in flight at once"] = world.client.max_in_flight


def test_the_tui_policy_still_waits_sixty_seconds_after_a_429() -> None:
    """The TUI retries a 429 once, quickly, inside the request; then the poll waits 60 s."""
    from tui.api.errors import RateLimited
    from tui.ui.app import tui_retry_policy

    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/v2/token":
            return httpx.Response(200, json={"access_token": "a.b.c"})
        return httpx.Response(429, json={"message": "Too many requests."})

    client = CylanceClient(
        "https://protectapi.cylance.com",
        DEMO.tenant_id,
        DEMO.app_id,
        DEMO.app_secret,
        token_cache=TokenCache(None),
        retry=tui_retry_policy(),
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
    )
    with client, pytest.raises(RateLimited) as caught:
        client.get_package(PID)
    assert sleeps == [2.0]  # the one quick retry inside the request
    assert caught.value.retry_after == 60.0  # what the documentation asks for
    assert PollState(interval=1).after_error(caught.value, rng=lambda: 0.0) == 60.0
