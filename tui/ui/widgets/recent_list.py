"""The lookup screen's list of recent (and demo) packages."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList

if TYPE_CHECKING:
    from tui.ui.screens.lookup import LookupScreen


class RecentList(OptionList):
    """Recent (and demo) packages; Enter or 1–9 opens one, Delete forgets it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,x", "forget", "Forget", id="forget", tooltip="Remove from the list"),
        *(Binding(str(n), f"open_nth({n})", f"Open #{n}", show=False) for n in range(1, 10)),
    ]

    #: The list's own one-character keys; other text typed on it goes to the input.
    KEYS: ClassVar[frozenset[str]] = frozenset({"x", *"123456789"})

    #: Text typed here went to the input: the focus follows only once the burst of keys
    #: it came in has been read, so until then digits are text too (the `2` of /v2/).
    _typing = False

    def _on_focus(self, event: events.Focus) -> None:
        self._typing = False  # ↓ again: the keys are the list's
        super()._on_focus(event)

    async def _on_key(self, event: events.Key) -> None:
        character = event.character
        if self._typing and event.is_printable and character:
            event.stop()
            event.prevent_default()
            if self.screen.is_active:
                self.screen.query_one("#package-input", Input).insert_text_at_cursor(character)
            return
        if event.key in self.KEYS and event.key.isdigit():
            # Opened here, in the order typed: through the binding it would act only once
            # the key had gone round the app, after the rest of a burst moved the focus.
            event.stop()
            event.prevent_default()
            if self.screen.is_active:
                self.action_open_nth(int(event.key))
            return
        if event.is_printable and character and event.key not in self.KEYS:
            # Text typed here (a URL by hand after ↓) goes to the input, and the rest of
            # it with it: the `2` of /v2/ is then typed, not "open recent #2".
            event.stop()
            event.prevent_default()
            if self.screen.is_active:  # else: after the key that opened a package: dropped
                field = self.screen.query_one("#package-input", Input)
                field.focus()
                field.insert_text_at_cursor(character)
                self._typing = True
            return
        await super()._on_key(event)

    def action_forget(self) -> None:
        index = self.highlighted
        if index is None:
            return
        option = self.get_option_at_index(index)
        screen = cast("LookupScreen", self.screen)
        screen.forget(option.id or "")

    def action_open_nth(self, n: int) -> None:
        if 0 < n <= self.option_count:
            option = self.get_option_at_index(n - 1)
            cast("LookupScreen", self.screen).open_package(option.id or "")
