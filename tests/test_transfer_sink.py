"""A download's chunks are hashed and written on a second thread: order, errors, bounds, cancel."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpcore
import pytest

from tui.api import transfer
from tui.api.client import CylanceClient
from tui.api.errors import CypkgError
from tui.api.sink import HashingWriter
from tui.api.transfer import (
    TransferCancelled,
    TransferSettings,
    download_file,
    file_sha256,
    upload_file,
)
from tui.api.transport import _Stream
from tui.emulator import DEMO, Emulator
from tui.emulator.testing import FakeClock

DATA = bytes(range(256)) * 16_384  # 4 MiB: several 512 KiB reads
SETTINGS = TransferSettings(stall_timeout=5.0)


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "cypkg-download-writer"]


def _until(predicate: Callable[[], bool], seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


# -- the writer alone ---------------------------------------------------------------------


def test_chunks_are_written_in_order_and_hashed() -> None:
    written: list[bytes] = []
    sink = HashingWriter(written.append, depth=2)
    chunks = [bytes([i]) * (1000 + i) for i in range(50)]
    for chunk in chunks:
        sink.put(chunk)
    assert sink.finish() == hashlib.sha256(b"".join(chunks)).hexdigest()
    assert written == chunks
    sink.abort()  # after finish: nothing to do, no error


def test_a_write_error_is_raised_in_the_receiving_thread_as_it_was() -> None:
    failure = OSError(28, "No space left on device")

    def full(chunk: bytes) -> None:
        raise failure

    sink = HashingWriter(full, depth=2)
    with pytest.raises(OSError) as caught:
        for _ in range(100):  # the error shows at a later put, never blocks it for ever
            sink.put(b"x" * 10)
        sink.finish()
    assert caught.value is failure
    sink.abort()
    assert not _writer_threads()


def test_a_slow_disk_makes_the_receiver_wait_not_memory_grow() -> None:
    release = threading.Event()
    written: list[bytes] = []

    def slow(chunk: bytes) -> None:
        release.wait(5)
        written.append(chunk)

    sink = HashingWriter(slow, depth=3)
    sent = 0

    def receive() -> None:
        nonlocal sent
        for i in range(10):
            sink.put(bytes([i]))
            sent += 1

    receiver = threading.Thread(target=receive)
    receiver.start()
    # One chunk in the writer's hands, three queued: the fifth put waits.
    assert _until(lambda: sent == 4)
    time.sleep(0.05)
    assert sent == 4 and receiver.is_alive() and sink._queue.qsize() == 3
    release.set()
    receiver.join(5)
    assert sink.finish() == hashlib.sha256(bytes(range(10))).hexdigest()
    assert len(written) == 10


def test_abort_drops_what_is_queued_and_ends_the_thread() -> None:
    release = threading.Event()
    written: list[bytes] = []

    def slow(chunk: bytes) -> None:
        release.wait(5)
        written.append(chunk)

    sink = HashingWriter(slow, depth=4)
    for i in range(4):
        sink.put(bytes([i]))
    threading.Timer(0.05, release.set).start()
    sink.abort()
    assert len(written) <= 1 and not _writer_threads()


def test_watched_streams_read_at_least_min_read() -> None:
    asked: list[int] = []

    class Inner(httpcore.NetworkStream):
        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            asked.append(max_bytes)
            return b""

    _Stream(Inner(), min_read=1 << 20).read(65536)
    _Stream(Inner()).read(65536)
    assert asked == [1 << 20, 65536]


# -- downloads against the emulator -------------------------------------------------------


@pytest.fixture
def url(emu: Emulator, clock: FakeClock, tmp_path: Path) -> Iterator[str]:
    source = tmp_path / "source.bin"
    source.write_bytes(DATA)
    with CylanceClient(
        emu.base_url, DEMO.tenant_id, DEMO.app_id, DEMO.app_secret, clock=clock
    ) as client:
        created = client.create_package({"name": "sink", "packageInfo": {}}, file_sha256(source)[0])
        upload_file(created.upload_to, source, settings=SETTINGS)
        download_url = client.get_package(created.package_id).download_url
    source.unlink()
    assert download_url
    yield download_url


def test_a_download_is_whole_and_hashed(url: str, tmp_path: Path) -> None:
    seen: list[int] = []
    got = download_file(
        url,
        tmp_path / "f",
        expected_size=len(DATA),
        settings=SETTINGS,
        on_progress=lambda done, total: seen.append(done),
    )
    assert (tmp_path / "f").read_bytes() == DATA
    assert got.sha256 == hashlib.sha256(DATA).hexdigest() and seen[-1] == len(DATA)
    assert not _writer_threads()


def test_a_full_disk_in_the_writer_thread_is_one_sentence(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_after_first_chunk(write: Callable[[bytes], object]) -> HashingWriter:
        calls = 0

        def failing(chunk: bytes) -> object:
            nonlocal calls
            calls += 1
            if calls > 1:
                raise OSError(28, "No space left on device")
            return write(chunk)

        return HashingWriter(failing)

    monkeypatch.setattr(transfer, "HashingWriter", full_after_first_chunk)
    with pytest.raises(CypkgError) as caught:
        download_file(url, tmp_path / "f", expected_size=len(DATA), settings=SETTINGS)
    message = str(caught.value)
    assert "\n" not in message
    assert "Cannot write" in message and "No space left on device" in message
    assert "Nothing was written" in message
    assert list(tmp_path.iterdir()) == [] and not _writer_threads()


def test_a_download_cancelled_mid_way_leaves_nothing(url: str, tmp_path: Path) -> None:
    cancel = threading.Event()

    def progress(done: int, total: int | None) -> None:
        cancel.set()  # after the first chunk

    with pytest.raises(TransferCancelled, match="cancelled after"):
        download_file(
            url,
            tmp_path / "f",
            expected_size=len(DATA),
            settings=SETTINGS,
            on_progress=progress,
            cancel=cancel,
        )
    assert list(tmp_path.iterdir()) == [] and not _writer_threads()
