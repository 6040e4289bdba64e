"""The detail title row in narrow terminals: the status word always shows (issue 13.5).

The name gives way first (cut with "…"), then the countdown and the poll status.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.content import Content

from tui.emulator import Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID
from tui.ui.poll_status import MIN_NAME, fit_title
from tui.ui.screens.detail import DetailScreen

NAME = Content("amcache_shimcache_collection_full_triage")
STARTED = Content("◷ started")
SUCCESS = Content("✔ success")
LIVE = Content("● live ·")
NEXT = Content("next 08:22:37")
FINAL = Content("final · updated 08:22:36")
LONG_ID = "a1b2c3d4-0000-4000-8000-00000000be11"


def row(
    width: int,
    name: Content = NAME,
    word: Content = STARTED,
    status: Content = LIVE,
    countdown: Content = NEXT,
) -> tuple[str, str, str]:
    fit = fit_title(width, name, word, status, countdown)
    return fit.title.plain, fit.status.plain, fit.countdown.plain


def used(title: str, status: str, countdown: str) -> int:
    clock = max(len(countdown), 13) + 1 if countdown else 0
    return len(title) + len(status) + clock


def test_wide_shows_everything() -> None:
    assert row(120) == (f"{NAME.plain}  ◷ started", " ● live ·", "next 08:22:37")


def test_the_name_gives_way_first() -> None:
    title, status, countdown = row(58)  # 60 columns less the row's padding
    assert title.endswith("…  ◷ started") and title.startswith("amcache_shim")
    assert (status, countdown) == (" ● live ·", "next 08:22:37")
    assert used(title, status, countdown) <= 58


def test_then_the_countdown_then_the_poll_status() -> None:
    no_clock = MIN_NAME + 2 + len("◷ started") + len(" ● live")
    title, status, countdown = row(no_clock)
    assert (status, countdown) == (" ● live", "")  # no dangling "·"
    assert title.endswith("…  ◷ started") and len(title) == MIN_NAME + 2 + 9
    title, status, countdown = row(no_clock - 1)
    assert (status, countdown) == ("", "")
    assert title.endswith("…  ◷ started")


def test_a_long_poll_status_keeps_its_first_part() -> None:
    """Paused at 60 columns the row said only "amcache_shimcache_parser  ◷ started": the
    whole "⏸ paused · updated 16:20:12 · p resumes" went at once (found in tmux). Its
    first part stays where the rest does not fit."""
    paused = Content("⏸ paused · updated 16:20:12 · p resumes")
    title, status, countdown = row(58, status=paused, countdown=Content(""))
    assert status == " ⏸ paused" and title.startswith("amcache_shim")
    assert used(title, status, countdown) <= 58
    title, status, _ = row(58, word=SUCCESS, status=FINAL, countdown=Content(""))
    assert status == " final · updated 08:22:36"  # it fits whole: kept whole


def test_at_40_columns_the_status_word_stays() -> None:
    title, status, countdown = row(38, word=SUCCESS, status=FINAL, countdown=Content(""))
    assert "✔ success" in title and title.startswith("amcache")
    assert used(title, status, countdown) <= 38
    # Narrower than a name and the word: the name goes, never the word.
    assert row(12, word=SUCCESS)[0] == "✔ success"
    assert row(5, word=SUCCESS)[0] == "✔ su…"


def test_before_an_answer_the_id_gives_way() -> None:
    name = Content(f"Package {DEMO_PACKAGE_ID}")
    title, _status, countdown = row(
        30, name=name, word=Content(""), status=Content(""), countdown=Content("fetching…")
    )
    assert countdown == "fetching…" and title.startswith("Package ") and title.endswith("…")


texts = st.text(st.characters(codec="ascii", categories=("L", "N", "P")), max_size=60)


@given(
    width=st.integers(min_value=len("✔ success"), max_value=200),
    name=texts,
    status=texts,
    countdown=texts,
)
def test_any_width_keeps_the_word_and_fits(
    width: int, name: str, status: str, countdown: str
) -> None:
    fit = fit_title(width, Content(name), SUCCESS, Content(status), Content(countdown))
    assert "✔ success" in fit.title.plain
    assert used(fit.title.plain, fit.status.plain, fit.countdown.plain) <= width
    if fit.countdown.plain:  # the countdown goes only once the name is down to its floor
        assert name in fit.title.plain or len(fit.title.plain) >= MIN_NAME


# -- on screen -------------------------------------------------------------------------


def add_long_named(emulator: Emulator, status: str) -> None:
    package = emulator.store.get(DEMO_PACKAGE_ID)
    assert package is not None
    # Timeout far away: a started one stays started.
    package.update(packageId=LONG_ID, status=status, timeout=10**9)
    package["packageDescriptor"]["name"] = NAME.plain
    emulator.store.add(package)


async def title_line(app: Any, pilot: Any, wait_until: Any, screen_text: Any) -> str:
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
    screen = app.screen
    await wait_until(pilot, lambda: screen.package is not None, what="package")
    await pilot.pause()
    y = screen.query_one("#title-row").region.y
    return str(screen_text(app).splitlines()[y])


@pytest.mark.parametrize(
    ("size", "status", "shown"),
    [
        ((60, 20), "started", ["amcache_shim", "…", "◷ started", "● live"]),
        ((60, 20), "success", ["amcache_shim", "…", "✔ success", "final"]),
        ((40, 12), "started", ["◷ started"]),
        ((40, 12), "success", ["✔ success"]),
    ],
)
async def test_narrow_title_keeps_the_status(
    make_app,
    emulator,
    wait_until,
    screen_text,
    size: tuple[int, int],
    status: str,
    shown: list[str],
) -> None:  # type: ignore[no-untyped-def]
    add_long_named(emulator, status)
    app = make_app(package_id=LONG_ID)
    async with app.run_test(size=size) as pilot:
        line = await title_line(app, pilot, wait_until, screen_text)
        for part in shown:
            assert part in line, (part, line)
