"""The package parser: lenient per field, strict about the whole."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.api.errors import InvalidResponse
from tui.api.models import Package, Status, parse_package, parse_page, parse_timestamp

FULL = {
    "category": "custom",
    "downloadUrl": "https://example.com/p.zip",
    "packageDescriptor": {
        "description": "Collects things",
        "examples": [{"description": "Run it", "invocationString": "collect --all"}],
        "name": "collect",
        "packageInfo": {"entryPoint": "main.py", "fileName": "c.zip", "fileType": "python"},
        "packageId": "e378dacb-9324-453a-b8c6-5a8406952195",
        "version": 3,
    },
    "packageId": "e378dacb-9324-453a-b8c6-5a8406952195",
    "playbookCount": 4,
    "size": 2048,
    "status": "success",
    "timeout": 300,
    "uploadedBy": {"id": "u-1", "login": "j.doe@example.com"},
    "uploadedOn": "2026-11-27T19:58:04.1234567Z",
}


def test_every_documented_field() -> None:
    p = parse_package(FULL)
    assert p.package_id == FULL["packageId"] and p.status is Status.SUCCESS
    assert p.category == "custom" and p.download_url == "https://example.com/p.zip"
    assert p.playbook_count == 4 and p.size == 2048 and p.timeout == 300
    assert p.uploaded_by.id == "u-1" and p.uploaded_by.login == "j.doe@example.com"
    assert p.uploaded_on == datetime(2026, 11, 27, 19, 58, 4, 123456, tzinfo=timezone.utc)
    d = p.descriptor
    assert d.name == "collect" and d.version == 3 and d.description == "Collects things"
    assert d.examples[0].invocation_string == "collect --all"
    assert d.package_info.entry_point == "main.py" and d.package_info.file_type == "python"
    assert d.package_id == FULL["packageId"]


def test_missing_null_and_wrong_types_are_lenient() -> None:
    p = parse_package(
        {
            "packageId": "x",
            "status": "Uploading",
            "size": "12",
            "timeout": None,
            "playbookCount": True,
            "uploadedBy": ["not", "an", "object"],
            "packageDescriptor": {"examples": [None, "plain", {"description": 5}], "version": "2"},
            "extra": {"new": "field"},
        }
    )
    assert p.status is Status.UNKNOWN and p.status_text == "Uploading"
    assert p.size == 12 and p.timeout is None and p.playbook_count is None
    assert p.uploaded_by.login is None and p.uploaded_on is None
    assert p.descriptor.version == 2 and len(p.descriptor.examples) == 2
    assert p.descriptor.examples[1].description == "5"


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-27T19:58:04Z",
        "2026-11-27T19:58:04",
        "2026-11-27T19:58:04.1Z",
        "2026-11-27T19:58:04.1234567",
        "2026-11-27 19:58:04.123456+00:00",
        "2026-11-27T20:58:04+01:00",
        "2026-11-27T14:28:04-0530",
    ],
)
def test_uploaded_on_any_iso_form(text: str) -> None:
    parsed = parse_timestamp(text)
    assert parsed is not None
    assert parsed.replace(microsecond=0) == datetime(2026, 11, 27, 19, 58, 4, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30T00:00:00", "", None, [], {}, True])
def test_bad_dates_are_none(value: object) -> None:
    assert parse_timestamp(value) is None


@pytest.mark.parametrize("data", [[], "package", 3, None, {"message": "Forbidden"}, {}])
def test_not_a_package(data: object) -> None:
    with pytest.raises(InvalidResponse):
        parse_package(data)


def test_page_skips_bad_items() -> None:
    page = parse_page({"page_items": [FULL, 7, {"nothing": 1}], "total_pages": "2"})
    assert len(page.items) == 1 and page.total_pages == 2
    with pytest.raises(InvalidResponse):
        parse_page({"items": []})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=30,
)
package_like = st.fixed_dictionaries(
    {},
    optional={key: json_values for key in FULL}
    | {
        "packageDescriptor": st.dictionaries(
            st.sampled_from(["name", "examples", "packageInfo", "version", "description"]),
            json_values,
        )
    },
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, package_like))
def test_parser_returns_package_or_invalid_response(data: object) -> None:
    try:
        result = parse_package(data, raw=json.dumps(data))
    except InvalidResponse:
        return
    assert isinstance(result, Package)
    assert isinstance(result.status, Status)


# -- the client's whole decode path: bytes off the wire -> Package or InvalidResponse -------

_PID = "e378dacb-9324-453a-b8c6-5a8406952195"
_CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/html", "text/plain", ""]
)
wire_bodies = st.one_of(
    st.binary(max_size=2048),
    json_values.map(lambda v: json.dumps(v).encode()),
    package_like.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    # Valid packages cut short, or with bytes spliced in.
    st.tuples(package_like, st.integers(0, 400), st.binary(max_size=8)).map(
        lambda t: (lambda b: b[: t[1]] + t[2] + b[t[1] :])(json.dumps(t[0]).encode())
    ),
)


_ANSWER: dict[str, object] = {}


def _answering_client():  # type: ignore[no-untyped-def]
    """One client (building one costs more than a request) that answers with _ANSWER."""
    import httpx

    from tui.api.auth import TokenCache
    from tui.api.client import CylanceClient

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/v2/token":
            return httpx.Response(200, json={"access_token": "a.b.c"})
        content_type = str(_ANSWER["content_type"])
        headers = {"Content-Type": content_type} if content_type else {}
        return httpx.Response(200, content=_ANSWER["body"], headers=headers)  # type: ignore[arg-type]

    return CylanceClient(
        "https://protectapi.cylance.com",
        "11111111-2222-4333-8444-555555555555",  # IDs are UUIDs, or nothing is signed
        "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        "s",
        token_cache=TokenCache(None),
        transport=httpx.MockTransport(handler),
        sleep=lambda seconds: None,
    )


@pytest.fixture(scope="module")
def answering_client():  # type: ignore[no-untyped-def]
    with _answering_client() as client:
        yield client


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=wire_bodies, content_type=_CONTENT_TYPES)
def test_client_decode_path_returns_package_or_invalid_response(
    answering_client,
    body: bytes,
    content_type: str,  # type: ignore[no-untyped-def]
) -> None:
    _ANSWER.update(body=body, content_type=content_type)
    try:
        result = answering_client.get_package(_PID)
    except InvalidResponse as exc:
        assert str(exc) and exc.title == "Invalid response"
        return
    assert isinstance(result, Package) and isinstance(result.status, Status)
    assert result.raw == body.decode("utf-8")  # kept exactly as received, for --json
