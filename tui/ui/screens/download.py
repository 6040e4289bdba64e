"""Download a package's file (``d`` on the detail screen): a path, a bar, its SHA-256.

The path defaults to the package's file name in the current directory. An existing
file is replaced only after a second Enter on the same path. The transfer is
:func:`tui.api.transfer.download_file` in a daemon thread: it writes a ``.part`` file
renamed at the end, so a cancel (Esc) or a broken download leaves nothing under the
final name.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.api.errors import CypkgError, UsageError
from tui.api.localfiles import DestinationExists
from tui.api.models import Package
from tui.api.package_file import default_file_name, no_file_reason
from tui.api.transfer import TransferCancelled, check_destination, download_file
from tui.base.safe_text import inert
from tui.ui.requests import InternalError, in_daemon_thread
from tui.ui.transfers import TransferState, transfer_settings
from tui.ui.widgets.fields import ValueStatic
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.path_input import PathInput, expand
from tui.ui.widgets.transfer_progress import TransferProgress


class DownloadScreen(ModalScreen[None]):
    """Asks where to save ``package``'s file, then downloads it."""

    DEFAULT_CSS = """
    DownloadScreen { align: center middle; }
    DownloadScreen > #download-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    DownloadScreen #download-title { text-style: bold; }
    DownloadScreen #download-path { margin-top: 1; }
    DownloadScreen #download-message { height: auto; margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "close", "Close", id="close", tooltip="Close (during a download: cancel)"
        ),
    ]

    def __init__(self, package: Package, package_id: str) -> None:
        super().__init__()
        self.package = package
        self.package_id = package_id
        self._state: TransferState | None = None
        #: A path the user was warned exists: a second Enter on it replaces the file.
        self._confirmed: Path | None = None
        #: The result line, once the download ended (tests read it).
        self.result: str = ""

    def compose(self) -> ComposeResult:
        package = self.package
        name = inert(package.name or self.package_id, limit=60)
        with Vertical(id="download-box"):
            yield Static(f"Download {name}", id="download-title", markup=False)
            yield PathInput(
                default_file_name(package, self.package_id),
                id="download-path",
                compact=True,
                select_on_focus=False,
            )
            yield ValueStatic(id="download-message")
            progress = TransferProgress(id="download-progress")
            progress.display = False
            yield progress
            yield Footer(compact=True)

    def on_mount(self) -> None:
        if not self._can_download():
            status = self.package.status_text or self.package.status.value
            reason = no_file_reason(self.package)
            what = f"no file to download: {reason}" if reason else "no download URL"
            self.query_one(PathInput).display = False
            self._say(
                f"✘ Package {self.package_id} has {what} (status {inert(status, limit=20)}). "
                "Only a package whose upload succeeded can be downloaded. Esc closes.",
                error=True,
            )
        else:
            self._say("Enter saves the file to this path (relative to the current directory).")

    def _can_download(self) -> bool:
        return bool(self.package.download_url) and not no_file_reason(self.package)

    def on_unmount(self) -> None:
        if self._state is not None:
            self._state.cancel.set()

    def _say(self, message: str, *, error: bool = False, done: bool = False) -> None:
        style = "$text-error" if error else "$text-success" if done else "$text-muted"
        self.query_one("#download-message", ValueStatic).set(Content.styled(message, style))

    @on(Input.Changed, "#download-path")
    def _changed(self) -> None:
        self._confirmed = None

    @on(Input.Submitted, "#download-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._state is not None or not self._can_download():
            return
        dest = expand(event.value)
        if dest.is_dir():  # a directory: the default name in it
            dest = dest / default_file_name(self.package, self.package_id)
        force = self._confirmed == dest
        try:
            check_destination(dest, force=force)
        except UsageError as exc:
            if isinstance(exc, DestinationExists):  # not a device, a pipe: those never
                self._confirmed = dest
                shown = inert(str(dest), limit=200)
                self._say(f"✘ {shown} exists. Enter again replaces it; Esc keeps it.", error=True)
            else:
                self._say(f"✘ {inert(str(exc), limit=300)}", error=True)
            self.app.bell()
            return
        self._start(dest, force)

    def _start(self, dest: Path, force: bool) -> None:
        state = self._state = TransferState("download")
        size = self.package.size
        state.total = size if isinstance(size, int) and size > 0 else None
        self.query_one(PathInput).disabled = True
        self._say("")
        progress = self.query_one(TransferProgress)
        progress.follow(state)
        self.run_worker(self._run(dest, force, state), group="download", exit_on_error=False)

    async def _run(self, dest: Path, force: bool, state: TransferState) -> None:
        package = self.package
        url = package.download_url or ""
        size = package.size if isinstance(package.size, int) and package.size >= 0 else None
        settings = transfer_settings(self.app.profile)  # type: ignore[attr-defined]
        try:
            got = await in_daemon_thread(
                lambda: download_file(
                    url,
                    dest,
                    expected_size=size,
                    force=force,
                    settings=settings,
                    on_progress=state,
                    cancel=state.cancel,
                ),
                name="cypkg-download",
            )
        except TransferCancelled as exc:
            self._end(f"Cancelled: {exc}", error=True)
        except CypkgError as exc:
            hint = f" {exc.hint}" if exc.hint else ""
            self._end(f"✘ {exc.title}: {exc}{hint}", error=True)
        except Exception as exc:  # a bug must still end with a message, not a traceback
            error = InternalError(f"{type(exc).__name__}: {inert(str(exc), limit=300)}")
            self._end(f"✘ {error.title}: {error} {error.hint}", error=True)
        else:
            path = inert(str(got.path.resolve()), limit=400)
            self._end(f"✔ Saved {got.size:,} bytes to {path}\nSHA-256 {got.sha256}", done=True)

    def _end(self, message: str, *, error: bool = False, done: bool = False) -> None:
        self._state = None
        self.result = message
        if not self.is_mounted:
            return
        progress = self.query_one(TransferProgress)
        progress.stop()
        progress.display = False
        path_input = self.query_one(PathInput)
        path_input.disabled = False
        self._say(
            inert(message, keep_newlines=True, limit=2000) + "\nEsc closes.", error=error, done=done
        )
        if error:
            path_input.focus()

    def action_close(self) -> None:
        state = self._state
        if state is not None:
            state.cancel.set()
            self.query_one(TransferProgress).sample()
            return
        self.dismiss()
