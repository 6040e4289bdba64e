"""The download box against a destination that is no file: never replaced (issue 14)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from test_tui_download import DATA, message, open_download

from tui.api.client import CylanceClient
from tui.api.descriptor import DescriptorForm
from tui.api.transfer import TransferSettings, file_sha256, upload_file
from tui.emulator import DEMO


@pytest.fixture
def uploaded(emulator, fake_clock, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    source = tmp_path / "collector.zip"
    source.write_bytes(DATA)
    with CylanceClient(
        emulator.base_url, DEMO.tenant_id, DEMO.app_id, DEMO.app_secret, clock=fake_clock
    ) as client:
        checksum, _ = file_sha256(source)
        form = DescriptorForm(name="collector", file_name="collector.zip")
        created = client.create_package(form.build(), checksum)
        upload_file(created.upload_to, source, settings=TransferSettings(stall_timeout=5))
    return created.package_id


async def test_a_pipe_is_never_offered_for_replacement(
    make_app, uploaded, wait_until, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    app = make_app(package_id=uploaded)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_download(app, pilot, wait_until)
        screen.query_one("#download-path").value = str(fifo)  # type: ignore[attr-defined]
        for _ in range(2):  # a second Enter used to replace what "exists"
            await pilot.press("enter")
            await pilot.pause()
            assert "not a regular file" in message(screen), message(screen)
        assert stat.S_ISFIFO(fifo.lstat().st_mode) and screen.result == ""
