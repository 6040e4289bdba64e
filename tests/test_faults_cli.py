"""Faults, driven by the emulator, through `cypkg get` and `cypkg watch`.

Each fault of the list (refused, DNS, reset mid-body, read timeout, 5xx with and
without Retry-After, 429, 401 revoked and repeated, 403 missing scope, clock skew)
must end `get` with a clear message naming the cause and the documented exit code,
and be survived (transient) or end (persistent auth/permission) `watch` without
hammering the service. Waits are recorded, not slept: the client's retry waits and
the watch's poll waits go to lists, and the emulator's fake clock moves instead.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tui import cli
from tui.api.client import CylanceClient
from tui.cli import watch as cli_watch
from tui.emulator import DEMO, Emulator

#: Started now, succeeds ten minutes later by the emulator's (fake) clock.
PID = "0fa17000-0000-4000-8000-000000000001"
MANY = 1_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Waits:
    """What the CLI would have slept: client retries and watch polls."""

    retries: list[float]
    polls: list[float]


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch, emulator: Emulator, fake_clock: Any) -> Waits:
    monkeypatch.setenv("CYPKG_API_URL", emulator.base_url)
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id)
    monkeypatch.setenv("CYPKG_APP_ID", DEMO.app_id)
    monkeypatch.setenv("CYPKG_APP_SECRET", DEMO.app_secret)
    recorded = Waits([], [])

    def client_wait(self: CylanceClient, delay: float, error: object) -> None:
        recorded.retries.append(delay)

    def poll_sleep(seconds: float) -> None:
        recorded.polls.append(seconds)
        fake_clock.advance(seconds)

    # The real retry policy, with its real delays (60 s after a 429...), recorded.
    monkeypatch.setattr(CylanceClient, "_wait", client_wait)
    monkeypatch.setattr(cli_watch, "_sleep", poll_sleep)
    monkeypatch.setattr(cli_watch, "_monotonic", fake_clock)  # the scheduler's clock
    # Loading the CA store costs ~25 ms per client; the emulator speaks plain http.
    context = ssl.create_default_context()
    monkeypatch.setattr("tui.api.client.tls_verification", lambda ca_bundle: context)
    emulator.store.add(started_package(fake_clock()))
    return recorded


def started_package(now: float) -> dict[str, Any]:
    return {
        "packageId": PID,
        "status": "started",
        "timeout": 3600,
        "packageDescriptor": {"name": "fault_watch"},
        "_uploaded_at": now,
        "_finish_at": now + 600,
        "_outcome": "success",
    }


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


class Service:
    """Breaks and mends the way to the emulator: faults, a dead port, a failing resolver."""

    def __init__(self, emu: Emulator, mp: pytest.MonkeyPatch, clock: Any) -> None:
        self.emu, self.mp, self.clock = emu, mp, clock
        self.url = emu.base_url
        self.spare: Emulator | None = None
        self.dns_down = False
        real = socket.getaddrinfo

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if self.dns_down:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return real(host, *args, **kwargs)

        mp.setattr(socket, "getaddrinfo", getaddrinfo)

    def point_at(self, url: str) -> None:
        self.mp.setenv("CYPKG_API_URL", url)

    def refuse(self) -> None:
        self.port = free_port()
        self.point_at(f"http://127.0.0.1:{self.port}")

    def listen_again(self) -> None:  # the service comes back on that port
        self.spare = Emulator(port=self.port, clock=self.clock).start()
        self.spare.store.add(started_package(self.clock() - 30))

    def resolver_fails(self) -> None:
        self.point_at(self.url.replace("127.0.0.1", "localhost"))
        self.dns_down = True

    def short_read_timeout(self) -> None:
        defaults = dict(CylanceClient.__init__.__kwdefaults__ or {})
        defaults["timeout"] = httpx.Timeout(5.0, read=0.05)
        self.mp.setattr(CylanceClient.__init__, "__kwdefaults__", defaults)
        self.emu.faults.stall_next(MANY, 2.0)

    def mend(self) -> None:
        self.emu.faults.clear()
        self.dns_down = False

    def close(self) -> None:
        if self.spare is not None:
            self.spare.stop()


@pytest.fixture
def service(
    waits: Waits, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, fake_clock: Any
) -> Any:
    svc = Service(emulator, monkeypatch, fake_clock)
    yield svc
    svc.close()


@dataclass(frozen=True)
class Fault:
    name: str
    inject: Callable[[Service], None]
    cause: str  # what the message must say
    #: How the service comes back during `watch` (default: the faults are cleared).
    mend: Callable[[Service], None] = Service.mend
    #: For `watch`, when it differs from ``inject``.
    inject_watch: Callable[[Service], None] | None = None


TRANSIENT = [
    Fault(
        "connection refused",
        Service.refuse,
        "Connection refused by http://127.0.0.1:",
        mend=Service.listen_again,
    ),
    Fault(
        "DNS failure",
        lambda s: s.point_at("https://cypkg-test.invalid"),
        "Cannot resolve the host of https://cypkg-test.invalid (DNS)",
        inject_watch=Service.resolver_fails,
    ),
    Fault(
        "reset mid-body", lambda s: s.emu.faults.reset_mid_body_next(MANY), "broke off mid-answer"
    ),
    Fault("read timeout", Service.short_read_timeout, "Timed out waiting for an answer"),
    Fault("HTTP 500", lambda s: s.emu.faults.fail_next(MANY, 500), "HTTP 500: Injected failure."),
    Fault("HTTP 502", lambda s: s.emu.faults.fail_next(MANY, 502), "HTTP 502"),
    Fault("HTTP 503", lambda s: s.emu.faults.fail_next(MANY, 503), "HTTP 503"),
    Fault("HTTP 503 Retry-After", lambda s: s.emu.faults.fail_next(MANY, 503, "7"), "HTTP 503"),
    Fault(
        "HTTP 429",
        lambda s: s.emu.faults.rate_limit_next(MANY),
        "Rate limited by the API (HTTP 429",
    ),
    Fault("HTTP 429 Retry-After", lambda s: s.emu.faults.rate_limit_next(MANY, "3"), "HTTP 429"),
    Fault("HTML instead of JSON", lambda s: s.emu.faults.malformed_next(MANY, "html"), "HTML page"),
]


@pytest.mark.parametrize("fault", TRANSIENT, ids=lambda f: f.name)
def test_get_names_the_cause(
    waits: Waits,
    service: Service,
    emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
    fault: Fault,
) -> None:
    fault.inject(service)
    code, out, err = run(capsys, "get", PID)
    assert code == 6 and out == ""
    assert fault.cause in err, err
    assert "cypkg: hint:" in err  # and what to do about it
    gets = emulator.count("GET", "/packages")
    if fault.name.startswith(("connection", "DNS")):
        assert gets == 0  # the sign-in itself could not get through
    elif fault.name == "HTML instead of JSON":
        assert gets == 1  # a 200 is not retried: another try gets the same portal page
    elif fault.name == "read timeout":
        assert len(waits.retries) == 3  # (the stalled requests are logged when they end)
    else:
        assert gets == 4  # the policy's attempts, then the message
        assert len(waits.retries) == 3
    if "Retry-After" in fault.name:
        expected = 7.0 if "503" in fault.name else 3.0
        assert waits.retries == [expected] * 3  # the server's wait, honoured
        assert f"Retrying in {expected:.0f} s" in err
    elif fault.name == "HTTP 429":
        assert waits.retries == [60.0] * 3  # the documented wait after a 429
    elif gets == 4:
        assert max(waits.retries) <= 8.0  # capped backoff


@pytest.mark.parametrize("fault", TRANSIENT, ids=lambda f: f.name)
def test_watch_survives_and_recovers(
    waits: Waits,
    service: Service,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_clock: Any,
    fault: Fault,
) -> None:
    assert run(capsys, "get", PID)[0] == 0  # signed in; the token is cached on disk
    (fault.inject_watch or fault.inject)(service)

    def sleep(seconds: float) -> None:
        waits.polls.append(seconds)
        fake_clock.advance(seconds)
        if len(waits.polls) == 2:  # two failed polls, then the service comes back
            fault.mend(service)

    monkeypatch.setattr(cli_watch, "_sleep", sleep)
    monkeypatch.setattr(cli_watch, "_monotonic", fake_clock)  # the scheduler's clock
    code, out, err = run(capsys, "watch", PID, "--interval", "5")
    assert code == 0, err
    assert err.count("Polling again in") == 2 and fault.cause.split(" (")[0][:20] in err
    lines = out.splitlines()
    assert "started" in lines[0] and "success" in lines[-1]
    # Backed off: the failed polls waited longer than the interval, and growing.
    assert 5 < waits.polls[0] <= waits.polls[1]
    if "Retry-After" in fault.name or fault.name == "HTTP 429":
        assert waits.polls[0] >= (7.0 if "503" in fault.name else 3.0)


def _revoked_secret(emu: Emulator) -> None:
    """The app's secret was rotated in the console: every new sign-in fails."""
    emu.add_app(DEMO.app_id, "rotated-secret-0123456789abcdef-0123", DEMO.tenant_id, set())
    emu.revoke_tokens()


