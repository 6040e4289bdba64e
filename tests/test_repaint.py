"""What the detail screen writes to the terminal while it sits open, and lazy text views.

Over SSH every byte counts (issue 5: ≤ 300 B/s while watching). These tests
capture the escape sequences Textual would send for each frame (the headless
driver drops them, so ``App._display`` is wrapped) and check that a clock
tick rewrites the few cells that changed, not the screen.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.app import App, ComposeResult
from textual.content import Content

from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_TIMEOUT_ID
from tui.emulator.testing import FakeClock
from tui.polling.present import ago
from tui.ui.screens.detail import DetailScreen
from tui.ui.widgets import package_views
from tui.ui.widgets.fields import FieldTable, LiveLine, changed_span
from tui.ui.widgets.lazy import TextView, chop, wrap_words


def record_frames(app: App[Any]) -> list[str]:
    """Every frame's terminal output from now on (what a real driver would write)."""
    frames: list[str] = []
    display = app._display

    def spy(screen: Any, renderable: Any) -> None:
        render = getattr(renderable, "render_segments", None)
        if render is not None:
            frames.append(render(app.console))
        display(screen, renderable)

    app._display = spy  # type: ignore[method-assign]
    return frames


async def quiet(app: App[Any], pilot: Any, rounds: int = 40) -> None:
    """Until a pause draws nothing: the screen's first frames (the footer's keys are
    drawn a moment after the package, later on a loaded machine) are over."""
    frames = record_frames(app)
    for _ in range(rounds):
        frames.clear()
        await pilot.pause(0.05)
        if not frames:
            return
    raise AssertionError("the screen never stopped drawing")


async def shown_package(app: App[Any], pilot: Any, wait_until: Any) -> DetailScreen:
    """The detail screen the app opened on, once its package is there."""
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    await wait_until(pilot, lambda: screen.package is not None, what="package")
    return screen


# -- pure parts ---------------------------------------------------------------------


def test_changed_span() -> None:
    assert changed_span(Content("next in 4s"), Content("next in 3s")) == (8, 9)
    assert changed_span(Content("4m 59s"), Content("5m 00s")) == (0, 5)
    assert changed_span(Content("same"), Content("same")) is None
    # Different lengths, styles or wide characters: the whole widget repaints.
    assert changed_span(Content("9s"), Content("10s")) is None
    assert changed_span(Content("ab"), Content.styled("ac", "bold")) is None
    assert changed_span(Content("日本"), Content("日木")) is None


def test_ago_in_whole_minutes() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
    assert ago(now - timedelta(seconds=250), now) == "4m 10s ago"
    assert ago(now - timedelta(seconds=250), now, whole_minutes=True) == "4m ago"
    assert ago(now - timedelta(seconds=59), now, whole_minutes=True) == "less than a minute ago"
    assert ago(now + timedelta(seconds=150), now, whole_minutes=True) == "in 2m"
    assert ago(now - timedelta(hours=2, seconds=70), now, whole_minutes=True) == "2h 1m ago"


def test_wrap_words_examples() -> None:
    assert wrap_words("aaa bbb ccc", 7) == ["aaa bbb", "ccc"]
    assert wrap_words("short", 10) == ["short"]
    assert wrap_words("abcdefghij klm", 4) == ["abcd", "efgh", "ij", "klm"]
    assert chop("abcdefg", 3) == ["abc", "def", "g"]
    assert chop("日本語", 4) == ["日本", "語"]


@given(st.text(alphabet="ab .-", max_size=200), st.integers(min_value=1, max_value=40))
def test_wrap_words_loses_nothing(line: str, width: int) -> None:
    pieces = wrap_words(line, width)
    assert all(len(piece) <= width for piece in pieces)
    # Only the spaces a line was broken at go; nothing else moves.
    assert "".join(pieces).replace(" ", "") == line.replace(" ", "")


# -- widgets ------------------------------------------------------------------------


class Lines(App[None]):
    def compose(self) -> ComposeResult:
        yield FieldTable([("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")], id="table")
        yield LiveLine(id="live")


async def test_live_line_rewrites_only_from_its_edge_to_the_change() -> None:
    app = Lines()
    async with app.run_test(size=(60, 8)) as pilot:
        live = app.query_one(LiveLine)
        live.set("updated 12:00:00 · next in 4s")
        await pilot.pause()
        frames = record_frames(app)
        live.set("updated 12:00:00 · next in 3s")
        await pilot.pause()
        written = "".join(frames)
        # Textual writes a widget's cells from its left edge up to the change: the
        # line up to "3", and nothing after it, nothing from other widgets.
        assert "next in 3" in written and "3s" not in written
        assert "Alpha" not in written


async def test_field_table_repaints_only_the_changed_row() -> None:
    app = Lines()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(FieldTable)
        for key in "abc":
            table.set(key, f"value {key}")
        await pilot.pause()
        frames = record_frames(app)
        table.set("b", "value B")
        await pilot.pause()
        written = "".join(frames)
        assert "value B" in written
        assert "Alpha" not in written and "Gamma" not in written and "value a" not in written


