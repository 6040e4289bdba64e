"""The package list's query: the fields it sorts and filters by, checked before a request.

The names and limits are the API's documented ones (``GET /packages/v2``).
"""

from __future__ import annotations

from collections.abc import Mapping

from tui.api.errors import UsageError
from tui.base.safe_text import inert

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
FILTER_FIELDS = ("status", "category", *SORT_FIELDS)
MAX_PAGE_SIZE = 200


def list_params(
    page: int, page_size: int, sort: str | None, filters: Mapping[str, str] | None
) -> list[tuple[str, str]]:
    """Validate list arguments before any request; see the API's documented fields."""
    if page < 1:
        raise UsageError("The page number starts at 1.")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise UsageError(f"The page size must be between 1 and {MAX_PAGE_SIZE}.")
    params = [("page", str(page)), ("page_size", str(page_size))]
    if sort:
        if sort.lstrip("-") not in SORT_FIELDS:
            raise UsageError(
                f"Cannot sort by '{inert(sort, limit=40)}'; use one of: "
                + ", ".join(SORT_FIELDS)
                + " (prefix - for descending)."
            )
        params.append(("sort", sort))
    for key, value in (filters or {}).items():
        if key not in FILTER_FIELDS:
            raise UsageError(f"Cannot filter by '{inert(key, limit=40)}'.")
        params.append((key, value))
    return params
