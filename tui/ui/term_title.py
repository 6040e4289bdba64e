"""The terminal's title (OSC 2) and desktop notifications (OSC 9 / OSC 777).

Plain Python, no Textual: the app hands in a ``write`` function (its driver's).
Everything put inside an escape sequence goes through :func:`osc_safe` first:
server text is made inert, then only printable characters are kept, so a
package name can never end the sequence early or smuggle in another one.
"""

from __future__ import annotations

from collections.abc import Callable

from tui.base.safe_text import inert

DEFAULT_TITLE = "cypkg"
#: Longest title or notification text written.
MAX_LENGTH = 120
#: xterm's window-ops "save title on the stack" and "restore it" (harmless elsewhere).
PUSH_TITLE = "\x1b[22;0t"
POP_TITLE = "\x1b[23;0t"
NOTIFY_KINDS = ("osc9", "osc777")


def osc_safe(text: object, *, limit: int = MAX_LENGTH) -> str:
    """``text`` fit to sit inside an OSC sequence: inert, printable only, one line, short."""
    cleaned = inert(text, limit=limit * 4)
    kept = "".join(char if char.isprintable() else " " for char in cleaned)
    kept = " ".join(kept.split())
    if len(kept) > limit:
        kept = kept[: limit - 1] + "…"
    return kept


def title_sequence(text: str) -> str:
    """OSC 2 (window title), terminated by BEL, which every terminal that has titles knows."""
    return f"\x1b]2;{osc_safe(text)}\x07"


def notify_sequence(kind: str, title: str, body: str) -> str:
    """A desktop notification: OSC 9 (iTerm2, WezTerm, Windows Terminal, kitty, foot…)
    or OSC 777 (urxvt, Konsole, foot, VTE-based terminals)."""
    if kind == "osc777":
        # ';' separates the fields of OSC 777: keep it out of them.
        safe_title = osc_safe(title, limit=60).replace(";", ",")
        safe_body = osc_safe(body).replace(";", ",")
        return f"\x1b]777;notify;{safe_title};{safe_body}\x1b\\"
    return f"\x1b]9;{osc_safe(f'{title}: {body}')}\x1b\\"


def notify_kind(setting: object) -> str | None:
    """The ``desktop_notifications`` setting as a kind: true means OSC 9; off by default."""
    if setting is True:
        return "osc9"
    if isinstance(setting, str) and setting.strip().lower() in NOTIFY_KINDS:
        return setting.strip().lower()
    return None


def title_enabled(setting: object) -> bool:
    """The ``terminal_title`` setting: on unless set to false (or "off"/"no")."""
    if isinstance(setting, bool):
        return setting
    if isinstance(setting, str):
        return setting.strip().lower() not in ("false", "off", "no", "0")
    return True


class TerminalTitle:
    """Writes the title only when it changes; saves the user's title first, restores it at exit."""

    def __init__(self, write: Callable[[str], None], enabled: Callable[[], bool]) -> None:
        self.write = write
        self._enabled = enabled
        #: The title last written (already made safe), None before the first.
        self.current: str | None = None
        self._pushed = False

    def show(self, text: str | None) -> None:
        """Show ``text`` (DEFAULT_TITLE when None); nothing is written while disabled."""
        if not self._enabled():
            return
        wanted = osc_safe(text or DEFAULT_TITLE)
        if wanted == self.current or (self.current is None and wanted == DEFAULT_TITLE):
            return
        if not self._pushed:
            self._pushed = True
            self.write(PUSH_TITLE)
        self.current = wanted
        self.write(title_sequence(wanted))

    def restore(self) -> None:
        """Give the terminal its title back (if cypkg ever changed it)."""
        if self._pushed:
            self._pushed = False
            self.current = None
            self.write(POP_TITLE)
