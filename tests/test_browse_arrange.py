"""The browser's check of a list answer (issue 13.10): a page the server sorted and
filtered as asked is left alone; any other page is made so, and says it was."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.api.client import SORT_FIELDS
from tui.api.models import parse_package, parse_page
from tui.emulator.listing import ListQuery, list_page
from tui.ui.browse import SORT_VALUES, Query, arrange

WORDS = st.sampled_from(["alpha", "Beta", "beta", "gamma", "Zed", "zed", ""])
PACKAGES = st.lists(
    st.fixed_dictionaries(
        {
            "packageId": st.uuids().map(str),
            "status": st.sampled_from(["started", "success", "failed", "timeout"]),
            "category": st.sampled_from(["custom", "cylance"]),
            "size": st.one_of(st.none(), st.integers(0, 5000)),
            "timeout": st.integers(60, 90_000),
            "uploadedOn": st.sampled_from([f"2026-01-0{d}T10:00:00.000Z" for d in range(1, 6)]),
            "uploadedBy": st.fixed_dictionaries({"id": WORDS, "login": WORDS}),
            "packageDescriptor": st.fixed_dictionaries({"name": WORDS, "version": st.just(1)}),
        }
    ),
    max_size=12,
)
QUERIES = st.builds(
    Query,
    sort_field=st.sampled_from(SORT_FIELDS),
    descending=st.booleans(),
    status=st.sampled_from([None, "started", "success"]),
    category=st.sampled_from([None, "custom"]),
)


@settings(max_examples=60, deadline=None)
@given(PACKAGES, QUERIES)
def test_a_page_the_server_got_right_is_left_alone(
    packages: list[dict[str, Any]], q: Query
) -> None:
    body = list_page(
        packages,
        ListQuery(1, 50, q.sort_field, q.descending, tuple(sorted(q.filters.items()))),
    )
    page = parse_page(body)
    arranged = arrange(page.items, q)
    assert arranged.rows == list(page.items)
    assert arranged.notice == ""


@settings(max_examples=60, deadline=None)
@given(PACKAGES, QUERIES)
def test_any_page_is_shown_as_asked(packages: list[dict[str, Any]], q: Query) -> None:
    items = [parse_package(p) for p in packages]
    arranged = arrange(items, q)
    rows = arranged.rows
    assert all(p.status_text == q.status for p in rows) if q.status else True
    assert all(p.category == q.category for p in rows) if q.category else True
    values = [SORT_VALUES[q.sort_field](p) for p in rows]
    exact = [v for v in values if v is not None]
    caseless = [v.casefold() if isinstance(v, str) else v for v in exact]
    assert any(
        kind == sorted(kind, reverse=q.descending)  # type: ignore[type-var]
        for kind in (exact, caseless)
    )
    if arranged.resorted:  # sorted here: missing values go last
        assert values[len(exact) :] == [None] * (len(values) - len(exact))
    dropped = len(items) - len(rows)
    assert bool(arranged.refiltered) == (dropped > 0)
    if arranged.notice and arranged.refiltered:
        assert f"{len(rows)} of its {len(items)} rows match" in arranged.notice


def test_the_notice_names_what_the_server_skipped() -> None:
    items = [
        parse_package({"packageId": "a", "status": "failed", "size": 1}),
        parse_package({"packageId": "b", "status": "started", "size": 3}),
        parse_package({"packageId": "c", "status": "started", "size": 2}),
    ]
    both = arrange(items, Query(sort_field="size", descending=False, status="started"))
    assert [p.package_id for p in both.rows] == ["c", "b"]
    assert both.notice == (
        "The server did not sort or filter this page; cypkg did, on this page only: "
        "2 of its 3 rows match."
    )
    sort_only = arrange(items, Query(sort_field="size", descending=True))
    assert sort_only.notice == "The server did not sort this page; cypkg did, on this page only."
