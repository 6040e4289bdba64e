"""The app's actions (F1–F4, the keys panel) and its command palette entries.

:class:`AppCommands` sits between Textual's ``App`` and
:class:`tui.ui.app.CypkgApp`: what a key or a palette entry opens, and when a
key is offered. The screens are imported when asked for, not before.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import Screen


class AppCommands(App[int]):
    """Actions and palette commands of :class:`tui.ui.app.CypkgApp`."""

    def action_settings(self) -> None:
        from tui.ui.screens.settings import SettingsScreen

        if isinstance(self.screen, SettingsScreen):
            return
        # A modal (copy, palette) on top: settings go above it, which is fine.
        self.push_screen(SettingsScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "settings":
            # Already there: keep the key out of the footer.
            return not self._on_settings()
        if action in ("browse", "watchlist"):
            # Leaving the settings this way would drop unsaved edits: save or Esc first.
            return not self._on_settings()
        return True

    def _on_settings(self) -> bool:
        """Whether the settings screen is on top.

        Asked for every footer key, the first paint included: the settings module is
        looked up only if something loaded it, since no settings screen exists before.
        """
        module = sys.modules.get("tui.ui.screens.settings")
        return module is not None and isinstance(self.screen, module.SettingsScreen)

    def action_toggle_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_open_package(self, package_id: str) -> None:
        from tui.ui.screens.detail import DetailScreen

        self.push_screen(DetailScreen(package_id, fetch_now=True))

    def action_new_package(self) -> None:
        from tui.ui.screens.new_package import NewPackageScreen

        self._show_single(NewPackageScreen)

    def action_help(self) -> None:
        from tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_browse(self) -> None:
        from tui.ui.screens.browser import BrowserScreen

        self._show_single(BrowserScreen)

    def action_watchlist(self) -> None:
        from tui.ui.screens.watchlist import WatchlistScreen

        self._show_single(WatchlistScreen)

    def _show_single(self, kind: type[Screen[Any]]) -> None:
        """Show the screen of ``kind``: back to it if it is in the stack, else a new one."""
        if isinstance(self.screen, kind):
            return
        stack = self.screen_stack
        if any(isinstance(s, kind) for s in stack):
            while not isinstance(self.screen, kind) and len(self.screen_stack) > 1:
                self.pop_screen()
            return
        self.push_screen(kind())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from tui.ui.screens.settings import SettingsScreen

        screen_commands = getattr(screen, "palette_commands", None)
        if callable(screen_commands):
            yield from screen_commands()
        if not isinstance(screen, SettingsScreen):
            yield SystemCommand(
                "Settings",
                "Edit profiles, credentials and the poll interval (F2)",
                self.action_settings,
            )
        yield SystemCommand(
            "Browse packages", "List the tenant's packages, page by page (F3)", self.action_browse
        )
        yield SystemCommand("Watchlist", "Watch many packages at once (F4)", self.action_watchlist)
        yield SystemCommand(
            "New package", "Create a package and upload its file (ctrl+n)", self.action_new_package
        )
        yield SystemCommand(
            "Help", "Keys, settings and where cypkg keeps its files (F1, ?)", self.action_help
        )
        yield SystemCommand(
            "Keys", "Show or hide the keys panel of this screen", self.action_toggle_keys
        )
        yield SystemCommand(
            "Theme",
            "Change the colours (ansi-dark suits 16-colour terminals)",
            self.action_change_theme,
        )
        yield SystemCommand("Quit", "Quit cypkg (ctrl+q)", self.action_quit)
