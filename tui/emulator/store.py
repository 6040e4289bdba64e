"""Packages held by the emulator and the upload life cycle behind their ``status``.

Status is advanced lazily from the injected clock whenever a package is read,
so tests move a fake clock instead of sleeping. Private scheduling data rides
in ``_``-prefixed keys of the dict passed to :meth:`PackageStore.add` and is
never served.
"""

from __future__ import annotations

import copy
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from tui.emulator.seeded_files import GeneratedBlob
from tui.emulator.times import Clock, parse_timestamp
from tui.emulator.uploads import Blob

#: Keys that schedule behaviour and are stripped from the served JSON.
#: ``_finish_at`` (epoch s) with ``_outcome`` ("success"|"failed"): a scheduled end of upload.
#: ``_final_size``: size to show once the scheduled success happens.
#: ``_checksum``: SHA-256 hex the uploaded file must match.
#: ``_uploaded_at``: epoch s of the upload, when ``uploadedOn`` should not be parsed.
#: ``_seeded``: a seeded package; once ``success`` with a size, its file is generated.
PRIVATE_KEYS = (
    "_finish_at",
    "_outcome",
    "_final_size",
    "_checksum",
    "_uploaded_at",
    "_seeded",
)

UploadResult = Literal["success", "failed", "unknown", "closed"]


@dataclass
class _Entry:
    package: dict[str, Any]  # top-level keys only ever replaced, so shallow copies are snapshots
    uploaded_at: float | None
    finish_at: float | None = None
    outcome: str | None = None
    final_size: int | None = None
    checksum: str | None = None
    blob: Blob | None = None
    receiving: bool = False  # an upload's body is arriving: a second one is refused
    seeded: bool = False


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


class PackageStore:
    """Thread-safe map of package ID to package, with the status life cycle applied on read."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def add(self, package: dict[str, Any]) -> str:
        """Store a copy of ``package`` (any shape; a missing packageId is generated)."""
        data = copy.deepcopy(package)
        private = {key: data.pop(key, None) for key in PRIVATE_KEYS}
        package_id = str(data.get("packageId") or uuid.uuid4()).lower()
        data["packageId"] = package_id
        uploaded_at = _number(private["_uploaded_at"])
        if uploaded_at is None and isinstance(data.get("uploadedOn"), str):
            uploaded_at = parse_timestamp(data["uploadedOn"])
        final_size = _number(private["_final_size"])
        entry = _Entry(
            package=data,
            uploaded_at=uploaded_at,
            finish_at=_number(private["_finish_at"]),
            outcome=private["_outcome"] if isinstance(private["_outcome"], str) else None,
            final_size=None if final_size is None else int(final_size),
            checksum=str(private["_checksum"]).lower() if private["_checksum"] else None,
            seeded=private["_seeded"] is True,
        )
        with self._lock:
            self._entries[package_id] = entry
        return package_id

    def get(self, package_id: str) -> dict[str, Any] | None:
        """The package as served now (a deep copy), or None."""
        with self._lock:
            entry = self._advanced(package_id)
            return None if entry is None else copy.deepcopy(entry.package)

    def all(self) -> list[dict[str, Any]]:
        """Every package as served now (deep copies), in insertion order."""
        return [copy.deepcopy(package) for package in self.snapshot()]

    def snapshot(self) -> list[dict[str, Any]]:
        """Shallow copies, cheap for big stores; callers must not mutate nested values."""
        with self._lock:
            now = self._clock()
            for entry in self._entries.values():
                self._advance(entry, now)
            return [dict(entry.package) for entry in self._entries.values()]

    def delete(self, package_id: str) -> bool:
        with self._lock:
            entry = self._entries.pop(package_id.lower(), None)
        if entry is not None and entry.blob is not None:
            entry.blob.close()
        return entry is not None

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def begin_upload(self, package_id: str) -> tuple[int, str] | None:
        """Claim a ``started`` package for one upload; (status, message) when refused."""
        with self._lock:
            entry = self._advanced(package_id)
            if entry is None:
                return 404, "The package was not found."
            if entry.package.get("status") != "started":
                return 409, "The package is not waiting for an upload."
            if entry.receiving:
                return 409, "An upload for the package is already in progress."
            entry.receiving = True
            return None

    def abandon_upload(self, package_id: str) -> None:
        """The upload broke off: the package waits for another (until its timeout)."""
        with self._lock:
            entry = self._entries.get(package_id.lower())
            if entry is not None:
                entry.receiving = False

    def finish_upload(self, package_id: str, digest: str, blob: Blob) -> UploadResult:
        """The file arrived: checksum match → success, else failed (too late → closed)."""
        with self._lock:
            entry = self._advanced(package_id)
            if entry is None:
                blob.close()
                return "unknown"
            entry.receiving = False
            if entry.package.get("status") != "started":
                blob.close()
                return "closed"
            ok = entry.checksum is not None and digest.lower() == entry.checksum
            entry.package["status"] = "success" if ok else "failed"
            entry.package["size"] = blob.size
            entry.finish_at = entry.outcome = None  # a real upload overrides any schedule
            if ok:
                entry.blob = blob
            else:
                blob.close()
            return "success" if ok else "failed"

    def blob(self, package_id: str) -> Blob | None:
        """The uploaded file of a package, if one was uploaded successfully.

        A seeded package has one once it is ``success`` with a size: generated bytes.
        """
        with self._lock:
            entry = self._advanced(package_id)
            if entry is None:
                return None
            size = entry.package.get("size")
            if (
                entry.blob is None
                and entry.seeded
                and entry.package.get("status") == "success"
                and isinstance(size, int)
                and size > 0
            ):
                entry.blob = GeneratedBlob(entry.package["packageId"], size)
            return entry.blob

    def is_seeded(self, package_id: str) -> bool:
        """A seeded package (its download URL is signed with the seed's key)."""
        with self._lock:
            entry = self._entries.get(package_id.lower())
            return entry is not None and entry.seeded

    # -- life cycle -------------------------------------------------------------

    def _advanced(self, package_id: str) -> _Entry | None:
        entry = self._entries.get(package_id.lower())
        if entry is not None:
            self._advance(entry, self._clock())
        return entry

    @staticmethod
    def _advance(entry: _Entry, now: float) -> None:
        """Apply whichever due event came first: the scheduled outcome or the timeout."""
        package = entry.package
        if package.get("status") != "started":
            return
        events: list[tuple[float, str]] = []
        if entry.finish_at is not None and entry.outcome in ("success", "failed"):
            events.append((entry.finish_at, entry.outcome))
        timeout = _number(package.get("timeout"))
        if entry.uploaded_at is not None and timeout is not None:
            events.append((entry.uploaded_at + timeout, "timeout"))
        due = [event for event in events if event[0] <= now]
        if not due:
            return
        _, status = min(due)
        package["status"] = status
        if status == "success" and entry.final_size is not None:
            package["size"] = entry.final_size
        entry.finish_at = entry.outcome = None
