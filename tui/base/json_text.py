"""JSON text made safe for a terminal, decoding to exactly the same value (``--json``
output and the Raw tab). No Textual."""

from __future__ import annotations

import re

from tui.base.safe_text import UNSAFE_CHARACTERS

_UNSAFE_IN_JSON = re.compile(f"[{UNSAFE_CHARACTERS}]")
_UNSAFE_BUT_NEWLINE = f"(?!\n)[{UNSAFE_CHARACTERS}]"
# A string token (its escapes included), or something between tokens that needs rewriting:
# CR (CRLF too), tab, or any other unsafe character. A newline between tokens is left be.
_JSON_REWRITE = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")|\r\n?|' + _UNSAFE_BUT_NEWLINE, re.DOTALL)
# A newline counts here: between tokens it is left be, but inside a string (a lenient
# server's) it must become an escape.
_NEEDS_REWRITE = _UNSAFE_IN_JSON


def escape_json_text(raw: str) -> str:
    """JSON text made safe for a terminal, decoding to exactly the same value.

    Inside strings, terminal-unsafe characters become ``\\uXXXX`` escapes (valid JSON
    has none raw there, but a lenient server may send them): the same characters.
    Between tokens, JSON whitespace may hold CR and tab; a CR sends the cursor back
    to the start of the line, so what follows overwrites what was drawn. There, CR
    and CRLF become a newline and a tab a space: whitespace either way. Nothing but
    newlines is left of the C0 controls.
    """
    if _NEEDS_REWRITE.search(raw) is None:
        return raw  # most bodies: one scan, rather than a call per string token
    return _JSON_REWRITE.sub(_rewrite, raw)


def _rewrite(match: re.Match[str]) -> str:
    string = match.group(1)
    if string is not None:
        return _UNSAFE_IN_JSON.sub(_json_escape, string)
    char = match.group()
    if char[0] == "\r":
        return "\n"
    if char == "\t":
        return " "
    return _json_escape(match)  # not JSON whitespace: the client refuses such a body anyway


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON spells these as a UTF-16 surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"
