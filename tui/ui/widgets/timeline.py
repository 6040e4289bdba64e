"""The status timeline: every status a package was seen in this session, with its time.

One line under the detail screen's title, e.g.
``Timeline  20:31:02 ◷ started → 20:35:40 ✔ success``. Hidden until a second
status was seen (a package that was finished when opened has no story to
tell); when the line is too narrow, the oldest changes give way (after the
first) and a ``…`` says so.
"""

from __future__ import annotations

from datetime import datetime, timezone

from textual.content import Content
from textual.widget import Widget

from tui.api.models import Status
from tui.base.safe_text import inert
from tui.polling.history import SeenStatus
from tui.polling.present import STATUS_LABELS
from tui.ui.widgets.fields import STATUS_STYLES


def timeline_parts(entries: list[SeenStatus]) -> list[Content]:
    parts = []
    for entry in entries:
        symbol, word = STATUS_LABELS[entry.status]
        if entry.status is Status.UNKNOWN and entry.text:
            word = inert(entry.text, limit=20)
        stamp = datetime.fromtimestamp(entry.at, tz=timezone.utc).astimezone()
        parts.append(
            Content.assemble(
                f"{stamp:%H:%M:%S} ", (f"{symbol} {word}", STATUS_STYLES[entry.status])
            )
        )
    return parts


class StatusTimeline(Widget):
    DEFAULT_CSS = """
    StatusTimeline { height: 1; padding: 0 1; display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[SeenStatus] = []

    def show(self, entries: list[SeenStatus]) -> None:
        if entries == self.entries:
            return
        self.entries = list(entries)
        self.display = len(entries) > 1
        self.refresh()

    def render(self) -> Content:
        width = self.content_size.width or 78
        head = Content.styled("Timeline  ", "$text-muted")
        parts = timeline_parts(self.entries)
        arrow = Content(" → ")
        for skip in range(len(parts)):
            # Drop the oldest changes after the first until the line fits.
            shown = parts if skip == 0 else [parts[0], Content("…"), *parts[skip + 1 :]]
            line = head + arrow.join(shown)
            if line.cell_length <= width or len(shown) <= 2:
                return line
        return head + arrow.join(parts)
