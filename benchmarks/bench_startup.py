"""1. Cold start: process start → lookup screen painted, and ``cypkg --version``/``--help``.

The TUI runs in a pseudo-terminal of 80×24 (TERM=xterm-256color) against the
emulator; "painted" is the first frame that shows the ID input's placeholder
and, after it, the footer (the last row). The baseline is the first frame of
a minimal Textual app with one Input (floor_app.py), launched the same way.
Runs alternate between the two so drift hits both alike.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence

from benchmarks.core import Figure, median, ms, spread
from benchmarks.floor_app import PLACEHOLDER
from benchmarks.procfs import cpu_seconds
from benchmarks.terminal import PtyApp
from benchmarks.workspace import Workspace

#: Modules that ``--version`` and ``--help`` must not load.
HEAVY = ("textual", "rich", "httpx", "httpcore")
START_GOAL = 1.3


def lookup_markers() -> tuple[str, ...]:
    """What cypkg's first full frame of the lookup screen shows: placeholder, then footer."""
    from tui.ui.screens.lookup import EXAMPLE_ID

    return (EXAMPLE_ID, "palette")


FLOOR_MARKERS = (PLACEHOLDER,)


def time_to_frame(argv: Sequence[str], env: dict[str, str], markers: Sequence[str]) -> float:
    """Seconds from just before the process is started to its frame showing ``markers``."""
    return frame_and_cpu(argv, env, markers)[0]


def frame_and_cpu(
    argv: Sequence[str], env: dict[str, str], markers: Sequence[str]
) -> tuple[float, float]:
    """Seconds to the frame showing ``markers``, and the CPU seconds the process had used then.

    The CPU time (read from /proc as soon as the frame is seen, 10 ms ticks)
    is less disturbed by other load on the machine than the wall time.
    """
    with PtyApp(argv, env) as app:
        seen = app.wait_for(markers, timeout=30)
        cpu = cpu_seconds(app.pid)
        elapsed = seen - app.started
        app.quit()
    return elapsed, cpu


def time_command(argv: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True, timeout=60)
    return time.perf_counter() - start


def imported_modules(argv: Sequence[str], env: dict[str, str]) -> list[str]:
    """Every module ``argv`` imports, from ``-X importtime`` (PYTHONPROFILEIMPORTTIME)."""
    result = subprocess.run(
        argv,
        env={**env, "PYTHONPROFILEIMPORTTIME": "1"},
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    modules = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":  # the header line
                modules.append(name)
    return modules


def heavy_modules(modules: Sequence[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in HEAVY]


def run(ws: Workspace) -> list[Figure]:
    runs = ws.sizes.startup_runs
    home = ws.new_home("startup")
    env = ws.env(home)
    cypkg = [*ws.cypkg(), "--api-url", ws.base_url]
    floor = [ws.python(), ws.script("floor_app.py")]
    markers = lookup_markers()

    # A warm-up launch of each (bytecode, page cache), not counted.
    time_to_frame(cypkg, env, markers)
    time_to_frame(floor, env, FLOOR_MARKERS)
    ours: list[float] = []
    base: list[float] = []
    ours_cpu: list[float] = []
    base_cpu: list[float] = []
    for i in range(runs):
        pair = [(cypkg, markers, ours, ours_cpu), (floor, FLOOR_MARKERS, base, base_cpu)]
        for argv, wanted, samples, cpu in pair if i % 2 == 0 else reversed(pair):
            elapsed, used = frame_and_cpu(argv, env, wanted)
            samples.append(ms(elapsed))
            cpu.append(ms(used))
    start = median(ours)
    floor_start = median(base)
    figures = [
        Figure(
            key="1a",
            title="Cold start → lookup screen painted (80×24 pty)",
            unit="ms",
            value=start,
            baseline=floor_start,
            goal=f"≤ {START_GOAL}× floor",
            met=start <= START_GOAL * floor_start,
            baseline_label="minimal Textual app with one Input (benchmarks/floor_app.py), "
            "first frame showing its placeholder",
            note=f"cypkg {spread(ours)}; floor {spread(base)}; CPU time used by then "
            f"(/proc, 10 ms ticks): cypkg {median(ours_cpu):.0f} ms, "
            f"floor {median(base_cpu):.0f} ms",
            samples=ours,
            baseline_samples=base,
        )
    ]

    interpreter = [ws.python(), "-c", "pass"]
    for key, flag in (("1b", "--version"), ("1c", "--help")):
        argv = [*ws.cypkg(), flag]
        time_command(argv, env)
        time_command(interpreter, env)
        ours, base = [], []
        for _ in range(ws.sizes.cli_runs):
            ours.append(ms(time_command(argv, env)))
            base.append(ms(time_command(interpreter, env)))
        modules = imported_modules(argv, env)
        heavy = heavy_modules(modules)
        shown = ", ".join(sorted({m.split(".")[0] for m in heavy})) or "none"
        figures.append(
            Figure(
                key=key,
                title=f"`cypkg {flag}` wall time; Textual/httpx imported?",
                unit="ms",
                value=median(ours),
                baseline=median(base),
                goal="imports neither Textual nor httpx (time: context)",
                met=not heavy,
                baseline_label="`python -c pass` (the interpreter's own start)",
                note=f"{len(modules)} modules imported; of Textual/Rich/httpx/httpcore: {shown}; "
                f"cypkg {spread(ours)}",
                samples=ours,
                baseline_samples=base,
                value_text=f"{median(ours):.0f} ms, heavy imports: {len(heavy)}",
            )
        )
    return figures
