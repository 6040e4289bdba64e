"""The watched packages (with the name and status last seen), persisted like the recent
list: small private JSON in the data dir, shared safely by cypkgs open at once
(:mod:`tui.base.entry_file`), bounded to :data:`MAX_WATCHED` entries; a bigger file is
kept as it is, with a notice. Plain Python, no Textual.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from tui.api.errors import InvalidPackageId
from tui.api.ids import normalize_package_id
from tui.base.entry_file import Change, EntryStore, read_entry_file

FILE_NAME = "watchlist.json"
#: The most packages one watchlist holds.
MAX_WATCHED = 200
MAX_NAME = 200
_MAX_FILE_SIZE = 512 * 1024
_VERSION = 1


def default_path() -> Path:
    from tui.config import data_dir

    return data_dir() / FILE_NAME


@dataclass(frozen=True, slots=True)
class WatchEntry:
    package_id: str
    #: The name and status last seen (raw server text, possibly None; made inert when shown).
    name: str | None = None
    status: str | None = None
    #: When it was added, epoch seconds.
    added_at: float = 0.0


AddResult = Literal["added", "present", "full", "invalid", "refused"]


class WatchlistStore(EntryStore[WatchEntry]):
    """The watched packages, in the order added, in memory and (unless ``path`` is None) on disk.

    Changes happen in memory at once; :meth:`save` applies them to the file as
    it is now (another cypkg may have changed it) and may run in another thread.
    While the file is kept as it is (:attr:`read_only`: over the limits, a link,
    unreadable) adding and removing are refused and :attr:`notice` says why;
    statuses seen are kept in memory only.
    """

    label: ClassVar[str] = "watchlist"
    read_only_effect: ClassVar[str] = "packages cannot be added or removed here"

    def __init__(
        self,
        path: Path | None,
        *,
        limit: int = MAX_WATCHED,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        super().__init__(path, limit=limit, max_bytes=_MAX_FILE_SIZE)

    def _parse(self, item: object) -> WatchEntry | None:
        return _entry(item)

    def _dump(self, entries: list[WatchEntry]) -> bytes:
        return dump_entries(entries)

    def add(
        self, package_id: str, *, name: str | None = None, status: str | None = None
    ) -> AddResult:
        """Add a package (in memory); the caller saves. Never evicts another entry."""
        try:
            pid = normalize_package_id(package_id)
        except InvalidPackageId:
            return "invalid"
        if pid in self:
            return "present"
        if self.read_only:
            return "refused"
        if len(self) >= self.limit:
            return "full"
        entry = WatchEntry(pid, _clip(name, MAX_NAME), _clip(status, 40), self._clock())

        def change(entries: list[WatchEntry]) -> list[WatchEntry] | None:
            if any(e.package_id == pid for e in entries):
                return None
            return [*entries, entry]

        return "added" if self._change(change) else "present"

    def remove(self, package_id: str) -> bool:
        """Stop watching a package (the caller saves); False when absent or read-only."""
        if self.read_only:
            return False

        def change(entries: list[WatchEntry]) -> list[WatchEntry] | None:
            kept = [e for e in entries if e.package_id != package_id]
            return kept if len(kept) != len(entries) else None

        return self._change(change)

    def update(self, package_id: str, *, name: str | None, status: str | None) -> bool:
        """Remember what a fetch found; True when it changed (the caller saves then).

        In the file it changes only an entry still there: it never brings back a
        package another cypkg stopped watching.
        """
        return self._change(_updating(package_id, _clip(name, MAX_NAME), _clip(status, 40)))


def _updating(package_id: str, name: str | None, status: str | None) -> Change[WatchEntry]:
    def change(entries: list[WatchEntry]) -> list[WatchEntry] | None:
        for index, entry in enumerate(entries):
            if entry.package_id != package_id:
                continue
            new = WatchEntry(
                package_id,
                name if name is not None else entry.name,
                status if status is not None else entry.status,
                entry.added_at,
            )
            if new == entry:
                return None
            return [*entries[:index], new, *entries[index + 1 :]]
        return None

    return change


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def dump_entries(entries: list[WatchEntry]) -> bytes:
    document = {
        "version": _VERSION,
        "entries": [
            {"package_id": e.package_id, "name": e.name, "status": e.status, "added_at": e.added_at}
            for e in entries
        ],
    }
    return (json.dumps(document, indent=1, ensure_ascii=True) + "\n").encode("ascii")


def read_entries(path: Path) -> tuple[list[WatchEntry], bool]:
    """The entries in ``path``, and whether something in it was skipped as damaged."""
    return read_entry_file(path, _entry, _MAX_FILE_SIZE)


def _entry(item: object) -> WatchEntry | None:
    if not isinstance(item, dict) or not isinstance(item.get("package_id"), str):
        return None
    try:
        pid = normalize_package_id(item["package_id"])
    except InvalidPackageId:
        return None
    name, status, added = item.get("name"), item.get("status"), item.get("added_at")
    return WatchEntry(
        pid,
        name[:MAX_NAME] if isinstance(name, str) else None,
        status[:40] if isinstance(status, str) else None,
        float(added) if isinstance(added, (int, float)) and not isinstance(added, bool) else 0.0,
    )
