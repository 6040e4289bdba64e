"""Themes: the one named by --theme, CYPKG_THEME or the config file, else a guess from
the terminal (16 colours: the ANSI themes). Under NO_COLOR (no-color.org) no theme's
colours reach the terminal: see :func:`no_color_requested`."""

from __future__ import annotations

import os
from collections.abc import Container, Mapping

from tui.api.errors import UsageError
from tui.base.safe_text import inert

#: Environment variable naming the theme (e.g. ``ansi-dark`` on a 16-colour terminal).
ENV_THEME = "CYPKG_THEME"


#: Themes that use the terminal's own 16 colours.
ANSI_THEMES = ("ansi-dark", "ansi-light")


DEFAULT_THEME = "textual-dark"


def check_theme(name: str) -> None:
    """Refuse a theme Textual does not have (``--theme``), naming the ones it has."""
    from textual.theme import BUILTIN_THEMES

    if name not in BUILTIN_THEMES:
        raise UsageError(
            f"No theme '{inert(name, limit=60)}'; use one of: " + ", ".join(sorted(BUILTIN_THEMES))
        )


def guess_theme(env: Mapping[str, str] | None = None) -> str:
    """An ANSI theme on terminals that only do 16 colours, else Textual's dark theme."""
    env = os.environ if env is None else env
    term = env.get("TERM", "").lower()
    colorterm = env.get("COLORTERM", "").lower()
    if colorterm in ("truecolor", "24bit") or "256" in term or "direct" in term:
        return DEFAULT_THEME
    if term in ("", "xterm-kitty", "alacritty", "xterm-ghostty", "wezterm"):
        return DEFAULT_THEME
    if term == "dumb" or "16color" in term or term in ("linux", "vt100", "vt220", "xterm", "ansi"):
        return "ansi-dark"
    return DEFAULT_THEME


def no_color_requested(env: Mapping[str, str] | None = None) -> bool:
    """NO_COLOR set to a non-empty value (no-color.org; Textual also counts an empty one)."""
    env = os.environ if env is None else env
    return bool(env.get("NO_COLOR", ""))


#: Theme variables under NO_COLOR: Textual marks cursors and focus mostly by colour,
#: which the NoColor filter removes, so text styles mark them instead.
NO_COLOR_STYLES = {
    "block-cursor-text-style": "reverse bold",
    "block-cursor-blurred-text-style": "underline",
    "input-cursor-text-style": "reverse",
    "button-focus-text-style": "bold reverse",
}


def initial_theme(flag: str | None, setting: object, available: Container[str]) -> str:
    """The theme to start with: --theme, then CYPKG_THEME, then the config file's
    ``theme``, then a guess from the terminal; one Textual lacks falls back to the default."""
    from_file = setting.strip() if isinstance(setting, str) else ""
    wanted = flag or os.environ.get(ENV_THEME, "").strip() or from_file or guess_theme()
    return wanted if wanted in available else DEFAULT_THEME
