"""Help (F1, ?): every screen's keys, the settings, and where cypkg keeps its files.

The keys shown are the ones in force, remaps included (:mod:`tui.ui.keymap`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen

from tui.base.safe_text import inert
from tui.ui.keymap import HELP_BINDINGS, keys_text
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.lazy import TextView

if TYPE_CHECKING:
    from tui.ui.app import CypkgApp


def help_text(app: CypkgApp) -> str:
    from tui.config import describe_paths
    from tui.polling.budget import usage_text
    from tui.polling.daily_count import FILE_NAME as REQUESTS_FILE
    from tui.polling.watchlist import FILE_NAME as WATCHLIST_FILE

    lines = [
        "cypkg — look up Cylance Optics packages and watch their upload status.",
        "",
        # Prose is one line a paragraph: the view wraps it at its width (60 columns too).
        "Esc (or q, F1) closes this help. Ctrl+P opens the command palette: every"
        " action of the current screen is there too, and the themes.",
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
        f"  {usage_text(daily.used_today(), daily.budget)} (UTC day, every cypkg of this"
        " user for this tenant). The tenant's quota is 100,000 a day for all its tools;"
        " near the budget, polling slows down so it lasts until 00:00 UTC."
        " daily_budget in the profile, or CYPKG_DAILY_BUDGET, sets it.",
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

    BINDINGS: ClassVar[list[BindingType]] = HELP_BINDINGS

    def compose(self) -> ComposeResult:
        yield ContextBar("Help")
        yield TextView(
            help_text(cast("CypkgApp", self.app)), word_wrap=True, hanging=True, id="help-text"
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(TextView).focus()

    def action_close(self) -> None:
        self.dismiss()
