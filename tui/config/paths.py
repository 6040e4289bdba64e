"""Where cypkg keeps its files: platformdirs' user dirs (XDG honoured), or CYPKG_CONFIG."""

from __future__ import annotations

import os
from pathlib import Path

from tui.config.settings import ENV_CONFIG

APP_NAME = "cypkg"


# Functions, not constants: the environment (XDG_*, CYPKG_CONFIG) may change
# between calls, in tests and in long-lived processes alike.


def config_path() -> Path:
    """The config file: ``$CYPKG_CONFIG`` if set, else ``<user config dir>/config.toml``."""
    override = os.environ.get(ENV_CONFIG, "").strip()
    if override:
        return Path(override).expanduser()
    return _default_config_dir() / "config.toml"


def cache_dir() -> Path:
    import platformdirs

    return platformdirs.user_cache_path(APP_NAME)


def token_cache_dir() -> Path:
    return cache_dir() / "tokens"


def data_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)


def state_dir() -> Path:
    """Where the day's request count lives (shared by every cypkg of the user)."""
    import platformdirs

    return platformdirs.user_state_path(APP_NAME)


def describe_paths() -> dict[str, Path]:
    """Where cypkg keeps things, for ``cypkg config path`` and the help screen."""
    return {
        "config file": config_path(),
        "cache dir": cache_dir(),
        "token cache dir": token_cache_dir(),
        "data dir": data_dir(),
        "state dir": state_dir(),
    }


def _default_config_dir() -> Path:
    import platformdirs

    return platformdirs.user_config_path(APP_NAME)


def _is_own_dir(directory: Path) -> bool:
    """True for cypkg's own config directory, whose mode cypkg may change.

    A directory ``CYPKG_CONFIG`` points into (a home directory, a project
    checkout, /tmp) belongs to the user and other programs.
    """
    try:
        return directory.resolve() == _default_config_dir().resolve()
    except OSError:
        return False
