"""The package browser: paging, API sort and filters, the name filter, open, watch, 403."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs

from tui.config import Profile, Secret
from tui.emulator import DEMO
from tui.emulator.seed import DEMO_PACKAGE_ID
from tui.ui.screens.browser import BrowserScreen
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.lookup import LookupScreen
from tui.ui.widgets.package_table import PAGE_SIZE, PackageTable

EXTRA = 130  # plus the emulator's own samples: several pages


def flat(text: str) -> str:
    return " ".join(text.split())


def add_packages(emulator: Any, now: float, count: int = EXTRA) -> None:
    for n in range(count):
        emulator.store.add(
            {
                "packageId": str(uuid.UUID(int=0xB0000 + n)),
                "status": ("success", "failed", "started")[n % 3],
                "category": "cylance" if n % 5 == 0 else "custom",
                "size": 1000 + n,
                "timeout": 86_400,
                "packageDescriptor": {"name": f"bulk-{n:03d} [/]\x1b]0;pwned\x07", "version": 1},
                "uploadedBy": {"login": f"user{n}@example.com"},
                "_uploaded_at": now - n * 60,
            }
        )


def list_queries(emulator: Any) -> list[dict[str, str]]:
    return [
        {k: v[0] for k, v in parse_qs(r.query).items()}
        for r in emulator.requests
        if r.method == "GET" and r.path == "/packages/v2"
    ]


async def open_browser(app: Any, pilot: Any, wait_until: Any) -> BrowserScreen:
    await pilot.pause()
    await pilot.press("f3")
    await wait_until(pilot, lambda: isinstance(app.screen, BrowserScreen), what="browser")
    screen = app.screen
    await settled(pilot, screen, wait_until)
    return screen


async def settled(pilot: Any, screen: BrowserScreen, wait_until: Any) -> None:
    await wait_until(
        pilot,
        lambda: not screen.in_flight and (screen.loaded is not None or screen.error is not None),
        what="page loaded",
    )
    await pilot.pause()


async def test_paging_sort_and_filters(
    make_app, emulator, fake_clock, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    add_packages(emulator, fake_clock())
    total = len(emulator.store)
    pages = -(-total // PAGE_SIZE)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(app, pilot, wait_until)
        table = screen.query_one(PackageTable)
        text = flat(screen_text(app))
        assert f"Page 1 of {pages} · {total:,} packages" in text
        assert table.row_count == PAGE_SIZE
        # Server text is shown literally: markup and escape sequences are inert.
        assert "[/]␛]0;pwned␇" in text
        assert list_queries(emulator)[-1] == {"page": "1", "page_size": "50", "sort": "-uploadedOn"}

        await pilot.press("n")
        await settled(pilot, screen, wait_until)
        assert screen.query_state.page == 2 and list_queries(emulator)[-1]["page"] == "2"
        assert f"Page 2 of {pages}" in flat(screen_text(app))
        await pilot.press("greater_than_sign")
        await settled(pilot, screen, wait_until)
        assert screen.query_state.page == pages
        assert table.row_count == total - (pages - 1) * PAGE_SIZE
        requests = len(list_queries(emulator))
        await pilot.press("n")  # past the end: a bell, no request
        await pilot.pause()
        assert len(list_queries(emulator)) == requests
        await pilot.press("p")
        await settled(pilot, screen, wait_until)
        assert screen.query_state.page == pages - 1
        await pilot.press("less_than_sign")
        await settled(pilot, screen, wait_until)
        assert screen.query_state.page == 1

        # Sort: any documented field, both ways (here: by size, smallest first).
        screen.sort_by("size", descending=False)
        await settled(pilot, screen, wait_until)
        assert list_queries(emulator)[-1]["sort"] == "size"
        sizes = [p.size or 0 for p in screen.loaded.rows]  # type: ignore[union-attr]
        assert sizes == sorted(sizes)
        await pilot.press("o")
        await settled(pilot, screen, wait_until)
        assert list_queries(emulator)[-1]["sort"] == "-size"
        sizes = [p.size or 0 for p in screen.loaded.rows]  # type: ignore[union-attr]
        assert sizes == sorted(sizes, reverse=True)
        assert "Sort size ↓" in flat(screen_text(app))
        await pilot.press("s")  # the next sort field, same order
        await settled(pilot, screen, wait_until)
        assert list_queries(emulator)[-1]["sort"] == "-status"

        # Filters go to the API; the page count follows them.
        await pilot.press("f")
        await settled(pilot, screen, wait_until)
        assert list_queries(emulator)[-1]["status"] == "started"
        assert {p.status_text for p in screen.loaded.rows} == {"started"}  # type: ignore[union-attr]
        await pilot.press("g")
        await settled(pilot, screen, wait_until)
        query = list_queries(emulator)[-1]
        assert query["status"] == "started" and query["category"] == "custom"
        assert "Status started (f) · Category custom (g)" in flat(screen_text(app))
        assert {p.category for p in screen.loaded.rows} == {"custom"}  # type: ignore[union-attr]

        # The name filter is client-side, on this page only, and says so.
        requests = len(list_queries(emulator))
        await pilot.press("slash", *"bulk-00")
        await pilot.pause()
        rows = screen.loaded.rows  # type: ignore[union-attr]
        assert rows and all("bulk-00" in (p.name or "") for p in rows)
        assert table.row_count == len(rows)
        assert "(this page only)" in flat(screen_text(app))
        assert len(list_queries(emulator)) == requests
        await pilot.press("escape")  # leaves the filter, stays on the screen
        assert isinstance(app.screen, BrowserScreen) and app.focused is table

        # Enter opens the package; Esc comes back to the same page.
        chosen = screen.selected()
        assert chosen is not None
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        assert app.screen.package_id == chosen.package_id
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        assert screen.query_state.status == "started"

        # w watches the selected package.
        await pilot.press("w")
        await pilot.pause()
        assert app.watchlist_store.ids() == [chosen.package_id]


async def test_held_down_key_does_not_flood(make_app, emulator, fake_clock, wait_until) -> None:  # type: ignore[no-untyped-def]
    add_packages(emulator, fake_clock(), count=400)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(app, pilot, wait_until)
        before = len(list_queries(emulator))
        for _ in range(6):
            screen.action_page(1)  # as fast as key repeat
        await settled(pilot, screen, wait_until)
        # Requests in flight are not stacked: at most one more than the first, for the latest.
        assert screen.query_state.page == 7
        assert len(list_queries(emulator)) - before <= 2
        assert list_queries(emulator)[-1]["page"] == "7"


async def test_missing_list_scope_explains_and_lookup_still_works(
    make_app, emulator, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    app_id = str(uuid.uuid4())
    secret = "read-only-secret-long-enough-for-hs256"
    emulator.add_app(app_id, secret, DEMO.tenant_id, {"opticspkgconfig:read"})
    profile = Profile(
        name="reader",
        base_url=emulator.base_url,
        tenant_id=DEMO.tenant_id,
        app_id=app_id,
        app_secret=Secret(secret),
    )
    app = make_app(profile=profile)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(app, pilot, wait_until)
        text = flat(screen_text(app))
        assert "✘ Permission denied" in text
        # No page to turn: n, > and < held down ask for nothing more (before, each n
        # asked for the next page, refused again: 112 requests a minute of the budget).
        bells: list[int] = []
        app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
        asked = len(list_queries(emulator))
        await pilot.press(*["n"] * 10, "greater_than_sign", "less_than_sign")
        await settled(pilot, screen, wait_until)
        assert len(list_queries(emulator)) == asked and len(bells) >= 10
        assert "opticspkgconfig:list" in text
        assert "Opening a package by its ID still works" in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        app.action_open_package(DEMO_PACKAGE_ID)
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await wait_until(pilot, lambda: detail.package is not None, what="package")


async def test_reachable_from_the_palette(make_app, emulator, wait_until) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Browse packages", "Watchlist", "Help"} <= set(titles)
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, BrowserScreen))
        screen = app.screen
        commands = [c.title for c in app.get_system_commands(screen)]
        assert "Sort by size, ascending" in commands and "Status filter: failed" in commands
        await pilot.press("f3")  # already there: no second browser
        await pilot.pause()
        assert sum(isinstance(s, BrowserScreen) for s in app.screen_stack) == 1
        await app.workers.wait_for_complete()


async def test_clicking_a_column_header_sorts_by_it(
    make_app, emulator, fake_clock, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await open_browser(app, pilot, wait_until)
        table = screen.query_one(PackageTable)

        def header_offset(key: str) -> tuple[int, int]:
            x = 0
            for column_key, column in table.columns.items():
                if column_key.value == key:
                    return (x + 1, 0)
                x += column.get_render_width(table)
            raise AssertionError(key)

        await pilot.click("#packages", offset=header_offset("name"))
        await settled(pilot, screen, wait_until)
        # A new field sorts the way the current order goes (newest-first: descending).
        assert list_queries(emulator)[-1]["sort"] == "-packageDescriptor.name"
        names = [p.name or "" for p in screen.loaded.rows]  # type: ignore[union-attr]
        assert names == sorted(names, reverse=True)
        # The same header again flips the order.
        await pilot.click("#packages", offset=header_offset("name"))
        await settled(pilot, screen, wait_until)
        assert list_queries(emulator)[-1]["sort"] == "packageDescriptor.name"
        # A column the API cannot sort by says so and sends nothing.
        requests = len(list_queries(emulator))
        await pilot.click("#packages", offset=header_offset("version"))
        await pilot.pause()
        assert len(list_queries(emulator)) == requests
        assert "The API cannot sort by version." in screen_text(app)


async def test_a_wide_terminal_gives_names_more_room(make_app, wait_until, screen_text) -> None:  # type: ignore[no-untyped-def]
    long_name = "network_connections_snapshot"  # a seeded package: 28 characters
    for width, whole in ((80, False), (130, True)):
        app = make_app()
        async with app.run_test(size=(width, 30)) as pilot:
            await open_browser(app, pilot, wait_until)
            assert (long_name in screen_text(app)) is whole


def test_status_colours_come_from_one_table_through_the_theme() -> None:
    """The browser's rich cells and the detail screen's Content take their colours from
    one table of theme variables (two tables before); ANSI themes' names are Textual's."""
    from tui.api.models import Status
    from tui.ui.widgets.fields import STATUS_COLOURS, STATUS_STYLES, rich_status_styles

    variables = {"text-accent": "ansi_cyan", "text-success": "#00ff00", "text-error": "??"}
    styles = rich_status_styles(variables)
    assert styles[Status.STARTED].color is not None and styles[Status.STARTED].color.number == 6
    assert styles[Status.SUCCESS].color is not None
    assert styles[Status.SUCCESS].color.triplet == (0, 255, 0)
    assert styles[Status.FAILED].color is None and styles[Status.FAILED].bold  # unparsable
    assert styles[Status.TIMEOUT].color is None  # the theme lacks it: bold only
    assert set(styles) == set(STATUS_COLOURS) == set(STATUS_STYLES)
    assert STATUS_STYLES[Status.SUCCESS] == "$text-success bold"
