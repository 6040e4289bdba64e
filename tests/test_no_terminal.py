"""Without a terminal the TUI is not started: `cypkg < /dev/null > out` exits 2 at once.

Textual would otherwise switch an alternate screen on in whatever the streams are
(a file, a pipe) and then wait for keys that never come.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui import cli
from tui.emulator.seed import DEMO_PACKAGE_ID


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CYPKG_", "TEXTUAL_"))}
    env.update(HOME=str(root), XDG_CONFIG_HOME=str(root / "config"))
    env.update(XDG_CACHE_HOME=str(root / "cache"), XDG_DATA_HOME=str(root / "data"))
    return env


@pytest.mark.parametrize("argv", [[], ["--demo"], [DEMO_PACKAGE_ID], ["tui"]])
def test_no_terminal_exits_2_at_once(tmp_path: Path, argv: list[str]) -> None:
    out = tmp_path / "out"
    started = time.monotonic()
    with out.open("wb") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "tui", *argv],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=_env(tmp_path),
            timeout=15,
            check=False,
        )
    elapsed = time.monotonic() - started
    written = out.read_bytes()
    assert done.returncode == 2, done.stderr
    assert elapsed < 10  # at once (an interpreter start; a hang would be killed at 15 s)
    assert b"\x1b" not in written and b"\x1b" not in done.stderr
    assert written == b""
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("cypkg: ") and "terminal" in lines[0]
    assert "cypkg get" in lines[0] and "cypkg watch" in lines[0]
    assert lines[1].startswith("cypkg: hint: ")
    # Nothing was set up for a TUI that never ran: no config directory, no cache.
    assert not (tmp_path / "config").exists() and not (tmp_path / "cache").exists()


def test_a_terminal_on_stdin_only_is_not_enough(tmp_path: Path) -> None:
    """`cypkg > out` typed at a prompt: stdin is a terminal, stdout is a file."""
    master, slave = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui"],
            stdin=slave,
            capture_output=True,
            env=_env(tmp_path),
            timeout=15,
            check=False,
        )
    finally:
        os.close(slave)
        os.close(master)
    assert done.returncode == 2 and done.stdout == b""
    assert b"stdout" in done.stderr and b"\x1b" not in done.stderr


def test_the_check_is_in_the_cli_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process (pytest's streams are no terminal): refused before run_app is called."""
    import tui.ui.app

    started: list[object] = []
    monkeypatch.setattr(tui.ui.app, "run_app", lambda **kw: started.append(kw) or 0)
    assert cli.main([DEMO_PACKAGE_ID]) == 2
    assert started == []
    monkeypatch.setattr(cli, "_missing_terminal", lambda: None)
    assert cli.main([DEMO_PACKAGE_ID]) == 0 and len(started) == 1
