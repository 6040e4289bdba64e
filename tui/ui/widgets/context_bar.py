"""The one-line header: which profile, region and ``user@host`` the user is looking at."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.content import Content
from textual.widget import Widget

from tui.base.safe_text import inert
from tui.config import Profile

if TYPE_CHECKING:
    from tui.ui.app import CypkgApp


class ContextBar(Widget):
    """``Lookup │ profile default │ North America (protectapi.cylance.com) │ jdoe@jump1``.

    On a narrow terminal the region is shortened first: the profile and
    ``user@host`` are what tell a user on a jump host where they are.
    """

    DEFAULT_CSS = """
    ContextBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, screen_title: str) -> None:
        super().__init__(id="context-bar")
        self.screen_title = screen_title

    def on_mount(self) -> None:
        self.watch(self.app, "profile", self._profile_changed, init=False)

    def _profile_changed(self) -> None:
        self.refresh()

    def render(self) -> Content:
        app = cast("CypkgApp", self.app)
        return context_line(
            self.screen_title,
            app.profile,
            app.user_host,
            demo=app.is_demo,
            width=self.content_size.width or 78,
        )


def context_line(
    title: str, profile: Profile, user_host: str, *, demo: bool, width: int = 78
) -> Content:
    try:
        where = profile.region_label
    except Exception:  # an unusable region: say so rather than fail to draw the header
        where = "(no valid region or base URL)"
    head: list[tuple[str, str] | str] = [(title, "bold"), " │ "]
    if demo:
        head += [("DEMO", "reverse bold"), " "]
    # scrub: the secret may have been pasted into the name or the base URL
    head += ["profile ", (profile.scrub(profile.name, limit=24), "bold"), " │ "]
    tail = " │ " + inert(user_host, limit=40)
    left = Content.assemble(*head)
    room = width - left.cell_length - len(tail)
    if len(where) > room:
        # The host alone still says which region; cut only when even that is too long.
        where = profile.api_url.removeprefix("https://")
    place = profile.scrub(where, limit=max(room, 8))
    return Content.assemble(left, place, tail)
