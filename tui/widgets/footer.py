"""Textual's Footer, without its leak of old keys.

In Textual 8.2.8 the Footer rebuilds its keys on every focus change, and each new
key binds to the Footer's ``compact`` reactive. The watcher list of that reactive is
pruned of removed keys only when ``compact`` changes, which never happens here, so
every focus change (a tab switch, say) kept the old keys alive: widgets, styles and
caches, about 170 KB per switch on the detail screen, for as long as the app runs.
This subclass drops the removed keys' watchers after each rebuild. Textual is pinned
exactly; ``tests/test_soak.py`` fails if the leak comes back.
"""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Also skips rebuilding when the keys it would show are the ones it shows.

    Textual rebuilds the Footer on every focus change and bindings refresh, several
    times per screen switch, though the keys rarely change; each rebuild mounts a
    dozen widgets (about 3 ms here), which the user feels when opening a package.
    """

    _shown: tuple[object, ...] | None = None

    def _signature(self) -> tuple[object, ...] | None:
        """Everything the keys are built from, or None when it cannot be known yet."""
        if not self._bindings_ready or not self.is_attached:
            return None
        keys = tuple(
            (
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                binding.show,
                binding.group,
                enabled,
                tooltip,
            )
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            # What the Footer draws: the shown keys and the command palette's.
            if binding.show or key == self.app.COMMAND_PALETTE_BINDING
        )
        return (self.compact, self.show_command_palette, keys)

    async def recompose(self) -> None:
        signature = self._signature()
        if signature is not None and signature == self._shown:
            return
        self._shown = signature
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
