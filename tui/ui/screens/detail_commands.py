"""The detail screen's copy actions (`c`, `u`, `i`) and its palette commands: what
the keys do, by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import SystemCommand

from tui.ui.screens.copy import copy_value
from tui.ui.widgets.package_tabs import tab_commands

if TYPE_CHECKING:
    from tui.ui.screens.detail import DetailScreen


def copy_id(screen: DetailScreen) -> None:
    value = screen.package.package_id if screen.package else screen.package_id
    copy_value(screen.app, "package ID", value)


def copy_url(screen: DetailScreen) -> None:
    copy_value(screen.app, "download URL", screen.package.download_url if screen.package else None)


def copy_invocation(screen: DetailScreen) -> None:
    if screen.package is None:
        copy_value(screen.app, "invocation string", None)
        return
    example = screen.tabs.selected_example()
    if example is None:
        screen.notify("No example is selected (see the Examples tab, key 3).", timeout=4)
        return
    copy_value(screen.app, "invocation string", example.invocation_string)


def detail_commands(screen: DetailScreen) -> list[SystemCommand]:
    return [
        SystemCommand("Refresh", "Fetch the package now (r)", screen.action_refresh),
        SystemCommand("Pause / resume polling", "Toggle live polling (p)", screen.action_pause),
        SystemCommand("Copy package ID", "Copy the package ID (c)", screen.action_copy_id),
        SystemCommand("Copy download URL", "Copy the download URL (u)", screen.action_copy_url),
        SystemCommand(
            "Copy invocation",
            "Copy the selected example's invocation string (i)",
            screen.action_copy_invocation,
        ),
        *tab_commands(screen.action_show_tab),
        SystemCommand("Watch", "Add this package to the watchlist (w)", screen.action_watch),
        SystemCommand(
            "Download",
            "Download the package's file, with its SHA-256 (d)",
            screen.action_download,
        ),
        SystemCommand("Back", "Back to the previous screen (Esc)", screen.action_back),
    ]
