"""Batch polling: every watched package still ``started`` refreshed by one list request
per interval (``GET /packages/v2?status=started&page_size=200``), a GET by ID only for
those that left it, and per-package polling when the API app lacks the list scope."""

from __future__ import annotations

import itertools
import json
import uuid
from typing import Any

import pytest

from tui import cli
from tui.api.client import CylanceClient
from tui.api.errors import MissingScope, RateLimited, ServerError
from tui.api.models import Package, PackagePage, Status, parse_package
from tui.cli import watch as cli_watch
from tui.emulator import DEMO, Emulator
from tui.emulator.apps import SCOPE_READ
from tui.emulator.testing import FakeClock
from tui.polling.requests import ListRequest
from tui.polling.scheduler import WatchScheduler

STARTED = [str(uuid.UUID(int=0xB0000 + n)) for n in range(300)]
INTERVAL = 5.0
#: An API application of the demo tenant that may read packages but not list them.
NO_LIST_APP = "a0b1c2d3-0000-4000-8000-00000000c0de"
NO_LIST_SECRET = "cyemu-no-list-scope-secret-0123456789"


def package(pid: str, status: str = "started") -> Package:
    return parse_package({"packageId": pid, "status": status, "packageDescriptor": {"name": pid}})


def page(pids: list[str], number: int = 1, total_pages: int = 1) -> PackagePage:
    items = tuple(package(pid) for pid in pids)
    return PackagePage(number, 200, total_pages, len(items), items)


def batch_scheduler(clock: FakeClock, pids: list[str]) -> WatchScheduler:
    scheduler = WatchScheduler(
        clock=clock, interval=INTERVAL, min_interval=1.0, rng=lambda: 0.5, batch=True
    )
    for pid in pids:
        scheduler.add(pid)
    return scheduler


# --------------------------------------------------------------------------- the sans-IO core


def test_one_list_request_a_round_for_50_started_packages() -> None:
    clock = FakeClock(100.0)
    pids = STARTED[:50]
    scheduler = batch_scheduler(clock, pids)
    for _ in range(12):  # a minute of rounds
        taken = scheduler.take()
        assert taken == [ListRequest(1)], taken  # not one GET by ID, even for the first fetch
        assert scheduler.take() == []  # one round at a time
        events = scheduler.complete_list(ListRequest(1), page(pids))
        assert {e.package_id for e in events} == set(pids)
        assert all(e.listed for e in events)  # views redraw once for the page
        assert all(w.package is not None and w.updated_at for w in scheduler.watches.values())
        assert scheduler.next_wakeup() == pytest.approx(clock.now + INTERVAL)
        clock.now += INTERVAL
    assert scheduler.started == 12 and scheduler.in_flight == 0


def test_the_daily_budget_counts_a_round_of_50_as_one_request() -> None:
    from tui.polling.budget import Pace

    clock = FakeClock(100.0)
    asked: list[int] = []

    def pace(interval: float, per_round: int) -> Pace:
        asked.append(per_round)
        return Pace(interval)

    scheduler = WatchScheduler(clock=clock, interval=INTERVAL, batch=True, pace=pace)
    for pid in STARTED[:50]:
        scheduler.add(pid)
    scheduler.take()
    scheduler.complete_list(ListRequest(1), page(STARTED[:50]))
    assert set(asked) == {1}


def test_a_package_missing_from_the_list_gets_one_get_then_is_no_longer_polled() -> None:
    clock = FakeClock(100.0)
    pids = STARTED[:3]
    scheduler = batch_scheduler(clock, pids)
    assert scheduler.take() == [ListRequest(1)]
    scheduler.complete_list(ListRequest(1), page(pids))
    clock.now += INTERVAL
    assert scheduler.take() == [ListRequest(1)]
    scheduler.complete_list(ListRequest(1), page(pids[1:]))  # pids[0] left `started`
    assert scheduler.take() == [pids[0]]  # its final state, by ID
    event = scheduler.complete(pids[0], package(pids[0], "success"))
    assert event is not None and event.finished is Status.SUCCESS
    assert scheduler.watches[pids[0]].due is None
    for _ in range(3):
        clock.now += INTERVAL
        assert scheduler.take() == [ListRequest(1)]
        events = scheduler.complete_list(ListRequest(1), page(pids[1:]))
        assert {e.package_id for e in events} == set(pids[1:])
        assert scheduler.take() == []


