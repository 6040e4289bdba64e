"""The watchlist's rows: a line-API list that draws only the visible rows.

Up to 200 packages are polled; redrawing a widget per row, or a DataTable
cell per change, would cost far more than drawing the few dozen lines on
screen, and of those only the lines whose row changed are repainted. The
screen hands in already inert, one-line cells; this widget lays them out in
columns and keeps a row cursor on the same package across updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tui.api.models import Status
from tui.ui.widgets.lazy import CursorList, fit

#: Column widths after the name, which takes the rest (at least NAME_MIN).
STATUS_WIDTH = 12
ELAPSED_WIDTH = 18
UPDATED_WIDTH = 20
#: On a wide terminal the last column grows to this ("rate limited until Tue 14:05",
#: "⚠ Rate limited, retry 3m 10s") while the name keeps at least NAME_ROOMY.
UPDATED_WIDE = 28
NAME_ROOMY = 30
NAME_MIN = 12


#: The last column never gets narrower than a time ("16:04:45") and a cell.
UPDATED_MIN = 9


def updated_width(width: int) -> int:
    fixed = STATUS_WIDTH + ELAPSED_WIDTH + 3
    if width - fixed - UPDATED_WIDE >= NAME_ROOMY:
        return UPDATED_WIDE
    # Narrow (60 columns): the last column gives way rather than run past the edge,
    # where it would be cropped without "…" (its rows then say the shorter text).
    return max(min(UPDATED_WIDTH, width - fixed - NAME_MIN), UPDATED_MIN)


def name_width(width: int) -> int:
    return max(width - STATUS_WIDTH - ELAPSED_WIDTH - updated_width(width) - 3, NAME_MIN)


def header_line(width: int) -> str:
    return (
        fit("Name", name_width(width))
        + " "
        + fit("Status", STATUS_WIDTH)
        + " "
        + fit("Elapsed / timeout", ELAPSED_WIDTH)
        + " "
        + fit("Last update", updated_width(width))
    )


class WatchHeader(Widget):
    """Column titles aligned with :class:`WatchTable`'s rows (which keep a scrollbar gutter)."""

    DEFAULT_CSS = """
    WatchHeader { height: 1; text-style: bold; }
    """

    def render(self) -> Content:
        return Content(header_line(max(self.size.width - 1, 1)))


@dataclass(frozen=True)
class WatchRow:
    """One package's cells, already inert and one line each."""

    package_id: str
    name: str
    status: str
    elapsed: str
    updated: str
    #: For the status colour; None while nothing was fetched.
    state: Status | None = None
    #: A problem to colour the last column with.
    problem: bool = False
    #: What the last column says instead when ``updated`` does not fit it.
    updated_short: str = ""

    def last_column(self, width: int) -> str:
        fits = len(self.updated) <= width or not self.updated_short
        return fit(self.updated if fits else self.updated_short, width)


def _same_style(a: WatchRow, b: WatchRow) -> bool:
    return a.state == b.state and a.problem == b.problem


def text_span(old: str, new: str) -> tuple[int, int] | None:
    """The cells ``[start, end)`` where two lines differ; None for a whole-line repaint
    (different lengths, or wide characters: cells are not characters then)."""
    if len(old) != len(new) or not (old.isascii() or cell_len(old) == len(old)):
        return None
    if not (new.isascii() or cell_len(new) == len(new)):
        return None
    start = 0
    while start < len(old) and old[start] == new[start]:
        start += 1
    end = len(old)
    while end > start and old[end - 1] == new[end - 1]:
        end -= 1
    return (start, end) if start < end else None


