"""Textual's Footer, without its leak of old keys, rebuilt once per batch of changes.

In Textual 8.2.8 the Footer rebuilds its keys on every focus change, and each new
key binds to the Footer's ``compact`` reactive. The watcher list of that reactive is
pruned of removed keys only when ``compact`` changes, which never happens here, so
every focus change (a tab switch, say) kept the old keys alive: widgets, styles and
caches, about 170 KB per switch on the detail screen, for as long as the app runs.
This subclass drops the removed keys' watchers after each rebuild. Textual is pinned
exactly; ``tests/test_soak.py`` fails if the leak comes back.

Textual also queues one full rebuild per bindings change, and a screen coming up
sends several (it resumes, its input takes focus, the keymap is applied): each
rebuild remounts every key. Here changes that arrive before the queued rebuild
runs share it, and a rebuild that would show the same keys is skipped.

Textual lays the keys out in one row that scrolls, under the command palette's key
(docked right): on a narrow terminal a key was cut (``f2 Se▏``) or ran under it,
and the palette key's right margin let one character of it show after ``palette``.
Here the palette key sits flush right, and the keys that do not fit beside it are
left out whole, from the right end of the row: the app's own keys (Ctrl+Q, F2) come
last, so a screen's keys stay longest. A width change that alters what fits
rebuilds the row.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Entry(NamedTuple):
    """One key of the row, as drawn."""

    binding: Binding
    key_display: str
    enabled: bool
    tooltip: str

    @property
    def width(self) -> int:
        """Cells it takes in a compact footer: key, space, description, 1-cell margin."""
        text = (
            f"{self.key_display} {self.binding.description}"
            if self.binding.description
            else self.key_display
        )
        return cell_len(text) + 1


def fit(entries: list[Entry], width: int) -> list[Entry]:
    """The leading ``entries`` whose keys fit in ``width`` cells (the last one's margin
    may fall under whatever is to the right)."""
    used = 0
    for count, entry in enumerate(entries):
        used += entry.width
        if used - 1 > width:
            return entries[:count]
    return entries


class Footer(TextualFooter):
    DEFAULT_CSS: ClassVar[str] = """
    Footer.-compact FooterKey.-command-palette {
        margin-right: 0;  /* flush right: no column of the keys below shows through */
    }
    """

    def __init__(self, *args: Any, keys_at_once: bool = False, **kwargs: Any) -> None:
        """``keys_at_once``: draw the keys in the screen's first frame, from the bindings
        known then, instead of after the first bindings change (Textual's way), which
        comes a frame or two later. A change that alters them rebuilds as usual."""
        super().__init__(*args, **kwargs)
        if keys_at_once:
            self.set_reactive(TextualFooter._bindings_ready, True)
        self._rebuild_queued = False
        #: The keys as last composed (None: nothing composed yet).
        self._shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # Textual's conditions, plus: at most one rebuild waiting at a time.
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_queued:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_queued = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_queued = False  # a change from here on queues a new rebuild
        if self.is_attached and self._keys_shown() != self._shown:
            await self.recompose()

    def _palette(self) -> Entry | None:
        """The command palette's key, if shown."""
        app = self.app
        if not (self.show_command_palette and app.ENABLE_COMMAND_PALETTE):
            return None
        active = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        if active is None:
            return None
        _node, binding, enabled, _tooltip = active
        tooltip = binding.tooltip or binding.description
        return Entry(binding, app.get_key_display(binding), enabled, tooltip)

    def _entries(self) -> list[Entry]:
        """The keys of the row that fit the terminal's width, in order."""
        app = self.app
        entries: list[Entry] = []
        actions: set[str] = set()
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            # One key per action, the first (as Textual's footer does).
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                entries.append(Entry(binding, app.get_key_display(binding), enabled, tooltip))
        palette = self._palette()
        # The palette's key: its left border, its text (no margin, see DEFAULT_CSS).
        reserved = palette.width if palette is not None else 0
        # Its own width once laid out (a screen's scrollbar may take some), the
        # terminal's before; the resize that follows the first layout refits.
        width = self.size.width or app.size.width
        return fit(entries, width - reserved)

    def _keys_shown(self) -> tuple[object, ...]:
        """Everything compose reads: the keys that fit, their texts and states."""
        return (*self._entries(), self._palette())

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._shown = self._keys_shown()
        for entry in self._entries():
            binding = entry.binding
            yield FooterKey(
                binding.key,
                entry.key_display,
                binding.description,
                binding.action,
                disabled=not entry.enabled,
                tooltip=entry.tooltip,
            ).data_bind(compact=Footer.compact)
        palette = self._palette()
        if palette is not None:
            binding = palette.binding
            yield FooterKey(
                binding.key,
                palette.key_display,
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not palette.enabled,
                tooltip=palette.tooltip,
            )

    def on_resize(self, event: events.Resize) -> None:
        # Another width may fit more keys or fewer: rebuilt if what fits changed.
        if self._bindings_ready and self.is_attached and not self._rebuild_queued:
            self._rebuild_queued = True
            self.call_after_refresh(self._rebuild)

    async def recompose(self) -> None:
        await super().recompose()
        # Textual keeps reactive watchers in the "__watchers" attribute (a literal name,
        # set with setattr): {reactive name: [(watching node, callback), ...]}.
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [
                (node, callback)
                for node, callback in entries
                if not (getattr(node, "_closing", False) or getattr(node, "_closed", False))
            ]
