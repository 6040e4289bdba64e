"""Label/value rows that update only what changed."""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from tui.api.models import Package, Status
from tui.present import MISSING, STATUS_LABELS, status_label

#: Colour per status, on top of the symbol and word (which read without colour).
STATUS_STYLES: dict[Status, str] = {
    Status.STARTED: "$text-accent bold",
    Status.SUCCESS: "$text-success bold",
    Status.FAILED: "$text-error bold",
    Status.TIMEOUT: "$text-warning bold",
    Status.UNKNOWN: "bold",
}


def status_content(package: Package) -> Content:
    return Content.styled(status_label(package), STATUS_STYLES[package.status])


def status_word(status: Status) -> str:
    symbol, word = STATUS_LABELS[status]
    return f"{symbol} {word}"


class ValueStatic(Static):
    """A Static that redraws only when its content really changes."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self._current: Content = Content("")

    @property
    def current(self) -> Content:
        return self._current

    def set(self, content: Content | str) -> bool:
        new = content if isinstance(content, Content) else Content(content)
        # Content's == compares the text only; a change of style counts too.
        if new.plain == self._current.plain and new.spans == self._current.spans:
            return False
        self._current = new
        self.update(new)
        return True


class FieldTable(Widget):
    """Labelled values in one widget; values wrap under themselves, not under the label.

    One widget instead of a row of widgets per field keeps the detail screen
    quick to open; ``set`` redraws only when a value really changed.
    """

    DEFAULT_CSS = """
    FieldTable { height: auto; width: 1fr; }
    """

    LABEL_WIDTH = 17

    def __init__(self, fields: list[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fields = fields
        self._values: dict[str, Content] = {key: Content(MISSING) for key, _ in fields}
        self._hidden: set[str] = set()

    def set(self, key: str, content: Content | str) -> None:
        new = content if isinstance(content, Content) else Content(content)
        old = self._values[key]
        if new.plain == old.plain and new.spans == old.spans:
            return
        width = self.content_size.width or 80
        lines_before = len(self._lines(width))
        self._values[key] = new
        # A new height needs a layout pass; the same height only a repaint.
        self.refresh(layout=len(self._lines(width)) != lines_before)

    def value(self, key: str) -> Content:
        return self._values[key]

    def show_row(self, key: str, visible: bool) -> None:
        hidden = key not in self._hidden
        if visible != hidden:
            self._hidden.symmetric_difference_update({key})
            self.refresh(layout=True)

    def _lines(self, width: int) -> list[Content]:
        value_width = max(width - self.LABEL_WIDTH, 10)
        blank = Content(" " * self.LABEL_WIDTH)
        lines: list[Content] = []
        for key, label in self.fields:
            if key in self._hidden:
                continue
            wrapped = self._values[key].wrap(value_width) or [Content("")]
            head = Content.styled(label.ljust(self.LABEL_WIDTH), "$text-muted")
            lines.extend((head if i == 0 else blank) + line for i, line in enumerate(wrapped))
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Content:
        return Content("\n").join(self._lines(self.content_size.width or 80))
