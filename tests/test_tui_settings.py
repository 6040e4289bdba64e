"""The settings screen: validation, save (0600) and reload, secrets, test connection, demo."""

from __future__ import annotations

import os
import stat

from textual.widgets import Input, Select

from tui.config import Config, Profile, Secret, config_path, load_config
from tui.emulator import DEMO
from tui.emulator.seed import DEMO_PACKAGE_ID
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.lookup import LookupScreen
from tui.ui.screens.settings import CUSTOM, FormValues, SettingsScreen, build_profile
from tui.ui.startup import prepare

TENANT = DEMO.tenant_id
APP = DEMO.app_id


def flat(text: str) -> str:
    return " ".join(text.split())


def values(**changes: str) -> FormValues:
    base = {
        "name": "prod",
        "region": "euc1",
        "base_url": "",
        "tenant_id": TENANT,
        "app_id": APP,
        "app_secret": "s3cret-value",
        "ca_bundle": "",
        "poll_interval": "5",
    }
    base.update(changes)
    return FormValues(**base)


def test_build_profile_valid() -> None:
    profile, errors = build_profile(values(), None)
    assert errors == {} and profile is not None
    assert profile.region == "euc1" and profile.base_url is None
    assert profile.app_secret.reveal() == "s3cret-value"


def test_build_profile_errors() -> None:
    profile, errors = build_profile(
        values(
            name=" ",
            tenant_id="tenant",
            app_id="",
            region=CUSTOM,
            base_url="http://example.com",
            poll_interval="0.1",
        ),
        None,
    )
    assert profile is None
    assert set(errors) == {"name", "tenant_id", "app_id", "base_url", "poll_interval"}
    assert "UUID" in errors["tenant_id"]
    assert "http://" in errors["base_url"]
    assert "1 to 3600" in errors["poll_interval"]


def test_build_profile_keeps_secret_and_extras() -> None:
    original = Profile(
        name="prod",
        region="na",
        tenant_id=TENANT,
        app_id=APP,
        app_secret=Secret("old-secret"),
        scopes="opticspkgconfig:read",
        extras={"future": 1},
    )
    profile, _ = build_profile(values(app_secret=""), original)
    assert profile is not None
    assert profile.app_secret.reveal() == "old-secret"
    assert profile.scopes == "opticspkgconfig:read" and profile.extras == {"future": 1}


def set_form(screen: SettingsScreen, **fields: str) -> None:
    for key, value in fields.items():
        if key == "region":
            screen.query_one("#region", Select).value = value
        else:
            screen.query_one(f"#{key}", Input).value = value


async def test_reachable_by_keys_and_palette(make_app, wait_until) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, LookupScreen)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Settings" in titles
        app.action_open_package(DEMO_PACKAGE_ID)
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.press("f2")
        assert isinstance(app.screen, SettingsScreen)
        settings_titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Save profile" in settings_titles and "Test connection" in settings_titles


async def test_buttons_fit_60_columns(make_app, screen_text) -> None:  # type: ignore[no-untyped-def]
    """At 60 columns the last button read "Back (Esc" (found in tmux at 60x20)."""
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert "Back (Esc)" in screen_text(app)


