"""The emulator's notion of time: an injectable clock and the API's timestamp format."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone

#: Epoch seconds. Tests inject a fake one so life cycles and expiry need no sleeping.
Clock = Callable[[], float]

# .NET-style 100 ns ticks: the 7-digit fraction seen elsewhere in this API family.
_TICKS_PER_SECOND = 10_000_000
_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z?$")


def format_timestamp(epoch: float) -> str:
    """``2026-11-27T19:58:04.1234567Z``: UTC, seven fraction digits, ``Z``."""
    ticks = round(epoch * _TICKS_PER_SECOND)
    seconds, fraction = divmod(ticks, _TICKS_PER_SECOND)
    base = datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{fraction:07d}Z"


def parse_timestamp(text: str) -> float | None:
    """Inverse of :func:`format_timestamp` (lenient on fraction length); None if unparseable."""
    match = _STAMP.match(text.strip())
    if match is None:
        return None
    try:
        whole = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    fraction = match.group(2) or "0"
    return whole.replace(tzinfo=timezone.utc).timestamp() + int(fraction) / float(
        10 ** len(fraction)
    )
