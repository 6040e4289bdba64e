"""Hash and write a download's chunks on a thread of their own, behind a bounded queue.

Receiving a chunk (socket reads, HTTP parsing) holds the GIL; hashing a chunk and
writing it to a file mostly release it. On a thread of their own they overlap the
receiving of the next chunks instead of taking turns with it: a download gets close
to the speed of its slowest part rather than the sum of all parts. (Measured on 200 MB
against the emulator: hashing in the receiving thread instead, or on a third thread,
was no faster on 2 cores, and less steady.)

The queue holds at most ``depth`` chunks: a disk slower than the network makes the
receiver wait (and so the socket, and so the server), never memory grow. An error of
the writer (a full disk) is raised in the receiving thread at its next chunk, or at
:meth:`HashingWriter.finish`, as the very exception the write raised.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable

#: Chunks waiting to be written, at most: with 512 KiB reads, about 6 MB of RSS in
#: all for the download (4 gained no speed, and cost more).
DEPTH = 2


class HashingWriter:
    """``put`` chunks from one thread; they are hashed and written in order on another."""

    def __init__(self, write: Callable[[bytes], object], depth: int = DEPTH) -> None:
        self._write = write
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._digest = hashlib.sha256()
        self._error: BaseException | None = None
        #: Set when the download stops early: what is still queued is dropped, not written.
        self._dropping = False
        self._thread = threading.Thread(target=self._run, name="cypkg-download-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # Keeps taking chunks after an error, so that a ``put`` never waits for ever.
        while (chunk := self._queue.get()) is not None:
            if self._error is None and not self._dropping:
                try:
                    self._digest.update(chunk)
                    self._write(chunk)
                except BaseException as exc:  # raised again in the receiving thread
                    self._error = exc

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def put(self, chunk: bytes) -> None:
        """Queue ``chunk`` (waits while the queue is full); raises the writer's error, if any."""
        self._check()
        self._queue.put(chunk)

    def finish(self) -> str:
        """Wait until every chunk is written; the SHA-256 hex of them all."""
        self._stop()
        self._check()
        return self._digest.hexdigest()

    def abort(self) -> None:
        """Stop without writing what is still queued (the download failed or was cancelled)."""
        self._dropping = True
        self._stop()

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
