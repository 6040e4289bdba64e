"""One deadline per request attempt: a trickling server cannot hold cypkg.

httpx's timeouts bound each read, so a server sending one byte every few seconds never
trips them. Every attempt (the token POST and each GET) must end by its deadline
(``request_timeout``: profile, ``CYPKG_REQUEST_TIMEOUT``, ``--request-timeout``,
default 60 s) as a RequestTimeout naming the deadline, retried like any timeout. Driven
on loopback by the emulator's ``trickle_next`` fault with a short deadline.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui import cli
from tui.api.auth import TokenCache
from tui.api.client import CylanceClient
from tui.api.errors import ConfigError, RequestTimeout
from tui.api.retry import RetryPolicy
from tui.base.safe_text import is_inert
from tui.cli import commands as cli_commands
from tui.config import (
    DEFAULT_REQUEST_TIMEOUT,
    ENV_REQUEST_TIMEOUT,
    Config,
    Profile,
    Secret,
    load_config,
    resolve_profile,
    save_config,
)
from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID
from tui.ui.screens.detail import DetailScreen

MANY = 1_000
DEADLINE = 0.5
#: Slower than the deadline for the whole answer, much faster than any read timeout.
TRICKLE = 0.15


def client_for(emulator: Emulator, deadline: float = DEADLINE, **options: Any) -> CylanceClient:
    options.setdefault("retry", RetryPolicy(max_attempts=2))
    return CylanceClient(
        emulator.base_url,
        DEMO.tenant_id,
        DEMO.app_id,
        DEMO.app_secret,
        token_cache=TokenCache(None),
        request_timeout=deadline,
        sleep=lambda seconds: None,
        **options,
    )


# -- the emulator's trickle fault ---------------------------------------------------------


def read_until(
    emulator: Emulator, token: str, enough: Callable[[bytes], int]
) -> tuple[bytes, bytes, float]:
    """A GET's first recv(), then all until ``enough(first)`` bytes, and how long it took."""
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as sock:
        request = (
            f"GET /packages/v2/{DEMO_PACKAGE_ID} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        )
        start = time.monotonic()
        sock.sendall(request.encode())
        first = data = sock.recv(65536)
        while len(data) < enough(first):
            chunk = sock.recv(65536)  # at most 5 s (the socket's timeout)
            assert chunk, "the emulator closed the connection"
            data += chunk
        return first, data, time.monotonic() - start


def test_trickle_sends_the_body_one_byte_at_a_time(emulator: Emulator) -> None:
    token = client_for(emulator).authenticate().value
    emulator.faults.trickle_next(1, 0.05)
    first, _, took = read_until(emulator, token, lambda first: first.index(b"\r\n\r\n") + 7)
    # The whole head in one piece, then the body a byte per 0.05 s.
    assert first.startswith(b"HTTP/1.1 200 ") and b"\r\n\r\n" in first
    assert b"Content-Length" in first
    assert took >= 3 * 0.05 - 0.01


def test_trickle_can_send_the_head_slowly_too(emulator: Emulator) -> None:
    token = client_for(emulator).authenticate().value
    with httpx.Client(base_url=emulator.base_url, trust_env=False) as control:
        planned = control.post(
            "/_emulator/faults", json={"trickle_next": {"n": 1, "seconds": 0.05, "headers": True}}
        ).json()["planned"]
    assert planned[0]["kind"] == "trickle" and planned[0]["trickle_headers"] is True
    first, data, took = read_until(emulator, token, lambda first: 3)
    assert len(first) < 3 and data.startswith(b"HTT") and took >= 3 * 0.05 - 0.01


# -- the client -----------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [False, True], ids=["body", "headers and body"])
def test_a_trickled_answer_ends_at_the_deadline_and_is_retried(
    emulator: Emulator, headers: bool
) -> None:
    client = client_for(emulator)
    client.authenticate()
    emulator.faults.trickle_next(MANY, TRICKLE, headers=headers)
    started = time.monotonic()
    with client, pytest.raises(RequestTimeout) as caught:
        client.get_package(DEMO_PACKAGE_ID)
    elapsed = time.monotonic() - started
    host = emulator.base_url.removeprefix("http://")
    message = str(caught.value)
    assert f"No complete answer from {host} within 0.5 s (request deadline" in message
    assert is_inert(message)
    assert emulator.count("GET", "/packages") == 2  # retried like a timeout
    assert 2 * DEADLINE <= elapsed < 2 * DEADLINE + 1.0, elapsed  # + slack for a busy machine


def test_the_token_request_has_the_deadline_too(emulator: Emulator) -> None:
    client = client_for(emulator)
    emulator.faults.trickle_next(MANY, TRICKLE, headers=True, path_prefix="/auth")
    started = time.monotonic()
    with client, pytest.raises(RequestTimeout, match=r"within 0\.5 s \(request deadline"):
        client.authenticate()
    assert DEADLINE <= time.monotonic() - started < DEADLINE + 1.0
    assert emulator.count("POST", "/auth") == 1  # signing in is not retried (as before)


def test_no_read_waits_past_the_deadline(emulator: Emulator) -> None:
    """A 30 s read timeout must not keep the thread in one read beyond the deadline."""
    client = client_for(emulator, timeout=httpx.Timeout(30.0), retry=RetryPolicy(max_attempts=1))
    client.authenticate()
    emulator.faults.stall_next(1, 5.0)
    started = time.monotonic()
    with client, pytest.raises(RequestTimeout, match="request deadline"):
        client.get_package(DEMO_PACKAGE_ID)
    assert DEADLINE <= time.monotonic() - started < DEADLINE + 1.0


def test_an_answer_within_the_deadline_is_unaffected(emulator: Emulator) -> None:
    client = client_for(emulator, deadline=2.0, retry=RetryPolicy(max_attempts=1))
    emulator.faults.stall_next(1, 0.3)
    with client:
        assert client.get_package(DEMO_PACKAGE_ID).package_id == DEMO_PACKAGE_ID
        # Keep-alive: the next request reuses the connection under a fresh deadline.
        time.sleep(0.1)
        assert client.get_package(DEMO_PACKAGE_ID).package_id == DEMO_PACKAGE_ID


# -- cypkg get -------------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> list[float]:
    monkeypatch.setenv("CYPKG_API_URL", emulator.base_url)
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id)
    monkeypatch.setenv("CYPKG_APP_ID", DEMO.app_id)
    monkeypatch.setenv("CYPKG_APP_SECRET", DEMO.app_secret)
    waits: list[float] = []

    def record(self: CylanceClient, delay: float, error: Any) -> None:
        waits.append(delay)  # the retry backoff, recorded instead of slept

    monkeypatch.setattr(CylanceClient, "_wait", record)
    return waits


