"""``python -m benchmarks``: run the suite and write BENCHMARKS.md."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks import (
    bench_detail,
    bench_engine,
    bench_idle,
    bench_longrun,
    bench_lookup,
    bench_output,
    bench_polling,
    bench_soak,
    bench_startup,
    bench_transfer,
)
from benchmarks.core import FULL, QUICK, TINY, Figure, Sizes, error_figure
from benchmarks.report import document, load_average, table
from benchmarks.workspace import ROOT, Workspace

Benchmark = Callable[[Workspace], list[Figure]]

#: name → (the issue's part, what it measures, the function). Run in this order.
BENCHMARKS: dict[str, tuple[str, str, Benchmark]] = {
    "startup": ("1", "cold start, --version/--help", bench_startup.run),
    "lookup": ("2", "cypkg get: requests and wall time", bench_lookup.run),
    "detail": ("3", "Enter → detail painted", bench_detail.run_detail),
    "big": ("6", "big package: detail, Examples tab, peak RSS", bench_detail.run_big),
    "idle": ("4 5 8b", "idle output and CPU over one window", bench_idle.run),
    "output": ("4c 4d 5c", "watchlist screen: output and CPU, 200 packages", bench_output.run),
    "longrun": ("7", "RSS growth over many poll cycles", bench_longrun.run),
    "polling": ("8", "requests per interval, overlap, tokens", bench_polling.run),
    "engine": (
        "11a 11b 11c 11d",
        "one engine: requests a minute, busiest second, a day of polling",
        bench_engine.run,
    ),
    "transfer": (
        "14",
        "upload/download throughput vs curl, RSS for 1 MB vs a big file",
        bench_transfer.run,
    ),
    "soak": ("11e", "RSS growth in a pty, poll 500 → 5,000 at 1 s (83 min)", bench_soak.run),
}


def run_benchmarks(
    sizes: Sizes,
    names: Sequence[str] | None = None,
    *,
    log: Callable[[str], None] | None = None,
    raise_errors: bool = False,
    reused: dict[str, list[Figure]] | None = None,
) -> list[Figure]:
    """Run the named benchmarks (all by default) in one workspace; their figures.

    ``reused``: figures of benchmarks measured in an earlier run (``--reuse``),
    taken instead of running them again.
    """
    say = log or (lambda _line: None)
    figures: list[Figure] = []
    with Workspace(sizes) as ws:
        for name in names or list(BENCHMARKS):
            part, what, function = BENCHMARKS[name]
            if reused and name in reused:
                say(f"[{part}] {name}: reused from an earlier run")
                figures += reused[name]
                continue
            say(f"[{part}] {name}: {what} …")
            start = time.monotonic()
            try:
                produced = function(ws)
            except Exception as problem:
                if raise_errors:
                    raise
                produced = [error_figure(part.split()[0], f"{name}: {what}", problem)]
            for figure in produced:
                figure.benchmark = name
            figures += produced
            say(f"    done in {time.monotonic() - start:.1f} s")
    return figures


def save_figures(figures: Sequence[Figure], path: Path) -> None:
    """The figures as JSON, by benchmark (for ``--reuse``), with when they were measured."""
    by_name: dict[str, list[dict[str, object]]] = {}
    for figure in figures:
        by_name.setdefault(figure.benchmark, []).append(dataclasses.asdict(figure))
    measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    path.write_text(json.dumps({"measured": measured, "figures": by_name}, indent=1))


def load_figures(path: Path) -> dict[str, list[Figure]]:
    """Figures saved by ``--save-figures``; each note says they come from that earlier run."""
    document = json.loads(path.read_text())
    when = document.get("measured", "an earlier run")
    loaded: dict[str, list[Figure]] = {}
    for name, items in document["figures"].items():
        if name not in BENCHMARKS:
            raise ValueError(f"{path}: unknown benchmark {name!r}")
        for item in items:
            figure = Figure(**item)
            figure.note = f"{figure.note} (measured in a separate run, {when})".strip()
            loaded.setdefault(name, []).append(figure)
    return loaded


def _names(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    return names


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure cypkg next to its baselines and write the table to BENCHMARKS.md.",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--quick", action="store_true", help="small run counts and short windows (~1 min)"
    )
    size.add_argument("--tiny", action="store_true", help="the smoke test's sizes (~30 s)")
    parser.add_argument(
        "--only", type=_names, default=None, help=f"comma-separated: {','.join(BENCHMARKS)}"
    )
    parser.add_argument(
        "--output",
        default=None,
        help="where to write the report ('-' for standard output); default BENCHMARKS.md for a "
        "full run of everything, else standard output, so partial runs never replace it",
    )
    parser.add_argument(
        "--save-figures", type=Path, default=None, help="also write the figures to this JSON file"
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        action="append",
        default=[],
        help="take the figures of the benchmarks in this JSON file (--save-figures of an "
        "earlier run, e.g. the 83-minute soak) instead of running them again; repeatable",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else TINY if args.tiny else FULL
    if sys.platform != "linux":
        parser.error("the benchmarks need Linux (pseudo-terminals and /proc)")

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    started = time.monotonic()
    load_before = load_average()
    reused: dict[str, list[Figure]] = {}
    for path in args.reuse:
        reused.update(load_figures(path))
    figures = run_benchmarks(sizes, args.only, log=log, reused=reused)
    if args.save_figures is not None:
        save_figures(figures, args.save_figures)
    load = f"{load_before} at the start, {load_average()} at the end of the run"
    text = document(figures, sizes, seconds=time.monotonic() - started, load=load)
    complete = sizes is FULL and not args.only
    output = args.output or ("BENCHMARKS.md" if complete else "-")
    if output == "-":
        sys.stdout.write(text)
    else:
        path = Path(output)
        if not path.is_absolute() and args.output is None:
            path = ROOT / path
        path.write_text(text)
        print(table(figures))
        log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
