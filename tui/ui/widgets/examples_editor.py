"""The examples of a package descriptor: a list, and two inputs to add or edit one.

Keys: in the inputs, Enter (in the invocation) adds the example, or saves the one
being edited; in the list, Enter or ``e`` edits the highlighted example, Delete or
``x`` removes it. Each change posts :class:`ExamplesEditor.Changed`.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from tui.api.descriptor import Example
from tui.base.safe_text import inert
from tui.ui.widgets.fields import ValueStatic
from tui.ui.widgets.still import StillInput


class ExampleOptions(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit example", id="edit-example"),
        Binding("delete,x", "remove", "Remove example", id="remove-example"),
    ]

    def action_edit(self) -> None:
        editor = self.parent
        if isinstance(editor, ExamplesEditor) and self.highlighted is not None:
            editor.edit_example(self.highlighted)

    def action_remove(self) -> None:
        editor = self.parent
        if isinstance(editor, ExamplesEditor) and self.highlighted is not None:
            editor.remove_example(self.highlighted)


class ExamplesEditor(Vertical):
    DEFAULT_CSS = """
    ExamplesEditor { height: auto; }
    ExamplesEditor > ExampleOptions { height: auto; max-height: 6; border: none; padding: 0; }
    ExamplesEditor > #examples-help { color: $text-muted; }
    """

    class Changed(Message):
        """The examples changed (added, edited, removed)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.examples: list[Example] = []
        #: The index being edited (its values are in the inputs), or None when adding.
        self.editing: int | None = None

    def compose(self) -> ComposeResult:
        listing = ExampleOptions(id="examples-list")
        listing.display = False
        yield listing
        yield StillInput(
            placeholder="Example: what it does",
            id="example-description",
            compact=True,
            select_on_focus=False,
        )
        yield StillInput(
            placeholder="Invocation, e.g. main.py --all (Enter adds)",
            id="example-invocation",
            compact=True,
            select_on_focus=False,
        )
        help_line = ValueStatic(id="examples-help")
        help_line.set(self._help())
        yield help_line

    def _help(self, problem: str = "") -> Content:
        if problem:
            return Content.assemble(("✘ ", "$text-error bold"), problem)
        if self.editing is not None:
            return Content(f"Editing example {self.editing + 1}: Enter saves it.")
        if self.examples:
            return Content("In the list: e edits, x removes. Enter in the invocation adds.")
        return Content("Optional. Enter in the invocation adds the example.")

    def _redraw(self) -> None:
        listing = self.query_one(ExampleOptions)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(
            Option(
                Content.assemble(
                    (f"{n}. ", "bold"),
                    inert(example.description, limit=80),
                    ("  → ", "$text-muted"),
                    inert(example.invocation, limit=120),
                )
            )
            for n, example in enumerate(self.examples, 1)
        )
        listing.display = bool(self.examples)
        if self.examples:
            listing.highlighted = min(highlighted or 0, len(self.examples) - 1)
        self.query_one("#examples-help", ValueStatic).set(self._help())
        self.post_message(self.Changed())

    def _inputs(self) -> tuple[Input, Input]:
        return (
            self.query_one("#example-description", Input),
            self.query_one("#example-invocation", Input),
        )

    @on(OptionList.OptionSelected, "#examples-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.edit_example(event.option_index)

    def _focus(self, widget: Widget) -> None:
        # At once, not after the messages queued (``focus()`` is deferred): keys typed
        # right behind an Enter go to the field it moved to.
        self.screen.set_focus(widget)

    def enter(self, focused: Widget) -> bool:
        """Enter on ``focused`` (the screen's priority key, once the keys typed before it
        reached the input); False if ``focused`` is not one of the editor's inputs."""
        description, invocation = self._inputs()
        if focused is description:
            self._focus(invocation)
        elif focused is invocation:
            self.save()
        else:
            return False
        return True

    @on(Input.Submitted, "#example-description")
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        self._focus(self._inputs()[1])

    @on(Input.Submitted, "#example-invocation")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def save(self) -> bool:
        """Add the example in the inputs (or save the one edited); False if incomplete."""
        description, invocation = self._inputs()
        example = Example(description.value.strip(), invocation.value.strip())
        if not example.description or not example.invocation:
            what = "a description" if not example.description else "an invocation"
            self.query_one("#examples-help", ValueStatic).set(
                self._help(f"The example needs {what}.")
            )
            self.app.bell()
            self._focus(invocation if example.description else description)
            return False
        if self.editing is not None and self.editing < len(self.examples):
            self.examples[self.editing] = example
        else:
            self.examples.append(example)
        self.editing = None
        description.clear()
        invocation.clear()
        self._redraw()
        self._focus(description)
        return True

    def edit_example(self, index: int) -> None:
        if not 0 <= index < len(self.examples):
            return
        self.editing = index
        example = self.examples[index]
        description, invocation = self._inputs()
        description.value = example.description
        invocation.value = example.invocation
        invocation.cursor_position = len(example.invocation)
        self.query_one("#examples-help", ValueStatic).set(self._help())
        self._focus(invocation)

    def remove_example(self, index: int) -> None:
        if not 0 <= index < len(self.examples):
            return
        del self.examples[index]
        if self.editing is not None:
            # The example being edited went, or moved up one.
            self.editing = None if self.editing == index else self.editing - (self.editing > index)
        self._redraw()
        if not self.examples:
            self._focus(self._inputs()[0])

    @property
    def pending(self) -> bool:
        """Text typed in the inputs but not added yet."""
        return any(field.value.strip() for field in self._inputs())
