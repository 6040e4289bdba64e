"""Label/value rows that update only what changed."""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from textual.color import Color, ColorParseError
from textual.content import Content
from textual.geometry import Region, Size
from textual.widget import Widget
from textual.widgets import Static

from tui.api.models import Package, Status
from tui.polling.present import MISSING, STATUS_LABELS, status_label

#: Colour per status (a theme variable), on top of the symbol and word, which read
#: without colour. The one table: Content styles and the browser's rich cells derive theirs.
STATUS_COLOURS: dict[Status, str | None] = {
    Status.STARTED: "text-accent",
    Status.SUCCESS: "text-success",
    Status.FAILED: "text-error",
    Status.TIMEOUT: "text-warning",
    Status.UNKNOWN: None,
}
STATUS_STYLES: dict[Status, str] = {
    status: f"${colour} bold" if colour else "bold" for status, colour in STATUS_COLOURS.items()
}


def rich_status_styles(variables: Mapping[str, str]) -> dict[Status, Style]:
    """:data:`STATUS_COLOURS` as rich styles, from the theme's variables (for the cells
    of a DataTable, which are rich Text). Textual's colour names (``ansi_green``) are not
    rich's: they go through Textual's parser."""
    styles = {}
    for status, colour in STATUS_COLOURS.items():
        value = variables.get(colour) if colour else None
        try:
            color = Color.parse(value).rich_color if value else None
        except ColorParseError:
            color = None
        styles[status] = Style(bold=True, color=color)
    return styles


def status_content(package: Package) -> Content:
    return Content.styled(status_label(package), STATUS_STYLES[package.status])


def status_word(status: Status) -> str:
    symbol, word = STATUS_LABELS[status]
    return f"{symbol} {word}"


def as_content(value: Content | str) -> Content:
    return value if isinstance(value, Content) else Content(value)


def same_content(a: Content, b: Content) -> bool:
    """Same text and same styling (Content's own == compares the text only)."""
    return a.plain == b.plain and a.spans == b.spans


