"""The config file keeps the user's comments, blank lines and key order (issue 12, item 6).

A theme picked in the palette or a profile saved in the settings changes only the
values that changed; everything else in the file stays byte for byte.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Input

from tui.config import (
    DEFAULT_POLL_INTERVAL,
    Secret,
    config_path,
    load_config,
    save_config,
    upsert_profile,
)
from tui.ui.screens.settings import SettingsScreen

if sys.version_info >= (3, 11):
    import tomllib
else:  # the standard library reads TOML only from 3.11 on
    import tomli as tomllib

TENANT_1, APP_1 = "11111111-1111-4111-8111-111111111111", "a1a1a1a1-1111-4111-8111-111111111111"
TENANT_2, APP_2 = "22222222-2222-4222-8222-222222222222", "a2a2a2a2-2222-4222-8222-222222222222"
SECRET = "Sup3r-S3cret-Value-4f1c"
ACTIVE_LINE = 'active_profile = "work"  # trailing comment\n'


def commented(base_url: str = "http://127.0.0.1:8080/") -> str:
    """A hand-edited file: header, comments between and inside tables, trailing comments,
    blank lines, keys in an order cypkg would not write, a non-normalised URL (trailing
    slash), a key this version does not know, and a second profile."""
    return f"""\
# cypkg settings, edited by hand
# (keep this header)

# which profile to start with
{ACTIVE_LINE}
[profiles.work]
# the lab tenant
tenant_id = "{TENANT_1}"   # tenant
app_secret = "{SECRET}"
app_id = "{APP_1}"
base_url = "{base_url}"
poll_interval = 10    # seconds, slow on purpose

    # an indented comment between tables

