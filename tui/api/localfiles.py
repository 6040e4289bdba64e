"""The local side of a transfer: the file to upload, the download's destination, and
how a finished download takes its final name.

Everything here is checked before any request where it can be, and any ``OSError``
(a file removed since it was checked, a full disk, an I/O error) becomes one sentence.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from tui.api.errors import CypkgError, UsageError
from tui.base.safe_text import inert

#: A downloaded package file is not a secret, but no one else may change it.
FILE_MODE = 0o644
#: An error answer from storage is read up to this much (for its message).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class DiskError(CypkgError):
    """The local file could not be read or written (a full disk, an I/O error)."""

    title = "File error"


class DestinationExists(UsageError):
    """The download's destination is a file already (``--force`` replaces it)."""


def check_upload_file(path: Path) -> int:
    """The size of a readable, non-empty regular file; UsageError otherwise (no request)."""
    shown = inert(str(path), limit=200)
    try:
        # Non-blocking: a FIFO given by mistake must not hang the open.
        fd = os.open(path, os.O_RDONLY | _CLOEXEC | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UsageError(f"Cannot read {shown}: {exc.strerror or exc}.") from None
    try:
        info = os.fstat(fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{shown} is not a regular file.")
    if info.st_size == 0:
        raise UsageError(f"{shown} is empty: there is nothing to upload.")
    return info.st_size


@contextlib.contextmanager
def reading(path: Path) -> Iterator[None]:
    """An OSError while reading ``path`` (removed since it was checked, an I/O error),
    as one sentence."""
    try:
        yield
    except OSError as exc:
        shown = inert(str(path), limit=200)
        raise DiskError(f"Cannot read {shown}: {exc.strerror or exc}.") from None


def check_destination(path: Path, *, force: bool = False) -> Path:
    """Where a download may go; UsageError before any request when it may not."""
    shown = inert(str(path), limit=200)
    if not path.name or path.name in (".", ".."):
        raise UsageError(f"{shown} does not name a file.")
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UsageError(f"Cannot use {shown}: {exc.strerror or exc}.") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{shown} is a directory.")
        pointed = info
        if stat.S_ISLNK(info.st_mode):
            with contextlib.suppress(OSError):  # a dangling link is replaced like a file
                pointed = path.stat()
        if not (stat.S_ISREG(pointed.st_mode) or stat.S_ISLNK(pointed.st_mode)):
            # Even with --force: as root, `-o /dev/null --force` would replace the device.
            raise UsageError(
                f"{shown} is not a regular file (a device, a pipe or a socket); "
                "cypkg writes only files."
            )
        if not force:
            raise DestinationExists(f"{shown} already exists; use --force to replace it.")
    if not path.parent.is_dir():
        raise UsageError(f"The directory of {shown} does not exist.")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise UsageError(f"Cannot write {shown}: its directory is not writable.")
    return path


def open_part(target: Path) -> tuple[int, Path]:
    """A new ``.part`` file beside ``target`` (a random name: never one already there,
    never through a link), open for writing; UsageError when the directory refuses it."""
    part = target.with_name(f"{target.name}.{secrets.token_hex(4)}.part")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    try:
        return os.open(part, flags, FILE_MODE), part
    except OSError as exc:
        shown = inert(str(target), limit=200)
        raise UsageError(f"Cannot write {shown}: {exc.strerror or exc}.") from None


def publish(part: Path, target: Path, force: bool) -> None:
    """The finished ``.part`` under its final name: replacing only with ``force``."""
    if force:
        os.replace(part, target)  # a link in the way is replaced, not followed
        return
    try:
        os.link(part, target, follow_symlinks=False)  # fails if target exists: no race
    except FileExistsError:
        raise UsageError(
            f"{inert(str(target), limit=200)} appeared during the download; use --force."
        ) from None
    except OSError:
        # No hard links on this file system: check, then rename.
        if os.path.lexists(target):
            raise UsageError(f"{inert(str(target), limit=200)} already exists.") from None
        os.rename(part, target)
        return
    os.unlink(part)