def _scope_removed(emu: Emulator) -> None:
    emu.add_app(DEMO.app_id, DEMO.app_secret, DEMO.tenant_id, {"opticspkgconfig:list"})
    emu.revoke_tokens()


FATAL = [
    ("401 repeated", lambda e: e.faults.fail_next(MANY, 401), "even after signing in again"),
    ("credentials revoked", _revoked_secret, "rejected the credentials (HTTP 401"),
    ("403 missing scope", _scope_removed, "lacks the 'opticspkgconfig:read' permission"),
]


@pytest.mark.parametrize(("name", "inject", "cause"), FATAL, ids=[f[0] for f in FATAL])
def test_persistent_auth_errors_stop_watch(
    waits: Waits,
    emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
    name: str,
    inject: Callable[[Emulator], None],
    cause: str,
) -> None:
    assert run(capsys, "get", PID)[0] == 0
    inject(emulator)
    emulator.clear_requests()
    code, out, err = run(capsys, "watch", PID, "--interval", "1")
    assert code == 5 and cause in err and "cypkg: hint:" in err
    assert out == "" and waits.polls == []  # stopped at once: no second poll
    # At most: the cached token's GET, one new token, one more GET.
    assert emulator.count("GET") <= 2 and emulator.count("POST") <= 1
    code, _, err = run(capsys, "get", PID)
    assert code == 5 and cause in err


