"""Uploads and downloads stream: a 200 MB file costs no more memory than a 1 MB one.

Each transfer runs in a process of its own (benchmarks/transfer_worker.py), against
the emulator on loopback, and reports its resident set before the transfer and its
high-water mark after it. The file is sparse (zeros): cheap to make, as real to send.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui.api.client import CylanceClient
from tui.api.transfer import file_sha256
from tui.emulator import DEMO, Emulator
from tui.emulator.testing import FakeClock

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/status")

WORKER = Path(__file__).resolve().parent.parent / "benchmarks" / "transfer_worker.py"
MB = 1024 * 1024
#: What a transfer may add to the worker's resident set, whatever the file's size.
GROWTH_LIMIT = 16 * MB


def transfer(*argv: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, str(WORKER), *argv], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, float] = json.loads(done.stdout)
    return result


def growths(client: CylanceClient, tmp_path: Path, size: int) -> tuple[float, float]:
    """(upload, download) RSS growth, bytes, for a sparse file of ``size`` bytes."""
    source = tmp_path / f"source-{size}"
    with source.open("wb") as handle:
        handle.truncate(size)
    checksum, _ = file_sha256(source)
    created = client.create_package({"name": "big", "packageInfo": {}}, checksum)
    up = transfer("upload", created.upload_to, str(source))
    package = client.get_package(created.package_id)
    assert package.status == "success" and package.download_url
    dest = tmp_path / f"back-{size}"
    down = transfer("download", package.download_url, str(dest), str(size))
    assert down["sha256"] == up["sha256"] == checksum and dest.stat().st_size == size
    dest.unlink()
    source.unlink()
    return up["peak"] - up["rss_before"], down["peak"] - down["rss_before"]


def test_transfer_memory_does_not_grow_with_the_file(
    emu: Emulator, clock: FakeClock, tmp_path: Path
) -> None:
    with CylanceClient(
        emu.base_url, DEMO.tenant_id, DEMO.app_id, DEMO.app_secret, clock=clock
    ) as client:
        small = growths(client, tmp_path, 1 * MB)
        big = growths(client, tmp_path, 200 * MB)
    for what, one, two_hundred in zip(("upload", "download"), small, big, strict=True):
        assert two_hundred < GROWTH_LIMIT, (what, two_hundred / MB)
        # Not a byte per byte sent: the same few chunks in flight for 1 MB as for 200.
        assert two_hundred - one < 8 * MB, (what, one / MB, two_hundred / MB)
