"""Textual's terminal driver, made to survive the terminal going away.

When the SSH link drops, the pseudo-terminal is hung up: the app gets SIGHUP (and
exits, see :func:`tui.ui.app.exit_on_signals`), and from then on every read and write
on the terminal fails with EIO. Textual 8.2.8 handles neither: its output thread
dies on the first failed write, after which the app blocks for good once 30 more
writes are queued (a cypkg left running on the jump host); and its input thread
turns the failed read into a crash report. This driver drops output once the
terminal is gone and treats a failed read as the hangup it is. ``tests/test_pty.py``
closes the terminal under a running app to check it.
"""

from __future__ import annotations

import signal
from typing import IO, Any

from textual._time import get_time
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver


def write_sequence(app: App[Any], sequence: str) -> None:
    """Write a terminal sequence (a title, a notification) straight to the terminal.

    Textual 8.2.8 has no public way to write bytes that are not a frame, so this reads
    the private ``App._driver`` and ``WriterThread``: after a hang-up the output thread
    is gone and its queue never drains, and a write then could block the exit for good.
    (No upstream issue for either yet; delete this when Textual offers a public write
    and a writer that outlives a hung-up terminal.)
    """
    driver = app._driver
    writer = getattr(driver, "_writer_thread", None)
    if driver is not None and (writer is None or writer.is_alive()):
        driver.write(sequence)


def app_error(app: App[Any]) -> BaseException | None:
    """The error that ended ``app`` (Textual keeps the first in the private
    ``App._exception`` and only sets return code 1). Read for the crash file after a
    hangup, when Textual's own report went to a dead terminal; delete when Textual
    exposes it (no upstream issue yet)."""
    first = getattr(app, "_exception", None)
    return first if isinstance(first, BaseException) else None


def message_clock() -> float:
    """Now, on the clock of ``Message.time`` (Textual's private ``_time.get_time``:
    monotonic, but not ``time.monotonic`` on Windows). Delete when Textual exposes it."""
    return get_time()


class _TerminalOutput:
    """The terminal as Textual's output thread writes to it; once it fails, writes are dropped."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        #: Set on the first failed write or flush: the terminal is gone.
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self._file.write(text)
            except (OSError, ValueError):
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._file.flush()
            except (OSError, ValueError):
                self.gone = True

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return self._file.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


class HangupSafeDriver(LinuxDriver):
    """:class:`LinuxDriver` whose output and input survive a hung-up terminal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._file = _TerminalOutput(self._file)  # type: ignore[arg-type, assignment]

    def _run_input_thread(self) -> None:
        try:
            self.run_input_thread()
        except OSError:
            # EIO: the terminal was hung up. Leave as on SIGHUP, without a crash report.
            self._app.call_later(self._app.exit, None, 128 + signal.SIGHUP)
        except BaseException:
            import rich.traceback  # what Textual's own driver does

            self._app.call_later(self._app.panic, rich.traceback.Traceback())
