"""An error that ends the TUI is kept in a crash file, secrets masked: after a hangup
the terminal that would have shown its traceback is gone."""

from __future__ import annotations

import functools
import io
import stat
from pathlib import Path

import pytest

from tui.config import Secret, state_dir
from tui.ui import startup
from tui.ui.app import CypkgApp
from tui.ui.crash import FILE_NAME, report_crash
from tui.ui.screens.lookup import LookupScreen

SECRET = "s3cr3t-VALUE-that-must-not-leak-0123456789"


def failing() -> None:
    raise RuntimeError(f"boom near {SECRET}")


def test_report_is_private_masked_and_named_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "state" / "crash.txt"
    try:
        failing()
    except RuntimeError as error:
        assert report_crash(error, [Secret(SECRET)], path) == path
    text = path.read_text()
    assert "Traceback" in text and "RuntimeError: boom near" in text and "in failing" in text
    assert SECRET not in text and SECRET[:16] not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in capsys.readouterr().err


def test_report_with_the_terminal_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    closed = io.StringIO()
    closed.close()  # every write raises ValueError, as a hung-up tty raises OSError
    monkeypatch.setattr("sys.stderr", closed)
    path = tmp_path / "crash.txt"
    assert report_crash(RuntimeError("x"), [], path) == path
    assert path.exists()


def test_nowhere_to_write_is_no_second_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert report_crash(RuntimeError("x"), [], blocker / "crash.txt") is None


def test_run_app_keeps_the_error_that_ended_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole path: an exception in a handler ends ``run_app`` with 1 and a crash file."""
    monkeypatch.setenv("CYPKG_TENANT_ID", "00000000-0000-4000-8000-000000000001")
    monkeypatch.setenv("CYPKG_APP_ID", "00000000-0000-4000-8000-000000000002")
    monkeypatch.setenv("CYPKG_APP_SECRET", SECRET)
    monkeypatch.setattr(LookupScreen, "on_mount", lambda self: failing(), raising=False)
    monkeypatch.setattr(
        CypkgApp, "run", functools.partialmethod(CypkgApp.run, headless=True, size=(80, 24))
    )
    assert startup.run_app(api_url="http://127.0.0.1:9") == 1
    text = (state_dir() / FILE_NAME).read_text()
    assert "RuntimeError: boom near" in text and SECRET[:16] not in text
    assert str(state_dir() / FILE_NAME) in capsys.readouterr().err


def test_the_first_error_is_kept_when_printing_it_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a hangup Textual's own print of the error fails (EIO) and escapes ``run``:
    the crash file keeps the error that ended the app, not that EIO."""

    def run(self: CypkgApp) -> None:
        try:
            failing()
        except RuntimeError as error:
            self._exception = error  # where Textual keeps it
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(CypkgApp, "run", run)
    with pytest.raises(OSError):
        startup.run_app(api_url="http://127.0.0.1:9")
    text = (state_dir() / FILE_NAME).read_text()
    assert "RuntimeError: boom near" in text and "Input/output error" not in text
