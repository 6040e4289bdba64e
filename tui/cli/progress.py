"""Transfer progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise.

On a terminal: ``upload  [#########.........]  45%  12.3 of 27.4 MB  35.1 MB/s  ETA 0:04``,
redrawn at most ten times a second (a slow SSH link is not flooded). Elsewhere (a
log, a pipe): one line at each quarter, so a CI log shows it moving without
hundreds of lines.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

_WIDTH = 24
_REDRAW = 0.1
_MB = 1_000_000


def size_text(count: float) -> str:
    if count >= _MB:
        return f"{count / _MB:.1f} MB"
    if count >= 1000:
        return f"{count / 1000:.1f} kB"
    return f"{int(count)} B"


def _clock_text(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02}:{rest % 60:02}" if hours else f"{rest // 60}:{rest % 60:02}"


class Progress:
    """A ``(done, total)`` callback that shows the transfer on ``stream``."""

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        *,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        if terminal is None:
            try:
                terminal = self.stream.isatty()
            except (AttributeError, OSError, ValueError):
                terminal = False
        self.terminal = terminal
        self._clock = clock
        self._start = clock()
        self._drawn_at = -1.0
        self._quarter = 0
        self._open = False  # a bar is on the line, waiting for its newline

    def __call__(self, done: int, total: int | None) -> None:
        now = self._clock()
        finished = total is not None and done >= total
        if self.terminal:
            if finished or now - self._drawn_at >= _REDRAW:
                self._drawn_at = now
                self.stream.write("\r" + self.line(done, total, now) + "\x1b[K")
                self.stream.flush()
                self._open = True
            return
        if total:
            quarter = min(4, done * 4 // total)
            if quarter > self._quarter:
                self._quarter = quarter
                self.stream.write(f"cypkg: {self.line(done, total, now)}\n")
                self.stream.flush()

    def line(self, done: int, total: int | None, now: float) -> str:
        elapsed = max(now - self._start, 1e-6)
        rate = done / elapsed
        parts = [self.label]
        if total:
            share = min(done / total, 1.0)
            filled = int(share * _WIDTH)
            if self.terminal:
                parts.append("[" + "#" * filled + "." * (_WIDTH - filled) + "]")
            parts.append(f"{share * 100:.0f}%")
            parts.append(f"{size_text(done)} of {size_text(total)}")
        else:
            parts.append(size_text(done))
        parts.append(f"{size_text(rate)}/s")
        if total and rate > 0 and done < total:
            parts.append(f"ETA {_clock_text((total - done) / rate)}")
        return "  ".join(parts)

    def end(self) -> None:
        """End the bar's line (call after the transfer, however it ended)."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
