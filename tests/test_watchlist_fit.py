"""Issue 13.8: the watchlist summary fits 80 and 60 columns; finished rows say how long
the upload took (or that it cannot be known), not ``—``."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rich.cells import cell_len

from tui.api.models import Package, Status
from tui.config import Config, Profile, Secret
from tui.emulator import DEMO, Emulator
from tui.emulator.times import format_timestamp
from tui.polling.history import SeenStatus
from tui.polling.present import upload_took
from tui.polling.watchlist import WatchlistStore
from tui.ui.screens.watchlist import WatchlistScreen
from tui.ui.watch_summary import fit_line
from tui.ui.widgets.watch_table import WatchTable

IDS = [str(uuid.UUID(int=0xF17000 + n)) for n in range(4)]
START = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


def package(status: Status, uploaded: datetime | None = START) -> Package:
    return Package(package_id=IDS[0], status=status, status_text=status.value, uploaded_on=uploaded)


def seen(*steps: tuple[float, Status]) -> list[SeenStatus]:
    return [SeenStatus(START.timestamp() + at, status, None) for at, status in steps]


def test_upload_took_is_an_upper_bound_when_seen_finishing() -> None:
    history = seen((0, Status.STARTED), (250, Status.SUCCESS))
    assert upload_took(package(Status.SUCCESS), history) == "took ≤4m 10s"
    history = seen((5, Status.STARTED), (65, Status.FAILED))
    assert upload_took(package(Status.FAILED), history) == "took ≤1m 5s"


@pytest.mark.parametrize(
    ("history", "uploaded"),
    [
        ([], START),  # nothing seen this session
        (seen((30, Status.SUCCESS)), START),  # already finished when first seen
        (seen((0, Status.STARTED), (30, Status.SUCCESS)), None),  # no uploadedOn
        (seen((0, Status.STARTED), (30, Status.FAILED)), START),  # history of another status
    ],
)
def test_upload_took_unknown_is_said(history: list[SeenStatus], uploaded: datetime | None) -> None:
    assert upload_took(package(Status.SUCCESS, uploaded), history) == "took: unknown"


def test_fit_line_takes_the_first_that_fits_else_cuts() -> None:
    variants = ["a long summary line", "shorter one", "tiny"]
    assert fit_line(variants, 40) == "a long summary line"
    assert fit_line(variants, 11) == "shorter one"
    assert fit_line(variants, 5) == "tiny"
    assert fit_line(variants, 3) == "ti…"
    assert cell_len(fit_line(["⌛⌛⌛⌛"], 5)) <= 5  # wide symbols count two cells


def profile_of(emulator: Emulator) -> Profile:
    return Profile(
        name="emu",
        base_url=emulator.base_url,
        tenant_id=DEMO.tenant_id,
        app_id=DEMO.app_id,
        app_secret=Secret(DEMO.app_secret),
    )


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_summary_fits_and_finished_rows_say_how_long(
    make_app, emulator, fake_clock, tmp_path: Path, wait_until, screen_text, size
) -> None:  # type: ignore[no-untyped-def]
    now = fake_clock()
    uploaded = {"uploadedOn": format_timestamp(now), "_uploaded_at": now, "timeout": 300}
    emulator.store.add(
        {
            "packageId": IDS[0],
            "status": "started",
            "packageDescriptor": {"name": "alpha"},
            "_finish_at": now + 10,
            "_outcome": "success",
            **uploaded,
        }
    )
    emulator.store.add(
        {
            "packageId": IDS[1],
            "status": "started",
            "packageDescriptor": {"name": "bravo"},
            "_finish_at": now + 10,
            "_outcome": "failed",
            **uploaded,
        }
    )
    emulator.store.add(
        {
            "packageId": IDS[2],
            "status": "started",
            "packageDescriptor": {"name": "charlie"},
            **uploaded,
        }
    )
    emulator.store.add(  # finished before cypkg ever saw it
        {
            "packageId": IDS[3],
            "status": "success",
            "packageDescriptor": {"name": "delta"},
            **uploaded,
        }
    )
    store = WatchlistStore(tmp_path / "w.json")
    for package_id in IDS:
        store.add(package_id)
    profile = profile_of(emulator)
    config = Config(active_profile=profile.name, profiles={profile.name: profile})
    app = make_app(profile=profile, config=config, watchlist_store=store)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        table = app.screen.query_one(WatchTable)

        def row(name: str) -> str:
            return next((f"{r.status}|{r.elapsed}" for r in table.rows if r.name == name), "")

        await wait_until(pilot, lambda: row("alpha").startswith("◷ started"), what="started")
        fake_clock.advance(15)
        await wait_until(pilot, lambda: row("bravo").startswith("✘ failed"), what="bravo")
        await wait_until(pilot, lambda: row("alpha").startswith("✔ success"), what="alpha")
        await wait_until(pilot, lambda: row("delta").startswith("✔ success"), what="delta")
        assert re.fullmatch(r"✔ success\|took ≤1[5-7]s", row("alpha")), row("alpha")
        assert re.fullmatch(r"✘ failed\|took ≤1[5-7]s", row("bravo")), row("bravo")
        assert row("delta") == "✔ success|took: unknown"
        assert row("charlie").startswith("◷ started|") and "of 5m" in row("charlie")
        summary = app.screen.query_one("#watch-summary")
        text = summary.current.plain  # type: ignore[attr-defined]
        assert summary.region.height == 1, text  # one line, not wrapped
        assert cell_len(text) <= size[0], text
        assert text.startswith("4 watched") and "1" in text and "✘" in text, text
        lines = screen_text(app).splitlines()
        assert any("took ≤" in line for line in lines) and any(
            "took: unknown" in line for line in lines
        )


# -- rows fit the width from 54 columns up (tmux, 60x20: "16:04:45 · fin", a stray "…")

FINAL = WatchTable.line_text_of  # the text of a row as drawn, without the cursor


@pytest.mark.parametrize("width", range(54, 121))
def test_every_row_and_the_header_fit_the_width(width: int) -> None:
    from tui.ui.widgets.watch_table import WatchRow, header_line

    row = WatchRow(
        IDS[0],
        "registry_hive_export",
        "✘ failed",
        "took ≤36s",
        "16:04:45 · final",
        Status.FAILED,
        updated_short="16:04:45",
    )
    assert cell_len(FINAL(row, width)) <= width
    assert cell_len(header_line(width)) <= width


def test_a_narrow_final_row_keeps_its_time_whole() -> None:
    """At 60 columns (59 inside the scrollbar gutter) the last column was cropped to
    "16:04:45 · fin", and the cursor row ended in a stray "…" past blank cells."""
    from tui.ui.widgets.watch_table import WatchRow

    row = WatchRow(
        IDS[0],
        "registry_hive_export",
        "✘ failed",
        "took ≤36s",
        "16:04:45 · final",
        Status.FAILED,
        updated_short="16:04:45",
    )
    text = FINAL(row, 59).rstrip()
    assert text.endswith("16:04:45") and "…" not in text.split("✘")[1]
    wide = FINAL(row, 79).rstrip()
    assert wide.endswith("16:04:45 · final")
