"""The base of cypkg's full screens: typed access to the app that runs them."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from tui.ui.app import CypkgApp


class CypkgScreen(Screen[None]):
    """A screen of :class:`tui.ui.app.CypkgApp` (Textual types ``self.app`` as any App)."""

    @property
    def cy(self) -> CypkgApp:
        return cast("CypkgApp", self.app)
