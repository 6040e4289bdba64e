"""2. Lookup cost: ``cypkg get ID --json`` — requests made and wall time.

Requests are counted at the emulator. With a warm token cache the command
must make exactly one request, and take at most 1.2× as long as the least a
Python script can do: one process doing one httpx GET with a Bearer token it
was handed (benchmarks/httpx_get.py; the token is fetched beforehand). With a
cold cache: exactly two requests (token, then package).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Sequence

from benchmarks.core import Figure, median, ms, spread
from benchmarks.workspace import PACKAGES_PREFIX, TOKEN_PATH, Workspace

WALL_GOAL = 1.2


def _run_once(ws: Workspace, argv: Sequence[str], env: dict[str, str], package_id: str) -> float:
    """Run ``argv``; check it printed the package; seconds taken."""
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {result.returncode}: {result.stderr.strip()}")
    if json.loads(result.stdout).get("packageId") != package_id:
        raise RuntimeError(f"{argv[0]} printed another package: {result.stdout[:200]!r}")
    return elapsed


def _requests(ws: Workspace) -> tuple[int, int]:
    """(token requests, package requests) since the log was last cleared."""
    emu = ws.emulator
    return emu.count("POST", TOKEN_PATH), emu.count("GET", PACKAGES_PREFIX)


def run(ws: Workspace) -> list[Figure]:
    from tui.emulator.seed import DEMO_PACKAGE_ID

    runs = ws.sizes.cli_runs
    home = ws.new_home("lookup")
    env = ws.env(home)
    package_id = DEMO_PACKAGE_ID
    cypkg = [*ws.cypkg(), "--api-url", ws.base_url, "get", package_id, "--json"]

    # Cold token cache: the cache directory removed before each run.
    cold_counts: list[tuple[int, int]] = []
    cold_times: list[float] = []
    for _ in range(max(1, runs // 2)):
        shutil.rmtree(ws.token_cache(home), ignore_errors=True)
        ws.emulator.clear_requests()
        cold_times.append(ms(_run_once(ws, cypkg, env, package_id)))
        cold_counts.append(_requests(ws))

    # The baseline's own cold case: the token fetched here, then its one GET.
    ws.emulator.clear_requests()
    token = ws.access_token()
    baseline = [ws.python(), ws.script("httpx_get.py"), ws.base_url, token, package_id]
    _run_once(ws, baseline, env, package_id)
    baseline_cold = _requests(ws)

    # Warm cache (the last cold run filled it), interleaved with the baseline.
    ours: list[float] = []
    base: list[float] = []
    warm_counts: list[tuple[int, int]] = []
    base_counts: list[tuple[int, int]] = []
    for i in range(runs):
        pair = [(cypkg, ours, warm_counts), (baseline, base, base_counts)]
        for argv, samples, counts in pair if i % 2 == 0 else reversed(pair):
            ws.emulator.clear_requests()
            samples.append(ms(_run_once(ws, argv, env, package_id)))
            counts.append(_requests(ws))

    warm_total = {sum(c) for c in warm_counts}
    cold_total = {sum(c) for c in cold_counts}
    wall = median(ours)
    base_wall = median(base)
    return [
        Figure(
            key="2a",
            title="`cypkg get ID --json` wall time, warm token cache",
            unit="ms",
            value=wall,
            baseline=base_wall,
            goal=f"≤ {WALL_GOAL}× baseline",
            met=wall <= WALL_GOAL * base_wall,
            baseline_label="python benchmarks/httpx_get.py: one process, one httpx GET with a "
            "Bearer token fetched beforehand",
            note=f"cypkg {spread(ours)}; baseline {spread(base)}",
            samples=ours,
            baseline_samples=base,
        ),
        Figure(
            key="2b",
            title="Requests per `cypkg get`, warm token cache",
            unit="requests",
            value=_only(warm_total),
            baseline=_only({sum(c) for c in base_counts}),
            goal="exactly 1",
            met=warm_total == {1} and all(c == (0, 1) for c in warm_counts),
            baseline_label="the httpx script's requests",
            note=f"(token, package) requests per run: {_counts(warm_counts)}",
            value_text=_counts_text(warm_total),
        ),
        Figure(
            key="2c",
            title="Requests per `cypkg get`, cold token cache",
            unit="requests",
            value=_only(cold_total),
            baseline=float(sum(baseline_cold)),
            goal="exactly 2",
            met=cold_total == {2} and all(c == (1, 1) for c in cold_counts),
            baseline_label="the token request made for the httpx script plus its GET",
            note=f"(token, package) requests per run: {_counts(cold_counts)}; "
            f"cold wall time {median(cold_times):.0f} ms (context)",
            value_text=_counts_text(cold_total),
        ),
    ]


def _only(values: set[int]) -> float | None:
    return float(next(iter(values))) if len(values) == 1 else None


def _counts_text(values: set[int]) -> str | None:
    """None (plain number) when every run agreed, else e.g. ``1–2``."""
    if len(values) == 1:
        return None
    return f"{min(values)}–{max(values)} requests"


def _counts(counts: Sequence[tuple[int, int]]) -> str:
    distinct = sorted(set(counts))
    return ", ".join(f"{c} ×{counts.count(c)}" for c in distinct)