class WatchTable(CursorList):
    """One line per watched package, with a row cursor; Enter opens the package."""

    DEFAULT_CSS = """
    WatchTable > .watch-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    WatchTable:focus > .watch-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    WatchTable > .watch-table--started { color: $text-accent; text-style: bold; }
    WatchTable > .watch-table--success { color: $text-success; text-style: bold; }
    WatchTable > .watch-table--failed { color: $text-error; text-style: bold; }
    WatchTable > .watch-table--timeout { color: $text-warning; text-style: bold; }
    WatchTable > .watch-table--unknown { text-style: bold; }
    WatchTable > .watch-table--muted { color: $text-muted; }
    WatchTable > .watch-table--problem { color: $text-warning; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "watch-table--cursor",
        "watch-table--started",
        "watch-table--success",
        "watch-table--failed",
        "watch-table--timeout",
        "watch-table--unknown",
        "watch-table--muted",
        "watch-table--problem",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Open", show=False),
    ]

    class Chosen(Message):
        def __init__(self, package_id: str) -> None:
            super().__init__()
            self.package_id = package_id

    class Shown(Message):
        """Other rows came into view (scrolled, resized): the screen brings them up to date,
        as its clock ticks update only the rows on screen."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[WatchRow] = []

    def set_rows(self, rows: list[WatchRow]) -> bool:
        """Show ``rows``; the cursor stays on its package. False when nothing changed.

        When the same packages are in the same order, only the lines on screen
        whose row changed are repainted, and of each only the cells that changed:
        a poll answer or a clock tick for a row out of view writes nothing.
        """
        old = self.rows
        if rows == old:
            return False
        current = self.selected_id
        self.rows = rows
        in_place = len(rows) == len(old) and all(
            a.package_id == b.package_id for a, b in zip(old, rows, strict=True)
        )
        if not in_place:
            self._rows_changed()
        index = next((i for i, r in enumerate(rows) if r.package_id == current), None)
        if index is None:
            index = min(self.cursor, max(len(rows) - 1, 0))
        self.cursor = index
        if not in_place:
            self.refresh()
            return True
        width = self._content_width()
        top = round(self.scroll_offset.y)
        regions = []
        for y in self.on_screen():
            if rows[y] == old[y]:
                continue
            before, after = self.line_text_of(old[y], width), self.line_text(y, width)
            span = text_span(before, after) if _same_style(old[y], rows[y]) else None
            start, end = span if span is not None else (0, width)
            regions.append(Region(start, y - top, end - start, 1))
        if regions:
            self.refresh(*regions)
        return True

    def on_screen(self) -> range:
        """Indices of the rows in view."""
        top = max(round(self.scroll_offset.y), 0)
        return range(top, min(top + self.scrollable_content_region.height, len(self.rows)))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.post_message(self.Shown())

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        self.post_message(self.Shown())

    @property
    def selected_id(self) -> str | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor].package_id
        return None

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def line_text(self, index: int, width: int) -> str:
        return self.line_text_of(self.rows[index], width)

    @staticmethod
    def line_text_of(row: WatchRow, width: int) -> str:
        return (
            fit(row.name, name_width(width))
            + " "
            + fit(row.status, STATUS_WIDTH)
            + " "
            + fit(row.elapsed, ELAPSED_WIDTH)
            + " "
            + row.last_column(updated_width(width))
        )

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        index = round(self.scroll_offset.y) + y
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        if index == self.cursor:
            style = base + self.get_component_rich_style("watch-table--cursor")
            return Strip([Segment(fit(self.line_text(index, width), width), style)], width)
        names = name_width(width)
        status_class = (
            f"watch-table--{row.state.value}" if row.state is not None else "watch-table--muted"
        )
        last_class = "watch-table--problem" if row.problem else "watch-table--muted"
        parts: list[tuple[str, Style]] = [
            (fit(row.name, names) + " ", base),
            (
                fit(row.status, STATUS_WIDTH) + " ",
                base + self.get_component_rich_style(status_class),
            ),
            (fit(row.elapsed, ELAPSED_WIDTH) + " ", base),
            (
                row.last_column(updated_width(width)),
                base + self.get_component_rich_style(last_class),
            ),
        ]
        used = sum(cell_len(text) for text, _ in parts)
        segments = [Segment(text, style) for text, style in parts]
        if used < width:
            segments.append(Segment(" " * (width - used), base))
        return Strip(segments, width).crop(0, width)

    def action_choose(self) -> None:
        package_id = self.selected_id
        if package_id is not None:
            self.post_message(self.Chosen(package_id))
