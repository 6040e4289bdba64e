"""tui.config: paths, Secret, Profile, load/save, env overrides."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import stat
import sys
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui import config as cfg
from tui.api.errors import ConfigError
from tui.base.safe_text import inert
from tui.config import (
    Config,
    Profile,
    Secret,
    describe_paths,
    load_config,
    require_complete,
    resolve_profile,
    save_config,
    upsert_profile,
)

SECRET = "Sup3r-S3cret-Value-4f1c"
# Tenant and app IDs are UUIDs (the settings, the file and the environment refuse others).
TENANT_1, APP_1 = "11111111-1111-4111-8111-111111111111", "a1a1a1a1-1111-4111-8111-111111111111"
TENANT_2, APP_2 = "22222222-2222-4222-8222-222222222222", "a2a2a2a2-2222-4222-8222-222222222222"
OTHER = "0e0e0e0e-0000-4000-8000-000000000000"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")

FULL_TOML = f"""\
active_profile = "prod"
theme = "textual-light"

[profiles.prod]
region = "euc1"
tenant_id = "{TENANT_1}"
app_id = "{APP_1}"
app_secret = "{SECRET}"
ca_bundle = "/etc/ssl/corp.pem"
poll_interval = 7.5
scopes = "opticspkgconfig:read, opticspkgconfig:list"

