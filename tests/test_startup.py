"""Start-up: the lookup screen is the first screen, painted without loading what can wait,
and the warm-up after it (detail screen, API client) never shows itself."""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Any

import pytest

from tui.cli import commands as cli_commands
from tui.emulator import DEMO
from tui.emulator.seed import DEMO_PACKAGE_ID
from tui.ui.app import CypkgApp
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.lookup import LookupScreen
from tui.ui.widgets.footer import Footer

#: Loaded only after the first paint (warm-up, keymap) or when their screen opens.
NOT_BEFORE_FIRST_PAINT = (
    "tui.ui.screens.detail",
    "tui.ui.screens.settings",
    "tui.polling.scheduler",
    "tui.ui.engine",
    "httpx",
    "textual.widgets._text_area",
)

_PROBE = """
import asyncio, sys
from tui.ui.app import CypkgApp
from tui.ui.options import AppOptions
from tui.ui.startup import prepare

watched = sys.argv[1].split(",")
at_first_paint = {}
start_extras = CypkgApp._start_extras

def recording(app):
    if not at_first_paint:
        at_first_paint.update({name: name in sys.modules for name in watched})
    start_extras(app)

CypkgApp._start_extras = recording

async def main():
    app = CypkgApp(prepare(api_url="http://127.0.0.1:9"), AppOptions(theme="textual-dark"))
    async with app.run_test(size=(80, 24)) as pilot:
        while not at_first_paint:
            await pilot.pause(0.02)
        # Then the warm-up thread loads the detail screen and builds the client.
        while app.clients.built is None:
            await pilot.pause(0.02)
        print("FIRST", sorted(name for name, loaded in at_first_paint.items() if loaded))
        print("SCREENS", [type(screen).__name__ for screen in app.screen_stack])
        print("LATER", sorted(name for name in watched if name in sys.modules))

asyncio.run(main())
"""


