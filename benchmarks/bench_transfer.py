"""14. Package files: upload and download throughput next to curl, and the RSS they cost.

Against the workspace's emulator on loopback, one file of ``transfer_mb`` megabytes
(sparse: zeros, as real to send) goes up with cypkg's API layer
(benchmarks/transfer_worker.py, a process of its own) and with ``curl -T``, and comes
back with each (``curl -o``), interleaved. The figure is the median wall time ratio
(cypkg / curl; under 1 is faster). cypkg does more per byte than curl: it hashes
every byte both ways (SHA-256), and fsyncs a download before renaming it into place.

curl is run with ``-H 'Expect:'``: by default it waits up to a second for a
``100 Continue`` before sending a large body, a pause that is curl's, not the link's.

RSS: the worker's high-water mark minus its resident set before the transfer, for a
1 MB file and for a ``transfer_big_mb`` file (1 GB in the full run).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

from benchmarks.core import Figure, median, spread
from benchmarks.workspace import Workspace

MB = 1024 * 1024
#: By mode: (the throughput file's MB, the big RSS file's MB, runs per side).
SIZES = {"full": (200, 1024, 5), "quick": (64, 256, 3), "tiny": (4, 8, 1)}
RSS_GOAL_MB = 16.0


def _worker(ws: Workspace, *argv: str) -> dict[str, float]:
    done = subprocess.run(
        [ws.python(), ws.script("transfer_worker.py"), *argv],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"transfer_worker exited {done.returncode}: {done.stderr[-300:]}")
    result: dict[str, float] = json.loads(done.stdout)
    return result


def _curl(*argv: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(["curl", "-sS", "--fail", *argv], capture_output=True, timeout=600)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"curl exited {done.returncode}: {done.stderr[-300:]!r}")
    return elapsed


class _Files:
    def __init__(self, ws: Workspace) -> None:
        from tui.api.client import CylanceClient
        from tui.emulator import DEMO

        self.ws = ws
        self.dir = ws.root / "transfer"
        self.dir.mkdir(exist_ok=True)
        self.client = CylanceClient(ws.base_url, DEMO.tenant_id, DEMO.app_id, DEMO.app_secret)
        self._checksums: dict[int, str] = {}

    def source(self, size: int) -> Path:
        from tui.api.transfer import file_sha256

        path = self.dir / f"source-{size}"
        if not path.exists():
            with path.open("wb") as handle:
                handle.truncate(size)
            self._checksums[size] = file_sha256(path)[0]
        return path

    def upload_url(self, size: int) -> tuple[str, str]:
        """(package ID, upload URL) of a new package waiting for the file of ``size``."""
        self.source(size)
        created = self.client.create_package(
            {"name": "bench", "packageInfo": {}}, self._checksums[size]
        )
        return created.package_id, created.upload_to

    def download_url(self, package_id: str) -> str:
        package = self.client.get_package(package_id)
        if package.status != "success" or not package.download_url:
            raise RuntimeError(f"the upload did not succeed: {package.status_text}")
        return package.download_url


def run(ws: Workspace) -> list[Figure]:
    if shutil.which("curl") is None:
        raise RuntimeError("curl is not installed (the baseline)")
    size_mb, big_mb, runs = SIZES.get(ws.sizes.mode, SIZES["tiny"])
    size = size_mb * MB
    files = _Files(ws)
    try:
        source = files.source(size)
        ours_up: list[float] = []
        curl_up: list[float] = []
        ours_down: list[float] = []
        curl_down: list[float] = []
        for i in range(runs):
            order = ("ours", "curl") if i % 2 == 0 else ("curl", "ours")
            for who in order:
                package_id, upload_to = files.upload_url(size)
                dest = files.dir / f"back-{who}"
                dest.unlink(missing_ok=True)
                if who == "ours":
                    ours_up.append(_worker(ws, "upload", upload_to, str(source))["seconds"])
                    url = files.download_url(package_id)
                    down = _worker(ws, "download", url, str(dest), str(size))
                    ours_down.append(down["seconds"])
                else:
                    curl_up.append(_curl("-H", "Expect:", "-T", str(source), upload_to))
                    url = files.download_url(package_id)
                    curl_down.append(_curl("-o", str(dest), url))
                dest.unlink(missing_ok=True)
        rss = {}
        for label, mb in (("small", 1), ("big", big_mb)):
            package_id, upload_to = files.upload_url(mb * MB)
            up = _worker(ws, "upload", upload_to, str(files.source(mb * MB)))
            dest = files.dir / f"rss-{label}"
            url = files.download_url(package_id)
            down = _worker(ws, "download", url, str(dest), str(mb * MB))
            dest.unlink(missing_ok=True)
            files.source(mb * MB).unlink()
            rss[label] = max(up["peak"] - up["rss_before"], down["peak"] - down["rss_before"]) / MB
    finally:
        files.client.close()
    figures = []
    for key, what, ours, base, tool in (
        ("14a", "upload", ours_up, curl_up, "curl -T"),
        ("14b", "download", ours_down, curl_down, "curl -o"),
    ):
        ratio = median(ours) / median(base)
        rate = size / MB / median(ours)
        figures.append(
            Figure(
                key=key,
                title=f"{what} of a {size_mb} MB file, wall time vs `{tool}`",
                unit="s",
                value=median(ours),
                baseline=median(base),
                goal="≤ 2× curl",
                met=ratio <= 2.0,
                baseline_label=f"`{tool}` to the same emulator",
                note=f"cypkg {rate:.0f} MB/s; cypkg {spread(ours, 's')}; curl {spread(base, 's')}",
                samples=ours,
                baseline_samples=base,
            )
        )
    figures.append(
        Figure(
            key="14c",
            title=f"RSS a transfer adds: {big_mb} MB file vs 1 MB file",
            unit="MB",
            value=rss["big"],
            baseline=rss["small"],
            goal=f"≤ {RSS_GOAL_MB:g} MB, as for 1 MB",
            met=rss["big"] <= RSS_GOAL_MB and rss["big"] - rss["small"] <= 8.0,
            baseline_label="the same worker with a 1 MB file",
            note="worker's VmHWM minus its VmRSS before the transfer, upload or download",
        )
    )
    return figures
