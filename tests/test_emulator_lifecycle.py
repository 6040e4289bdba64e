"""Upload status life cycle on the emulator clock, the seed data, and timestamps."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import httpx
import pytest

from tui.emulator import Emulator
from tui.emulator.seed import (
    BIG_PACKAGE_ID,
    DEMO_PACKAGE_ID,
    FAILED_AFTER,
    STARTED_FAILED_ID,
    STARTED_SUCCESS_ID,
    STARTED_TIMEOUT_ID,
    SUCCESS_AFTER,
    TIMEOUT_AFTER,
    big_package,
    seed_packages,
)
from tui.emulator.store import PackageStore
from tui.emulator.testing import FakeClock, client_jwt
from tui.emulator.times import format_timestamp, parse_timestamp

STARTED = (STARTED_SUCCESS_ID, STARTED_FAILED_ID, STARTED_TIMEOUT_ID)






def statuses(emu: Emulator) -> tuple[str, ...]:
    return tuple(str((emu.store.get(i) or {}).get("status")) for i in STARTED)


def test_seeded_started_packages_reach_their_outcomes(emu: Emulator, clock: FakeClock) -> None:
    assert emu.started_at == clock()
    assert statuses(emu) == ("started", "started", "started")
    clock.advance(SUCCESS_AFTER - 0.001)
    assert statuses(emu) == ("started", "started", "started")
    clock.advance(0.001)
    assert statuses(emu) == ("success", "started", "started")
    success = emu.store.get(STARTED_SUCCESS_ID) or {}
    assert success["size"] > 0
    clock.set(emu.started_at + FAILED_AFTER)
    assert statuses(emu) == ("success", "failed", "started")
    clock.set(emu.started_at + TIMEOUT_AFTER)
    assert statuses(emu) == ("success", "failed", "timeout")
    timed_out = emu.store.get(STARTED_TIMEOUT_ID) or {}
    assert timed_out["timeout"] == TIMEOUT_AFTER
    assert timed_out["uploadedOn"] == format_timestamp(emu.started_at)


def test_outcome_shows_through_http_and_list_filters(emu: Emulator, clock: FakeClock) -> None:
    with httpx.Client(base_url=emu.base_url, trust_env=False, verify=False) as c:
        token = c.post("/auth/v2/token", json={"auth_token": client_jwt(now=clock())})
        c.headers["Authorization"] = "Bearer " + token.json()["access_token"]

        def started() -> int:
            body = c.get("/packages/v2", params={"status": "started"}).json()
            return int(body["total_number_of_items"])

        assert started() == 3
        assert c.get(f"/packages/v2/{STARTED_SUCCESS_ID}").json()["status"] == "started"
        clock.advance(TIMEOUT_AFTER + 1)
        assert started() == 0
        assert c.get(f"/packages/v2/{STARTED_SUCCESS_ID}").json()["status"] == "success"


def test_created_package_times_out_by_the_clock(emu: Emulator, clock: FakeClock) -> None:
    with httpx.Client(base_url=emu.base_url, trust_env=False, verify=False) as c:
        token = c.post("/auth/v2/token", json={"auth_token": client_jwt(now=clock())})
        c.headers["Authorization"] = "Bearer " + token.json()["access_token"]
        data = b"late file"
        created = c.post(
            "/packages/v2",
            json={
                "checksum": hashlib.sha256(data).hexdigest(),
                "packageDescriptor": {"name": "slowpoke"},
            },
        ).json()
        clock.advance(299)
        assert c.get(created["packageUrl"]).json()["status"] == "started"
        clock.advance(1)
        assert c.get(created["packageUrl"]).json()["status"] == "timeout"
        # Too late: the upload target refuses, the status stays timeout.
        assert httpx.put(created["uploadTo"], content=data, trust_env=False).status_code == 409
        assert c.get(created["packageUrl"]).json()["status"] == "timeout"


def test_the_earliest_due_event_wins() -> None:
    clock = FakeClock()
    store = PackageStore(clock)
    start = clock()
    late = store.add(
        {
            "status": "started",
            "timeout": 10,
            "_uploaded_at": start,
            "_finish_at": start + 20,
            "_outcome": "success",
        }
    )
    early = store.add(
        {
            "status": "started",
            "timeout": 10,
            "uploadedOn": format_timestamp(start),
            "_finish_at": start + 5,
            "_outcome": "failed",
        }
    )
    clock.advance(30)  # both events are due for both packages; the earlier one decides
    assert (store.get(late) or {})["status"] == "timeout"
    assert (store.get(early) or {})["status"] == "failed"
    clock.set(start)  # statuses never go back
    assert (store.get(late) or {})["status"] == "timeout"


def test_finished_packages_are_not_touched_by_the_clock() -> None:
    clock = FakeClock()
    store = PackageStore(clock)
    package_id = store.add({"status": "success", "timeout": 1, "_uploaded_at": clock()})
    clock.advance(1000)
    assert (store.get(package_id) or {})["status"] == "success"


# -- seed data ------------------------------------------------------------------


def test_seed_data_is_realistic_and_deterministic() -> None:
    first = seed_packages(1_800_000_000.0, "http://127.0.0.1:1")
    second = seed_packages(1_800_000_000.0, "http://127.0.0.1:1")
    assert first == second
    ids = [p["packageId"] for p in first]
    assert len(ids) == len(set(ids)) == 25
    assert {DEMO_PACKAGE_ID, *STARTED} <= set(ids)
    by_status = Counter(p["status"] for p in first)
    assert by_status["started"] == 3
    assert by_status["success"] > by_status["failed"] + by_status["timeout"]
    assert by_status["failed"] >= 1 and by_status["timeout"] >= 1
    categories = Counter(p["category"] for p in first)
    assert categories["custom"] > categories["cylance"] > 0
    for package in first:
        descriptor = package["packageDescriptor"]
        assert 1 <= len(descriptor["examples"]) <= 6
        assert descriptor["packageInfo"]["fileName"].endswith(".zip")
        assert descriptor["packageInfo"]["fileType"] == "python"
        assert "\n" in descriptor["description"]
        assert package["uploadedBy"]["login"].endswith("@example.com")
        assert package["uploadedOn"] <= format_timestamp(1_800_000_000.0)
    spread = [parse_timestamp(p["uploadedOn"]) or 0 for p in first]
    assert max(spread) - min(spread) > 14 * 86_400  # spread over recent weeks


def test_seed_can_be_disabled(clock: FakeClock) -> None:
    with Emulator(seed=False, clock=clock) as emu:
        assert len(emu.store) == 0


def test_big_package_is_served(emu: Emulator, clock: FakeClock) -> None:
    package = big_package(n_examples=3000, description_kb=300, base_url=emu.base_url)
    assert emu.store.add(package) == BIG_PACKAGE_ID
    assert len(package["packageDescriptor"]["description"]) == 300 * 1024
    with httpx.Client(base_url=emu.base_url, trust_env=False, verify=False) as c:
        token = c.post("/auth/v2/token", json={"auth_token": client_jwt(now=clock())})
        c.headers["Authorization"] = "Bearer " + token.json()["access_token"]
        response = c.get(f"/packages/v2/{BIG_PACKAGE_ID}")
    assert response.status_code == 200
    served = response.json()
    assert len(served["packageDescriptor"]["examples"]) == 3000
    assert int(response.headers["content-length"]) == len(response.content) > 300 * 1024
    assert json.loads(response.content) == served


# -- timestamps ---------------------------------------------------------------


def test_timestamp_format_has_seven_fraction_digits() -> None:
    assert format_timestamp(1_795_809_484.125) == "2026-11-27T19:58:04.1250000Z"
    assert format_timestamp(0) == "1970-01-01T00:00:00.0000000Z"
    assert format_timestamp(59.99999999) == "1970-01-01T00:01:00.0000000Z"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T19:58:04.1234567Z", 1_795_809_484.1234567),
        ("2026-11-27T19:58:04Z", 1_795_809_484.0),
        ("2026-11-27T19:58:04.5", 1_795_809_484.5),
        ("yesterday", None),
        ("2026-13-45T99:00:00Z", None),
    ],
)
def test_timestamp_parse(text: str, expected: float | None) -> None:
    parsed = parse_timestamp(text)
    if expected is None:
        assert parsed is None
    else:
        assert parsed == pytest.approx(expected, abs=1e-6)
