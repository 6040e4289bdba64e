"""A file path input that completes names from the file system (→ or End accepts).

The suggestion is the first name, in sorted order, of the typed directory that starts
with what follows the last ``/``; a directory's gets a ``/`` so the next name
completes right after. The directory is read in a daemon thread (a slow network
mount must not freeze the UI), and only so far: a huge directory costs no more
than :data:`MAX_ENTRIES` names. A name that is not all printable characters is never
suggested (it can still be typed).

→ or End pressed before the suggestion arrived (typed in a burst, or quickly after
the last letter) still completes: the key waits for the listing (at most
:data:`COMPLETE_WAIT` seconds; the keys behind it wait too, so they come after the
completion, in the order typed).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester

from tui.ui.requests import in_daemon_thread
from tui.ui.typeahead import drained
from tui.ui.widgets.still import StillInput

MAX_ENTRIES = 5000
#: How long → or End waits for a directory listing not read yet (a slow mount).
COMPLETE_WAIT = 1.0


def expand(value: str) -> Path:
    """What a typed path names (``~`` expanded; relative to the current directory)."""
    return Path(os.path.expanduser(value.strip()))


def complete_path(value: str) -> str | None:
    """``value`` completed by one name of its directory, or None (blocking: a thread)."""
    if not value or value.endswith(("/.", "/..")) or value in (".", ".."):
        return None
    head, _, prefix = value.rpartition("/")
    directory = os.path.expanduser(head + "/" if head or value.startswith("/") else ".")
    show_hidden = prefix.startswith(".")
    names: list[tuple[str, bool]] = []
    try:
        with os.scandir(directory) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_ENTRIES:
                    break
                if entry.name.startswith(prefix) and entry.name != prefix:
                    if entry.name.startswith(".") and not show_hidden:
                        continue
                    if not entry.name.isprintable():
                        # Escapes, bidi or zero-width characters, undecodable bytes: shown
                        # as a suggestion they would reach the terminal (or mislead).
                        continue
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    names.append((entry.name, is_dir))
    except OSError:
        return None
    if not names:
        return None
    name, is_dir = min(names)
    return value + name[len(prefix) :] + ("/" if is_dir else "")


class PathSuggester(Suggester):
    def __init__(self) -> None:
        # Case-sensitive: file names are; no cache, the directory may change.
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await in_daemon_thread(lambda: complete_path(value), name="cypkg-complete")


class PathInput(StillInput):
    """An input for a file path, completed as typed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: handled when the app reads the key, in the order typed (a plain
        # binding runs once the key came back from the input, after later keys).
        Binding(
            "right",
            "complete('right')",
            "Complete",
            show=False,
            priority=True,
            tooltip="Complete the file path (at the end of the text; End too)",
        ),
        Binding("end", "complete('end')", "Complete", show=False, priority=True),
    ]

    def __init__(self, value: str = "", **kwargs: object) -> None:
        super().__init__(value, suggester=PathSuggester(), **kwargs)

    async def action_complete(self, key: str) -> None:
        """Accept the completion at the end of the text, even one not suggested yet."""
        await drained(self)  # the letters typed before this key are in the value
        value = self.value
        if self.cursor_at_end and value:
            completion: str | None = self._suggestion  # the suggestion for this value
            if not completion:
                try:
                    completion = await asyncio.wait_for(
                        in_daemon_thread(lambda: complete_path(value), name="cypkg-complete"),
                        COMPLETE_WAIT,
                    )
                except (asyncio.TimeoutError, OSError):
                    completion = None
            if completion and self.value == value:
                self.value = completion
                self.cursor_position = len(completion)
                return
        if key == "end":
            self.action_end()
        else:
            self.action_cursor_right()
