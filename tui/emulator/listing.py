"""``GET /packages/v2`` query rules: paging, sorting and equality filters."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
SORT_FIELDS = (
    "packageId",
    "uploadedOn",
    "uploadedBy.id",
    "uploadedBy.login",
    "size",
    "status",
    "timeout",
    "packageDescriptor.name",
)
FILTER_FIELDS = (*SORT_FIELDS, "category")
# IDs and e-mail logins compare case-insensitively, like the UUIDs in paths.
_CASELESS = frozenset({"packageId", "uploadedBy.id", "uploadedBy.login"})


class ListError(Exception):
    """A query the service answers with 400; ``str()`` is the message."""


@dataclass(frozen=True)
class ListQuery:
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    sort_field: str = "uploadedOn"
    descending: bool = True
    filters: tuple[tuple[str, str], ...] = ()


def _int(text: str, message: str, low: int, high: int | None = None) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ListError(message) from None
    if value < low or (high is not None and value > high):
        raise ListError(message)
    return value


def parse_query(params: dict[str, list[str]]) -> ListQuery:
    """Validate query parameters (first value of each wins; unknown names are ignored)."""
    first = {name: values[0] for name, values in params.items() if values}
    page = _int(first.get("page", "1"), "The page number requested is not supported.", 1)
    page_size = _int(
        first.get("page_size", str(DEFAULT_PAGE_SIZE)),
        "The page size requested is not supported.",
        1,
        MAX_PAGE_SIZE,
    )
    sort = first.get("sort", "-uploadedOn").strip()
    descending = sort.startswith("-")
    sort_field = sort[1:] if descending else sort
    if sort_field not in SORT_FIELDS:
        raise ListError("The sort field requested is not supported.")
    filters = tuple((name, first[name]) for name in FILTER_FIELDS if name in first)
    return ListQuery(page, page_size, sort_field, descending, filters)


def field_value(package: dict[str, Any], dotted: str) -> Any:
    """``uploadedBy.login`` → package["uploadedBy"]["login"]; None when any step is missing."""
    value: Any = package
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _matches(package: dict[str, Any], name: str, wanted: str) -> bool:
    value = field_value(package, name)
    if value is None or isinstance(value, (dict, list)):
        return False
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if name in _CASELESS:
        return text.lower() == wanted.lower()
    return text == wanted


def _sort_key(package: dict[str, Any], name: str) -> tuple[int, Any]:
    # Missing values sort last ascending; numbers and text never meet in one comparison.
    value = field_value(package, name)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    if isinstance(value, str):
        return (1, value.lower() if name in _CASELESS else value)
    return (2, "")


def list_page(packages: list[dict[str, Any]], query: ListQuery) -> dict[str, Any]:
    """The list response body for ``query`` over ``packages``."""
    selected = [
        p for p in packages if all(_matches(p, name, wanted) for name, wanted in query.filters)
    ]
    # packageId as the tie-breaker keeps pages stable across requests.
    selected.sort(key=lambda p: str(p.get("packageId", "")))
    selected.sort(key=lambda p: _sort_key(p, query.sort_field), reverse=query.descending)
    total = len(selected)
    start = (query.page - 1) * query.page_size
    return {
        "page_number": query.page,
        "page_size": query.page_size,
        "total_pages": math.ceil(total / query.page_size),
        "total_number_of_items": total,
        "page_items": selected[start : start + query.page_size],
    }
