"""The app's API client: one per active profile, shared by every thread, swapped safely.

Plain Python (no Textual): built on first use by any thread, replaced when the
profile changes — the old one *retired*, not closed, since a request in flight on
another thread may still be using it; the app closes it after a grace period, or at
exit with everything else.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.ui.options import PackageClient


class ClientHolder:
    """The current client (built by ``build`` when first needed) and the retired ones."""

    def __init__(self, build: Callable[[], PackageClient]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._client: PackageClient | None = None
        self._retired: list[PackageClient] = []
        #: Set once everything is closed: no client is built after.
        self._closed = False

    @property
    def current(self) -> PackageClient:
        """The client, built now if there is none (any thread)."""
        with self._lock:
            if self._client is None:
                self._client = self._build()
            return self._client

    @property
    def built(self) -> PackageClient | None:
        """The client if one was built already (asking does not build one)."""
        return self._client

    def warm(self) -> None:
        """Build the client ahead of its first use, unless the app is closing."""
        with self._lock:
            if self._client is None and not self._closed:
                self._client = self._build()

    def retire(self) -> PackageClient | None:
        """Drop the current client (the next use builds one for the new profile); the old
        one is kept open for requests on their way — close it with :meth:`close_retired`."""
        with self._lock:
            old, self._client = self._client, None
        if old is not None:
            self._retired.append(old)
        return old

    def close_retired(self, client: PackageClient) -> None:
        if client in self._retired:
            self._retired.remove(client)
            with contextlib.suppress(Exception):
                client.close()

    def close_all(self) -> None:
        """At exit: every client closed, and none built from now on."""
        with self._lock:
            self._closed = True
            current, self._client = self._client, None
        for client in [*self._retired, *([current] if current else [])]:
            with contextlib.suppress(Exception):
                client.close()
        self._retired.clear()
