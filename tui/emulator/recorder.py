"""A log of every request the emulated service received, for tests and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

#: ``status`` of a request whose connection was dropped before any response.
NO_RESPONSE = 0


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str  # without the query string
    status: int  # NO_RESPONSE (0) when the connection was dropped
    at: float  # emulator clock when the request arrived
    query: str = ""


class RequestLog:
    """Thread-safe, append-only until cleared."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def count(self, method: str | None = None, path_prefix: str | None = None) -> int:
        return sum(
            1
            for r in self.records()
            if (method is None or r.method == method.upper())
            and (path_prefix is None or r.path.startswith(path_prefix))
        )

    def stats(self) -> dict[str, Any]:
        """Counts by method and path, and by status, for ``GET /_emulator/stats``."""
        records = self.records()
        by_route = Counter((r.method, r.path) for r in records)
        by_status = Counter(str(r.status) for r in records)
        return {
            "requests": [
                {"method": method, "path": path, "count": count}
                for (method, path), count in sorted(by_route.items())
            ],
            "by_status": dict(sorted(by_status.items())),
            "total": len(records),
        }
