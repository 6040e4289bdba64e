"""Transfers against hostile storage and a hostile local disk (issue 14, attack pass).

A scripted HTTP server on loopback plays the storage behind ``uploadTo`` and
``downloadUrl``: it can send more or fewer bytes than promised, lie in its headers,
gzip-bomb, trickle, or redirect. Disk failures are injected as ``OSError`` (the
tests may run as root, where a read-only directory is no obstacle).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui.api import transfer
from tui.api.errors import CypkgError, InvalidResponse, RequestTimeout, UsageError
from tui.api.transfer import (
    DiskError,
    TransferError,
    TransferSettings,
    check_destination,
    check_upload_file,
    download_file,
    file_sha256,
    upload_file,
)

SETTINGS = TransferSettings(stall_timeout=2.0, chunk_size=16 * 1024)
BODY = bytes(range(256)) * 64  # 16 KiB

#: ``script(conn, request_head)``: writes whatever the storage should answer.
Script = Callable[[socket.socket, bytes], None]


class Storage:
    """A one-script HTTP server on loopback; records each request's head and body size."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.heads: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        with conn:
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    data = conn.recv(65536)
                    if not data:
                        return
                    head += data
                self.heads.append(head.split(b"\r\n\r\n")[0])
                self.script(conn, head)
            except OSError:
                pass


@pytest.fixture
def storage() -> Iterator[Callable[[Script], Storage]]:
    made: list[Storage] = []

    def make(script: Script) -> Storage:
        made.append(Storage(script))
        return made[-1]

    yield make
    for server in made:
        server.close()


def answer(status: str, headers: dict[str, str], body: bytes = b"") -> Script:
    def script(conn: socket.socket, _head: bytes) -> None:
        lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        conn.sendall("\r\n".join(lines).encode() + body)

    return script


# -- downloads: what the server sends ---------------------------------------------------


