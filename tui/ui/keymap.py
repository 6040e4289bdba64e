"""Key remaps from the config file's ``[keys]`` table (binding ID → keys), and the
registry of every screen's bindings they refer to.

:func:`parse_keymap` only checks the table's shape; :func:`apply_config_keymap`
keeps the remaps of known binding IDs, applies them with ``App.set_keymap``
(Textual replaces the keys of every binding with that ID) and says which entries
it ignored and why; :func:`keys_text` lists the keys in force for the help screen.

    [keys]
    browse = "f6"            # one key
    help = "f1,ctrl+underscore"   # several, comma separated
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding, BindingType

from tui.base.safe_text import inert

if TYPE_CHECKING:
    from tui.ui.app import CypkgApp

#: The help screen's keys (here, so this registry need not import the help screen).
HELP_BINDINGS: list[BindingType] = [
    Binding("escape,q,f1", "close", "Close", id="help-close", tooltip="Close the help"),
]

#: Keys the help lists that are no screen's binding: a widget's own (the input's,
#: the tables' Enter), so the help says what Enter does where it opens something.
ENTER_LOOKUP = Binding(
    "enter", "open", "Open", tooltip="Open the package typed, or the highlighted recent one"
)
ENTER_ROW = Binding("enter", "open", "Open", tooltip="Open the highlighted package")

MAX_KEYS_PER_BINDING = 8
MAX_KEY_LENGTH = 40


def _valid_key(key: str) -> bool:
    return (
        0 < len(key) <= MAX_KEY_LENGTH and key.isprintable() and not any(c.isspace() for c in key)
    )


def parse_keymap(value: object) -> tuple[dict[str, str], list[str]]:
    """The usable remaps in ``value`` and a message for each entry that is not."""
    if value is None:
        return {}, []
    if not isinstance(value, dict):
        return {}, ['[keys] must be a table of binding-id = "key" entries; ignored.']
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in value.items():
        shown = repr(binding_id)[:60]
        if not isinstance(binding_id, str) or not binding_id.strip():
            problems.append(f"[keys] {shown}: not a binding ID; ignored.")
            continue
        if not isinstance(keys, str):
            problems.append(f'[keys] {shown}: the keys must be a string such as "f6"; ignored.')
            continue
        parts = [part.strip() for part in keys.split(",")]
        if not parts or len(parts) > MAX_KEYS_PER_BINDING or not all(map(_valid_key, parts)):
            problems.append(
                f"[keys] {shown}: {keys[:60]!r} is not a comma-separated list of keys; ignored."
            )
            continue
        keymap[binding_id.strip()] = ",".join(parts)
    return keymap, problems


def binding_sections(app: App[Any]) -> list[tuple[str, list[BindingType]]]:
    """(title, BINDINGS) of the app and of each screen, in the order a user meets them.

    The app's bindings come from the app given (importing the app class here would
    make a circle: the app imports this module to apply the remaps).
    """
    from tui.ui.screens.browser import BrowserScreen
    from tui.ui.screens.detail import DetailScreen
    from tui.ui.screens.download import DownloadScreen
    from tui.ui.screens.lookup import LookupScreen
    from tui.ui.screens.new_package import NewPackageScreen
    from tui.ui.screens.settings import SettingsScreen
    from tui.ui.screens.watchlist import WatchlistScreen
    from tui.ui.widgets.examples_editor import ExampleOptions
    from tui.ui.widgets.path_input import PathInput
    from tui.ui.widgets.recent_list import RecentList

    return [
        ("Everywhere", list(type(app).BINDINGS)),
        ("Lookup", [ENTER_LOOKUP, *LookupScreen.BINDINGS, *RecentList.BINDINGS]),
        ("Package detail", list(DetailScreen.BINDINGS)),
        ("Download box (d)", list(DownloadScreen.BINDINGS)),
        (
            "New package (ctrl+n)",
            [*NewPackageScreen.BINDINGS, *PathInput.BINDINGS, *ExampleOptions.BINDINGS],
        ),
        ("Package browser (F3)", [ENTER_ROW, *BrowserScreen.BINDINGS]),
        ("Watchlist (F4)", [ENTER_ROW, *WatchlistScreen.BINDINGS]),
        ("Settings (F2)", list(SettingsScreen.BINDINGS)),
        ("Help", list(HELP_BINDINGS)),
    ]


def known_binding_ids(app: App[Any]) -> set[str]:
    ids: set[str] = set()
    for _title, bindings in binding_sections(app):
        ids.update(b.id for b in Binding.make_bindings(bindings) if b.id)
    return ids


def config_keymap(app: CypkgApp) -> tuple[dict[str, str], list[str]]:
    """The config's usable remaps (known binding IDs only) and what was ignored."""
    keymap, problems = parse_keymap(app.config.settings.get("keys"))
    if not keymap:
        return keymap, problems
    known = known_binding_ids(app)
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
    for title, bindings in binding_sections(app):
        lines += ["", title, "─" * len(title)]
        grouped: dict[str, tuple[list[str], str | None, str]] = {}
        for binding in Binding.make_bindings(bindings):
            if binding.id and binding.id in listed and binding.action.startswith("app."):
                continue  # an app key repeated in a screen's footer
            what = binding.tooltip or binding.description or binding.action
            # "Open #1" … "Open #9": one line for the lot.
            # One key under two labels (p: Pause / Resume) shares its ID: one line.
            name = binding.id or binding.action
            key = re.sub(r"\d+", "N", what) if binding.key.isdigit() else f"{name}|{what}"
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
