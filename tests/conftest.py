"""Shared fixtures for the whole suite."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tui.emulator.testing import FakeClock

# Variables that change what cypkg, Textual or httpx do. Tests set the ones
# they need themselves.
_CLEARED_PREFIXES = ("CYPKG_", "TEXTUAL_")
_CLEARED = (
    "NO_COLOR",
    "COLORTERM",
    "FORCE_COLOR",
    # pytest-xdist workers run with COLUMNS=80 LINES=24, and shutil.get_terminal_size()
    # (hence Textual) takes them over the pty's real size: a cypkg started in a 200x70
    # pty would draw at 80x24.
    "COLUMNS",
    "LINES",
    # No test may talk through a proxy or trust a CA from the developer's machine;
    # POSIX names are case-sensitive and both spellings are honoured.
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)
_XDG_DIRS = {
    "XDG_CONFIG_HOME": "config",
    "XDG_CACHE_HOME": "cache",
    "XDG_DATA_HOME": "data",
    "XDG_STATE_HOME": "state",
}


def pytest_configure(config: pytest.Config) -> None:
    """Let SIGINT reach the programs the tests start, however pytest itself was started.

    A shell without job control starts background commands (``.ci/run &``, nohup, some
    CI runners) with SIGINT ignored; an ignored signal stays ignored across exec, so the
    tests that press ctrl+c on a child (``cypkg watch``, the emulator) would wait for an
    exit that never comes. A handled signal is reset to the default at exec instead.
    """
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The soak first: it runs ~70 s, the whole parallel suite little more; started last,
    one worker would still be soaking after the others have finished."""
    items.sort(key=lambda item: item.get_closest_marker("soak") is None)  # stable sort


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keep every test away from the real home directory and environment.

    HOME and the XDG base directories point into a fresh directory of their
    own (so platformdirs, and hence the config file and token cache, land
    there), outside ``tmp_path`` so tests can count what they create in it.
    Returns that directory.
    """
    root = tmp_path_factory.mktemp("env")
    home = root / "home"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for var, name in _XDG_DIRS.items():
        monkeypatch.setenv(var, str(root / name))
    for var in list(os.environ):
        if var.startswith(_CLEARED_PREFIXES):
            monkeypatch.delenv(var)
    for var in _CLEARED:
        monkeypatch.delenv(var, raising=False)
    # Polls run at fake-clock speed here: the daily budget would stretch them, by how
    # much depending on the hour. Tests of the budget set their own.
    monkeypatch.setenv("CYPKG_DAILY_BUDGET", "1_000_000_000")
    return root


# --------------------------------------------------------------------------- emulator fixtures
# For tests/test_emulator_*.py: the emulator on its own fake clock, and plain
# httpx clients talking to it (a file may override ``emu`` with other settings).


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    from tui.emulator.testing import FakeClock

    return FakeClock()


@pytest.fixture
def emu(clock):  # type: ignore[no-untyped-def]
    from tui.emulator import Emulator

    with Emulator(clock=clock) as emulator:
        yield emulator


@pytest.fixture
def http(emu):  # type: ignore[no-untyped-def]
    """A plain client for the emulator: no token, no proxy, no environment."""
    import httpx

    with httpx.Client(base_url=emu.base_url, timeout=5, trust_env=False, verify=False) as c:
        yield c


@pytest.fixture
def api(http, clock):  # type: ignore[no-untyped-def]
    """The same client, holding a bearer token with every scope."""
    from tui.emulator.testing import client_jwt

    token = http.post("/auth/v2/token", json={"auth_token": client_jwt(now=clock())})
    http.headers["Authorization"] = "Bearer " + token.json()["access_token"]
    return http


# --------------------------------------------------------------------------- TUI fixtures
# For tests/test_tui_*.py: a real emulator on loopback driven by a fake clock,
# and a factory for the app wired to it with a tiny poll interval.


@pytest.fixture
def fake_clock() -> FakeClock:
    import time

    from tui.emulator.testing import FakeClock

    # Starts at real time: the client signs its JWT with the real clock, and the
    # emulator refuses tokens issued too far in its future.
    return FakeClock(time.time())


@pytest.fixture
def emulator(fake_clock: FakeClock):  # type: ignore[no-untyped-def]
    from tui.emulator import Emulator

    emu = Emulator(port=0, clock=fake_clock).start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emulator_profile(emulator):  # type: ignore[no-untyped-def]
    from tui.config import Profile, Secret
    from tui.emulator import DEMO

    return Profile(
        name="emu",
        base_url=emulator.base_url,
        tenant_id=DEMO.tenant_id,
        app_id=DEMO.app_id,
        app_secret=Secret(DEMO.app_secret),
    )


@pytest.fixture
def make_app(emulator_profile, fake_clock, tmp_path):  # type: ignore[no-untyped-def]
    """``make_app(profile=None, package_id=None, config=None, demo=None, **options)``."""
    from tui.config import Config
    from tui.polling.recent import RecentStore
    from tui.ui.app import CypkgApp
    from tui.ui.options import AppOptions, Startup

    def factory(  # type: ignore[no-untyped-def]
        profile=None, package_id=None, config=None, demo=None, problems=(), **options
    ):
        profile = profile or emulator_profile
        if config is None:
            config = Config(
                active_profile=profile.name,
                profiles={profile.name: profile},
                path=tmp_path / "env" / "config" / "cypkg" / "config.toml",
            )
        defaults = {
            "clock": fake_clock,
            "user_host": "tester@jump",
            "poll_interval": 0.05,
            "min_poll_interval": 0.01,
            "rng": lambda: 0.5,
            "tick": 1.0,
            "recent_store": RecentStore(tmp_path / "recent.json"),
            "theme": "textual-dark",
            "daily_budget": 1_000_000_000,  # polls every 50 ms: no stretching
        }
        defaults.update(options)
        startup = Startup(
            config=config,
            profile=profile,
            package_id=package_id,
            demo=demo,
            problems=list(problems),
        )
        return CypkgApp(startup, AppOptions(**defaults))

    return factory


def _screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """What the terminal would show now, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@pytest.fixture
def screen_text():  # type: ignore[no-untyped-def]
    return _screen_text


