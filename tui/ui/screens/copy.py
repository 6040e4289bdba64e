"""A small modal that shows a copied value, selectable, since OSC 52 may not arrive.

A value without spaces (an ID, a URL) stays on one line, the box as wide as it needs
(up to the screen's width), scrolling sideways beyond: a URL broken across lines
would be copied broken by a terminal's mouse selection.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea
from textual.widgets.text_area import Selection

from tui.base.safe_text import inert
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.still_text_area import StillTextArea


def copy_value(app: App[object], what: str, value: str | None) -> None:
    """``value`` to the clipboard (OSC 52) and shown in a :class:`CopyScreen`."""
    if not value:
        app.notify(f"There is no {what} to copy.", severity="warning", timeout=4)
        return
    # An ESC in server data must not reach the terminal inside OSC 52 either:
    # copy the inert form, which is what the user sees.
    shown = inert(value, keep_newlines=False, limit=20_000)
    app.copy_to_clipboard(shown)
    # No toast: the box says what was copied and how, and a toast would cover it in a
    # narrow terminal.
    app.push_screen(CopyScreen(what, shown))


class CopyScreen(ModalScreen[None]):
    """``what`` and its (already inert) ``value`` in a read-only text box."""

    DEFAULT_CSS = """
    CopyScreen { align: center middle; }
    CopyScreen > #copy-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 20;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    CopyScreen #copy-title { text-style: bold; }
    CopyScreen #copy-value { height: auto; max-height: 10; border: none; padding: 0; }
    CopyScreen #copy-help { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close", id="close-copy"),
    ]

    def __init__(self, what: str, value: str) -> None:
        super().__init__()
        self.what = what
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="copy-box"):
            yield Static(Content(f"Copied the {self.what}"), id="copy-title")
            yield StillTextArea(
                self.value,
                read_only=True,
                # Words wrap at spaces (an invocation string); a value without any
                # would be broken mid-string, so it scrolls instead.
                soft_wrap=any(c.isspace() for c in self.value),
                show_line_numbers=False,
                show_cursor=False,
                id="copy-value",
            )
            yield Static(
                Content(
                    "Sent to your clipboard with OSC 52 (tmux needs set-clipboard on; some "
                    "terminals ignore it). The text is selected: ctrl+c copies it again, or "
                    "select it with the mouse (shift+drag in most terminals)."
                ),
                id="copy-help",
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # Room for the value on one line: the border, the padding and a spare column
        # (max-width keeps the box on screen).
        self.query_one("#copy-box").styles.width = max(76, cell_len(self.value) + 5)
        area = self.query_one(TextArea)
        area.focus()
        # All of it selected, the cursor at its start: a long value shows its beginning.
        area.selection = Selection(area.document.end, (0, 0))

    def action_close(self) -> None:
        self.dismiss()
