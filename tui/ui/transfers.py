"""What the New package screen and the download modal run: no Textual here.

Transfers (hashing, the upload, the download) are the API layer's functions
(:mod:`tui.api.transfer`), run in daemon threads so that quitting never waits for a
stalled link. They report to a :class:`TransferState`, which the screens' progress
widget samples on a timer: the worker thread never waits for the UI, and the UI
never waits for the network. The create request goes through the app's request
engine, like every other API request of the TUI (one client, one budget).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.api.transfer import TransferSettings
from tui.polling.present import eta_clock, transfer_size

if TYPE_CHECKING:
    from tui.api.created import Created
    from tui.config import Profile
    from tui.ui.app import CypkgApp


@dataclass
class TransferState:
    """One transfer's progress, written by its thread and read by the UI's timer.

    Plain attribute writes: the reader only ever sees a recent ``(done, total)``.
    """

    #: What runs: "checksum", "create", "upload" or "download".
    phase: str
    cancel: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    total: int | None = None
    clock: Callable[[], float] = time.monotonic
    started: float = 0.0

    def __post_init__(self) -> None:
        self.started = self.clock()

    def __call__(self, done: int, total: int | None) -> None:
        """The ``on_progress`` callback of :mod:`tui.api.transfer`."""
        self.done, self.total = done, total

    def begin(self, phase: str, total: int | None = None) -> None:
        """The next phase (the checksum, then the upload): counts and clock start again."""
        self.phase, self.done, self.total = phase, 0, total
        self.started = self.clock()

    @property
    def fraction(self) -> float | None:
        total = self.total
        return min(self.done / total, 1.0) if total else None

    def line(self) -> str:
        """``12.3 MB of 27.4 MB · 35.1 MB/s · ETA 0:04``."""
        done, total = self.done, self.total
        elapsed = max(self.clock() - self.started, 1e-6)
        rate = done / elapsed
        parts = [
            f"{transfer_size(done)} of {transfer_size(total)}" if total else transfer_size(done)
        ]
        if done:
            parts.append(f"{transfer_size(rate)}/s")
        if total and done and done < total and rate > 0:
            parts.append(f"ETA {eta_clock((total - done) / rate)}")
        return " · ".join(parts)


def transfer_settings(profile: Profile) -> TransferSettings:
    """The profile's network settings for storage transfers (CA bundle, stall deadline)."""
    return TransferSettings(ca_bundle=profile.ca_bundle, stall_timeout=profile.request_timeout)


async def create_package(app: CypkgApp, descriptor: dict[str, object], checksum: str) -> Created:
    """``POST /packages/v2`` through the app's client, counted in the engine's budget."""
    from tui.api.errors import UsageError

    client = app.client
    create = getattr(client, "create_package", None)
    if create is None:  # a test double that cannot create
        raise UsageError("This API client cannot create packages.")

    def call() -> Created:
        created: Created = create(descriptor, checksum)
        return created

    return await app.engine.request(call)
