"""Help (F1, ?): every screen's keys, the settings, and where cypkg keeps its files.

Also applies the config file's ``[keys]`` remaps (:func:`apply_config_keymap`),
since both need the list of every screen's bindings. The keys shown are the
ones in force, remaps included.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.base.safe_text import inert
from tui.ui.keymap import parse_keymap
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.lazy import TextView

if TYPE_CHECKING:
    from tui.ui.app import CypkgApp


def binding_sections() -> list[tuple[str, list[BindingType]]]:
    """(title, BINDINGS) of the app and of each screen, in the order a user meets them."""
    from tui.ui.app import CypkgApp
    from tui.ui.screens.browser import BrowserScreen
    from tui.ui.screens.detail import DetailScreen
    from tui.ui.screens.lookup import LookupScreen, RecentList
    from tui.ui.screens.settings import SettingsScreen
    from tui.ui.screens.watchlist import WatchlistScreen

    return [
        ("Everywhere", list(CypkgApp.BINDINGS)),
        ("Lookup", [*LookupScreen.BINDINGS, *RecentList.BINDINGS]),
        ("Package detail", list(DetailScreen.BINDINGS)),
        ("Package browser (F3)", list(BrowserScreen.BINDINGS)),
        ("Watchlist (F4)", list(WatchlistScreen.BINDINGS)),
        ("Settings (F2)", list(SettingsScreen.BINDINGS)),
        ("Help", list(HelpScreen.BINDINGS)),
    ]


def known_binding_ids() -> set[str]:
    ids: set[str] = set()
    for _title, bindings in binding_sections():
        ids.update(b.id for b in Binding.make_bindings(bindings) if b.id)
    return ids


def config_keymap(app: CypkgApp) -> tuple[dict[str, str], list[str]]:
    """The config's usable remaps (known binding IDs only) and what was ignored."""
    keymap, problems = parse_keymap(app.config.settings.get("keys"))
    if not keymap:
        return keymap, problems
    known = known_binding_ids()
    for binding_id in sorted(set(keymap) - known):
        problems.append(
            f"[keys] {inert(binding_id, limit=40)!r} is not a binding ID; ignored (F1 lists them)."
        )
        del keymap[binding_id]
    return keymap, problems


def apply_config_keymap(app: CypkgApp) -> None:
    """Apply ``[keys]`` from the config file; say which entries were ignored."""
    keymap, problems = config_keymap(app)
    if keymap:
        app.set_keymap(keymap)
    if problems:
        app.notify(
            inert("\n".join(problems[:6]), keep_newlines=True, limit=800),
            title="Key remaps",
            severity="warning",
            markup=False,
            timeout=10,
        )


def keys_text(app: CypkgApp) -> list[str]:
    """One line per action: keys (remaps applied), what it does, and its binding ID."""
    keymap, _ = config_keymap(app)
    lines: list[str] = []
    listed: set[str] = set()
    for title, bindings in binding_sections():
        lines += ["", title, "─" * len(title)]
        grouped: dict[str, tuple[list[str], str | None, str]] = {}
        for binding in Binding.make_bindings(bindings):
            if binding.id and binding.id in listed and binding.action.startswith("app."):
                continue  # an app key repeated in a screen's footer
            what = binding.tooltip or binding.description or binding.action
            # "Open #1" … "Open #9": one line for the lot.
            key = re.sub(r"\d+", "N", what) if binding.key.isdigit() else f"{binding.action}|{what}"
            keys, binding_id, _ = grouped.setdefault(key, ([], binding.id, what))
            shown = app.get_key_display(dataclasses.replace(binding, key_display=None))
            if shown not in keys:
                keys.append(shown)
        for keys, binding_id, what in grouped.values():
            if binding_id and binding_id in keymap:
                keys = [
                    app.get_key_display(Binding(k.strip(), "noop"))
                    for k in keymap[binding_id].split(",")
                ]
            if binding_id:
                listed.add(binding_id)
            label = ", ".join(keys)
            if len(keys) > 2 and all(k.isdigit() for k in keys):
                label = f"{keys[0]}–{keys[-1]}"
                what = re.sub(r"\s*#?\d+$", "", what)
            suffix = f"  [{binding_id}]" if binding_id else ""
            lines.append(f"  {label:<18} {inert(what, limit=70)}{suffix}")
    return lines


def help_text(app: CypkgApp) -> str:
    from tui.config import describe_paths
    from tui.polling.budget import usage_text
    from tui.polling.daily_count import FILE_NAME as REQUESTS_FILE
    from tui.polling.watchlist import FILE_NAME as WATCHLIST_FILE

    lines = [
        "cypkg — look up Cylance Optics packages and watch their upload status.",
        "",
        "Esc (or q, F1) closes this help. Ctrl+P opens the command palette: every",
        "action of the current screen is there too, and the themes.",
    ]
    lines += keys_text(app)
    paths = describe_paths()
    data_dir = paths.get("data dir")
    lines += ["", "Files", "─────"]
    for label, path in paths.items():
        lines.append(f"  {label:<18} {inert(path, limit=200)}")
    if data_dir is not None:
        lines.append(f"  {'watchlist':<18} {inert(data_dir / WATCHLIST_FILE, limit=200)}")
        lines.append(f"  {'recent list':<18} {inert(data_dir / 'recent.json', limit=200)}")
    state_dir = paths.get("state dir")
    if state_dir is not None:
        lines.append(f"  {'request count':<18} {inert(state_dir / REQUESTS_FILE, limit=200)}")
    if app.is_demo:
        lines.append("  (demo mode: nothing is read from or written to these files)")
    daily = app.daily
    lines += [
        "",
        "Daily request budget",
        "────────────────────",
        f"  {usage_text(daily.used_today(), daily.budget)} (UTC day, every cypkg of this",
        "  user for this tenant). The tenant's quota is 100,000 a day for all its tools;",
        "  near the budget, polling slows down so it lasts until 00:00 UTC.",
        "  daily_budget in the profile, or CYPKG_DAILY_BUDGET, sets it.",
    ]
    lines += [
        "",
        "Settings in the config file (top level, before the [profiles.*] tables)",
        "──────────────────────────────────────────────────────────────────────",
        '  theme = "ansi-dark"            the colours (also --theme, CYPKG_THEME, Ctrl+P)',
        "  terminal_title = false         do not set the terminal's title",
        "  desktop_notifications = true   also notify the desktop (OSC 9) when a watched",
        '                                 upload ends; "osc777" for urxvt/VTE terminals',
        "  [keys]                         remap keys by the binding IDs in [brackets] above:",
        '  browse = "f6"                  e.g. the package browser on F6',
        '  help = "f1,ctrl+underscore"    several keys: comma separated',
        "",
        "Profiles (credentials, region, CA bundle, poll interval) are edited with F2.",
    ]
    return "\n".join(lines)


class HelpScreen(Screen[None]):
    """A scrollable page of help."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1", "close", "Close", id="help-close", tooltip="Close the help"),
    ]

    def compose(self) -> ComposeResult:
        yield ContextBar("Help")
        yield TextView(help_text(cast("CypkgApp", self.app)), word_wrap=True, id="help-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(TextView).focus()

    def action_close(self) -> None:
        self.dismiss()
