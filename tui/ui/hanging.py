"""Word wrap with a hanging indent: a help line's continuation goes under its text.

Help lines have a label column and a text column (``  c      Copy: …``); wrapped as
prose, the rest of the text started at column 0, under the labels. Here it starts
where the line's text does. Plain Python: the help view wraps with it at its width.
"""

from __future__ import annotations

import re

#: The label column (words one space apart), then two or more spaces before the text.
_COLUMNS = re.compile(r"^ *\S+(?: \S+)* {2,}(?=\S)")


def hang_column(line: str) -> int:
    """Where the continuation of ``line`` starts: its text column if it has a label
    column, else its own indent."""
    match = _COLUMNS.match(line)
    if match is not None:
        return match.end()
    return len(line) - len(line.lstrip(" "))


def wrap_hanging(line: str, width: int) -> list[str]:
    """``line`` wrapped at spaces to ``width`` characters, continuation lines indented
    to :func:`hang_column` (to the line's own indent where that leaves too little room);
    a word longer than the room left (a path) fills the line and goes on below."""
    width = max(width, 1)
    if len(line) <= width:
        return [line]
    indent = hang_column(line)
    if width - indent < max(width // 2, 10):
        indent = min(len(line) - len(line.lstrip(" ")), width // 2)
    parts: list[str] = []
    prefix, rest, room = "", line, width
    while len(rest) > room:
        cut = rest.rfind(" ", 0, room + 1)
        # Never break inside the label column; a cut there means a long word.
        if cut <= (indent if not parts else 0):
            parts.append(prefix + rest[:room])
            rest = rest[room:]
        else:
            parts.append(prefix + rest[:cut].rstrip(" "))
            rest = rest[cut:].lstrip(" ")
        prefix, room = " " * indent, width - indent
    if rest:
        parts.append(prefix + rest)
    return parts
