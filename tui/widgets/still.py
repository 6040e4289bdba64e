"""Input and TextArea without a blinking cursor: nothing on screen moves by itself.

A blinking cursor repaints twice a second, forever; over SSH on a slow link
(and in a terminal left open for hours) that is traffic for nothing.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, TextArea


class StillInput(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_blink = False


class StillTextArea(TextArea):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_blink = False