def test_one_package_alone_is_fetched_by_id() -> None:
    """For one package a GET costs what the list costs, and never misses it."""
    clock = FakeClock(100.0)
    scheduler = batch_scheduler(clock, STARTED[:1])
    assert scheduler.take() == [STARTED[0]]
    scheduler.complete(STARTED[0], package(STARTED[0]))
    scheduler.add(STARTED[1])
    assert scheduler.take() == [ListRequest(1)]  # two: one list request


def test_never_fetched_and_not_started_packages_get_their_first_get_by_id() -> None:
    clock = FakeClock(100.0)
    scheduler = batch_scheduler(clock, STARTED[:2])
    assert scheduler.take() == [ListRequest(1)]
    scheduler.complete_list(ListRequest(1), page([STARTED[0]]))
    assert scheduler.take() == [STARTED[1]]
    scheduler.complete(STARTED[1], package(STARTED[1], "failed"))
    assert scheduler.active == 1


def test_missing_scope_falls_back_to_gets_once_for_the_session() -> None:
    clock = FakeClock(100.0)
    pids = STARTED[:3]
    scheduler = batch_scheduler(clock, pids)
    assert scheduler.per_package_reason is None
    assert scheduler.take() == [ListRequest(1)]
    events = scheduler.complete_list(ListRequest(1), MissingScope("opticspkgconfig:list"))
    assert events == []  # nobody's error: their own GETs follow at once
    assert scheduler.per_package_reason == (
        "per-package polling: the API app lacks opticspkgconfig:list"
    )
    for _ in range(3):
        taken = scheduler.take()
        assert all(isinstance(t, str) for t in taken) and taken
        for pid in taken:
            scheduler.complete(pid, package(str(pid)))  # type: ignore[arg-type]
        clock.now += INTERVAL
    # Added later: still no list attempt.
    scheduler.add(STARTED[3])
    assert ListRequest(1) not in scheduler.take()


def test_a_429_on_the_list_pauses_everybody_and_backs_off_like_a_get() -> None:
    clock = FakeClock(100.0)
    pids = STARTED[:3]
    scheduler = batch_scheduler(clock, pids)
    scheduler.take()
    events = scheduler.complete_list(ListRequest(1), RateLimited("slow", retry_after=30.0))
    assert len(events) == 3 and all(isinstance(e.watch.error, RateLimited) for e in events)
    assert scheduler.held_until() == pytest.approx(130.0)
    assert scheduler.take() == [] and scheduler.next_wakeup() == pytest.approx(130.0)
    clock.now = 130.0
    assert scheduler.take() == [ListRequest(1)]
    scheduler.complete_list(ListRequest(1), page(pids))
    assert all(w.error is None for w in scheduler.watches.values())
    # A 5xx backs the round off as it would a GET: interval × 2 (jitter 1.0 at rng 0.5).
    clock.now += INTERVAL
    scheduler.take()
    scheduler.complete_list(ListRequest(1), ServerError("boom", status=503))
    assert scheduler.next_wakeup() == pytest.approx(clock.now + 2 * INTERVAL)


def test_more_pages_only_while_a_watched_package_is_still_unseen() -> None:
    clock = FakeClock(100.0)
    first, second = STARTED[:200], STARTED[200:250]
    scheduler = batch_scheduler(clock, [first[0], first[1], second[0]])
    assert scheduler.take() == [ListRequest(1)]
    scheduler.complete_list(ListRequest(1), page(first, 1, 2))
    assert scheduler.take() == [ListRequest(2)]
    scheduler.complete_list(ListRequest(2), page(second, 2, 2))
    assert scheduler.take() == []
    # Once only page 1 holds watched ones, page 2 is not asked for.
    scheduler.stop(second[0])
    clock.now += INTERVAL
    assert scheduler.take() == [ListRequest(1)]
    scheduler.complete_list(ListRequest(1), page(first, 1, 2))
    assert scheduler.take() == [] and scheduler.in_flight == 0


