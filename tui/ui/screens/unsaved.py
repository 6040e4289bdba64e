"""The question asked when the settings screen is left with unsaved edits."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.ui.widgets.footer import Footer

Choice = Literal["save", "discard", "stay"]


class UnsavedChangesScreen(ModalScreen[Choice]):
    """Save, discard or stay: one key each (Esc stays, so a second Esc loses nothing)."""

    DEFAULT_CSS = """
    UnsavedChangesScreen { align: center middle; }
    UnsavedChangesScreen > #unsaved-box {
        width: 60;
        max-width: 100%;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 0 1;
    }
    UnsavedChangesScreen #unsaved-title { text-style: bold; }
    UnsavedChangesScreen #unsaved-buttons { height: auto; margin-top: 1; }
    UnsavedChangesScreen Button { margin-right: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "choose('save')", "Save", id="unsaved-save"),
        Binding("d", "choose('discard')", "Discard", id="unsaved-discard"),
        Binding("escape", "choose('stay')", "Stay", id="unsaved-stay"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="unsaved-box"):
            yield Static(Content("Unsaved changes"), id="unsaved-title")
            yield Static(Content("This profile has edits that are not saved yet."))
            with Horizontal(id="unsaved-buttons"):
                yield Button("Save (s)", id="save", variant="primary", compact=True)
                yield Button("Discard (d)", id="discard", compact=True)
                yield Button("Stay (Esc)", id="stay", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()  # Enter on the question loses nothing either

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("save", "discard", "stay"):
            self.dismiss(event.button.id)  # type: ignore[arg-type]