[profiles.lab]
base_url = "http://127.0.0.1:8080/"
tenant_id = "{TENANT_2}"
app_id = "{APP_2}"
app_secret = "other-secret-2"
"""


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def cfg_file(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


def full_profile(name: str = "prod", **changes: object) -> Profile:
    profile = Profile(
        name=name,
        region="euc1",
        tenant_id=TENANT_1,
        app_id=APP_1,
        app_secret=Secret(SECRET),
    )
    return profile.replace(**changes)


def load_error(path: Path, text: str) -> str:
    write(path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert SECRET not in message
    return message


# --------------------------------------------------------------------------- paths


@pytest.mark.skipif(sys.platform != "linux", reason="XDG directories are a Linux convention")
def test_paths_follow_xdg(isolated_env: Path) -> None:
    assert cfg.config_path() == isolated_env / "config" / "cypkg" / "config.toml"
    assert cfg.cache_dir() == isolated_env / "cache" / "cypkg"
    assert cfg.token_cache_dir() == isolated_env / "cache" / "cypkg" / "tokens"
    assert cfg.data_dir() == isolated_env / "data" / "cypkg"


@pytest.mark.skipif(sys.platform != "linux", reason="XDG directories are a Linux convention")
def test_paths_are_computed_on_each_call(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache2"))
    assert cfg.config_path() == tmp_path / "elsewhere" / "cypkg" / "config.toml"
    assert cfg.token_cache_dir() == tmp_path / "cache2" / "cypkg" / "tokens"


def test_cypkg_config_overrides_the_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CYPKG_CONFIG", str(tmp_path / "team.toml"))
    assert cfg.config_path() == tmp_path / "team.toml"
    monkeypatch.setenv("CYPKG_CONFIG", "~/cypkg.toml")
    assert cfg.config_path() == Path.home() / "cypkg.toml"
    monkeypatch.setenv("CYPKG_CONFIG", "  ")  # blank means unset
    assert cfg.config_path().name == "config.toml"


def test_cypkg_config_is_used_by_load_and_save(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "custom" / "setup.toml"
    monkeypatch.setenv("CYPKG_CONFIG", str(target))
    save_config(upsert_profile(Config(), full_profile(), activate=True))
    assert target.is_file()
    assert load_config().profiles["prod"].app_secret.reveal() == SECRET
    assert not (platformdirs.user_config_path("cypkg") / "config.toml").exists()


def test_describe_paths() -> None:
    paths = describe_paths()
    assert paths == {
        "config file": cfg.config_path(),
        "cache dir": cfg.cache_dir(),
        "token cache dir": cfg.token_cache_dir(),
        "data dir": cfg.data_dir(),
        "state dir": cfg.state_dir(),
    }


def test_isolation_fixture_cleans_the_environment(isolated_env: Path) -> None:
    assert Path.home() == isolated_env / "home"
    leftovers = [
        var
        for var in os.environ
        if var.startswith(("CYPKG_", "TEXTUAL_"))
        or var.upper() in ("NO_COLOR", "COLORTERM", "FORCE_COLOR", "SSL_CERT_FILE")
        or var.upper().endswith("_PROXY")
    ]
    # The one the fixture sets itself: polls at fake-clock speed must not be stretched.
    assert leftovers == ["CYPKG_DAILY_BUDGET"]


# --------------------------------------------------------------------------- Secret


@pytest.mark.parametrize("value", [SECRET, "x", "y" * 200])
def test_secret_is_masked_everywhere(value: str) -> None:
    secret = Secret(value)
    assert repr(secret) == "Secret('********')"
    assert str(secret) == "********"
    assert f"{secret}" == "********"
    assert f"{secret!r}" == "Secret('********')"
    assert f"{secret:>10}" == "  ********"
    assert "%s %r" % (secret, secret) == "******** Secret('********')"  # noqa: UP031
    assert secret.reveal() == value


def test_secret_semantics() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert Secret("a") != "a"  # never equal to the bare string
    assert hash(Secret("a")) == hash(Secret("a"))
    assert len({Secret("a"), Secret("a"), Secret("b")}) == 2
    assert Secret(SECRET)
    assert not Secret("")
    assert not Secret()


def test_secret_rejects_non_strings_without_echoing() -> None:
    with pytest.raises(TypeError) as info:
        Secret(12345)  # type: ignore[arg-type]
    assert "12345" not in str(info.value)


def test_secret_not_in_repr_of_containers() -> None:
    profile = full_profile()
    config = upsert_profile(Config(settings={"theme": "x"}), profile, activate=True)
    texts = [
        repr(profile),
        str(profile),
        f"{profile}",
        repr(config),
        str(config),
        f"{config}",
        repr(dataclasses.asdict(profile)),
        repr(dataclasses.asdict(config)),
    ]
    for text in texts:
        assert SECRET not in text
        assert "********" in text


# --------------------------------------------------------------------------- Profile


def test_profile_normalises() -> None:
    profile = Profile(
        name="p",
        region=" EU ",
        base_url="https://proxy.example.com/cylance/",
        tenant_id=f" {TENANT_1} \n",
        app_id=f"\t{APP_1}",
        app_secret=Secret(" s \n"),
        ca_bundle="  ",
        scopes="",
        poll_interval=10,
    )
    assert profile.region == "euc1"
    assert profile.base_url == "https://proxy.example.com/cylance"
    assert (profile.tenant_id, profile.app_id) == (TENANT_1, APP_1)
    assert profile.app_secret.reveal() == "s"
    assert profile.ca_bundle is None
    assert profile.scopes is None
    assert profile.poll_interval == 10.0
    assert isinstance(profile.poll_interval, float)


def test_api_url_and_region_label() -> None:
    default = Profile(name="d")
    assert default.api_url == "https://protectapi.cylance.com"
    assert default.region_label == "North America (protectapi.cylance.com)"

    eu = Profile(name="e", region="euc1")
    assert eu.api_url == "https://protectapi-euc1.cylance.com"
    assert eu.region_label == "Europe Central (protectapi-euc1.cylance.com)"

    custom = eu.replace(base_url="https://proxy.example.com")
    assert custom.api_url == "https://proxy.example.com"  # base_url wins over region
    assert custom.region_label == "https://proxy.example.com"

    # A base URL that is a region's URL is labelled as that region.
    same = Profile(name="s", base_url="https://protectapi-au.cylance.com/")
    assert same.region_label == "Asia-Pacific Southeast (protectapi-au.cylance.com)"


def test_missing_fields_and_is_complete() -> None:
    empty = Profile(name="x")
    assert empty.missing_fields() == ["tenant ID", "app ID", "app secret"]
    assert not empty.is_complete
    partial = empty.replace(tenant_id=TENANT_1, app_id=APP_1)
    assert partial.missing_fields() == ["app secret"]
    assert full_profile().is_complete
    assert full_profile().missing_fields() == []


def test_profile_is_frozen_hashable_and_replaceable() -> None:
    profile = full_profile(extras={"future": {"nested": 1}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.name = "other"  # type: ignore[misc]
    assert hash(profile) == hash(full_profile())
    other = profile.replace(poll_interval=30)
    assert other.poll_interval == 30.0
    assert profile.poll_interval == 5.0
    assert other.extras == {"future": {"nested": 1}}


def test_profile_copies_extras() -> None:
    extras: dict[str, object] = {"a": 1}
    profile = Profile(name="x", extras=extras)
    extras["b"] = 2
    assert profile.extras == {"a": 1}


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"poll_interval": 0}, "poll_interval must be between 1 and 3600 seconds, got 0"),
        ({"poll_interval": 3601}, "between 1 and 3600"),
        ({"region": "mars"}, "region: Unknown region 'mars'"),
        ({"base_url": "http://example.com"}, "base_url: Refusing plain http://"),
        ({"name": " "}, "profile name must be a non-empty string"),
        ({"name": "a\x1b[2Jb"}, "without control characters"),
    ],
)
def test_profile_validation(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        full_profile(**changes)
    assert fragment in str(info.value)


# --------------------------------------------------------------------------- load


def test_missing_file_gives_empty_config(cfg_file: Path) -> None:
    config = load_config(cfg_file)
    assert config == Config(path=cfg_file)
    assert config.profiles == {}
    assert config.warnings == []
    assert not cfg_file.parent.exists()  # loading never creates anything


def test_load_default_path(isolated_env: Path) -> None:
    write(cfg.config_path(), FULL_TOML)
    config = load_config()
    assert config.path == cfg.config_path()
    assert config.active_profile == "prod"


def test_load_full_file(cfg_file: Path) -> None:
    config = load_config(write(cfg_file, FULL_TOML))
    assert config.active_profile == "prod"
    assert config.settings == {"theme": "textual-light"}
    prod = config.profiles["prod"]
    assert prod == Profile(
        name="prod",
        region="euc1",
        tenant_id=TENANT_1,
        app_id=APP_1,
        app_secret=Secret(SECRET),
        ca_bundle="/etc/ssl/corp.pem",
        poll_interval=7.5,
        scopes="opticspkgconfig:read, opticspkgconfig:list",
    )
    lab = config.profiles["lab"]
    assert lab.base_url == "http://127.0.0.1:8080"
    assert lab.region is None
    assert lab.api_url == "http://127.0.0.1:8080"


def test_load_accepts_a_byte_order_mark(cfg_file: Path) -> None:
    cfg_file.parent.mkdir(parents=True)
    cfg_file.write_bytes(b"\xef\xbb\xbf" + FULL_TOML.encode())
    assert load_config(cfg_file).active_profile == "prod"


def test_round_trip(cfg_file: Path) -> None:
    original = load_config(write(cfg_file, FULL_TOML))
    save_config(original)
    again = load_config(cfg_file)
    assert again == original
    # And the file itself settles: saving twice writes the same bytes.
    first = cfg_file.read_bytes()
    save_config(again)
    assert cfg_file.read_bytes() == first


def test_unknown_keys_survive_a_round_trip(cfg_file: Path) -> None:
    text = f"""\