# --------------------------------------------------------------------------- the emulator


def emulator_page_size(emulator: Emulator, size: int) -> tuple[int, int]:
    import httpx

    from tui.emulator.testing import client_jwt

    with httpx.Client(base_url=emulator.base_url, trust_env=False) as http:
        token = http.post(
            "/auth/v2/token", json={"auth_token": client_jwt(now=emulator.started_at or 0)}
        )
        http.headers["Authorization"] = "Bearer " + token.json()["access_token"]
        answer = http.get("/packages/v2", params={"status": "started", "page_size": str(size)})
        body = answer.json()
        if answer.status_code != 200:
            return answer.status_code, 0
        assert all(item["status"] == "started" for item in body["page_items"])
        return answer.status_code, len(body["page_items"])


@pytest.fixture
def tenant(fake_clock: Any) -> Any:
    """An emulator with no seeded packages, on the fake clock."""
    emulator = Emulator(port=0, clock=fake_clock, seed=False).start()
    emulator.add_app(NO_LIST_APP, NO_LIST_SECRET, DEMO.tenant_id, {SCOPE_READ})
    try:
        yield emulator
    finally:
        emulator.stop()


def add_started(emulator: Emulator, pids: list[str], now: float, **private: Any) -> None:
    for pid in pids:
        emulator.store.add(
            {
                "packageId": pid,
                "status": "started",
                "timeout": 86_400,
                "packageDescriptor": {"name": f"pkg-{pid[-4:]}"},
                "_uploaded_at": now,
                **private,
            }
        )


def test_the_emulator_lists_started_packages_up_to_200_a_page(
    tenant: Emulator, fake_clock: Any
) -> None:
    add_started(tenant, STARTED[:250], fake_clock())
    tenant.store.add({"packageId": STARTED[299], "status": "success", "_uploaded_at": 0})
    assert emulator_page_size(tenant, 200) == (200, 200)
    assert emulator_page_size(tenant, 201) == (400, 0)  # like the service: 1..200


def list_requests(emulator: Emulator) -> list[Any]:
    return [r for r in emulator.requests if r.method == "GET" and r.path == "/packages/v2"]


def watch_for(
    monkeypatch: pytest.MonkeyPatch,
    emulator: Emulator,
    fake_clock: Any,
    pids: list[str],
    seconds: float,
    *,
    list_scope: bool = True,
) -> tuple[int, float]:
    """``cypkg watch`` of ``pids`` at a 5 s interval for ``seconds`` of fake time (then
    ctrl+c); returns the exit code and when it started (fake clock)."""
    monkeypatch.setenv("CYPKG_API_URL", emulator.base_url)
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id)
    monkeypatch.setenv("CYPKG_APP_ID", DEMO.app_id if list_scope else NO_LIST_APP)
    monkeypatch.setenv("CYPKG_APP_SECRET", DEMO.app_secret if list_scope else NO_LIST_SECRET)
    began = fake_clock()

    def sleep(delay: float) -> None:
        fake_clock.advance(delay)
        if fake_clock() - began >= seconds:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli_watch, "_sleep", sleep)
    monkeypatch.setattr(cli_watch, "_monotonic", fake_clock)
    monkeypatch.setattr(
        CylanceClient, "_wait", lambda self, delay, error: fake_clock.advance(delay)
    )
    return cli.main(["watch", *pids, "--interval", str(INTERVAL), "--json"]), began