async def test_first_run_save_and_reload(make_app, emulator, screen_text, wait_until) -> None:
    """No config yet: fill the form by keyboard, save, and the file has it (0600)."""
    path = config_path()
    assert not path.exists()
    app = make_app(profile=Profile(name="default"), config=Config(path=path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        assert "No credentials yet" in screen_text(app)
        await pilot.press("f2")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        assert app.focused is screen.query_one("#name")
        set_form(
            screen,
            region=CUSTOM,
            base_url=emulator.base_url,
            tenant_id=TENANT,
            app_id=APP,
            app_secret=DEMO.app_secret,
        )
        # The poll interval goes through the keyboard, as a user would type it.
        screen.query_one("#poll_interval", Input).focus()
        await pilot.press("ctrl+a", "ctrl+k", "1", "0")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Saved profile 'default'" in list(app._notifications)[-1].message
        assert path.exists()
        if os.name == "posix":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert DEMO.app_secret in path.read_text()
        saved = load_config(path).profiles["default"]
        assert saved.base_url == emulator.base_url
        assert saved.tenant_id == TENANT and saved.poll_interval == 10
        assert app.profile.base_url == emulator.base_url
        assert app.client_generation == 1
        # The new client works: back to lookup (the notice is gone) and open a package.
        await pilot.press("escape")
        assert "No credentials yet" not in screen_text(app)
        app.action_open_package(DEMO_PACKAGE_ID)
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await wait_until(pilot, lambda: detail.package is not None)
    # Reload: a new start-up finds the saved profile active.
    startup = prepare()
    assert startup.problems == []
    assert startup.profile.name == "default" and startup.profile.base_url == emulator.base_url


async def test_validation_errors_shown_nothing_written(make_app, screen_text) -> None:
    path = config_path()
    app = make_app(profile=Profile(name="default"), config=Config(path=path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        set_form(screen, tenant_id="not-a-uuid", app_id=APP, app_secret="x", poll_interval="0")
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = flat(screen_text(app))
        assert "Tenant ID must be a UUID" in text
        assert "Poll interval: a number of seconds from 1 to 3600" in text
        assert screen.query_one("#tenant_id").has_class("-invalid")
        assert isinstance(app.screen, SettingsScreen)
    assert not path.exists()


async def test_secret_never_shown_and_kept(make_app, emulator_profile, tmp_path) -> None:
    from tui.config import save_config

    path = config_path()
    config = Config(active_profile="emu", profiles={"emu": emulator_profile}, path=path)
    save_config(config)
    app = make_app(config=load_config(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        secret = screen.query_one("#app_secret", Input)
        assert secret.value == "" and secret.password
        assert "set (leave empty" in secret.placeholder
        set_form(screen, poll_interval="30")
        await pilot.press("ctrl+s")
        await pilot.pause()
    saved = load_config(path).profiles["emu"]
    assert saved.app_secret.reveal() == DEMO.app_secret
    assert saved.poll_interval == 30


async def test_new_profile_and_switch(make_app, emulator_profile, emulator) -> None:
    from tui.config import save_config

    path = config_path()
    save_config(Config(active_profile="emu", profiles={"emu": emulator_profile}, path=path))
    app = make_app(config=load_config(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        screen.query_one("#profile-select", Select).value = "\x00new"
        await pilot.pause()
        assert screen.query_one("#name", Input).value == "default"
        assert screen.query_one("#tenant_id", Input).value == ""
        set_form(
            screen,
            name="second",
            region=CUSTOM,
            base_url=emulator.base_url,
            tenant_id=TENANT,
            app_id=APP,
            app_secret=DEMO.app_secret,
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.profile.name == "second"
    config = load_config(path)
    assert set(config.profiles) == {"emu", "second"} and config.active_profile == "second"


async def test_test_connection(make_app, emulator, screen_text, wait_until) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        count = emulator.count("POST", "/auth")
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: "Connected" in screen_text(app), what="success")
        assert emulator.count("POST", "/auth") == count + 1
        assert "accepted the credentials" in flat(screen_text(app))
        # The sign-in went through the app's one request engine (its budget).
        assert app.engine.scheduler.started == 1
        set_form(screen, app_secret="wrong-secret-wrong-secret-wrong-secret")
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: "Authentication failed" in screen_text(app))
        assert "What to do:" in flat(screen_text(app))


async def test_demo_mode_writes_no_config(make_app, emulator, emulator_profile, screen_text):  # type: ignore[no-untyped-def]
    from tui.polling.clients import Demo

    demo = Demo(emulator=emulator, profile=emulator_profile, config=Config())
    app = make_app(demo=demo)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f2")
        assert "Demo mode: changes stay in memory" in screen_text(app)
        set_form(app.screen, poll_interval="9")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "memory (demo mode)" in list(app._notifications)[-1].message
        assert app.profile.poll_interval == 9
    assert not config_path().exists()


def test_build_profile_ca_bundle(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, errors = build_profile(values(ca_bundle=str(tmp_path / "missing.pem")), None)
    assert "no such file" in errors["ca_bundle"]
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    profile, errors = build_profile(values(ca_bundle=str(bundle)), None)
    assert errors == {} and profile is not None and profile.ca_bundle == str(bundle)


async def test_fresh_install_does_not_claim_a_save(make_app, screen_text) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 point 12: before the first save the note says where Save will write,
    not that something was saved there; once the file exists, it says it is there."""
    path = config_path()
    assert not path.exists()
    app = make_app(profile=Profile(name="default"), config=Config(path=path))
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("f2")
        text = flat(screen_text(app))
        assert "Saved to" not in text
        assert "Nothing saved yet" in text and "(mode 0600)" in text
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        set_form(screen, tenant_id=TENANT, app_id=APP, app_secret="x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert path.exists()
        assert "Nothing saved yet" not in flat(screen_text(app))
        assert "Saved in" in flat(screen_text(app))


async def test_a_fixed_field_loses_its_error_at_once(make_app, screen_text) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 point 12: fixing a field clears its error (and only its error) before
    the next save; a field still wrong keeps its."""
    app = make_app(profile=Profile(name="default"), config=Config(path=config_path()))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        set_form(screen, tenant_id="not-a-uuid", app_id="nope", app_secret="x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Tenant ID must be a UUID" in flat(screen_text(app))
        assert "App ID must be a UUID" in flat(screen_text(app))
        screen.query_one("#tenant_id", Input).focus()
        await pilot.press("ctrl+a", "ctrl+k", *TENANT)
        await pilot.pause()
        text = flat(screen_text(app))
        assert "Tenant ID must be a UUID" not in text
        assert not screen.query_one("#tenant_id").has_class("-invalid")
        assert "App ID must be a UUID" in text
        assert screen.query_one("#app_id").has_class("-invalid")


async def test_esc_with_unsaved_edits_asks_save_discard_or_stay(make_app) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 point 4: Esc after an edit asks; Esc again stays (the edit kept), `d`
    leaves with nothing written, `s` saves and leaves. Without edits Esc just leaves."""
    from tui.ui.screens.unsaved import UnsavedChangesScreen

    path = config_path()
    app = make_app(profile=Profile(name="default"), config=Config(path=path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2", "escape")
        assert isinstance(app.screen, LookupScreen)  # nothing edited: no question
        await pilot.press("f2")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        screen.query_one("#poll_interval", Input).focus()
        await pilot.press("ctrl+a", "ctrl+k", "7")
        await pilot.press("escape")
        assert isinstance(app.screen, UnsavedChangesScreen)
        await pilot.press("escape")  # stay
        assert app.screen is screen
        assert screen.query_one("#poll_interval", Input).value == "7"
        await pilot.press("escape", "d")  # discard
        assert isinstance(app.screen, LookupScreen)
        assert not path.exists()
        await pilot.press("f2")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        assert screen.query_one("#poll_interval", Input).value != "7"
        set_form(screen, tenant_id=TENANT, app_id=APP, app_secret="x", poll_interval="8")
        await pilot.press("escape", "s")  # save
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        assert load_config(path).profiles["default"].poll_interval == 8


async def test_save_from_the_question_stays_when_the_form_is_invalid(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(profile=Profile(name="default"), config=Config(path=config_path()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        set_form(screen, tenant_id="not-a-uuid")
        await pilot.press("escape", "s")
        await pilot.pause()
        assert app.screen is screen and screen.query_one("#tenant_id").has_class("-invalid")
