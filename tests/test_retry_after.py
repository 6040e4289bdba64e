"""``Retry-After`` in every form: parsed to a wait in [0, cap] without an exception, and
what a wait longer than a command can honour does to ``cypkg get`` and ``cypkg watch``.

Issue 10, point 3: a Retry-After of ``Fri, 31 Dec 9999 23:59:59 GMT`` crashed
``cypkg watch`` with ``internal error: OverflowError`` (``time.sleep`` of 2.5e11 s).
"""

from __future__ import annotations

import math
import re
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from cli_on_emulator import point_cli_at, run
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.api.client import CylanceClient
from tui.api.errors import RateLimited, ServerError
from tui.api.retry import MAX_RETRY_AFTER, RetryAfter, describe_wait, parse_retry_after
from tui.emulator import Emulator
from tui.emulator.seed import STARTED_SUCCESS_ID

FAR_FUTURE = "Fri, 31 Dec 9999 23:59:59 GMT"
#: 2025-06-02 14:04:10 UTC, a Monday.
NOW = datetime(2025, 6, 2, 14, 4, 10, tzinfo=timezone.utc).timestamp()

# --------------------------------------------------------------------------- the parser


def _holds(result: RetryAfter | None) -> None:
    """The promise: nothing, or a wait in [0, cap] no longer than what was asked."""
    if result is None:
        return
    assert isinstance(result.wait, float) and isinstance(result.asked, float)
    assert 0.0 <= result.wait <= MAX_RETRY_AFTER
    assert result.asked >= result.wait and not math.isnan(result.asked)
    assert result.beyond_cap == (result.asked > MAX_RETRY_AFTER)


@settings(max_examples=500, deadline=None)
@given(value=st.text(), now=st.floats(min_value=0, max_value=4e9))
def test_any_text_parses_to_a_bounded_wait_or_nothing(value: str, now: float) -> None:
    _holds(parse_retry_after(value, now))
    describe = parse_retry_after(value, now)
    if describe is not None:
        assert describe_wait(describe, now)  # a phrase for every wait, no exception either


@settings(max_examples=300, deadline=None)
@given(
    value=st.text(alphabet=st.sampled_from("0123456789 -+.,:\t\u00a0٣²:GMTSunDec"), max_size=40),
    now=st.floats(min_value=0, max_value=4e9),
)
def test_digit_like_text_parses_to_a_bounded_wait_or_nothing(value: str, now: float) -> None:
    _holds(parse_retry_after(value, now))


@settings(max_examples=300, deadline=None)
@given(
    seconds=st.one_of(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0)),
    pad=st.sampled_from(["", " ", "\t", "  \t "]),
)
def test_delta_seconds(seconds: int, pad: str) -> None:
    result = parse_retry_after(f"{pad}{seconds}{pad}", NOW)
    assert result is not None
    _holds(result)
    assert result.wait == min(seconds, MAX_RETRY_AFTER)
    assert result.asked == float(seconds) or (result.asked == math.inf and seconds > 10**15)


@settings(max_examples=100, deadline=None)
@given(seconds=st.integers(max_value=-1))
def test_negative_seconds_are_ignored(seconds: int) -> None:
    assert parse_retry_after(str(seconds), NOW) is None


def _imf(when: datetime) -> str:  # RFC 7231's preferred form
    return format_datetime(when, usegmt=True)


def _rfc850(when: datetime) -> str:  # obsolete: Sunday, 06-Nov-94 08:49:37 GMT
    return when.strftime("%A, %d-%b-%y %H:%M:%S GMT")


def _asctime(when: datetime) -> str:  # obsolete: Sun Nov  6 08:49:37 1994
    return when.strftime("%a %b ") + f"{when.day:2d}" + when.strftime(" %H:%M:%S %Y")


@settings(max_examples=300, deadline=None)
@given(
    when=st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(9999, 12, 31, 23, 59, 59),
        timezones=st.just(timezone.utc),
    ).map(lambda d: d.replace(microsecond=0)),
    form=st.sampled_from([_imf, _rfc850, _asctime]),
    now=st.floats(min_value=0, max_value=4e9),
)
def test_http_dates_in_all_three_forms(when: datetime, form: Any, now: float) -> None:
    if form is _rfc850 and not 1970 <= when.year <= 2068:
        # Two-digit years: 1970-2068. Day 28 at most, or 29 February could land on a
        # common year (2096-02-29 -> 1987).
        when = when.replace(year=1970 + when.year % 99, day=min(when.day, 28))
    result = parse_retry_after(form(when), now)
    assert result is not None, form(when)
    _holds(result)
    asked = max(when.timestamp() - now, 0.0)
    assert result.asked == pytest.approx(asked)
    assert result.wait == pytest.approx(min(asked, MAX_RETRY_AFTER))


