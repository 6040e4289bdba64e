"""Recently opened package IDs, most recent first, kept in the user's data directory.

No Textual here. The file is small JSON, private and shared safely between
cypkgs open at once (:mod:`tui.base.entry_file`); a missing or corrupt file means
"no history", never an error, and one that cannot be used as it is (a link,
over the limits) is kept as it is, with a notice. Names and statuses are
stored as received and made inert only when shown.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from tui.api.errors import InvalidPackageId
from tui.api.ids import normalize_package_id
from tui.base.entry_file import Change, EntryStore, read_entry_file

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


class RecentStore(EntryStore[RecentEntry]):
    """The recent list, in memory and (unless ``path`` is None) on disk.

    Thread-safe: the TUI records from worker threads. Every change is saved at
    once. Opening a package when the list is full lets the oldest one go: that
    is what a recent list is for.
    """

    label: ClassVar[str] = "recent list"
    read_only_effect: ClassVar[str] = "packages opened in this session are not added to it"

    def __init__(
        self,
        path: Path | None,
        *,
        limit: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        super().__init__(path, limit=limit, max_bytes=_MAX_FILE_SIZE)

    def _parse(self, item: object) -> RecentEntry | None:
        return _entry(item)

    def _dump(self, entries: list[RecentEntry]) -> bytes:
        return dump_entries(entries)

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
        order alone (and, in the file, does not bring back an entry another
        cypkg forgot meanwhile).
        """
        try:
            pid = normalize_package_id(package_id)
        except InvalidPackageId:
            return False
        name = name[:MAX_NAME] if name is not None else None
        status = status[:40] if status is not None else None
        # Not listed here yet: an update is an add (its "opened" may still be on its way).
        front = move_to_front or pid not in self
        if not self._change(_recording(pid, name, status, self._clock(), front, self.limit)):
            return False
        self.save()
        return True

    def forget(self, package_id: str) -> bool:
        def change(entries: list[RecentEntry]) -> list[RecentEntry] | None:
            kept = [e for e in entries if e.package_id != package_id]
            return kept if len(kept) != len(entries) else None

        if not self._change(change):
            return False
        self.save()
        return True


def _recording(
    pid: str, name: str | None, status: str | None, now: float, front: bool, limit: int
) -> Change[RecentEntry]:
    def change(entries: list[RecentEntry]) -> list[RecentEntry] | None:
        index = next((i for i, e in enumerate(entries) if e.package_id == pid), None)
        old = entries[index] if index is not None else None
        if old is None and not front:
            return None  # an update of an entry forgotten meanwhile: it stays forgotten
        new = RecentEntry(
            pid,
            name if name is not None else (old.name if old else None),
            status if status is not None else (old.status if old else None),
            now,
        )
        if old is not None and index is not None and not front:
            if (old.name, old.status) == (new.name, new.status):
                return None
            entries[index] = replace(new, seen_at=old.seen_at)
        else:
            if index is not None:
                del entries[index]
            entries.insert(0, new)
        del entries[limit:]
        return entries

    return change


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
