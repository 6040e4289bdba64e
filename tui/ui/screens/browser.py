"""The package browser: the tenant's packages, a page at a time (``GET /packages/v2``).

One page (:data:`PAGE_SIZE` rows) lives in a ``DataTable``; the next page is
fetched only when asked for, so a tenant with thousands of packages costs no
more than one with fifty. Sorting and the status/category filters are done by
the API (any documented sort field, ascending or descending); the name filter
is a quick client-side filter of the page on screen, and says so.

Requests go through the app's one request engine (its budget: at most 5 a
second for the whole process, polls included) and run in a daemon thread (the
client is synchronous). At most one is in flight: keys pressed meanwhile only
change what the next request asks for, so a held-down ``n`` cannot flood the
tenant's budget. A missing ``opticspkgconfig:list`` scope (HTTP 403)
is explained on the screen; the ID lookup keeps working, as it needs only the
read scope.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Input

from tui.api.client import SCOPE_LIST, SORT_FIELDS
from tui.api.errors import CypkgError, MissingScope
from tui.api.models import Package, PackagePage
from tui.base.safe_text import inert
from tui.ui.requests import InternalError, returning_errors
from tui.ui.screens.base import CypkgScreen
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.error_panel import ErrorPanel
from tui.ui.widgets.fields import ValueStatic, rich_status_styles
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.package_table import (
    COLUMN_SORT,
    COLUMNS_BESIDE_NAME,
    SORT_LABELS,
    ListingClient,
    Loaded,
    PackageTable,
    Query,
    name_matches,
    package_row,
)
from tui.ui.widgets.still import StillInput

if TYPE_CHECKING:
    from tui.ui.app import CypkgApp

STATUS_FILTERS: tuple[str | None, ...] = (None, "started", "success", "failed", "timeout")
CATEGORY_FILTERS: tuple[str | None, ...] = (None, "custom", "cylance")


def _list(app: CypkgApp, query: Query) -> PackagePage | CypkgError:
    """Runs in a daemon thread: one list request; errors are returned, never raised."""

    def call() -> PackagePage | CypkgError:
        client = app.client
        if not hasattr(client, "list_packages"):
            return InternalError("This API client cannot list packages.")
        lister = cast("ListingClient", client)
        return lister.list_packages(query.page, query.page_size, query.sort, query.filters)

    return returning_errors(call)


def _past_the_end(page: PackagePage, query: Query) -> bool:
    last = page.total_pages
    return last is not None and 0 < last < query.page and not page.items


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
            placeholder="/ filters names on this page only (the API has no name search)",
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
        # The most telling columns first: at 80 columns the last ones scroll into view
        # (names matter more than categories); a wider terminal gives names the room.
        name_width = min(max(self.app.size.width - COLUMNS_BESIDE_NAME, 22), 40)
        table.add_column("Name", key="name", width=name_width)
        table.add_column("Status", key="status")
        table.add_column("Ver", key="version")
        table.add_column("Size", key="size")
        table.add_column("Uploaded (UTC)", key="uploaded")
        table.add_column("Category", key="category")
        table.add_column("By", key="by")
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
                outcome = await app.engine.request(functools.partial(_list, app, query))
                if not self.is_attached:
                    return
                if self._pending or query != self.query_state:
                    continue  # the user asked for something else meanwhile
                if generation != app.client_generation:
                    continue  # fetched with the previous profile's client
                if isinstance(outcome, PackagePage) and _past_the_end(outcome, query):
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
        self.loaded = Loaded(query, outcome)
        self._fill_table()
        self._show_state()

    def _fill_table(self) -> None:
        table = self.query_one(PackageTable)
        loaded = self.loaded
        if loaded is None:
            return
        needle = self.query_one("#name-filter", Input).value.strip()
        loaded.rows = [p for p in loaded.page.items if name_matches(p, needle)]
        table.clear()
        styles = rich_status_styles(self.app.theme_variables)
        for index, package in enumerate(loaded.rows):
            table.add_row(*package_row(package, styles), key=f"{index}:{package.package_id or ''}")
        self._show_message()

    def _show_state(self) -> None:
        q = self.query_state
        loaded = self.loaded
        pages = "?"
        total = ""
        if loaded is not None and loaded.query.filters == q.filters:
            if loaded.page.total_pages is not None:
                pages = f"{max(loaded.page.total_pages, 1):,}"
            if loaded.page.total_number_of_items is not None:
                total = f" · {loaded.page.total_number_of_items:,} packages"
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
        elif loaded is not None and not loaded.page.items:
            text = Content("No packages match." if loaded.query.filters else "No packages.")
        elif loaded is not None and needle:
            text = Content.styled(
                f"Name filter: {len(loaded.rows)} of {len(loaded.page.items)} on this page "
                "(this page only).",
                "$text-warning",
            )
        else:
            text = Content("")
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

    def _last_page(self) -> int | None:
        loaded = self.loaded
        if loaded is None or loaded.page.total_pages is None:
            return None
        return max(loaded.page.total_pages, 1)

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
        q = self.query_state
        last = self._last_page()
        wanted = q.page + step
        if wanted < 1 or (last is not None and wanted > last):
            self.app.bell()
            return
        loaded = self.loaded
        if (
            last is None
            and step > 0
            and loaded is not None
            and len(loaded.page.items) < q.page_size
        ):
            # Total unknown: a short page is the last one.
            self.app.bell()
            return
        self.load(replace(q, page=wanted))

    def action_first_page(self) -> None:
        if self._no_page_to_turn():
            return
        if self.query_state.page != 1:
            self.load(replace(self.query_state, page=1))

    def action_last_page(self) -> None:
        if self._no_page_to_turn():
            return
        last = self._last_page()
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
        fields = list(SORT_FIELDS)
        current = self.query_state.sort_field
        following = (
            fields[(fields.index(current) + 1) % len(fields)] if current in fields else "uploadedOn"
        )
        self.sort_by(following, self.query_state.descending)

    def action_toggle_order(self) -> None:
        self.sort_by(self.query_state.sort_field, not self.query_state.descending)

    def filter_by(self, *, status: str | None = None, category: str | None = None) -> None:
        self.load(replace(self.query_state, status=status, category=category, page=1))

    def _set_filter(self, name: str, value: str | None) -> None:
        q = self.query_state
        if name == "status":
            self.filter_by(status=value, category=q.category)
        else:
            self.filter_by(status=q.status, category=value)

    def action_cycle_status(self) -> None:
        q = self.query_state
        index = STATUS_FILTERS.index(q.status) if q.status in STATUS_FILTERS else 0
        self.filter_by(
            status=STATUS_FILTERS[(index + 1) % len(STATUS_FILTERS)], category=q.category
        )

    def action_cycle_category(self) -> None:
        q = self.query_state
        index = CATEGORY_FILTERS.index(q.category) if q.category in CATEGORY_FILTERS else 0
        following = CATEGORY_FILTERS[(index + 1) % len(CATEGORY_FILTERS)]
        self.filter_by(status=q.status, category=following)

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
        commands = [
            SystemCommand(
                "Next page", "Show the next page of packages (n)", lambda: self.action_page(1)
            ),
            SystemCommand(
                "Previous page", "Show the previous page (p)", lambda: self.action_page(-1)
            ),
            SystemCommand("First page", "Go to page 1 (<)", self.action_first_page),
            SystemCommand("Last page", "Go to the last page (>)", self.action_last_page),
            SystemCommand(
                "Reverse the order", "Ascending/descending (o)", self.action_toggle_order
            ),
            SystemCommand(
                "Filter names on this page", "Focus the name filter (/)", self.action_find
            ),
            SystemCommand(
                "Watch package", "Add the selected package to the watchlist (w)", self.action_watch
            ),
            SystemCommand("Reload", "Fetch this page again (r)", self.action_reload),
        ]
        for sort_field in SORT_FIELDS:
            label = SORT_LABELS[sort_field]
            for descending in (False, True):
                order = "descending" if descending else "ascending"
                commands.append(
                    SystemCommand(
                        f"Sort by {label}, {order}",
                        f"API sort {'-' if descending else ''}{sort_field}",
                        functools.partial(self.sort_by, sort_field, descending),
                    )
                )
        for status in STATUS_FILTERS:
            commands.append(
                SystemCommand(
                    f"Status filter: {status or 'any'}",
                    "Only packages with this status (f cycles)",
                    functools.partial(self._set_filter, "status", status),
                )
            )
        for category in CATEGORY_FILTERS:
            commands.append(
                SystemCommand(
                    f"Category filter: {category or 'any'}",
                    "Only packages of this category (g cycles)",
                    functools.partial(self._set_filter, "category", category),
                )
            )
        return commands
