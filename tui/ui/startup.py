"""Starting the app: the config and profile resolved before the UI (:func:`prepare`),
the run itself (:func:`run_app`), and signals that end it cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.app import App

from tui.api.errors import ConfigError, CypkgError
from tui.config import (
    DEFAULT_PROFILE,
    Config,
    Profile,
    config_path,
    load_config,
    resolve_profile,
)

if TYPE_CHECKING:
    from tui.polling.clients import Demo
from tui.ui.app import CypkgApp
from tui.ui.crash import report_crash
from tui.ui.driver import app_error
from tui.ui.options import AppOptions, DemoEntry, Startup


def demo_entries() -> list[DemoEntry]:
    from tui.emulator.seed import (
        DEMO_PACKAGE_ID,
        FAILED_AFTER,
        STARTED_FAILED_ID,
        STARTED_SUCCESS_ID,
        STARTED_TIMEOUT_ID,
        SUCCESS_AFTER,
        TIMEOUT_AFTER,
    )

    after = "s after launch"
    return [
        DemoEntry(STARTED_SUCCESS_ID, f"demo: started, succeeds ~{SUCCESS_AFTER:.0f} {after}"),
        DemoEntry(STARTED_FAILED_ID, f"demo: started, fails ~{FAILED_AFTER:.0f} {after}"),
        DemoEntry(STARTED_TIMEOUT_ID, f"demo: started, times out ~{TIMEOUT_AFTER:.0f} {after}"),
        DemoEntry(DEMO_PACKAGE_ID, "demo: finished package with examples"),
    ]


def prepare(
    *,
    profile_name: str | None = None,
    api_url: str | None = None,
    package_id: str | None = None,
    demo: Demo | None = None,
    request_timeout: float | None = None,
) -> Startup:
    """Load the config and pick the profile; problems are kept for the UI, never raised."""
    if demo is not None:
        profile = demo.profile
        if request_timeout is not None:
            profile = profile.replace(request_timeout=request_timeout)
        return Startup(
            config=demo.config,
            profile=profile,
            demo=demo,
            package_id=package_id,
            demo_entries=demo_entries(),
        )
    problems: list[CypkgError] = []
    try:
        config = load_config()
    except ConfigError as exc:
        problems.append(exc)
        config = Config(path=config_path())
    try:
        profile = resolve_profile(
            config, profile=profile_name, api_url=api_url, request_timeout=request_timeout
        )
    except ConfigError as exc:
        problems.append(exc)
        try:
            profile = Profile(name=(profile_name or "").strip() or config.active_profile)
        except ConfigError:
            profile = Profile(name=DEFAULT_PROFILE)
    return Startup(
        config=config,
        profile=profile,
        package_id=package_id,
        api_url_override=api_url,
        request_timeout_override=request_timeout,
        problems=problems,
        warnings=list(config.warnings),
    )


def run_app(
    *,
    profile_name: str | None = None,
    api_url: str | None = None,
    package_id: str | None = None,
    demo: Demo | None = None,
    theme: str | None = None,
    request_timeout: float | None = None,
) -> int:
    """Run the TUI until the user quits; the exit status for the CLI."""
    startup = prepare(
        profile_name=profile_name,
        api_url=api_url,
        package_id=package_id,
        demo=demo,
        request_timeout=request_timeout,
    )
    app = CypkgApp(startup, AppOptions(theme=theme))
    try:
        with exit_on_signals(app):
            app.run()
    except Exception as escaped:
        # Mostly Textual printing the app's error to a hung-up terminal (EIO): the
        # error worth keeping is the first one, which Textual keeps (exit status 1).
        report_crash(
            app_error(app) or escaped, (startup.profile.app_secret, app.profile.app_secret)
        )
        raise
    first = app_error(app)
    if app.return_code == 1 and first is not None:
        report_crash(first, (startup.profile.app_secret, app.profile.app_secret))
    return app.return_code or 0


#: Signals that end the app like ctrl+q does: SIGTERM (kill, a service manager), SIGHUP
#: (the SSH link dropped) and SIGINT (``kill -INT``: inside the app ctrl+c is a key).
EXIT_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


@contextlib.contextmanager
def exit_on_signals(app: App[Any]) -> Iterator[None]:
    """While the app runs, :data:`EXIT_SIGNALS` make it exit cleanly, terminal restored.

    The handler only schedules ``app.exit(return_code=128 + signum)`` on the app's
    event loop, which runs in this (the main) thread. Raising from a signal handler
    instead can be swallowed by the loop or leave the terminal in raw mode. Outside
    the loop (before it starts, after it ends) the previous handler applies.
    """
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(app.exit, None, 128 + signum)
            return
        before = previous.get(signum)
        if callable(before):
            before(signum, frame)
            return
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for name in EXIT_SIGNALS:
        number = getattr(signal, name, None)
        # A signal the user chose to ignore (nohup) stays ignored.
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, before in previous.items():
            signal.signal(number, before if before is not None else signal.SIG_DFL)
