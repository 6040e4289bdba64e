"""A clear panel for an error: what happened, the message, and what to do next."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui.api.errors import CypkgError, RequestTimeout, ServerError
from tui.base.safe_text import inert

#: Said under the message while cypkg tries again by itself.
RETRYING = "cypkg keeps trying by itself (see the top right)."
#: A hint saying "try again later" would contradict it then: these say what is true
#: (the CLI, which has stopped by then, keeps the errors' own hints).
RETRYING_HINTS: dict[type[CypkgError], str] = {
    ServerError: "Wait, or press r to try now; if it lasts, the service is having trouble.",
    RequestTimeout: "The service or the link is slow; if it stays so, check the proxy.",
}


class ErrorPanel(VerticalScroll):
    """Shows ``err.title``, the message and ``err.hint``; never a traceback."""

    DEFAULT_CSS = """
    ErrorPanel {
        border: heavy $error;
        padding: 0 1;
        height: auto;
        max-height: 1fr;
        margin: 1 0 0 0;
    }
    ErrorPanel > #error-title { text-style: bold; color: $text-error; }
    ErrorPanel > #error-message { margin-top: 1; }
    ErrorPanel > #error-hint { margin-top: 1; }
    ErrorPanel > #error-keys { margin-top: 1; color: $text-muted; }
    """

    can_focus = False

    def compose(self) -> ComposeResult:
        yield Static(id="error-title")
        yield Static(id="error-message")
        yield Static(id="error-hint")
        yield Static(id="error-keys")

    def show(
        self, error: CypkgError, *, keys: str, extra: str = "", retrying: bool = False
    ) -> None:
        """``retrying``: cypkg tries again by itself: the panel says so, and its hint
        does not say to try again."""
        if retrying:
            extra = "\n".join(filter(None, (extra, RETRYING)))
        self.query_one("#error-title", Static).update(Content(f"✘ {inert(error.title)}"))
        message = inert(str(error), keep_newlines=True, limit=4000)
        if extra:
            message += "\n" + extra
        self.query_one("#error-message", Static).update(Content(message))
        text = error.hint
        if retrying and text == type(error).hint:  # a hint of its own (a server's) stays
            text = RETRYING_HINTS.get(type(error), text)
        hint = self.query_one("#error-hint", Static)
        hint.update(
            Content.assemble(("What to do: ", "bold"), inert(text, keep_newlines=True))
            if text
            else Content("")
        )
        hint.display = bool(text)
        self.query_one("#error-keys", Static).update(Content(keys))
