"""App-level behaviour: start-up, config problems, themes, no animations, commands."""

from __future__ import annotations

from textual.filter import Monochrome, NoColor
from textual.widgets import Input

from tui.config import Config, Profile, config_path, load_config, save_config
from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_SUCCESS_ID
from tui.ui.app import CypkgApp
from tui.ui.options import Startup
from tui.ui.startup import prepare
from tui.ui.theme import ANSI_THEMES, DEFAULT_THEME, guess_theme


def test_guess_theme() -> None:
    assert guess_theme({"TERM": "xterm-16color"}) == "ansi-dark"
    assert guess_theme({"TERM": "linux"}) == "ansi-dark"
    assert guess_theme({"TERM": "xterm-256color"}) == DEFAULT_THEME
    assert guess_theme({"TERM": "xterm", "COLORTERM": "truecolor"}) == DEFAULT_THEME


def test_prepare_first_run() -> None:
    startup = prepare()
    assert startup.problems == []
    assert startup.profile.name == "default" and not startup.profile.is_complete


def test_prepare_broken_config_is_shown_not_raised() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("this is [not toml")
    startup = prepare()
    assert len(startup.problems) == 1
    assert "not valid TOML" in str(startup.problems[0])


def test_prepare_unknown_profile() -> None:
    save_config(Config(active_profile="a", profiles={"a": Profile(name="a")}, path=config_path()))
    startup = prepare(profile_name="nope")
    assert startup.problems and "nope" in str(startup.problems[0])
    assert startup.profile.name == "nope"


def test_prepare_demo(emulator, emulator_profile) -> None:  # type: ignore[no-untyped-def]
    from tui.polling.clients import Demo

    startup = prepare(demo=Demo(emulator=emulator, profile=emulator_profile, config=Config()))
    ids = [entry.package_id for entry in startup.demo_entries]
    assert STARTED_SUCCESS_ID in ids and DEMO_PACKAGE_ID in ids


async def test_config_problem_on_lookup_screen(make_app, screen_text) -> None:
    from tui.api.errors import ConfigError

    problem = ConfigError("Config file /x/config.toml is not valid TOML: oops.")
    app = make_app(profile=Profile(name="default"), problems=[problem])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "✘ Configuration problem: Config file /x/config.toml is not valid TOML" in text


async def test_no_animation_no_blinking(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.animation_level == "none"
        field = app.screen.query_one(Input)
        assert field.has_focus and not field.cursor_blink


async def test_no_color_filters_every_colour_out(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """NO_COLOR: Textual's NoColor filter (the terminal's own colours), whatever the
    theme; before, its Monochrome filter sent greys over a dark background."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("CYPKG_THEME", "ansi-dark")
    app = CypkgApp(Startup(config=Config(), profile=Profile(name="default")))
    filters = app.get_line_filters()
    assert app.theme == "ansi-dark" and app.no_color
    assert any(isinstance(f, NoColor) for f in filters)
    assert not any(isinstance(f, Monochrome) for f in filters)
    assert app.get_css_variables()["block-cursor-text-style"] == "reverse bold"


async def test_empty_no_color_is_no_request(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: only a non-empty value counts
    app = CypkgApp(Startup(config=Config(), profile=Profile(name="default")))
    assert not app.no_color
    assert not any(isinstance(f, (NoColor, Monochrome)) for f in app.get_line_filters())


async def test_theme_from_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CYPKG_THEME", "ansi-light")
    app = CypkgApp(Startup(config=Config(), profile=Profile(name="default")))
    assert app.theme == "ansi-light" and "ansi-light" in ANSI_THEMES


async def test_theme_choice_is_remembered(make_app, emulator_profile) -> None:
    path = config_path()
    save_config(Config(active_profile="emu", profiles={"emu": emulator_profile}, path=path))
    app = make_app(config=load_config(path))
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "ansi-dark"
        await pilot.pause()
    assert load_config(path).settings["theme"] == "ansi-dark"
    # A later start picks it up (no CYPKG_THEME, no explicit option).
    startup = prepare()
    assert CypkgApp(startup).theme == "ansi-dark"


async def test_keys_panel_and_quit(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # F1 is the help screen now (tests/test_comforts.py); the keys panel is in the palette.
        app.action_toggle_keys()
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        app.action_toggle_keys()
        await pilot.pause()
        assert not app.screen.query("HelpPanel")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_replaced_client_is_closed_after_its_grace(make_app, emulator_profile) -> None:  # type: ignore[no-untyped-def]
    class Client:
        base_url = emulator_profile.base_url

        def __init__(self) -> None:
            self.closed = False

        def get_package(self, package_id: str):  # type: ignore[no-untyped-def]
            raise AssertionError("not used")

        def authenticate(self, *, force: bool = False):  # type: ignore[no-untyped-def]
            raise AssertionError("not used")

        def close(self) -> None:
            self.closed = True

    built: list[Client] = []

    def factory(profile: Profile) -> Client:
        built.append(Client())
        return built[-1]

    app = make_app(client_factory=factory, retired_client_grace=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        first = app.client
        config = Config(profiles={"emu": emulator_profile})
        app.use_profile(config, emulator_profile)
        await pilot.pause()
        # Kept open for a request that may still be on its way...
        assert not first.closed and app.clients._retired == [first]
        await pilot.pause(0.4)
        # ...then closed: saving settings all day does not pile up connections.
        assert first.closed and app.clients._retired == []
        assert app.client is not first and not built[-1].closed
