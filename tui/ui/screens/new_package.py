"""New package: a file and its descriptor, checked as typed; Create uploads and watches.

The flow (one async worker; the blocking parts in daemon threads):
the file's SHA-256 (cancellable) → ``POST /packages/v2`` through the app's request
engine (one client, one budget; never retried, so never two packages) → the PUT of
the file to ``uploadTo`` with a progress bar (Esc cancels at the next chunk) → the
detail screen of the new package, polled by the engine until its final status and
announced like any other. A cancelled or failed upload says what exists on the
server: a ``started`` package that times out with no file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Static

from tui.api.descriptor import DEFAULT_FILE_TYPE, DescriptorForm, field_problems, parse_version
from tui.api.errors import CypkgError, InvalidResponse, NetworkError, ServerError, UsageError
from tui.api.transfer import TransferCancelled, check_upload_file, file_sha256, upload_file
from tui.base.safe_text import inert
from tui.polling.present import transfer_size
from tui.ui.requests import InternalError, in_daemon_thread
from tui.ui.screens.base import CypkgScreen
from tui.ui.transfers import TransferState, create_package, transfer_settings
from tui.ui.typeahead import drained
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.examples_editor import ExamplesEditor
from tui.ui.widgets.fields import ValueStatic
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.path_input import PathInput, expand
from tui.ui.widgets.still import StillInput
from tui.ui.widgets.transfer_progress import TransferProgress

if TYPE_CHECKING:
    from tui.api.created import Created

#: The form's fields: key (widget ids ``#KEY-input``, ``#KEY-error``), label, placeholder.
FIELDS = (
    ("file", "File", "path of the package file (→ completes)"),
    ("name", "Name", "required"),
    ("description", "Description", "what the package does"),
    ("file-type", "File type", ""),
    ("entry-point", "Entry point", "e.g. main.py"),
    ("version", "Version", "1 or higher"),
)
FIELD_IDS = frozenset(f"{key}-input" for key, _, _ in FIELDS)
EXAMPLE_IDS = frozenset(("example-description", "example-invocation"))
#: field_problems' labels → the field that shows them (examples: the editor).
PROBLEM_KEYS = {
    "name": "name",
    "description": "description",
    "file type": "file-type",
    "file name": "file",
    "entry point": "entry-point",
    "version": "version",
}


class NewPackageScreen(CypkgScreen):
    """The descriptor form, then the upload's progress."""

    AUTO_FOCUS = "#file-input"

    DEFAULT_CSS = """
    NewPackageScreen #new-form { height: 1fr; padding: 0 1; }
    NewPackageScreen .form-row { height: 1; }
    NewPackageScreen #file-row { margin-top: 1; }
    NewPackageScreen .form-label { width: 13; text-style: bold; }
    NewPackageScreen .form-row > Input { width: 1fr; }
    NewPackageScreen .field-error { height: auto; padding-left: 13; }
    NewPackageScreen #examples-label { margin-top: 1; text-style: bold; }
    NewPackageScreen #create-row { height: auto; margin-top: 1; }
    NewPackageScreen #create-summary { width: 1fr; height: auto; padding-left: 1; }
    NewPackageScreen #new-status { height: auto; padding: 0 1; }
    NewPackageScreen #progress { padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Back (during a transfer: cancel it)"),
        Binding("ctrl+o", "create", "Create", id="create", tooltip="Create and upload the package"),
        # Priority: handled in the order typed. Otherwise keys queued behind a Tab (a
        # burst: a paste, a fast typist, a slow link) go to the field it leaves.
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
        # The same for Enter, which moves on too (see action_enter).
        Binding(
            "enter",
            "enter",
            "Next field",
            show=False,
            priority=True,
            tooltip="Next field; in the invocation field, add the example; on Create, create",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: Fields the user changed (their problems show from then on; all after a Create).
        self._touched: set[str] = set()
        self._state: TransferState | None = None
        self._created: Created | None = None
        #: Esc was pressed once on a filled form: a second one discards it.
        self._leaving = False

    def compose(self) -> ComposeResult:
        yield ContextBar("New package")
        with VerticalScroll(id="new-form"):
            for key, label, placeholder in FIELDS:
                with Horizontal(id=f"{key}-row", classes="form-row"):
                    yield Static(label, classes="form-label")
                    kind = PathInput if key == "file" else StillInput
                    value = DEFAULT_FILE_TYPE if key == "file-type" else ""
                    value = "1" if key == "version" else value
                    yield kind(value, placeholder=placeholder, id=f"{key}-input", compact=True)
                error = ValueStatic(id=f"{key}-error", classes="field-error")
                error.display = False
                yield error
            yield Static("Examples", id="examples-label")
            yield ExamplesEditor(id="examples")
            error = ValueStatic(id="examples-error", classes="field-error")
            error.display = False
            yield error
            with Horizontal(id="create-row"):
                yield Button("Create", id="create-button", compact=True, disabled=True)
                yield ValueStatic(id="create-summary")
        yield ValueStatic(id="new-status")
        progress = TransferProgress(id="progress")
        progress.display = False
        yield progress
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#new-status").display = False
        self._validate()

    def on_unmount(self) -> None:
        # Leaving (a quit) stops a transfer at its next chunk; the thread is a daemon.
        if self._state is not None:
            self._state.cancel.set()

    # -- validation -----------------------------------------------------------------

    def _value(self, key: str) -> str:
        return self.query_one(f"#{key}-input", Input).value

    def form(self) -> DescriptorForm:
        """The form as typed (a version that is not a number is 0: a problem)."""
        path_text = self._value("file").strip()
        try:
            version = parse_version(self._value("version"))
        except UsageError:
            version = 0
        return DescriptorForm(
            name=self._value("name"),
            file_name=expand(path_text).name if path_text else "",
            description=self._value("description"),
            file_type=self._value("file-type"),
            entry_point=self._value("entry-point"),
            version=version,
            examples=tuple(self.query_one(ExamplesEditor).examples),
        )

    def problems(self) -> dict[str, str]:
        """Field key → one line saying what is wrong (empty: ready to create)."""
        problems: dict[str, str] = {}
        path_text = self._value("file").strip()
        if not path_text:
            problems["file"] = "Choose the file to upload."
        else:
            try:
                check_upload_file(expand(path_text))
            except UsageError as exc:
                problems["file"] = str(exc)
        for label, problem in field_problems(self.form()).items():
            key = PROBLEM_KEYS.get(label, "examples")
            problems.setdefault(key, f"{label[0].upper()}{label[1:]} {problem}")
        return problems

    def _validate(self) -> dict[str, str]:
        problems = self.problems()
        for key in (*(key for key, _, _ in FIELDS), "examples"):
            widget = self.query_one(f"#{key}-error", ValueStatic)
            problem = problems.get(key) if key in self._touched else None
            if problem:
                widget.set(Content.assemble(("✘ ", "$text-error bold"), inert(problem, limit=300)))
            widget.display = bool(problem)
        busy = self._state is not None
        self.query_one("#create-button", Button).disabled = bool(problems) or busy
        summary = self.query_one("#create-summary", ValueStatic)
        if problems:
            labels = ", ".join(key.replace("-", " ") for key in problems)
            summary.set(Content.styled(f"To fill in or fix: {labels}", "$text-muted"))
        else:
            summary.set(Content.styled("Ready: ctrl+o or Enter on Create", "$text-success"))
        return problems

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        key = (event.input.id or "").removesuffix("-input")
        if key in PROBLEM_KEYS.values():
            self._touched.add(key)
        self._leaving = False
        self._validate()

    @on(ExamplesEditor.Changed)
    def _examples_changed(self) -> None:
        self._touched.add("examples")
        self._validate()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        # Enter in a field goes to the next one (the examples editor handles its own).
        event.stop()
        self.focus_next()

    async def action_enter(self) -> None:
        """Enter in the form, handled in the order typed, before the next key.

        Input's own Enter posts Submitted, and focus moved only when that message
        arrived: keys queued behind it (a burst) went to the field it left. Here the
        keys typed before the Enter reach the field first (the app's key queue waits
        meanwhile), then the focus moves at once (``set_focus``, not the deferred
        ``focus()``). Elsewhere (the Create button), Enter does what it always does.
        """
        focused = self.focused
        editor = self.query_one(ExamplesEditor)
        if not isinstance(focused, Input) or focused.id not in FIELD_IDS | EXAMPLE_IDS:
            raise SkipAction()
        await drained(focused)
        if focused.id in FIELD_IDS:
            self.focus_next()
        else:
            editor.enter(focused)

    # -- create ---------------------------------------------------------------------

    @on(Button.Pressed, "#create-button")
    def _pressed(self) -> None:
        self.action_create()

    def action_create(self) -> None:
        if self._state is not None:
            self.notify("A package is being created already.", timeout=3)
            return
        self._touched.update((*PROBLEM_KEYS.values(), "examples"))
        problems = self._validate()
        if problems:
            key = next(iter(problems))
            self._say(f"✘ Not created: {problems[key]}", error=True)
            self.app.bell()
            target = "#example-description" if key == "examples" else f"#{key}-input"
            self.query_one(target).focus()
            return
        if self.query_one(ExamplesEditor).pending:
            self._say(
                "✘ Not created: an example is typed but not added. Press Enter in its "
                "invocation to add it, or clear it.",
                error=True,
            )
            self.app.bell()
            return
        path = expand(self._value("file"))
        self._state = TransferState("checksum")
        self._created = None
        self._validate()
        self.query_one("#new-form").disabled = True
        self._say("")
        self.query_one(TransferProgress).follow(self._state)
        self.run_worker(
            self._run(path, self.form(), self._state),
            group="new-package",
            exit_on_error=False,
            name="new-package",
        )

    async def _run(self, path: Path, form: DescriptorForm, state: TransferState) -> None:
        try:
            await self._create_and_upload(path, form, state)
        except TransferCancelled:
            self._finish(self._left_on_server("Cancelled") or "Cancelled: nothing was created.")
        except CypkgError as exc:
            self._finish(self._failure(exc), error=True)
        except Exception as exc:  # a bug must still end the flow with a message
            error = InternalError(f"{type(exc).__name__}: {inert(str(exc), limit=300)}")
            self._finish(self._failure(error), error=True)

    async def _create_and_upload(
        self, path: Path, form: DescriptorForm, state: TransferState
    ) -> None:
        size = check_upload_file(path)
        state.begin("checksum", size)
        checksum, _ = await in_daemon_thread(
            lambda: file_sha256(path, on_progress=state, cancel=state.cancel), name="cypkg-hash"
        )
        if state.cancel.is_set():
            raise TransferCancelled("Cancelled before the package was created.")
        state.begin("create")
        try:
            created = await create_package(self.cy, form.build(), checksum)
        except (NetworkError, InvalidResponse, ServerError) as exc:
            exc.hint = (
                "The request may have reached the service before its answer was lost: "
                "Browse (F3) lists a started package it made."
            )
            raise
        self._created = created
        if state.cancel.is_set():  # Esc during the request: nothing more is sent
            raise TransferCancelled("Cancelled before the upload.")
        state.begin("upload", size)
        settings = transfer_settings(self.cy.profile)
        uploaded = await in_daemon_thread(
            lambda: upload_file(
                created.upload_to, path, settings=settings, on_progress=state, cancel=state.cancel
            ),
            name="cypkg-upload",
        )
        if uploaded.sha256 != checksum:
            self.notify(
                "The file changed since its checksum was taken: the package will fail.",
                severity="warning",
                timeout=10,
            )
        self._finish("")
        self.notify(
            f"Uploaded {transfer_size(uploaded.size)} to package {created.package_id}.",
            title="Package created",
            timeout=5,
        )
        if self.app.screen is self:
            self.app.pop_screen()
        self.cy.action_open_package(created.package_id)
        self.cy.engine.expect_outcome(created.package_id)

    def _left_on_server(self, what: str) -> str:
        """What exists on the server after the flow stopped (empty: nothing was created)."""
        created = self._created
        if created is None:
            return ""
        state = self._state
        sent = ""
        if state is not None and state.phase == "upload" and state.total:
            if state.done >= state.total:  # storage may have the whole file
                return (
                    f"{what}: all {transfer_size(state.total)} were sent but storage did not "
                    f"answer; package {created.package_id} either has its file (it becomes "
                    "success or failed) or not (it becomes timeout): look it up to see."
                )
            sent = f" after {transfer_size(state.done)} of {transfer_size(state.total)}"
        return (
            f"{what}{sent}: package {created.package_id} exists on the server, status "
            "started; with no file it becomes timeout after its upload timeout. Create "
            "again to upload a new package."
        )

    def _failure(self, exc: CypkgError) -> str:
        text = f"✘ {exc.title}: {exc}"
        if exc.hint:
            text += f" {exc.hint}"
        left = self._left_on_server("The upload did not complete")
        return f"{text}\n{left}" if left else text

    def _finish(self, message: str, *, error: bool = False) -> None:
        """The flow ended: the form is usable again and ``message`` says how it ended."""
        progress = self.query_one(TransferProgress)
        progress.stop()
        progress.display = False
        self._state = None
        self.query_one("#new-form").disabled = False
        self._validate()
        self._say(message, error=error)

    def _say(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#new-status", ValueStatic)
        style = "$text-error" if error else "$text-warning"
        status.set(Content.styled(inert(message, keep_newlines=True, limit=2000), style))
        status.display = bool(message)

    # -- keys -----------------------------------------------------------------------

    def action_back(self) -> None:
        state = self._state
        if state is not None:
            state.cancel.set()
            self.query_one(TransferProgress).sample()
            return
        if self._filled() and not self._leaving:
            # What was typed is not kept anywhere: one Esc too many must not lose it.
            self._leaving = True
            self._say("Esc again leaves and discards this form.")
            return
        self.dismiss()

    def _filled(self) -> bool:
        typed = (self._value(key).strip() for key in ("file", "name", "description"))
        editor = self.query_one(ExamplesEditor)
        return any(typed) or bool(editor.examples) or editor.pending

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Create", "Create and upload the package (ctrl+o)", self.action_create),
            SystemCommand("Back", "Leave the form, or cancel the upload (Esc)", self.action_back),
        ]
