"""The hostile corpus through the TUI: every case, every field, every place text appears.

One app session walks the whole corpus. For each case the emulator serves a package
with the case in every string field; the test opens it and lets polling take it from
``started`` to ``failed`` (the finish toast carries the hostile name), then renders
the screen with all five tab panes shown at once (a layout tweak for the test: one
frame instead of five; the widgets and their text are the app's own), copies the
download URL (clipboard and copy box), shows a 404 whose message is the case (error
panel) and the recent list. Every frame is rendered into the bytes Textual's driver
would write to the terminal (the same ``render_segments`` call) and checked.
"""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import patch

import hostile
from textual._compositor import LayoutUpdate
from textual.widgets import TabPane

from tui.base.safe_text import inert
from tui.ui.screens.copy import CopyScreen
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.lookup import LookupScreen
from tui.ui.widgets.error_panel import ErrorPanel

PLACES = (
    "status row",
    "overview tab",
    "descriptor tab",
    "examples tab (list and detail)",
    "uploader tab",
    "raw tab",
    "title bar",
    "finish toast",
    "clipboard (OSC 52 payload): URL and invocation",
    "copy box",
    "error panel",
    "error panel for broken bodies",
    "recent list",
    "package browser rows",
)


#: Cases whose copy box is also drawn (every case's box text is checked).
BOX_DRAWN = ("markup_link", "sgr_colour", "osc52_bel", "c0_controls", "c1_csi", "bidi_override")


def terminal_bytes(app: Any) -> bytes:
    """The current screen as the escape-sequence stream Textual's driver would write."""
    compositor = app.screen._compositor
    strips = compositor.render_strips()
    update = LayoutUpdate([[strip] for strip in strips], compositor.size.region)
    return update.render_segments(app.console).encode("utf-8", "backslashreplace")


def serve(emu: Any, pid: str, document: object, *, status: int = 200, n: int = 1) -> None:
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    emu.faults.body_next(n, body, status=status, path_prefix=f"/packages/v2/{pid}")


def show_all_panes(screen: DetailScreen) -> None:
    for pane in screen.query(TabPane):
        pane.display = True