def test_401_mid_session_is_renewed_silently(
    waits: Waits,
    emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_clock: Any,
) -> None:
    assert run(capsys, "get", PID)[0] == 0

    def sleep(seconds: float) -> None:
        waits.polls.append(seconds)
        fake_clock.advance(seconds)
        if len(waits.polls) == 1:
            emulator.revoke_tokens()  # mid-watch, between two polls

    monkeypatch.setattr(cli_watch, "_sleep", sleep)
    monkeypatch.setattr(cli_watch, "_monotonic", fake_clock)  # the scheduler's clock
    emulator.clear_requests()
    code, out, err = run(capsys, "watch", PID, "--interval", "5")
    assert code == 0 and "success" in out and err == ""
    assert emulator.count("POST", "/auth") == 1  # one new token after the 401, no more


def test_clock_skew_is_named(
    waits: Waits,
    emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    defaults = dict(CylanceClient.__init__.__kwdefaults__ or {})
    defaults["clock"] = lambda: time.time() + 600  # this machine runs 10 minutes ahead
    monkeypatch.setattr(CylanceClient.__init__, "__kwdefaults__", defaults)
    code, _, err = run(capsys, "get", PID)
    assert code == 5
    assert "rejected the credentials (HTTP 401: Invalid JWT payload)" in err
    assert "clock is 10 min ahead of the server's" in err and "NTP" in err
    assert emulator.count("POST", "/auth") == 1 and emulator.count("GET") == 0
    code, _, err = run(capsys, "watch", PID)
    assert code == 5 and "clock" in err and waits.polls == []
