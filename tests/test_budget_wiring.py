"""The daily budget in use: the setting, the shared count of real requests, and the
intervals it stretches in ``cypkg watch``, the watchlist and the detail screen."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from cli_on_emulator import point_cli_at, run

from tui import cli
from tui.api.errors import ConfigError
from tui.config import (
    DEFAULT_DAILY_BUDGET,
    ENV_DAILY_BUDGET,
    Config,
    Profile,
    Secret,
    load_config,
    resolve_profile,
    save_config,
    state_dir,
)
from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID, STARTED_SUCCESS_ID
from tui.polling.budget import utc_day
from tui.polling.daily_count import FILE_NAME, dump_counts
from tui.polling.watchlist import WatchlistStore
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.help import help_text
from tui.ui.screens.watchlist import WatchlistScreen

MIDNIGHT = 1_764_374_400.0  # 2025-11-29 00:00:00 UTC


def write_config(path: Path, extra: str) -> Config:
    path.write_text(
        f"""[profiles.default]
tenant_id = "{DEMO.tenant_id}"
app_id = "{DEMO.app_id}"
app_secret = "{DEMO.app_secret}"
{extra}
"""
    )
    return load_config(path)


def counts_file() -> Path:
    return state_dir() / FILE_NAME


def seed_count(count: int, now: float) -> None:
    """Today's count as other cypkgs left it."""
    path = counts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dump_counts(utc_day(now), {DEMO.tenant_id: count}))


def counted() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(counts_file().read_text())
    return loaded


# --------------------------------------------------------------------------- the setting


