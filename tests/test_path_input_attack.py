"""The path input's completion never offers a name that would act on the terminal.

A file name is any bytes but ``/`` and NUL: one carrying an escape sequence, shown as
the input's suggestion, reached the terminal raw (in a pty: ``ESC ]0;PWNED`` in the
output, a window-title sequence). Such a name is not suggested; it can still be typed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.ui.widgets.path_input import complete_path


@pytest.mark.parametrize(
    "name",
    [
        "zz\x1b[2J\x1b]0;PWNED\x07.zip",
        "zz\x9b31m.zip",  # C1 CSI
        "zz\u202egpj.exe",  # right-to-left override
        "zz\u200b.zip",  # zero width
        "zz\n.zip",
    ],
)
def test_names_with_control_characters_are_not_suggested(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"x")
    assert complete_path(f"{tmp_path}/zz") is None
    (tmp_path / "zz-plain.zip").write_bytes(b"x")
    assert complete_path(f"{tmp_path}/zz") == f"{tmp_path}/zz-plain.zip"
