"""Comforts: the status timeline, the terminal title, the help screen, key remaps."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from tui.config import Config
from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_SUCCESS_ID, SUCCESS_AFTER
from tui.ui.screens.browser import BrowserScreen
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.lookup import LookupScreen
from tui.ui.screens.watchlist import WatchlistScreen
from tui.ui.term_title import POP_TITLE, PUSH_TITLE
from tui.ui.widgets.lazy import TextView
from tui.ui.widgets.timeline import StatusTimeline

HOSTILE_ID = "0badc0de-0000-4000-8000-000000000001"


def flat(text: str) -> str:
    return " ".join(text.split())


def config_with(profile: Any, **settings: object) -> Config:
    return Config(active_profile=profile.name, profiles={profile.name: profile}, settings=settings)


async def test_timeline_and_terminal_title(
    make_app, emulator, emulator_profile, fake_clock, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(package_id=STARTED_SUCCESS_ID)
    written: list[str] = []
    app.terminal_title.write = written.append
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.package is not None)
        # Watched too: the outcome must still be announced once, not twice.
        await pilot.press("w")
        watch = app.engine.watch_state(STARTED_SUCCESS_ID)
        await wait_until(pilot, lambda: watch.seen_started, what="watchlist saw it started")  # type: ignore[union-attr]
        timeline = screen.query_one(StatusTimeline)
        assert not timeline.display  # one status seen: nothing to tell yet
        await wait_until(
            pilot,
            lambda: app.terminal_title.current == "cypkg: ◷ started · amcache_shimcache_parser",
            what="started title",
        )
        fake_clock.advance(SUCCESS_AFTER + 1)
        await wait_until(pilot, lambda: timeline.display, what="timeline")
        await pilot.pause()
        text = screen_text(app)
        line = next(row for row in text.splitlines() if "Timeline" in row)
        assert "◷ started →" in line and line.rstrip().endswith("✔ success")
        assert app.terminal_title.current == "cypkg: ✔ success · amcache_shimcache_parser"
        await wait_until(pilot, lambda: watch.package.status.value == "success")  # type: ignore[union-attr]
        titles = [n.title for n in app._notifications]
        assert titles.count("Upload finished") == 1 and "Watched upload finished" not in titles
        assert [e.status.value for e in app.history.get(STARTED_SUCCESS_ID)] == [
            "started",
            "success",
        ]
        # Back on the lookup screen the title is plain again; at exit the old one returns.
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        await wait_until(pilot, lambda: app.terminal_title.current == "cypkg")
    assert written[0] == PUSH_TITLE
    assert "\x1b]2;cypkg: ✔ success · amcache_shimcache_parser\x07" in written
    assert written[-1] == POP_TITLE


async def test_terminal_title_is_safe_and_can_be_turned_off(
    make_app, emulator, emulator_profile, wait_until
) -> None:  # type: ignore[no-untyped-def]
    emulator.store.add(
        {
            "packageId": HOSTILE_ID,
            "status": "success",
            "packageDescriptor": {"name": "evil\x1b]0;owned\x07\x1b[2J\u202e[/]"},
        }
    )
    app = make_app(package_id=HOSTILE_ID)
    written: list[str] = []
    app.terminal_title.write = written.append
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.terminal_title.current is not None, what="a title")
    title = next(w for w in written if w.startswith("\x1b]2;"))
    assert title == "\x1b]2;cypkg: ✔ success · evil␛]0;owned␇␛[2J<U+202E>[/]\x07"
    assert title.count("\x1b") == 1 and title.count("\x07") == 1

    off = make_app(
        package_id=DEMO_PACKAGE_ID, config=config_with(emulator_profile, terminal_title=False)
    )
    written.clear()
    off.terminal_title.write = written.append
    async with off.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(off.screen, DetailScreen))
        screen = off.screen
        await wait_until(pilot, lambda: screen.package is not None)
        await pilot.pause()
    assert written == []


async def test_help_screen_lists_keys_and_files(make_app, emulator, wait_until) -> None:  # type: ignore[no-untyped-def]
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = app.screen.query_one(TextView).text
        for expected in (
            "Package browser (F3)",
            "Watchlist (F4)",
            "List packages  [browse]",
            "1–5",  # the tabs, on one line
            "config file",
            "data dir",
            "watchlist.json",
            "terminal_title = false",
            "desktop_notifications",
            "[keys]",
        ):
            assert expected in text, expected
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        # On the lookup screen F1 works while the input has the focus, and so does ?
        # while the input holds no URL (issue 13 point 2; test_tui_lookup has the rest).
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        assert isinstance(app.focused, Input)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        assert isinstance(app.focused, Input) and app.focused.value == ""
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))


async def test_keys_remapped_from_the_config(
    make_app, emulator, emulator_profile, wait_until
) -> None:  # type: ignore[no-untyped-def]
    keys = {"browse": "f6", "watchlist": "f7,ctrl+w", "no-such-id": "f9", "help": 5}
    app = make_app(config=config_with(emulator_profile, keys=keys))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.pause()
        await pilot.press("f3")  # no longer the browser's key
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, BrowserScreen))
        await pilot.press("ctrl+w")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        warning = next(n for n in app._notifications if n.title == "Key remaps")
        assert "'no-such-id' is not a binding ID" in warning.message
        assert "'help'" in warning.message
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = app.screen.query_one(TextView).text
        assert "f6                 List packages  [browse]" in text
        assert "f7, ^w" in text


async def test_theme_option(make_app, emulator) -> None:  # type: ignore[no-untyped-def]
    app = make_app(theme="ansi-light")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "ansi-light"


def test_settings_survive_a_config_round_trip(emulator_profile) -> None:  # type: ignore[no-untyped-def]
    from tui.config import config_path, load_config, save_config

    config = config_with(
        emulator_profile,
        terminal_title=False,
        desktop_notifications="osc777",
        keys={"browse": "f6", "help": "f1,ctrl+underscore"},
    )
    config.path = config_path()
    save_config(config)
    text = config.path.read_text()
    assert "[keys]" in text and 'browse = "f6"' in text
    loaded = load_config()
    assert loaded.settings["terminal_title"] is False
    assert loaded.settings["desktop_notifications"] == "osc777"
    assert loaded.settings["keys"] == {"browse": "f6", "help": "f1,ctrl+underscore"}
