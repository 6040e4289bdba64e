"""Issue 13 point 6: the footer's keys fit the terminal or are left out whole; nothing
shows through beside the command palette's key; the detail screen shows w, F3, F4
and says Resume while paused."""

from __future__ import annotations

import pytest
from textual.app import App

from tui.emulator.seed import STARTED_SUCCESS_ID

PALETTE = "^p palette"


def _footer_row(app: App[object], screen_text) -> str:  # type: ignore[no-untyped-def]
    return str(screen_text(app).splitlines()[-1])


def _all_keys(app: App[object]) -> list[str]:
    """Every key the screen has for the footer, as drawn, one per action, in order."""
    keys: list[str] = []
    actions: set[str] = set()
    for _node, binding, _enabled, _tip in app.screen.active_bindings.values():
        if binding.show and binding.action not in actions and binding.action != "command_palette":
            actions.add(binding.action)
            keys.append(f"{app.get_key_display(binding)} {binding.description}")
    return keys


def _check_row(app: App[object], row: str) -> list[str]:
    """The row is whole keys (as many as fit, from the left), then the palette's key."""
    keys_part, bar, palette = row.partition("▏")
    assert bar, f"no palette key in {row!r}"
    assert palette.rstrip() == PALETTE, f"stray characters after the palette key: {row!r}"
    wanted = _all_keys(app)
    shown = keys_part.rstrip()
    count = next(
        (n for n in range(len(wanted), -1, -1) if " ".join(wanted[:n]) == shown),
        None,
    )
    assert count is not None, f"a key is cut or out of place: {row!r} (keys: {wanted})"
    if count < len(wanted):
        # Left out only because it does not fit.
        assert len(" ".join(wanted[: count + 1])) > len(keys_part), (row, wanted[count])
    return wanted[:count]


SIZES = [(80, 24), (60, 20)]


@pytest.mark.parametrize("size", SIZES)
async def test_footer_rows_hold_whole_keys(make_app, screen_text, wait_until, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        rows = {"lookup": _check_row(app, _footer_row(app, screen_text))}
        app.action_open_package(STARTED_SUCCESS_ID)
        await wait_until(pilot, lambda: getattr(app.screen, "package", None) is not None)
        await pilot.pause()
        detail = app.screen
        rows["detail"] = _check_row(app, _footer_row(app, screen_text))
        await pilot.press("p")
        await wait_until(pilot, lambda: "Resume" in _footer_row(app, screen_text), what="Resume")
        rows["paused"] = _check_row(app, _footer_row(app, screen_text))
        app.action_browse()
        await pilot.pause()
        await pilot.pause()
        rows["browser"] = _check_row(app, _footer_row(app, screen_text))
        app.action_watchlist()
        await pilot.pause()
        await pilot.pause()
        rows["watchlist"] = _check_row(app, _footer_row(app, screen_text))
        assert detail is not None
    if size == (80, 24):
        assert rows["detail"] == [
            "esc Back",
            "r Refresh",
            "p Pause",
            "w Watch",
            "c/u/i Copy",
            "f3 Browse",
            "f4 Watchlist",
        ]
        assert "p Resume" in rows["paused"] and "p Pause" not in rows["paused"]
        assert "f4 Watchlist" in rows["paused"]
        assert len(rows["browser"]) >= 6
    else:
        assert rows["detail"][:4] == ["esc Back", "r Refresh", "p Pause", "w Watch"]


async def test_footer_refits_when_the_terminal_narrows(make_app, screen_text, wait_until) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        app.action_open_package(STARTED_SUCCESS_ID)
        await wait_until(pilot, lambda: getattr(app.screen, "package", None) is not None)
        await pilot.pause()
        wide = _check_row(app, _footer_row(app, screen_text))
        assert "1-5 Tabs" in wide
        await pilot.resize_terminal(60, 20)
        await wait_until(pilot, lambda: "Tabs" not in _footer_row(app, screen_text))
        await pilot.pause()
        assert len(_check_row(app, _footer_row(app, screen_text))) < len(wide)


def test_fit_drops_whole_entries_from_the_right() -> None:
    from textual.binding import Binding

    from tui.ui.widgets.footer import Entry, fit

    entries = [Entry(Binding(k, "noop", d), k, True, "") for k, d in [("a", "One"), ("b", "Two")]]
    # "a One b Two" is 11 cells; the last margin may be covered.
    assert fit(entries, 11) == entries
    assert fit(entries, 10) == entries[:1]
    assert fit(entries, 5) == entries[:1]
    assert fit(entries, 4) == []


async def test_a_final_package_offers_no_pause(make_app, screen_text, wait_until) -> None:  # type: ignore[no-untyped-def]
    """Nothing polls a finished package: the footer must not offer `p Pause` (it said so,
    and pressing it only answered 'Nothing to pause')."""
    from tui.emulator.seed import DEMO_PACKAGE_ID

    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        app.action_open_package(DEMO_PACKAGE_ID)
        await wait_until(pilot, lambda: getattr(app.screen, "package", None) is not None)
        await pilot.pause()
        row = _footer_row(app, screen_text)
        _check_row(app, row)
        assert "Pause" not in row and "Resume" not in row, row
        assert "w Watch" in row


async def test_pause_goes_when_the_upload_ends(
    make_app, fake_clock, screen_text, wait_until
) -> None:  # type: ignore[no-untyped-def]
    from tui.emulator.seed import SUCCESS_AFTER

    app = make_app(package_id=STARTED_SUCCESS_ID)
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_until(pilot, lambda: "p Pause" in _footer_row(app, screen_text), what="Pause")
        fake_clock.advance(SUCCESS_AFTER + 1)  # the emulator's upload ends
        await pilot.press("r")
        await wait_until(
            pilot, lambda: "Pause" not in _footer_row(app, screen_text), what="no Pause"
        )
