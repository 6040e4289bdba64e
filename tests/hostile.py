"""The hostile-data corpus: package bodies that attack or break the renderer and the parser.

One module, used by every test that feeds server data to cypkg (TUI tabs, title bar,
toasts, error panels, recent list, the CLI's get/list/watch and their ``--json``, and
the real app in a pseudo-terminal):

* :data:`STRING_CASES`: hostile text, each planted in *every* string field of a package
  by :func:`hostile_package`. Each case carries the raw byte sequences that must never
  reach a terminal (``raw``) and a plain ASCII tag that shows the value was drawn.
* :data:`VALUE_CASES`: wrong types, nulls, unknown enum values and extra fields.
* :data:`BODY_CASES`: whole response bodies that are not a package (20 MB, deeply
  nested, not UTF-8, an HTML error page, cut off, ...) and what the client must say.
* :func:`control_problems`: what in a captured terminal stream did not come from the
  terminal library itself (C1 controls, bidi and zero-width characters, OSC title or
  hyperlink sequences, stray C0 bytes).
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tui.base.safe_text import inert


@dataclass(frozen=True)
class Case:
    name: str
    value: str
    #: Byte sequences that, found in terminal output, mean the data acted on the terminal.
    raw: tuple[bytes, ...] = ()
    #: ASCII text inside the value that must show up on screen (proof it was drawn).
    tag: str = ""
    #: Not too long to show whole in one-line fields, where its inert form is looked for.
    long: bool = False

    @property
    def short(self) -> bool:
        return not self.long and len(self.shown) <= 60

    @property
    def shown(self) -> str:
        """The value as cypkg must show it: inert, so markup and escapes stay literal."""
        return inert(self.value)


ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"

STRING_CASES: tuple[Case, ...] = (
    # -- content markup: must show literally, never style, link or crash
    Case("markup_bold", "[b]BOLDTAG[/b] [i]x[/i]", tag="[b]BOLDTAG[/b]"),
    Case("markup_close_all", "[/]CLOSEALL", tag="[/]CLOSEALL"),
    Case("markup_close_named", "[/x]CLOSEX [/bold]", tag="[/x]CLOSEX"),
    Case("markup_link", "[link=https://evil.example/]LINKTAG[/link]", tag="[link=https://evil"),
    Case("markup_click", "[@click=app.quit]CLICKTAG[/]", tag="[@click=app.quit]CLICKTAG"),
    Case("markup_unclosed", "[UNCLOSED [b", tag="[UNCLOSED [b"),
    Case("markup_variables", "[$accent on red]VARTAG", tag="[$accent on red]VARTAG"),
    Case("rich_emoji_code", ":warning: EMOJICODE :smile:", tag=":warning: EMOJICODE"),
    # -- ANSI CSI: colour, cursor movement, screen clearing
    Case("sgr_colour", ESC + "[31mREDTAG" + ESC + "[0m", (b"\x1b[31mREDTAG",), "REDTAG"),
    Case(
        "csi_clear_screen",
        ESC + "[2J" + ESC + "[HCLEARTAG",
        (b"\x1b[2J\x1b[HCLEARTAG",),
        "CLEARTAG",
    ),
    Case(
        "csi_cursor",
        ESC + "[10;10HMOVETAG" + ESC + "[A" + ESC + "[K" + ESC + "[?25l",
        (b"\x1b[10;10HMOVETAG", b"\x1b[AMOVE"),
        "MOVETAG",
    ),
    Case("csi_alt_screen", ESC + "[?1049lALTTAG", (b"\x1b[?1049lALTTAG",), "ALTTAG"),
    # -- OSC: clipboard writes, title changes, hyperlinks; BEL and ST terminators
    Case("osc52_bel", ESC + "]52;c;SEVDTA==" + BEL, (b"\x1b]52;c;SEVDTA==",), "52;c;SEVDTA=="),
    Case("osc52_st", ESC + "]52;c;UFdORUQ=" + ST, (b"\x1b]52;c;UFdORUQ=",), "52;c;UFdORUQ="),
    Case("osc0_title_bel", ESC + "]0;PWNED" + BEL, (b"\x1b]0;PWNED",), "0;PWNED"),
    Case("osc2_title_st", ESC + "]2;PWNST" + ST, (b"\x1b]2;PWNST",), "2;PWNST"),
    Case(
        "osc8_hyperlink",
        ESC + "]8;;https://evil.example/" + ST + "OSC8TAG" + ESC + "]8;;" + ST,
        (b"\x1b]8;;https://evil",),
        "OSC8TAG",
    ),
    Case("dcs_query", ESC + "P+q544e" + ST + "DCSTAG", (b"\x1bP+q544e",), "DCSTAG"),
    # -- other control characters
    Case(
        "c0_controls",
        "C0TAG" + "".join(chr(c) for c in range(0x20) if c != 0x1B) + "END",
        (b"C0TAG\x00", b"\x07\x08\x09\x0a\x0b"),
        "C0TAG",
    ),
    Case("nul_byte", "NUL\x00NULTAG", (b"NUL\x00",), "NULTAG"),
    Case("backspace_overwrite", "SAFE\x08\x08\x08\x08EVILBS", (b"SAFE\x08",), "EVILBS"),
    Case("carriage_return", "REAL\rFAKECR", (b"REAL\rFAKE",), "FAKECR"),
    Case("del_char", "DEL\x7fDELTAG", (b"DEL\x7f",), "DELTAG"),
    Case("c1_csi", "\x9b31mC1CSITAG", ("\x9b31mC1".encode(),), "C1CSITAG"),
    Case("c1_osc", "\x9d0;C1OSCTAG\x9c", ("\x9d0;C1OSC".encode(),), "C1OSCTAG"),
    Case(
        "c1_all",
        "C1ALL" + "".join(chr(c) for c in range(0x80, 0xA0)),
        ("C1ALL\x80".encode(),),
        "C1ALL",
    ),
    # -- Unicode that reorders or hides text
    Case("bidi_override", "invoice\u202egpj.exeBIDITAG", ("\u202e".encode(),), "BIDITAG"),
    Case(
        "bidi_isolates",
        "ISO\u2066\u2067\u2068\u2069\u200e\u200f\u061cTAG",
        ("\u2066".encode(), "\u200f".encode()),
        "ISO",
    ),
    Case(
        "zero_width",
        "ZW\u200b\u200c\u200d\u2060\ufeffTAG",
        ("\u200b".encode(), "\ufeff".encode()),
        "ZW",
    ),
    # -- sizes and scripts that break layouts
    Case("emoji_and_wide", "EMOJI 😀👍🏽 中文字符 ＷＩＤＥ e\u0301 🇺🇸", tag="EMOJI 😀"),
    Case("combining_flood", "ZALGO" + "\u0336" * 300, tag="ZALGO", long=True),
    Case("long_word", "LONGWORD" + "W" * 60_000, tag="LONGWORDWWW", long=True),
    Case("long_line", "LONGLINE " + "lorem ipsum " * 8_000, tag="LONGLINE lorem", long=True),
    Case("many_lines", "MANYLINES" + "\nline" * 5_000, tag="MANYLINES", long=True),
    Case("empty", ""),
    Case("whitespace", " \t  \u3000 "),
    Case("html", "<script>alert(1)</script><b>HTMLTAG</b>", tag="<script>alert(1)</script>"),
    Case("format_strings", "%s%n{0}{__class__}%(x)sFMTTAG", tag="%s%n{0}{__class__}"),
)

#: The string fields of a package, as paths into its JSON object.
STRING_FIELDS: tuple[tuple[Any, ...], ...] = (
    ("category",),
    ("downloadUrl",),
    ("status",),
    ("uploadedOn",),
    ("uploadedBy", "id"),
    ("uploadedBy", "login"),
    ("packageDescriptor", "name"),
    ("packageDescriptor", "description"),
    ("packageDescriptor", "packageId"),
    ("packageDescriptor", "packageInfo", "entryPoint"),
    ("packageDescriptor", "packageInfo", "fileName"),
    ("packageDescriptor", "packageInfo", "fileType"),
    ("packageDescriptor", "examples", 0, "description"),
    ("packageDescriptor", "examples", 0, "invocationString"),
    ("packageDescriptor", "examples", 1, "invocationString"),
)


def base_package(package_id: str, status: str = "success") -> dict[str, Any]:
    """A well-formed package to plant hostile values in."""
    return {
        "category": "custom",
        "downloadUrl": "https://download.example/p.zip",
        "packageDescriptor": {
            "description": "plain",
            "examples": [
                {"description": "ex one", "invocationString": "main.py --one"},
                {"description": "ex two", "invocationString": "main.py --two"},
            ],
            "name": "plain",
            "packageInfo": {"entryPoint": "main.py", "fileName": "p.zip", "fileType": "python"},
            "packageId": package_id,
            "version": 1,
        },
        "packageId": package_id,
        "playbookCount": 2,
        "size": 4096,
        "status": status,
        "timeout": 300,
        "uploadedBy": {"id": "u-1", "login": "j.doe@example.com"},
        "uploadedOn": "2026-11-27T19:58:04Z",
    }


def _set(document: dict[str, Any], path: tuple[Any, ...], value: object) -> None:
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def hostile_package(
    case: Case, package_id: str, status: str = "success", *, keep_status: bool = True
) -> dict[str, Any]:
    """A package with ``case.value`` in every string field.

    The name gets an ``N`` in front, so a title that is only the name is never empty.
    With ``keep_status`` the status stays a real one (so polling and its end can be
    driven); the hostile value then goes into ``category`` as well, as always.
    """
    package = base_package(package_id, status)
    for path in STRING_FIELDS:
        if path == ("status",) and keep_status:
            continue
        value = "N" + case.value if path == ("packageDescriptor", "name") else case.value
        _set(package, path, value)
    return package


def case_id(index: int) -> str:
    """A fixed package ID per corpus entry."""
    return str(uuid.UUID(int=0xC0FFEE_0000 + index))


#: Wrong types, nulls, unknown values and extra fields: parsed leniently, shown safely.
VALUE_CASES: dict[str, dict[str, Any]] = {
    "all_null": {
        key: None
        for key in (
            "category",
            "downloadUrl",
            "packageDescriptor",
            "playbookCount",
            "size",
            "status",
            "timeout",
            "uploadedBy",
            "uploadedOn",
        )
    },
    "numbers_as_strings": {"size": "4096", "timeout": "300", "playbookCount": "7", "version": "3"},
    "strings_as_numbers": {"category": 5, "downloadUrl": 1.5, "uploadedOn": 1_790_000_000},
    "list_where_object": {"packageDescriptor": ["name", "x"], "uploadedBy": [1, 2, 3]},
    "object_where_string": {"category": {"a": 1}, "status": ["started"], "downloadUrl": {}},
    "booleans": {"size": True, "timeout": False, "playbookCount": True, "status": True},
    "huge_numbers": {"size": 10**40, "timeout": -(10**30), "playbookCount": 2**63},
    "negative_and_float": {"size": -5, "timeout": 2.5, "playbookCount": 1e308},
    "unknown_status": {"status": "Uploading[/]\x1b[31m"},
    "unknown_category": {"category": "experimental[b]"},
    "extra_fields": {"unexpectedField": {"deep": ["x"] * 50}, "__proto__": {"admin": True}},
    "examples_not_a_list": {"examples": "main.py --all"},
    "examples_mixed": {"examples": [None, 5, "plain string", {"invocationString": ["x"]}, []]},
    "bad_dates": {"uploadedOn": "2026-13-45T99:99:99Z"},
}


def value_package(name: str, package_id: str) -> dict[str, Any]:
    package = base_package(package_id)
    for key, value in VALUE_CASES[name].items():
        if key in ("version", "examples"):
            package["packageDescriptor"][key] = copy.deepcopy(value)
        else:
            package[key] = copy.deepcopy(value)
    return package


@dataclass(frozen=True)
class BodyCase:
    name: str
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    #: A fragment of the error message, or None when the body must parse as a package.
    error: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)


def _huge_body(megabytes: int = 20) -> bytes:
    package = base_package(str(uuid.UUID(int=0x20)))
    package["packageDescriptor"]["description"] = "x" * (megabytes * 1024 * 1024)
    return json.dumps(package).encode()


def _lone_surrogate_body(package_id: str) -> bytes:
    text = json.dumps(base_package(package_id), ensure_ascii=True)
    return text.replace('"plain"', '"SURR\\ud800\\udfff\\udc00TAG"').encode()


def body_cases(package_id: str) -> list[BodyCase]:
    """Whole bodies; built on demand (the 20 MB one is large)."""
    valid = json.dumps(base_package(package_id)).encode()
    return [
        BodyCase("huge_20mb", _huge_body(), error="larger than 16 MB"),
        BodyCase("deeply_nested_list", b"[" * 200_000 + b"]" * 200_000, error="nested too deeply"),
        BodyCase(
            "deeply_nested_object",
            b'{"packageId":' * 100_000 + b"1" + b"}" * 100_000,
            error="nested too deeply",
        ),
        BodyCase("not_utf8", valid.replace(b'"plain"', b'"\xff\xfe\xc0\xaf"'), error="UTF-8"),
        BodyCase("latin1", '{"category": "caf\xe9"}'.encode("latin-1"), error="UTF-8"),
        BodyCase(
            "html_error_page",
            b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1>\x1b]0;PWNED\x07</body></html>",
            content_type="text/html",
            error="HTML page",
        ),
        BodyCase(
            "html_without_content_type",
            b"  <html><body>Proxy login [b]x[/]</body></html>",
            content_type="application/json",
            error="HTML page",
        ),
        BodyCase("truncated", valid[: len(valid) // 2], error="cut off"),
        BodyCase("empty", b"", error="empty"),
        BodyCase("json_null", b"null", error="JSON null"),
        BodyCase("json_list", b"[1, 2, 3]", error="JSON list"),
        BodyCase("json_number", b"42", error="JSON int"),
        BodyCase("json_string", b'"\\u001b]0;PWNED\\u0007"', error="JSON str"),
        BodyCase("object_without_fields", b'{"message": "\\u001b[31mok"}', error="without any"),
        BodyCase("nan_and_infinity", valid.replace(b"4096", b"NaN").replace(b"300", b"Infinity")),
        BodyCase(
            "raw_controls_in_string",
            valid.replace(b'"plain"', b'"a\x1b]0;PWNED\x07b"'),
            error="not valid JSON",
        ),
        BodyCase("bom_prefixed", b"\xef\xbb\xbf" + valid, error="not valid JSON"),
        BodyCase("lone_surrogates", _lone_surrogate_body(package_id)),
        BodyCase("trailing_garbage", valid + b"\x1b]0;PWNED\x07", error="not valid JSON"),
        BodyCase("duplicate_keys", valid[:-1] + b', "status": "\\u001b[2Jtimeout"}'),
    ]


# -- inspecting what reached the terminal --------------------------------------------

#: What the app and its terminal library legitimately write: CSI sequences, OSC 52
#: (copy, base64 only), OSC 22 (pointer shape), the window title (OSC 2) and desktop
#: notifications (OSC 9/777) with printable text only, and a few two-byte escapes.
_PRINTABLE = rb"(?:[^\x00-\x1f\x7f\xc2]|\xc2[^\x80-\x9f])*"
_OWN_SEQUENCE = re.compile(
    rb"\x1b\[[0-9;?<>=:$ ]*[@-~]"  # CSI
    rb"|\x1b\]52;c;[A-Za-z0-9+/=]*\x07"  # OSC 52: the app's own copy
    rb"|\x1b\]22;[a-z-]*\x07"  # OSC 22: pointer shape
    rb"|\x1b\]2;" + _PRINTABLE + rb"\x07"  # OSC 2: the window title
    rb"|\x1b\](?:9|777);"
    + _PRINTABLE
    + rb"\x1b\\"  # OSC 9/777: notifications
    + rb"|\x1b[78=>()]B?"  # save/restore cursor, keypad modes, charset
)
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_FORMAT_CHARS = [
    ch.encode()
    for ch in (
        "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
        "\u2060\u2066\u2067\u2068\u2069\ufeff"
    )
]


def control_problems(stream: bytes) -> list[str]:
    """Everything in ``stream`` that no terminal library of ours writes by itself.

    Empty when the output is clean: every ESC starts a CSI sequence or one of the
    app's own OSC 52/22 writes, no other C0 control but CR, LF and BEL occurs, and no
    C1 control, bidi or zero-width character is present.
    """
    problems: list[str] = []
    rest = _OWN_SEQUENCE.sub(b"", stream)
    for index in [m.start() for m in re.finditer(rb"\x1b", rest)][:5]:
        problems.append(f"foreign escape sequence {rest[index : index + 24]!r}")
    stray = sorted({b for b in rest if b < 0x20 or b == 0x7F} - {0x0A, 0x0D, 0x07, 0x1B})
    if stray:
        problems.append(f"C0/DEL bytes {bytes(stray)!r}")
    for match in list(_C1_UTF8.finditer(stream))[:3]:
        problems.append(f"C1 control {match.group()!r} at {match.start()}")
    for char in _FORMAT_CHARS:
        if char in stream:
            problems.append(f"format character {char!r}")
    return problems


def leaks(stream: bytes, cases: tuple[Case, ...] | list[Case] = STRING_CASES) -> list[str]:
    """The planted raw sequences of ``cases`` found in ``stream``."""
    return [f"{case.name}: {raw!r}" for case in cases for raw in case.raw if raw in stream]


def iter_cases() -> Iterator[tuple[int, Case]]:
    return enumerate(STRING_CASES)
