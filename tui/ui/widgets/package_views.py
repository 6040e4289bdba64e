"""The detail screen's tab contents: Overview, Descriptor, Examples, Uploader, Raw.

Each pane has ``show(package, now)``, called after every fetch, and updates
only what changed; time-dependent text is refreshed by ``tick(now)``.
Every server string goes through :func:`tui.base.safe_text.inert` (via
:func:`tui.polling.present.text`) and is rendered as ``Content``/``Text``, never markup.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui.api.models import Example, Package
from tui.base.json_text import escape_json_text
from tui.base.safe_text import inert
from tui.polling.present import (
    MISSING,
    ago,
    format_local,
    human_duration,
    human_size,
    progress,
    text,
    uploaded_on,
)
from tui.ui.widgets.fields import FieldTable, LiveLine, ValueStatic, status_content
from tui.ui.widgets.lazy import ExampleList, TextView

#: Longest description shown in the Descriptor tab; the Raw tab has all of it.
MAX_DESCRIPTION = 1_000_000
#: Longest text per example cell; the panel under the table shows the whole example.
MAX_CELL = 300


def _num(value: int | None) -> str:
    return MISSING if value is None else f"{value:,}"


def _timeout(seconds: int | None) -> str:
    if seconds is None:
        return MISSING
    if 0 <= seconds < 60:
        return f"{seconds} s"
    return f"{human_duration(seconds)} ({seconds:,} s)"


#: Seconds between changes of the elapsed time on the Overview tab.
ELAPSED_STEP = 10


class OverviewPane(VerticalScroll):
    DEFAULT_CSS = """
    OverviewPane { height: 1fr; }
    OverviewPane #elapsed-row { height: 1; width: 1fr; }
    OverviewPane #elapsed-row > .field-label { width: 17; color: $text-muted; }
    OverviewPane #elapsed-bar { width: 24; }
    OverviewPane #elapsed-text { width: 1fr; margin-left: 1; }
    """

    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("name", "Name"),
        ("package-id", "Package ID"),
        ("status", "Status"),
        ("category", "Category"),
        ("version", "Version"),
        ("size", "Size"),
        ("timeout", "Timeout"),
        ("playbooks", "Playbooks"),
        ("uploaded", "Uploaded"),
        ("download-url", "Download URL"),
    ]

    def compose(self) -> ComposeResult:
        yield FieldTable(self.FIELDS, id="overview-fields")
        # Three widgets: the text changes every 10 s, and a repaint starts at the
        # left edge of its widget, so the label and the bar are not rewritten with it.
        with Horizontal(id="elapsed-row"):
            yield Static("Elapsed", classes="field-label")
            yield LiveLine(id="elapsed-bar")
            yield LiveLine(id="elapsed-text")

    def focus_inside(self) -> None:
        """Give the keyboard focus to what this pane scrolls (itself)."""
        self.focus()

    def show(self, package: Package, now: datetime) -> None:
        fields = self.query_one(FieldTable)
        fields.set("name", text(package.name, limit=500))
        fields.set("package-id", text(package.package_id, limit=200))
        fields.set("status", status_content(package))
        fields.set("category", text(package.category, limit=100))
        fields.set("version", _num(package.descriptor.version))
        fields.set("size", human_size(package.size))
        fields.set("timeout", _timeout(package.timeout))
        fields.set("playbooks", _num(package.playbook_count))
        fields.set("download-url", text(package.download_url, limit=2000))
        self.tick(package, now)

    def tick(self, package: Package, now: datetime) -> None:
        fields = self.query_one(FieldTable)
        when = uploaded_on(package)
        age = ago(package.uploaded_on, now, whole_minutes=True)
        if package.uploaded_on is not None and not age.startswith("on "):
            # Whole minutes: this tab stays open for hours; the Uploader tab has seconds.
            # (Past a week the age is the date, which the time beside it already says.)
            when += f" ({age})"
        fields.set("uploaded", when)
        row = self.query_one("#elapsed-row")
        # 10 s steps: the line changes a sixth as often (bytes over SSH, for hours).
        shown = progress(package, now, step=ELAPSED_STEP)
        if row.display != (shown is not None):
            row.display = shown is not None
        if shown is not None:
            fraction, label = shown
            if package.timeout and package.timeout > 0:
                label += f" ({fraction:.0%})"
            self.query_one("#elapsed-bar", LiveLine).set(elapsed_bar(fraction))
            self.query_one("#elapsed-text", LiveLine).set(label)


#: Cells of the elapsed-time bar: it moves every timeout/24 seconds, not every second.
BAR_WIDTH = 24


def elapsed_bar(fraction: float) -> Content:
    """``━━━━━━━━──────────────────``: a text bar, repainted only when it moves.

    (Textual's ProgressBar repaints on a timer of its own; over SSH every byte counts.)
    """
    filled = min(max(round(fraction * BAR_WIDTH), 0), BAR_WIDTH)
    return Content.assemble(("━" * filled, "$accent"), ("─" * (BAR_WIDTH - filled), "$text-muted"))


class DescriptorPane(Vertical):
    DEFAULT_CSS = """
    DescriptorPane { height: 1fr; }
    DescriptorPane #description-heading { margin-top: 1; text-style: bold; }
    DescriptorPane #description { height: 1fr; }
    """

    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("d-name", "Name"),
        ("d-version", "Version"),
        ("d-package-id", "Package ID"),
        ("d-entry-point", "Entry point"),
        ("d-file-name", "File name"),
        ("d-file-type", "File type"),
    ]

    def compose(self) -> ComposeResult:
        yield FieldTable(self.FIELDS, id="descriptor-fields")
        yield Static("Description", id="description-heading")
        yield TextView(id="description", word_wrap=True)

    def focus_inside(self) -> None:
        """Give the keyboard focus to the description (what this pane scrolls)."""
        self.query_one("#description").focus()

    def show(self, package: Package, now: datetime) -> None:
        d = package.descriptor
        info = d.package_info
        fields = self.query_one(FieldTable)
        fields.set("d-name", text(d.name, limit=500))
        fields.set("d-version", _num(d.version))
        fields.set("d-package-id", text(d.package_id, limit=200))
        fields.set("d-entry-point", text(info.entry_point, limit=500))
        fields.set("d-file-name", text(info.file_name, limit=500))
        fields.set("d-file-type", text(info.file_type, limit=100))
        self.query_one(TextView).set_text(description_text(d.description))


def description_text(description: str | None) -> str:
    if not description:
        return MISSING
    shown = inert(description[:MAX_DESCRIPTION], keep_newlines=True)
    if len(description) > MAX_DESCRIPTION:
        shown += f"\n… ({len(description) - MAX_DESCRIPTION:,} more characters: see the Raw tab)"
    return shown


def _one_line(value: str | None) -> str:
    return text(value, limit=MAX_CELL).replace("\n", " ")


class ExamplesPane(Vertical):
    """A virtual list (thousands of rows cost nothing) and the selected example in full."""

    DEFAULT_CSS = """
    ExamplesPane { height: 1fr; }
    ExamplesPane > #examples-header { height: 1; text-style: bold; color: $text-muted; }
    ExamplesPane > #examples-list { height: 1fr; }
    ExamplesPane > #example-detail {
        height: auto;
        max-height: 7;
        border-top: solid $foreground 30%;
    }
    ExamplesPane > #examples-empty { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.examples: tuple[Example, ...] = ()
        self._loaded = False

    def compose(self) -> ComposeResult:
        # Shown as empty until filled; set here, not by querying in on_mount: when the
        # app closes during the mount, the children are never mounted (NoMatches).
        yield Static("This package has no examples.", id="examples-empty")
        header = Static(
            Content(f"{'#':>6}  {'Description':<{ExampleList.DESCRIPTION_WIDTH}}  Invocation"),
            id="examples-header",
        )
        header.display = False
        yield header
        examples = ExampleList(id="examples-list")
        examples.display = False
        yield examples
        with VerticalScroll(id="example-detail") as detail:
            detail.display = False
            yield ValueStatic(id="example-detail-text")

    def _set_empty(self, empty: bool) -> None:
        self.query_one("#examples-empty").display = empty
        for part in ("#examples-header", "#examples-list", "#example-detail"):
            self.query_one(part).display = not empty

    def focus_inside(self) -> None:
        """Give the keyboard focus to the list of examples."""
        self.query_one("#examples-list").focus()

    def show(self, package: Package, now: datetime) -> None:
        examples = package.descriptor.examples
        if self._loaded and examples == self.examples:
            return
        self._loaded = True
        self.examples = examples
        self.query_one(ExampleList).set_rows(
            [(_one_line(e.description), _one_line(e.invocation_string)) for e in examples]
        )
        self._set_empty(not examples)
        if examples:
            self._show_selected(self.query_one(ExampleList).cursor)

    @property
    def selected(self) -> Example | None:
        if not self.examples:
            return None
        row = self.query_one(ExampleList).cursor
        return self.examples[row] if 0 <= row < len(self.examples) else None

    def on_example_list_highlighted(self, event: ExampleList.Highlighted) -> None:
        event.stop()
        self._show_selected(event.index)

    def _show_selected(self, row: int) -> None:
        if not 0 <= row < len(self.examples):
            return
        example = self.examples[row]
        self.query_one("#example-detail-text", ValueStatic).set(
            Content.assemble(
                (f"Example {row + 1:,} of {len(self.examples):,}", "bold"),
                ("  (i or Enter copies the invocation)\n", "dim"),
                inert(example.description or MISSING, keep_newlines=True, limit=4000),
                "\n",
                ("› ", "bold"),
                inert(example.invocation_string or MISSING, keep_newlines=True, limit=4000),
            )
        )


