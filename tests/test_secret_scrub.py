"""A secret pasted into the wrong field is never shown, and IDs are UUIDs.

Users paste the app secret into the field next to the one they meant: the CA bundle,
the base URL, the scopes, a profile name, the region. Wherever it lands, every message,
view and output masks it (the whole secret and any piece of it long enough to matter,
since messages shorten what they quote). Tenant and app IDs must be UUIDs, so a secret
pasted there is refused before it can be sent in a JWT's ``tid``/``sub``.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from tui import cli
from tui.api.errors import ConfigError
from tui.api.retry import RetryPolicy
from tui.base.safe_text import mask_secrets
from tui.config import Config, Profile, Secret, config_path, load_config, resolve_profile
from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID

#: Letters, digits and dashes: fits a path, a URL path, a profile name and a TOML string.
CANARY = "cypkg-pasted-secret-3b9e1f7a0c5d42e8Kq"
MASK = "********"


def leaked(data: str | bytes, secret: str = CANARY) -> list[str]:
    """Any 12-character piece of the secret, or its base64 forms, found in ``data``."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    found = [secret[i : i + 12] for i in range(len(secret) - 11) if secret[i : i + 12] in text]
    raw = secret.encode()
    blob = text.encode("utf-8", "replace")
    for form in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        if form[:16] in blob:
            found.append(f"base64 {form[:16]!r}")
    return found


def write_config(table: dict[str, Any], *, name: str = "default") -> Path:
    import tomlkit

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    document = {"active_profile": name, "profiles": {name: table}}
    path.write_text(tomlkit.dumps(document))
    path.chmod(0o600)
    return path


# --------------------------------------------------------------------------- the mask


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"bundle {CANARY}: missing", f"bundle {MASK}: missing"),
        (f"Unknown region '{CANARY[:30]}'", f"Unknown region '{MASK}'"),  # cut short
        (f"x{CANARY[5:25]}…", f"x{MASK}…"),  # a piece from the middle
        (f"https://{CANARY.lower()}.example", f"https://{MASK}.example"),  # hosts are lower-cased
        (f"{CANARY} and {CANARY}", f"{MASK} and {MASK}"),
        (f"{CANARY[:9]} is short", f"{CANARY[:9]} is short"),  # 9 characters: too few to matter
        ("nothing here", "nothing here"),
    ],
)
def test_mask_secrets(text: str, expected: str) -> None:
    assert mask_secrets(text, [CANARY]) == expected


def test_mask_ignores_empty_and_tiny_secrets() -> None:
    assert mask_secrets("a b c abc", ["", "abc"]) == "a b c abc"
    assert mask_secrets("say hunter22 twice hunter22", ["hunter22"]) == f"say {MASK} twice {MASK}"


def test_profile_scrub_masks_its_own_secret() -> None:
    profile = Profile(name="p", ca_bundle=CANARY, app_secret=Secret(CANARY))
    assert profile.scrub(f"Cannot use {profile.ca_bundle}\x1b") == f"Cannot use {MASK}␛"
    assert Profile(name="p", ca_bundle=CANARY).scrub(CANARY) == CANARY  # no secret, no mask


# --------------------------------------------------------------------------- IDs are UUIDs


@pytest.mark.parametrize(
    "value",
    [
        DEMO.tenant_id,
        DEMO.tenant_id.upper(),
        DEMO.tenant_id.replace("-", ""),
        f"  {DEMO.tenant_id}\n",  # a stray newline from a paste
    ],
)
def test_uuid_forms_accepted(value: str) -> None:
    profile = Profile(name="p", tenant_id=value, app_id=value)
    assert profile.tenant_id == value.strip()


