"""The copy box and the Raw tab show their text whole (issue 13.15), and keys in a burst.

- no toast covers the copy box's text;
- the download URL is not broken across lines: one line (scrolling sideways when
  the terminal is narrower), and selected whole;
- the Raw tab breaks its JSON lines at spaces, never inside a word that fits.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import TextArea
from textual.widgets._toast import Toast

from tui.emulator.seed import DEMO_PACKAGE_ID
from tui.ui.screens.copy import CopyScreen
from tui.ui.screens.detail import DetailScreen
from tui.ui.widgets.lazy import TextView, wrap_words
from tui.ui.widgets.package_views import pretty_json


async def open_detail(app: Any, pilot: Any, wait_until: Any) -> DetailScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
    screen = app.screen
    await wait_until(pilot, lambda: screen.package is not None, what="package")
    await pilot.pause()
    assert isinstance(screen, DetailScreen)
    return screen


@pytest.mark.parametrize("size", [(60, 20), (40, 12)])
@pytest.mark.parametrize("key", ["c", "u", "i"])
async def test_no_toast_covers_the_copy_box(
    make_app, wait_until, key: str, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=size, notifications=True) as pilot:
        await open_detail(app, pilot, wait_until)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, CopyScreen)
        box = app.screen.query_one("#copy-box").region
        for toast in app.screen.query(Toast):
            assert not toast.region.overlaps(box), (str(toast.render()), toast.region, box)


@pytest.mark.parametrize("size", [(80, 24), (120, 30), (60, 20)])
async def test_the_download_url_is_not_broken(
    make_app, emulator, wait_until, screen_text, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    url = emulator.store.get(DEMO_PACKAGE_ID)["downloadUrl"]  # signed: see uploads.SEED_KEY
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=size) as pilot:
        await open_detail(app, pilot, wait_until)
        await pilot.press("u")
        await pilot.pause()
        area = app.screen.query_one("#copy-value", TextArea)
        assert area.selected_text == url  # ctrl+c copies it whole
        lines = screen_text(app).splitlines()
        start = url[len(emulator.base_url) :][:20]  # the host is in the context bar too
        rows = [n for n, line in enumerate(lines) if start in line]
        assert len(rows) == 1, lines
        shown = lines[rows[0]]
        if size[0] >= len(url) + 4:
            assert url in shown  # wide enough: the whole URL on one line
        # Never the rest of the URL on the next line.
        assert url[-12:] not in lines[rows[0] + 1]


def test_wrap_words_does_not_break_at_the_indent() -> None:
    assert wrap_words('    "' + "x" * 20 + '"', 12) == ['    "xxxxxxx', "xxxxxxxxxxxx", 'x"']
    assert wrap_words('  "a": "one two"', 12) == ['  "a": "one', 'two"']


@pytest.mark.parametrize("width", [80, 60])
async def test_raw_breaks_lines_at_spaces(make_app, wait_until, width: int) -> None:  # type: ignore[no-untyped-def]
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(width, 24)) as pilot:
        screen = await open_detail(app, pilot, wait_until)
        await pilot.press("5")
        await wait_until(pilot, lambda: "raw" in screen.tabs.built, what="raw pane")
        await pilot.pause()
        view = screen.query_one("#raw-json", TextView)
        drawn = [view.render_line(y).text for y in range(view.line_count)]
        view.scroll_to(y=0, animate=False)
        room = view.scrollable_content_region.width
        assert package_text(screen) and view.line_count > 1
        shown = "\n".join(drawn)
        broken = [
            word for word in package_text(screen).split() if len(word) < room and word not in shown
        ]
        assert not broken, broken[:5]


def package_text(screen: DetailScreen) -> str:
    assert screen.package is not None
    return pretty_json(screen.package.raw)


async def test_keys_in_one_burst(make_app, wait_until) -> None:  # type: ignore[no-untyped-def]
    """Tabs, the copy box and back, typed without a pause, end where the keys say."""
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(60, 20), notifications=True) as pilot:
        screen = await open_detail(app, pilot, wait_until)
        await pilot.press("5", "u", "escape", "2", "c", "enter", "right", "right", "left")
        await wait_until(pilot, lambda: app.screen is screen, what="back from the copy box")
        await pilot.pause()
        assert screen.tabs.active == "examples"
        assert app.clipboard == DEMO_PACKAGE_ID
        assert screen.query_one("#title-row").region.width == 60
