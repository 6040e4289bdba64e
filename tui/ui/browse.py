"""What the package browser asks for and what it shows of the answer — plain Python.

:class:`Query` is one list request; :func:`arrange` holds the answer to it: a server
that ignores ``sort``, ``status`` or ``category`` (some proxies and older services
do) still gets a page that is what the browser's labels say, sorted and filtered
here, and the browser says it did so (:attr:`Arranged.notice`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol, cast

from tui.api.errors import CypkgError
from tui.api.models import Package, PackagePage
from tui.ui.requests import InternalError, returning_errors

PAGE_SIZE = 50
STATUS_FILTERS: tuple[str | None, ...] = (None, "started", "success", "failed", "timeout")
CATEGORY_FILTERS: tuple[str | None, ...] = (None, "custom", "cylance")

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

SortValue = str | int | datetime | None

#: The API's sort field → the value of a package it sorts by.
SORT_VALUES: dict[str, Callable[[Package], SortValue]] = {
    "packageId": lambda p: p.package_id,
    "uploadedOn": lambda p: p.uploaded_on,
    "uploadedBy.id": lambda p: p.uploaded_by.id,
    "uploadedBy.login": lambda p: p.uploaded_by.login,
    "size": lambda p: p.size,
    "status": lambda p: p.status_text,
    "timeout": lambda p: p.timeout,
    "packageDescriptor.name": lambda p: p.name,
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


@dataclass(frozen=True)
class Arranged:
    """A page as shown: ``rows`` in the asked order, only those the filters let through."""

    rows: list[Package]
    resorted: bool = False
    #: The filters the server's answer did not apply ("status", "category").
    refiltered: tuple[str, ...] = ()
    received: int = 0

    @property
    def notice(self) -> str:
        """One line when the server's answer was not what was asked; empty otherwise."""
        if not self.resorted and not self.refiltered:
            return ""
        done = " or ".join(
            (["sort"] if self.resorted else []) + (["filter"] if self.refiltered else [])
        )
        kept = f": {len(self.rows)} of its {self.received} rows match" if self.refiltered else ""
        return f"The server did not {done} this page; cypkg did, on this page only{kept}."


@dataclass
class Loaded:
    """The page on screen, what was asked for it and how it was arranged."""

    query: Query
    page: PackagePage
    arranged: Arranged = field(default_factory=lambda: Arranged([]))
    #: ``arranged.rows`` that pass the name filter: the table's rows.
    rows: list[Package] = field(default_factory=list)


def _matches(package: Package, name: str, wanted: str) -> bool:
    if name == "status":
        return (package.status_text or package.status.value).strip().lower() == wanted
    return (package.category or "") == wanted


def _comparable(value: SortValue, caseless: bool) -> SortValue:
    return value.casefold() if caseless and isinstance(value, str) else value


def _in_order(values: Sequence[SortValue], descending: bool, caseless: bool) -> bool:
    # Missing values are not judged: where a server puts them is its own business.
    present = [_comparable(v, caseless) for v in values if v is not None]
    try:
        pairs = itertools.pairwise(present)
        return all((b <= a) if descending else (a <= b) for a, b in pairs)  # type: ignore[operator]
    except TypeError:  # values of mixed kinds: nothing sensible to check
        return True


def arrange(items: Sequence[Package], query: Query) -> Arranged:
    """The server's ``items`` as ``query`` asked: filtered, then sorted (stable) when the
    server's order does not follow the sort field (exactly or ignoring case)."""
    refiltered = tuple(
        name
        for name, wanted in query.filters.items()
        if not all(_matches(p, name, wanted) for p in items)
    )
    rows = [p for p in items if all(_matches(p, n, w) for n, w in query.filters.items())]
    value = SORT_VALUES.get(query.sort_field)
    resorted = False
    if value is not None:
        values = [value(p) for p in rows]
        if not any(_in_order(values, query.descending, caseless) for caseless in (False, True)):
            resorted = True
            present = [p for p in rows if value(p) is not None]
            missing = [p for p in rows if value(p) is None]
            try:
                present.sort(
                    key=lambda p: _comparable(value(p), True),  # type: ignore[arg-type,return-value]
                    reverse=query.descending,
                )
            except TypeError:
                present.sort(key=lambda p: str(value(p)), reverse=query.descending)
            rows = present + missing  # missing values last, either way
    return Arranged(rows, resorted, refiltered, len(items))


def fetch_page(client: Callable[[], object], query: Query) -> PackagePage | CypkgError:
    """Runs in a daemon thread: one list request with the app's ``client()`` of the
    moment; errors are returned, never raised."""

    def call() -> PackagePage | CypkgError:
        lister = client()
        if not hasattr(lister, "list_packages"):
            return InternalError("This API client cannot list packages.")
        listing = cast("ListingClient", lister)
        return listing.list_packages(query.page, query.page_size, query.sort, query.filters)

    return returning_errors(call)


def page_counts(query: Query, loaded: Loaded | None) -> tuple[str, str]:
    """``("3", " · 130 packages")`` for the state line; ``("?", "")`` while unknown (the
    page shown was asked with other filters, so its counts are not this query's)."""
    if loaded is None or loaded.query.filters != query.filters:
        return "?", ""
    pages = last_page(loaded.page)
    total = loaded.page.total_number_of_items
    return (
        "?" if pages is None else f"{pages:,}",
        "" if total is None else f" · {total:,} packages",
    )


def last_page(page: PackagePage | None) -> int | None:
    """The last page's number, when the server said how many there are."""
    if page is None or page.total_pages is None:
        return None
    return max(page.total_pages, 1)


def turned(query: Query, shown: PackagePage | None, step: int) -> Query | None:
    """``query`` ``step`` pages on from ``shown``; None when there is no such page."""
    last = last_page(shown)
    wanted = query.page + step
    if wanted < 1 or (last is not None and wanted > last):
        return None
    if last is None and step > 0 and shown is not None and len(shown.items) < query.page_size:
        return None  # total unknown: a short page is the last one
    return replace(query, page=wanted)


def past_the_end(page: PackagePage, query: Query) -> bool:
    last = page.total_pages
    return last is not None and 0 < last < query.page and not page.items


def name_matches(package: Package, needle: str) -> bool:
    if not needle:
        return True
    haystack = f"{package.name or ''} {package.package_id or ''}".casefold()
    return needle.casefold() in haystack


def following(values: Sequence[str | None], current: str | None) -> str | None:
    """The value after ``current`` in ``values``, round; the second when not among them."""
    index = values.index(current) if current in values else 0
    return values[(index + 1) % len(values)]
