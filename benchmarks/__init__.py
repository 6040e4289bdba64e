"""cypkg's benchmark suite: each figure measured next to its baseline, in one run.

    python -m benchmarks            # the full run (~5 min), writes BENCHMARKS.md
    python -m benchmarks --quick    # tiny sizes, prints the table (see --help)

Every figure is the median of several runs and is reported as a ratio to a
baseline measured on the same machine in the same run; absolute times are
context only. Nothing here is a timed test: ``tests/test_benchmarks_smoke.py``
only checks that every benchmark still runs and produces figures.

Modules: ``core`` (figures, sizes, statistics), ``terminal`` (apps in a
pseudo-terminal), ``procfs`` (CPU and memory of a process), ``workspace``
(emulator, environment, request probes), one ``bench_*`` module per part of
the issue, ``report`` (BENCHMARKS.md), the baseline programs ``floor_app``
and ``httpx_get``, and ``anchor`` (the real procps ``watch`` with curl).
"""
