"""Error panels (404, 401, 403, network, bad responses, config) and errors while polling."""

from __future__ import annotations

import socket
import uuid

from tui.config import Profile, Secret
from tui.emulator import DEMO
from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_SUCCESS_ID
from tui.ui.screens.detail import DetailScreen
from tui.ui.widgets.error_panel import ErrorPanel


def flat(text: str) -> str:
    return " ".join(text.split())


async def wait_error_panel(app, pilot, wait_until) -> DetailScreen:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
    screen = app.screen
    await wait_until(
        pilot,
        lambda: bool(screen.query(ErrorPanel)) and screen.query_one(ErrorPanel).display,
        what="error panel",
    )
    await pilot.pause()
    return screen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_not_found(make_app, emulator, wait_until, screen_text) -> None:
    missing = str(uuid.UUID(int=7))
    app = make_app(package_id=missing)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_error_panel(app, pilot, wait_until)
        await app.workers.wait_for_complete()
        text = flat(screen_text(app))
        assert "✘ Not found" in text
        assert f"No package with ID {missing}" in text
        assert "What to do: Check the ID" in text
        assert "r try again · F2 settings · Esc back" in text
        assert "✘ stopped · r retries" in text  # fatal: no automatic retry
        assert screen.next_at is None
        assert "Traceback" not in text
        # r tries again, once.
        count = emulator.count("GET", "/packages")
        await pilot.press("r")
        await wait_until(pilot, lambda: emulator.count("GET", "/packages") == count + 1)


async def test_bad_credentials(make_app, emulator_profile, wait_until, screen_text) -> None:
    profile = emulator_profile.replace(app_secret=Secret("wrong-secret"))
    app = make_app(profile=profile, package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_error_panel(app, pilot, wait_until)
        text = flat(screen_text(app))
        assert "✘ Authentication failed" in text
        assert "rejected the credentials (HTTP 401" in text
        assert "What to do:" in text


async def test_401_after_reauthentication(make_app, emulator, wait_until, screen_text) -> None:
    emulator.faults.fail_next(2, 401)
    app = make_app(package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_error_panel(app, pilot, wait_until)
        text = flat(screen_text(app))
        assert "✘ Authentication failed" in text
        assert "even after signing in again" in text
        assert screen.next_at is None


async def test_revoked_token_is_renewed_silently(make_app, emulator, wait_until) -> None:
    app = make_app(package_id=STARTED_SUCCESS_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.package is not None)
        emulator.revoke_tokens()
        count = emulator.count("POST", "/auth")
        await wait_until(pilot, lambda: emulator.count("POST", "/auth") > count, what="re-auth")
        await pilot.pause(0.1)
        assert screen.error is None


async def test_missing_scope(make_app, emulator, wait_until, screen_text) -> None:
    app_id = str(uuid.uuid4())
    emulator.add_app(
        app_id, "list-only-secret-long-enough-for-hs256", DEMO.tenant_id, {"opticspkgconfig:list"}
    )
    profile = Profile(
        name="lister",
        base_url=emulator.base_url,
        tenant_id=DEMO.tenant_id,
        app_id=app_id,
        app_secret=Secret("list-only-secret-long-enough-for-hs256"),
    )
    app = make_app(profile=profile, package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_error_panel(app, pilot, wait_until)
        text = flat(screen_text(app))
        assert "✘ Permission denied" in text
        assert "opticspkgconfig:read" in text


async def test_network_error_keeps_retrying(make_app, emulator_profile, wait_until, screen_text):  # type: ignore[no-untyped-def]
    profile = emulator_profile.replace(base_url=f"http://127.0.0.1:{free_port()}")
    app = make_app(profile=profile, package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_error_panel(app, pilot, wait_until)
        text = flat(screen_text(app))
        assert "✘ Network error" in text
        assert "127.0.0.1" in text
        assert "keeps trying by itself" in text
        # A transient error: the loop backs off and retries, and says so.
        await wait_until(pilot, lambda: screen.state.consecutive_errors >= 2, what="retries")
        await wait_until(pilot, lambda: "retrying" in screen_text(app), what="retrying text")


async def test_invalid_response_then_recovery(make_app, emulator, wait_until, screen_text) -> None:
    emulator.faults.malformed_next(1, "html")
    # A slower interval leaves the panel on screen long enough to look at it.
    app = make_app(package_id=DEMO_PACKAGE_ID, poll_interval=0.5)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_error_panel(app, pilot, wait_until)
        assert "✘ Invalid response" in flat(screen_text(app))
        # Not fatal: the next try succeeds and the data replaces the panel.
        await wait_until(pilot, lambda: screen.package is not None, what="recovery")
        await pilot.pause()
        text = screen_text(app)
        assert "collect_triage" in text and "Invalid response" not in text


async def test_incomplete_profile_is_a_config_error(make_app, wait_until, screen_text) -> None:
    app = make_app(profile=Profile(name="empty"), package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_error_panel(app, pilot, wait_until)
        text = flat(screen_text(app))
        assert "✘ Configuration problem" in text
        assert "F2" in text


async def test_invalid_id_makes_no_request(make_app, emulator, wait_until, screen_text) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.action_open_package("not-a-package")
        await wait_error_panel(app, pilot, wait_until)
        assert "✘ Invalid package ID" in flat(screen_text(app))
        await app.workers.wait_for_complete()
    assert emulator.count() == 0


async def test_errors_while_polling_keep_data_marked_stale(
    make_app, emulator, wait_until, screen_text
) -> None:
    app = make_app(package_id=STARTED_SUCCESS_ID, poll_interval=0.1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.package is not None)
        # Each poll's request is retried once inside the client: 2 drops = 1 failed poll.
        emulator.faults.drop_next(4)
        await wait_until(pilot, lambda: screen.error is not None, what="error")
        await pilot.pause()
        text = screen_text(app)
        assert "⚠ STALE" in text and "Showing data from" in text
        assert "retrying" in text
        assert "amcache_shimcache_parser" in text  # the last good data stays
        assert not screen.query_one(ErrorPanel).display
        # Recovery: the stale marker goes and live polling resumes.
        await wait_until(pilot, lambda: screen.error is None, timeout=10, what="recovery")
        await wait_until(pilot, lambda: "● live" in screen_text(app), what="live again")
        assert "STALE" not in screen_text(app)


async def test_fatal_error_while_polling_stops(make_app, emulator, wait_until, screen_text) -> None:
    app = make_app(package_id=STARTED_SUCCESS_ID, poll_interval=0.1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.package is not None)
        emulator.faults.fail_next(1, 403)
        await wait_until(pilot, lambda: screen.error is not None, what="error")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = flat(screen_text(app))
        assert "stopped: Permission denied · r retries" in text
        assert "Polling stopped; r tries again." in text
        notes = [n for n in app._notifications if n.title.startswith("Polling stopped")]
        assert notes and "opticspkgconfig:read" in notes[0].message
        count = emulator.count("GET", "/packages")
        await pilot.pause(0.2)
        assert emulator.count("GET", "/packages") == count
        # r recovers and polling resumes by itself.
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.error is None and screen.next_at is not None)
        await wait_until(pilot, lambda: emulator.count("GET", "/packages") > count + 2)
