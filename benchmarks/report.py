"""BENCHMARKS.md: the table, what each baseline is, the machine, and how to rerun."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from benchmarks.core import Figure, Sizes
from benchmarks.workspace import ROOT

RERUN = """\
```sh
pip install -e '.[test]'          # cypkg and its dependencies; the suite needs nothing more
python -m benchmarks              # the full run (about 5 minutes), rewrites BENCHMARKS.md
python -m benchmarks --quick      # tiny sizes and short windows, prints the table only
python -m benchmarks --only startup,lookup   # some parts: startup lookup detail big idle
                                             # longrun polling
python -m benchmarks --help
```

Linux only (pseudo-terminals, /proc). Close other busy programs first: every
figure is a ratio to a baseline measured in the same run, but a loaded
machine still adds noise. `tests/test_benchmarks_smoke.py` runs every
benchmark once at a tiny size (no timings asserted) so the suite cannot rot.
"""


def _key(figure: Figure) -> tuple[int, str]:
    digits = "".join(ch for ch in figure.key if ch.isdigit())
    return (int(digits or 0), figure.key)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(figures: Sequence[Figure]) -> str:
    rows = [
        "| # | Figure | cypkg | Baseline | Ratio | Goal | Met? |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for f in sorted(figures, key=_key):
        cells = (
            f.key,
            f.title,
            f.shown_value(),
            f.shown_baseline(),
            f.shown_ratio(),
            f.goal,
            f.shown_met(),
        )
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows)


def notes(figures: Sequence[Figure]) -> str:
    lines = []
    for f in sorted(figures, key=_key):
        parts = []
        if f.baseline_label:
            parts.append(f"baseline: {f.baseline_label}")
        if f.note:
            parts.append(f.note)
        lines.append(f"- **{f.key}** " + (". ".join(parts) or "—") + ".")
    return "\n".join(lines)


def summary(figures: Sequence[Figure]) -> str:
    judged = [f for f in figures if f.met is not None]
    met = sum(1 for f in judged if f.met)
    missed = [f.key for f in sorted(figures, key=_key) if f.met is False]
    failed = [f.key for f in figures if f.met is None and f.note.startswith("benchmark failed")]
    text = f"**{met} of {len(judged)} goals met.**"
    if missed:
        text += " Missed: " + ", ".join(missed) + "."
    if failed:
        text += " Could not measure: " + ", ".join(failed) + "."
    return text


def _git() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if not commit:
        return "unknown"
    return commit + (" with uncommitted changes" if dirty else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> str:
    """The 1-minute load average, to tell a quiet machine from a busy one."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except (OSError, IndexError):
        return "unknown"


def machine(load: str = "") -> str:
    from tui import __version__

    rows = [
        ("CPU", f"{_cpu_model()} × {os.cpu_count()} logical cores"),
        ("Memory", _memory()),
        ("OS", platform.platform()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        (
            "Packages",
            f"cypkg {__version__}, textual {_version('textual')}, httpx {_version('httpx')}",
        ),
        ("Code", f"git {_git()}"),
    ]
    if load:
        rows.append(("Load average (1 min)", load))
    return "\n".join(f"- {name}: {value}" for name, value in rows)


def document(figures: Sequence[Figure], sizes: Sizes, *, seconds: float, load: str = "") -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    mode = sizes.mode
    if mode != "full":
        mode += " — tiny sizes and short windows: not representative, only a check"
    return f"""# Benchmarks

Generated by `python -m benchmarks` on {now} (mode: {mode}; the run took {seconds / 60:.1f} min).
Do not edit by hand: rerun instead.

Every figure is measured on the same machine, in the same run, as its
baseline, and reported as the median of several runs and as a ratio to the
baseline. Absolute times are context only; the goals of issue 5 are checked
as stated. Times are wall-clock from the benchmark's side; TUI figures run
the app in an 80×24 pseudo-terminal (TERM=xterm-256color) against the local
emulator on loopback, with private XDG directories and the demo credentials.

{summary(figures)}

{table(figures)}

## What each row compares

{notes(figures)}

## Machine

{machine(load)}

## How to rerun

{RERUN}"""