@pytest.mark.parametrize("where", ["before", "after"])
def test_cypkg_get_ends_with_exit_6_naming_the_deadline(
    env: list[float], emulator: Emulator, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    emulator.faults.trickle_next(MANY, TRICKLE)
    flag = ["--request-timeout", str(DEADLINE)]
    argv = [*flag, "get", DEMO_PACKAGE_ID] if where == "before" else ["get", DEMO_PACKAGE_ID, *flag]
    started = time.monotonic()
    code = cli.main(argv)
    elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    assert code == 6 and out == ""
    attempts = emulator.count("GET", "/packages")
    assert attempts == 4 and len(env) == 3  # the default policy: 4 attempts
    assert 4 * DEADLINE <= elapsed < 4 * DEADLINE + 1.5, elapsed
    last = err.strip().splitlines()[-2]
    assert last.startswith("cypkg: No complete answer from 127.0.0.1:")
    assert "within 0.5 s (request deadline" in last
    assert "Traceback" not in err


def test_cypkg_get_deadline_from_the_environment(
    env: list[float],
    emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_REQUEST_TIMEOUT, "0.3")
    emulator.faults.trickle_next(MANY, TRICKLE)
    started = time.monotonic()
    assert cli.main(["get", DEMO_PACKAGE_ID]) == 6
    assert time.monotonic() - started < 4 * 0.3 + 1.5
    assert "within 0.3 s (request deadline" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf", "601", ""])
def test_a_bad_flag_is_a_usage_error_before_any_request(
    env: list[float], emulator: Emulator, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    for argv in (
        ["--request-timeout", value, "get", DEMO_PACKAGE_ID],
        ["--request-timeout", value],
    ):
        with pytest.raises(SystemExit) as caught:
            cli.main(argv)
        assert caught.value.code == 2
        err = capsys.readouterr().err
        assert "--request-timeout" in err and "seconds" in err
    assert emulator.requests == []


def test_the_flag_reaches_the_tui(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run_app(**options: Any) -> int:
        seen.update(options)
        return 0

    monkeypatch.setattr("tui.ui.startup.run_app", fake_run_app)
    monkeypatch.setattr(cli_commands, "_missing_terminal", lambda: None)  # no tty here
    assert cli.main(["--request-timeout", "7.5", DEMO_PACKAGE_ID]) == 0
    assert seen["request_timeout"] == 7.5 and seen["package_id"] == DEMO_PACKAGE_ID


# -- where the deadline comes from -----------------------------------------------------------


def write_config(path: Path, extra: str) -> Config:
    path.write_text(
        f"""[profiles.default]
tenant_id = "{DEMO.tenant_id}"
app_id = "{DEMO.app_id}"
app_secret = "{DEMO.app_secret}"
{extra}
"""
    )
    return load_config(path)


def test_precedence_flag_env_profile_default(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert resolve_profile(write_config(path, ""), env={}).request_timeout == 60.0
    assert DEFAULT_REQUEST_TIMEOUT == 60.0
    config = write_config(path, "request_timeout = 30")
    env = {ENV_REQUEST_TIMEOUT: "20"}
    assert resolve_profile(config, env={}).request_timeout == 30.0
    assert resolve_profile(config, env=env).request_timeout == 20.0
    assert resolve_profile(config, env=env, request_timeout=10.0).request_timeout == 10.0
    assert resolve_profile(config, env={}, request_timeout=12.5).request_timeout == 12.5
    assert resolve_profile(config, env={ENV_REQUEST_TIMEOUT: " "}).request_timeout == 30.0


def test_the_profile_setting_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config = write_config(path, "request_timeout = 90")
    assert config.profiles["default"].request_timeout == 90.0
    save_config(config, path)
    assert "request_timeout = 90\n" in path.read_text()
    profile = config.profiles["default"].replace(request_timeout=DEFAULT_REQUEST_TIMEOUT)
    save_config(Config(profiles={"default": profile}), path)
    assert "request_timeout" not in path.read_text()  # the default is not written


@pytest.mark.parametrize(
    "value", ["0", "-5", '"60"', "true", "nan", "inf", "601", "[1]"], ids=lambda v: v
)
def test_a_bad_profile_value_names_the_key(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        write_config(tmp_path / "config.toml", f"request_timeout = {value}")
    message = str(caught.value)
    assert "profiles.default.request_timeout" in message
    assert DEMO.app_secret not in message


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "1e9", DEMO.app_secret])
def test_a_bad_environment_value_names_the_variable(value: str) -> None:
    profile = Profile(name="p", app_secret=Secret(DEMO.app_secret))
    config = Config(profiles={"p": profile}, active_profile="p")
    with pytest.raises(ConfigError) as caught:
        resolve_profile(config, env={ENV_REQUEST_TIMEOUT: value})
    assert ENV_REQUEST_TIMEOUT in str(caught.value)
    assert DEMO.app_secret not in str(caught.value)


def test_config_show_names_the_deadline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV_REQUEST_TIMEOUT, "45")
    assert cli.main(["config", "show"]) == 0
    assert "Request deadline 45 s" in " ".join(capsys.readouterr().out.split())


def test_saving_the_settings_form_keeps_the_deadline(emulator_profile: Profile) -> None:
    """The form has no field for it: a save must not reset the file's value to 60 s."""
    from tui.ui.screens.settings import FormValues, build_profile

    original = emulator_profile.replace(request_timeout=90.0)
    values = FormValues(
        name=original.name,
        region="na",
        base_url="",
        tenant_id=original.tenant_id,
        app_id=original.app_id,
        app_secret="",
        ca_bundle="",
        poll_interval="5",
    )
    profile, errors = build_profile(values, original)
    assert errors == {} and profile is not None and profile.request_timeout == 90.0


def test_make_client_uses_the_profile_deadline(emulator_profile: Profile) -> None:
    from tui.polling.clients import make_client

    with make_client(emulator_profile.replace(request_timeout=12.0)) as client:
        assert client.request_timeout == 12.0


# -- the TUI ---------------------------------------------------------------------------------


async def test_the_detail_screen_shows_the_deadline_and_r_works_again(
    make_app,
    emulator,
    emulator_profile,
    wait_until,
    screen_text,  # type: ignore[no-untyped-def]
) -> None:
    emulator.faults.trickle_next(MANY, TRICKLE, headers=True)
    # A long poll interval: after the error nothing is in flight until r is pressed.
    app = make_app(
        profile=emulator_profile.replace(request_timeout=DEADLINE),
        package_id=DEMO_PACKAGE_ID,
        poll_interval=60.0,
        # One request, no quick retries of the first fetch: this is about its deadline.
        first_retry=RetryPolicy(max_attempts=1),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.error is not None, timeout=5, what="the error")
        await wait_until(pilot, lambda: not screen.in_flight, what="nothing in flight")
        # The state changes first and the repaint follows at the next frame: on a busy
        # machine the screen can still show the first attempt's "retrying at…" here.
        await wait_until(
            pilot,
            lambda: "request deadline" in " ".join(screen_text(app).split()),
            what="the deadline error on screen",
        )
        assert "fetching…" not in " ".join(screen_text(app).split())
        assert emulator.count("GET", "/packages") == 2  # the TUI's policy: 2 attempts
        emulator.faults.clear()
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.package is not None, what="the package")
        assert screen.error is None
        assert emulator.count("GET", "/packages") == 3