def test_cli_50_started_one_list_request_an_interval_and_no_get(
    monkeypatch: pytest.MonkeyPatch,
    tenant: Emulator,
    fake_clock: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pids = STARTED[:50]
    add_started(tenant, pids, fake_clock())
    code, _ = watch_for(monkeypatch, tenant, fake_clock, pids, 60)
    out, err = capsys.readouterr()
    assert code == 130 and err == "", err
    assert tenant.count("GET", "/packages/v2/") == 0
    lists = list_requests(tenant)
    assert 12 <= len(lists) <= 13
    assert all("status=started" in r.query and "page_size=200" in r.query for r in lists)
    # One a round: 5 s apart.
    gaps = [b.at - a.at for a, b in itertools.pairwise(lists)]
    assert all(gap == pytest.approx(INTERVAL) for gap in gaps), gaps
    lines = [json.loads(line) for line in out.splitlines()]  # --json: each item on its own
    assert sorted(item["packageId"] for item in lines) == sorted(pids)
    assert {item["status"] for item in lines} == {"started"}


def test_cli_a_package_finishing_is_fetched_once_by_id(
    monkeypatch: pytest.MonkeyPatch,
    tenant: Emulator,
    fake_clock: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pids = STARTED[:10]
    now = fake_clock()
    add_started(tenant, pids[1:], now)
    add_started(tenant, pids[:1], now, _finish_at=now + 12, _outcome="success")
    code, _ = watch_for(monkeypatch, tenant, fake_clock, pids, 60)
    out, _ = capsys.readouterr()
    assert code == 130
    assert tenant.count("GET", f"/packages/v2/{pids[0]}") == 1
    assert tenant.count("GET", "/packages/v2/") == 1
    assert 12 <= len(list_requests(tenant)) <= 13
    assert '"status": "success"' in out or '"status":"success"' in out


def test_cli_250_started_two_list_requests_an_interval(
    monkeypatch: pytest.MonkeyPatch,
    tenant: Emulator,
    fake_clock: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pids = STARTED[:250]
    add_started(tenant, pids, fake_clock())
    code, _ = watch_for(monkeypatch, tenant, fake_clock, pids, 30)
    capsys.readouterr()
    assert code == 130
    assert tenant.count("GET", "/packages/v2/") == 0
    pages = [r.query for r in list_requests(tenant)]
    assert len(pages) in (12, 14)  # 6 or 7 rounds of 2 pages
    assert sum("page=2&" in q or q.endswith("page=2") for q in pages) == len(pages) // 2


def test_cli_without_the_list_scope_polls_each_and_says_so_once(
    monkeypatch: pytest.MonkeyPatch,
    tenant: Emulator,
    fake_clock: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pids = STARTED[:5]
    add_started(tenant, pids, fake_clock())
    code, _ = watch_for(monkeypatch, tenant, fake_clock, pids, 60, list_scope=False)
    _, err = capsys.readouterr()
    assert code == 130
    assert len(list_requests(tenant)) == 1  # tried once, remembered
    assert tenant.count("GET", "/packages/v2/") >= 5 * 11
    assert err.count("per-package polling") == 1, err
    assert "cypkg: per-package polling: the API app lacks opticspkgconfig:list" in err


def test_cli_a_429_on_the_list_pauses_everybody(
    monkeypatch: pytest.MonkeyPatch,
    tenant: Emulator,
    fake_clock: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pids = STARTED[:20]
    add_started(tenant, pids, fake_clock())
    tenant.faults.rate_limit_next(1, "30", path_prefix="/packages/v2")
    code, _ = watch_for(monkeypatch, tenant, fake_clock, pids, 60)
    _, err = capsys.readouterr()
    assert code == 130
    answered = [r for r in tenant.requests if r.path.startswith("/packages/v2")]
    assert answered[0].status == 429
    # Nobody asked during the 30 s pause (the client's own retries aside), then one list a round.
    after = [r for r in answered[1:] if r.status == 200]
    assert after and after[0].at - answered[0].at >= 30
    assert tenant.count("GET", "/packages/v2/") == 0
    assert err.count("\n") <= 2, err  # one line for the list, not one per package


def figures_for(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator, fake_clock: Any, *, list_scope: bool
) -> int:
    pids = STARTED[:200]
    add_started(emulator, pids, fake_clock())
    emulator.clear_requests()
    watch_for(monkeypatch, emulator, fake_clock, pids, 60, list_scope=list_scope)
    return len(emulator.requests)


def test_figures_200_started_a_minute(
    monkeypatch: pytest.MonkeyPatch,
    tenant: Emulator,
    fake_clock: Any,
    capsys: pytest.CaptureFixture[str],
    figures: dict[str, object],
) -> None:
    with_list = figures_for(monkeypatch, tenant, fake_clock, list_scope=True)
    capsys.readouterr()
    figures["cypkg watch, 200 started, 5 s, list scope: requests a minute"] = with_list
    assert with_list <= 15  # the goal, sign-in included
    other = Emulator(port=0, clock=fake_clock, seed=False).start()
    other.add_app(NO_LIST_APP, NO_LIST_SECRET, DEMO.tenant_id, {SCOPE_READ})
    try:
        without = figures_for(monkeypatch, other, fake_clock, list_scope=False)
    finally:
        other.stop()
    capsys.readouterr()
    figures["cypkg watch, 200 started, 5 s, no list scope: requests a minute"] = without
    assert without <= 60 * 5 + 1


# --------------------------------------------------------------------------- the TUI


def tenant_profile(emulator: Emulator, *, list_scope: bool) -> Any:
    from tui.config import Profile, Secret

    return Profile(
        name="emu",
        base_url=emulator.base_url,
        tenant_id=DEMO.tenant_id,
        app_id=DEMO.app_id if list_scope else NO_LIST_APP,
        app_secret=Secret(DEMO.app_secret if list_scope else NO_LIST_SECRET),
    )


def watching(tmp_path: Any, pids: list[str]) -> Any:
    from tui.polling.watchlist import WatchlistStore

    store = WatchlistStore(tmp_path / "watchlist.json")
    for pid in pids:
        store.add(pid)
    return store


async def test_tui_watchlist_polls_started_packages_through_the_list(
    make_app, tenant, fake_clock, tmp_path, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    pids = STARTED[:50]
    add_started(tenant, pids, fake_clock())
    app = make_app(
        profile=tenant_profile(tenant, list_scope=True), watchlist_store=watching(tmp_path, pids)
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        scheduler = app.engine.scheduler
        await wait_until(pilot, lambda: len(list_requests(tenant)) >= 2, what="2 rounds")
        redraws: list[int] = []
        # The screen is subscribed already: the signal calls every subscriber.
        app.engine.changed.subscribe(app.screen, lambda _: redraws.append(1), immediate=True)
        rounds = len(list_requests(tenant))
        await wait_until(pilot, lambda: len(list_requests(tenant)) >= rounds + 5, what="5 more")
        # One redraw a page, not one for each of the 50 packages in it.
        assert len(redraws) <= len(list_requests(tenant)) - rounds + 1, len(redraws)
        assert tenant.count("GET", "/packages/v2/") == 0
        assert all(w.package is not None for w in scheduler.watches.values())
        assert "per-package polling" not in screen_text(app)
        # What was seen is kept: one save for the page, every status in it.
        await wait_until(pilot, lambda: watching(tmp_path, pids).entries[0].status == "started")
        assert {e.status for e in watching(tmp_path, pids).entries} == {"started"}


async def test_tui_watchlist_without_the_list_scope_says_so_and_polls_each(
    make_app, tenant, fake_clock, tmp_path, wait_until, screen_text
) -> None:  # type: ignore[no-untyped-def]
    pids = STARTED[:3]
    add_started(tenant, pids, fake_clock())
    app = make_app(
        profile=tenant_profile(tenant, list_scope=False), watchlist_store=watching(tmp_path, pids)
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await wait_until(
            pilot,
            lambda: all(tenant.count("GET", f"/packages/v2/{pid}") >= 3 for pid in pids),
            what="three GETs each",
        )
        assert len(list_requests(tenant)) == 1  # tried once, remembered for the session
        await wait_until(
            pilot,
            lambda: (
                "per-package polling: the API app lacks opticspkgconfig:list" in screen_text(app)
            ),
            what="the notice",
        )
