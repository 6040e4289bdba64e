"""Recently opened package IDs, most recent first, kept in the user's data directory.

No Textual here. The file is small JSON written atomically with mode 0600
(:func:`tui.files.atomic_write_private`); a missing, unreadable or corrupt
file means "no history", never an error. Names and statuses are stored as
received and made inert only when shown.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from tui.api.errors import InvalidPackageId
from tui.api.ids import normalize_package_id
from tui.files import (
    atomic_write_private,
    load_entry_file,
    read_entry_file,
)

FILE_NAME = "recent.json"
MAX_ENTRIES = 20
#: Longest name kept: enough to recognise a package, too short to bloat the file.
MAX_NAME = 200
_MAX_FILE_SIZE = 256 * 1024
_VERSION = 1


@dataclass(frozen=True, slots=True)
class RecentEntry:
    package_id: str
    #: The package name and status last seen (raw server text, possibly None).
    name: str | None = None
    status: str | None = None
    #: When it was last opened or updated, epoch seconds.
    seen_at: float = 0.0


def default_path() -> Path:
    from tui.config import data_dir

    return data_dir() / FILE_NAME


class RecentStore:
    """The recent list, in memory and (unless ``path`` is None) on disk.

    Thread-safe: the TUI records from worker threads.
    """

    def __init__(
        self,
        path: Path | None,
        *,
        limit: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: list[RecentEntry] = []
        #: The file held something we could not read: keep it aside before overwriting it.
        self._damaged = False
        if path is not None:
            self._entries, self._damaged = load_entry_file(path, _entry, _MAX_FILE_SIZE)
        del self._entries[limit:]

    @property
    def entries(self) -> list[RecentEntry]:
        with self._lock:
            return list(self._entries)

    def ids(self) -> list[str]:
        return [entry.package_id for entry in self.entries]

    def get(self, package_id: str) -> RecentEntry | None:
        with self._lock:
            return next((e for e in self._entries if e.package_id == package_id), None)

    def record(
        self,
        package_id: str,
        *,
        name: str | None = None,
        status: str | None = None,
        move_to_front: bool = True,
    ) -> bool:
        """Add or update an entry; returns True when something changed (and was saved).

        ``name``/``status`` of None keep what was known. ``move_to_front``
        is for "opened now"; a later update of what a fetch found leaves the
        order alone.
        """
        try:
            pid = normalize_package_id(package_id)
        except InvalidPackageId:
            return False
        if name is not None:
            name = name[:MAX_NAME]
        if status is not None:
            status = status[:40]
        with self._lock:
            index = next((i for i, e in enumerate(self._entries) if e.package_id == pid), None)
            old = self._entries[index] if index is not None else None
            new = RecentEntry(
                pid,
                name if name is not None else (old.name if old else None),
                status if status is not None else (old.status if old else None),
                self._clock(),
            )
            if old is not None and index is not None:
                if not move_to_front and (old.name, old.status) == (new.name, new.status):
                    return False
                if move_to_front:
                    del self._entries[index]
                    self._entries.insert(0, new)
                else:
                    self._entries[index] = replace(new, seen_at=old.seen_at)
            else:
                self._entries.insert(0, new)
            del self._entries[self.limit :]
            snapshot = list(self._entries)
        self._save(snapshot)
        return True

    def forget(self, package_id: str) -> bool:
        with self._lock:
            before = len(self._entries)
            self._entries = [e for e in self._entries if e.package_id != package_id]
            if len(self._entries) == before:
                return False
            snapshot = list(self._entries)
        self._save(snapshot)
        return True

    def _save(self, entries: list[RecentEntry]) -> None:
        if self.path is None:
            return
        # History is a convenience: a read-only home must not break the app.
        with contextlib.suppress(OSError):
            if self._damaged:
                # Probably a hand edit gone wrong: keep it for the user, as config does.
                os.replace(self.path, self.path.with_name(self.path.name + ".corrupt"))
                self._damaged = False
            atomic_write_private(self.path, dump_entries(entries))


def dump_entries(entries: list[RecentEntry]) -> bytes:
    document = {
        "version": _VERSION,
        "entries": [
            {
                "package_id": e.package_id,
                "name": e.name,
                "status": e.status,
                "seen_at": e.seen_at,
            }
            for e in entries
        ],
    }
    return (json.dumps(document, indent=1, ensure_ascii=True) + "\n").encode("ascii")


def load_entries(path: Path) -> list[RecentEntry]:
    """The entries in ``path``; anything unreadable or malformed is skipped, never raised."""
    return read_entries(path)[0]


def read_entries(path: Path) -> tuple[list[RecentEntry], bool]:
    """The entries in ``path``, and whether some of its content was skipped as damaged.

    A missing file is not damaged; one that cannot be read at all is left alone.
    """
    return read_entry_file(path, _entry, _MAX_FILE_SIZE)


def _entry(item: object) -> RecentEntry | None:
    if not isinstance(item, dict):
        return None
    raw_id = item.get("package_id")
    if not isinstance(raw_id, str):
        return None
    try:
        pid = normalize_package_id(raw_id)
    except InvalidPackageId:
        return None
    name = item.get("name")
    status = item.get("status")
    seen_at = item.get("seen_at")
    return RecentEntry(
        pid,
        name[:MAX_NAME] if isinstance(name, str) else None,
        status[:40] if isinstance(status, str) else None,
        float(seen_at)
        if isinstance(seen_at, (int, float)) and not isinstance(seen_at, bool)
        else 0.0,
    )
