"""What the TUI says when one of its files is kept as it is (issue 10, points 8 and 9).

The app starts whatever its files hold: a watchlist over the limit, a linked
data file or a linked token directory are told once, in a toast, and the
watchlist screen keeps saying what it shows and why.
"""

from __future__ import annotations

import json
import os

import pytest

from tui.config import token_cache_dir
from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_SUCCESS_ID
from tui.polling.recent import RecentStore
from tui.polling.watchlist import WatchlistStore
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.watchlist import WatchlistScreen

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX links")
PIDS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1000)]


def flat(text: str) -> str:
    return " ".join(text.split())


def messages(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


async def test_a_watchlist_over_the_limit_is_told_and_adding_refused(
    make_app, tmp_path, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "watchlist.json"
    path.write_text(json.dumps({"entries": [{"package_id": p} for p in PIDS]}))
    before = path.read_bytes()
    app = make_app(watchlist_store=WatchlistStore(path))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        notice = "watchlist.json holds 1,000 packages; showing the first 200"
        await wait_until(pilot, lambda: any(notice in m for m in messages(app)), what="a toast")
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        await wait_until(pilot, lambda: notice in flat(screen_text(app)), what="the notice")
        await pilot.press("a")
        app.screen.query_one("#watch-add").insert_text_at_cursor(STARTED_SUCCESS_ID)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(messages(app)) >= 2, what="a refusal")
        assert "cannot be added or removed here" in messages(app)[-1]
        await pilot.press("x")
        await wait_until(pilot, lambda: len(messages(app)) >= 3, what="a refusal")
        assert len(app.watchlist_store) == 200
    assert path.read_bytes() == before


@posix_only
async def test_linked_files_are_told_and_the_app_still_works(
    make_app, tmp_path, wait_until
) -> None:  # type: ignore[no-untyped-def]
    victim = tmp_path / "victim.json"
    victim.write_text("{}")
    victim.chmod(0o644)
    recent = tmp_path / "data" / "recent.json"
    recent.parent.mkdir()
    recent.symlink_to(victim)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    token_cache_dir().parent.mkdir(parents=True)
    token_cache_dir().symlink_to(shared)
    app = make_app(recent_store=RecentStore(recent), package_id=DEMO_PACKAGE_ID)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await wait_until(pilot, lambda: detail.package is not None, what="the package")
        await wait_until(pilot, lambda: len(messages(app)) >= 2, what="two toasts")
        await pilot.press("r")  # a second request: no second warning
        await pilot.pause(0.2)
        linked = [m for m in messages(app) if "is a symbolic link" in m]
        assert sum(f"{recent} is a symbolic link" in m for m in linked) == 1
        assert sum(f"{token_cache_dir()} is a symbolic link" in m for m in linked) == 1
    assert victim.read_text() == "{}" and (victim.stat().st_mode & 0o777) == 0o644
    assert list(shared.iterdir()) == [] and (shared.stat().st_mode & 0o777) == 0o755
