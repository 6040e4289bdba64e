"""cypkg's files on disk are never followed through a link, and what it creates is 0700
(issue 10, point 8).

A link in place of one of cypkg's own files or directories (config file and
directory, cache and token directories, data directory, watchlist, recent
list, their lock files and backups) is refused with a message naming it, and
its target keeps its mode and content. The directories above cypkg's own
(``~/.config`` and the like) are the user's and may be links. Every directory
cypkg creates is 0700 whatever the umask (checked in a subprocess: the umask is
process-wide).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tui import cli
from tui.api.auth import AccessToken, TokenCache
from tui.api.errors import ConfigError
from tui.config import (
    Config,
    cache_dir,
    config_path,
    data_dir,
    load_config,
    save_config,
    token_cache_dir,
)
from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_SUCCESS_ID
from tui.polling.recent import RecentStore
from tui.polling.watchlist import WatchlistStore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX links and modes")
ROOT = Path(__file__).resolve().parent.parent
ENTRIES = json.dumps({"version": 1, "entries": [{"package_id": DEMO_PACKAGE_ID}]}) + "\n"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def snapshot(target: Path) -> tuple[int, object]:
    """A target's mode and content (a directory's: its names and their modes and bytes)."""
    if target.is_dir():
        inside = sorted((p.name, mode(p), p.read_bytes()) for p in target.iterdir())
        return mode(target), inside
    return mode(target), target.read_bytes()


def planted_file(tmp_path: Path, content: str = ENTRIES) -> Path:
    target = tmp_path / "elsewhere" / "victim.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(content)
    target.chmod(0o644)
    return target


def planted_dir(tmp_path: Path, name: str = "shared") -> Path:
    target = tmp_path / name
    target.mkdir()
    (target / "existing.txt").write_text("someone else's\n")
    target.chmod(0o755)
    return target


def link(path: Path, target: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


# --------------------------------------------------------------------------- data files


@pytest.mark.parametrize("which", ["watchlist", "recent"])
def test_a_linked_list_file_is_refused_and_its_target_untouched(tmp_path: Path, which: str) -> None:
    target = planted_file(tmp_path)
    before = snapshot(target)
    path = link(data_dir() / f"{which}.json", target)
    store: WatchlistStore | RecentStore
    if which == "watchlist":
        store = watchlist = WatchlistStore(path)
        assert watchlist.add(STARTED_SUCCESS_ID) == "refused"
        watchlist.update(DEMO_PACKAGE_ID, name="x", status="success")
        watchlist.save()
    else:
        store = recent = RecentStore(path)
        recent.record(STARTED_SUCCESS_ID, name="opened")  # this session only
        assert recent.ids() == [STARTED_SUCCESS_ID]
    assert snapshot(target) == before and path.is_symlink()
    assert store.notice is not None and store.read_only
    assert f"{path} is a symbolic link" in store.notice
    assert store.ids() in ([], [STARTED_SUCCESS_ID])  # nothing read through the link


def test_a_linked_data_dir_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    target = planted_dir(tmp_path)
    (target / "watchlist.json").write_text(ENTRIES)
    (target / "watchlist.json").chmod(0o644)
    before = snapshot(target)
    link(data_dir(), target)
    store = WatchlistStore(data_dir() / "watchlist.json")
    assert store.add(STARTED_SUCCESS_ID) == "refused"
    store.save()
    RecentStore(data_dir() / "recent.json").record(STARTED_SUCCESS_ID)
    assert snapshot(target) == before  # no chmod, no lock file, no write
    assert store.notice is not None and f"{data_dir()} is a symbolic link" in store.notice


@pytest.mark.parametrize("name", ["watchlist.json.lock", "watchlist.json.corrupt"])
def test_a_linked_lock_or_backup_is_not_followed(tmp_path: Path, name: str) -> None:
    path = data_dir() / "watchlist.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"entries": [{"package_id": "' + DEMO_PACKAGE_ID + '"}, "junk"]}')
    target = planted_file(tmp_path)
    before = snapshot(target)
    link(path.parent / name, target)
    store = WatchlistStore(path)
    assert store.add(STARTED_SUCCESS_ID) == "added"
    store.save()
    assert snapshot(target) == before
    if name.endswith(".lock"):  # refused: nothing saved, and the store says why
        assert store.notice is not None and f"{path.parent / name} is a symbolic link" in (
            store.notice
        )
        assert WatchlistStore(path).ids() == [DEMO_PACKAGE_ID]
    else:  # the damaged file is renamed over the link: the link goes, not its target
        assert not (path.parent / name).is_symlink()
        assert WatchlistStore(path).ids() == [DEMO_PACKAGE_ID, STARTED_SUCCESS_ID]


# --------------------------------------------------------------------------- token cache


@pytest.mark.parametrize("linked", ["tokens", "cache"])
def test_a_linked_token_or_cache_dir_is_refused_and_its_target_untouched(
    tmp_path: Path, linked: str
) -> None:
    target = planted_dir(tmp_path)
    before = snapshot(target)
    linked_path = token_cache_dir() if linked == "tokens" else cache_dir()
    link(linked_path, target)
    heard: list[str] = []
    cache = TokenCache(token_cache_dir(), own=2, on_problem=heard.append)
    cache.put("k", AccessToken("tok", 2e9))
    assert cache.get("k", 0) == AccessToken("tok", 2e9)  # in memory: this run still works
    cache.discard("k")
    assert TokenCache(token_cache_dir(), own=2).get("k", 0) is None
    assert snapshot(target) == before  # no chmod, no token written there
    assert len(heard) == 1 and f"{linked_path} is a symbolic link" in heard[0]
    assert "signs in each time" in heard[0]


def test_cli_with_a_linked_token_dir_signs_in_each_time_with_one_warning(
    tmp_path: Path,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for var, value in (
        ("CYPKG_API_URL", emulator.base_url),
        ("CYPKG_TENANT_ID", DEMO.tenant_id),
        ("CYPKG_APP_ID", DEMO.app_id),
        ("CYPKG_APP_SECRET", DEMO.app_secret),
    ):
        monkeypatch.setenv(var, value)
    target = planted_dir(tmp_path)
    before = snapshot(target)
    link(token_cache_dir(), target)
    for run in (1, 2):
        assert cli.main(["get", DEMO_PACKAGE_ID]) == 0
        err = capsys.readouterr().err
        assert err.count("warning") == 1, err
        assert f"{token_cache_dir()} is a symbolic link" in err
        assert emulator.count("POST", "/auth") == run  # signs in each time
    assert snapshot(target) == before


# --------------------------------------------------------------------------- config


def test_a_linked_config_dir_is_refused_and_its_target_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = planted_dir(tmp_path)
    (target / "config.toml").write_text('active_profile = "default"\n')
    (target / "config.toml").chmod(0o644)
    before = snapshot(target)
    link(config_path().parent, target)
    with pytest.raises(ConfigError, match="is a symbolic link"):
        load_config()
    with pytest.raises(ConfigError, match="is a symbolic link"):
        save_config(Config())
    assert cli.main(["config", "show"]) == 5
    err = capsys.readouterr().err
    assert f"{config_path().parent} is a symbolic link" in err and "CYPKG_CONFIG" in err
    assert snapshot(target) == before


def test_a_linked_backup_is_replaced_not_written_through(tmp_path: Path) -> None:
    save_config(Config())
    save_config(Config())  # a .bak exists now
    bak = config_path().with_name("config.toml.bak")
    bak.unlink()
    target = planted_file(tmp_path, "mine\n")
    before = snapshot(target)
    link(bak, target)
    save_config(Config(settings={"theme": "nord"}))
    assert snapshot(target) == before
    assert not bak.is_symlink() and mode(bak) == 0o600


def test_linked_parents_are_the_users_and_keep_working(tmp_path: Path, isolated_env: Path) -> None:
    # ~/.config, ~/.cache and ~/.local/share as links into a dotfiles checkout: common.
    parents = {}
    for name in ("config", "cache", "data"):  # where isolated_env points XDG_*_HOME
        real = tmp_path / "dotfiles" / name
        real.mkdir(parents=True)
        real.chmod(0o755)
        link(isolated_env / name, real)
        parents[name] = real
    save_config(Config(settings={"theme": "nord"}))
    assert load_config().settings["theme"] == "nord"
    TokenCache(token_cache_dir(), own=2).put("k", AccessToken("tok", 2e9))
    assert TokenCache(token_cache_dir(), own=2).get("k", 0) == AccessToken("tok", 2e9)
    store = WatchlistStore(data_dir() / "watchlist.json")
    assert store.add(DEMO_PACKAGE_ID) == "added"
    store.save()
    assert WatchlistStore(data_dir() / "watchlist.json").ids() == [DEMO_PACKAGE_ID]
    assert store.notice is None
    for real in parents.values():
        assert mode(real) == 0o755  # the user's: followed, never tightened
        assert mode(real / "cypkg") == 0o700
    assert mode(parents["cache"] / "cypkg" / "tokens") == 0o700


# --------------------------------------------------------------------------- umask

_UMASK = """
import os, sys
sys.path.insert(0, {root!r})
os.umask(0)
from tui.api.auth import AccessToken, TokenCache
from tui.config import Config, save_config, token_cache_dir
from tui.polling.recent import RecentStore, default_path as recent_path
from tui.polling.watchlist import WatchlistStore, default_path as watchlist_path
save_config(Config())
save_config(Config())  # and a .bak
TokenCache(token_cache_dir(), own=2).put("k", AccessToken("tok", 2e9))
store = WatchlistStore(watchlist_path())
store.add({pid!r})
store.save()
RecentStore(recent_path()).record({pid!r})
"""


def test_every_directory_created_is_0700_whatever_the_umask(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o755)
    env = {
        **os.environ,
        "HOME": str(home),
        # None of these exists yet: cypkg creates ~/.config, ~/.cache, ~/.local too.
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
    }
    script = _UMASK.format(root=str(ROOT), pid=DEMO_PACKAGE_ID)
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
    made = sorted(p for p in home.rglob("*"))
    dirs = [p for p in made if p.is_dir()]
    files = [p for p in made if p.is_file()]
    assert {p.relative_to(home).as_posix() for p in dirs} == {
        ".config",
        ".config/cypkg",
        ".cache",
        ".cache/cypkg",
        ".cache/cypkg/tokens",
        ".local",
        ".local/share",
        ".local/share/cypkg",
    }
    assert {p.relative_to(home).as_posix(): mode(p) for p in dirs} == {
        p.relative_to(home).as_posix(): 0o700 for p in dirs
    }
    assert len(files) >= 6  # config, .bak, token, watchlist (+ lock), recent (+ lock)
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert mode(home) == 0o755  # existing, and the user's
