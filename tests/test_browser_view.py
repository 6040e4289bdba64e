"""The package browser at 80 and 60 columns (issue 13.7) and with a server that ignores
the list parameters (issue 13.10): what the screen shows is what its labels say."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.test_browser import flat, list_queries, open_browser, settled
from tui.api.client import SORT_FIELDS
from tui.ui.screens.browser import BrowserScreen
from tui.ui.widgets.package_table import PackageTable


def table_lines(app: Any, screen_text: Any) -> list[str]:
    """The screen's lines from the table's header down (the table is the last block)."""
    lines = screen_text(app).splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Name"))
    return lines[header:]


LONG_NAME = "a_package_whose_name_goes_on_and_on_and_on_and_on"


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_nothing_is_cut_without_an_ellipsis(
    make_app, emulator, fake_clock, wait_until, screen_text, size
) -> None:  # type: ignore[no-untyped-def]
    emulator.store.add(
        {
            "packageId": str(uuid.UUID(int=0xC0FFEE)),
            "status": "success",
            "category": "custom",
            "packageDescriptor": {"name": LONG_NAME, "version": 1},
            "uploadedBy": {"login": "someone.with.a.long.login@example.com"},
            "_uploaded_at": fake_clock() + 60,  # the newest: the first row
        }
    )
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_browser(app, pilot, wait_until)
        table = screen.query_one(PackageTable)
        # Every column fits: nothing hides off to the right, half drawn.
        assert table.max_scroll_x == 0
        lines = table_lines(app, screen_text)[:-1]  # the footer is not the table's
        shown = lines[1].split()[0]
        assert shown.endswith("…") and LONG_NAME.startswith(shown[:-1]) and len(shown) >= 20
        assert lines[0].split() == " ".join(c.label.plain for c in table.columns.values()).split()
        names = [p.name or "" for p in screen.loaded.rows]  # type: ignore[union-attr]
        name_width = next(iter(table.columns.values())).get_render_width(table)
        for line in lines[1:]:
            cell = line[:name_width].strip()
            if cell:
                assert cell in names or cell.endswith("…"), cell


SORT_HEADERS = {
    "packageId": "ID",
    "uploadedOn": "Uploaded (UTC)",
    "uploadedBy.id": "Uploader ID",
    "uploadedBy.login": "By",
    "size": "Size",
    "status": "Status",
    "timeout": "Timeout",
    "packageDescriptor.name": "Name",
}


def shown_value(package: Any, sort_field: str) -> str:
    return {
        "packageId": package.package_id,
        "uploadedBy.id": package.uploaded_by.id,
        "uploadedBy.login": package.uploaded_by.login,
        "timeout": str(package.timeout),
    }.get(sort_field, "")


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_the_sort_column_is_always_on_screen(
    make_app, emulator, wait_until, screen_text, size
) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_browser(app, pilot, wait_until)
        seen = []
        for _ in SORT_FIELDS:
            field = screen.query_state.sort_field
            seen.append(field)
            lines = table_lines(app, screen_text)
            # The sorted column's header is shown whole, with the order's arrow.
            assert f"{SORT_HEADERS[field]} ↓" in lines[0], (field, lines[0])
            value = shown_value(screen.loaded.rows[0], field)  # type: ignore[union-attr]
            assert value[:8] in lines[1], (field, lines[1])
            assert screen.query_one(PackageTable).max_scroll_x == 0
            await pilot.press("s")
            await settled(pilot, screen, wait_until)
        assert set(seen) == set(SORT_FIELDS)


async def test_end_home_and_watch_act_on_the_highlighted_row(
    make_app, emulator, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(app, pilot, wait_until)
        table = screen.query_one(PackageTable)
        rows = screen.loaded.rows  # type: ignore[union-attr]
        assert len(rows) > 15  # more rows than fit: End must scroll
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == len(rows) - 1
        assert (rows[-1].name or "")[:15] in screen_text(app)
        await pilot.press("w")
        await pilot.pause()
        assert app.watchlist_store.ids() == [rows[-1].package_id]
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0
        assert (rows[0].name or "")[:15] in screen_text(app)


async def test_keys_in_one_burst(make_app, emulator, wait_until, screen_text) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(app, pilot, wait_until)
        # Sort by uploader, ascending, then End and watch, all in one burst.
        await pilot.press("s", "s", "o", "end", "w")
        await settled(pilot, screen, wait_until)
        assert screen.query_state.sort_field == "uploadedBy.login"
        assert list_queries(emulator)[-1]["sort"] == "uploadedBy.login"
        # The burst's End and w came before the new page: they acted on the old one, and
        # the watched package is the one that was highlighted then (the last row).
        assert len(app.watchlist_store.ids()) == 1
        logins = [p.uploaded_by.login or "" for p in screen.loaded.rows]  # type: ignore[union-attr]
        assert logins == sorted(logins, key=str.lower)
        assert "By ↑" in table_lines(app, screen_text)[0]
        await pilot.press("end", "w", "home")
        await pilot.pause()
        rows = screen.loaded.rows  # type: ignore[union-attr]
        assert rows[-1].package_id in app.watchlist_store.ids()
        assert screen.query_one(PackageTable).cursor_row == 0


# -- a server that ignores sort and filters ------------------------------------------


def ignoring_server(emulator: Any, times: int = 20) -> list[dict[str, Any]]:
    """The next list answers are the whole store in its own order, whatever was asked."""
    items = [
        {k: v for k, v in p.items() if not k.startswith("_")} for p in emulator.store.snapshot()
    ]
    items.sort(key=lambda p: p["uploadedOn"])  # oldest first: the opposite of the default
    body = {
        "page_number": 1,
        "page_size": 50,
        "total_pages": 1,
        "total_number_of_items": len(items),
        "page_items": items,
    }
    emulator.faults.body_next(times, json.dumps(body).encode(), path_prefix="/packages/v2")
    return items


async def test_a_server_that_ignores_the_parameters(
    make_app, emulator, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    items = ignoring_server(emulator)
    statuses = {p["status"] for p in items}
    assert "started" in statuses and len(statuses) > 1
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(app, pilot, wait_until)
        text = flat(screen_text(app))
        assert "Sort upload time ↓" in text
        times = [p.uploaded_on for p in screen.loaded.rows]  # type: ignore[union-attr]
        assert times == sorted(times, reverse=True)  # type: ignore[type-var]
        assert "The server did not sort this page" in text
        await pilot.press("f")  # status: started
        await settled(pilot, screen, wait_until)
        assert list_queries(emulator)[-1]["status"] == "started"
        text = flat(screen_text(app))
        assert "Status started" in text
        rows = screen.loaded.rows  # type: ignore[union-attr]
        assert rows and {p.status_text for p in rows} == {"started"}
        assert screen.query_one(PackageTable).row_count == len(rows)
        assert "The server did not filter this page" in text
        assert f"{len(rows)} of its {len(items)} rows match" in text
        assert isinstance(app.screen, BrowserScreen)


async def test_a_server_that_does_what_was_asked_gets_no_notice(
    make_app, emulator, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(app, pilot, wait_until)
        await pilot.press("f", "s", "o")
        await settled(pilot, screen, wait_until)
        assert "The server did not" not in flat(screen_text(app))
