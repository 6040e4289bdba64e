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
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
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

    def _keys_shown(self) -> tuple[object, ...]:
        """Everything compose reads: the shown bindings, their key texts and states."""
        app = self.app
        bindings = self.screen.active_bindings
        shown = tuple(
            (binding, app.get_key_display(binding), enabled, tooltip)
            for (_node, binding, enabled, tooltip) in bindings.values()
            if binding.show
        )
        palette = bindings.get(app.COMMAND_PALETTE_BINDING)
        return (*shown, palette[1:] if palette else None, self.show_command_palette)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys_shown()
        yield from super().compose()

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