def test_precedence_env_profile_default(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert DEFAULT_DAILY_BUDGET == 10_000
    assert resolve_profile(write_config(path, ""), env={}).daily_budget == 10_000
    config = write_config(path, "daily_budget = 2500")
    assert resolve_profile(config, env={}).daily_budget == 2500
    assert resolve_profile(config, env={ENV_DAILY_BUDGET: "1_000"}).daily_budget == 1000
    assert resolve_profile(config, env={ENV_DAILY_BUDGET: "20,000"}).daily_budget == 20_000
    assert resolve_profile(config, env={ENV_DAILY_BUDGET: " "}).daily_budget == 2500


def test_the_profile_setting_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config = write_config(path, "daily_budget = 5000")
    save_config(config, path)
    assert "daily_budget = 5000\n" in path.read_text()
    profile = config.profiles["default"].replace(daily_budget=DEFAULT_DAILY_BUDGET)
    save_config(Config(profiles={"default": profile}), path)
    assert "daily_budget" not in path.read_text()  # the default is not written


@pytest.mark.parametrize(
    "value", ["0", "-5", "2.5", "1e3", '"100"', "true", "1_000_000_001", "[1]"], ids=str
)
def test_a_bad_profile_value_names_the_key(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        write_config(tmp_path / "config.toml", f"daily_budget = {value}")
    message = str(caught.value)
    assert "profiles.default.daily_budget" in message and "whole number" in message
    assert DEMO.app_secret not in message


@pytest.mark.parametrize("value", ["0", "-1", "abc", "2.5", "1e4", "١٠", DEMO.app_secret])
def test_a_bad_environment_value_names_the_variable(value: str) -> None:
    profile = Profile(name="p", app_secret=Secret(DEMO.app_secret))
    config = Config(profiles={"p": profile}, active_profile="p")
    with pytest.raises(ConfigError) as caught:
        resolve_profile(config, env={ENV_DAILY_BUDGET: value})
    assert ENV_DAILY_BUDGET in str(caught.value)
    assert DEMO.app_secret not in str(caught.value)


def test_saving_the_settings_form_keeps_the_budget(emulator_profile: Profile) -> None:
    from tui.ui.screens.settings import FormValues, build_profile

    original = emulator_profile.replace(daily_budget=777)
    values = FormValues(
        name=original.name,
        region="na",
        base_url="",
        tenant_id=original.tenant_id,
        app_id=original.app_id,
        app_secret="",
        ca_bundle="",
        poll_interval="5",
    )
    profile, errors = build_profile(values, original)
    assert errors == {} and profile is not None and profile.daily_budget == 777


# --------------------------------------------------------------------------- the CLI


def test_config_show_gives_the_budget_and_todays_count(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(ENV_DAILY_BUDGET)
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id.upper())
    seed_count(1204, time.time())
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    shown = " ".join(out.split())
    assert "Daily budget 10,000 requests a day (UTC)" in shown
    assert "Used today 1,204 of 10,000 requests today" in shown


def test_every_command_counts_its_requests_sign_in_included(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    emulator: Emulator,
    fake_clock: Any,
) -> None:
    point_cli_at(monkeypatch, emulator, fake_clock)
    assert run(capsys, "get", DEMO_PACKAGE_ID)[0] == 0  # a sign-in and a GET
    assert run(capsys, "get", DEMO_PACKAGE_ID)[0] == 0  # the cached token: a GET
    assert counted()["requests"] == {DEMO.tenant_id: 3}
    assert len(emulator.requests) == 3


def test_watch_stretches_its_interval_to_keep_the_budget(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    emulator: Emulator,
    fake_clock: Any,
) -> None:
    """20 requests left for the last 10 minutes of the day: polling every second until
    the upload ends (20 s) would take 21; stretched, the budget holds."""
    point_cli_at(monkeypatch, emulator, fake_clock)
    start = fake_clock()
    monkeypatch.setattr(
        cli, "_wall", lambda: MIDNIGHT - 600 + (fake_clock() - start), raising=False
    )
    monkeypatch.setenv(ENV_DAILY_BUDGET, "20")
    code, out, err = run(capsys, "watch", STARTED_SUCCESS_ID, "--interval", "1")
    assert code == 0 and "success" in out
    assert f"cypkg: {STARTED_SUCCESS_ID}: interval stretched to 33s: daily budget " in err
    assert "(2 of 20 requests today)." in err
    gets = [r for r in emulator.requests if r.method == "GET"]
    assert len(gets) == 2  # at 0 s and at 33 s, when it had finished
    assert sum(counted()["requests"].values()) == 3 <= 20


# --------------------------------------------------------------------------- the TUI


def summary_line(screen_text: Any, app: Any) -> str:
    lines = [line for line in screen_text(app).splitlines() if " watched · " in line]
    assert len(lines) == 1, screen_text(app)
    return lines[0]


async def test_watchlist_header_shows_todays_count_in_80_columns(
    make_app, tmp_path, fake_clock, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    seed_count(1204, fake_clock())
    store = WatchlistStore(tmp_path / "watchlist.json")
    store.add(DEMO_PACKAGE_ID)
    app = make_app(watchlist_store=store, daily_budget=10_000)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        await wait_until(
            pilot, lambda: app.engine.scheduler.active == 0, what="the package fetched"
        )
        await pilot.pause(1.1)  # a tick redraws the header
        line = summary_line(screen_text, app)
        # Other cypkgs' 1,204 plus this one's sign-in and GET.
        assert re.search(
            r"1 watched · ✔ 1 success · polling 0 \(≤5/s\) · 1,20[5-6] of "
            r"10,000 requests today",
            line,
        ), line
        assert len(line.rstrip()) <= 80
        text = help_text(app)
        assert re.search(r"1,20[5-6] of 10,000 requests today", text)
        assert str(counts_file()) in " ".join(text.split())


def far_from_midnight(now: float) -> None:
    if 86_400 - now % 86_400 < 900:
        pytest.skip("too close to 00:00 UTC for a real-time wall clock")


async def test_watchlist_says_when_the_budget_stretches_the_interval(
    make_app, tmp_path, fake_clock, emulator, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    far_from_midnight(fake_clock())
    seed_count(9_000, fake_clock())
    store = WatchlistStore(tmp_path / "watchlist.json")
    store.add(STARTED_SUCCESS_ID)
    # 50 ms asked; 1,000 requests left for the rest of the day: seconds instead.
    app = make_app(watchlist_store=store, daily_budget=10_000)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchlistScreen))
        scheduler = app.engine.scheduler
        await wait_until(pilot, lambda: scheduler.stretched is not None, what="a stretch")
        watch = scheduler.watches[STARTED_SUCCESS_ID]
        assert watch.due is not None and watch.due - app.options.monotonic() > 0.9
        gets = emulator.count("GET")
        await pilot.pause(0.5)  # ten asked-for intervals: no request
        assert emulator.count("GET") == gets
        app.screen._update()
        line = summary_line(screen_text, app)
        assert re.search(r"⏳ stretched to \d+(m \d+s|s): 9,00[1-3] of 10,000 requests today", line)
        assert len(line.rstrip()) <= 80


async def test_detail_screen_says_when_the_budget_stretches_the_interval(
    make_app, fake_clock, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    far_from_midnight(fake_clock())
    seed_count(9_500, fake_clock())
    app = make_app(package_id=STARTED_SUCCESS_ID, daily_budget=10_000)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.state.stretched is not None, what="a stretch")
        assert screen.next_at is not None and screen.next_at - app.options.monotonic() > 0.9
        await wait_until(pilot, lambda: "daily budget" in screen_text(app), what="the notice")
        assert re.search(r"⏳ interval stretched to \S+( \S+)?: daily budget", screen_text(app))


# --------------------------------------------------------------------------- the scheduler


def test_scheduler_paces_a_round_of_every_active_package() -> None:
    """One round polls each active package once: 3 watched cost 3 requests an interval."""
    from tui.api.models import parse_package
    from tui.polling.budget import paced_interval
    from tui.polling.scheduler import WatchScheduler

    now = [0.0]
    asked: list[int] = []

    def pace(interval: float, per_round: int) -> Any:
        asked.append(per_round)
        # 300 left for the last hour of the day.
        return paced_interval(9_700, 10_000, 3600.0, per_round, interval)

    scheduler = WatchScheduler(clock=lambda: now[0], interval=5.0, pace=pace)
    ids = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(3)]
    for package_id in ids:
        scheduler.add(package_id)
    assert scheduler.take() == ids[:2]  # at most 2 in flight
    started = parse_package({"packageId": ids[0], "status": "started"})
    scheduler.complete(ids[0], started)
    assert asked == [3]
    watch = scheduler.watches[ids[0]]
    # 3 × 3600 s / 300 = 36 s, not 5.
    assert watch.due is not None and 36.0 <= watch.due < 36.1
    assert scheduler.stretched is not None
    assert scheduler.stretched.reason == "interval stretched to 36s: daily budget"
    # A finished package leaves the round: the next one is paced for 2.
    finished = parse_package({"packageId": ids[1], "status": "success"})
    scheduler.complete(ids[1], finished)
    assert scheduler.watches[ids[1]].due is None
    scheduler.take()
    scheduler.complete(ids[2], started)
    assert asked[-1] == 2
    assert 24.0 <= (scheduler.watches[ids[2]].due or 0) < 24.1


def test_watch_of_several_packages_says_when_the_budget_stretches(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    emulator: Emulator,
    fake_clock: Any,
) -> None:
    point_cli_at(monkeypatch, emulator, fake_clock)
    start = fake_clock()
    monkeypatch.setattr(
        cli, "_wall", lambda: MIDNIGHT - 600 + (fake_clock() - start), raising=False
    )
    monkeypatch.setenv(ENV_DAILY_BUDGET, "40")
    code, _out, err = run(capsys, "watch", STARTED_SUCCESS_ID, DEMO_PACKAGE_ID, "--interval", "1")
    assert code == 0
    assert "cypkg: interval stretched to " in err and " of 40 requests today)." in err
    assert sum(counted()["requests"].values()) <= 40


def test_the_demo_polls_a_screen_unstretched_at_any_hour() -> None:
    """The demo's emulator is a tenant of its own: its whole documented quota, so one screen
    polling every 2 s (43,200 a day) was stretched to 4 s in the morning (UTC) before."""
    from tui.polling.budget import paced_interval
    from tui.polling.clients import start_demo

    demo = start_demo()
    try:
        profile = demo.profile
        pace = paced_interval(0, profile.daily_budget, 86_400, 1, profile.poll_interval)
        assert pace.interval == profile.poll_interval and not pace.stretched
    finally:
        demo.stop()
