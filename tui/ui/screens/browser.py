"""The package browser: the tenant's packages, a page at a time (``GET /packages/v2``).

One page (:data:`PAGE_SIZE` rows) lives in a ``DataTable``; the next page is
fetched only when asked for, so a tenant with thousands of packages costs no
more than one with fifty. Sorting and the status/category filters are done by
the API (any documented sort field, ascending or descending), and checked here: a
server that ignores them gets its page sorted and filtered locally, with a notice
(:mod:`tui.ui.browse`). The name filter is a quick client-side filter of the page
on screen, and says so.

Requests go through the app's one request engine (its budget: 5 a second for the
whole process) in a daemon thread. At most one is in flight: keys pressed meanwhile
only change what the next one asks for, so a held-down ``n`` cannot flood the budget.
A missing ``opticspkgconfig:list`` scope (HTTP 403) is explained on the screen.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Input

from tui.api.client import SCOPE_LIST, SORT_FIELDS
from tui.api.errors import CypkgError, MissingScope
from tui.api.models import Package, PackagePage
from tui.base.safe_text import inert
from tui.ui.browse import (
    CATEGORY_FILTERS,
    SORT_LABELS,
    STATUS_FILTERS,
    Loaded,
    Query,
    arrange,
    fetch_page,
    following,
    last_page,
    name_matches,
    page_counts,
    past_the_end,
    turned,
)
from tui.ui.screens.base import CypkgScreen
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.error_panel import ErrorPanel
from tui.ui.widgets.fields import ValueStatic, rich_status_styles
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.package_table import COLUMN_SORT, PackageTable
from tui.ui.widgets.still import StillInput


class BrowserScreen(CypkgScreen):
    """Every package of the tenant, a page at a time, sorted and filtered by the API."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="browser-back", tooltip="Back (or leave the filter)"),
        Binding("w", "watch", "Watch", id="browser-watch", tooltip="Add to the watchlist"),
        Binding(
            "n", "page(1)", "Page", id="next-page", key_display="n/p", tooltip="Next/previous page"
        ),
        Binding("p", "page(-1)", "Previous page", id="previous-page", show=False),
        Binding("less_than_sign", "first_page", "First page", id="first-page", show=False),
        Binding("greater_than_sign", "last_page", "Last page", id="last-page", show=False),
        Binding("s", "cycle_sort", "Sort", id="sort", key_display="s/o", tooltip="Sort field"),
        Binding("o", "toggle_order", "Order", id="order", show=False, tooltip="Flip the order"),
        Binding(
            "f",
            "cycle_status",
            "Filter",
            id="filter-status",
            key_display="f/g",
            tooltip="f: status filter, g: category filter",
        ),
        Binding("g", "cycle_category", "Category filter", id="filter-category", show=False),
        Binding("slash", "find", "Name", id="find", key_display="/", tooltip="Filter names"),
        Binding("r", "reload", "Reload", id="browser-refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_state = Query()
        self.loaded: Loaded | None = None
        self.error: CypkgError | None = None
        self.in_flight = False
        self._pending = False
        self._generation = -1
        #: Requests sent so far (for tests and the curious).
        self.requests = 0

    # -- layout -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ContextBar("Packages")
        yield ValueStatic(id="browser-state")
        yield StillInput(
            placeholder="/ filters names on this page only",
            id="name-filter",
            compact=True,
        )
        yield ValueStatic(id="browser-message")
        yield ErrorPanel(id="browser-error")
        table = PackageTable(id="packages", cursor_type="row", zebra_stripes=True)
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(PackageTable)
        self.query_one("#browser-error").display = False
        table.focus()
        self._show_state()
        self.load()

    def on_screen_resume(self) -> None:
        # The profile may have changed in the settings: list with the new client.
        if self._generation not in (-1, self.cy.client_generation):
            self.load()

    # -- requests ---------------------------------------------------------------

    def load(self, query: Query | None = None) -> None:
        """Ask for ``query`` (default: the current one); coalesced while a request runs."""
        if query is not None:
            self.query_state = query
        self._show_state()
        if self.in_flight:
            self._pending = True
            return
        self.in_flight = True
        self._show_message()
        self.run_worker(
            self._fetch(), group="browse", exclusive=True, exit_on_error=False, name="browse"
        )

    async def _fetch(self) -> None:
        app = self.cy
        try:
            while True:
                self._pending = False
                query = self.query_state
                generation = app.client_generation
                self.requests += 1
                outcome = await app.engine.request(
                    functools.partial(fetch_page, lambda: app.client, query)
                )
                if not self.is_attached:
                    return
                if self._pending or query != self.query_state:
                    continue  # the user asked for something else meanwhile
                if generation != app.client_generation:
                    continue  # fetched with the previous profile's client
                if isinstance(outcome, PackagePage) and past_the_end(outcome, query):
                    last = outcome.total_pages or 1
                    # The list shrank (or the filter changed it): show its real last page.
                    self.query_state = replace(query, page=last)
                    continue
                self._generation = generation
                self.in_flight = False
                self._apply(query, outcome)
                return
        finally:
            self.in_flight = False
            if self.is_attached:
                self._show_message()

    # -- results ----------------------------------------------------------------

    def _apply(self, query: Query, outcome: PackagePage | CypkgError) -> None:
        panel = self.query_one("#browser-error", ErrorPanel)
        table = self.query_one(PackageTable)
        if isinstance(outcome, CypkgError):
            self.error = outcome
            if self.loaded is None or isinstance(outcome, MissingScope):
                panel.display = True
                table.display = False
                self.query_one("#name-filter").display = False
                extra = ""
                if isinstance(outcome, MissingScope) and outcome.scope == SCOPE_LIST:
                    extra = (
                        "Listing packages needs this scope. Opening a package by its ID "
                        "still works: press Esc and type or paste the ID."
                    )
                panel.show(outcome, keys="r try again · Esc back · F2 settings", extra=extra)
            else:
                self.notify(
                    inert(f"{outcome} {outcome.hint}".strip(), limit=600),
                    title=f"Could not load the page: {outcome.title}",
                    severity="error",
                    markup=False,
                    timeout=8,
                )
            self._show_state()
            return
        self.error = None
        panel.display = False
        self.query_one("#name-filter").display = True
        if not table.display:
            table.display = True
            table.focus()
        self.loaded = Loaded(query, outcome, arrange(outcome.items, query))
        self._fill_table()
        self._show_state()

    def _fill_table(self, keep_cursor: bool = False) -> None:
        loaded = self.loaded
        if loaded is None:
            return
        needle = self.query_one("#name-filter", Input).value.strip()
        loaded.rows = [p for p in loaded.arranged.rows if name_matches(p, needle)]
        q = loaded.query  # the header says how the rows shown are sorted
        styles = rich_status_styles(self.app.theme_variables)
        table = self.query_one(PackageTable)
        table.show(loaded.rows, q.sort_field, q.descending, styles, keep_cursor)
        self._show_message()

    def _show_state(self) -> None:
        q = self.query_state
        loaded = self.loaded
        pages, total = page_counts(q, loaded)
        arrow = "↓" if q.descending else "↑"
        line1 = Content.assemble(
            (f"Page {q.page:,} of {pages}", "bold"),
            f"{total} · {q.page_size} a page (n/p, < >)",
        )
        line2 = Content.assemble(
            "Sort ",
            (f"{SORT_LABELS.get(q.sort_field, q.sort_field)} {arrow}", "bold"),
            " (s/o) · Status ",
            (q.status or "any", "bold"),
            " (f) · Category ",
            (q.category or "any", "bold"),
            " (g)",
        )
        self.query_one("#browser-state", ValueStatic).set(Content("\n").join([line1, line2]))

    def _show_message(self) -> None:
        message = self.query_one("#browser-message", ValueStatic)
        loaded = self.loaded
        needle = self.query_one("#name-filter", Input).value.strip()
        if self.in_flight:
            text = Content.styled(f"Loading page {self.query_state.page:,}…", "$text-muted")
        elif loaded is not None and not loaded.arranged.rows:
            text = Content("No packages match." if loaded.query.filters else "No packages.")
        elif loaded is not None and needle:
            text = Content.styled(
                f"Name filter: {len(loaded.rows)} of {len(loaded.arranged.rows)} on this page "
                "(this page only).",
                "$text-warning",
            )
        else:
            text = Content("")
        notice = loaded.arranged.notice if loaded is not None and not self.in_flight else ""
        if notice:
            warning = Content.styled(notice, "$text-warning")
            text = Content("\n").join([warning, text]) if text.plain else warning
        message.set(text)
        message.display = bool(text.plain)

    # -- selection --------------------------------------------------------------

    def selected(self) -> Package | None:
        loaded = self.loaded
        table = self.query_one(PackageTable)
        if loaded is None or not loaded.rows or not table.display:
            return None
        row = table.cursor_row
        return loaded.rows[row] if 0 <= row < len(loaded.rows) else None

    @on(DataTable.RowSelected, "#packages")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        package = self.selected()
        if package is None:
            return
        if not package.package_id:
            self.notify("This package has no ID to open.", severity="warning", timeout=4)
            return
        self.cy.action_open_package(package.package_id)

    def action_watch(self) -> None:
        package = self.selected()
        if package is None or not package.package_id:
            self.notify("Select a package with an ID first.", severity="warning", timeout=4)
            return
        self.cy.engine.watch(package.package_id, name=package.name, status=package.status_text)

    # -- paging, sorting, filtering -------------------------------------------------

    def _no_page_to_turn(self) -> bool:
        """No page shown (the first failed, e.g. no list scope): paging would only ask
        again for what was refused; ring instead (r asks again)."""
        if self.loaded is None and not self.in_flight:
            self.app.bell()
            return True
        return False

    def action_page(self, step: int) -> None:
        if self._no_page_to_turn():
            return
        wanted = turned(self.query_state, self.loaded.page if self.loaded else None, step)
        if wanted is None:
            self.app.bell()
            return
        self.load(wanted)

    def action_first_page(self) -> None:
        if self._no_page_to_turn():
            return
        if self.query_state.page != 1:
            self.load(replace(self.query_state, page=1))

    def action_last_page(self) -> None:
        if self._no_page_to_turn():
            return
        last = last_page(self.loaded.page if self.loaded else None)
        if last is not None and last != self.query_state.page:
            self.load(replace(self.query_state, page=last))

    def sort_by(self, sort_field: str, descending: bool | None = None) -> None:
        if sort_field not in SORT_FIELDS:
            return
        q = self.query_state
        if descending is None:
            descending = not q.descending if q.sort_field == sort_field else q.descending
        self.load(replace(q, sort_field=sort_field, descending=descending, page=1))

    def action_cycle_sort(self) -> None:
        current = self.query_state.sort_field
        after = following(SORT_FIELDS, current) if current in SORT_FIELDS else "uploadedOn"
        self.sort_by(after or "uploadedOn", self.query_state.descending)

    def action_toggle_order(self) -> None:
        self.sort_by(self.query_state.sort_field, not self.query_state.descending)

    def filter_by(self, *, status: str | None = None, category: str | None = None) -> None:
        self.load(replace(self.query_state, status=status, category=category, page=1))

    def set_filter(self, name: str, value: str | None) -> None:
        q = self.query_state
        if name == "status":
            self.filter_by(status=value, category=q.category)
        else:
            self.filter_by(status=q.status, category=value)

    def action_cycle_status(self) -> None:
        q = self.query_state
        self.filter_by(status=following(STATUS_FILTERS, q.status), category=q.category)

    def action_cycle_category(self) -> None:
        q = self.query_state
        self.filter_by(status=q.status, category=following(CATEGORY_FILTERS, q.category))

    @on(DataTable.HeaderSelected, "#packages")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = str(event.column_key.value)
        if key in COLUMN_SORT:
            self.sort_by(COLUMN_SORT[key])
        else:
            self.notify(f"The API cannot sort by {key}.", timeout=3)

    def action_reload(self) -> None:
        self.load()

    # -- name filter ------------------------------------------------------------

    def action_find(self) -> None:
        self.query_one("#name-filter").focus()

    @on(Input.Changed, "#name-filter")
    def _filter_changed(self) -> None:
        self._fill_table()

    @on(Input.Submitted, "#name-filter")
    def _filter_submitted(self) -> None:
        self.query_one(PackageTable).focus()

    def action_back(self) -> None:
        table = self.query_one(PackageTable)
        if isinstance(self.focused, Input) and table.display:
            table.focus()
            return
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Letters typed into the name filter are text, not commands.
        return not (isinstance(self.focused, Input) and action not in ("back",))

    def palette_commands(self) -> list[SystemCommand]:
        from tui.ui.screens.browser_commands import browser_commands

        return browser_commands(self)
