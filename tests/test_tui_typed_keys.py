"""Issue 13 point 1: text typed or pasted on the lookup screen goes to its input, and
never fires a package screen's one-letter hotkeys."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, OptionList, TabbedContent

from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_SUCCESS_ID
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.lookup import LookupScreen

URL = f"https://protectapi.cylance.com/packages/v2/{STARTED_SUCCESS_ID}"


def _burst(app, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Post keys the way the driver does for one read from the terminal: all of them
    queued before the app handles the first (Pilot's press waits after each key)."""
    for key in keys:
        character = "\r" if key == "enter" else key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


async def _open_from_list_and_come_back(app, pilot, wait_until) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("down", "1")
    detail = app.screen
    assert isinstance(detail, DetailScreen)
    await wait_until(pilot, lambda: detail.package is not None)
    await pilot.press("escape")
    assert isinstance(app.screen, LookupScreen)


async def test_back_from_a_recent_package_focuses_the_input(make_app, wait_until) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    app.recent.record(STARTED_SUCCESS_ID)
    app.recent.record(DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_from_list_and_come_back(app, pilot, wait_until)
        field = app.screen.query_one("#package-input", Input)
        assert app.focused is field
        # A URL typed by hand: its `2` (of /v2/) is text, not "open recent #2".
        await pilot.press(*"https://a/v2/")
        assert isinstance(app.screen, LookupScreen)
        assert field.value == "https://a/v2/"


async def test_text_typed_on_the_list_goes_to_the_input(make_app, wait_until) -> None:  # type: ignore[no-untyped-def]
    """After ↓ the list has the focus; a URL typed there by hand lost its letters and
    opened recent #2 at the `2` of /v2/ (found in tmux: ↓ h t 2). Text goes to the input,
    and the rest of it with it; digits pressed first still open an entry."""
    app = make_app()
    app.recent.record(STARTED_SUCCESS_ID)
    app.recent.record(DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.screen.query_one("#package-input", Input)
        await pilot.press("down")
        assert isinstance(app.focused, OptionList)
        await pilot.press(*"https://a/v2/")
        assert isinstance(app.screen, LookupScreen)
        assert field.value == "https://a/v2/" and app.focused is field
        # In one burst too (as a terminal sends fast typing): the focus moves only once
        # the burst has been read, so the list itself must take the `2` as text.
        field.value = ""
        await pilot.press("down")
        _burst(app, *"http://b/v2/")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        assert field.value == "http://b/v2/" and app.focused is field
        # Bound keys keep their meaning on the list: `x` forgets, a digit opens.
        await pilot.press("down", "x")
        assert len(app.recent.ids()) == 1 and field.value == "http://b/v2/"


async def test_paste_anywhere_on_the_lookup_screen_goes_to_the_input(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    app.recent.record(DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.screen.query_one("#package-input", Input)
        await pilot.press("down")
        assert isinstance(app.focused, OptionList)
        # As the driver sends a bracketed paste: to the app, which gives it to the focus.
        app.post_message(events.Paste(URL))
        await pilot.pause()
        assert field.value == URL and app.focused is field
        # With nothing focused too.
        field.value = ""
        app.set_focus(None)
        await pilot.pause()
        app.post_message(events.Paste(URL + "\nsecond line"))
        await pilot.pause()
        assert field.value == URL and app.focused is field
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.package_id == STARTED_SUCCESS_ID


async def test_keys_typed_with_the_enter_do_not_act_on_the_package(  # type: ignore[no-untyped-def]
    make_app, wait_until
) -> None:
    """Keys read in one burst with the Enter that opens a package were typed before its
    screen was shown: none of them acts on it (p pause, w watch, c copy, 3 tab)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.screen.query_one("#package-input", Input)
        field.value = STARTED_SUCCESS_ID
        await pilot.pause()
        _burst(app, "enter", "p", "w", "c", "3", "u")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        await wait_until(pilot, lambda: detail.package is not None, what="package")
        await pilot.pause()
        assert app.screen is detail, app.screen  # no copy box over it
        assert not detail.paused
        assert STARTED_SUCCESS_ID not in app.watchlist_store.ids()
        assert detail.query_one("#tabs", TabbedContent).active == "overview"
        # Keys typed once the screen is shown still act.
        await pilot.press("3")
        assert detail.query_one("#tabs", TabbedContent).active == "examples"


async def test_keys_typed_with_a_number_key_do_not_act_on_the_package(  # type: ignore[no-untyped-def]
    make_app, wait_until
) -> None:
    """The same from the recent list: `1` opens the package, the keys after it in the
    burst (unhandled by the list, they go round the app) are not the package's hotkeys."""
    app = make_app()
    app.recent.record(STARTED_SUCCESS_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")
        _burst(app, "1", "p", "w", "c", "3", "u")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        await wait_until(pilot, lambda: detail.package is not None, what="package")
        await pilot.pause()
        assert app.screen is detail, app.screen
        assert not detail.paused
        assert STARTED_SUCCESS_ID not in app.watchlist_store.ids()
        assert detail.query_one("#tabs", TabbedContent).active == "overview"
        # And back on the lookup screen, none of them was typed into the input.
        await pilot.press("escape")
        assert app.screen.query_one("#package-input", Input).value == ""