def test_first_paint_loads_only_the_lookup() -> None:
    """Checked in a fresh interpreter: this one has imported everything already."""
    import os

    env = {
        **os.environ,
        "CYPKG_TENANT_ID": DEMO.tenant_id,
        "CYPKG_APP_ID": DEMO.app_id,
        "CYPKG_APP_SECRET": DEMO.app_secret,
    }
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, ",".join(NOT_BEFORE_FIRST_PAINT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    assert "FIRST []" in done.stdout, done.stdout + done.stderr
    assert "SCREENS ['LookupScreen']" in done.stdout
    later = done.stdout.split("LATER", 1)[1]
    assert "tui.ui.screens.detail" in later and "httpx" in later
    # The request engine too: the first lookup does not pay for it (3a: 131 → 95 ms).
    assert "tui.ui.engine" in later and "tui.polling.scheduler" in later


async def test_lookup_is_the_bottom_screen(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert [type(screen) for screen in app.screen_stack] == [LookupScreen]
        assert app.focused is app.screen.query_one("#package-input")


async def test_opened_on_a_package_with_the_lookup_below(make_app, wait_until) -> None:  # type: ignore[no-untyped-def]
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert [type(screen) for screen in app.screen_stack] == [LookupScreen, DetailScreen]
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        assert len(app.screen_stack) == 1


def _warm_up_done(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Set when the app's warm-up has run to its end."""
    done = threading.Event()
    original = CypkgApp.warm_up

    def warm_up(app: CypkgApp) -> None:
        original(app)
        done.set()

    monkeypatch.setattr(CypkgApp, "warm_up", warm_up)
    return done


class _Counting:
    """A client factory that counts what it builds (the emulator serves the requests)."""

    def __init__(self, fail: bool = False) -> None:
        self.built = 0
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self, profile: Any) -> Any:
        from tui.polling.clients import make_client

        with self.lock:
            self.built += 1
        if self.fail:
            raise RuntimeError("no client today")
        return make_client(profile, persist_tokens=False)


async def test_warm_up_builds_the_client_the_first_lookup_uses(  # type: ignore[no-untyped-def]
    make_app, emulator, wait_until, screen_text
) -> None:
    factory = _Counting()
    app = make_app(client_factory=factory)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.clients.built is not None, what="warm-up")
        # Built ahead, and no request sent for it.
        assert factory.built == 1 and emulator.count() == 0
        app.action_open_package(DEMO_PACKAGE_ID)
        await wait_until(pilot, lambda: "collect_triage" in screen_text(app))
        assert factory.built == 1


async def test_warm_up_failure_is_left_to_the_lookup(  # type: ignore[no-untyped-def]
    make_app, wait_until, screen_text, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = _warm_up_done(monkeypatch)
    factory = _Counting(fail=True)
    app = make_app(client_factory=factory)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_until(pilot, done.is_set, what="warm-up")
        await pilot.pause()
        assert factory.built == 1
        # Nothing said, nothing broken: still the lookup, no client, no toast.
        assert isinstance(app.screen, LookupScreen) and app.is_running
        assert app.clients.built is None and not list(app._notifications)
        # The lookup meets the failure itself, and reports it.
        app.action_open_package(DEMO_PACKAGE_ID)
        await wait_until(pilot, lambda: "no client today" in screen_text(app))
        assert factory.built == 2


async def test_no_warm_up_client_without_credentials(  # type: ignore[no-untyped-def]
    make_app, wait_until, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.config import Profile

    done = _warm_up_done(monkeypatch)
    factory = _Counting()
    app = make_app(profile=Profile(name="empty"), client_factory=factory)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, done.is_set, what="warm-up")
        assert factory.built == 0 and app.clients.built is None


def test_warm_up_runs_in_a_daemon_thread(make_app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """So a ctrl+q right after the start never waits for it."""
    started: list[dict[str, Any]] = []

    class Recorder:
        def __init__(self, **kwargs: Any) -> None:
            started.append(kwargs)

        def start(self) -> None:
            pass

    app = make_app()
    monkeypatch.setattr(CypkgApp, "is_running", property(lambda _self: True))
    monkeypatch.setattr("tui.ui.app.threading.Thread", Recorder)
    app._start_warm_up()
    assert started == [{"target": app.warm_up, "name": "cypkg-warm-up", "daemon": True}]


def test_no_client_is_built_once_the_app_closed(make_app) -> None:  # type: ignore[no-untyped-def]
    factory = _Counting()
    app = make_app(client_factory=factory)
    app.clients.close_all()
    app.warm_up()  # a warm-up thread that only gets there after the exit
    assert factory.built == 0 and app.clients.built is None


async def test_footer_keys_in_the_first_frame_and_not_rebuilt(  # type: ignore[no-untyped-def]
    make_app, monkeypatch: pytest.MonkeyPatch, wait_until
) -> None:
    rebuilt: list[Footer] = []
    recompose = Footer.recompose

    async def counting(self: Footer) -> None:
        rebuilt.append(self)
        await recompose(self)

    monkeypatch.setattr(Footer, "recompose", counting)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.clients.built is not None, what="warm-up")
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        keys = [str(key.description) for key in footer.query("FooterKey")]
        assert "Browse" in keys and "Settings" in keys
        # Focus, resume and keymap changes that leave the keys as they are: no rebuild.
        assert rebuilt == []
        app.set_keymap({"browse": "f7"})
        await wait_until(pilot, lambda: bool(rebuilt), what="rebuild")
        await pilot.pause()
        assert any(key.key == "f7" for key in app.screen.query_one(Footer).query("FooterKey"))


_GC_PROBE = """
import gc
import tui.ui.app
import tui.ui.startup
from tui import cli

def run_app(**options):
    print("DURING", gc.isenabled())
    tui.ui.app.resume_gc()  # what the app does after its first paint
    print("AFTER", gc.isenabled(), gc.get_freeze_count() > 0)
    return 0

tui.ui.startup.run_app = run_app
import tui.cli.commands
tui.cli.commands._missing_terminal = lambda: None  # the probe's streams are pipes
print("BEFORE", gc.isenabled())
cli.main(["--api-url", "http://127.0.0.1:9"])
print("EXIT", gc.isenabled())
"""


def test_gc_is_off_from_the_start_to_the_first_paint() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _GC_PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == [
        *("BEFORE", "True", "DURING", "False", "AFTER", "True", "True", "EXIT", "True")
    ]


def test_gc_is_off_for_one_shot_commands_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """`get` is over in a moment; `watch` runs for as long as the uploads do. And after
    either (or the TUI), main() leaves the GC as it found it."""
    import gc

    import tui.ui.app
    import tui.ui.startup
    from tui import cli

    seen: list[tuple[str, bool]] = []

    def record(name: str) -> Any:
        def command(*args: Any, **kwargs: Any) -> int:
            seen.append((name, gc.isenabled()))
            return 0

        return command

    monkeypatch.setattr(cli, "_cmd_get", record("get"))
    monkeypatch.setattr(cli, "_cmd_watch", record("watch"))
    monkeypatch.setattr(cli, "_profile", lambda *args, **kwargs: None)
    monkeypatch.setattr(tui.ui.startup, "run_app", record("tui"))
    monkeypatch.setattr(cli_commands, "_missing_terminal", lambda: None)
    assert gc.isenabled()
    for argv in (["watch", DEMO_PACKAGE_ID], ["get", DEMO_PACKAGE_ID], [DEMO_PACKAGE_ID]):
        assert cli.main(argv) == 0
        assert gc.isenabled()
    assert seen == [("watch", True), ("get", False), ("tui", False)]