@pytest.fixture
def wait_until():  # type: ignore[no-untyped-def]
    """``await wait_until(pilot, predicate, timeout=5)``: let the app run until it holds."""
    import time

    async def wait(pilot, predicate, timeout: float = 5.0, what: str = "") -> None:  # type: ignore[no-untyped-def]
        import asyncio

        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or predicate}")
            # A plain sleep: pilot.pause() also forces a full repaint every time.
            await asyncio.sleep(0.02)

    return wait


# --------------------------------------------------------------------------- figures
# Numbers the hostile-data, fault and soak tests measure (cases checked, request
# counts, RSS before and after): printed in the terminal summary whatever -s says,
# and written to cypkg-figures.json in pytest's base temporary directory.
# Under pytest-xdist each worker fills its own dict; the worker hands it to the
# controller when it finishes (as JSON: execnet only carries plain types), and the
# controller merges them before it prints the summary.

_FIGURES: dict[str, object] = {}
_WORKER_KEY = "cypkg_figures"


@pytest.fixture
def figures() -> dict[str, object]:
    return _FIGURES


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)  # set on xdist workers only
    if workeroutput is not None and _FIGURES:
        import json

        workeroutput[_WORKER_KEY] = json.dumps(_FIGURES, default=str)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: absent when xdist is not installed
def pytest_testnodedown(node, error) -> None:  # type: ignore[no-untyped-def]
    payload = getattr(node, "workeroutput", {}).get(_WORKER_KEY)
    if payload:
        import json

        _FIGURES.update(json.loads(payload))


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if not _FIGURES:
        return
    import json

    terminalreporter.section("cypkg figures")
    for key, value in _FIGURES.items():
        terminalreporter.write_line(f"{key}: {value}")
    try:
        base = config._tmp_path_factory.getbasetemp()
        path = base / "cypkg-figures.json"
        path.write_text(json.dumps(_FIGURES, indent=1, default=str) + "\n")
        terminalreporter.write_line(f"(also in {path})")
    except Exception:  # a summary must never fail the run
        pass
