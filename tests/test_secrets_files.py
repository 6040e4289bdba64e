"""Secrets and private files.

* Token cache and recent list: 0600 files in 0700 directories, also when an old file
  was wider (the recent list is tightened; a token others could read is thrown away);
  atomic writes (a crash mid-save leaves the old file); damaged files are tolerated,
  and a damaged recent list is kept aside before it is rewritten.
* Config values that would act on the terminal are refused with the key named.
* The app secret (and the access token) appear in no output: every CLI command and
  error, exception texts and reprs, the TUI's screens and screenshots, and the SVGs
  kept in the repository.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
import subprocess
import sys
import traceback
import uuid
from pathlib import Path
from typing import Any

import pytest

from tui import cli
from tui.api.auth import AccessToken, TokenCache
from tui.api.client import CylanceClient
from tui.api.errors import ConfigError, CypkgError
from tui.api.retry import RetryPolicy
from tui.config import Config, Profile, Secret, load_config, resolve_profile, token_cache_dir
from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_SUCCESS_ID
from tui.polling.recent import RecentStore

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
ROOT = Path(__file__).resolve().parent.parent
#: A secret that is easy to find if it leaks anywhere.
CANARY = "cypkg-leak-canary-7f3a9c0e5b1d4e2f8a6b0c9d"
CANARY_APP = "c0ffee00-1111-4222-8333-444444444444"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------- token cache


@posix_only
def test_token_cache_is_private_and_refuses_a_readable_token(tmp_path: Path) -> None:
    directory = tmp_path / "tokens"
    cache = TokenCache(directory)
    cache.put("k", AccessToken("tok-1", 2e9))
    path = directory / "k.json"
    assert mode(path) == 0o600 and mode(directory) == 0o700
    # An old version (or a careless copy) left it readable by others, in an open directory.
    path.chmod(0o644)
    directory.chmod(0o755)
    fresh = TokenCache(directory)
    assert fresh.get("k", 0) is None  # others may have read it: never used
    assert not path.exists() and mode(directory) == 0o700
    # A symlink planted in its place is not followed either.
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps({"access_token": "planted", "expires_at": 2e9}))
    target.chmod(0o600)
    path.symlink_to(target)
    assert TokenCache(directory).get("k", 0) is None and target.exists()
    fresh.put("k", AccessToken("tok-2", 2e9))
    assert mode(path) == 0o600 and TokenCache(directory).get("k", 0) == AccessToken("tok-2", 2e9)


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[]", b'{"access_token": 5, "expires_at": "x"}', b"\xff\xfe", b"[" * 100_000],
)
def test_token_cache_tolerates_damage(tmp_path: Path, content: bytes) -> None:
    directory = tmp_path / "tokens"
    TokenCache(directory).put("k", AccessToken("tok", 2e9))
    (directory / "k.json").write_bytes(content)
    assert TokenCache(directory).get("k", 0) is None  # damaged: just sign in again


def test_client_signs_in_again_over_a_damaged_cache(emulator: Emulator) -> None:
    directory = token_cache_dir()
    with CylanceClient(
        emulator.base_url,
        DEMO.tenant_id,
        DEMO.app_id,
        DEMO.app_secret,
        token_cache=TokenCache(directory),
    ) as client:
        client.get_package(DEMO_PACKAGE_ID)
    for path in directory.iterdir():
        path.write_text("{not json")
    with CylanceClient(
        emulator.base_url,
        DEMO.tenant_id,
        DEMO.app_id,
        DEMO.app_secret,
        token_cache=TokenCache(directory),
    ) as client:
        assert client.get_package(DEMO_PACKAGE_ID).package_id == DEMO_PACKAGE_ID
    assert emulator.count("POST", "/auth") == 2


# --------------------------------------------------------------------------- recent list


@posix_only
def test_recent_list_is_tightened(tmp_path: Path) -> None:
    directory = tmp_path / "data"
    store = RecentStore(directory / "recent.json")
    store.record(DEMO_PACKAGE_ID, name="x")
    path = directory / "recent.json"
    assert mode(path) == 0o600 and mode(directory) == 0o700
    path.chmod(0o664)
    directory.chmod(0o775)
    assert RecentStore(path).ids() == [DEMO_PACKAGE_ID]
    assert mode(path) == 0o600 and mode(directory) == 0o700


@pytest.mark.parametrize(
    "content",
    [
        b"{broken",
        b"\xff\xfe\x00",
        b'{"version": 1, "entries": {"not": "a list"}}',
        b'{"version": 1, "entries": [{"package_id": "../../etc/passwd", "name": "x"}]}',
    ],
)
def test_damaged_recent_list_is_tolerated_and_kept_aside(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "recent.json"
    path.write_bytes(content)
    store = RecentStore(path)
    assert store.entries == []  # no history, no error
    store.record(DEMO_PACKAGE_ID, name="new")
    assert (tmp_path / "recent.json.corrupt").read_bytes() == content  # the user's edit
    assert RecentStore(path).ids() == [DEMO_PACKAGE_ID]
    store.record(STARTED_SUCCESS_ID)  # the backup is made once, not on every save
    assert (tmp_path / "recent.json.corrupt").read_bytes() == content


def test_empty_recent_file_is_not_called_damaged(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    path.write_bytes(b"")
    RecentStore(path).record(DEMO_PACKAGE_ID)
    assert not (tmp_path / "recent.json.corrupt").exists()


_CRASH = """
import os, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tui.api.auth import AccessToken, TokenCache
from tui.polling.recent import RecentStore
real_fsync = os.fsync
def crash(fd):
    os.kill(os.getpid(), 9)  # the machine dies mid-save: no cleanup, no rename
