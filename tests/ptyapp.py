"""Run cypkg in a pseudo-terminal and keep every byte it writes to the terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from tui.emulator import DEMO

#: Becomes the session leader with the pty as its controlling terminal (so closing the
#: master is a real hangup), then runs cypkg.
_LAUNCHER = (
    "import fcntl, os, sys, termios\n"
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0)\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'tui', *sys.argv[1:]])\n"
)
#: What Textual writes when it leaves application mode: alternate screen off, cursor on.
RESTORE = (b"\x1b[?1049l", b"\x1b[?25h")
KEYS = {"escape": b"\x1b", "enter": b"\r", "f2": b"\x1bOQ", "ctrl+q": b"\x11", "tab": b"\t"}


def cypkg_env(root: Path, *, secret: str = DEMO.app_secret) -> dict[str, str]:
    """A clean environment: demo credentials, XDG dirs under ``root``, a 256-colour TERM."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CYPKG_", "TEXTUAL_", "XDG_")) and key not in ("NO_COLOR",)
    }
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        HOME=str(root / "home"),
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_CACHE_HOME=str(root / "cache"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_STATE_HOME=str(root / "state"),
        CYPKG_TENANT_ID=DEMO.tenant_id,
        CYPKG_APP_ID=DEMO.app_id,
        CYPKG_APP_SECRET=secret,
    )
    (root / "home").mkdir(parents=True, exist_ok=True)
    return env


class PtyApp:
    """``cypkg ARGS`` on the slave side of a pty; :attr:`output` is all it wrote."""

    def __init__(self, *args: str, env: dict[str, str], size: tuple[int, int] = (160, 48)) -> None:
        self.master, slave = pty.openpty()
        self.resize(*size, fd=slave)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if not ready:
                    if self.proc.poll() is not None and not self._pending():
                        return
                    continue
                data = os.read(self.master, 65536)
            except OSError:  # EIO once the other side is closed, EBADF after close()
                return
            if not data:
                return
            with self._lock:
                self._buffer.extend(data)

    def _pending(self) -> bool:
        try:
            ready, _, _ = select.select([self.master], [], [], 0)
        except (OSError, ValueError):
            return False
        return bool(ready)

    @property
    def output(self) -> bytes:
        with self._lock:
            return bytes(self._buffer)

    def mark(self) -> int:
        return len(self.output)

    def wait_for(self, *needles: bytes, since: int = 0, timeout: float = 30.0) -> None:
        """Until every needle has appeared after offset ``since`` (a generous hang guard)."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.output[since:]
            if all(needle in seen for needle in needles):
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                missing = [n for n in needles if n not in seen]
                raise AssertionError(
                    f"missing {missing} (exit {self.proc.poll()}); tail: {seen[-400:]!r}"
                )
            time.sleep(0.02)

    def press(self, *keys: str) -> None:
        for key in keys:
            os.write(self.master, KEYS.get(key, key.encode()))
            time.sleep(0.05)

    def resize(self, width: int, height: int, *, fd: int | None = None) -> None:
        size = struct.pack("HHHH", height, width, 0, 0)
        fcntl.ioctl(self.master if fd is None else fd, termios.TIOCSWINSZ, size)
        if fd is None:
            os.killpg(self.proc.pid, signal.SIGWINCH)

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def hang_up(self) -> None:
        """Close the master side: the kernel hangs up the terminal (SIGHUP to the app)."""
        os.close(self.master)
        self.master = -1

    def wait(self, timeout: float = 30.0, label: str = "") -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(
                f"cypkg ({label}) did not exit; tail: {self.output[-400:]!r}"
            ) from None
        self._reader.join(timeout=5)
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1


def ends_restored(output: bytes) -> bool:
    """True when the last screen write is followed by Textual's exit sequences."""
    leave, show = RESTORE
    at = output.rfind(leave)
    return at >= 0 and show in output[at:] and b"\x1b[?1049h" not in output[at:]
