"""Get, list, create, upload and delete against the emulator, over real loopback sockets."""

from __future__ import annotations

import hashlib
import http.client
import re
from typing import Any

import httpx
import pytest

from tui.emulator import DEMO, Emulator
from tui.emulator.listing import SORT_FIELDS, field_value
from tui.emulator.seed import DEMO_PACKAGE_ID
from tui.emulator.testing import FakeClock

STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PAGE_SIZE_MESSAGE = "The page size requested is not supported."








def list_all(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/packages/v2", params={"page_size": 200, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["page_items"]
    return items


def private_keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [k for k in value if k.startswith("_")]
        return found + [k for v in value.values() for k in private_keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in private_keys(v)]
    return []


# -- get ----------------------------------------------------------------------


def test_get_serves_the_documented_fields(api: httpx.Client, emu: Emulator) -> None:
    response = api.get(f"/packages/v2/{DEMO_PACKAGE_ID}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    package = response.json()
    assert package["packageId"] == DEMO_PACKAGE_ID
    assert package["category"] in ("custom", "cylance")
    assert package["downloadUrl"].startswith(emu.base_url)
    assert isinstance(package["playbookCount"], int)
    assert isinstance(package["size"], int) and package["size"] > 0
    assert package["status"] == "success"
    assert isinstance(package["timeout"], int)
    assert set(package["uploadedBy"]) == {"id", "login"}
    assert package["uploadedBy"]["login"].endswith("@example.com")
    assert STAMP.match(package["uploadedOn"])
    descriptor = package["packageDescriptor"]
    assert set(descriptor) == {
        "description",
        "examples",
        "name",
        "packageInfo",
        "packageId",
        "version",
    }
    assert "\n" in descriptor["description"]
    assert descriptor["packageId"] == DEMO_PACKAGE_ID
    assert descriptor["version"] >= 1
    assert set(descriptor["packageInfo"]) == {"entryPoint", "fileName", "fileType"}
    assert descriptor["packageInfo"]["fileType"] == "python"
    assert 1 <= len(descriptor["examples"]) <= 6
    for example in descriptor["examples"]:
        assert set(example) == {"description", "invocationString"}
    assert private_keys(package) == []


def test_get_id_is_case_insensitive(api: httpx.Client) -> None:
    response = api.get(f"/packages/v2/{DEMO_PACKAGE_ID.upper()}")
    assert response.status_code == 200
    assert response.json()["packageId"] == DEMO_PACKAGE_ID


@pytest.mark.parametrize(
    "package_id",
    [
        "00000000-0000-4000-8000-000000000000",
        "not-a-uuid",
        DEMO_PACKAGE_ID.replace("-", ""),
        DEMO_PACKAGE_ID + "0",
        "%2e%2e%2fauth",
    ],
)
def test_get_unknown_or_malformed_is_404(api: httpx.Client, package_id: str) -> None:
    response = api.get(f"/packages/v2/{package_id}")
    assert response.status_code == 404
    assert response.json()["message"]


def test_unknown_paths_are_404_json(api: httpx.Client) -> None:
    response = api.get("/nothing/here")
    assert response.status_code == 404
    assert response.json()["message"]


def test_unsupported_method_is_405(api: httpx.Client) -> None:
    response = api.put(f"/packages/v2/{DEMO_PACKAGE_ID}", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, DELETE"


def test_store_add_serves_any_shape_without_private_keys(api: httpx.Client, emu: Emulator) -> None:
    package_id = emu.store.add(
        {
            "packageId": "AAAAAAAA-0000-4000-8000-000000000001",
            "status": "weird-new-status",
            "size": None,
            "extraField": [1, 2],
            "_finish_at": 5.0,
        }
    )
    assert package_id == "aaaaaaaa-0000-4000-8000-000000000001"
    served = api.get(f"/packages/v2/{package_id}").json()
    assert served == {
        "packageId": package_id,
        "status": "weird-new-status",
        "size": None,
        "extraField": [1, 2],
    }
    assert emu.store.get(package_id) == served
    assert emu.store.get("00000000-0000-4000-8000-000000000000") is None


# -- list ---------------------------------------------------------------------


def test_list_defaults_to_page_1_of_20_newest_first(api: httpx.Client, emu: Emulator) -> None:
    body = api.get("/packages/v2").json()
    assert body["page_number"] == 1
    assert body["page_size"] == 20
    assert body["total_number_of_items"] == len(emu.store) == 25
    assert body["total_pages"] == 2
    assert len(body["page_items"]) == 20
    stamps = [p["uploadedOn"] for p in body["page_items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert all(private_keys(p) == [] for p in body["page_items"])


def test_list_pages_cover_every_package_once(api: httpx.Client, emu: Emulator) -> None:
    seen: list[str] = []
    for page in (1, 2, 3):
        body = api.get("/packages/v2", params={"page": page, "page_size": 10}).json()
        assert body["page_number"] == page and body["total_pages"] == 3
        seen += [p["packageId"] for p in body["page_items"]]
    assert sorted(seen) == sorted(p["packageId"] for p in emu.store.all())
    beyond = api.get("/packages/v2", params={"page": 4, "page_size": 10}).json()
    assert beyond["page_items"] == [] and beyond["total_number_of_items"] == 25


@pytest.mark.parametrize("page_size", ["0", "-1", "201", "abc", "1.5", ""])
def test_unsupported_page_size_is_400(api: httpx.Client, page_size: str) -> None:
    response = api.get("/packages/v2", params={"page_size": page_size})
    assert response.status_code == 400
    assert response.json() == {"message": PAGE_SIZE_MESSAGE}


def test_page_size_200_is_allowed(api: httpx.Client) -> None:
    assert api.get("/packages/v2", params={"page_size": 200}).status_code == 200


@pytest.mark.parametrize("page", ["0", "-3", "first"])
def test_unsupported_page_is_400(api: httpx.Client, page: str) -> None:
    response = api.get("/packages/v2", params={"page": page})
    assert response.status_code == 400
    assert response.json()["message"]


@pytest.mark.parametrize("field", SORT_FIELDS)
@pytest.mark.parametrize("descending", [False, True])
def test_sort_by_each_documented_field(api: httpx.Client, field: str, descending: bool) -> None:
    items = list_all(api, sort=("-" if descending else "") + field)
    values = [field_value(p, field) for p in items]
    keys = [
        v.lower() if field in ("packageId", "uploadedBy.id", "uploadedBy.login") else v
        for v in values
    ]
    assert keys == sorted(keys, reverse=descending)


def test_sort_ties_are_broken_by_package_id(api: httpx.Client) -> None:
    items = list_all(api, sort="status")
    runs: dict[str, list[str]] = {}
    for p in items:
        runs.setdefault(p["status"], []).append(p["packageId"])
    assert all(ids == sorted(ids) for ids in runs.values())


@pytest.mark.parametrize("sort", ["name", "-", "category", "uploadedby.login"])
def test_unknown_sort_is_400(api: httpx.Client, sort: str) -> None:
    response = api.get("/packages/v2", params={"sort": sort})
    assert response.status_code == 400
    assert response.json()["message"]


def test_equality_filters(api: httpx.Client) -> None:
    failed = list_all(api, status="failed")
    assert len(failed) == 2 and {p["status"] for p in failed} == {"failed"}
    cylance = list_all(api, category="cylance")
    assert cylance and {p["category"] for p in cylance} == {"cylance"}
    mine = list_all(api, **{"uploadedBy.login": "J.Doe@example.com"})
    assert mine and {p["uploadedBy"]["login"] for p in mine} == {"j.doe@example.com"}
    both = list_all(api, status="success", category="cylance")
    assert {(p["status"], p["category"]) for p in both} == {("success", "cylance")}
    by_name = list_all(api, **{"packageDescriptor.name": "collect_triage"})
    assert [p["packageId"] for p in by_name] == [DEMO_PACKAGE_ID]
    assert list_all(api, timeout="300") and list_all(api, size="2481152")
    assert list_all(api, status="no-such-status") == []
    counted = api.get("/packages/v2", params={"status": "failed", "page_size": 1}).json()
    assert counted["total_number_of_items"] == 2 and counted["total_pages"] == 2


def test_unknown_query_parameters_are_ignored(api: httpx.Client) -> None:
    assert len(list_all(api, color="blue")) == 25


# -- create, upload, delete ---------------------------------------------------


def descriptor(name: str = "my_collector") -> dict[str, Any]:
    return {
        "name": name,
        "description": "Collects things.",
        "examples": [{"description": "run", "invocationString": "main.py --all"}],
        "packageInfo": {"entryPoint": "main.py", "fileName": f"{name}.zip", "fileType": "python"},
        "version": 2,
    }


def create(api: httpx.Client, data: bytes, **extra: Any) -> dict[str, Any]:
    body = {
        "checksum": hashlib.sha256(data).hexdigest(),
        "packageDescriptor": descriptor(),
        **extra,
    }
    response = api.post("/packages/v2", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_create_upload_success(api: httpx.Client, emu: Emulator, clock: FakeClock) -> None:
    data = b"PK\x03\x04 pretend zip " * 100
    created = create(api, data)
    package_id = created["packageId"]
    assert UUID.match(package_id)
    assert created["packageUrl"] == f"{emu.base_url}/packages/v2/{package_id}"
    assert created["uploadTo"].startswith(f"{emu.base_url}/_emulator/upload/{package_id}?")
    package = api.get(created["packageUrl"]).json()
    assert package["status"] == "started" and package["timeout"] == 300 and package["size"] == 0
    assert package["packageDescriptor"]["name"] == "my_collector"
    assert package["packageDescriptor"]["packageId"] == package_id
    assert package["uploadedBy"]["id"] == DEMO.app_id
    assert package["uploadedOn"].startswith("2027-01-15T08:00:00")
    assert private_keys(package) == []
    upload = httpx.put(created["uploadTo"], content=data, trust_env=False)
    assert upload.status_code == 200 and upload.json()["status"] == "success"
    package = api.get(created["packageUrl"]).json()
    assert package["status"] == "success" and package["size"] == len(data)
    assert httpx.get(package["downloadUrl"], trust_env=False).content == data
    again = httpx.put(created["uploadTo"], content=data, trust_env=False)
    assert again.status_code == 409


def test_upload_with_wrong_checksum_fails(api: httpx.Client) -> None:
    created = create(api, b"expected bytes")
    upload = httpx.put(created["uploadTo"], content=b"other bytes", trust_env=False)
    assert upload.status_code == 200 and upload.json()["status"] == "failed"
    assert api.get(created["packageUrl"]).json()["status"] == "failed"


def test_upload_to_unsigned_url_is_403(emu: Emulator) -> None:
    url = f"{emu.base_url}/_emulator/upload/00000000-0000-4000-8000-000000000000"
    assert httpx.put(url, content=b"x", trust_env=False).status_code == 403


def test_upload_url_signature_is_checked(
    api: httpx.Client, emu: Emulator, clock: FakeClock
) -> None:
    created = create(api, b"x")
    other = create(api, b"y")
    # Another package's signature, a changed expiry, a missing one: all refused.
    borrowed = created["uploadTo"].split("?")[0] + "?" + other["uploadTo"].split("?")[1]
    longer = created["uploadTo"].replace("expires=", "expires=9")
    for url in (borrowed, longer, created["uploadTo"].split("?")[0]):
        assert httpx.put(url, content=b"x", trust_env=False).status_code == 403
    clock.advance(3601)  # upload URLs live an hour
    assert httpx.put(created["uploadTo"], content=b"x", trust_env=False).status_code == 403
    assert emu.store.get(created["packageId"])["status"] == "timeout"  # type: ignore[index]


def test_upload_with_a_token_is_refused(api: httpx.Client, emu: Emulator) -> None:
    created = create(api, b"x")
    headers = {"Authorization": api.headers["Authorization"]}
    answer = httpx.put(created["uploadTo"], content=b"x", headers=headers, trust_env=False)
    assert answer.status_code == 400 and emu.transfers.authorization_seen == 1


def test_chunked_upload_is_read(api: httpx.Client) -> None:
    data = b"chunk-" * 5000
    created = create(api, data)
    upload = httpx.put(created["uploadTo"], content=iter([data[:7], data[7:]]), trust_env=False)
    assert upload.status_code == 200 and upload.json()["status"] == "success"


def test_create_takes_a_timeout(api: httpx.Client) -> None:
    created = create(api, b"x", timeout=42)
    assert api.get(created["packageUrl"]).json()["timeout"] == 42


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"packageDescriptor": descriptor()},
        {"checksum": "abc", "packageDescriptor": descriptor()},
        {"checksum": "g" * 64, "packageDescriptor": descriptor()},
        {"checksum": "a" * 64},
        {"checksum": "a" * 64, "packageDescriptor": "name"},
        {"checksum": "a" * 64, "packageDescriptor": {"description": "no name"}},
        {"checksum": "a" * 64, "packageDescriptor": descriptor(), "timeout": 0},
        {"checksum": "a" * 64, "packageDescriptor": descriptor(), "timeout": "soon"},
    ],
)
def test_invalid_create_is_400(api: httpx.Client, emu: Emulator, body: Any) -> None:
    response = api.post("/packages/v2", json=body)
    assert response.status_code == 400
    assert response.json()["message"]
    assert len(emu.store) == 25


def test_create_with_non_json_body_is_400(api: httpx.Client) -> None:
    assert api.post("/packages/v2", content=b"{").status_code == 400


def test_delete(api: httpx.Client, emu: Emulator) -> None:
    response = api.delete(f"/packages/v2/{DEMO_PACKAGE_ID}")
    assert response.status_code == 200 and response.json() == {}
    assert api.get(f"/packages/v2/{DEMO_PACKAGE_ID}").status_code == 404
    assert api.delete(f"/packages/v2/{DEMO_PACKAGE_ID}").status_code == 404
    assert len(emu.store) == 24


# -- HTTP behaviour ----------------------------------------------------------


def test_keep_alive_and_content_length(api: httpx.Client, emu: Emulator) -> None:
    token = api.headers["Authorization"]
    connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    sockets = []
    try:
        for path in (f"/packages/v2/{DEMO_PACKAGE_ID}", "/packages/v2/bad", "/packages/v2"):
            connection.request("GET", path, headers={"Authorization": token})
            sockets.append(connection.sock)
            response = connection.getresponse()
            body = response.read()
            assert response.getheader("Content-Length") == str(len(body))
            assert response.version == 11 and not response.will_close
        assert sockets[0] is not None
        assert all(sock is sockets[0] for sock in sockets)  # one connection served all
    finally:
        connection.close()