@pytest.mark.parametrize(
    ("value", "wait", "asked"),
    [
        ("120", 120.0, 120.0),
        ("  120\t", 120.0, 120.0),
        ("0", 0.0, 0.0),
        ("86400", MAX_RETRY_AFTER, 86400.0),
        ("86401", MAX_RETRY_AFTER, 86401.0),
        ("9" * 5000, MAX_RETRY_AFTER, math.inf),  # int() refuses > 4300 digits
        (FAR_FUTURE, MAX_RETRY_AFTER, 253402300799.0 - NOW),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0, 0.0),  # past
        ("Sunday, 06-Nov-94 08:49:37 GMT", 0.0, 0.0),
        ("Sun Nov  6 08:49:37 1994", 0.0, 0.0),
        ("Mon, 02 Jun 2025 14:05:10 GMT", 60.0, 60.0),
        ("Mon, 02 Jun 2025 16:05:10 +0200", 60.0, 60.0),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0, 0.0),
    ],
)
def test_named_forms(value: str, wait: float, asked: float) -> None:
    result = parse_retry_after(value, NOW)
    assert result is not None
    assert result.wait == pytest.approx(wait) and result.asked == pytest.approx(asked)
    _holds(result)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "-5",
        "-0.5",
        "1.5",
        "1e3",
        "+30",
        "0x10",
        "٣",  # Arabic-Indic three: str.isdigit() says yes
        "²",  # superscript two: isdigit() yes, int() no
        "１２",  # full-width digits
        "soon",
        "Fri, 31 Dec 99999 23:59:59 GMT",
        "Fri, 32 Dec 2025 23:59:59 GMT",
        "Fri, 31 Foo 2025 23:59:59 GMT",
        "\x1b[2J",
        "12 34",
        "\u202e120",
    ],
)
def test_garbage_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


@pytest.mark.parametrize(
    ("asked", "phrase"),
    [
        (50.0, "until 14:05 UTC"),  # 14:05:00, on the minute
        (60.0, "until 14:06 UTC"),  # 14:05:10 → not before 14:06
        (12 * 3600.0, "until 2025-06-03 02:05 UTC"),  # another day: the date too
        (253402300799.0 - NOW, "until 9999-12-31 23:59 UTC, more than 24 h away"),
        (math.inf, "for more than 24 h"),
        (1e300, "for more than 24 h"),
    ],
)
def test_describe_wait(asked: float, phrase: str) -> None:
    retry = RetryAfter(min(asked, MAX_RETRY_AFTER), asked)
    assert describe_wait(retry, NOW) == phrase


# --------------------------------------------------------------------------- the client


def _client(answer: httpx.Response, sleeps: list[float], now: float) -> CylanceClient:
    """A client whose API answers ``answer`` every time (tokens are handed out)."""
    import jwt

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/v2/token":
            token = jwt.encode({"exp": int(now + 1800)}, "k" * 32, "HS256")
            return httpx.Response(200, json={"access_token": token})
        return answer

    return CylanceClient(
        "https://protectapi.cylance.com",
        "11111111-2222-3333-4444-555555555555",
        "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "s3cr3t-value-that-must-never-leak",
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
        clock=lambda: now,
    )


def test_client_reports_a_far_future_429_at_once_with_its_time() -> None:
    sleeps: list[float] = []
    answer = httpx.Response(429, headers={"Retry-After": FAR_FUTURE})
    with _client(answer, sleeps, time.time()) as client, pytest.raises(RateLimited) as err:
        client.get_package(STARTED_SUCCESS_ID)
    assert sleeps == [] and err.value.retry_after == MAX_RETRY_AFTER
    assert "until 9999-12-31 23:59 UTC, more than 24 h away" in str(err.value)


def test_client_names_the_time_a_503_asks_for() -> None:
    sleeps: list[float] = []
    answer = httpx.Response(503, headers={"Retry-After": "3600"})
    with _client(answer, sleeps, NOW) as client, pytest.raises(ServerError) as err:
        client.get_package(STARTED_SUCCESS_ID)
    assert sleeps == [] and err.value.retry_after == 3600.0
    assert "It asks to wait until 15:05 UTC." in str(err.value)


