"""The first screen: type or paste a package ID, or pick a recent one."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.suggester import Suggester
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.api.errors import InvalidPackageId
from tui.api.ids import extract_package_id
from tui.api.models import Status
from tui.base.safe_text import inert
from tui.config import Profile
from tui.polling.recent import RecentEntry
from tui.ui.screens.base import CypkgScreen
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.fields import STATUS_STYLES, ValueStatic, status_word
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.recent_list import RecentList
from tui.ui.widgets.still import StillInput

if TYPE_CHECKING:
    from tui.ui.options import DemoEntry

EXAMPLE_ID = "e378dacb-9324-453a-b8c6-5a8406952195"


class RecentSuggester(Suggester):
    """Completes the input from the recent IDs (and the demo samples)."""

    def __init__(self, screen: LookupScreen) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self._screen = screen

    async def get_suggestion(self, value: str) -> str | None:
        typed = value.strip()
        if not typed:
            return None
        for package_id in self._screen.known_ids():
            if package_id.startswith(typed) and package_id != typed:
                # Keep what was typed (leading spaces included) and add the rest.
                return value + package_id[len(typed) :]
        return None


def validate_input(value: str) -> tuple[str | None, Content]:
    """The package ID in ``value`` (or None) and the line that explains it."""
    if not value.strip():
        return None, Content.styled(
            "Type or paste a package ID (a UUID) or a package URL; Enter opens it.",
            "$text-muted",
        )
    try:
        package_id = extract_package_id(value)
    except InvalidPackageId as exc:
        return None, Content.assemble(("✘ ", "$text-error bold"), inert(str(exc), limit=200))
    source = " (from the URL)" if "://" in value else ""
    return package_id, Content.assemble(
        ("✔ ", "$text-success bold"), f"{package_id}{source} · Enter opens it"
    )


class PackageInput(StillInput):
    """The package ID input; `?` is typed only where it can be part of what is typed.

    Enter opens the package at once, in the order the keys were typed: keys read in the
    same burst after it were typed before the package's screen was shown, and are
    dropped rather than added to the ID (Textual's Enter binding acts only once the key
    has gone round the app, by when the rest of the burst is in the input).
    """

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if not screen.is_active and event.is_printable:
            event.stop()  # after the Enter that left this screen (see above)
            event.prevent_default()
            return
        if event.key == "enter" and isinstance(screen, LookupScreen):
            event.stop()
            event.prevent_default()
            screen.submit(self)
            return
        await super()._on_key(event)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # A package ID never holds a `?`; a URL (a `/` typed) may go on with a query
        # string. Not consumed, the key reaches the screen's `?` (help) binding.
        if character == "?" and "/" not in self.value:
            return False
        return super().check_consume_key(key, character)


class LookupScreen(CypkgScreen):
    """Package ID input, validated as typed; recent packages below."""

    AUTO_FOCUS = "#package-input"

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: handled before the key reaches the input, so a digit typed right
        # after ↓ already goes to the list.
        Binding("down", "focus_list", "Recent list", show=False, priority=True),
        Binding("escape", "focus_input", "Input", show=False),
        # The app's own keys, shown here so the first screen tells where to go next.
        Binding("f3", "app.browse", "Browse", id="browse", tooltip="List packages"),
        Binding("f4", "app.watchlist", "Watchlist", id="watchlist", tooltip="Watched packages"),
        # Priority: keys typed right after it (one burst) go to the new screen's form.
        Binding("ctrl+n", "app.new_package", "New", id="new-package", priority=True),
        Binding("f1", "app.help", "Help", id="help", tooltip="Keys, settings and files"),
        # Priority: before the input types it; PackageInput lets the key through only
        # while `?` cannot be typed into it.
        Binding(
            "question_mark",
            "question_mark",
            "Help",
            show=False,
            priority=True,
            tooltip="Help, unless the input holds a URL (then ? is typed)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: What the recent list shows now; a resume that finds the same rows leaves it be.
        self._listed: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        # Everything starts in its final state (texts, what is hidden), so the first
        # frame is the finished screen rather than one that on_mount then changes.
        cy = self.cy
        yield ContextBar("Lookup")
        with Vertical(id="lookup-body"):
            yield Static("Package ID or package URL", id="input-label")
            yield PackageInput(
                placeholder=f"e.g. {EXAMPLE_ID}",
                id="package-input",
                suggester=RecentSuggester(self),
                select_on_focus=False,
            )
            feedback = ValueStatic(id="id-feedback")
            feedback.set(validate_input("")[1])
            yield feedback
            lines = self._setup_lines(cy.profile)
            if lines:
                # Built only when there is something to say: most launches have nothing.
                yield self._setup_notice(lines)
            rows = self._rows()
            options = recent_options(*rows)
            yield Static(self._heading(len(options)), id="recent-heading")
            listing = RecentList(*options, id="recent")
            listing.display = bool(options)
            self._listed = rows_key(*rows)
            yield listing
            empty = Static(
                Content("No packages opened yet: the ones you open are listed here."),
                id="recent-empty",
            )
            empty.display = not options
            yield empty
        yield Footer(compact=True, keys_at_once=True)

    def on_mount(self) -> None:
        # The notice was filled in by compose; later profiles (a save) update it.
        self.watch(self.cy, "profile", self._show_setup, init=False)

    def on_screen_resume(self) -> None:
        self.refresh_list()
        # Back here (from a package opened from the list, too): typing goes to the input.
        # Textual would give the focus back to the list, whose digits open packages.
        self.action_focus_input()

    # -- input ------------------------------------------------------------------------

    @on(Input.Changed, "#package-input")
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#id-feedback", ValueStatic).set(validate_input(event.value)[1])

    def submit(self, field: Input) -> None:
        """Enter in the input: open the package it names, or say why not."""
        package_id, feedback = validate_input(field.value)
        self.query_one("#id-feedback", ValueStatic).set(feedback)
        if package_id is None:
            self.app.bell()
            return
        field.clear()
        self.open_package(package_id)

    def type_into_input(self, text: str) -> None:
        """Text typed or pasted elsewhere on the screen: into the input, at its end."""
        field = self.query_one("#package-input", Input)
        field.focus()
        field.action_end()
        field.insert_text_at_cursor(text.splitlines()[0] if text else "")

    def on_paste(self, event: events.Paste) -> None:
        # The input handles (and stops) its own pastes; this one was given to the list,
        # or to nothing: a pasted ID or URL goes to the input wherever the focus is.
        event.stop()
        self.type_into_input(event.text)

    def open_package(self, package_id: str) -> None:
        if package_id:
            self.cy.action_open_package(package_id)

    # -- setup notice ---------------------------------------------------------------

    def _show_setup(self, profile: Profile) -> None:
        lines = self._setup_lines(profile)
        found = self.query("#setup-notice")
        if found:
            notice = found.first()
            notice.display = bool(lines)
            notice.query_one("#setup-text", ValueStatic).set(Content("\n").join(lines))
        elif lines:
            self.query_one("#lookup-body").mount(
                self._setup_notice(lines), before="#recent-heading"
            )

    def _setup_notice(self, lines: list[Content]) -> Vertical:
        text = ValueStatic(id="setup-text")
        text.set(Content("\n").join(lines))
        button = Button("Open settings (F2)", id="open-settings", compact=True)
        return Vertical(text, Horizontal(button, id="setup-buttons"), id="setup-notice")

    def _setup_lines(self, profile: Profile) -> list[Content]:
        """What the setup notice says for ``profile``: start-up problems, missing fields."""
        lines: list[Content] = []
        for problem in self.cy.startup.problems:
            lines.append(
                Content.assemble(
                    (f"✘ {inert(problem.title)}: ", "$text-error bold"),
                    inert(str(problem), limit=600),
                )
            )
        missing = profile.missing_fields()
        if missing:
            lines.append(
                Content.assemble(
                    ("No credentials yet", "$text-warning bold"),
                    f" for profile '{profile.scrub(profile.name, limit=40)}' (missing "
                    f"{', '.join(missing)}). Open the settings to add them.",
                )
            )
        return lines

    @on(Button.Pressed, "#open-settings")
    def _open_settings(self) -> None:
        self.cy.action_settings()

    # -- recent list ------------------------------------------------------------------

    def known_ids(self) -> list[str]:
        ids = self.cy.recent.ids()
        ids += [d.package_id for d in self.cy.startup.demo_entries if d.package_id not in ids]
        return ids

    def _heading(self, count: int) -> str:
        """The list's title, and how to reach it: the number keys work once the list has
        the focus (typed into the input they are part of an ID)."""
        kind = "Demo packages" if self.cy.startup.demo_entries else "Recent packages"
        if count == 0:
            return kind  # nothing to reach yet: the line below says so
        keys = "1" if count <= 1 else f"1–{min(count, 9)}"
        return f"{kind}: press ↓, then Enter (or a number key: {keys})"

    def _rows(self) -> tuple[list[DemoEntry], list[RecentEntry]]:
        return self.cy.startup.demo_entries, self.cy.recent.entries

    def refresh_list(self) -> None:
        rows = self._rows()
        key = rows_key(*rows)
        if key == self._listed:
            return  # unchanged: rebuilding would only cost a layout and a repaint
        self._listed = key
        options = recent_options(*rows)
        listing = self.query_one(RecentList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(options)
        if options:
            listing.highlighted = min(highlighted or 0, len(options) - 1)
        listing.display = bool(options)
        self.query_one("#recent-heading", Static).update(self._heading(len(options)))
        self.query_one("#recent-empty").display = not options

    def forget(self, package_id: str) -> None:
        if self.cy.recent.forget(package_id):
            self.refresh_list()
        else:
            self.notify("Demo samples stay in the list.", timeout=3)

    @on(OptionList.OptionSelected, "#recent")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.open_package(event.option.id or "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_list":
            # Only from the input: in the list, ↓ moves the highlight.
            return isinstance(self.focused, Input)
        return True

    def action_question_mark(self) -> None:
        self.cy.action_help()

    def action_focus_list(self) -> None:
        listing = self.query_one(RecentList)
        if listing.display:
            # Now, not after a refresh: a digit typed right after ↓ must reach the list.
            self.set_focus(listing)

    def action_focus_input(self) -> None:
        self.query_one("#package-input").focus()

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Type a package ID", "Focus the ID input", self.action_focus_input),
            SystemCommand("Recent packages", "Focus the recent list", self.action_focus_list),
        ]


def rows_key(demo: list[DemoEntry], recent: list[RecentEntry]) -> tuple[object, ...]:
    """What :func:`recent_options` depends on, comparable (the entries are frozen)."""
    return (*demo, None, *recent)


def recent_options(demo: list[DemoEntry], recent: list[RecentEntry]) -> list[Option]:
    """Demo samples first (labelled), then recent packages; one option per ID."""
    by_id = {entry.package_id: entry for entry in recent}
    rows: list[tuple[str, str | None, RecentEntry | None]] = []
    for sample in demo:
        rows.append((sample.package_id, sample.label, by_id.get(sample.package_id)))
    demo_ids = {sample.package_id for sample in demo}
    rows += [(e.package_id, None, e) for e in recent if e.package_id not in demo_ids]
    options = []
    for n, (package_id, label, entry) in enumerate(rows, 1):
        options.append(Option(_prompt(n, package_id, label, entry), id=package_id))
    return options


def _prompt(n: int, package_id: str, label: str | None, entry: RecentEntry | None) -> Content:
    number = f"{n:>2} " if n <= 9 else "   "
    parts: list[tuple[str, str] | str] = [(number, "bold"), package_id]
    if entry is not None and entry.status:
        status = Status.parse(entry.status)
        word = status_word(status)
        if status is Status.UNKNOWN:
            word = f"? {inert(entry.status, limit=20)}"
        parts += ["  ", (word, STATUS_STYLES[status])]
    parts.append("\n   ")
    if entry is not None and entry.name:
        parts.append((inert(entry.name, limit=60), "bold"))
        if label:
            parts.append("  ")
    if label:
        parts.append((label, "$text-muted"))
    elif entry is None or not entry.name:
        parts.append(("(not fetched yet)", "$text-muted"))
    return Content.assemble(*parts)
