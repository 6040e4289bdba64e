"""A transfer's progress: a bar and ``bytes · rate · ETA``, sampled on a timer.

The transfer's thread only writes numbers into a :class:`tui.ui.transfers.TransferState`;
this widget reads them a few times a second while it is :meth:`follow`-ing one, so a fast
transfer does not flood the message queue and a slow link is not repainted for nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import ProgressBar

from tui.ui.transfers import TransferState
from tui.ui.widgets.fields import ValueStatic

#: Seconds between two samples of the state.
SAMPLE = 0.2

_TITLES = {
    "checksum": "Computing the SHA-256",
    "create": "Creating the package",
    "upload": "Uploading",
    "download": "Downloading",
}


class TransferProgress(Vertical):
    DEFAULT_CSS = """
    TransferProgress { height: auto; }
    TransferProgress > ProgressBar { height: 1; }
    TransferProgress > #transfer-line { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._state: TransferState | None = None
        self._timer: Timer | None = None
        self._hint = ""

    def compose(self) -> ComposeResult:
        yield ValueStatic(id="transfer-title")
        yield ProgressBar(show_eta=False, id="transfer-bar")
        yield ValueStatic(id="transfer-line")

    def follow(self, state: TransferState, hint: str = "Esc cancels") -> None:
        """Show ``state`` until :meth:`stop`."""
        self._state = state
        self._hint = hint
        self.display = True
        if self._timer is None:
            self._timer = self.set_interval(SAMPLE, self.sample)
        self.sample()

    def stop(self) -> None:
        """The transfer ended: one last sample, then the timer goes."""
        self.sample()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def sample(self) -> None:
        state = self._state
        if state is None or not self.is_mounted:
            return
        title = _TITLES.get(state.phase, state.phase)
        if state.cancel.is_set():
            title += " — cancelling…"
        elif self._hint:
            title += f"  ({self._hint})"
        self.query_one("#transfer-title", ValueStatic).set(Content(title))
        bar = self.query_one(ProgressBar)
        if state.total:
            bar.update(total=state.total, progress=state.done)
        else:
            bar.update(total=None)
        self.query_one("#transfer-line", ValueStatic).set(Content(state.line()))
