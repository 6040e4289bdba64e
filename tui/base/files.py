"""Private files: 0600 in 0700 directories, written atomically, never through a link.

Used for the config file, the token cache and the app's data files. The rules:

* cypkg's **own** directories (config, cache, token and data directory) and
  every file in them are opened without following symbolic links. A link in
  their place is refused with :class:`LinkRefused`, whose message names it;
  neither the link nor its target is touched (no chmod, no read, no write).
* The directories *above* them (``~/.config``, ``~/.cache``, ``~/.local/share``)
  are the user's: followed as they are (a symlinked ``~/.config`` is a common
  home layout) and never tightened.
* Every directory cypkg creates, its own and any missing parent such as
  ``~/.cache`` itself, is made 0700 explicitly, whatever the umask.
* A write goes to a temporary file in the same directory, fsynced, then
  renamed over the old file: a crash mid-write leaves the old file whole.

On POSIX every step goes through a descriptor of the directory (``dir_fd``
calls, ``O_NOFOLLOW``), so nothing can slip a link in between a check and its
use. Elsewhere (Windows is not a target) it falls back to paths and ``lstat``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from tui.base.safe_text import inert

try:  # advisory locks between cypkg processes; Windows has no fcntl
    import fcntl
except ImportError:  # pragma: no cover - not a target platform
    fcntl = None  # type: ignore[assignment]

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
#: How long a save waits for another cypkg process to finish its own (milliseconds' work).
LOCK_TIMEOUT = 5.0

_AT = os.name == "posix" and os.open in os.supports_dir_fd
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# A directory we only pass through (the user's part of a path) need not be readable.
_SEARCH = getattr(os, "O_PATH", os.O_RDONLY)
# Opening a FIFO for reading would block until a writer comes: never wait for one.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)

#: (path, mode before, error) for each file or directory cypkg tightened or tried to.
Tightened = tuple[Path, int, OSError | None]


class LinkRefused(OSError):
    """One of cypkg's files or directories is a symbolic link: it is not followed."""

    def __init__(self, path: Path, kind: str = "file") -> None:
        self.path = path
        self.kind = kind
        message = (
            f"{inert(str(path), limit=300)} is a symbolic link; cypkg does not follow links "
            "in place of its own files and directories, and left it and its target untouched"
        )
        super().__init__(errno.ELOOP, message)

    def __str__(self) -> str:
        return str(self.strerror)


