"""The framework's floor: a minimal Textual app with one Input, and nothing else.

    python benchmarks/floor_app.py                          # the cold-start baseline
    python benchmarks/floor_app.py --fetch BASE_URL TOKEN   # the time-to-detail baseline

Run by path (not as part of the package) so that it imports Textual and
nothing more. The cold-start figure compares cypkg's lookup screen with the
first full frame of this app.

With ``--fetch``, Enter does ``GET /packages/v2/{id}`` with a Bearer token in a
thread worker (httpx imported and its client built at start-up: the best
case) and shows the package name on a new screen; Escape goes back. It is the
least any Textual app must do for the same interaction.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.widgets import Input

#: What the benchmark waits for: drawn as part of the first full frame.
PLACEHOLDER = "floor app: type a package ID"


class FloorApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(placeholder=PLACEHOLDER, id="package-input")


def fetch_app(base_url: str, token: str) -> FloorApp:
    """The floor app that also opens a package (imports kept out of the plain floor)."""
    import httpx
    from textual import work
    from textual.binding import Binding, BindingType
    from textual.content import Content
    from textual.screen import Screen
    from textual.widgets import Static

    class PackageScreen(Screen[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

        def __init__(self, package: dict[str, Any]) -> None:
            super().__init__()
            self.package = package

        def compose(self) -> ComposeResult:
            descriptor = self.package.get("packageDescriptor") or {}
            yield Static(Content(f"{descriptor.get('name')}  {self.package.get('status')}"))

    class FloorFetchApp(FloorApp):
        def __init__(self) -> None:
            super().__init__()
            self.http = httpx.Client(
                base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
            )

        def on_input_submitted(self, event: Input.Submitted) -> None:
            package_id = event.value.strip()
            event.input.clear()
            self.fetch(package_id)

        @work(thread=True, exit_on_error=False)
        def fetch(self, package_id: str) -> None:
            package = self.http.get(f"/packages/v2/{package_id}").json()
            self.call_from_thread(self.push_screen, PackageScreen(package))

    return FloorFetchApp()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fetch"]:
        fetch_app(sys.argv[2], sys.argv[3]).run()
    else:
        FloorApp().run()