# --------------------------------------------------------------------------- the emulator fault


@pytest.mark.parametrize(
    "value", [FAR_FUTURE, "garbage", "-1", "9" * 300, " 2 ", "٣", "Sönntag", "\x7f"]
)
def test_emulator_answers_any_retry_after(emulator: Emulator, fake_clock: Any, value: str) -> None:
    """The fail fault sends the header as given (non-Latin-1 text as its UTF-8 bytes)."""
    from tui.emulator.testing import client_jwt

    emulator.faults.rate_limit_next(1, value)
    with httpx.Client(base_url=emulator.base_url, trust_env=False) as http:
        token = http.post("/auth/v2/token", json={"auth_token": client_jwt(now=fake_clock())})
        headers = {"Authorization": "Bearer " + token.json()["access_token"]}
        try:
            response = http.get(f"/packages/v2/{STARTED_SUCCESS_ID}", headers=headers)
        except httpx.RemoteProtocolError:
            # h11 refuses a control character in a header value: that is the client's side.
            assert value == "\x7f"
            return
    assert response.status_code == 429
    assert response.headers["Retry-After"] == value.strip()  # HTTP drops the padding


def test_emulator_refuses_a_retry_after_that_would_split_the_answer(emulator: Emulator) -> None:
    for value in ("1\r\nX-Injected: yes", "1\n", "1\r", "\x00"):
        with pytest.raises(ValueError, match="CR, LF or NUL"):
            emulator.faults.rate_limit_next(1, value)
    control = httpx.post(
        f"{emulator.base_url}/_emulator/faults",
        json={"rate_limit_next": {"n": 1, "retry_after": "1\r\nX: y"}},
        trust_env=False,
    )
    assert control.status_code == 400 and "CR, LF or NUL" in control.text


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator, fake_clock: Any) -> Emulator:
    """The CLI on the emulator; its waits move the fake clock (no real sleeping)."""
    return point_cli_at(monkeypatch, emulator, fake_clock)


def test_get_far_future_exits_6_at_once(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    env.faults.rate_limit_next(1, FAR_FUTURE)
    started = time.monotonic()
    code, out, err = run(capsys, "get", STARTED_SUCCESS_ID)
    assert code == 6 and out == ""
    assert "Rate limited by the API until 9999-12-31 23:59 UTC, more than 24 h away" in err
    assert env.count("GET") == 1 and time.monotonic() - started < 2


def test_get_an_hour_away_names_the_time(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    env.faults.rate_limit_next(1, "3600")
    asked = time.time() + 3600
    code, _, err = run(capsys, "get", STARTED_SUCCESS_ID)
    found = re.search(r"Rate limited by the API until (\d{4}-\d\d-\d\d )?(\d\d):(\d\d) UTC", err)
    assert code == 6 and found is not None, err
    when = datetime.fromtimestamp(asked, tz=timezone.utc)
    day = found[1].strip() if found[1] else f"{when:%Y-%m-%d}"  # no date: the same day
    shown = datetime.strptime(f"{day} {found[2]}:{found[3]} +0000", "%Y-%m-%d %H:%M %z")
    assert timedelta(0) <= shown - when.replace(microsecond=0) <= timedelta(seconds=60)
    assert "try again after that time" in err and env.count("GET") == 1


@pytest.mark.parametrize("ids", [1, 2])
def test_watch_far_future_gives_up_at_once_instead_of_crashing(
    env: Emulator, capsys: pytest.CaptureFixture[str], ids: int
) -> None:
    """Was: ``internal error: OverflowError``, exit 70, for one ID and for several."""
    from tui.emulator.seed import DEMO_PACKAGE_ID

    env.faults.rate_limit_next(1, FAR_FUTURE)
    argv = ["watch", STARTED_SUCCESS_ID] + ([DEMO_PACKAGE_ID] if ids == 2 else [])
    code, out, err = run(capsys, *argv)
    assert code == 6 and out == "", err
    assert (
        f"cypkg: {STARTED_SUCCESS_ID}: gave up at once (the wait asked for ends past "
        "--give-up-after 300); last error: Rate limited by the API until 9999-12-31 23:59 UTC"
    ) in err
    if ids == 2:  # the 429 holds the tenant's whole budget: the other one is held too
        assert f"cypkg: {DEMO_PACKAGE_ID}: gave up at once (the wait asked for" in err
    assert env.count("GET") == 1
