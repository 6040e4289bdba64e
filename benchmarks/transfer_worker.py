"""One upload or download through cypkg's API layer, in a process of its own, measured.

    python benchmarks/transfer_worker.py upload URL FILE
    python benchmarks/transfer_worker.py download URL DEST SIZE

Prints one JSON line: the transfer's seconds, the resident set size before it
(``rss_before``, after the imports) and the process's high-water mark after it
(``peak``), in bytes, and the SHA-256 it saw. Used by the transfer benchmark and by
tests/test_transfer_memory.py: the RSS a transfer costs is ``peak - rss_before``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


def main(argv: list[str]) -> int:
    from tui.api.transfer import TransferSettings, download_file, upload_file

    settings = TransferSettings(stall_timeout=60.0)
    action, url, path = argv[0], argv[1], Path(argv[2])
    before = _status_kb("VmRSS")
    start = time.perf_counter()
    if action == "upload":
        sha256 = upload_file(url, path, settings=settings).sha256
    else:
        sha256 = download_file(url, path, expected_size=int(argv[3]), settings=settings).sha256
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_before": before,
                "peak": _status_kb("VmHWM"),
                "sha256": sha256,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
