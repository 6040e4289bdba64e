"""CPU time and memory of a process, read from Linux's /proc (no dependency needed)."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
MB = 1024.0 * 1024.0


def cpu_seconds(pid: int | str = "self", *, children: bool = False) -> float:
    """User plus system CPU time of every thread of ``pid`` so far, in seconds.

    With ``children``, also that of its children it has waited for (``watch``
    runs a shell and curl for each poll: their time is the anchor's too).
    """
    text = Path(f"/proc/{pid}/stat").read_text()
    # Fields after "(comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    fields = text[text.rfind(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / _TICKS


def _status_kb(pid: int | str, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(f"{key} not in /proc/{pid}/status")


def rss_bytes(pid: int | str = "self") -> int:
    """Resident set size now."""
    return _status_kb(pid, "VmRSS") * 1024


def peak_rss_bytes(pid: int | str = "self") -> int:
    """The highest resident set size so far (the high-water mark)."""
    return _status_kb(pid, "VmHWM") * 1024


def available() -> bool:
    return Path("/proc/self/stat").exists()
