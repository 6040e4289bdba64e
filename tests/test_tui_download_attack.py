"""The download box against a destination that is no file: never replaced (issue 14)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import test_tui_download
from test_tui_download import message, open_download

#: The fixture of a package whose upload succeeded, shared with test_tui_download.
uploaded = test_tui_download.uploaded


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
