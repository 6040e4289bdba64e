"""Figures, the sizes of a run, and the few statistics the benchmarks need."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sizes:
    """How much each benchmark does: ``full`` for the real run, ``quick`` and ``tiny`` to check."""

    mode: str
    #: Runs per side (cypkg and baseline, interleaved) of the pty start-up figures.
    startup_runs: int
    #: Runs per side of the short CLI figures (--version, --help, get).
    cli_runs: int
    #: App launches for the time-to-detail figures (each does a first and a repeat lookup).
    detail_runs: int
    #: App launches per side for the big-package figures.
    big_runs: int
    big_examples: int
    big_description_kb: int
    #: Seconds the idle windows last, and how long the apps settle before one starts.
    idle_window: float
    idle_settle: float
    #: Poll cycles of the long run, and after how many the first RSS is read.
    longrun_cycles: int
    longrun_early: int
    #: Simulated minutes of polling, and how much faster than real time they run.
    polling_minutes: float
    polling_speedup: float
    #: Requests made through a link slower than the poll interval (overlap check).
    slow_link_cycles: int
    #: Whether a missing anchor program (procps ``watch``, ``curl``) may be installed.
    install_tools: bool = True
    #: The pty soak (11e): RSS read at poll ``soak_early`` and at ``soak_polls``, 1 s apart.
    soak_early: int = 500
    soak_polls: int = 5_000


FULL = Sizes(
    mode="full",
    startup_runs=10,
    cli_runs=10,
    detail_runs=7,
    big_runs=5,
    big_examples=3000,
    big_description_kb=300,
    idle_window=60.0,
    idle_settle=4.0,
    longrun_cycles=10_000,
    longrun_early=100,
    polling_minutes=10.0,
    polling_speedup=50.0,
    slow_link_cycles=12,
)

QUICK = Sizes(
    mode="quick",
    startup_runs=3,
    cli_runs=3,
    detail_runs=2,
    big_runs=1,
    big_examples=3000,
    big_description_kb=300,
    idle_window=8.0,
    idle_settle=3.0,
    longrun_cycles=1_000,
    longrun_early=100,
    polling_minutes=1.0,
    polling_speedup=50.0,
    slow_link_cycles=4,
    soak_early=20,
    soak_polls=80,
)

#: For the smoke test: every code path once, as fast as possible.
TINY = Sizes(
    mode="tiny",
    startup_runs=1,
    cli_runs=1,
    detail_runs=1,
    big_runs=1,
    big_examples=200,
    big_description_kb=20,
    idle_window=2.0,
    idle_settle=1.5,
    longrun_cycles=40,
    longrun_early=10,
    polling_minutes=0.5,
    polling_speedup=100.0,
    slow_link_cycles=3,
    install_tools=False,  # an apt-get run would dwarf the smoke test: "anchor not available"
    soak_early=2,
    soak_polls=4,
)


@dataclass
class Figure:
    """One row of the table: cypkg's figure, its baseline's, and the goal."""

    key: str
    title: str
    unit: str
    value: float | None
    baseline: float | None
    goal: str
    met: bool | None
    #: What the baseline is (shown under the table).
    baseline_label: str = ""
    note: str = ""
    samples: Sequence[float] = field(default_factory=tuple)
    baseline_samples: Sequence[float] = field(default_factory=tuple)
    #: Set when a number alone would not say it (e.g. "0 / 0 modules").
    value_text: str | None = None
    baseline_text: str | None = None
    #: The benchmark that produced it (set by the runner; for --save-figures/--reuse).
    benchmark: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.baseline is None or self.baseline <= 0:
            return None
        return self.value / self.baseline

    def shown_value(self) -> str:
        return self.value_text if self.value_text is not None else fmt(self.value, self.unit)

    def shown_baseline(self) -> str:
        if self.baseline_text is not None:
            return self.baseline_text
        return fmt(self.baseline, self.unit)

    def shown_ratio(self) -> str:
        ratio = self.ratio
        return "—" if ratio is None else f"{ratio:.2f}×"

    def shown_met(self) -> str:
        return {True: "✅ yes", False: "❌ no", None: "—"}[self.met]


def fmt(value: float | None, unit: str) -> str:
    """``value`` with its unit, rounded to what the measurement can tell."""
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.1f} ms" if abs(value) < 10 else f"{value:.0f} ms"
    if unit in ("B/s", "MB"):
        return f"{value:.1f} {unit}"
    if unit == "%":
        return f"{value:.2f} %"
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "requests":
        count = f"{int(value)}" if float(value).is_integer() else f"{value:.1f}"
        return f"{count} request" + ("" if value == 1 else "s")
    if float(value).is_integer():
        return f"{int(value)} {unit}".rstrip()
    return f"{value:.2f} {unit}".rstrip()


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("no samples")
    return float(statistics.median(values))


def ms(seconds: float) -> float:
    return seconds * 1000.0


def spread(values: Sequence[float], unit: str = "ms") -> str:
    """``min–max of n`` for the notes."""
    if not values:
        return "no samples"
    return f"{fmt(min(values), unit)}–{fmt(max(values), unit)} over {len(values)} runs"


def error_figure(key: str, title: str, problem: BaseException) -> Figure:
    """A row that says a benchmark could not produce its figure (and why)."""
    return Figure(
        key=key,
        title=title,
        unit="",
        value=None,
        baseline=None,
        goal="—",
        met=None,
        note=f"benchmark failed: {type(problem).__name__}: {problem}",
    )
