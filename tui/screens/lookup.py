"""The first screen: type or paste a package ID, or pick a recent one."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.api.errors import InvalidPackageId
from tui.api.ids import extract_package_id
from tui.api.models import Status
from tui.config import Profile
from tui.recent import RecentEntry
from tui.safe_text import inert
from tui.widgets.context_bar import ContextBar
from tui.widgets.fields import STATUS_STYLES, ValueStatic, status_word
from tui.widgets.footer import Footer
from tui.widgets.still import StillInput

if TYPE_CHECKING:
    from tui.app import CypkgApp, DemoEntry

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


class RecentList(OptionList):
    """Recent (and demo) packages; Enter or 1–9 opens one, Delete forgets it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,x", "forget", "Forget", id="forget", tooltip="Remove from the list"),
        *(Binding(str(n), f"open_nth({n})", f"Open #{n}", show=False) for n in range(1, 10)),
    ]

    def action_forget(self) -> None:
        index = self.highlighted
        if index is None:
            return
        option = self.get_option_at_index(index)
        screen = cast("LookupScreen", self.screen)
        screen.forget(option.id or "")

    def action_open_nth(self, n: int) -> None:
        if 0 < n <= self.option_count:
            option = self.get_option_at_index(n - 1)
            cast("LookupScreen", self.screen).open_package(option.id or "")


class LookupScreen(Screen[None]):
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
        Binding("f1", "app.help", "Help", id="help", tooltip="Keys, settings and files"),
    ]

    def compose(self) -> ComposeResult:
        yield ContextBar("Lookup")
        with Vertical(id="lookup-body"):
            yield Static("Package ID or package URL", id="input-label")
            yield StillInput(
                placeholder=f"e.g. {EXAMPLE_ID}",
                id="package-input",
                suggester=RecentSuggester(self),
                select_on_focus=False,
            )
            yield ValueStatic(id="id-feedback")
            with Vertical(id="setup-notice"):
                yield ValueStatic(id="setup-text")
                with Horizontal(id="setup-buttons"):
                    yield Button("Open settings (F2)", id="open-settings", compact=True)
            yield Static("Recent packages", id="recent-heading")
            yield RecentList(id="recent")
            yield Static(
                Content("No packages opened yet: the ones you open are listed here."),
                id="recent-empty",
            )
        yield Footer(compact=True)

    @property
    def cy(self) -> CypkgApp:
        return cast("CypkgApp", self.app)

    def on_mount(self) -> None:
        self.query_one("#id-feedback", ValueStatic).set(validate_input("")[1])
        if self.cy.startup.demo_entries:
            self.query_one("#recent-heading", Static).update(
                "Demo packages: press ↓, then Enter (or a number key: 1–4)"
            )
        self.watch(self.cy, "profile", self._show_setup, init=True)
        self.refresh_list()

    def on_screen_resume(self) -> None:
        self.refresh_list()

    # -- input ------------------------------------------------------------------------

    @on(Input.Changed, "#package-input")
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#id-feedback", ValueStatic).set(validate_input(event.value)[1])

    @on(Input.Submitted, "#package-input")
    def _submitted(self, event: Input.Submitted) -> None:
        package_id, feedback = validate_input(event.value)
        self.query_one("#id-feedback", ValueStatic).set(feedback)
        if package_id is None:
            self.app.bell()
            return
        event.input.clear()
        self.open_package(package_id)

    def open_package(self, package_id: str) -> None:
        if package_id:
            self.cy.action_open_package(package_id)

    # -- setup notice ---------------------------------------------------------------

    def _show_setup(self, profile: Profile) -> None:
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
                    f" for profile '{inert(profile.name, limit=40)}' (missing "
                    f"{', '.join(missing)}). Open the settings to add them.",
                )
            )
        notice = self.query_one("#setup-notice")
        notice.display = bool(lines)
        self.query_one("#setup-text", ValueStatic).set(Content("\n").join(lines))

    @on(Button.Pressed, "#open-settings")
    def _open_settings(self) -> None:
        self.cy.action_settings()

    # -- recent list ------------------------------------------------------------------

    def known_ids(self) -> list[str]:
        ids = self.cy.recent.ids()
        ids += [d.package_id for d in self.cy.startup.demo_entries if d.package_id not in ids]
        return ids

    def refresh_list(self) -> None:
        options = recent_options(self.cy.startup.demo_entries, self.cy.recent.entries)
        listing = self.query_one(RecentList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(options)
        if options:
            listing.highlighted = min(highlighted or 0, len(options) - 1)
        listing.display = bool(options)
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