class UploaderPane(VerticalScroll):
    DEFAULT_CSS = """
    UploaderPane { height: 1fr; }
    """

    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("u-id", "User ID"),
        ("u-login", "Login"),
        ("u-utc", "Uploaded (UTC)"),
        ("u-local", "Uploaded (local)"),
        ("u-ago", "Ago"),
    ]

    def compose(self) -> ComposeResult:
        yield FieldTable(self.FIELDS, id="uploader-fields")

    def focus_inside(self) -> None:
        """Give the keyboard focus to what this pane scrolls (itself)."""
        self.focus()

    def show(self, package: Package, now: datetime) -> None:
        fields = self.query_one(FieldTable)
        fields.set("u-id", text(package.uploaded_by.id, limit=200))
        fields.set("u-login", text(package.uploaded_by.login, limit=500))
        fields.set("u-utc", uploaded_on(package))
        fields.set("u-local", format_local(package.uploaded_on))
        self.tick(package, now)

    def tick(self, package: Package, now: datetime) -> None:
        self.query_one(FieldTable).set("u-ago", ago(package.uploaded_on, now))


def pretty_json(raw: str) -> str:
    """The body as received, indented; terminal-unsafe characters as ``\\u`` escapes."""
    if not raw:
        return "(no response body was kept)"
    try:
        pretty = json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        pretty = raw
    return inert(escape_json_text(pretty), keep_newlines=True)


class RawPane(Vertical):
    DEFAULT_CSS = """
    RawPane { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._raw: str | None = None

    def compose(self) -> ComposeResult:
        # Long lines break between words (a value's text), never inside one that fits.
        yield TextView(word_wrap=True, id="raw-json")

    def focus_inside(self) -> None:
        """Give the keyboard focus to the JSON text."""
        self.query_one("#raw-json").focus()

    def show(self, package: Package, now: datetime) -> None:
        if package.raw == self._raw:
            return
        self._raw = package.raw
        raw = package.raw
        # Indented when the Raw tab is first shown: most views never open it.
        self.query_one(TextView).set_text(lambda: pretty_json(raw))
