"""The HTTP control endpoints, request accounting, and the Emulator object itself."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from tui.emulator import Emulator
from tui.emulator.seed import BIG_PACKAGE_ID, DEMO_PACKAGE_ID
from tui.emulator.testing import FakeClock, client_jwt

PACKAGE = f"/packages/v2/{DEMO_PACKAGE_ID}"








@pytest.fixture
def api(emu: Emulator, clock: FakeClock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.base_url, timeout=5, trust_env=False, verify=False) as c:
        token = c.post("/auth/v2/token", json={"auth_token": client_jwt(now=clock())})
        c.headers["Authorization"] = "Bearer " + token.json()["access_token"]
        yield c


# -- control endpoints --------------------------------------------------------


def test_post_faults_plans_failures(http: httpx.Client, api: httpx.Client) -> None:
    response = http.post(
        "/_emulator/faults", json={"fail_next": {"n": 2, "status": 503, "retry_after": 1}}
    )
    assert response.status_code == 200
    planned = response.json()["planned"]
    assert planned == [
        {
            "kind": "fail",
            "path_prefix": "/packages",
            "status": 503,
            "retry_after": "1",
            "malformed": "",
            "seconds": 0.0,
            "remaining": 2,
        }
    ]
    assert [api.get(PACKAGE).status_code for _ in range(3)] == [503, 503, 200]


def test_post_faults_accepts_every_setting(http: httpx.Client, emu: Emulator) -> None:
    body = {
        "clear": True,
        "latency": 0.01,
        "fail_rate": 0.25,
        "rate_limit_next": {"n": 1, "retry_after": "2"},
        "drop_next": 1,
        "reset_mid_body_next": {"n": 1},
        "malformed_next": {"n": 1, "kind": "html"},
        "stall_next": {"n": 1, "seconds": 0.1, "path_prefix": "/auth"},
    }
    snapshot = http.post("/_emulator/faults", json=body).json()
    assert snapshot["latency"] == 0.01 and snapshot["fail_rate"] == 0.25
    assert [p["kind"] for p in snapshot["planned"]] == [
        "fail",
        "drop",
        "reset",
        "malformed",
        "stall",
    ]
    assert emu.faults.pending() == 5
    assert http.get("/_emulator/faults").json() == snapshot
    cleared = http.post("/_emulator/faults", json={"clear": True}).json()
    assert cleared == {"latency": 0.0, "fail_rate": 0.0, "planned": []}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1]",
        b'{"explode_next": 1}',
        b'{"fail_next": {"n": 1, "colour": "red"}}',
        b'{"fail_next": "twice"}',
        b'{"malformed_next": {"n": 1, "kind": "xml"}}',
        b'{"fail_rate": 2}',
    ],
)
def test_post_faults_rejects_bad_settings(http: httpx.Client, body: bytes) -> None:
    response = http.post("/_emulator/faults", content=body)
    assert response.status_code == 400
    assert response.json()["message"]


def test_post_revoke(http: httpx.Client, api: httpx.Client) -> None:
    assert api.get(PACKAGE).status_code == 200
    assert http.post("/_emulator/revoke").json() == {"revoked": 1}
    assert api.get(PACKAGE).status_code == 401


def test_stats_and_reset(http: httpx.Client, api: httpx.Client) -> None:
    api.get(PACKAGE)
    api.get(PACKAGE)
    api.get("/packages/v2", params={"page": 1})
    stats = http.get("/_emulator/stats").json()
    assert stats["total"] == 4
    assert stats["requests"] == [
        {"method": "GET", "path": "/packages/v2", "count": 1},
        {"method": "GET", "path": PACKAGE, "count": 2},
        {"method": "POST", "path": "/auth/v2/token", "count": 1},
    ]
    assert stats["by_status"] == {"200": 4}
    assert http.post("/_emulator/reset-stats").json() == {}
    assert http.get("/_emulator/stats").json()["total"] == 0


def test_unknown_control_endpoint_is_404(http: httpx.Client) -> None:
    assert http.get("/_emulator/nothing").status_code == 404
    assert http.get("/_emulator/revoke").status_code == 404


def test_control_endpoints_skip_faults_and_accounting(http: httpx.Client, emu: Emulator) -> None:
    emu.faults.fail_next(1, path_prefix="/")
    emu.faults.latency = 5.0
    assert http.get("/_emulator/stats", timeout=1).status_code == 200
    assert emu.faults.pending() == 1
    assert emu.requests == []


# -- request accounting ------------------------------------------------------


def test_requests_are_recorded(api: httpx.Client, emu: Emulator, clock: FakeClock) -> None:
    clock.advance(5)
    api.get(PACKAGE)
    api.get("/packages/v2", params={"page_size": 5, "sort": "size"})
    api.get("/packages/v2/not-a-uuid")
    first, *rest = emu.requests
    assert (first.method, first.path, first.status) == ("POST", "/auth/v2/token", 200)
    assert [(r.method, r.path, r.status) for r in rest] == [
        ("GET", PACKAGE, 200),
        ("GET", "/packages/v2", 200),
        ("GET", "/packages/v2/not-a-uuid", 404),
    ]
    assert rest[0].at == clock()
    assert rest[1].query == "page_size=5&sort=size"
    assert emu.count() == 4
    assert emu.count(method="GET") == 3
    assert emu.count(method="get", path_prefix="/packages/v2/") == 2
    assert emu.count(path_prefix="/auth") == 1
    emu.clear_requests()
    assert emu.requests == [] and emu.count() == 0


def test_uploads_are_recorded(api: httpx.Client, emu: Emulator) -> None:
    httpx.put(f"{emu.base_url}/_emulator/upload/{DEMO_PACKAGE_ID}", content=b"x", trust_env=False)
    assert emu.count(method="PUT", path_prefix="/_emulator/upload/") == 1


# -- the Emulator object -----------------------------------------------------


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "192.168.1.10", "example.com", "::", "127.0.0.1.nip.io"]
)
def test_non_loopback_hosts_are_refused(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        Emulator(host=host)


@pytest.mark.parametrize(
    ("host", "prefix"),
    [
        ("localhost", "http://127.0.0.1:"),
        ("127.0.0.2", "http://127.0.0.2:"),
        ("::1", "http://[::1]:"),
    ],
)
def test_loopback_hosts_are_served(host: str, prefix: str) -> None:
    try:
        emu = Emulator(host=host, seed=False).start()
    except OSError as problem:  # e.g. no IPv6 or no 127.0.0.2 in this sandbox
        pytest.skip(f"cannot bind {host}: {problem}")
    try:
        assert emu.base_url.startswith(prefix)
        assert httpx.get(emu.base_url + "/nope", trust_env=False).status_code == 404
    finally:
        emu.stop()


def test_base_url_needs_start_and_stop_is_idempotent() -> None:
    emu = Emulator(seed=False)
    with pytest.raises(RuntimeError):
        _ = emu.base_url
    emu.start()
    port = emu.port
    assert emu.start() is emu  # a second start is a no-op
    emu.stop()
    emu.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


@pytest.mark.parametrize("settings", [{"token_lifetime": 0}, {"port": -1}, {"port": 70000}])
def test_bad_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Emulator(**settings)  # type: ignore[arg-type]


def test_fixed_port_and_restart(clock: FakeClock) -> None:
    with Emulator(clock=clock, seed=False) as first:
        port = first.port
    with Emulator(port=port, clock=clock) as second:
        assert second.port == port
        assert len(second.store) == 25


def test_post_packages_adds_any_package(http: httpx.Client, api: httpx.Client) -> None:
    package = {"packageId": "ABCDEF01-0000-4000-8000-000000000000", "status": "started", "x": None}
    created = http.post("/_emulator/packages", json=package)
    assert created.json() == {"packageId": "abcdef01-0000-4000-8000-000000000000"}
    served = api.get("/packages/v2/abcdef01-0000-4000-8000-000000000000").json()
    assert served == {**package, "packageId": "abcdef01-0000-4000-8000-000000000000"}
    assert http.post("/_emulator/packages", content=b"[]").status_code == 400


def test_post_big_package(http: httpx.Client, api: httpx.Client) -> None:
    created = http.post("/_emulator/big-package", json={"n_examples": 50, "description_kb": 4})
    assert created.json() == {"packageId": BIG_PACKAGE_ID}
    served = api.get(f"/packages/v2/{BIG_PACKAGE_ID}").json()
    assert len(served["packageDescriptor"]["examples"]) == 50
    assert len(served["packageDescriptor"]["description"]) == 4 * 1024
    for bad in (b'{"n_examples": "many"}', b'{"description_kb": -1}', b"nope"):
        assert http.post("/_emulator/big-package", content=bad).status_code == 400
