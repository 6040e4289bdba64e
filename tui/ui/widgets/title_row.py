"""The detail screen's title row: the package's name and status word, then the poll status.

What shows is fitted to the row's width by :func:`tui.ui.poll_status.fit_title`, on
every change and resize, so the status word is never cut off at the right edge.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Resize

from tui.api.models import Package, Status
from tui.base.safe_text import inert
from tui.polling.present import STATUS_LABELS
from tui.ui.poll_status import fit_title
from tui.ui.widgets.fields import STATUS_STYLES, LiveLine, ValueStatic, same_content

_EMPTY = Content("")


class TitleRow(Horizontal):
    """``collect_triage  ● started       ● live · next 14:05:10``, fitted to its width."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title_name = _EMPTY
        self._word = _EMPTY
        self._status = _EMPTY
        self._countdown = _EMPTY

    def compose(self) -> ComposeResult:
        yield ValueStatic(id="package-title")
        yield LiveLine(id="poll-status")
        yield LiveLine(id="poll-countdown")

    def set_title(self, name: Content, word: Content) -> None:
        """The package's name (or "Package <id>" before an answer) and its status word."""
        if not (same_content(name, self._title_name) and same_content(word, self._word)):
            self._title_name, self._word = name, word
            self._fit()

    def show_package(self, package: Package | None, fallback: str) -> None:
        """``package``'s name and status word, or ``fallback`` before an answer."""
        if package is None:
            self.set_title(Content(fallback), _EMPTY)
            return
        symbol, word = STATUS_LABELS[package.status]
        if package.status is Status.UNKNOWN and package.status_text:
            word = inert(package.status_text, limit=20)
        self.set_title(
            Content.styled(inert(package.name or "(no name)", limit=40), "bold"),
            Content.styled(f"{symbol} {word}", STATUS_STYLES[package.status]),
        )

    def set_status(self, status: Content, countdown: Content) -> None:
        """The poll status and its countdown (see :func:`tui.ui.poll_status.status_texts`)."""
        if not (same_content(status, self._status) and same_content(countdown, self._countdown)):
            self._status, self._countdown = status, countdown
            self._fit()

    def on_resize(self, event: Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        if not self.is_mounted:
            return
        width = self.content_size.width
        if not width:  # not laid out yet: the resize that follows fits it
            width = self.app.size.width - 2
        fit = fit_title(width, self._title_name, self._word, self._status, self._countdown)
        self.query_one("#package-title", ValueStatic).set(fit.title)
        self.query_one("#poll-status", LiveLine).set(fit.status)
        clock = self.query_one("#poll-countdown", LiveLine)
        clock.set(fit.countdown)
        if clock.display != bool(fit.countdown.plain):
            clock.display = bool(fit.countdown.plain)