async def test_every_case_every_place(make_app, emulator, wait_until, screen_text, figures) -> None:  # type: ignore[no-untyped-def]
    home = hostile.case_id(998)
    emulator.store.add(hostile.base_package(home, "success"))
    app = make_app(package_id=home, poll_interval=30.0)
    frames = 0

    async def check(where: str, case: hostile.Case, *shown: str) -> str:
        """Once ``shown`` is all on screen, check the frame's terminal bytes."""
        nonlocal frames
        shown = tuple(text for text in shown if text)
        if shown:
            await wait_until(
                pilot,
                lambda: all(text in screen_text(app) for text in shown),
                what=f"{case.name}: {where}: {shown}",
            )
        else:
            await pilot.pause()  # nothing to look for: let the screen settle
        stream = terminal_bytes(app)
        assert not hostile.leaks(stream), (case.name, where, hostile.leaks(stream))
        problems = hostile.control_problems(stream)
        assert not problems, (case.name, where, problems)
        frames += 1
        return screen_text(app)

    async def fetch(screen: DetailScreen, done: Any, what: str) -> None:
        await wait_until(pilot, lambda: not screen.in_flight, what="idle")
        screen.action_refresh()
        await wait_until(pilot, done, what=what)

    async with app.run_test(size=(160, 72), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        screen = app.screen
        await wait_until(pilot, lambda: screen.package is not None, what="first data")
        show_all_panes(screen)
        for _index, case in hostile.iter_cases():
            package = hostile.hostile_package(case, home)
            package["packageId"] = case.value or home
            # The engine announces the end of an upload once; re-arm it for each case.
            app.clear_notifications()
            watch = app.engine.watch_state(home)
            assert watch is not None
            watch.seen_started = True
            serve(emulator, home, {**package, "status": "failed"})
            await fetch(
                screen,
                lambda: any(n.title == "Upload finished" for n in app._notifications),
                f"{case.name}: finish toast",
            )
            # The name row and the title show the name literally; the tag is somewhere.
            name = ["N" + case.shown] if case.short and case.value.strip() else []
            await check("tabs, title and toast", case, "Upload finished", *name, case.tag)
            # The status field too: an unknown status is shown as the text received.
            serve(emulator, home, {**package, "status": case.value})
            await fetch(
                screen,
                lambda value=case.value: (
                    screen.package is not None and screen.package.status_text == value
                ),
                f"{case.name}: status",
            )
            status = f"? {inert(case.value, limit=40)}" if case.short and case.value.strip() else ""
            await check("status row and title", case, status)
            # Copy: the clipboard (the OSC 52 payload) and the copy box get the inert text.
            # Every case's clipboard and box text is checked; the box is drawn for the
            # cases in BOX_DRAWN (a modal per case would double the time).
            boxes: list[Any] = []
            with patch.object(app, "push_screen", boxes.append):
                screen.action_copy_url()
                screen.action_copy_invocation()
            if case.value:
                assert len(boxes) == 2 and all(isinstance(b, CopyScreen) for b in boxes)
                for box in boxes:
                    assert box.value == app.clipboard or box is boxes[0]
                    data = box.value.encode("utf-8")
                    assert not hostile.leaks(data) and not hostile.control_problems(data)
                    assert box.value == inert(case.value, limit=20_000)
            if case.name in BOX_DRAWN:
                app.push_screen(boxes[0])
                await check("copy box", case, "Copied the download URL")
                app.pop_screen()
                await wait_until(pilot, lambda: app.screen is screen)

        # Error panels: a screen without data, its 404 message changed per case.
        missing = hostile.case_id(999)
        serve(emulator, missing, {"message": "first"}, status=404)
        app.action_open_package(missing)
        await wait_until(
            pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen is not screen
        )
        panel_screen = app.screen
        await wait_until(pilot, lambda: panel_screen.error is not None, what="first error")
        for _index, case in hostile.iter_cases():
            serve(emulator, missing, {"message": case.value}, status=404)
            before = panel_screen.error
            await fetch(
                panel_screen, lambda old=before: panel_screen.error is not old, f"{case.name}: 404"
            )
            said = case.value.strip()
            quoted = f"(HTTP 404: {inert(said)})." if case.short and said else "(HTTP 404"
            await check("error panel", case, "✘ Not found", quoted)
            assert panel_screen.query_one(ErrorPanel).display

        # Whole bodies that are not a package (20 MB, nested, not UTF-8, HTML, cut off...):
        # the panel says what is wrong; the ones that parse are shown as data.
        bodies = hostile.body_cases(missing)
        for body in sorted(bodies, key=lambda b: b.error is None):
            emulator.faults.body_next(
                1, body.body, content_type=body.content_type, path_prefix=f"/packages/v2/{missing}"
            )
            error, package = panel_screen.error, panel_screen.package
            done = lambda e=error, p=package: (  # noqa: E731
                panel_screen.error is not e or panel_screen.package is not p
            )
            await fetch(panel_screen, done, f"{body.name}: answer")
            probe = hostile.Case(body.name, "")
            await check("error panel (broken body)", probe, body.error or "Overview")

        # The recent list: names and statuses as the detail screen records them.
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen), what="lookup")
        for batch in (hostile.STRING_CASES[:20], hostile.STRING_CASES[20:]):
            for case in batch:
                pid = hostile.case_id(hostile.STRING_CASES.index(case))
                app.recent.record(pid, name="N" + case.value, status=case.value)
            app.screen.refresh_list()
            names = ["N" + c.shown for c in batch if c.short and c.value.strip()]
            await check("recent list", batch[-1], *names)
        # The package browser (GET /packages/v2): every case in one page of rows.
        items = []
        for index, case in hostile.iter_cases():
            item = hostile.hostile_package(case, hostile.case_id(index), keep_status=False)
            item["packageId"] = case.value
            items.append(item)
        page = {
            "page_number": 1,
            "page_size": 50,
            "total_pages": "\x1b]0;PWNED\x07",
            "total_number_of_items": len(items),
            "page_items": items,
        }
        body = json.dumps(page, ensure_ascii=False).encode("utf-8")
        emulator.faults.body_next(3, body, path_prefix="/packages/v2")
        await pilot.press("f3")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "BrowserScreen")
        browser = app.screen
        await wait_until(pilot, lambda: browser.loaded is not None, what="page")
        await check("package browser", hostile.STRING_CASES[0], "N[b]BOLDTAG")
        assert browser.query_one("#packages").row_count == len(items)
    figures["hostile TUI (in-process): cases x places"] = (
        f"{len(hostile.STRING_CASES)} x {len(PLACES)} = {len(hostile.STRING_CASES) * len(PLACES)}"
    )
    figures["hostile TUI (in-process): frames rendered and checked"] = frames
