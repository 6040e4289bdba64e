"""Run a program in a pseudo-terminal, as a user's terminal would, and watch what it writes.

A reader thread drains the terminal continuously (so the program never blocks
on a full buffer) and timestamps every chunk with ``time.perf_counter``.
Markers are searched in the text with escape sequences removed: Textual writes
whole rows of a widget that changed, so a string shown on screen appears
contiguously once the styling between its characters is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

# CSI (ESC [ … final), OSC (ESC ] … BEL or ST), DCS/APC/PM (ESC P|_|^ … ST), charset
# selection (ESC ( B) and the remaining two-byte escapes.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[P_^][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[()*+][0-~]"
    r"|\x1b[ -~]"
)
CTRL_Q = b"\x11"
ENTER = b"\r"
ESCAPE = b"\x1b"


def visible_text(data: bytes) -> str:
    """The characters a terminal would draw, in the order written (no escapes, no CR/LF)."""
    text = _ESCAPES.sub("", data.decode("utf-8", errors="replace"))
    return text.replace("\r", "").replace("\n", "")


def find_in_order(text: str, markers: Sequence[str]) -> bool:
    """Whether every marker occurs in ``text``, each after the end of the previous one."""
    position = 0
    for marker in markers:
        found = text.find(marker, position)
        if found < 0:
            return False
        position = found + len(marker)
    return True


_CURSOR_TO = re.compile(rb"\x1b\[(\d+);\d+H")


def bytes_by_row(data: bytes) -> dict[int, int]:
    """Bytes written per screen row (1-based), attributing each write to the row the cursor
    was moved to last; what precedes the first move counts as row 0."""
    rows: dict[int, int] = {}
    row = 0
    position = 0
    for move in _CURSOR_TO.finditer(data):
        rows[row] = rows.get(row, 0) + move.start() - position
        row = int(move.group(1))
        position = move.start()
    rows[row] = rows.get(row, 0) + len(data) - position
    return {r: n for r, n in rows.items() if n}


class MarkerTimeout(TimeoutError):
    pass


@dataclass(frozen=True)
class Chunk:
    at: float  # perf_counter when read
    end: int  # byte offset of the stream after this chunk


class PtyApp:
    """A child process whose stdin, stdout and stderr are a pseudo-terminal of a fixed size."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        *,
        cwd: Path | None = None,
        columns: int = 80,
        rows: int = 24,
    ) -> None:
        self.argv = list(argv)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self._master = master
        self._lock = threading.Condition()
        self._data = bytearray()
        self._chunks: list[Chunk] = []
        self._closed = False
        self.started = time.perf_counter()
        try:
            self.process = subprocess.Popen(
                self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=dict(env),
                cwd=cwd,
                start_new_session=True,
                close_fds=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    # -- the stream ---------------------------------------------------------------------

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.2)
                if not ready:
                    if self.process.poll() is not None:
                        break
                    continue
                data = os.read(self._master, 65536)
            except OSError:  # EIO: the child side is closed
                break
            if not data:
                break
            now = time.perf_counter()
            with self._lock:
                self._data += data
                self._chunks.append(Chunk(now, len(self._data)))
                self._lock.notify_all()
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def offset(self) -> int:
        """Bytes received so far: pass it as ``after=`` to look only at later output."""
        with self._lock:
            return len(self._data)

    def output(self, start: int = 0, end: int | None = None) -> bytes:
        with self._lock:
            return bytes(self._data[start:end])

    def bytes_between(self, start: float, end: float) -> int:
        """Bytes read in the perf_counter window [start, end)."""
        with self._lock:
            total = 0
            previous = 0
            for chunk in self._chunks:
                if start <= chunk.at < end:
                    total += chunk.end - previous
                previous = chunk.end
            return total

    def wait_for(self, markers: Sequence[str], *, after: int = 0, timeout: float = 20.0) -> float:
        """Wait until ``markers`` appear (in order) in the output after byte ``after``.

        Returns the perf_counter time at which the chunk that completed them was
        read. Chunks are examined one by one, so that time is the first moment
        the whole match was on the terminal.
        """
        deadline = time.monotonic() + timeout
        examined = 0  # index into _chunks
        while True:
            with self._lock:
                chunks = self._chunks[examined:]
                closed = self._closed
                if not chunks and not closed:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._lock.wait(min(remaining, 0.5))
                    continue
            for chunk in chunks:
                examined += 1
                if chunk.end <= after:
                    continue
                if find_in_order(visible_text(self.output(after, chunk.end)), markers):
                    return chunk.at
            if closed:
                raise MarkerTimeout(
                    f"{self.argv[0]} exited ({self.process.poll()}) before showing {markers!r}; "
                    f"last output: {visible_text(self.output())[-300:]!r}"
                )
            if time.monotonic() > deadline:
                break
        raise MarkerTimeout(
            f"{markers!r} not shown within {timeout:.0f} s; "
            f"last output: {visible_text(self.output(after))[-300:]!r}"
        )

    # -- input and life ------------------------------------------------------------------

    def send(self, data: bytes) -> float:
        """Type ``data``; returns the perf_counter time just before it was written."""
        now = time.perf_counter()
        os.write(self._master, data)
        return now

    def type_slowly(self, text: str, pause: float = 0.002) -> None:
        """Type ``text`` a key at a time, like a (fast) typist rather than a paste."""
        for char in text:
            os.write(self._master, char.encode())
            time.sleep(pause)

    def quit(self, keys: bytes = CTRL_Q, timeout: float = 5.0) -> int | None:
        """Press ``keys`` (ctrl+q) and wait for the exit; terminate, then kill, if it hangs."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.send(keys)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.terminate()
        self.close()
        return self.process.returncode

    def terminate(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(3)

    def close(self) -> None:
        if self.process.poll() is None:
            self.terminate()
        self._reader.join(timeout=3)
        with contextlib.suppress(OSError):
            os.close(self._master)

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            self.quit()
        else:
            self.close()
