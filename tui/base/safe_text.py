"""Make untrusted text inert before it reaches a terminal.

Every string that comes from the server (or from a file a user did not write
through cypkg) goes through :func:`inert` before it is printed or shown. The
result contains no C0/C1 control character, no DEL, no bidi override and no
zero-width formatting character: each is replaced by a visible stand-in, so an
``ESC ]52;…`` clipboard write or an ``ESC [2J`` shows up as text instead of
acting on the user's terminal. Markup is a separate concern: the TUI renders
the result as plain ``Content``/``Text``, never as markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# C0 controls (except none: tab and newline are handled by the caller's choice),
# DEL, C1 controls, the Unicode format characters that reorder or hide text (bidi
# controls, zero-width characters, invisible "tag" characters), the line and paragraph
# separators, and lone surrogates (JSON can carry them; no terminal encoding can).
UNSAFE_CHARACTERS = (
    "\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
    "\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f"
)
_UNSAFE = re.compile(f"[{UNSAFE_CHARACTERS}]")
_CONTROL_PICTURES = {i: chr(0x2400 + i) for i in range(0x20)}
_CONTROL_PICTURES[0x7F] = "\u2421"  # ␡


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code in _CONTROL_PICTURES:
        return _CONTROL_PICTURES[code]
    return f"<U+{code:04X}>"


def inert(value: object, *, keep_newlines: bool = False, limit: int | None = None) -> str:
    """Return ``value`` as text that cannot act on a terminal.

    ``keep_newlines`` keeps ``\\n`` (for multi-line fields such as a
    description); tabs become four spaces then. ``limit`` truncates to that
    many characters with an ellipsis, so a hostile 20 MB string cannot flood
    a one-line field.
    """
    text = value if isinstance(value, str) else str(value)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    if keep_newlines:
        text = text.replace("\r\n", "\n").replace("\t", "    ")
        return "\n".join(_UNSAFE.sub(_visible, line) for line in text.split("\n"))
    return _UNSAFE.sub(_visible, text)


def is_inert(text: str) -> bool:
    """True when ``text`` holds nothing that :func:`inert` would replace."""
    return _UNSAFE.search(text) is None


#: What a masked secret looks like; the same for every secret, whatever its length.
MASK = "********"
#: Pieces of a secret this long or longer are masked too; shorter ones reveal too little
#: to matter and would mask ordinary words by chance.
MIN_SECRET_PIECE = 10
#: Shorter "secrets" (a typo, a placeholder) are not masked at all: they would mangle text.
MIN_SECRET_LENGTH = 4


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret, and each piece of one, replaced by :data:`MASK`.

    Pieces because messages shorten what they quote (a 40-character cut of a pasted
    secret is still most of it); case-insensitive because a secret pasted into a base
    URL's host comes back lower-cased.
    """
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LENGTH:
            text = _mask_one(text, secret)
    return text


def _mask_one(text: str, secret: str) -> str:
    size = min(len(secret), MIN_SECRET_PIECE)
    folded = text.lower()
    if len(folded) != len(text):  # a few characters grow when lower-cased: compare as is
        folded = text
    wanted = secret.lower()
    pieces = {wanted[i : i + size] for i in range(len(wanted) - size + 1)}
    spans: list[list[int]] = []
    for start in range(len(text) - size + 1):
        if folded[start : start + size] in pieces:
            if spans and start <= spans[-1][1]:
                spans[-1][1] = start + size  # overlaps the previous piece: one span
            else:
                spans.append([start, start + size])
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end in spans:
        out += [text[last:start], MASK]
        last = end
    out.append(text[last:])
    return "".join(out)