@pytest.mark.parametrize(
    "value",
    [
        CANARY,
        "tenant-1",
        DEMO.tenant_id[:-1],
        DEMO.tenant_id + "0",
        "{" + DEMO.tenant_id + "}",
        DEMO.tenant_id.replace("4", "\u0664"),  # Arabic-Indic four: int() takes it, we don't
        DEMO.tenant_id.replace("-", "", 1),
        "6f1c2d4e8a3b-4c5d-9e7f-0a1b-2c3d4e5f",  # hyphens in the wrong places
    ],
)
@pytest.mark.parametrize("key", ["tenant_id", "app_id"])
def test_ids_must_be_uuids(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Profile(name="p", app_secret=Secret(CANARY), **{key: value})
    message = str(caught.value)
    assert f"{key} must be a UUID" in message and "8-4-4-4-12" in message
    assert value.strip() not in message and not leaked(message)


def test_ids_checked_in_the_file_and_the_environment() -> None:
    write_config({"tenant_id": CANARY, "app_id": DEMO.app_id, "app_secret": "x" * 32})
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert "profiles.default.tenant_id must be a UUID" in str(caught.value)
    assert not leaked(str(caught.value))
    for var in ("CYPKG_TENANT_ID", "CYPKG_APP_ID"):
        with pytest.raises(ConfigError) as caught:
            resolve_profile(Config(), env={var: CANARY, "CYPKG_APP_SECRET": CANARY})
        assert f"Environment variable {var} must be a UUID" in str(caught.value)
        assert not leaked(str(caught.value))


@pytest.mark.parametrize("where", ["file tenant_id", "file app_id", "env CYPKG_APP_ID"])
def test_non_uuid_id_exits_5_before_any_request(
    where: str,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    table = {
        "base_url": emulator.base_url,
        "tenant_id": DEMO.tenant_id,
        "app_id": DEMO.app_id,
        "app_secret": CANARY,
    }
    source, key = where.split()
    if source == "file":
        table[key] = CANARY
    else:
        monkeypatch.setenv(key, CANARY)
    write_config(table)
    for argv in (["get", DEMO_PACKAGE_ID], ["watch", DEMO_PACKAGE_ID], ["config", "show"]):
        assert cli.main(argv) == 5
        out, err = capsys.readouterr()
        assert out == "" and "must be a UUID" in err and "cypkg: hint:" in err
        assert not leaked(out + err), (argv, err)
    assert emulator.count() == 0  # nothing reached the server


def test_client_refuses_to_sign_with_non_uuid_ids(emulator: Emulator) -> None:
    """The API layer holds the line too: no JWT is built from IDs that are not UUIDs."""
    from tui.api.client import CylanceClient

    for tenant, app in ((CANARY, DEMO.app_id), (DEMO.tenant_id, CANARY)):
        client = CylanceClient(emulator.base_url, tenant, app, CANARY)
        with client, pytest.raises(ConfigError, match="UUID") as caught:
            client.authenticate()
        assert not leaked(str(caught.value))
    client = CylanceClient(
        emulator.base_url, DEMO.tenant_id, DEMO.app_id, CANARY, scopes=f"read {CANARY}"
    )
    with client, pytest.raises(ConfigError, match="scopes") as caught:
        client.authenticate()
    assert not leaked(str(caught.value))
    assert emulator.count() == 0


# --------------------------------------------------------------------------- the CLI

#: (where the secret is pasted, how) -> the profile table's changes, or environment.
PLANTS: dict[str, dict[str, str]] = {
    "ca_bundle": {"ca_bundle": CANARY},
    "ca_bundle path": {"ca_bundle": f"/etc/ssl/{CANARY}.pem"},
    "base_url path": {"base_url": "{url}/" + CANARY},
    "scopes": {"scopes": f"opticspkgconfig:read {CANARY}"},
    "region": {"region": CANARY, "base_url": ""},
    "profile name": {"name": CANARY},
    "env CYPKG_API_URL": {"env:CYPKG_API_URL": "{url}/" + CANARY},
    "env CYPKG_REGION": {"env:CYPKG_REGION": CANARY},
    "env CYPKG_PROFILE": {"env:CYPKG_PROFILE": CANARY},
}
COMMANDS = [
    ("get", DEMO_PACKAGE_ID),
    ("get", DEMO_PACKAGE_ID, "--json"),
    ("watch", DEMO_PACKAGE_ID),
    ("watch", DEMO_PACKAGE_ID, "--json"),
    ("list",),
    ("config", "show"),
    ("config", "check"),
]


@pytest.mark.parametrize("secret_in", ["file", "env"])
@pytest.mark.parametrize("plant", list(PLANTS))
def test_planted_secret_in_no_cli_output(
    plant: str,
    secret_in: str,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fast = RetryPolicy(base_delay=0.001, max_delay=0.002, rate_limit_delay=0.01)
    monkeypatch.setattr("tui.api.client.RetryPolicy", lambda: fast)
    monkeypatch.setattr(cli, "_sleep", lambda seconds: None)
    table: dict[str, Any] = {
        "base_url": emulator.base_url,
        "tenant_id": DEMO.tenant_id,
        "app_id": DEMO.app_id,
    }
    if secret_in == "file":
        table["app_secret"] = CANARY
    else:
        monkeypatch.setenv("CYPKG_APP_SECRET", CANARY)
    name = "default"
    for key, value in PLANTS[plant].items():
        value = value.format(url=emulator.base_url)
        if key.startswith("env:"):
            monkeypatch.setenv(key[4:], value)
        elif key == "name":
            name = value
        elif value:
            table[key] = value
        else:
            del table[key]
    write_config(table, name=name)
    outputs = []
    for argv in COMMANDS:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        assert not leaked(out + err), (plant, argv, out + err)
        assert "Traceback" not in err and code != 70, (argv, err)
        outputs.append(out + err)
    text = "\n".join(outputs)
    assert MASK in text  # it was there to be masked, and it was
    if plant.startswith("ca_bundle"):
        assert "CA bundle" in text and "CA bundle" in outputs[-2]  # config show
    if plant == "scopes":
        assert emulator.count("POST", "/auth") == 0  # never sent inside a JWT


# --------------------------------------------------------------------------- the TUI

CANARY_APP = "c0ffee00-5555-4666-8777-888888888888"


async def test_planted_ca_bundle_in_no_screen(make_app, emulator, wait_until, screen_text):  # type: ignore[no-untyped-def]
    """The error panel, the settings form and the Ctrl+T result: masked, all of them."""
    from textual.widgets import Input

    from tui.ui.screens.settings import SettingsScreen
    from tui.ui.widgets.error_panel import ErrorPanel

    emulator.add_app(CANARY_APP, CANARY, DEMO.tenant_id, {"opticspkgconfig:read"})
    profile = Profile(
        name="canary",
        base_url=emulator.base_url,
        tenant_id=DEMO.tenant_id,
        app_id=CANARY_APP,
        app_secret=Secret(CANARY),
        ca_bundle=CANARY,
    )
    app = make_app(profile=profile, package_id=DEMO_PACKAGE_ID)
    shots: list[str] = []
    async with app.run_test(size=(120, 40), notifications=True) as pilot:

        def panel_shown() -> bool:
            panels = app.screen.query(ErrorPanel)
            return bool(panels) and panels.first().display

        await wait_until(pilot, panel_shown, what="error panel")
        await pilot.pause()
        assert f"CA bundle {MASK}" in " ".join(screen_text(app).split())
        shots.append(app.export_screenshot())
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        screen = app.screen
        assert screen.query_one("#ca_bundle", Input).value == MASK
        shots.append(app.export_screenshot())
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert f"no such file: {MASK}" in screen_text(app)
        shots.append(app.export_screenshot())
        # The user clears the field: the connection test now signs in.
        screen.query_one("#ca_bundle", Input).value = ""
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: "Connected" in screen_text(app), what="connected")
        shots.append(app.export_screenshot())
    for shot in shots:
        assert not leaked(shot), leaked(shot)


async def test_planted_base_url_and_name_kept_but_not_shown(  # type: ignore[no-untyped-def]
    make_app, emulator, wait_until, screen_text
):
    """Shown masked, kept as it is when the field is left alone (and saved so)."""
    from textual.widgets import Input

    from tui.ui.screens.settings import SettingsScreen

    url = f"{emulator.base_url}/{CANARY}"
    name = f"p-{CANARY}"
    profile = Profile(
        name=name,
        base_url=url,
        tenant_id=DEMO.tenant_id,
        app_id=CANARY_APP,
        app_secret=Secret(CANARY),
    )
    path = config_path()
    app = make_app(
        profile=profile, config=Config(active_profile=name, profiles={name: profile}, path=path)
    )
    shots: list[str] = []
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        assert f"profile p-{MASK}" in screen_text(app)
        shots.append(app.export_screenshot())
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        screen = app.screen
        assert screen.query_one("#base_url", Input).value == f"{emulator.base_url}/{MASK}"
        assert screen.query_one("#name", Input).value == f"p-{MASK}"
        shots.append(app.export_screenshot())
        await pilot.press("ctrl+t")  # the token endpoint is not under that path: a 404
        await wait_until(pilot, lambda: "HTTP 404" in screen_text(app), what="404")
        shots.append(app.export_screenshot())
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: path.exists(), what="save")
        await pilot.pause()
        shots.append(app.export_screenshot())
        shots += [str(n.message) for n in app._notifications]
    saved = load_config(path)
    assert list(saved.profiles) == [name]  # kept as it was, not renamed to the mask
    assert saved.profiles[name].base_url == url
    for shot in shots:
        assert not leaked(shot), leaked(shot)


def test_planted_secret_in_no_terminal_byte(emulator: Emulator, tmp_path: Path) -> None:
    """The real app in a pty: error panel, settings screen and Ctrl+T; every byte searched."""
    from ptyapp import PtyApp, cypkg_env

    env = cypkg_env(tmp_path, secret=CANARY)
    path = Path(env["XDG_CONFIG_HOME"], "cypkg", "config.toml")
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text(f'[profiles.default]\nca_bundle = "{CANARY}"\nscopes = "{CANARY}"\n')
    path.chmod(0o600)
    app = PtyApp("--api-url", emulator.base_url, DEMO_PACKAGE_ID, env=env, size=(140, 40))
    try:
        app.wait_for(b"CA bundle", MASK.encode())  # the error panel
        since = app.mark()
        app.press("f2")
        app.wait_for(b"App secret", since=since)
        since = app.mark()
        app.press("\x14")  # ctrl+t
        app.wait_for(b"no such file", since=since)
        app.press("ctrl+q")
        assert app.wait() == 0
    finally:
        app.close()
    assert not leaked(app.output), leaked(app.output)