async def test_a_watching_detail_screen_writes_a_few_bytes_per_tick(
    make_app, fake_clock, wait_until
) -> None:
    monotonic = FakeClock(1000.0)
    # The tick timer is driven by hand below; polls are 5 s apart on the fake clock.
    app = make_app(
        package_id=STARTED_TIMEOUT_ID, poll_interval=5.0, monotonic=monotonic, tick=3600.0
    )
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown_package(app, pilot, wait_until)
        await quiet(app, pilot)
        frames = record_frames(app)
        for step in (1, 1, 10):  # the elapsed time moves in 10 s steps (issue 11)
            monotonic.now += step
            fake_clock.advance(step)
            screen._tick()
            await pilot.pause()
        assert frames and " of 50s" in frames[-1]
        for frame in frames:
            # The elapsed time; before issue 5, every tick rewrote the whole field
            # table and status line (over 2,000 bytes), and before issue 11 a
            # countdown ("next in 4s") ticked every second too.
            assert len(frame.encode()) < 300, frame
            assert "next" not in frame
            name = screen.package.name if screen.package else None
            assert name and name not in frame
            assert "Package ID" not in frame and "Download URL" not in frame


async def test_an_unchanged_poll_redraws_no_pane(make_app, fake_clock, wait_until) -> None:
    app = make_app(package_id=STARTED_TIMEOUT_ID, poll_interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown_package(app, pilot, wait_until)
        await pilot.press("2")  # build the Descriptor pane (panes are built on first view)
        await pilot.pause()
        first = screen.package
        shows: list[str] = []
        for pane in (package_views.OverviewPane, package_views.DescriptorPane):
            widget = screen.query_one(pane)
            original = widget.show

            def spy(package: Any, now: Any, _original: Any = original, _name: str = pane.__name__):
                shows.append(_name)
                _original(package, now)

            widget.show = spy  # type: ignore[method-assign]
        # More polls of the same body (the emulator's clock stands still).
        await wait_until(pilot, lambda: screen.package is not first, what="another poll")
        assert screen.package is not None and first is not None
        assert screen.package.raw == first.raw
        assert shows == []


async def test_raw_json_is_indented_only_when_its_tab_is_shown(
    make_app, wait_until, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    pretty = package_views.pretty_json

    def counting(raw: str) -> str:
        calls.append(len(raw))
        return pretty(raw)

    monkeypatch.setattr(package_views, "pretty_json", counting)
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown_package(app, pilot, wait_until)
        await pilot.pause()
        assert calls == []
        await pilot.press("5")
        await pilot.pause()
        assert len(calls) == 1
        assert '"packageId"' in screen.query_one("#raw-json", TextView).text


async def test_footer_is_rebuilt_only_when_its_keys_change(make_app, wait_until) -> None:
    from textual.widgets._footer import FooterKey

    from tui.ui.widgets.footer import Footer

    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown_package(app, pilot, wait_until)
        await pilot.pause()
        footer = screen.query_one(Footer)
        keys = list(footer.query(FooterKey))
        assert any("Tabs" in str(key.description) for key in keys)
        # Tab switches move the focus (new bindings underneath), the keys shown stay.
        for key in ("2", "3", "1"):
            await pilot.press(key)
            await pilot.pause()
        assert list(footer.query(FooterKey)) == keys
        # A change in what it draws rebuilds it: here the tab keys get disabled.
        screen._tabs_shown = False
        screen.refresh_bindings()
        await pilot.pause()
        rebuilt = list(footer.query(FooterKey))
        assert rebuilt and not set(rebuilt) & set(keys)


async def test_tabs_are_built_on_first_view_and_filled(make_app, wait_until, screen_text) -> None:
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown_package(app, pilot, wait_until)
        await pilot.pause()
        assert not screen.query(package_views.ExamplesPane)
        # Copying the invocation before the Examples tab was ever opened copies the first.
        await pilot.press("i")
        await pilot.pause()
        assert "main.py" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("3")
        await wait_until(pilot, lambda: "Example 1 of 4" in screen_text(app), what="examples")
        assert screen.query_one("#examples-list").has_focus


async def test_the_first_request_goes_out_while_the_screen_is_built(
    make_app, emulator, wait_until, screen_text
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        before = emulator.count("GET", "/packages")
        built: list[DetailScreen] = []
        # As the app does on Enter: the screen sends its request when constructed...
        app.call_later(lambda: built.append(DetailScreen(DEMO_PACKAGE_ID, fetch_now=True)))
        await wait_until(
            pilot, lambda: emulator.count("GET", "/packages") == before + 1, what="early GET"
        )
        # ...and, once shown, uses that answer instead of asking again.
        await app.push_screen(built[0])
        await wait_until(pilot, lambda: built[0].package is not None, what="package")
        await pilot.pause(0.1)
        assert "collect_triage" in screen_text(app)
        assert emulator.count("GET", "/packages") == before + 1


def test_an_old_age_reads_as_a_date() -> None:
    """Issue 13.16: `3125d 19h ago` reads better as the date, past a week."""
    now = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
    old = now - timedelta(days=3125, hours=19)
    assert ago(old, now) == "on 2018-05-09"
    assert ago(old, now, whole_minutes=True) == "on 2018-05-09"
    assert ago(now - timedelta(days=6, hours=23), now) == "6d 23h ago"  # within a week: an age
    assert ago(now + timedelta(days=30), now) == "in 30d"  # a clock ahead: still a duration
