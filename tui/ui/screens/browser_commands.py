"""The package browser's commands for the palette (Ctrl+P): paging, every sort field
both ways, every filter value — what the keys do, by name."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from tui.api.client import SORT_FIELDS
from tui.ui.browse import CATEGORY_FILTERS, SORT_LABELS, STATUS_FILTERS

if TYPE_CHECKING:
    from tui.ui.screens.browser import BrowserScreen


def browser_commands(screen: BrowserScreen) -> list[SystemCommand]:
    commands = [
        SystemCommand(
            "Next page", "Show the next page of packages (n)", lambda: screen.action_page(1)
        ),
        SystemCommand(
            "Previous page", "Show the previous page (p)", lambda: screen.action_page(-1)
        ),
        SystemCommand("First page", "Go to page 1 (<)", screen.action_first_page),
        SystemCommand("Last page", "Go to the last page (>)", screen.action_last_page),
        SystemCommand("Reverse the order", "Ascending/descending (o)", screen.action_toggle_order),
        SystemCommand("Filter names on this page", "Focus the name filter (/)", screen.action_find),
        SystemCommand(
            "Watch package", "Add the selected package to the watchlist (w)", screen.action_watch
        ),
        SystemCommand("Reload", "Fetch this page again (r)", screen.action_reload),
    ]
    for sort_field in SORT_FIELDS:
        label = SORT_LABELS[sort_field]
        for descending in (False, True):
            order = "descending" if descending else "ascending"
            commands.append(
                SystemCommand(
                    f"Sort by {label}, {order}",
                    f"API sort {'-' if descending else ''}{sort_field}",
                    functools.partial(screen.sort_by, sort_field, descending),
                )
            )
    for status in STATUS_FILTERS:
        commands.append(
            SystemCommand(
                f"Status filter: {status or 'any'}",
                "Only packages with this status (f cycles)",
                functools.partial(screen.set_filter, "status", status),
            )
        )
    for category in CATEGORY_FILTERS:
        commands.append(
            SystemCommand(
                f"Category filter: {category or 'any'}",
                "Only packages of this category (g cycles)",
                functools.partial(screen.set_filter, "category", category),
            )
        )
    return commands
