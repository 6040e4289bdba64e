"""TextArea without a blinking cursor (see :mod:`tui.ui.widgets.still` for why)."""

from __future__ import annotations

from typing import Any

from textual.widgets import TextArea


class StillTextArea(TextArea):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_blink = False