def test_more_bytes_than_the_size_stop_and_fail(
    storage: Callable[[Script], Storage], tmp_path: Path
) -> None:
    """No Content-Length, an endless body: the download stops just past ``size``."""

    def endless(conn: socket.socket, _head: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        for _ in range(10_000):  # 160 MB if nobody stopped reading
            conn.sendall(BODY)

    server = storage(endless)
    started = time.monotonic()
    with pytest.raises(TransferError, match="sent more than the package's 1000 bytes"):
        download_file(f"{server.url}/f", tmp_path / "f", expected_size=1000, settings=SETTINGS)
    assert time.monotonic() - started < 2
    assert list(tmp_path.iterdir()) == []


def test_fewer_bytes_than_the_size_fail(
    storage: Callable[[Script], Storage], tmp_path: Path
) -> None:
    server = storage(answer("200 OK", {"Connection": "close"}, BODY[:500]))
    with pytest.raises(TransferError, match="ended after 500 of 1000 bytes"):
        download_file(f"{server.url}/f", tmp_path / "f", expected_size=1000, settings=SETTINGS)
    assert list(tmp_path.iterdir()) == []


def test_a_content_length_that_lies_fails(
    storage: Callable[[Script], Storage], tmp_path: Path
) -> None:
    server = storage(answer("200 OK", {"Content-Length": "1000"}, BODY[:500]))
    with pytest.raises(TransferError, match="broke off after 500 of 1000 bytes"):
        download_file(f"{server.url}/f", tmp_path / "f", expected_size=1000, settings=SETTINGS)
    assert list(tmp_path.iterdir()) == []


def test_a_gzip_bomb_is_stored_as_sent_not_inflated(
    storage: Callable[[Script], Storage], tmp_path: Path
) -> None:
    """cypkg asks for identity; a server that gzips anyway gets its bytes kept as sent:
    never inflated (50 MB from 50 kB), and the SHA-256 is that of the stored bytes."""
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    headers = {"Content-Length": str(len(bomb)), "Content-Encoding": "gzip"}
    server = storage(answer("200 OK", headers, bomb))
    got = download_file(f"{server.url}/f", tmp_path / "f", settings=SETTINGS)
    assert got.size == len(bomb) < 100_000
    assert (tmp_path / "f").read_bytes() == bomb
    assert got.sha256 == hashlib.sha256(bomb).hexdigest()


def test_a_trickle_fails_by_the_stall_deadline(
    storage: Callable[[Script], Storage], tmp_path: Path
) -> None:
    """One byte every 0.1 s never lets a socket read time out, but it is no progress."""

    def trickle(conn: socket.socket, _head: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(100):
            conn.sendall(b"x")
            time.sleep(0.1)

    server = storage(trickle)
    quick = TransferSettings(stall_timeout=0.5, chunk_size=16 * 1024)
    started = time.monotonic()
    with pytest.raises(RequestTimeout, match="stalled"):
        download_file(f"{server.url}/f", tmp_path / "f", settings=quick)
    assert time.monotonic() - started < 3
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("status", ["301 Moved Permanently", "302 Found", "307 Temporary Redirect"])
def test_redirects_are_not_followed(
    storage: Callable[[Script], Storage], tmp_path: Path, status: str
) -> None:
    elsewhere = storage(answer("200 OK", {"Content-Length": "3"}, b"bad"))
    target = f"{elsewhere.url}/stolen?signature=SECRETSIG"
    server = storage(answer(status, {"Location": target, "Content-Length": "0"}))
    with pytest.raises(InvalidResponse, match="redirect") as caught:
        download_file(f"{server.url}/f?signature=SIG1", tmp_path / "f", settings=SETTINGS)
    file = tmp_path / "up"
    file.write_bytes(BODY)
    with pytest.raises(InvalidResponse, match="redirect") as caught_up:
        upload_file(f"{server.url}/u?signature=SIG2", file, settings=SETTINGS)
    assert elsewhere.heads == []
    for text in (str(caught.value), str(caught_up.value)):
        assert "SIG" not in text and "stolen" not in text
    assert all(b"authorization" not in h.lower() for h in server.heads)


# -- downloads: the local side ----------------------------------------------------------


def test_a_download_is_not_world_writable_under_umask_0(
    storage: Callable[[Script], Storage], tmp_path: Path
) -> None:
    server = storage(answer("200 OK", {"Content-Length": str(len(BODY))}, BODY))
    old = os.umask(0)
    try:
        download_file(f"{server.url}/f", tmp_path / "f", settings=SETTINGS)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f").stat().st_mode) == 0o644


def test_a_full_disk_is_one_sentence(
    storage: Callable[[Script], Storage], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = storage(answer("200 OK", {"Content-Length": str(len(BODY))}, BODY))

    def no_space(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(transfer.os, "fsync", no_space)
    with pytest.raises(CypkgError, match=r"Cannot write .*No space left on device") as caught:
        download_file(f"{server.url}/f", tmp_path / "f", settings=SETTINGS)
    assert "Nothing was written" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_directory_is_one_sentence(
    storage: Callable[[Script], Storage], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = storage(answer("200 OK", {"Content-Length": str(len(BODY))}, BODY))
    real_open = os.open

    def read_only(path: object, flags: int, *args: object) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(transfer.os, "open", read_only)
    with pytest.raises(UsageError, match=r"Cannot write .*Permission denied"):
        download_file(f"{server.url}/f", tmp_path / "f", settings=SETTINGS)
    assert server.heads == []  # refused before the request


def test_two_downloads_to_one_path_never_mix(
    storage: Callable[[Script], Storage], tmp_path: Path
) -> None:
    """Two at once: one file wins whole under the final name; the other says so."""
    gate = threading.Barrier(2, timeout=5)

    def slow(conn: socket.socket, _head: bytes) -> None:
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(BODY) * 4}\r\n\r\n".encode())
        conn.sendall(BODY)
        gate.wait()  # both are half way: then both finish
        conn.sendall(BODY * 3)

    server = storage(slow)
    dest = tmp_path / "f"
    results: list[object] = []

    def one() -> None:
        try:
            results.append(download_file(f"{server.url}/f", dest, settings=SETTINGS))
        except CypkgError as exc:
            results.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    errors = [r for r in results if isinstance(r, CypkgError)]
    assert len(results) == 2 and len(errors) == 1 and "appeared" in str(errors[0])
    assert dest.read_bytes() == BODY * 4 and os.listdir(tmp_path) == ["f"]


# -- uploads ----------------------------------------------------------------------------


def upload_sink(got: list[int]) -> Script:
    def script(conn: socket.socket, head: bytes) -> None:
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        received = len(head.split(b"\r\n\r\n", 1)[1])
        while received < length:
            data = conn.recv(65536)
            if not data:
                break
            received += len(data)
        got.append(received)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    return script


def test_a_file_that_shrinks_while_uploading_says_so(
    storage: Callable[[Script], Storage], tmp_path: Path
) -> None:
    file = tmp_path / "up"
    file.write_bytes(BODY * 8)
    server = storage(upload_sink([]))

    def shrink(done: int, _total: int | None) -> None:
        if done == len(BODY):
            os.truncate(file, len(BODY) * 2)

    with pytest.raises(DiskError, match="shrank while it was uploaded"):
        upload_file(f"{server.url}/u", file, settings=SETTINGS, on_progress=shrink)


def test_a_file_that_changes_while_uploading_gives_another_checksum(
    storage: Callable[[Script], Storage], tmp_path: Path
) -> None:
    """The bytes sent are hashed as they go: the caller compares with the checksum it sent."""
    file = tmp_path / "up"
    file.write_bytes(BODY * 4)
    got: list[int] = []
    server = storage(upload_sink(got))

    def change(done: int, _total: int | None) -> None:
        if done == len(BODY):
            with file.open("r+b") as handle:
                handle.seek(len(BODY) * 3)
                handle.write(b"CHANGED")

    uploaded = upload_file(f"{server.url}/u", file, settings=SETTINGS, on_progress=change)
    assert got == [len(BODY) * 4]
    assert uploaded.sha256 == hashlib.sha256(file.read_bytes()).hexdigest()
    assert uploaded.sha256 != hashlib.sha256(BODY * 4).hexdigest()


def test_a_fifo_or_device_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        check_upload_file(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        check_upload_file(Path("/dev/zero"))


def test_a_read_error_while_uploading_is_one_sentence(
    storage: Callable[[Script], Storage], tmp_path: Path
) -> None:
    class Failing(io.FileIO):
        def read(self, size: int = -1) -> bytes:
            if self.tell() >= len(BODY):
                raise OSError(5, "Input/output error")
            return super().read(size)

    class Flaky(type(tmp_path)):  # type: ignore[misc]
        def open(self, *_args: object, **_kwargs: object) -> Failing:  # type: ignore[override]
            return Failing(str(self), "rb")

    (tmp_path / "up").write_bytes(BODY * 4)
    file = Flaky(tmp_path / "up")
    server = storage(upload_sink([]))
    with pytest.raises(CypkgError, match=r"Cannot read .*Input/output error"):
        upload_file(f"{server.url}/u", file, settings=SETTINGS)


def test_the_destination_checks_say_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "x.part").write_bytes(b"old")
    assert check_destination(tmp_path / "x") == tmp_path / "x"  # a stale .part is no obstacle
    with pytest.raises(UsageError, match="is a directory"):
        check_destination(tmp_path)


def test_a_file_gone_before_hashing_or_uploading_is_one_sentence(tmp_path: Path) -> None:
    """Removed after the checks (or between the create and the upload): no traceback."""
    gone = tmp_path / "gone.zip"
    with pytest.raises(DiskError, match=r"Cannot read .*gone\.zip: No such file"):
        file_sha256(gone)
    with pytest.raises(DiskError, match=r"Cannot read .*gone\.zip: No such file"):
        upload_file("http://127.0.0.1:9/u", gone, settings=SETTINGS)


def test_force_never_replaces_a_device_pipe_or_socket(
    storage: Callable[[Script], Storage], tmp_path: Path
) -> None:
    """``-o /dev/null --force`` run as root would have put a regular file in place of
    the device (and ``/dev/stdout``, a link to one, replaced the system's link)."""
    server = storage(answer("200 OK", {"Content-Length": str(len(BODY))}, BODY))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    for dest in (fifo, link, Path("/dev/null")):
        with pytest.raises(UsageError, match="not a regular file"):
            download_file(f"{server.url}/f", dest, force=True, settings=SETTINGS)
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert server.heads == []
