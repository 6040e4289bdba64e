"""Package-ID validation, the base-URL policy and inert text."""

from __future__ import annotations

import pytest

from tui.api.errors import ConfigError, InvalidPackageId
from tui.api.ids import extract_package_id, normalize_package_id
from tui.api.urls import REGIONS, normalize_base_url, region_by_code
from tui.base.safe_text import inert, is_inert

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


# -- gaps: more tricky IDs and base URLs, and the same through the TUI's inputs ----------

TRICKY_IDS = [
    "e378dacb 9324-453a-b8c6-5a8406952195",  # a space inside
    "e378dacb-9324-453a-b8c6-5a8406952195\n../x",
    "e378dacb-9324-453a-b8c6-5a84069521\t95",
    "е378dacb-9324-453a-b8c6-5a8406952195",  # Cyrillic ie
    "e378dacb-9324-453a-b8c6-5a840695219\u200b5",  # zero-width space
    "e378dacb-9324-453a-b8c6-5a8406952195\u202e",  # bidi override
    "e378dacb-9324-453a-b8c6-5a8406952195%00",
    "e378dacb-9324-453a-b8c6-5a8406952195;rm -rf /",
    "/" + PID,
    "?" + PID,
    "#" + PID,
    PID + "/..",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f" + PID,
    "{" + PID,
    "urn:uuid:",
    "\x1b[2J" + PID,
]


@pytest.mark.parametrize("value", TRICKY_IDS)
def test_more_invalid_ids(value: str) -> None:
    with pytest.raises(InvalidPackageId) as err:
        extract_package_id(value)
    assert is_inert(str(err.value)) and len(str(err.value)) < 200


@pytest.mark.parametrize(
    "url",
    [
        f"https://protectapi.cylance.com/packages/v2/{PID}/../{'0' * 8}-0000-4000-8000-{'0' * 12}",
        f"https://protectapi.cylance.com/packages/v2/{PID}%2f",
        f"https://protectapi.cylance.com/packages/v2/..%2f{PID}",
        f"https://protectapi.cylance.com/packages/v1/{PID}",
        "https://protectapi.cylance.com/packages/v2/" + "a" * 3000,
    ],
)
def test_package_urls_that_are_not(url: str) -> None:
    with pytest.raises(InvalidPackageId):
        extract_package_id(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://[::1]", "http://[::1]"),
        ("http://LOCALHOST:8765", "http://localhost:8765"),
        ("  https://protectapi.cylance.com\n", "https://protectapi.cylance.com"),
        ("https://[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_more_base_urls_accepted(url: str, expected: str) -> None:
    assert normalize_base_url(url) == expected


TRICKY_URLS = [
    "http://user@127.0.0.1:8765",
    "http://127.0.0.1:8765@evil.example",
    "https://protectapi.cylance.com%40evil.example",
    "https://protectapi.cylance.com\\@evil.example",
    "http://127.1",
    "http://0x7f000001",
    "http://2130706433",
    "http://017700000001",
    "http://127.0.0.1.nip.io",
    "http://[::1].evil.example",
    "http://[::ffff:7f00:1]x",
    "http://localhost:8765.evil.example",
    "https://protectapi.cylance.com/%2e%2e/admin",
    "https://protectapi.cylance.com/./x",
    "https://protectapi.cylance.com?",
    "https://protectapi.cylance.com#",
    "https://protectapi\u3002cylance.com",  # ideographic full stop
    "https://protectapi.cylance.com\u200b",
    "https://protectapi.cylance.com/\x1b[31m",
    "https://protect api.cylance.com",
    "https:///packages",
    "https://protectapi.cylance.com:port",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "//protectapi.cylance.com",
    "https://" + "a." * 1100 + "com",
]


@pytest.mark.parametrize("url", TRICKY_URLS)
def test_more_base_urls_refused(url: str) -> None:
    with pytest.raises(ConfigError) as err:
        normalize_base_url(url)
    assert is_inert(inert(str(err.value)))


async def test_tricky_ids_in_the_lookup_input(make_app, emulator, screen_text, wait_until) -> None:  # type: ignore[no-untyped-def]
    """Typed or pasted into the lookup screen: explained, inert, and no request made."""
    from tui.ui.screens.lookup import LookupScreen

    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#package-input")
        feedback = app.screen.query_one("#id-feedback")
        values = [*TRICKY_IDS, "../../etc/passwd", "https://evil.example/packages/v2/x"]
        for index, value in enumerate(values):
            field.value = value  # as if typed or pasted: validated on every change
            await wait_until(
                pilot,
                lambda: not feedback.current.plain.startswith("Type"),
                what=f"the lookup screen to judge {value!r}",
            )
            text = feedback.current.plain
            assert text.startswith("✘") and is_inert(text), (value, text)
            if index % 6 == 0:
                await pilot.press("enter")  # Enter on an invalid ID goes nowhere
                assert isinstance(app.screen, LookupScreen), value
            field.value = ""
            await wait_until(
                pilot,
                lambda: feedback.current.plain.startswith("Type"),
                what="the lookup hint to come back after clearing the field",
            )
        await app.workers.wait_for_complete()
    assert emulator.count() == 0


async def test_tricky_base_urls_in_the_settings_form(make_app, emulator_profile) -> None:  # type: ignore[no-untyped-def]
    """The settings form refuses them, says why, and writes nothing."""
    from tui.config import config_path
    from tui.ui.screens.settings import CUSTOM, SettingsScreen

    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        screen.query_one("#region").value = CUSTOM
        await pilot.pause()
        for url in [*TRICKY_URLS[:12], "http://protectapi.cylance.com", "http://10.0.0.1"]:
            screen.query_one("#base_url").value = url
            screen.action_save()
            errors = screen.query_one("#form-errors")
            assert errors.display and "✘" in errors.current.plain, url
            assert is_inert(errors.current.plain)
            assert screen.query_one("#base_url").has_class("-invalid")
        assert not config_path().exists()
        assert app.profile == emulator_profile  # nothing was applied either
