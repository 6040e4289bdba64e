"""`--json` output: nothing but newlines from the server reaches the terminal, and it
still decodes to exactly what was sent.

JSON allows tab, CR and LF between tokens; a server that pads with ``\\r`` makes the
terminal return to the start of the line, so a later key overwrites what an earlier one
showed (``"status": "failed"`` drawn over by ``"status": "success"``). The printed text
keeps the value and rewrites the whitespace.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.api.errors import InvalidResponse
from tui.api.responses import parse_json
from tui.base.json_text import escape_json_text
from tui.base.safe_text import UNSAFE_CHARACTERS
from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID

_UNSAFE_BUT_NEWLINE = re.compile(f"(?!\n)[{UNSAFE_CHARACTERS}]")

#: JSON's whitespace, and the controls a lenient server might leave raw inside strings.
GAPS = st.text(alphabet=" \t\r\n", max_size=4)
CHARS = st.characters(codec=None, exclude_categories=())  # any code point, surrogates too
STRINGS = st.text(
    alphabet=st.one_of(CHARS, st.sampled_from('\r\t\n\x0b\x0c\x1b\x07\x85\u202e\\"')),
    max_size=12,
)
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | STRINGS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(STRINGS, children, max_size=4)
    ),
    max_leaves=12,
)


def dump(value: Any, draw: Any, *, raw_strings: bool) -> str:
    """``value`` as JSON text with drawn whitespace around every token.

    ``raw_strings`` writes strings as a lenient server might: only quote and backslash
    escaped, every other character (controls included) raw.
    """

    def gap() -> str:
        return str(draw(GAPS))

    def string(text: str) -> str:
        if raw_strings:
            return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return json.dumps(text, ensure_ascii=bool(draw(st.booleans())))

    def walk(item: Any) -> str:
        if isinstance(item, dict):
            members = [
                f"{gap()}{string(k)}{gap()}:{gap()}{walk(v)}{gap()}" for k, v in item.items()
            ]
            return "{" + (",".join(members) or gap()) + "}"
        if isinstance(item, list):
            return "[" + (",".join(f"{gap()}{walk(v)}{gap()}" for v in item) or gap()) + "]"
        if isinstance(item, str):
            return string(item)
        return json.dumps(item)

    return gap() + walk(value) + gap()


def no_controls(text: str) -> None:
    found = _UNSAFE_BUT_NEWLINE.search(text)
    assert found is None, f"{found.group()!r} at {found.start()} in {text!r}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES, data=st.data())
def test_printed_json_decodes_to_what_was_sent_and_holds_no_control(value: Any, data: Any) -> None:
    raw = dump(value, data.draw, raw_strings=False)
    sent = json.loads(raw)  # what the client accepts (strictly)
    printed = escape_json_text(raw)
    no_controls(printed)
    assert json.loads(printed) == sent


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES, data=st.data())
def test_raw_controls_inside_strings_become_escapes(value: Any, data: Any) -> None:
    """A lenient decoder's view of a body with raw controls in strings: kept, as escapes."""
    raw = dump(value, data.draw, raw_strings=True)
    printed = escape_json_text(raw)
    no_controls(printed)
    assert json.loads(printed) == json.loads(raw, strict=False)


@pytest.mark.parametrize("gap", ["\x0b", "\x0c", "\x1b[2J", "\x85", "\u2028"])
def test_other_controls_between_tokens_are_refused_by_the_client(gap: str) -> None:
    """Not JSON at all: the client says so, and nothing is printed."""
    with pytest.raises(InvalidResponse):
        parse_json('{"status": "failed",' + gap + '"name": "x"}')


def test_the_overwrite_trick_is_drawn_as_it_is() -> None:
    raw = '{"status": "failed",\r' + " " * 2 + '"status": "success"\t}\r\n'
    printed = escape_json_text(raw)
    assert printed == '{"status": "failed",\n  "status": "success" }\n'
    assert json.loads(printed) == json.loads(raw)


# --------------------------------------------------------------------------- end to end


def test_respace_fault(api: Any, emu: Emulator) -> None:
    """The emulator's fault: the real answer, CR and padding between its tokens."""
    path = f"/packages/v2/{DEMO_PACKAGE_ID}"
    plain = api.get(path)
    emu.faults.respace_next(1, "\r\t ")
    spaced = api.get(path)
    assert spaced.status_code == 200 and b",\r\t " in spaced.content
    assert spaced.content.startswith(b"\r\t {") and spaced.json() == plain.json()
    assert api.get(path).content == plain.content  # one answer only
    for bad in ("", "\x0b", " x "):
        with pytest.raises(ValueError, match="JSON whitespace"):
            emu.faults.respace_next(1, bad)
    answer = api.post("/_emulator/faults", json={"respace_next": {"n": 1, "whitespace": "\r"}})
    assert answer.json()["planned"][0]["whitespace"] == "\r"



@pytest.fixture
def cli_env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("CYPKG_")}
    env.update(
        CYPKG_API_URL=emulator.base_url,
        CYPKG_TENANT_ID=DEMO.tenant_id,
        CYPKG_APP_ID=DEMO.app_id,
        CYPKG_APP_SECRET=DEMO.app_secret,
    )
    return env


@pytest.mark.parametrize(
    "argv",
    [
        ["get", DEMO_PACKAGE_ID, "--json"],
        ["list", "--json", "--page-size", "3"],
        ["watch", DEMO_PACKAGE_ID, "--json"],
    ],
    ids=lambda argv: " ".join(a for a in argv if a != DEMO_PACKAGE_ID and not a.isdigit()),
)
def test_cr_padded_body_through_the_cli(
    emulator: Emulator, cli_env: dict[str, str], argv: list[str]
) -> None:
    padding = "\r" + " " * 30 + "\t\r\n\r"
    emulator.faults.respace_next(1, padding)
    served = emulator.store.get(DEMO_PACKAGE_ID) if argv[0] != "list" else None
    done = subprocess.run(
        [sys.executable, "-m", "tui", *argv],
        capture_output=True,
        env=cli_env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert emulator.faults.pending() == 0  # the padded answer was the one printed
    stray = sorted({b for b in done.stdout + done.stderr if b < 0x20} - {0x0A})
    assert stray == [], (stray, done.stdout[:200])
    text = done.stdout.decode("utf-8")
    printed = json.loads(text.splitlines()[0] if argv[0] == "watch" else text)
    if served is not None:
        assert printed == served
    else:
        assert len(printed["page_items"]) == 3


def test_a_raw_newline_inside_a_string_becomes_an_escape() -> None:
    """Found by Hypothesis: a body whose only control is a newline inside a string took
    the fast path and came out as it was (not JSON any more)."""
    raw = '{"name": "a\nb",\n "status": "started"}'
    printed = escape_json_text(raw)
    assert printed == '{"name": "a\\u000ab",\n "status": "started"}'
    assert json.loads(printed) == json.loads(raw, strict=False)
