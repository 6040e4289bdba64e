"""The recent list's and the watchlist's file: a small JSON list that several cypkgs share.

``{"version": 1, "entries": [...]}`` in the data dir, private and never
followed through a link (:mod:`tui.base.files`). Two cypkgs open at once (two tmux
panes) must not undo each other, so the file is never overwritten with one
process's list: every change is applied in memory and queued, and a save takes
an advisory lock beside the file (``<name>.lock``), re-reads the file, applies
the queued changes to what it holds now and writes the result atomically. An
add in one process and an add in another both survive; a removal in one is not
undone by the other. Each process shows its own list until it starts again.

No entry is dropped behind the user's back. A file over the limits (more
entries than the list holds, or more bytes than it reads), a link or a file
that cannot be read is **kept as it is**: it is never written, the store says
so in :attr:`EntryStore.notice` (one line for the screens), and
:attr:`EntryStore.read_only` tells the owner to refuse what it cannot keep.
No Textual here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, Generic, Protocol, TypeVar

from tui.base.files import FileTooLarge, LinkRefused, PrivateDir, read_private_file
from tui.base.safe_text import inert


class _Keyed(Protocol):
    @property
    def package_id(self) -> str: ...


EntryT = TypeVar("EntryT", bound=_Keyed)
#: One change to a list: the new list, or None when it changes nothing.
Change = Callable[[list[EntryT]], "list[EntryT] | None"]


class EntryStore(Generic[EntryT]):
    """Entries in memory and (unless ``path`` is None) in a shared file; thread-safe.

    Subclasses give :meth:`_parse` and :meth:`_dump`, and make every change
    through :meth:`_change` with a function that works on any list (the
    in-memory one now, the file's at the next :meth:`save`).
    """

    #: What the list is called in messages ("watchlist").
    label: ClassVar[str] = "list"
    #: What being kept as it is means for the user (the end of a notice).
    read_only_effect: ClassVar[str] = "changes are not saved"

    def __init__(self, path: Path | None, *, limit: int, max_bytes: int, own: int = 1) -> None:
        self.path = path
        self.limit = limit
        self._max_bytes = max_bytes
        self._own = own
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()
        self._entries: list[EntryT] = []
        self._pending: list[Change[EntryT]] = []
        #: One line for the screens: what is shown and why, when the file is not used as is.
        self.notice: str | None = None
        #: The file is kept as it is: nothing of this session is written to it.
        self.read_only = False
        if path is not None:
            self._load(path)

    # -- what subclasses give -----------------------------------------------------

    def _parse(self, item: object) -> EntryT | None:
        raise NotImplementedError

    def _dump(self, entries: list[EntryT]) -> bytes:
        raise NotImplementedError

    # -- reading ------------------------------------------------------------------

    @property
    def entries(self) -> list[EntryT]:
        with self._lock:
            return list(self._entries)

    def ids(self) -> list[str]:
        return [entry.package_id for entry in self.entries]

    def get(self, package_id: str) -> EntryT | None:
        with self._lock:
            return next((e for e in self._entries if e.package_id == package_id), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, package_id: object) -> bool:
        with self._lock:
            return any(e.package_id == package_id for e in self._entries)

    def _load(self, path: Path) -> None:
        try:
            with PrivateDir.open(path.parent, own=self._own, create=False) as directory:
                directory.tighten(path.name)  # 0600, as every file of cypkg's
                raw = directory.read(path.name, self._max_bytes)
        except FileNotFoundError:
            raw = None  # no file (or no directory) yet: an empty list
        except OSError as exc:
            self._keep(path, exc)
            return
        entries, _damaged = parse_entries(raw or b"", self._parse)
        if len(entries) > self.limit:
            self._keep_over_limit(path, len(entries))
            del entries[self.limit :]
        self._entries = entries

    # -- changing -----------------------------------------------------------------

    def _change(self, change: Change[EntryT]) -> bool:
        """Apply ``change`` in memory and queue it for the file; False when nothing changed."""
        with self._lock:
            new = change(list(self._entries))
            if new is None:
                return False
            self._entries = new
            if self.path is not None and not self.read_only:
                self._pending.append(change)
        return True

    def save(self) -> None:
        """Apply the queued changes to the file as it is now, under its lock; never raises.

        May run in any thread. A failure is kept in :attr:`notice`; changes that
        could not be written yet stay queued for the next save.
        """
        if self.path is None:
            return
        with self._save_lock:
            with self._lock:
                pending, self._pending = self._pending, []
            if not pending or self.read_only:
                return
            try:
                self._apply(self.path, pending)
            except (LinkRefused, FileTooLarge) as exc:
                self._keep(self.path, exc)
            except OSError as exc:
                with self._lock:
                    self._pending[:0] = pending  # try again at the next save
                self.notice = inert(
                    f"{self.path} could not be saved ({exc.strerror or exc}); "
                    "this session's changes are kept in memory for now.",
                    limit=400,
                )
            else:
                if self.notice is not None and not self.read_only:
                    self.notice = None  # an earlier failure is over

    def _apply(self, path: Path, pending: list[Change[EntryT]]) -> None:
        with PrivateDir.open(path.parent, own=self._own) as directory, directory.lock(path.name):
            raw = directory.read(path.name, self._max_bytes)
            entries, damaged = parse_entries(raw or b"", self._parse)
            if len(entries) > self.limit:
                # Another process (or a hand edit) grew it past what we would keep.
                self._keep_over_limit(path, len(entries))
                return
            for change in pending:
                new = change(entries)
                if new is not None:
                    entries = new
            if damaged:
                # Probably a hand edit gone wrong: keep it for the user, as config does.
                directory.replace(path.name, f"{path.name}.corrupt")
            directory.write_atomic(path.name, self._dump(entries))

    # -- kept as it is --------------------------------------------------------------

    def _keep(self, path: Path, exc: OSError) -> None:
        if isinstance(exc, LinkRefused):
            why = f"{exc}; "
        elif isinstance(exc, FileTooLarge):
            why = (
                f"{path} is {_size(exc.size)}, more than the {_size(exc.limit)} a {self.label} "
                "file may be: it is kept as it is, unread; "
            )
        else:
            why = f"{path} cannot be used ({exc.strerror or exc}): it is kept as it is; "
        effect = f"the {self.label} is not loaded or saved, and {self.read_only_effect}."
        self._read_only(why + effect)

    def _keep_over_limit(self, path: Path, count: int) -> None:
        self._read_only(
            f"{path.name} holds {count:,} packages; showing the first {self.limit:,} — the file "
            f"is kept as it is, and {self.read_only_effect} until it holds at most {self.limit:,}."
        )

    def _read_only(self, message: str) -> None:
        with self._lock:
            self.read_only = True
            self._pending.clear()
        self.notice = inert(message, limit=600)


def _size(count: int) -> str:
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


def parse_entries(
    raw: bytes, parse: Callable[[object], EntryT | None]
) -> tuple[list[EntryT], bool]:
    """The entries of a ``{"entries": [...]}`` document, deduplicated, and whether some
    content was skipped as damaged. Empty content is not damaged."""
    if not raw.strip():
        return [], False
    try:
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return [], True
    items = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return [], True
    entries: list[EntryT] = []
    seen: set[str] = set()
    damaged = False
    for item in items:
        entry = parse(item)
        if entry is None:
            damaged = True
        elif entry.package_id not in seen:
            seen.add(entry.package_id)
            entries.append(entry)
    return entries, damaged


def read_entry_file(
    path: Path, parse: Callable[[object], EntryT | None], max_size: int
) -> tuple[list[EntryT], bool]:
    """The entries in ``path`` and whether some were damaged; a file that cannot be
    read (missing, a link, too large) gives none."""
    try:
        raw = read_private_file(path, max_size, own=0)
    except OSError:
        return [], False
    return parse_entries(raw or b"", parse)
