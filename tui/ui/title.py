"""Keep the terminal's title in step with the screen on top.

A screen that has something to say in the title defines ``terminal_title()``
returning the text (or None); the first non-modal screen from the top decides,
and screens without the method get the plain default. Called when the screen
changes and whenever such a screen's state changes. Off when the config's
``terminal_title`` setting is false.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.api.models import Package, Status
from tui.polling.present import STATUS_LABELS

if TYPE_CHECKING:
    from tui.ui.app import CypkgApp


def refresh_title(app: CypkgApp) -> None:
    text: str | None = None
    try:
        for screen in reversed(app.screen_stack):
            if screen.is_modal:
                continue
            describe = getattr(screen, "terminal_title", None)
            if callable(describe):
                value = describe()
                text = value if isinstance(value, str) else None
            break
    except Exception as exc:  # the title is a nicety: never let it break a screen
        app.log.error("terminal title failed", exc)
        return
    app.terminal_title.show(text)


def package_title(package: Package, package_id: str | None) -> str:
    """``cypkg: ✔ success · collect_triage`` (made safe when written)."""
    symbol, word = STATUS_LABELS[package.status]
    if package.status is Status.UNKNOWN and package.status_text:
        word = package.status_text
    return f"cypkg: {symbol} {word} · {package.name or package_id or 'package'}"
