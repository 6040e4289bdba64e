"""The official ``cyapi`` SDK as a third-party client: the emulator must speak its protocol."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID

cyapi = pytest.importorskip("cyapi.cyapi", reason="the cyapi SDK is a test dependency")


@pytest.fixture
def emu() -> Iterator[Emulator]:
    # The SDK signs with the real clock, so the emulator runs on the real clock too.
    with Emulator() as emulator:
        yield emulator


def connect(
    emu: Emulator, capsys: pytest.CaptureFixture[str], secret: str = DEMO.app_secret
) -> Any:
    api = cyapi.CyAPI(DEMO.tenant_id, DEMO.app_id, secret, region="NA")
    api.baseURL = emu.base_url + "/"
    try:
        api.create_conn()
    finally:
        capsys.readouterr()  # the SDK prints the signed JWT: keep it out of the test output
    return api


def test_get_item(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    api = connect(emu, capsys)
    response = api.get_item("packages", DEMO_PACKAGE_ID)
    assert response.status_code == 200 and response.is_success
    assert response.data == emu.store.get(DEMO_PACKAGE_ID)
    missing = api.get_item("packages", "00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and missing.errors["message"]


def test_get_packages(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    api = connect(emu, capsys)
    response = api.get_packages()
    assert response.status_code == 200
    assert sorted(p["packageId"] for p in response.data) == sorted(
        p["packageId"] for p in emu.store.all()
    )
    # The SDK asks for page 1 twice (once to learn total_pages), with page_size 200.
    lists = [r for r in emu.requests if r.path == "/packages/v2"]
    assert len(lists) == 2 and all("page_size=200" in r.query for r in lists)


def test_get_packages_across_pages(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    api = connect(emu, capsys)
    response = api.get_packages(limit=10)
    ids = [p["packageId"] for p in response.data]
    assert len(ids) == len(set(ids)) == 25
    assert emu.count(method="GET", path_prefix="/packages/v2") == 4  # page 1 twice, then 2 and 3


def test_sdk_retries_an_injected_503(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    api = connect(emu, capsys)
    emu.faults.fail_next(1, status=503, retry_after="0")
    response = api.get_item("packages", DEMO_PACKAGE_ID)
    assert response.status_code == 200
    assert [r.status for r in emu.requests if r.path.startswith("/packages")] == [503, 200]


def test_wrong_secret_is_refused(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError, match="Invalid JWT payload"):
        connect(emu, capsys, secret="definitely-not-the-demo-secret-0123456789")


def test_create_package(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """The SDK's create call gets the documented answer; the file then goes to uploadTo."""
    import hashlib

    import httpx

    api = connect(emu, capsys)
    data = b"print('hello world')\n"
    response = api.create_package(
        {
            "checksum": hashlib.sha256(data).hexdigest(),
            "packageDescriptor": {
                "name": "Test Package",
                "description": "This is a test package",
                "examples": [],
                "packageInfo": {
                    "fileType": "python",
                    "fileName": "hello_world.py",
                    "entryPoint": "",
                },
                "version": 1,
            },
        }
    )
    assert response.status_code == 201 and response.is_success
    assert set(response.data) == {"packageId", "packageUrl", "uploadTo"}
    assert httpx.put(response.data["uploadTo"], content=data, trust_env=False).status_code == 200
    assert api.get_item("packages", response.data["packageId"]).data["status"] == "success"