[profiles.home]
region = "euc1"
app_id = "{APP_2}"
tenant_id = "{TENANT_2}"
app_secret = "home-secret-2"
future_key = "kept"   # a key this version does not know
"""


@pytest.fixture
def cfg_file(tmp_path: Path) -> Path:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir(mode=0o700)
    path.write_text(commented())
    path.chmod(0o600)
    return path


def test_theme_added_is_the_only_change(cfg_file: Path) -> None:
    original = cfg_file.read_bytes()
    config = load_config(cfg_file)
    config.settings["theme"] = "nord"
    save_config(config)
    expected = commented().replace(ACTIVE_LINE, ACTIVE_LINE + 'theme = "nord"\n')
    assert cfg_file.read_text() == expected
    # The safety properties of the write hold: 0600, and the .bak is the old file.
    assert stat.S_IMODE(cfg_file.stat().st_mode) == 0o600
    assert cfg_file.with_name("config.toml.bak").read_bytes() == original


def test_theme_changed_keeps_its_comment(cfg_file: Path) -> None:
    text = commented().replace(ACTIVE_LINE, ACTIVE_LINE + "theme = 'textual-light'  # mine\n")
    cfg_file.write_text(text)
    config = load_config(cfg_file)
    config.settings["theme"] = "nord"
    save_config(config)
    assert cfg_file.read_text() == text.replace("'textual-light'", '"nord"')


def test_saving_one_field_changes_only_that_value(cfg_file: Path) -> None:
    config = load_config(cfg_file)
    work = config.profiles["work"].replace(poll_interval=30.0)
    save_config(upsert_profile(config, work, activate=True))
    assert cfg_file.read_text() == commented().replace(
        "poll_interval = 10    #", "poll_interval = 30    #"
    )


def test_unchanged_save_is_byte_for_byte(cfg_file: Path) -> None:
    original = cfg_file.read_bytes()
    save_config(load_config(cfg_file))
    assert cfg_file.read_bytes() == original


def test_new_key_goes_into_its_table(cfg_file: Path) -> None:
    config = load_config(cfg_file)
    work = config.profiles["work"].replace(scopes="opticspkgconfig:read")
    save_config(upsert_profile(config, work, activate=True))
    line = "poll_interval = 10    # seconds, slow on purpose\n"
    assert cfg_file.read_text() == commented().replace(
        line, line + 'scopes = "opticspkgconfig:read"\n'
    )


def test_cleared_field_and_removed_profile_go_alone(cfg_file: Path) -> None:
    config = load_config(cfg_file)
    del config.profiles["home"]
    # Back to the default: cypkg writes no poll_interval then.
    work = config.profiles["work"].replace(poll_interval=DEFAULT_POLL_INTERVAL)
    save_config(upsert_profile(config, work, activate=True))
    text = commented()
    expected = text[: text.index("[profiles.home]")].replace(
        "poll_interval = 10    # seconds, slow on purpose\n", ""
    )
    assert cfg_file.read_text() == expected


def test_new_profile_appended_after_the_others(cfg_file: Path) -> None:
    config = load_config(cfg_file)
    lab = config.profiles["home"].replace(name="lab", extras={})
    save_config(upsert_profile(config, lab, activate=False))
    text = cfg_file.read_text()
    assert text.startswith(commented())
    assert text[len(commented()) :].lstrip("\n").startswith("[profiles.lab]\n")
    assert set(load_config(cfg_file).profiles) == {"work", "home", "lab"}


def test_bom_and_crlf_files_keep_their_form(cfg_file: Path) -> None:
    text = "\ufeff" + commented().replace("\n", "\r\n")
    cfg_file.write_bytes(text.encode("utf-8"))
    config = load_config(cfg_file)
    work = config.profiles["work"].replace(poll_interval=30.0)
    save_config(upsert_profile(config, work, activate=True))
    assert (
        cfg_file.read_bytes() == text.replace("poll_interval = 10", "poll_interval = 30").encode()
    )


# Printable characters that TOML must escape or that look like syntax: a secret made of
# them must come back exactly and never spill into a comment or another line.
_TRICKY = st.text(alphabet=st.sampled_from("ab#\"\\'=[]{}.,é€😀"), min_size=1, max_size=20)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tail=_TRICKY)
def test_a_secret_stays_in_its_value(cfg_file: Path, tail: str) -> None:
    cfg_file.write_text(commented())
    secret = "Zq9 " + tail + " 9qZ"  # inner spaces; a secret's outer ones are stripped on load
    config = load_config(cfg_file)
    home = config.profiles["home"].replace(app_secret=Secret(secret))
    save_config(upsert_profile(config, home, activate=False))
    text = cfg_file.read_text()
    assert tomllib.loads(text)["profiles"]["home"]["app_secret"] == secret
    # Only the app_secret line changed, and it has no comment.
    before, after = commented().splitlines(), text.splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and changed[0][0] == 'app_secret = "home-secret-2"'
    assert changed[0][1].startswith('app_secret = "Zq9') and changed[0][1].endswith('"')


def test_a_failed_edit_falls_back_to_a_fresh_file(
    cfg_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the in-place edit ever means something else than the settings, the file is
    written fresh (comments lost, the .bak has them) rather than wrong."""
    from tui import config_edit

    monkeypatch.setattr(config_edit, "update", lambda text, before, after: 'active_profile = "x"\n')
    config = load_config(cfg_file)
    config.settings["theme"] = "nord"
    save_config(config)
    again = load_config(cfg_file)
    assert again.settings["theme"] == "nord" and set(again.profiles) == {"work", "home"}
    assert again.active_profile == "work"
    assert cfg_file.with_name("config.toml.bak").read_text() == commented()


def test_unserialisable_value_still_refused(cfg_file: Path) -> None:
    from tui.api.errors import ConfigError

    config = load_config(cfg_file)
    config.settings["bad"] = object()
    with pytest.raises(ConfigError, match="Cannot save"):
        save_config(config)
    assert cfg_file.read_text() == commented()


# --------------------------------------------------------------------------- through the app


def _write_commented(path: Path, base_url: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = commented(base_url)
    path.write_text(text)
    path.chmod(0o600)
    return text


async def test_palette_theme_pick_keeps_comments(make_app, emulator) -> None:  # type: ignore[no-untyped-def]
    path = config_path()
    text = _write_commented(path, emulator.base_url)
    config = load_config(path)
    app = make_app(config=config, profile=config.profiles["work"])
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "ansi-dark"
        await pilot.pause()
    assert path.read_text() == text.replace(ACTIVE_LINE, ACTIVE_LINE + 'theme = "ansi-dark"\n')


async def test_settings_save_keeps_comments(make_app, emulator) -> None:  # type: ignore[no-untyped-def]
    path = config_path()
    text = _write_commented(path, emulator.base_url)
    config = load_config(path)
    app = make_app(config=config, profile=config.profiles["work"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        screen.query_one("#poll_interval", Input).focus()
        await pilot.press("ctrl+a", "ctrl+k", "3", "0")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert path.read_text() == text.replace("poll_interval = 10    #", "poll_interval = 30    #")
