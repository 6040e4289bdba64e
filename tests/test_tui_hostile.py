"""Hostile server strings: shown literally, never markup, never an escape to the terminal."""

from __future__ import annotations

import uuid

from tui.ui.screens.copy import CopyScreen
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.lookup import LookupScreen

HOSTILE = "[/] [b]x \x1b[31mred \x1b]52;c;AAAA\x07 \x1b]0;title\x1b\\ [/x] [link=x]y"
#: How each piece must look on screen: brackets literal, ESC and BEL as visible symbols.
VISIBLE = ("[/]", "[b]x", "␛[31mred", "␛]52;c;AAAA␇", "␛]0;title␛\\", "[/x]", "[link=x]y")


def hostile_package(package_id: str, status: str = "success") -> dict[str, object]:
    return {
        "packageId": package_id,
        "category": HOSTILE,
        "downloadUrl": "https://x.example/" + HOSTILE,
        "packageDescriptor": {
            "description": HOSTILE + "\n" + HOSTILE,
            "examples": [
                {"description": HOSTILE, "invocationString": "main.py " + HOSTILE},
                {"description": HOSTILE, "invocationString": HOSTILE},
            ],
            "name": "N" + HOSTILE,
            "packageInfo": {"entryPoint": HOSTILE, "fileName": HOSTILE, "fileType": HOSTILE},
            "packageId": HOSTILE,
            "version": 1,
        },
        "playbookCount": 1,
        "size": 10,
        "status": status,
        "timeout": 300,
        "uploadedBy": {"id": HOSTILE, "login": HOSTILE},
        "uploadedOn": HOSTILE,
    }


def rendered_segments(app) -> str:  # type: ignore[no-untyped-def]
    strips = app.screen._compositor.render_strips()
    return "".join(segment.text for strip in strips for segment in strip)


def assert_inert(app, *, svg: bool = False) -> None:  # type: ignore[no-untyped-def]
    text = rendered_segments(app)
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    if svg:
        exported = app.export_screenshot()
        assert "\x1b" not in exported and "\x07" not in exported


async def test_every_tab_shows_hostile_text_literally(
    make_app, emulator, wait_until, screen_text
) -> None:
    package_id = str(uuid.UUID(int=0xBAD))
    emulator.store.add(hostile_package(package_id))
    app = make_app(package_id=package_id)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.package is not None)
        await pilot.pause()
        seen = ""
        for tab in "12345":
            await pilot.press(tab)
            await pilot.pause()
            assert_inert(app, svg=tab == "1")
            seen += screen_text(app)
        for piece in VISIBLE:
            assert piece in seen, piece
        # Copy actions: the clipboard (and the box showing it) get the inert text.
        for key in ("u", "i"):
            await pilot.press("3" if key == "i" else "1", key)
            await pilot.pause()
            assert isinstance(app.screen, CopyScreen)
            assert "\x1b" not in app.clipboard and "␛[31m" in app.clipboard
            assert_inert(app)
            await pilot.press("escape")
        # Back on the lookup screen, the recent list shows the name literally.
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        await app.workers.wait_for_complete()
        app.screen.refresh_list()
        await pilot.pause()
        assert "N[/] [b]x ␛[31mred" in screen_text(app)
        assert_inert(app)


async def test_hostile_status_and_toast(
    make_app, emulator, fake_clock, wait_until, screen_text
) -> None:
    """A hostile name in the finish toast, and an unknown hostile status, crash nothing."""
    started = hostile_package(str(uuid.UUID(int=0xBAD2)), status="started")
    started["uploadedOn"] = None
    started["_finish_at"] = fake_clock.now + 5
    started["_outcome"] = "failed"
    emulator.store.add(started)
    weird = hostile_package(str(uuid.UUID(int=0xBAD3)), status="[b]" + HOSTILE)
    emulator.store.add(weird)
    app = make_app(package_id=str(uuid.UUID(int=0xBAD2)))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.package is not None)
        fake_clock.advance(6)
        await wait_until(pilot, lambda: screen.package.status.is_terminal, what="final")
        await pilot.pause()
        toast = next(n for n in app._notifications if n.title == "Upload finished")
        assert "\x1b" not in toast.message and "N[/] [b]x ␛[31mred" in toast.message
        assert "Upload finished" in screen_text(app)
        assert_inert(app)
        await pilot.press("escape")
        app.action_open_package(str(uuid.UUID(int=0xBAD3)))
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.package is not None)
        await pilot.pause()
        assert "? [b][/] [b]x" in screen_text(app)
        assert_inert(app)


async def test_hostile_error_message(make_app, wait_until, screen_text) -> None:
    """Error text that quotes the server (message and hint) is inert in panel and toast."""
    from tui.api.errors import ServerError

    class Failing:
        base_url = "https://protectapi.cylance.com"

        def get_package(self, package_id: str):  # type: ignore[no-untyped-def]
            raise ServerError("Server said: " + HOSTILE, hint="Hint: " + HOSTILE)

        def authenticate(self, *, force: bool = False):  # type: ignore[no-untyped-def]
            raise AssertionError

        def close(self) -> None:
            pass

    package_id = str(uuid.UUID(int=0xBAD4))
    app = make_app(package_id=package_id, client_factory=lambda profile: Failing())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        # (After the first fetch's quick retries.)
        await wait_until(pilot, lambda: screen.query_one("#error-panel").display)
        await pilot.pause()
        text = screen_text(app)
        assert "Server said: [/] [b]x ␛[31mred" in text
        assert "Hint: [/] [b]x" in text
        assert_inert(app)
