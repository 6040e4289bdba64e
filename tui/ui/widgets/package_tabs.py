"""The detail screen's five tabs: which pane is built, shown and focused.

The Overview pane is built with the screen; the others are built the first time
their tab is shown (fewer widgets to mount makes the screen open sooner), and each
built pane is filled with the package shown.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

from textual import on
from textual.app import SystemCommand
from textual.content import Content
from textual.widgets import TabbedContent, TabPane

from tui.api.models import Example, Package
from tui.ui.widgets.package_views import (
    DescriptorPane,
    ExamplesPane,
    OverviewPane,
    RawPane,
    UploaderPane,
)
from tui.ui.widgets.tabs import SteadyTabs

TABS = ("overview", "descriptor", "examples", "uploader", "raw")
#: The tabs whose pane is built on first view.
LAZY_PANES: dict[str, type[DescriptorPane | ExamplesPane | UploaderPane | RawPane]] = {
    "descriptor": DescriptorPane,
    "examples": ExamplesPane,
    "uploader": UploaderPane,
    "raw": RawPane,
}
TAB_TITLES = {
    "overview": "Overview",
    "descriptor": "Descriptor",
    "examples": "Examples",
    "uploader": "Uploader",
    "raw": "Raw",
}

Pane = DescriptorPane | ExamplesPane | UploaderPane | RawPane


def tab_title(tab: str, extra: str = "") -> Content:
    """``2 Descriptor``: the key that shows a tab is part of its title."""
    return Content(f"{TABS.index(tab) + 1} {TAB_TITLES[tab]}{extra}")


def tab_commands(show: Callable[[str], None]) -> list[SystemCommand]:
    """The command palette's "Show Overview" … ``show(tab)`` runs."""
    return [
        SystemCommand(
            f"Show {TAB_TITLES[tab]}",
            f"Switch to the {TAB_TITLES[tab]} tab ({n})",
            functools.partial(show, tab),
        )
        for n, tab in enumerate(TABS, 1)
    ]


class PackageTabs(SteadyTabs):
    """The package's tabs; ``now`` gives the time the panes' ages are counted from."""

    def __init__(self, now: Callable[[], datetime], *, id: str | None = None) -> None:
        super().__init__(id=id, initial="overview")
        self._now = now
        #: The package the panes show; None before the first answer.
        self.package: Package | None = None
        #: The package is shown (not the error panel): tab keys act only then.
        self.shown = False
        #: The lazily built panes so far, by tab.
        self.built: dict[str, Pane] = {}
        #: The body and example count last drawn: an unchanged poll redraws nothing.
        self._drawn_raw: str | None = None
        self._drawn_count: int | None = None
        overview = OverviewPane(id="overview-pane")
        self.compose_add_child(TabPane(tab_title("overview"), overview, id="overview"))
        for tab in LAZY_PANES:
            self.compose_add_child(TabPane(tab_title(tab), id=tab))

    @property
    def active_tab(self) -> str:
        return self.active

    def show_package(self, package: Package) -> None:
        """Fill the built panes with ``package`` (only what changed since the last)."""
        first = not self.shown
        self.package = package
        self.display = self.shown = True
        # Polls of a running upload mostly bring the same body back: then only
        # the clock texts (the tick) can change, and nothing else is redrawn.
        if first or package.raw != self._drawn_raw or not package.raw:
            self._drawn_raw = package.raw
            now = self._now()
            self.query_one(OverviewPane).show(package, now)
            for pane in self.built.values():
                pane.show(package, now)
        count = len(package.descriptor.examples)
        if count != self._drawn_count:
            self._drawn_count = count
            self.get_tab("examples").label = tab_title("examples", f" ({count:,})")
        if first:
            self.focus_pane(self.active)

    def hide(self) -> None:
        """The error panel takes the room."""
        self.display = self.shown = False

    def show_tab(self, tab: str) -> None:
        if not self.shown or tab not in TABS:
            return
        self.active = tab
        if tab == "overview" or tab in self.built:
            # Otherwise the pane is being built and takes the focus when it is there.
            self.focus_pane(tab)

    def step(self, step: int) -> None:
        current = TABS.index(self.active) if self.active in TABS else 0
        self.show_tab(TABS[(current + step) % len(TABS)])

    def tick(self, tab: str | None = None) -> None:
        """The clock texts of ``tab`` (default: the one in view; hidden ones catch up later)."""
        package = self.package
        tab = tab or self.active
        if package is None or not self.shown:
            return
        if tab == "overview":
            self.query_one(OverviewPane).tick(package, self._now())
        elif tab == "uploader" and tab in self.built:
            self.query_one(UploaderPane).tick(package, self._now())

    def focus_pane(self, tab: str) -> None:
        """The focus goes into the pane of ``tab`` (each pane knows what takes it)."""
        pane = self.query_one(OverviewPane) if tab == "overview" else self.built.get(tab)
        if pane is not None:
            pane.focus_inside()

    def selected_example(self) -> Example | None:
        """The example selected on the Examples tab (the first when it was never opened)."""
        examples = self.built.get("examples")
        if isinstance(examples, ExamplesPane):
            return examples.selected
        package = self.package
        return next(iter(package.descriptor.examples), None) if package else None

    @on(TabbedContent.TabActivated)
    async def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or ""
        # After a burst of tab keys, the activations of the tabs passed through arrive
        # late: only the tab still active gets its pane built and the focus.
        if tab != self.active:
            return
        await self._build_pane(tab)
        if tab != self.active:  # another key came in while the pane was mounted
            return
        if tab in LAZY_PANES and tab not in self.built:  # the app is closing
            return
        # Mouse clicks on a tab: move the keyboard focus into the pane too.
        self.focus_pane(tab)
        self.tick(tab)

    async def _build_pane(self, tab: str) -> None:
        """The pane of ``tab``, built and filled on its first view."""
        kind = LAZY_PANES.get(tab)
        holder = self.query_one(f"#{tab}", TabPane)
        if kind is None or tab in self.built or holder.children:
            return
        if not holder.is_attached:
            # The app is exiting (a hangup or signal came before this activation was
            # handled): Textual refuses to mount then, and the error would exit 1.
            return
        pane = kind(id=f"{tab}-pane")
        await holder.mount(pane)
        if not pane.children or not pane.is_attached:
            # The app is closing (a hangup or signal during the mount): the pane was
            # never composed, or only in part, and filling it would raise.
            return
        self.built[tab] = pane
        if self.package is not None and self.shown:
            pane.show(self.package, self._now())
