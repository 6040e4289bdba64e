"""Package-ID validation, the base-URL policy and inert text."""

from __future__ import annotations

import pytest

from tui.api.errors import ConfigError, InvalidPackageId
from tui.api.ids import extract_package_id, normalize_package_id
from tui.api.urls import REGIONS, normalize_base_url, region_by_code
from tui.safe_text import inert, is_inert

PID = "e378dacb-9324-453a-b8c6-5a8406952195"


@pytest.mark.parametrize(
    "value",
    [PID, PID.upper(), f"  {PID}\n", PID.replace("-", ""), "{" + PID + "}", f"urn:uuid:{PID}"],
)
def test_valid_ids_normalise(value: str) -> None:
    assert normalize_package_id(value) == PID


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "..",
        "../" + PID,
        "%2e%2e",
        PID + "/",
        PID + "?x=1",
        PID + "#f",
        PID[:-1],
        PID + "0",
        "e378dacb-9324-453a-b8c6-5a840695219５",  # fullwidth digit look-alike
        "e378dacb\u20139324-453a-b8c6-5a8406952195",  # en dash
        "g378dacb-9324-453a-b8c6-5a8406952195",
        PID[:8] + "-" + PID[9:].replace("-", ""),  # mixed dash forms
        "a" * 10_000,
        "\x1b]52;c;AAAA\x07",
    ],
)
def test_invalid_ids_refused_with_clear_message(value: str) -> None:
    with pytest.raises(InvalidPackageId) as err:
        normalize_package_id(value)
    message = str(err.value)
    assert message and is_inert(message) and len(message) < 200


def test_pasted_urls_yield_the_id() -> None:
    for url in [
        f"https://protectapi.cylance.com/packages/v2/{PID}",
        f"https://protectapi-euc1.cylance.com/packages/v2/{PID.upper()}/",
        f"http://127.0.0.1:8765/packages/v2/{PID}?x=1#y",
    ]:
        assert extract_package_id(url) == PID
    with pytest.raises(InvalidPackageId):
        extract_package_id("https://protectapi.cylance.com/devices/v2/" + PID)
    with pytest.raises(InvalidPackageId):
        extract_package_id("https://x/packages/v2/%2e%2e")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://protectapi.cylance.com/", "https://protectapi.cylance.com"),
        ("HTTPS://ProtectAPI.cylance.com", "https://protectapi.cylance.com"),
        ("https://proxy.corp.example:8443/cylance", "https://proxy.corp.example:8443/cylance"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://127.1.2.3", "http://127.1.2.3"),
        ("http://localhost:9/", "http://localhost:9"),
        ("http://[::1]:8765", "http://[::1]:8765"),
    ],
)
def test_base_url_accepted(url: str, expected: str) -> None:
    assert normalize_base_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "protectapi.cylance.com",
        "ftp://protectapi.cylance.com",
        "http://protectapi.cylance.com",
        "http://127.0.0.1.evil.example",
        "http://localhost.evil.example",
        "http://10.0.0.1",
        "http://[::2]",
        "https://user:pw@protectapi.cylance.com",
        "https://protectapi.cylance.com@evil.example",
        "https://protectapi.cylance.com/?x=1",
        "https://protectapi.cylance.com/#x",
        "https://protectapi.cylance.com/a/../b",
        "https://protectapi.cylance.com/%2e%2e",
        "https://protectapi.cylance.com /x",
        "https://protectapi.cylance.сom",  # Cyrillic es
        "https://protectapi.cylance.com:99999",
        "https://" + "a" * 3000,
    ],
)
def test_base_url_refused(url: str) -> None:
    with pytest.raises(ConfigError) as err:
        normalize_base_url(url)
    assert str(err.value)


def test_regions() -> None:
    assert len(REGIONS) == 6
    assert region_by_code("NA").url == "https://protectapi.cylance.com"
    assert region_by_code("us-gov").url == "https://protectapi.us.cylance.com"
    with pytest.raises(ConfigError):
        region_by_code("mars")


@pytest.mark.parametrize(
    "hostile",
    [
        "\x1b[31mred\x1b[0m",
        "\x1b]52;c;ZXZpbA==\x07",
        "\x1b]0;pwned\x1b\\",
        "a\u202eb",
        "zero\u200bwidth",
        "c1\x9bcontrol",
        "del\x7f",
        "bell\x07",
    ],
)
def test_inert_leaves_no_control_characters(hostile: str) -> None:
    shown = inert(hostile)
    assert is_inert(shown)
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown


def test_inert_keeps_newlines_when_asked_and_limits() -> None:
    assert inert("a\nb\tc", keep_newlines=True) == "a\nb    c"
    assert "\n" not in inert("a\nb")
    assert inert("x" * 100, limit=10) == "x" * 9 + "…"
