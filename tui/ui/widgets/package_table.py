"""The package browser's table: which columns fit the terminal (the sorted one always
does), the rows of a page (rich Text cells, every server string inert, cut with ``…``)
and the table widget."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from tui.api.models import Package, Status
from tui.base.safe_text import inert
from tui.polling.present import MISSING, STATUS_LABELS, human_size, status_label
from tui.ui.browse import PAGE_SIZE

__all__ = ["COLUMN_SORT", "PAGE_SIZE", "Column", "PackageTable", "layout", "package_row"]


def short_size(size: int | None) -> str | None:
    """``999 B``, ``2.4 MiB``: narrow enough for a column."""
    if size is None:
        return None
    if 0 <= size < 1024:
        return f"{size} B"
    return human_size(size).split(" (")[0]


def _uploaded(package: Package) -> str | None:
    if package.uploaded_on:
        return package.uploaded_on.strftime("%Y-%m-%d %H:%M")
    return package.uploaded_on_text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # the least it takes (its label with a sort arrow fits)
    value: Callable[[Package], object]
    #: The API's sort field for this column (None: the API cannot sort by it).
    sort_field: str | None = None
    most: int = 0  # room it can use beyond ``width`` when the terminal has it
    #: Shown only while the page is sorted by it (it would crowd out more telling ones).
    only_sorted: bool = False


_STATUS_WIDTH = max(len(f"{symbol} {word}") for symbol, word in STATUS_LABELS.values()) + 1

#: In the order they stand left to right.
COLUMNS = (
    Column("name", "Name", 20, lambda p: p.name or "(no name)", "packageDescriptor.name", 40),
    Column("status", "Status", _STATUS_WIDTH, lambda p: p.status, "status"),
    Column("version", "Ver", 4, lambda p: p.descriptor.version),
    Column("size", "Size", 9, lambda p: short_size(p.size), "size"),
    Column("uploaded", "Uploaded (UTC)", 16, _uploaded, "uploadedOn"),
    Column("category", "Category", 8, lambda p: p.category),
    Column("by", "By", 12, lambda p: p.uploaded_by.login, "uploadedBy.login", 32),
    Column("by_id", "Uploader ID", 13, lambda p: p.uploaded_by.id, "uploadedBy.id", 36, True),
    Column("package_id", "ID", 12, lambda p: p.package_id, "packageId", 36, True),
    Column("timeout", "Timeout", 9, lambda p: p.timeout, "timeout", only_sorted=True),
)
_BY_KEY = {column.key: column for column in COLUMNS}
#: Which columns get the room first; the sorted column comes right after the name.
_PRIORITY = ("name", "status", "uploaded", "size", "category", "by", "version")
#: Column key → the API's sort field (clicking its header sorts by it).
COLUMN_SORT = {c.key: c.sort_field for c in COLUMNS if c.sort_field}
PADDING = 2  # a cell's padding, both sides
SCROLLBAR = 2  # the vertical scroll bar's width, reserved: a page overflows most screens


def layout(width: int, sort_field: str) -> list[tuple[Column, int]]:
    """The columns that fit in ``width`` cells, each with its width: the name and the
    sorted column always, then the others by :data:`_PRIORITY`; spare room widens the
    name, then the other wide ones. Nothing is drawn past the edge, half cut."""
    sorted_key = next((c.key for c in COLUMNS if c.sort_field == sort_field), None)
    order = ["name", *([sorted_key] if sorted_key and sorted_key != "name" else [])]
    order += [key for key in _PRIORITY if key not in order]
    room = width - SCROLLBAR
    widths: dict[str, int] = {}
    for key in order:
        cost = _BY_KEY[key].width + PADDING
        if cost <= room or not widths:
            widths[key] = _BY_KEY[key].width
            room -= cost
    for key in widths:
        grow = min(max(room, 0), _BY_KEY[key].most - widths[key])
        if grow > 0:
            widths[key] += grow
            room -= grow
    return [(c, widths[c.key]) for c in COLUMNS if c.key in widths]


def _cell(value: object, width: int, style: Style | str = "") -> Text:
    shown = MISSING if value is None or value == "" else inert(value, limit=200)
    text = Text(shown, style=style, no_wrap=True, end="")
    text.truncate(width, overflow="ellipsis")  # cut text ends in …, never mid-letter
    return text


def package_row(
    package: Package,
    status_styles: Mapping[Status, Style],
    columns: Sequence[tuple[Column, int]],
) -> tuple[Text, ...]:
    """The cells of one package for ``columns`` (from :func:`layout`): rich Text (never
    markup), every server string made inert; ``status_styles``:
    :func:`tui.ui.widgets.fields.rich_status_styles` of the theme."""
    cells = []
    for column, width in columns:
        if column.key == "status":
            cells.append(_cell(status_label(package), width, status_styles[package.status]))
        else:
            style = "bold" if column.key == "name" else ""
            cells.append(_cell(column.value(package), width, style))
    return tuple(cells)


class PackageTable(DataTable[Text]):
    """The page's rows; Enter opens a package (a DataTable with row cursor). Every column
    fits the width, so Home and End go to the first and last row (not left and right)."""

    # The rest of the screen, no more: with DataTable's own ``height: auto`` the last rows
    # sat below the footer, out of sight, so End highlighted a row nobody could see.
    DEFAULT_CSS = """
    PackageTable {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    _shown: tuple[Sequence[Package], str, bool, Mapping[Status, Style]] | None = None
    _laid_out_for = 0

    def show(
        self,
        rows: Sequence[Package],
        sort_field: str,
        descending: bool,
        status_styles: Mapping[Status, Style],
        keep_cursor: bool = False,
    ) -> None:
        """Fill the table with ``rows``, laid out for its width, the sorted column's
        header marked with the order; ``keep_cursor``: the highlighted row stays put."""
        self._shown = (rows, sort_field, descending, status_styles)
        row = self.cursor_row if keep_cursor else 0
        # Not laid out yet (or hidden behind an error panel): the screen's width.
        self._laid_out_for = self.size.width or self.screen.size.width
        columns = layout(self._laid_out_for, sort_field)
        self.clear(columns=True)
        arrow = " ↓" if descending else " ↑"
        for column, column_width in columns:
            label = column.label + (arrow if column.sort_field == sort_field else "")
            self.add_column(label, key=column.key, width=column_width)
        for index, package in enumerate(rows):
            cells = package_row(package, status_styles, columns)
            self.add_row(*cells, key=f"{index}:{package.package_id or ''}")
        if 0 < row < len(rows):
            self.move_cursor(row=row, animate=False)

    def on_resize(self, event: events.Resize) -> None:
        # Which columns fit depends on the width: lay them out again.
        if self._shown is not None and event.size.width != self._laid_out_for:
            self.show(*self._shown, keep_cursor=True)