class FileTooLarge(OSError):
    """A file bigger than cypkg reads for its kind: left as it is, unread."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        self.path, self.size, self.limit = path, size, limit
        super().__init__(errno.EFBIG, f"{inert(str(path), limit=300)} is too large ({size} bytes)")

    def __str__(self) -> str:
        return str(self.strerror)


class PrivateDir:
    """One of cypkg's directories, held open without following links.

    Use :meth:`open`, as a context manager. ``own`` counts the trailing
    components of the path that are cypkg's (1 for ``~/.cache/cypkg``, 2 for
    ``~/.cache/cypkg/tokens``, 0 for a directory ``CYPKG_CONFIG`` points into):
    those must not be links and are made 0700; the rest are the user's.
    """

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self._fd = fd
        #: What opening it (and :meth:`tighten`) found wider than private, and fixed or not.
        self.tightened: list[Tightened] = []

    @classmethod
    def open(cls, path: Path, *, own: int = 1, create: bool = True) -> PrivateDir:
        """Open ``path`` (creating missing directories 0700 when ``create``).

        Raises :class:`LinkRefused` when one of its own components is a link,
        :class:`FileNotFoundError` when it is missing and ``create`` is off.
        """
        path = Path(os.path.abspath(path))
        directory = cls(path, None)
        if _AT:
            directory._fd = directory._walk(own, create)
        else:  # pragma: no cover - not a target platform
            directory._walk_paths(own, create)
        return directory

    def __enter__(self) -> PrivateDir:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # -- opening ------------------------------------------------------------------

    def _walk(self, own: int, create: bool) -> int:
        parts = self.path.parts
        first_own = max(len(parts) - max(own, 0), 1)
        # The user's part, as deep as it exists, by path: links there are theirs to
        # have. O_PATH where there is one: a parent may let us through, not list it.
        base = first_own
        while True:
            try:
                fd = os.open(Path(*parts[:base]), _SEARCH | _DIRECTORY | _CLOEXEC)
                break
            except FileNotFoundError:
                if not create or base <= 1:
                    raise
                base -= 1  # a missing parent such as ~/.cache: cypkg creates it below
        try:
            for index in range(base, len(parts)):
                current = Path(*parts[: index + 1])
                own_here = index >= first_own
                child, created = self._child(fd, parts[index], current, own_here, create)
                os.close(fd)
                fd = child
                if created:
                    # mkdir's mode is masked by the umask (either way): set it outright.
                    os.chmod(fd, PRIVATE_DIR_MODE)
                elif own_here:
                    self._tighten_fd(fd, current, PRIVATE_DIR_MODE)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @staticmethod
    def _child(fd: int, name: str, current: Path, own: bool, create: bool) -> tuple[int, bool]:
        """Open the directory ``name`` under ``fd``; True when this call created it."""
        flags = os.O_RDONLY | _DIRECTORY | _CLOEXEC | (_NOFOLLOW if own else 0)
        created = False
        for _ in range(3):  # a directory created or removed by someone else meanwhile
            try:
                return os.open(name, flags, dir_fd=fd), created
            except FileNotFoundError:
                if not create:
                    raise
            except OSError:
                if own and _is_link(name, fd):
                    raise LinkRefused(current, "directory") from None
                raise
            try:
                os.mkdir(name, PRIVATE_DIR_MODE, dir_fd=fd)
            except FileExistsError:
                continue
            # Ours now: a link that replaced it in between is refused, not followed.
            created, own, flags = True, True, flags | _NOFOLLOW
        raise FileNotFoundError(errno.ENOENT, "directory keeps disappearing", str(current))

    def _walk_paths(self, own: int, create: bool) -> None:  # pragma: no cover - Windows
        parts = self.path.parts
        first_own = len(parts) - max(own, 0)
        for index in range(1, len(parts)):
            current = Path(*parts[: index + 1])
            if index >= first_own and current.is_symlink():
                raise LinkRefused(current, "directory")
            if not current.exists():
                if not create:
                    raise FileNotFoundError(errno.ENOENT, "No such directory", str(current))
                current.mkdir(mode=PRIVATE_DIR_MODE)

    def _tighten_fd(self, fd: int, path: Path, wanted: int) -> None:
        if os.name != "posix":
            return
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        if not mode & 0o077:
            return
        try:
            os.chmod(fd, wanted)
        except OSError as exc:
            self.tightened.append((path, mode, exc))
        else:
            self.tightened.append((path, mode, None))

    # -- files --------------------------------------------------------------------

    def _at(self, name: str) -> tuple[str, int | None]:
        """The arguments that name ``name`` in this directory: a name and a dir_fd, or a path."""
        if self._fd is None:
            return str(self.path / name), None
        return name, self._fd

    def _open_file(self, name: str, flags: int, mode: int = PRIVATE_FILE_MODE) -> int:
        where, dir_fd = self._at(name)
        try:
            return os.open(where, flags | _NOFOLLOW | _CLOEXEC, mode, dir_fd=dir_fd)
        except FileNotFoundError:
            raise
        except OSError:
            if self.is_link(name):
                raise LinkRefused(self.path / name) from None
            raise

    def is_link(self, name: str) -> bool:
        where, dir_fd = self._at(name)
        return _is_link(where, dir_fd)

    def lstat(self, name: str) -> os.stat_result | None:
        """``name``'s own status (a link is not followed); None when it is missing."""
        where, dir_fd = self._at(name)
        try:
            return os.stat(where, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def read(self, name: str, max_size: int) -> bytes | None:
        """The bytes of the regular file ``name``; None when it is missing.

        Raises :class:`LinkRefused`, :class:`FileTooLarge`, :class:`IsADirectoryError`
        or another :class:`OSError` (not a regular file, unreadable).
        """
        try:
            fd = self._open_file(name, os.O_RDONLY | _NONBLOCK)
        except FileNotFoundError:
            return None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(errno.EISDIR, "Is a directory", str(self.path / name))
            if not stat.S_ISREG(info.st_mode):
                raise OSError(errno.EINVAL, "Not a regular file", str(self.path / name))
            if info.st_size > max_size:
                raise FileTooLarge(self.path / name, info.st_size, max_size)
            data = handle.read(max_size + 1)
        if len(data) > max_size:  # it grew while we read
            raise FileTooLarge(self.path / name, len(data), max_size)
        return data

    def tighten(self, name: str) -> Tightened | None:
        """Make the regular file ``name`` 0600 if it is wider; what was done, if anything.

        A link, a missing file or anything but a regular file is left alone.
        """
        if os.name != "posix":
            return None
        try:
            fd = self._open_file(name, os.O_RDONLY | _NONBLOCK)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            before = len(self.tightened)
            self._tighten_fd(fd, self.path / name, PRIVATE_FILE_MODE)
            return self.tightened[-1] if len(self.tightened) > before else None
        finally:
            os.close(fd)

    def write_atomic(self, name: str, data: bytes) -> None:
        """Replace ``name`` with ``data``: 0600, via a fsynced temporary file and a rename.

        A link named ``name`` is replaced, never written through: a rename does not
        follow links.
        """
        tmp = f".{name}.{secrets.token_hex(6)}.tmp"
        # O_EXCL: a fresh file, never something already there (link or not).
        fd = self._open_file(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        try:
            with os.fdopen(fd, "wb") as handle:
                if os.name == "posix":
                    os.chmod(handle.fileno(), PRIVATE_FILE_MODE)  # the umask may have masked it
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            self.replace(tmp, name)
        except BaseException:
            with contextlib.suppress(OSError):
                self.unlink(tmp)
            raise
        if self._fd is not None:
            # The rename itself survives a crash only once the directory is on disk.
            with contextlib.suppress(OSError):
                os.fsync(self._fd)

    def replace(self, source: str, target: str) -> None:
        """Rename ``source`` over ``target`` in this directory (links are renamed, not followed)."""
        if self._fd is None:
            os.replace(self.path / source, self.path / target)
        else:
            os.replace(source, target, src_dir_fd=self._fd, dst_dir_fd=self._fd)

    def unlink(self, name: str) -> None:
        where, dir_fd = self._at(name)
        os.unlink(where, dir_fd=dir_fd)

    @contextlib.contextmanager
    def lock(self, name: str, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
        """Hold an advisory lock on ``<name>.lock`` (0600, never a link) against other cypkgs.

        Raises :class:`TimeoutError` after ``timeout`` seconds of another process
        holding it (a stopped cypkg must not hang this one).
        """
        fd = self._open_file(f"{name}.lock", os.O_RDWR | os.O_CREAT)
        try:
            self._tighten_fd(fd, self.path / f"{name}.lock", PRIVATE_FILE_MODE)
            if fcntl is not None:
                deadline = time.monotonic() + timeout
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise TimeoutError(
                                errno.ETIMEDOUT,
                                f"{inert(str(self.path / name), limit=300)} is locked by "
                                f"another cypkg for more than {timeout:g} s",
                            ) from None
                        time.sleep(0.005)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _is_link(where: str, dir_fd: int | None) -> bool:
    try:
        return stat.S_ISLNK(os.stat(where, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


# --------------------------------------------------------------------------- one-shot helpers


def ensure_private_dir(path: Path, *, own: int = 1) -> Path:
    """Create ``path`` (missing parents too, all 0700) and make its own part 0700."""
    with PrivateDir.open(path, own=own):
        return path


def read_private_file(path: Path, max_size: int, *, own: int = 1) -> bytes | None:
    """The bytes of ``path`` (None when it or its directory is missing), never through a link."""
    try:
        directory = PrivateDir.open(path.parent, own=own, create=False)
    except FileNotFoundError:
        return None
    with directory:
        return directory.read(path.name, max_size)


def atomic_write_private(path: Path, data: bytes, *, own: int = 1) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600, never through a link.

    ``own`` is how many trailing directories of the parent are cypkg's (made
    0700, refused as links): 1 for cypkg's own directories, 0 for a directory
    the user pointed ``CYPKG_CONFIG`` into.
    """
    with PrivateDir.open(path.parent, own=own) as directory:
        directory.write_atomic(path.name, data)