os.fsync = crash
which, directory = sys.argv[1], Path(sys.argv[2])
if which == "recent":
    RecentStore(directory / "recent.json").record({pid!r}, name="new")
else:
    TokenCache(directory).put("k", AccessToken("new-token", 2e9))
"""


@pytest.mark.parametrize("which", ["recent", "token"])
def test_crash_mid_save_keeps_the_old_file(tmp_path: Path, which: str) -> None:
    if which == "recent":
        RecentStore(tmp_path / "recent.json").record(DEMO_PACKAGE_ID, name="old")
        path = tmp_path / "recent.json"
    else:
        TokenCache(tmp_path).put("k", AccessToken("old-token", 2e9))
        path = tmp_path / "k.json"
    before = path.read_bytes()
    script = _CRASH.format(root=str(ROOT), pid=STARTED_SUCCESS_ID)
    done = subprocess.run([sys.executable, "-c", script, which, str(tmp_path)], timeout=60)
    assert done.returncode == -9  # it really died in the middle
    assert path.read_bytes() == before  # the old file, whole
    if which == "recent":
        assert RecentStore(path).entries[0].name == "old"
    else:
        assert TokenCache(tmp_path).get("k", 0) == AccessToken("old-token", 2e9)


# --------------------------------------------------------------------------- config values


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("tenant_id", "\\u001b]0;PWNED\\u0007"),
        ("app_id", "\\u001b[31mred"),
        ("ca_bundle", "/etc/ssl/\\u009b2J.pem"),
        ("scopes", "opticspkgconfig:read\\u202e"),
    ],
)
def test_config_values_that_would_act_on_the_terminal_are_refused(
    tmp_path: Path, key: str, value: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[profiles.work]\n{key} = "{value}"\napp_secret = "{CANARY}"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert f"profiles.work.{key} must not contain control or invisible characters" in message
    assert str(path) in message and "\x1b" not in message and CANARY not in message


def test_environment_values_that_would_act_on_the_terminal_are_refused() -> None:
    env = {"CYPKG_TENANT_ID": "\x1b]52;c;SEVDTA==\x07", "CYPKG_APP_SECRET": CANARY}
    with pytest.raises(ConfigError, match="Environment variable CYPKG_TENANT_ID") as caught:
        resolve_profile(Config(), env=env)
    assert "\x1b" not in str(caught.value)


# --------------------------------------------------------------------------- the secret


def leaked(text: str | bytes, *secrets: str) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    found = []
    for secret in secrets:
        raw = secret.encode()
        for form in (raw, base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            if form[:24] in data:
                found.append(secret[:8] + "…")
    return found


@pytest.fixture
def canary_env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> Emulator:
    emulator.add_app(
        CANARY_APP, CANARY, DEMO.tenant_id, {"opticspkgconfig:read", "opticspkgconfig:list"}
    )
    monkeypatch.setenv("CYPKG_API_URL", emulator.base_url)
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id)
    monkeypatch.setenv("CYPKG_APP_ID", CANARY_APP)
    monkeypatch.setenv("CYPKG_APP_SECRET", CANARY)
    fast = RetryPolicy(base_delay=0.001, max_delay=0.002, rate_limit_delay=0.01)
    monkeypatch.setattr("tui.api.client.RetryPolicy", lambda: fast)
    monkeypatch.setattr(cli, "_sleep", lambda seconds: None)
    return emulator


def test_secret_in_no_cli_output(
    canary_env: Emulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    figures: dict[str, object],
) -> None:
    emu = canary_env
    emu.store.add({"packageId": STARTED_SUCCESS_ID.replace("5b", "5c"), "status": "success"})
    commands: list[tuple[str, ...]] = [
        ("get", DEMO_PACKAGE_ID),
        ("get", DEMO_PACKAGE_ID, "--json"),
        ("list",),
        ("list", "--json"),
        ("watch", DEMO_PACKAGE_ID),
        ("watch", DEMO_PACKAGE_ID, "--json"),
        ("config", "path"),
        ("config", "paths"),
        ("config", "show"),
        ("config", "check"),
        ("get", str(uuid.UUID(int=1))),  # 404
        ("get", "not-a-uuid"),  # usage error
        ("list", "--sort", "nope"),
        ("--profile", "missing", "get", DEMO_PACKAGE_ID),  # config error
    ]
    outputs: list[str] = []

    def run(*argv: str) -> None:
        with contextlib.suppress(SystemExit):  # argparse's usage errors
            cli.main(list(argv))
        out, err = capsys.readouterr()
        outputs.append(out + err)

    tokens: set[str] = set()

    def remember_tokens() -> None:
        for path in token_cache_dir().iterdir():
            tokens.add(json.loads(path.read_text())["access_token"])

    for argv in commands:
        run(*argv)
        if argv == ("get", DEMO_PACKAGE_ID):
            remember_tokens()
    emu.faults.fail_next(10, 503)
    run("get", DEMO_PACKAGE_ID)
    emu.faults.fail_next(10, 401)
    run("get", DEMO_PACKAGE_ID)
    emu.faults.malformed_next(1, "html")
    run("get", DEMO_PACKAGE_ID)
    emu.revoke_tokens()
    run("get", DEMO_PACKAGE_ID)  # signs in again
    remember_tokens()
    emu.revoke_tokens()
    monkeypatch.setenv("CYPKG_APP_SECRET", CANARY + "-wrong")  # rejected credentials
    run("get", DEMO_PACKAGE_ID)
    run("config", "check")
    monkeypatch.setenv("CYPKG_API_URL", "http://evil.example")  # refused base URL
    run("get", DEMO_PACKAGE_ID)
    assert len(tokens) == 2  # the cache was used, so there are tokens to look for
    assert "rejected the credentials" in outputs[-3] and "rejected" in outputs[-2]
    for text in outputs:
        assert not leaked(text, CANARY, *tokens), text
    assert any("Traceback" in text for text in outputs) is False
    figures["CLI runs searched for the secret and the access token"] = len(outputs)


def test_secret_in_no_exception_or_repr(canary_env: Emulator, tmp_path: Path) -> None:
    emu = canary_env
    profile = Profile(
        name="p",
        base_url=emu.base_url,
        tenant_id=DEMO.tenant_id,
        app_id=CANARY_APP,
        app_secret=Secret(CANARY),
    )
    client = CylanceClient(
        emu.base_url,
        DEMO.tenant_id,
        CANARY_APP,
        CANARY,
        token_cache=TokenCache(tmp_path),
        retry=RetryPolicy(max_attempts=1),
    )
    token = client.authenticate()
    objects: list[Any] = [
        client,
        profile,
        Config(profiles={"p": profile}),
        token,
        profile.app_secret,
        TokenCache(tmp_path),
    ]
    errors: list[BaseException] = []
    faults = [
        lambda: emu.faults.fail_next(1, 500),
        lambda: emu.faults.fail_next(2, 401),
        lambda: emu.faults.rate_limit_next(1),
        lambda: emu.faults.reset_mid_body_next(1),
        lambda: emu.faults.drop_next(1),
        lambda: emu.faults.malformed_next(1, "truncated"),
        lambda: emu.faults.body_next(1, b'{"message": "' + CANARY.encode() + b'"}', status=404),
    ]
    for inject in faults:
        inject()
        try:
            client.get_package(DEMO_PACKAGE_ID)
        except CypkgError as exc:
            errors.append(exc)
    client.base_url = "http://127.0.0.1:9"
    try:
        client.get_package(DEMO_PACKAGE_ID)
    except CypkgError as exc:
        errors.append(exc)
    try:
        Secret(123)  # type: ignore[arg-type]
    except TypeError as exc:
        errors.append(exc)
    client.close()
    assert len(errors) == 9
    texts = [repr(o) + str(o) + f"{o}" for o in objects]
    texts += ["".join(traceback.format_exception(e)) + repr(e) + repr(e.args) for e in errors]
    for text in texts:
        # (the 404 body that quotes the secret is server text: shown, since the server said
        # it; everything cypkg itself writes must be clean)
        assert not leaked(text.replace(f"HTTP 404: {CANARY}", ""), CANARY, token.value), text


async def test_secret_in_no_screen_or_screenshot(make_app, emulator, wait_until) -> None:  # type: ignore[no-untyped-def]
    from tui.ui.screens.settings import SettingsScreen

    emulator.add_app(CANARY_APP, CANARY, DEMO.tenant_id, {"opticspkgconfig:read"})
    profile = Profile(
        name="canary",
        base_url=emulator.base_url,
        tenant_id=DEMO.tenant_id,
        app_id=CANARY_APP,
        app_secret=Secret(CANARY),
    )
    app = make_app(profile=profile, package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_until(pilot, lambda: getattr(app.screen, "package", None) is not None)
        shots = [app.export_screenshot()]
        await pilot.press("5")  # the raw JSON
        await pilot.pause()
        shots.append(app.export_screenshot())
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        await pilot.press("ctrl+t")  # test the connection: a message, never the secret
        await wait_until(pilot, lambda: "Connected" in app.export_screenshot())
        app.screen.query_one("#app_secret").value = CANARY + "-typed"  # typed, password field
        await pilot.pause()
        shots.append(app.export_screenshot())
    for shot in shots:
        assert not leaked(shot, CANARY, CANARY + "-typed")


def test_secret_in_no_kept_svg() -> None:
    svgs = sorted((ROOT / "screenshots").glob("*.svg"))
    svgs += sorted((ROOT / "tests" / "__snapshots__").rglob("*.svg"))
    assert len(svgs) >= 10
    secrets = [DEMO.app_secret, "not-a-real-secret"]  # what the screenshots and snapshots use
    for path in svgs:
        assert not leaked(path.read_bytes(), *secrets), path
