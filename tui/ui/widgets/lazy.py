"""Line-API widgets that draw only the rows on screen.

A package may carry thousands of examples and a description of hundreds of
kilobytes; mounting a widget per row, or laying out the whole text, would
make the detail screen slow to open. These widgets keep plain strings and
render the visible lines on demand, so their cost does not grow with the data.
Everything they are given is already inert text; it is drawn as plain
segments, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.ui.hanging import wrap_hanging


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells (with an ellipsis) and padded to exactly that."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length > width:
        text = chop_cells(text, width - 1)[0] + "…"
        length = cell_len(text)
    return text + " " * max(width - length, 0)


def wrap_words(line: str, width: int) -> list[str]:
    """Greedy word wrap of a line whose characters are one cell each.

    Breaks at the last space that fits and drops it; a word longer than the
    width is cut. Thousands of lines wrap in milliseconds, where building a
    ``Content`` per line took about a second for a 300 KB description.
    """
    parts: list[str] = []
    start, length = 0, len(line)
    # The spaces that indent a line (JSON) are no place to break it.
    indent = length - len(line.lstrip(" "))
    while length - start > width:
        cut = line.rfind(" ", max(start, indent), start + width + 1)
        if cut <= start:
            parts.append(line[start : start + width])
            start += width
        else:
            parts.append(line[start:cut])
            start = cut + 1
    parts.append(line[start:])
    return parts


def chop(line: str, width: int) -> list[str]:
    """A line cut into pieces of ``width`` cells (JSON: no word boundaries)."""
    if line.isascii():
        return [line[i : i + width] for i in range(0, len(line), width)]
    return chop_cells(line, width)


class TextView(ScrollView, can_focus=True):
    """Read-only text, wrapped to the width, scrolled by keys and mouse.

    The text may be given as a function that makes it; it is called, and the
    text wrapped, only when the view is first drawn (a tab never opened costs
    nothing) or its line count is asked for.
    """

    DEFAULT_CSS = """
    TextView {
        height: 1fr;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_up", "Scroll up", show=False),
        Binding("down", "scroll_down", "Scroll down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown,space", "page_down", "Page down", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
    ]

    def __init__(
        self,
        text: str = "",
        *,
        word_wrap: bool = False,
        hanging: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        #: Break long lines between words (prose) rather than at the edge (JSON).
        self.word_wrap = word_wrap
        #: With word_wrap: continuation lines under the line's text column (help).
        self.hanging = hanging
        self._text = ""
        self._maker: Callable[[], str] | None = None
        self._lines: list[str] | None = None
        self._wrapped: list[str] = []
        self._wrap_width = -1
        self.set_text(text)

    @property
    def text(self) -> str:
        if self._maker is not None:
            self._text, self._maker = self._maker(), None
        return self._text

    def set_text(self, text: str | Callable[[], str]) -> None:
        """Show ``text``, or what ``text()`` returns when the view is first drawn."""
        if isinstance(text, str):
            if self._maker is None and text == self._text and self._lines is not None:
                return
            self._text, self._maker = text, None
        else:
            self._maker = text
        self._lines = None
        self._wrap_width = -1
        if self.is_mounted:
            if self.region:
                # In view: wrap now, so the scroll bar is right in the next frame.
                self._rewrap()
            self.scroll_home(animate=False)
            self.refresh()

    @property
    def line_count(self) -> int:
        """Lines as drawn at the current width."""
        self._rewrap()
        return len(self._wrapped)

    def _content_width(self) -> int:
        return max(self.scrollable_content_region.width, 1)

    def _rewrap(self) -> None:
        width = self._content_width()
        if width == self._wrap_width and self._lines is not None:
            return
        if self._lines is None:
            self._lines = self.text.split("\n")
        self._wrap_width = width
        wrapped: list[str] = []
        add, extend = wrapped.append, wrapped.extend
        for line in self._lines:
            if len(line) <= width and (line.isascii() or cell_len(line) <= width):
                add(line)
            elif not self.word_wrap:
                extend(chop(line, width))
            elif self.hanging and (line.isascii() or cell_len(line) == len(line)):
                extend(wrap_hanging(line, width))
            elif line.isascii():
                extend(wrap_words(line, width))
            else:
                # Wide characters (CJK, emoji): let Textual measure the cells.
                extend(part.plain for part in Content(line).wrap(width))
        self._wrapped = wrapped
        self.virtual_size = Size(width, len(wrapped))

    def on_resize(self, event: events.Resize) -> None:
        if self.region:
            self._rewrap()

    def render_line(self, y: int) -> Strip:
        self._rewrap()
        width = self._content_width()
        style = self.rich_style
        index = round(self.scroll_offset.y) + y
        if index >= len(self._wrapped):
            return Strip.blank(width, style)
        return Strip([Segment(fit(self._wrapped[index], width), style)], width)


class CursorList(ScrollView, can_focus=True):
    """A line-API list with a row cursor: keys, mouse and scrolling shared by its kinds.

    Subclasses keep their rows, say how many there are (``row_count``) and draw
    one with ``render_line``; ``cursor_moved`` hears where the cursor went.
    """

    DEFAULT_CSS = """
    CursorList {
        height: 1fr;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("down", "move(1)", "Next", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=False, init=False)

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def _content_width(self) -> int:
        return max(self.scrollable_content_region.width, 1)

    def _rows_changed(self) -> None:
        self.virtual_size = Size(self._content_width(), self.row_count)

    def on_resize(self, event: events.Resize) -> None:
        self._rows_changed()

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        height = self.scrollable_content_region.height
        top = round(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif height > 0 and new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False)
        self.cursor_moved(new)

    def cursor_moved(self, index: int) -> None:
        """The cursor is now on row ``index`` (subclasses announce it if they need to)."""

    def _set_cursor(self, index: int) -> None:
        if self.row_count:
            self.cursor = min(max(index, 0), self.row_count - 1)

    def action_move(self, step: int) -> None:
        self._set_cursor(self.cursor + step)

    def action_page(self, step: int) -> None:
        self._set_cursor(self.cursor + step * max(self.scrollable_content_region.height - 1, 1))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(self.row_count - 1)

    def on_click(self, event: events.Click) -> None:
        self._set_cursor(round(self.scroll_offset.y) + event.y)


class ExampleList(CursorList):
    """One line per example (number, description, invocation) and a row cursor."""

    DEFAULT_CSS = """
    ExampleList > .example-list--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    ExampleList:focus > .example-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"example-list--cursor"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Copy invocation", show=False),
    ]

    #: Width of the description column; the invocation gets the rest.
    DESCRIPTION_WIDTH = 30

    class Highlighted(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class Chosen(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[tuple[str, str]] = []

    def set_rows(self, rows: list[tuple[str, str]]) -> None:
        """``(description, invocation)`` per example, already inert and one-line."""
        self._rows = rows
        self._rows_changed()
        self.cursor = min(self.cursor, max(len(rows) - 1, 0))
        self.refresh()
        self.post_message(self.Highlighted(self.cursor))

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        index = round(self.scroll_offset.y) + y
        base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        description, invocation = self._rows[index]
        number = f"{index + 1:>6}  "
        desc_width = min(self.DESCRIPTION_WIDTH, max(width - len(number) - 10, 0))
        line = number + fit(description, desc_width) + "  "
        line += fit(invocation, max(width - cell_len(line), 0))
        style: Style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("example-list--cursor")
        return Strip([Segment(fit(line, width), style)], width)

    def cursor_moved(self, index: int) -> None:
        self.post_message(self.Highlighted(index))

    def action_choose(self) -> None:
        if self._rows:
            self.post_message(self.Chosen(self.cursor))