active_profile = "default"
theme = "nord"
future_flag = true
since = 2024-05-01T10:00:00Z

[keybindings]
quit = "ctrl+q"

[profiles.default]
tenant_id = "{TENANT_1}"
new_option = [1, 2, 3]

[profiles.default.proxy]
url = "https://proxy.example.com"
"""
    config = load_config(write(cfg_file, text))
    assert config.settings["theme"] == "nord"
    assert config.settings["keybindings"] == {"quit": "ctrl+q"}
    assert config.profiles["default"].extras == {
        "new_option": [1, 2, 3],
        "proxy": {"url": "https://proxy.example.com"},
    }
    save_config(config)
    again = load_config(cfg_file)
    assert again.settings == config.settings
    assert again.settings["since"] == dt.datetime(2024, 5, 1, 10, tzinfo=dt.timezone.utc)
    assert again.profiles == config.profiles
    assert again.profiles["default"].extras == config.profiles["default"].extras


def test_save_omits_unset_fields(cfg_file: Path) -> None:
    save_config(upsert_profile(Config(), Profile(name="bare"), activate=True), cfg_file)
    text = cfg_file.read_text()
    assert text.strip() == 'active_profile = "bare"\n\n[profiles.bare]'
    for key in ("region", "base_url", "tenant_id", "app_secret", "ca_bundle", "poll_interval"):
        assert key not in text


def test_save_writes_whole_poll_interval_as_integer(cfg_file: Path) -> None:
    config = upsert_profile(Config(), full_profile(poll_interval=10.0), activate=True)
    save_config(config, cfg_file)
    assert "poll_interval = 10\n" in cfg_file.read_text()
    assert load_config(cfg_file).profiles["prod"].poll_interval == 10.0


def test_save_drops_none_settings_and_refuses_unserialisable(cfg_file: Path) -> None:
    save_config(Config(settings={"theme": None, "x": 1}), cfg_file)
    assert load_config(cfg_file).settings == {"x": 1}
    with pytest.raises(ConfigError, match="Cannot save"):
        save_config(Config(settings={"bad": object()}), cfg_file)
    assert load_config(cfg_file).settings == {"x": 1}


# ------------------------------------------------------------------ load errors


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("poll_interval = '5'", "profiles.default.poll_interval must be a number, got string"),
        ("poll_interval = true", "profiles.default.poll_interval must be a number, got boolean"),
        ("poll_interval = [5]", "profiles.default.poll_interval must be a number, got array"),
        ("tenant_id = 42", "profiles.default.tenant_id must be a string, got integer"),
        ("app_id = 1.5", "profiles.default.app_id must be a string, got float"),
        (f'app_secret = ["{SECRET}"]', "profiles.default.app_secret must be a string, got array"),
        ("region = 1", "profiles.default.region must be a string, got integer"),
        ("base_url = {x = 1}", "profiles.default.base_url must be a string, got table"),
        ("ca_bundle = false", "profiles.default.ca_bundle must be a string, got boolean"),
        ("scopes = 2024-01-01", "profiles.default.scopes must be a string, got date"),
        ("scopes = 2024-01-01T00:00:00", "got date-time"),
        ("scopes = 10:00:00", "got time"),
    ],
)
def test_type_errors(cfg_file: Path, body: str, fragment: str) -> None:
    assert fragment in load_error(cfg_file, f"[profiles.default]\n{body}\n")


@pytest.mark.parametrize(
    ("value", "shown"),
    [("0", "0"), ("0.5", "0.5"), ("3601", "3601"), ("-5", "-5"), ("nan", "nan"), ("inf", "inf")],
)
def test_poll_interval_range(cfg_file: Path, value: str, shown: str) -> None:
    message = load_error(cfg_file, f"[profiles.default]\npoll_interval = {value}\n")
    assert (
        f"profiles.default.poll_interval must be between 1 and 3600 seconds, got {shown}."
        in message
    )


@pytest.mark.parametrize("value", ["1", "3600", "1.0", "42.5"])
def test_poll_interval_bounds_are_inclusive(cfg_file: Path, value: str) -> None:
    write(cfg_file, f"[profiles.default]\npoll_interval = {value}\n")
    assert load_config(cfg_file).profiles["default"].poll_interval == float(value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("active_profile = 1\n", "active_profile must be a string, got integer"),
        ('active_profile = ""\n', "active_profile must be a non-empty string"),
        ('profiles = "x"\n', "profiles must be a table, got string"),
        ("[profiles]\ndefault = 3\n", "profiles.default must be a table, got integer"),
        ('[profiles."my prod"]\nregion = "mars"\n', 'profiles."my prod".region: Unknown region'),
        ('[profiles.p]\nregion = "mars"\n', "expected one of: na, us, euc1, apne1, au, sae1"),
        (
            '[profiles.p]\nbase_url = "http://example.com"\n',
            "profiles.p.base_url: Refusing plain http:// to 'example.com'",
        ),
        (
            '[profiles.p]\nbase_url = "https://h.example.com/?q=1"\n',
            "profiles.p.base_url: The API base URL must not contain a query",
        ),
        ('[profiles.p]\nbase_url = "ftp://h"\n', "must start with https://"),
        ('[profiles."a\\u001bb"]\n', "without control characters"),
    ],
)
def test_value_errors(cfg_file: Path, text: str, fragment: str) -> None:
    message = load_error(cfg_file, text)
    assert fragment in message
    assert "\x1b" not in message


def test_syntax_error_names_file_line_and_column(cfg_file: Path) -> None:
    text = f'[profiles.default]\napp_secret = "{SECRET}"\ntenant_id = = "x"\n'
    message = load_error(cfg_file, text)
    assert "is not valid TOML" in message
    assert "line 3, column 13" in message


def test_syntax_error_at_end_of_file_names_a_line(cfg_file: Path) -> None:
    message = load_error(cfg_file, f'[profiles.default]\napp_secret = "{SECRET}\n')
    assert "line" in message


def test_not_utf8(cfg_file: Path) -> None:
    cfg_file.parent.mkdir(parents=True)
    cfg_file.write_bytes(b'[profiles.default]\ntenant_id = "caf\xe9"\n')
    with pytest.raises(ConfigError) as info:
        load_config(cfg_file)
    message = str(info.value)
    assert str(cfg_file) in message
    assert "not UTF-8" in message
    assert "0xe9 on line 2" in message


def test_directory_instead_of_file(cfg_file: Path) -> None:
    cfg_file.mkdir(parents=True)
    with pytest.raises(ConfigError, match="is a directory, not a file") as info:
        load_config(cfg_file)
    assert str(cfg_file) in str(info.value)
    with pytest.raises(ConfigError, match="is a directory"):
        save_config(Config(), cfg_file)


@posix_only
def test_fifo_is_refused_without_blocking(cfg_file: Path) -> None:
    cfg_file.parent.mkdir(parents=True)
    os.mkfifo(cfg_file)
    with pytest.raises(ConfigError, match="is not a regular file"):
        load_config(cfg_file)


def test_unreadable_file(cfg_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(cfg_file, FULL_TOML)
    # chmod 000 does not stop root, so fail the open itself.
    real_open = os.open

    def denied(where: str, *args: Any, **kwargs: Any) -> int:
        if os.path.basename(where) == cfg_file.name:
            raise PermissionError(13, "Permission denied", str(where))
        return real_open(where, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(ConfigError) as info:
        load_config(cfg_file)
    assert str(info.value) == f"Config file {cfg_file} cannot be read: permission denied."


def test_too_large_file(cfg_file: Path) -> None:
    write(cfg_file, "# " + "x" * (1024 * 1024) + "\n")
    with pytest.raises(ConfigError, match="too large"):
        load_config(cfg_file)


def test_secret_pasted_into_another_field_is_not_echoed(cfg_file: Path) -> None:
    text = f'[profiles.default]\napp_secret = "{SECRET}"\nregion = "{SECRET}"\n'
    message = load_error(cfg_file, text)
    assert "Unknown region '********'" in message


def test_error_messages_are_inert(cfg_file: Path) -> None:
    message = load_error(cfg_file, '[profiles.p]\nregion = "\\u001b]52;c;AAAA\\u0007"\n')
    assert "\x1b" not in message
    assert "\x07" not in message


# --------------------------------------------------------------------------- permissions


@posix_only
def test_save_makes_file_0600_and_dir_0700(isolated_env: Path) -> None:
    save_config(upsert_profile(Config(), full_profile(), activate=True))
    path = cfg.config_path()
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    save_config(load_config())  # and again over an existing file, with a .bak
    assert mode_of(path) == 0o600
    assert mode_of(path.with_name("config.toml.bak")) == 0o600


@posix_only
def test_load_tightens_wide_file_and_dir(isolated_env: Path) -> None:
    path = write(cfg.config_path(), FULL_TOML, mode=0o644)
    path.parent.chmod(0o755)
    config = load_config()
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    assert f"{path} was readable by others (mode 0644); changed to 0600" in config.warnings
    assert f"{path.parent} was readable by others (mode 0755); changed to 0700" in config.warnings
    assert load_config().warnings == []  # fixed for good


@posix_only
def test_load_of_private_file_has_no_warnings(cfg_file: Path) -> None:
    write(cfg_file, FULL_TOML, mode=0o600)
    assert load_config(cfg_file).warnings == []


@posix_only
def test_load_tightens_group_writable_file(cfg_file: Path) -> None:
    write(cfg_file, FULL_TOML, mode=0o620)
    config = load_config(cfg_file)
    assert mode_of(cfg_file) == 0o600
    assert config.warnings == [f"{cfg_file} was accessible by others (mode 0620); changed to 0600"]


@posix_only
def test_load_warns_when_it_cannot_tighten(cfg_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(cfg_file, FULL_TOML, mode=0o644)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)
    config = load_config(cfg_file)
    assert config.profiles["prod"].tenant_id == TENANT_1
    assert config.warnings == [
        f"{cfg_file} is readable by others (mode 0644) and could not be changed to 0600: "
        "Operation not permitted"
    ]


@posix_only
def test_custom_location_keeps_its_directory_mode(tmp_path: Path) -> None:
    # CYPKG_CONFIG may point into a home directory or a checkout: not ours to chmod.
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    target = write(shared / "cypkg.toml", FULL_TOML, mode=0o644)
    config = load_config(target)
    assert mode_of(shared) == 0o755
    assert mode_of(target) == 0o600
    assert len(config.warnings) == 1
    save_config(config)
    assert mode_of(shared) == 0o755
    assert mode_of(target) == 0o600


# --------------------------------------------------------------------------- save safety


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_crash_mid_save_keeps_old_file(
    cfg_file: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    write(cfg_file, FULL_TOML)
    config = load_config(cfg_file)
    changed = upsert_profile(config, full_profile(tenant_id=OTHER), activate=True)
    real = getattr(os, failing)
    calls: list[object] = []

    def crash(*args: Any, **kwargs: Any) -> object:
        # Let the .bak be written; fail the write of the config file itself.
        if failing == "replace" and os.path.basename(args[1]) != cfg_file.name:
            return real(*args, **kwargs)
        if failing == "fsync" and calls == []:
            calls.append(args)
            return real(*args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, crash)
    with pytest.raises(ConfigError) as info:
        save_config(changed)
    monkeypatch.undo()

    assert "No space left on device" in str(info.value)
    assert str(cfg_file) in str(info.value)
    assert cfg_file.read_text() == FULL_TOML
    assert sorted(p.name for p in cfg_file.parent.iterdir()) == [
        "config.toml",
        "config.toml.bak",
    ]


def test_backup_of_previous_version(cfg_file: Path) -> None:
    write(cfg_file, FULL_TOML)
    config = load_config(cfg_file)
    save_config(upsert_profile(config, full_profile(tenant_id=OTHER), activate=True))
    assert cfg_file.with_name("config.toml.bak").read_text() == FULL_TOML
    assert load_config(cfg_file).profiles["prod"].tenant_id == OTHER
    assert not list(cfg_file.parent.glob("*.corrupt-*"))


@pytest.mark.parametrize(
    "broken",
    [
        f'[profiles.default]\napp_secret = "{SECRET}"\ntenant_id = \n',  # syntax
        '[profiles.default]\npoll_interval = "soon"\n',  # valid TOML, invalid config
        "\udcff",  # not UTF-8 (written via surrogateescape)
    ],
)
def test_corrupt_file_is_kept_before_save(
    cfg_file: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    cfg_file.parent.mkdir(parents=True)
    raw = broken.encode("utf-8", "surrogateescape")
    cfg_file.write_bytes(raw)
    frozen = dt.datetime(2025, 3, 4, 5, 6, 7)

    class FrozenClock(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> FrozenClock:
            return cls.fromtimestamp(frozen.timestamp(), tz)

    monkeypatch.setattr(cfg, "datetime", FrozenClock)
    new = upsert_profile(Config(), full_profile(), activate=True)
    save_config(new, cfg_file)

    kept = cfg_file.with_name("config.toml.corrupt-20250304-050607")
    assert kept.read_bytes() == raw
    if os.name == "posix":
        assert mode_of(kept) == 0o600
    assert not cfg_file.with_name("config.toml.bak").exists()
    assert load_config(cfg_file).profiles["prod"] == full_profile()

    # Broken again within the same second: a second copy, never an overwrite.
    cfg_file.write_bytes(raw + b"\n# again\n")
    save_config(new, cfg_file)
    assert kept.read_bytes() == raw
    second = cfg_file.with_name("config.toml.corrupt-20250304-050607-2")
    assert second.read_bytes() == raw + b"\n# again\n"


def test_save_into_new_directory(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "config.toml"
    save_config(Config(), target)
    assert load_config(target) == Config(path=target)


def test_save_defaults_to_the_loaded_path(tmp_path: Path) -> None:
    target = write(tmp_path / "x" / "mine.toml", FULL_TOML)
    config = load_config(target)
    config.settings["theme"] = "dracula"
    save_config(config)
    assert load_config(target).settings["theme"] == "dracula"
    assert not cfg.config_path().exists()


@posix_only
def test_a_symlinked_config_file_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    # A dotfile manager's link: refused with its name and the way out, never followed.
    real = write(tmp_path / "dotfiles" / "cypkg.toml", FULL_TOML, mode=0o644)
    link = tmp_path / "conf" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(real)
    for attempt in (lambda: load_config(link), lambda: save_config(Config(), link)):
        with pytest.raises(ConfigError) as info:
            attempt()
        assert f"{link} is a symbolic link" in str(info.value)
        assert "CYPKG_CONFIG" in str(info.value)
    assert link.is_symlink() and mode_of(real) == 0o644 and real.read_text() == FULL_TOML
    config = load_config(real)  # the way out: CYPKG_CONFIG at the file itself
    config.settings["theme"] = "nord"
    save_config(config)
    assert load_config(real).settings["theme"] == "nord"


def test_env_overrides_are_never_saved(cfg_file: Path) -> None:
    write(cfg_file, f'[profiles.default]\ntenant_id = "{TENANT_1}"\n')
    config = load_config(cfg_file)
    env = {"CYPKG_APP_SECRET": SECRET, "CYPKG_TENANT_ID": OTHER, "CYPKG_REGION": "au"}
    effective = resolve_profile(config, env=env)
    assert effective.tenant_id == OTHER
    save_config(config)
    text = cfg_file.read_text()
    assert SECRET not in text
    assert OTHER not in text
    assert "region" not in text
    assert config.profiles["default"].tenant_id == TENANT_1


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.text(
        st.characters(codec="utf-8", exclude_categories=["Cc", "Cf"]),
        min_size=1,
        max_size=20,
    ).filter(lambda s: s.strip() != ""),
    text=st.text(st.characters(codec="utf-8"), max_size=30).map(str.strip),
    poll=st.floats(min_value=1, max_value=3600, allow_nan=False),
    ids=st.tuples(st.uuids(), st.uuids(), st.booleans()),
)
def test_round_trip_property(
    cfg_file: Path, name: str, text: str, poll: float, ids: tuple[Any, Any, bool]
) -> None:
    shown = inert(text)  # fields shown in the settings form hold no control characters
    tenant, app, upper = ids
    profile = Profile(
        name=name,
        tenant_id=str(tenant).upper() if upper else str(tenant),
        app_id=app.hex,
        app_secret=Secret(text),
        scopes=shown or None,
        poll_interval=poll,
        extras={"note": text},
    )
    config = upsert_profile(Config(settings={"k": text}), profile, activate=True)
    save_config(config, cfg_file)
    loaded = load_config(cfg_file)
    assert loaded.profiles == config.profiles
    assert loaded.active_profile == name
    assert loaded.settings == {"k": text}


# --------------------------------------------------------------------------- resolve


@pytest.fixture
def two_profiles(cfg_file: Path) -> Config:
    return load_config(write(cfg_file, FULL_TOML))


def test_resolve_profile_name_precedence(two_profiles: Config) -> None:
    assert resolve_profile(two_profiles, env={}).name == "prod"  # active_profile
    assert resolve_profile(two_profiles, env={"CYPKG_PROFILE": "lab"}).name == "lab"
    flag = resolve_profile(two_profiles, profile="prod", env={"CYPKG_PROFILE": "lab"})
    assert flag.name == "prod"
    assert resolve_profile(two_profiles, profile="", env={"CYPKG_PROFILE": " "}).name == "prod"


def test_resolve_reads_os_environ_by_default(
    two_profiles: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CYPKG_PROFILE", "lab")
    monkeypatch.setenv("CYPKG_APP_ID", OTHER)
    resolved = resolve_profile(two_profiles)
    assert (resolved.name, resolved.app_id) == ("lab", OTHER)


@pytest.mark.parametrize(
    ("kwargs", "source"),
    [
        ({"profile": "staging"}, "--profile"),
        ({"env": {"CYPKG_PROFILE": "staging"}}, "CYPKG_PROFILE"),
    ],
)
def test_unknown_profile_lists_known_names(
    two_profiles: Config, kwargs: dict[str, object], source: str
) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_profile(two_profiles, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert f"Profile 'staging' (from {source}) is not in {two_profiles.path}" in message
    assert "known profiles: lab, prod." in message
    assert SECRET not in message


def test_active_profile_missing_from_file_is_an_error(cfg_file: Path) -> None:
    write(cfg_file, f'[profiles.prod]\ntenant_id = "{TENANT_1}"\n')
    config = load_config(cfg_file)  # active_profile defaults to "default"
    with pytest.raises(ConfigError, match=r"known profiles: prod\. Fix active_profile"):
        resolve_profile(config, env={})


def test_first_run_gives_an_empty_default_profile() -> None:
    resolved = resolve_profile(load_config(), env={})
    assert resolved == Profile(name="default")
    assert resolved.api_url == "https://protectapi.cylance.com"


def test_explicit_profile_on_first_run_is_an_error() -> None:
    with pytest.raises(ConfigError, match="has no profiles"):
        resolve_profile(load_config(), profile="prod", env={})


def test_env_overrides_credentials(two_profiles: Config) -> None:
    env = {
        "CYPKG_TENANT_ID": OTHER,
        "CYPKG_APP_ID": OTHER.replace("0e", "0f"),
        "CYPKG_APP_SECRET": "env-secret",
    }
    resolved = resolve_profile(two_profiles, env=env)
    assert resolved.tenant_id == OTHER
    assert resolved.app_id == OTHER.replace("0e", "0f")
    assert resolved.app_secret == Secret("env-secret")
    assert resolved.region == "euc1"  # untouched fields come from the file
    assert resolved.poll_interval == 7.5
    assert two_profiles.profiles["prod"].tenant_id == TENANT_1  # config not mutated


def test_empty_env_values_are_ignored(two_profiles: Config) -> None:
    env = dict.fromkeys(
        ("CYPKG_TENANT_ID", "CYPKG_APP_ID", "CYPKG_APP_SECRET", "CYPKG_REGION", "CYPKG_API_URL"),
        "",
    )
    env["CYPKG_APP_ID"] = "   "
    assert resolve_profile(two_profiles, env=env) == two_profiles.profiles["prod"]


def test_url_precedence_flag_over_env_over_file(two_profiles: Config) -> None:
    lab = {"CYPKG_PROFILE": "lab"}
    assert resolve_profile(two_profiles, env=lab).api_url == "http://127.0.0.1:8080"

    env_url = {**lab, "CYPKG_API_URL": "https://env.example.com/"}
    assert resolve_profile(two_profiles, env=env_url).api_url == "https://env.example.com"

    flag = resolve_profile(two_profiles, env=env_url, api_url="https://flag.example.com")
    assert flag.api_url == "https://flag.example.com"
    assert resolve_profile(two_profiles, env=env_url, api_url=" ").api_url == (
        "https://env.example.com"
    )


def test_env_region_replaces_file_base_url(two_profiles: Config) -> None:
    env = {"CYPKG_PROFILE": "lab", "CYPKG_REGION": "apne1"}
    resolved = resolve_profile(two_profiles, env=env)
    assert resolved.base_url is None
    assert resolved.region == "apne1"
    assert resolved.api_url == "https://protectapi-apne1.cylance.com"

    with_url = resolve_profile(two_profiles, env={**env, "CYPKG_API_URL": "https://e.example.com"})
    assert with_url.api_url == "https://e.example.com"
    assert with_url.region == "apne1"

    with_flag = resolve_profile(two_profiles, env=env, api_url="https://f.example.com")
    assert with_flag.api_url == "https://f.example.com"


def test_env_region_overrides_file_region(two_profiles: Config) -> None:
    resolved = resolve_profile(two_profiles, env={"CYPKG_REGION": "US-GOV"})
    assert resolved.region == "us"
    assert resolved.region_label == "US Government (protectapi.us.cylance.com)"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"env": {"CYPKG_REGION": "mars"}}, "Environment variable CYPKG_REGION: Unknown region"),
        (
            {"env": {"CYPKG_API_URL": "http://evil.example.com"}},
            "Environment variable CYPKG_API_URL: Refusing plain http://",
        ),
        ({"api_url": "https://user:pw@h.example.com"}, "--api-url: The API base URL must not"),
    ],
)
def test_env_validation_names_the_variable(
    two_profiles: Config, kwargs: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_profile(two_profiles, **kwargs)  # type: ignore[arg-type]
    assert fragment in str(info.value)


def test_env_errors_never_echo_secrets(two_profiles: Config) -> None:
    env = {"CYPKG_APP_SECRET": "env-only-secret-xyz", "CYPKG_REGION": "env-only-secret-xyz"}
    with pytest.raises(ConfigError) as info:
        resolve_profile(two_profiles, env=env)
    assert "env-only-secret-xyz" not in str(info.value)
    with pytest.raises(ConfigError) as info:
        resolve_profile(two_profiles, env={"CYPKG_REGION": SECRET})  # the file's secret
    assert SECRET not in str(info.value)


# --------------------------------------------------------------------------- require_complete


def test_require_complete_message(isolated_env: Path) -> None:
    with pytest.raises(ConfigError) as info:
        require_complete(Profile(name="x"))
    assert str(info.value) == (
        "No credentials configured for profile 'x': missing tenant ID, app ID, app secret. "
        f"Set them in the settings screen (cypkg, then F2), in {cfg.config_path()}, "
        "or with CYPKG_TENANT_ID/CYPKG_APP_ID/CYPKG_APP_SECRET."
    )


def test_require_complete_partial_and_custom_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        require_complete(Profile(name="x", tenant_id=TENANT_1), config_file=tmp_path / "c.toml")
    message = str(info.value)
    assert message.startswith("Incomplete credentials for profile 'x': missing app ID, app secret.")
    assert str(tmp_path / "c.toml") in message


def test_require_complete_returns_complete_profile() -> None:
    profile = full_profile()
    assert require_complete(profile) is profile


# --------------------------------------------------------------------------- upsert


def test_upsert_profile() -> None:
    empty = Config()
    first = upsert_profile(empty, Profile(name="prod"), activate=False)
    assert first.active_profile == "prod"  # the first profile becomes active
    assert empty.profiles == {}  # the input is not changed

    second = upsert_profile(first, Profile(name="lab"), activate=False)
    assert second.active_profile == "prod"
    assert list(second.profiles) == ["prod", "lab"]

    third = upsert_profile(second, Profile(name="lab", tenant_id=TENANT_1), activate=True)
    assert third.active_profile == "lab"
    assert third.profiles["lab"].tenant_id == TENANT_1
    assert second.profiles["lab"].tenant_id == ""


def test_upsert_keeps_settings_and_path(cfg_file: Path) -> None:
    config = load_config(write(cfg_file, FULL_TOML))
    updated = upsert_profile(config, full_profile("new"), activate=False)
    assert updated.path == cfg_file
    assert updated.settings == config.settings
    assert updated.settings is not config.settings