class ValueStatic(Static):
    """A Static that redraws only when its content really changes, and then only the
    cells that changed when its lines stay as many and as long (a summary line whose
    counts move with every answer)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self._current: Content = Content("")

    @property
    def current(self) -> Content:
        return self._current

    def set(self, content: Content | str) -> bool:
        new, old = as_content(content), self._current
        if same_content(new, old):
            return False
        self._current = new
        regions = self._changed_cells(old, new)
        if regions is None:
            # A layout pass repaints more than this widget (a list's scroll bar beside
            # it, on every update of a summary line): skip it when the size stays.
            self.update(new, layout=self._may_resize(old, new))
        elif regions:
            self.refresh(*regions)
        return True

    def render(self) -> Content:
        return self._current

    def _changed_cells(self, old: Content, new: Content) -> list[Region] | None:
        """The cells to repaint, when a partial repaint will do; None for a full one.

        The lines are wrapped as Textual draws them (``Content.wrap`` is the same
        code with the same rules), so only plain left-aligned wrapping qualifies.
        """
        styles = self.styles
        if (
            self._may_resize(old, new)
            or styles.text_align not in ("left", "start")
            or styles.text_wrap != "wrap"
            or styles.line_pad
        ):
            return None
        width = self.content_size.width
        overflow = styles.text_overflow
        before, after = old.wrap(width, overflow=overflow), new.wrap(width, overflow=overflow)
        if len(before) != len(after):
            return None
        left, top = styles.gutter.left, styles.gutter.top
        regions = []
        for y, (a, b) in enumerate(zip(before, after, strict=True)):
            if same_content(a, b):
                continue
            span = changed_span(a, b)
            start, end = span if span is not None else (0, width)
            regions.append(Region(left + start, top + y, end - start, 1))
        return regions

    def _may_resize(self, old: Content, new: Content) -> bool:
        if not self.is_mounted or old.cell_length != new.cell_length:
            return True
        width = self.content_size.width
        if width <= 0:
            return True
        return len(old.wrap(width)) != len(new.wrap(width))


def changed_span(old: Content, new: Content) -> tuple[int, int] | None:
    """The cells ``[start, end)`` where two one-line texts differ, if only those changed.

    None when a repaint of the cells alone would not do: different lengths,
    different styling, several lines or wide characters (cells ≠ characters).
    Over SSH this is the difference between rewriting ``4`` and a whole line
    for a countdown.
    """
    a, b = old.plain, new.plain
    if len(a) != len(b) or "\n" in a or "\n" in b or old.spans != new.spans:
        return None
    if old.cell_length != len(a) or new.cell_length != len(b):
        return None
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if start == len(a):
        return None
    end = len(a)
    while end > start and a[end - 1] == b[end - 1]:
        end -= 1
    return start, end


class LiveLine(Widget):
    """One line that changes often (a countdown, an elapsed time).

    When only some characters change, only those cells are repainted, so a
    once-a-second update costs a few bytes on the terminal rather than a line.
    """

    DEFAULT_CSS = """
    LiveLine { height: 1; width: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._current: Content = Content("")

    @property
    def current(self) -> Content:
        return self._current

    def set(self, content: Content | str) -> bool:
        new, old = as_content(content), self._current
        if same_content(new, old):
            return False
        self._current = new
        span = changed_span(old, new) if self.styles.text_align in ("left", "start") else None
        if span is None or not self.is_mounted:
            self.refresh(layout=self._may_resize(old, new))
        else:
            start, end = span
            self.refresh(Region(start, 0, end - start, 1))
        return True

    def _may_resize(self, old: Content, new: Content) -> bool:
        """Whether the new text can change the widget's width (a layout pass, a bigger repaint)."""
        if old.cell_length == new.cell_length:
            return False
        width = self.styles.width
        if width is not None and not width.is_auto:
            return False  # a fixed or fractional width: the text does not size the widget
        min_width = self.styles.min_width
        floor = int(min_width.value) if min_width is not None and min_width.is_cells else 0
        return max(old.cell_length, new.cell_length) > floor

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._current.cell_length

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1

    def render(self) -> Content:
        return self._current


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
        self._labels = dict(fields)
        self._values: dict[str, Content] = {key: Content(MISSING) for key, _ in fields}
        self._hidden: set[str] = set()
        #: Each field's drawn lines at ``_rows_width``: a change rewraps one field only.
        self._rows: dict[str, list[Content]] = {}
        self._rows_width = -1

    def set(self, key: str, content: Content | str) -> None:
        new = as_content(content)
        if same_content(new, self._values[key]):
            return
        self._values[key] = new
        width = self.content_size.width
        if not self.is_mounted or width <= 0:
            # Not laid out yet (a hidden tab): it is drawn in full when shown.
            self._rows.pop(key, None)
            self.refresh(layout=True)
            return
        before = self._row(key, width)
        self._rows.pop(key, None)
        after = self._row(key, width)
        if key in self._hidden:
            return
        if len(after) != len(before):
            # A new height needs a layout pass.
            self.refresh(layout=True)
            return
        # The same height: repaint only the cells that changed, not the table.
        top = 0
        for other, _label in self.fields:
            if other == key:
                break
            if other not in self._hidden:
                top += len(self._row(other, width))
        regions = []
        for y, (old_line, new_line) in enumerate(zip(before, after, strict=True), top):
            if same_content(old_line, new_line):
                continue
            span = changed_span(old_line, new_line)
            start, end = span if span is not None else (0, width)
            regions.append(Region(start, y, end - start, 1))
        if regions:
            self.refresh(*regions)

    def value(self, key: str) -> Content:
        return self._values[key]

    def show_row(self, key: str, visible: bool) -> None:
        hidden = key not in self._hidden
        if visible != hidden:
            self._hidden.symmetric_difference_update({key})
            self.refresh(layout=True)

    def _row(self, key: str, width: int) -> list[Content]:
        if width != self._rows_width:
            self._rows.clear()
            self._rows_width = width
        rows = self._rows.get(key)
        if rows is None:
            value_width = max(width - self.LABEL_WIDTH, 10)
            wrapped = self._values[key].wrap(value_width) or [Content("")]
            head = Content.styled(self._labels[key].ljust(self.LABEL_WIDTH), "$text-muted")
            blank = Content(" " * self.LABEL_WIDTH)
            rows = [(head if i == 0 else blank) + line for i, line in enumerate(wrapped)]
            self._rows[key] = rows
        return rows

    def _lines(self, width: int) -> list[Content]:
        lines: list[Content] = []
        for key, _label in self.fields:
            if key not in self._hidden:
                lines.extend(self._row(key, width))
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Content:
        return Content("\n").join(self._lines(self.content_size.width or 80))
