"""Private files: 0600 in 0700 directories, written atomically.

Used for the config file, the token cache and the app's data files. A crash
mid-write leaves the old file intact, because the new content goes to a
temporary file in the same directory and is renamed over the old one.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed; make ``path`` itself 0700.

    Only the leaf directory is tightened: parents such as ``~/.config`` belong
    to the user and other programs.
    """
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    mode = stat.S_IMODE(path.stat().st_mode)
    if os.name == "posix" and mode & 0o077:
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def tighten_dir(path: Path) -> bool:
    """Make an existing directory 0700; return True if its mode was wider before."""
    if os.name != "posix" or not path.is_dir():
        return False
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        os.chmod(path, PRIVATE_DIR_MODE)
        return True
    return False


def tighten_file(path: Path) -> bool:
    """Make an existing file 0600; return True if its mode was wider before."""
    if os.name != "posix" or not path.exists():
        return False
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, PRIVATE_FILE_MODE)
        return True
    return False


def atomic_write_private(path: Path, data: bytes, *, private_dir: bool = True) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600.

    ``private_dir`` makes the parent 0700: right for cypkg's own directories,
    wrong for a home directory that a user pointed ``CYPKG_CONFIG`` into.
    """
    if private_dir:
        ensure_private_dir(path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if os.name == "posix":
                os.fchmod(handle.fileno(), PRIVATE_FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


class _Keyed(Protocol):
    @property
    def package_id(self) -> str: ...


EntryT = TypeVar("EntryT", bound=_Keyed)


def read_entry_file(
    path: Path, parse: Callable[[object], EntryT | None], max_size: int
) -> tuple[list[EntryT], bool]:
    """Entries of a ``{"entries": [...]}`` JSON file (recent list, watchlist), deduplicated.

    Returns the entries and whether some content was skipped as damaged. A
    missing or empty file is not damaged; one that cannot be read is left alone.
    """
    try:
        if path.stat().st_size > max_size:
            return [], True
        raw = path.read_bytes()
    except OSError:
        return [], False
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


def load_entry_file(
    path: Path, parse: Callable[[object], EntryT | None], max_size: int
) -> tuple[list[EntryT], bool]:
    """:func:`read_entry_file` after making the file 0600 and its directory 0700."""
    with contextlib.suppress(OSError):
        tighten_file(path)
        tighten_dir(path.parent)
    return read_entry_file(path, parse, max_size)
