"""Tabs whose active tab is set by the screen alone, never by where the focus lands."""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane


class SteadyTabs(TabbedContent):
    """A ``TabbedContent`` that does not switch tabs when a widget in a pane gets the focus.

    Textual's ``TabbedContent`` makes the tab of a newly focused widget the active one.
    The focus event arrives a few messages after the ``focus()`` call, so when keys come
    in a burst (``5 4 3`` with no pause) each pane's focus lands after the next key has
    switched tabs and switches back; the activations that follow focus their own panes,
    and the tabs chase each other for ever. Here the keys decide the tab and the focus
    follows it, never the other way round. (Hidden panes hold nothing focusable, and the
    screen focuses only the pane in view, so nothing is lost.)
    """

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        event.stop()
        # Skip TabbedContent's own handler further up the class hierarchy.
        event.prevent_default()
