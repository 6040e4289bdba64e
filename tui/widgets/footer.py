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
