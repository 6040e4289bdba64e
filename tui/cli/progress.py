"""Transfer progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise.

On a terminal: ``upload  [#########.........]  45%  12.3 of 27.4 MB  35.1 MB/s  ETA 0:04``,
redrawn at most ten times a second (a slow SSH link is not flooded), and fitted to the
terminal's width (a wrapped line would leave a copy behind at each redraw: the bar
shrinks, then goes, then the rate, then the ETA). Elsewhere (a
log, a pipe): one line at each quarter, so a CI log shows it moving without
hundreds of lines.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

from tui.polling.present import eta_clock, transfer_size

_WIDTH = 24
_MIN_WIDTH = 10
_REDRAW = 0.1


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return 80


class Progress:
    """A ``(done, total)`` callback that shows the transfer on ``stream``."""

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        *,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        columns: int = 0,
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
        #: The terminal's width; 0: asked of the terminal at each redraw (it may be resized).
        self.columns = columns
        self._start = clock()
        self._drawn_at = -1.0
        self._quarter = 0
        self._open = False  # a bar is on the line, waiting for its newline
        #: The last ``(done, total)`` reported (did an upload send its last byte?).
        self.last: tuple[int, int | None] = (0, None)

    def __call__(self, done: int, total: int | None) -> None:
        self.last = (done, total)
        now = self._clock()
        finished = total is not None and done >= total
        if self.terminal:
            if finished or now - self._drawn_at >= _REDRAW:
                self._drawn_at = now
                line = self.line(done, total, now, self.columns or _columns(self.stream))
                self.stream.write("\r" + line + "\x1b[K")
                self.stream.flush()
                self._open = True
            return
        if total:
            quarter = min(4, done * 4 // total)
            if quarter > self._quarter:
                self._quarter = quarter
                self.stream.write(f"cypkg: {self.line(done, total, now)}\n")
                self.stream.flush()

    def line(self, done: int, total: int | None, now: float, columns: int = 0) -> str:
        """The progress as one line; on a terminal, shorter than ``columns`` (if given)."""
        elapsed = max(now - self._start, 1e-6)
        rate = done / elapsed
        fields = [self.label]
        share = None
        if total:
            share = min(done / total, 1.0)
            fields += [f"{share * 100:.0f}%", f"{transfer_size(done)} of {transfer_size(total)}"]
        else:
            fields.append(transfer_size(done))
        speed = f"{transfer_size(rate)}/s"
        eta = (
            f"ETA {eta_clock((total - done) / rate)}" if total and rate > 0 and done < total else ""
        )
        # The last column is never written: some terminals wrap as soon as it is.
        room = columns - 1 if columns > 0 and self.terminal else 1 << 30
        text = ""
        for extra in ([speed, eta], [eta], []):
            text = "  ".join(fields + [part for part in extra if part])
            width = min(_WIDTH, room - len(text) - 4)
            if self.terminal and share is not None and width >= _MIN_WIDTH:
                filled = int(share * width)
                bar = "[" + "#" * filled + "." * (width - filled) + "]"
                return f"{fields[0]}  {bar}  {text[len(fields[0]) + 2 :]}"
            if len(text) <= room:
                return text
        return text[:room]

    def end(self) -> None:
        """End the bar's line (call after the transfer, however it ended)."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
