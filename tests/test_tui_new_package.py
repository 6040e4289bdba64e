"""The New package screen: the form by keys, validation, create → upload → detail, cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Input

from tui.emulator.uploads import UPLOAD_PREFIX
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.lookup import LookupScreen
from tui.ui.screens.new_package import NewPackageScreen
from tui.ui.widgets.examples_editor import ExamplesEditor
from tui.ui.widgets.fields import ValueStatic
from tui.ui.widgets.path_input import complete_path

DATA = b"PK\x03\x04 pretend zip " * 20_000  # ~400 kB: a few chunks


def status_text(screen: NewPackageScreen) -> str:
    return screen.query_one("#new-status", ValueStatic).current.plain


def error_of(screen: NewPackageScreen, key: str) -> str:
    widget = screen.query_one(f"#{key}-error", ValueStatic)
    return widget.current.plain if widget.display else ""


async def open_form(app, pilot, wait_until) -> NewPackageScreen:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+n")
    await wait_until(pilot, lambda: isinstance(app.screen, NewPackageScreen), what="form")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, NewPackageScreen)
    return screen


async def test_the_form_by_keys_creates_uploads_and_watches(
    make_app, emulator, wait_until, screen_text, tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "collector.zip").write_bytes(DATA)
    monkeypatch.chdir(tmp_path)  # a short relative path to type
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert "New" in screen_text(app)  # ctrl+n is offered in the lookup's footer
        screen = await open_form(app, pilot, wait_until)
        # Nothing typed yet: no error shown, but Create is disabled.
        assert error_of(screen, "name") == ""
        assert screen.query_one("#create-button", Button).disabled
        # The whole form in bursts of keys: path, name (bad version on the way).
        await pilot.press(*"collector.zip", "tab", *"collector", "tab", *"Triage", "tab")
        assert screen.query_one("#file-type-input", Input).value == "python"
        await pilot.press("tab", *"main.py", "tab", "backspace", *"0x")
        assert error_of(screen, "version") == "✘ Version must be a whole number, 1 or higher."
        await pilot.press("backspace", "backspace", "2")
        assert error_of(screen, "version") == ""
        # A name cleared shows its error at once.
        name = screen.query_one("#name-input", Input)
        name.focus()
        await pilot.press("ctrl+u")
        assert error_of(screen, "name") == "✘ Name is required."
        assert screen.query_one("#create-button", Button).disabled
        await pilot.press(*"collector")
        assert error_of(screen, "name") == ""
        # Examples: add two, edit the first, remove the second.
        screen.query_one("#example-description", Input).focus()
        await pilot.press(*"All", "enter", *"main.py --al", "enter")
        await pilot.press(*"Quick", "enter", *"main.py --quick", "enter")
        editor = screen.query_one(ExamplesEditor)
        assert [e.invocation for e in editor.examples] == ["main.py --al", "main.py --quick"]
        await pilot.press("shift+tab", "home", "e", "l", "enter")
        assert [e.invocation for e in editor.examples] == ["main.py --all", "main.py --quick"]
        await pilot.press("shift+tab", "down", "x")
        assert [e.invocation for e in editor.examples] == ["main.py --all"]
        # An example half typed stops the create with a message.
        screen.query_one("#example-description", Input).focus()
        await pilot.press(*"half")
        await pilot.press("ctrl+o")
        assert "an example is typed but not added" in status_text(screen)
        await pilot.press("ctrl+u")
        assert emulator.count("POST", "/packages/v2") == 0

        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        await wait_until(
            pilot,
            lambda: detail.package is not None and detail.package.status.value == "success",
            what="success",
        )
        package = detail.package
        assert package is not None
        assert package.name == "collector" and package.descriptor.version == 2
        assert package.descriptor.package_info.file_name == "collector.zip"
        assert package.descriptor.package_info.entry_point == "main.py"
        assert [e.invocation_string for e in package.descriptor.examples] == ["main.py --all"]
        assert package.size == len(DATA)
        await wait_until(
            pilot,
            lambda: any(n.title == "Upload finished" for n in app._notifications),
            what="the announcement",
        )
        assert emulator.count("POST", "/packages/v2") == 1
        assert emulator.transfers.authorization_seen == 0
        # The form is gone: Esc goes back to the lookup.
        await pilot.press("escape")
        assert isinstance(app.screen, LookupScreen)


async def test_create_is_refused_while_fields_are_wrong(
    make_app, emulator, wait_until, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(app, pilot, wait_until)
        await pilot.press("ctrl+o")
        assert status_text(screen) == "✘ Not created: Choose the file to upload."
        assert error_of(screen, "name") == "✘ Name is required."
        assert app.focused is screen.query_one("#file-input")
        screen.query_one("#file-input", Input).value = str(empty)
        await pilot.pause()
        assert "is empty: there is nothing to upload" in error_of(screen, "file")
        await pilot.press("ctrl+o")
        assert emulator.count("POST", "/packages/v2") == 0
        # A filled form is not lost to one Esc too many.
        await pilot.press("escape")
        assert status_text(screen) == "Esc again leaves and discards this form."
        assert app.screen is screen
        await pilot.press("escape")
        assert isinstance(app.screen, LookupScreen)


async def test_a_cancel_mid_upload_says_what_is_left(
    make_app, emulator, wait_until, tmp_path: Path
) -> None:
    # Larger than the loopback socket buffers: while the storage stalls, the upload
    # waits mid-body, and Esc stops it at its next chunk.
    file = tmp_path / "big.zip"
    file.write_bytes(b"x" * (24 * 1024 * 1024))
    emulator.faults.stall_next(1, 1.0, path_prefix=UPLOAD_PREFIX)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(app, pilot, wait_until)
        screen.query_one("#file-input", Input).value = str(file)
        screen.query_one("#name-input", Input).value = "big"
        await pilot.pause()
        await pilot.press("ctrl+o")
        state = screen._state
        assert state is not None
        await wait_until(
            pilot, lambda: state.phase == "upload" and state.done > 0, what="upload under way"
        )
        title = screen.query_one("#transfer-title", ValueStatic)
        await wait_until(pilot, lambda: "Uploading" in title.current.plain, what="the title")
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen._state is None, timeout=8, what="the cancel")
        text = status_text(screen)
        assert text.startswith("Cancelled after ") and "exists on the server" in text
        assert "becomes timeout" in text
        assert isinstance(app.screen, NewPackageScreen)
        assert not screen.query_one("#new-form").disabled
        created = screen._created
        assert created is not None
        package = app.client.get_package(created.package_id)
        assert package.status.value == "started"


async def test_small_terminal_and_completion(
    make_app, emulator, wait_until, screen_text, tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "collector.zip").write_bytes(DATA)
    (tmp_path / "docs").mkdir()
    assert complete_path(f"{tmp_path}/col") == f"{tmp_path}/collector.zip"
    assert complete_path(f"{tmp_path}/d") == f"{tmp_path}/docs/"
    assert complete_path(f"{tmp_path}/zzz") is None
    assert complete_path("~/") is None or complete_path("~/").startswith("~/")
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await open_form(app, pilot, wait_until)
        text = screen_text(app)
        assert "File" in text and "Name" in text and "Create" in text  # footer key
        await pilot.press(*"col")
        file_input = screen.query_one("#file-input", Input)
        await wait_until(pilot, lambda: bool(file_input._suggestion), what="a suggestion")
        await pilot.press("right")
        assert file_input.value == "collector.zip"
        await pilot.press("tab", *"c", "ctrl+o")
        await wait_until(pilot, lambda: getattr(app.screen, "package", None), what="detail")
        await pilot.pause()


async def test_keys_in_one_burst(
    make_app, emulator, wait_until, tmp_path: Path, monkeypatch
) -> None:
    from test_tab_bursts import burst

    (tmp_path / "collector.zip").write_bytes(DATA)
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # The screen's key and what follows it, queued before any is handled.
        burst(app, "ctrl+n", *"collector.zip")

        def typed(key: str, value: str) -> bool:
            found = app.screen.query(f"#{key}-input")
            return bool(found) and found.first(Input).value == value

        await wait_until(pilot, lambda: typed("file", "collector.zip"), what="the path")
        burst(app, "tab", *"burst", "tab", *"Typed fast")
        await wait_until(pilot, lambda: typed("description", "Typed fast"), what="the fields")
        screen = app.screen
        assert screen.query_one("#name-input", Input).value == "burst"
        burst(app, "ctrl+o", "ctrl+o", "ctrl+o")
        await wait_until(pilot, lambda: getattr(app.screen, "package", None), what="detail")
        await pilot.pause()
        assert emulator.count("POST", "/packages/v2") == 1  # one package, however many keys


def test_the_progress_line_says_bytes_rate_and_eta() -> None:
    from tui.ui.transfers import TransferState

    now = [100.0]
    state = TransferState("upload", clock=lambda: now[0])
    state.begin("upload", 10_000_000)
    assert state.line() == "0 B of 10.0 MB"
    now[0] += 2.0
    state(4_000_000, 10_000_000)
    assert state.line() == "4.0 MB of 10.0 MB · 2.0 MB/s · ETA 0:03"
    assert state.fraction == 0.4
    state(10_000_000, 10_000_000)
    assert state.line() == "10.0 MB of 10.0 MB · 5.0 MB/s"


ENTER_BURST = (
    *"collector.zip", "enter", *"burst", "enter", *"Typed fast", "enter", "enter",
    *"main.py", "enter", "backspace", "2", "enter", *"All", "enter", *"main.py --all", "enter",
    *"Quick", "enter", *"main.py -q", "enter",
)  # fmt: skip


def assert_filled_in_order(screen: NewPackageScreen) -> None:
    values = {key: screen.query_one(f"#{key}-input", Input).value for key in
              ("file", "name", "description", "file-type", "entry-point", "version")}  # fmt: skip
    assert values == {
        "file": "collector.zip",
        "name": "burst",
        "description": "Typed fast",
        "file-type": "python",
        "entry-point": "main.py",
        "version": "2",
    }
    editor = screen.query_one(ExamplesEditor)
    assert [(e.description, e.invocation) for e in editor.examples] == [
        ("All", "main.py --all"),
        ("Quick", "main.py -q"),
    ]


async def test_enter_in_a_pressed_burst_fills_each_field_in_order(
    make_app, emulator, wait_until, tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "collector.zip").write_bytes(DATA)
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(app, pilot, wait_until)
        await pilot.press(*ENTER_BURST)
        await pilot.pause()
        assert_filled_in_order(screen)
        # On the Create button, Enter still presses it.
        screen.query_one("#create-button", Button).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(app.screen, "package", None), what="detail")
        assert emulator.count("POST", "/packages/v2") == 1


async def test_enter_in_a_queued_burst_fills_each_field_in_order(
    make_app, emulator, wait_until, tmp_path: Path, monkeypatch
) -> None:
    from test_tab_bursts import burst

    (tmp_path / "collector.zip").write_bytes(DATA)
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(app, pilot, wait_until)
        burst(app, *ENTER_BURST)  # every key queued before the first is handled
        editor = screen.query_one(ExamplesEditor)
        await wait_until(pilot, lambda: len(editor.examples) == 2, what="the examples")
        await pilot.pause()
        assert_filled_in_order(screen)


@pytest.mark.parametrize(
    ("how", "key"), [("pressed", "right"), ("queued", "right"), ("queued", "end")]
)
async def test_right_completes_right_after_typing(
    make_app, emulator, wait_until, tmp_path: Path, monkeypatch, how: str, key: str
) -> None:
    """→ (or End) pressed before the directory listing arrived (tmux: within 0.8 s)
    completes, and the keys after it come after the completion."""
    from test_tab_bursts import burst

    (tmp_path / "hello_pkg.zip").write_bytes(DATA)
    monkeypatch.chdir(tmp_path)  # a short path: fewer keys
    typed = "./hello_p"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(app, pilot, wait_until)
        file_input = screen.query_one("#file-input", Input)
        if how == "pressed":
            await pilot.press(*typed, key, *"x")
        else:
            burst(app, *typed, key, *"x")
        want = "./hello_pkg.zipx"
        await wait_until(pilot, lambda: file_input.value == want, what="the completion", timeout=3)
        # Not at the end, → and End only move the cursor.
        await pilot.press("backspace", "home", "right")
        assert file_input.cursor_position == 1
        await pilot.press("end")
        assert file_input.value == "./hello_pkg.zip"
        assert file_input.cursor_position == len(file_input.value)
        # A suggestion already shown: End takes it, as → does.
        await pilot.press("ctrl+u", *typed)
        await wait_until(pilot, lambda: bool(file_input._suggestion), what="a suggestion")
        await pilot.press("end")
        assert file_input.value == "./hello_pkg.zip"
