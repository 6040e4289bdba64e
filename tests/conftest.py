"""Shared fixtures for the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Variables that change what cypkg, Textual or httpx do. Tests set the ones
# they need themselves.
_CLEARED_PREFIXES = ("CYPKG_", "TEXTUAL_")
_CLEARED = (
    "NO_COLOR",
    "COLORTERM",
    "FORCE_COLOR",
    # No test may talk through a proxy or trust a CA from the developer's machine;
    # POSIX names are case-sensitive and both spellings are honoured.
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)
_XDG_DIRS = {
    "XDG_CONFIG_HOME": "config",
    "XDG_CACHE_HOME": "cache",
    "XDG_DATA_HOME": "data",
    "XDG_STATE_HOME": "state",
}


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keep every test away from the real home directory and environment.

    HOME and the XDG base directories point into a fresh directory of their
    own (so platformdirs, and hence the config file and token cache, land
    there), outside ``tmp_path`` so tests can count what they create in it.
    Returns that directory.
    """
    root = tmp_path_factory.mktemp("env")
    home = root / "home"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for var, name in _XDG_DIRS.items():
        monkeypatch.setenv(var, str(root / name))
    for var in list(os.environ):
        if var.startswith(_CLEARED_PREFIXES):
            monkeypatch.delenv(var)
    for var in _CLEARED:
        monkeypatch.delenv(var, raising=False)
    return root
