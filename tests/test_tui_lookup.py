"""The lookup screen: validation as you type, pasted URLs, recent list, setup notice."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, OptionList

from tui.config import Profile
from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_SUCCESS_ID
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.lookup import LookupScreen, validate_input
from tui.ui.screens.settings import SettingsScreen


def test_validate_input() -> None:
    assert validate_input("")[0] is None
    assert validate_input(f"  {DEMO_PACKAGE_ID.upper()}  ")[0] == DEMO_PACKAGE_ID
    url = f"https://protectapi.cylance.com/packages/v2/{DEMO_PACKAGE_ID}"
    package_id, feedback = validate_input(url)
    assert package_id == DEMO_PACKAGE_ID and "from the URL" in feedback.plain
    package_id, feedback = validate_input("e378dacb-9324")
    assert package_id is None and feedback.plain.startswith("✘") and "UUID" in feedback.plain
    assert validate_input("https://example.com/other/thing")[0] is None


async def test_invalid_input_explains_and_sends_nothing(make_app, emulator, screen_text) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        assert app.focused is app.screen.query_one("#package-input")
        await pilot.press(*"e378dacb-zz")
        await pilot.pause()
        assert "not a UUID" in screen_text(app)
        assert "unexpected character" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        await app.workers.wait_for_complete()
    assert emulator.count() == 0


async def test_valid_id_typed_opens_detail(make_app, screen_text, wait_until) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # Typing all 38 keys costs seconds; the last ones go through the keyboard.
        field = app.screen.query_one("#package-input", Input)
        field.insert_text_at_cursor(f" {DEMO_PACKAGE_ID.upper()}"[:-3])
        await pilot.press(*f" {DEMO_PACKAGE_ID.upper()} "[-4:])
        await pilot.pause()
        assert field.value == f" {DEMO_PACKAGE_ID.upper()} "
        assert "✔ e378dacb-9324-453a-b8c6-5a8406952195 · Enter opens it" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        screen = app.screen
        await wait_until(pilot, lambda: screen.package is not None)
        assert screen.package_id == DEMO_PACKAGE_ID
        assert "collect_triage" in screen_text(app)


async def test_pasted_url_yields_id(make_app, screen_text, wait_until) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        url = f"https://protectapi.cylance.com/packages/v2/{STARTED_SUCCESS_ID}?x=1"
        field = app.screen.query_one("#package-input", Input)
        field.post_message(events.Paste(url))
        await pilot.pause()
        assert field.value == url
        assert f"✔ {STARTED_SUCCESS_ID} (from the URL)" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.package_id == STARTED_SUCCESS_ID


async def test_recent_list_records_names_and_opens_by_key(
    make_app, screen_text, wait_until
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#package-input", Input).value = DEMO_PACKAGE_ID
        await pilot.press("enter")
        detail = app.screen
        await wait_until(pilot, lambda: detail.package is not None)
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        text = screen_text(app)
        assert DEMO_PACKAGE_ID in text and "collect_triage" in text and "✔ success" in text
        # The file under the data dir holds it too.
        assert app.recent.get(DEMO_PACKAGE_ID) is not None
        assert app.recent.path is not None and app.recent.path.exists()
        # Down moves to the list, Enter (or 1) opens.
        await pilot.press("down")
        await pilot.pause()
        assert isinstance(app.focused, OptionList)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.package_id == DEMO_PACKAGE_ID


async def test_input_suggests_from_recent(make_app, wait_until) -> None:
    app = make_app()
    app.recent.record(DEMO_PACKAGE_ID, name="collect_triage")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"e378")
        field = app.screen.query_one("#package-input", Input)
        await wait_until(pilot, lambda: bool(field._suggestion))
        await pilot.press("right")  # accepts the suggestion at the end of the input
        assert field.value == DEMO_PACKAGE_ID


async def test_forget_a_recent_entry(make_app, screen_text) -> None:
    app = make_app()
    app.recent.record(DEMO_PACKAGE_ID, name="collect_triage")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "collect_triage" in screen_text(app)
        await pilot.press("down", "delete")
        await pilot.pause()
        assert "collect_triage" not in screen_text(app)
        assert app.recent.ids() == []


async def test_corrupt_recent_file_is_ignored(make_app, tmp_path, screen_text) -> None:
    (tmp_path / "recent.json").write_bytes(b"\x00garbage{")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "No packages opened yet" in screen_text(app)
        # No key to press for an empty list (it said "a number key: 1"; found in tmux).
        assert "press ↓" not in screen_text(app) and "number key" not in screen_text(app)


async def test_header_shows_profile_region_and_user_host(make_app, emulator, screen_text) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first_line = screen_text(app).splitlines()[0]
        assert "profile emu" in first_line
        assert emulator.base_url in first_line
        assert "tester@jump" in first_line


async def test_region_label_in_header(make_app, screen_text) -> None:
    app = make_app(profile=Profile(name="prod", region="euc1"))
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        assert "Europe Central (protectapi-euc1.cylance.com)" in screen_text(app)
    app = make_app(profile=Profile(name="prod", region="euc1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # Too narrow for the name: the host alone still says which region.
        first = screen_text(app).splitlines()[0]
        assert "protectapi-euc1.cylance.com" in first and "tester@jump" in first


async def test_no_credentials_offers_settings(make_app, screen_text) -> None:
    app = make_app(profile=Profile(name="default"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "No credentials yet" in text
        assert "missing tenant ID, app ID, app" in text
        assert "Open settings (F2)" in text
        await pilot.click("#open-settings")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)


async def test_setup_notice_follows_the_profile(make_app, emulator_profile, screen_text) -> None:
    """Built only when needed; a later profile without credentials shows it, and back."""
    from tui.config import Config

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.query("#setup-notice")
        empty = Profile(name="empty")
        app.use_profile(Config(profiles={"empty": empty}), empty)
        await pilot.pause()
        assert "No credentials yet for profile 'empty'" in screen_text(app)
        app.use_profile(Config(profiles={"emu": emulator_profile}), emulator_profile)
        await pilot.pause()
        assert "No credentials yet" not in screen_text(app)
        assert not app.screen.query_one("#setup-notice").display


async def test_demo_mode_lists_samples(make_app, emulator, emulator_profile, screen_text) -> None:
    from tui.config import Config
    from tui.polling.clients import Demo
    from tui.ui.startup import demo_entries

    demo = Demo(emulator=emulator, profile=emulator_profile, config=Config())
    app = make_app(demo=demo)
    app.startup.demo_entries.extend(demo_entries())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "DEMO" in text.splitlines()[0]
        assert STARTED_SUCCESS_ID in text and "demo: started, succeeds" in text
        assert DEMO_PACKAGE_ID in text
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.package_id == STARTED_SUCCESS_ID


async def test_question_mark_opens_help_unless_it_can_be_part_of_a_url(make_app) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 point 2: `?` cannot be part of a package ID, so on an empty input or one
    that holds no URL it opens help (the input untouched); once the input holds a URL
    (a `/`), `?` may start its query string and is typed."""
    from tui.ui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#package-input", Input)
        assert app.focused is field
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen), field.value
        await pilot.press("escape")
        assert isinstance(app.screen, LookupScreen) and field.value == ""
        await pilot.press(*"e378", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert field.value == "e378"
        field.value = ""
        url = f"https://protectapi.cylance.com/packages/v2/{DEMO_PACKAGE_ID}"
        field.insert_text_at_cursor(url)
        await pilot.press("question_mark", "x")
        assert isinstance(app.screen, LookupScreen) and field.value == url + "?x"
