"""How values read to a person: sizes, durations, times, statuses.

Pure functions shared by the CLI and the TUI, so both say the same thing the
same way. Server text passes through :func:`tui.base.safe_text.inert` here too.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone

from tui.api.models import Package, Status
from tui.base.safe_text import inert
from tui.polling.history import SeenStatus

#: Symbol and word for each status: readable without colour.
STATUS_LABELS: dict[Status, tuple[str, str]] = {
    Status.STARTED: ("◷", "started"),
    Status.SUCCESS: ("✔", "success"),
    Status.FAILED: ("✘", "failed"),
    Status.TIMEOUT: ("⌛", "timeout"),
    Status.UNKNOWN: ("?", "unknown"),
}
MISSING = "—"


def status_label(package: Package) -> str:
    """``✔ success``; an unknown status shows the text the server sent."""
    symbol, word = STATUS_LABELS[package.status]
    if package.status is Status.UNKNOWN and package.status_text:
        word = inert(package.status_text, limit=40)
    return f"{symbol} {word}"


def text(value: object, *, limit: int | None = 2000) -> str:
    """A field for display: inert, or a dash when missing."""
    if value is None or value == "":
        return MISSING
    return inert(value, limit=limit)


def human_size(size: int | None) -> str:
    if size is None:
        return MISSING
    if size < 0:
        return f"{size:,} bytes"
    units = ("bytes", "KiB", "MiB", "GiB", "TiB")
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            human = f"{size:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
            break
        value /= 1024
    return human if size < 1024 else f"{human} ({size:,} bytes)"


def transfer_size(count: float) -> str:
    """``12.3 MB``, ``4.0 kB``, ``512 B``: decimal units, like curl's and the rates beside them."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    if count >= 1000:
        return f"{count / 1000:.1f} kB"
    return f"{int(count)} B"


def eta_clock(seconds: float) -> str:
    """``0:04``, ``1:02:03``: time left, as a clock."""
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02}:{rest % 60:02}" if hours else f"{rest // 60}:{rest % 60:02}"


def human_duration(seconds: float | None) -> str:
    """``4m 10s``, ``2h 5m``, ``3d 4h``; ``—`` when unknown."""
    if seconds is None:
        return MISSING
    total = int(max(seconds, 0))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m {secs}s" if secs else f"{minutes}m"
    return f"{secs}s"


def format_utc(when: datetime | None) -> str:
    if when is None:
        return MISSING
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_local(when: datetime | None) -> str:
    if when is None:
        return MISSING
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()


#: Past this age, :func:`ago` gives the date instead of a duration.
AGE_AS_DATE = 7 * 86_400.0


def ago(when: datetime | None, now: datetime, *, whole_minutes: bool = False) -> str:
    """``4m 10s ago``; with ``whole_minutes``, ``4m ago`` (text that changes once a minute);
    ``on 2018-05-08`` past a week."""
    if when is None:
        return MISSING
    delta = (now - when).total_seconds()
    if delta >= AGE_AS_DATE:
        # "3125d 19h ago" reads better as the day it was (UTC, as the upload times are shown).
        return f"on {when.astimezone(timezone.utc):%Y-%m-%d}"
    if whole_minutes:
        if abs(delta) < 60:
            return "less than a minute ago" if delta >= 0 else "in less than a minute"
        delta = math.copysign(abs(delta) // 60 * 60, delta)
    if delta < 0:
        return f"in {human_duration(-delta)}"
    return f"{human_duration(delta)} ago"


def until_label(when: datetime, now: datetime) -> str:
    """When a wait ends, local time rounded up to the minute ("until" means not before):
    ``14:05`` the same day as ``now``, ``Tue 14:05`` another (waits last a day at most)."""
    local = when.astimezone()
    if local.second or local.microsecond:
        with contextlib.suppress(OverflowError):
            local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if local.date() == now.astimezone().date():
        return f"{local:%H:%M}"
    return f"{local:%a %H:%M}"


def uploaded_on(package: Package) -> str:
    """The upload time in UTC, or the raw text when it could not be parsed."""
    if package.uploaded_on is not None:
        return format_utc(package.uploaded_on)
    return text(package.uploaded_on_text, limit=64)


def progress(
    package: Package, now: datetime, *, step: Callable[[float], float] | float = 1
) -> tuple[float, str] | None:
    """Elapsed time against ``timeout`` while started: (fraction, "4m 10s of 5m").

    ``step``: the text and the fraction show the elapsed seconds rounded down to
    a multiple of it (or of ``step(seconds)``), so they change only that often:
    every change is bytes written to the terminal, over SSH for hours.
    """
    if package.status is not Status.STARTED:
        return None
    elapsed = package.elapsed(now)
    if elapsed is None:
        return None
    seconds = elapsed.total_seconds()
    unit = step(seconds) if callable(step) else step
    shown = seconds // unit * unit if unit > 0 and seconds > 0 else seconds
    if not package.timeout or package.timeout <= 0:
        return (0.0, f"{human_duration(shown)} elapsed")
    fraction = min(shown / package.timeout, 1.0)
    return (fraction, f"{human_duration(shown)} of {human_duration(package.timeout)}")


def watch_step(seconds: float) -> float:
    """The watchlist's elapsed steps: 10 s in the first minute, then whole minutes."""
    return 10.0 if seconds < 60 else 60.0


def upload_took(package: Package, seen: Sequence[SeenStatus]) -> str:
    """How long a finished upload took, for the watchlist's Elapsed column.

    The API gives no end time: when this session saw the package ``started`` and then
    finished, the upload ended at most at the answer that first said so (``took ≤4m 10s``,
    one poll interval at most too long). Finished before it was first seen, or without
    ``uploadedOn``, nobody can tell: ``took: unknown``, never a made-up figure.
    """
    unknown = "took: unknown"
    if package.uploaded_on is None or len(seen) < 2:
        return unknown
    before, last = seen[-2], seen[-1]
    if last.status is not package.status or before.status is not Status.STARTED:
        return unknown
    took = last.at - package.uploaded_on.timestamp()
    return f"took ≤{human_duration(took)}" if took >= 0 else unknown
