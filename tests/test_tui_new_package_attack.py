"""What the New package screen says is left on the server (issue 14, attack pass)."""

from __future__ import annotations

from types import SimpleNamespace

from tui.api.created import Created
from tui.ui.screens.new_package import NewPackageScreen
from tui.ui.transfers import TransferState

PACKAGE_ID = "e378dacb-9324-453a-b8c6-5a8406952195"


def left(done: int, total: int) -> str:
    state = TransferState("upload", done=done, total=total)
    screen = SimpleNamespace(_created=Created(PACKAGE_ID, "", "https://s.example/u"), _state=state)
    return NewPackageScreen._left_on_server(screen, "The upload did not complete")  # type: ignore[arg-type]


def test_a_lost_answer_after_the_last_byte_is_not_a_missing_file() -> None:
    text = left(1000, 1000)
    assert "all 1.0 kB were sent but storage did not answer" in text
    assert "either has its file" in text and "with no file it becomes timeout" not in text


def test_a_broken_upload_leaves_a_started_package() -> None:
    text = left(500, 1000)
    assert "after 500 B of 1.0 kB" in text and "becomes timeout" in text
