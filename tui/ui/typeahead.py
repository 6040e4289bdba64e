"""Keys typed for one screen must not act on the next one.

A terminal delivers keys typed quickly (or text pasted without bracketed paste) in one
read; Textual queues them all, then hands each to whatever screen is on top when its
turn comes. So the rest of a burst whose Enter opened a package reached the package's
screen as one-letter hotkeys (p pauses, c copies, 3 switches tab), and a key the old
screen left unhandled bubbled up to the app and was checked against the new screen's
bindings. :class:`TypeAhead` tells those keys apart: a printable key read before the
screen on top was shown was typed for an earlier screen. It is dropped unless it goes
to a text input, where it is text again (e.g. typed right after Esc to the lookup).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from textual import events
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from tui.ui.driver import message_clock

#: A widget busy longer than this is not waited for (the app's keys wait meanwhile).
DRAIN_TIMEOUT = 1.0


async def drained(widget: Widget, timeout: float = DRAIN_TIMEOUT) -> None:
    """Return once ``widget`` handled the messages (keys) already queued for it.

    For a priority key that moves the focus: the app hands each key to the widget
    focused when its turn comes, into that widget's own queue, so keys typed before
    it may not have reached their field yet. Awaited in the key's action, this holds
    the app's key queue while the widget catches up.
    """
    caught_up = asyncio.Event()
    widget.call_later(caught_up.set)
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(caught_up.wait(), timeout)


class TypeAhead:
    """When the screen on top changed, and which keys came before that."""

    def __init__(self, app: App[Any]) -> None:
        """Built once the app runs (a signal takes running subscribers only)."""
        self._app = app
        #: When the screen now on top was put there (Message.time's clock).
        self.shown_at = 0.0
        # At once, not queued: the time is the moment the screen changed.
        app.screen_change_signal.subscribe(app, self._changed, immediate=True)

    def _changed(self, _screen: Screen[Any]) -> None:
        self.shown_at = message_clock()

    def stale(self, event: events.Key) -> bool:
        """Whether ``event`` was typed for an earlier screen and must not act here."""
        if not event.is_printable or event.time >= self.shown_at:
            return False
        if event.is_forwarded:
            # Left unhandled by the widgets it was sent to (on the earlier screen), it
            # came back to the app, which would look it up in this screen's bindings.
            return True
        return not isinstance(self._app.focused, Input)
