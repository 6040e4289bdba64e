"""The package browser's table: what a list request asks for (:class:`Query`), the rows
of a page (rich Text cells, every server string inert) and the table widget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable

from tui.api.models import Package, PackagePage, Status
from tui.base.safe_text import inert
from tui.polling.present import MISSING, human_size, status_label

PAGE_SIZE = 50


#: Column key → the API's sort field (the other columns cannot be sorted by the API).
COLUMN_SORT = {
    "name": "packageDescriptor.name",
    "status": "status",
    "size": "size",
    "uploaded": "uploadedOn",
    "by": "uploadedBy.login",
}


SORT_LABELS = {
    "packageId": "package ID",
    "uploadedOn": "upload time",
    "uploadedBy.id": "uploader ID",
    "uploadedBy.login": "uploader",
    "size": "size",
    "status": "status",
    "timeout": "timeout",
    "packageDescriptor.name": "name",
}


class ListingClient(Protocol):
    def list_packages(
        self,
        page: int = 1,
        page_size: int = 20,
        sort: str | None = None,
        filters: Mapping[str, str] | None = None,
    ) -> PackagePage: ...


@dataclass(frozen=True)
class Query:
    """What one list request asks for."""

    page: int = 1
    sort_field: str = "uploadedOn"
    descending: bool = True
    status: str | None = None
    category: str | None = None
    page_size: int = PAGE_SIZE

    @property
    def sort(self) -> str:
        return f"{'-' if self.descending else ''}{self.sort_field}"

    @property
    def filters(self) -> dict[str, str]:
        pairs = (("status", self.status), ("category", self.category))
        return {key: value for key, value in pairs if value}


@dataclass
class Loaded:
    """The page on screen and what was asked for it."""

    query: Query
    page: PackagePage
    rows: list[Package] = field(default_factory=list)


def _cell(value: object, limit: int, style: str = "") -> Text:
    shown = MISSING if value is None or value == "" else inert(value, limit=limit)
    return Text(shown, style=style, no_wrap=True, end="")


def package_row(package: Package, status_styles: Mapping[Status, Style]) -> tuple[Text, ...]:
    """The cells of one package: rich Text (never markup), every server string made inert;
    ``status_styles``: :func:`tui.ui.widgets.fields.rich_status_styles` of the theme."""
    uploaded = package.uploaded_on.strftime("%Y-%m-%d %H:%M") if package.uploaded_on else None
    if uploaded is None and package.uploaded_on_text:
        uploaded = package.uploaded_on_text
    return (
        _cell(package.name or "(no name)", 40, "bold"),
        Text(status_label(package), style=status_styles[package.status], no_wrap=True, end=""),
        _cell(package.descriptor.version, 8),
        _cell(short_size(package.size), 16),
        _cell(uploaded, 24),
        _cell(package.category, 12),
        _cell(package.uploaded_by.login or package.uploaded_by.id, 32),
    )


def short_size(size: int | None) -> str | None:
    """``999 B``, ``2.4 MiB``: narrow enough for a column."""
    if size is None:
        return None
    if 0 <= size < 1024:
        return f"{size} B"
    return human_size(size).split(" (")[0]


def name_matches(package: Package, needle: str) -> bool:
    if not needle:
        return True
    haystack = f"{package.name or ''} {package.package_id or ''}".casefold()
    return needle.casefold() in haystack


#: Cells the columns from Status to Category take (with their padding and the
#: scroll bar): on a wide terminal the name column gets the rest, up to 40.
COLUMNS_BESIDE_NAME = 62


class PackageTable(DataTable[Text]):
    """The page's rows; Enter opens a package (a DataTable with row cursor)."""
