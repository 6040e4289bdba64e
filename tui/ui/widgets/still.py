"""Input without a blinking cursor: nothing on screen moves by itself.

A blinking cursor repaints twice a second, forever; over SSH on a slow link
(and in a terminal left open for hours) that is traffic for nothing. The
TextArea twin is in :mod:`tui.ui.widgets.still_text_area`: TextArea is a heavy
import, and the lookup screen (the first paint) needs only the Input.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input


class StillInput(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_blink = False
