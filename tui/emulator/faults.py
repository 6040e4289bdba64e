"""Planned misbehaviour: errors, dropped connections, garbage bodies, stalls, trickles,
redirects, latency.

Planned faults form one FIFO queue; each request takes the first entry whose
``path_prefix`` matches its path, so ``fail_next(2)`` then ``malformed_next(1, ...)``
means two failures, then one malformed answer. All methods are thread-safe:
tests call them while server threads consume.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FaultKind = Literal[
    "fail", "drop", "reset", "malformed", "stall", "body", "trickle", "redirect", "respace"
]
MALFORMED_KINDS = ("html", "truncated", "notjson", "wrongshape", "wrongobject", "empty")
#: Faults hit the package API by default, not authentication, so a client's
#: token exchange does not eat a fault meant for the call that follows it.
DEFAULT_PREFIX = "/packages"
RANDOM_FAILURE_STATUSES = (500, 502, 503, 504)


@dataclass(frozen=True)
class PlannedFault:
    kind: FaultKind
    path_prefix: str = DEFAULT_PREFIX
    status: int = 503
    retry_after: str | None = None
    malformed: str = ""
    seconds: float = 0.0
    #: For ``body`` faults: the exact bytes and Content-Type to answer with.
    body: bytes = field(default=b"", repr=False)
    content_type: str = ""
    #: For ``trickle`` faults: the status line and headers go out slowly too.
    trickle_headers: bool = False
    #: For ``redirect`` faults: the raw ``Location`` value (None: no such header).
    location: bytes | None = field(default=None, repr=False)
    #: For ``respace`` faults: what goes between the tokens of the real answer.
    whitespace: str = ""

    def describe(self) -> dict[str, Any]:
        """The fault as JSON-friendly values (a body by its length only)."""
        described = asdict(self)
        del described["body"], described["content_type"]
        del described["trickle_headers"], described["location"], described["whitespace"]
        if self.kind == "trickle":
            described["trickle_headers"] = self.trickle_headers
        if self.kind == "redirect":
            # Latin-1 maps each byte to one character: any raw Location fits in JSON.
            raw = self.location
            described["location"] = None if raw is None else raw.decode("latin-1")
        if self.kind == "body":
            described.update(body_bytes=len(self.body), content_type=self.content_type)
        if self.kind == "respace":
            described["whitespace"] = self.whitespace
        return described


def _count(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    return n


def _seconds(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{name} must be a non-negative number of seconds, got {value!r}")
    return float(value)


class Faults:
    """What the emulator should get wrong next; see the module docstring."""

    def __init__(self, seed: int | None = 0) -> None:
        self._lock = threading.Lock()
        self._queue: list[tuple[PlannedFault, int]] = []
        self._latency = 0.0
        self._fail_rate = 0.0
        self._rng = random.Random(seed)  # seeded so random-failure runs are repeatable

    # -- continuous faults ------------------------------------------------------

    @property
    def latency(self) -> float:
        """Seconds added before every response (control endpoints excepted)."""
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, value: float) -> None:
        seconds = _seconds(value, "latency")
        with self._lock:
            self._latency = seconds

    @property
    def fail_rate(self) -> float:
        """Probability that a ``/packages`` request answers a random 5xx."""
        with self._lock:
            return self._fail_rate

    @fail_rate.setter
    def fail_rate(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ValueError(f"fail_rate must be between 0 and 1, got {value!r}")
        with self._lock:
            self._fail_rate = float(value)

    # -- planned faults ---------------------------------------------------------

    def fail_next(
        self,
        n: int,
        status: int = 503,
        retry_after: str | None = None,
        path_prefix: str = DEFAULT_PREFIX,
    ) -> None:
        """The next ``n`` matching requests answer ``status`` with ``{"message": ...}``.

        ``retry_after`` is sent as the ``Retry-After`` header exactly as given (text
        outside Latin-1 as its UTF-8 bytes): seconds, a date, or anything at all.
        """
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code, got {status!r}")
        if retry_after is not None and not isinstance(retry_after, str):
            raise ValueError("retry_after must be a string (seconds or an HTTP date) or None")
        if retry_after is not None and any(c in retry_after for c in "\r\n\0"):
            # Any other text is sent as given, garbage included: that is the point.
            raise ValueError("retry_after cannot hold CR, LF or NUL (they would split the answer)")
        self._plan(PlannedFault("fail", path_prefix, status, retry_after), n)

    def rate_limit_next(
        self, n: int, retry_after: str | None = None, path_prefix: str = DEFAULT_PREFIX
    ) -> None:
        """The next ``n`` matching requests answer 429."""
        self.fail_next(n, 429, retry_after, path_prefix)

    def drop_next(self, n: int, path_prefix: str = DEFAULT_PREFIX) -> None:
        """Close the connection without any response."""
        self._plan(PlannedFault("drop", path_prefix), n)

    def reset_mid_body_next(self, n: int, path_prefix: str = DEFAULT_PREFIX) -> None:
        """Send headers and a full Content-Length, then half the body, then close."""
        self._plan(PlannedFault("reset", path_prefix), n)

    def malformed_next(self, n: int, kind: str, path_prefix: str = DEFAULT_PREFIX) -> None:
        """Answer 200 with a body a client must not trust; ``kind`` in MALFORMED_KINDS."""
        if kind not in MALFORMED_KINDS:
            raise ValueError(f"kind must be one of {', '.join(MALFORMED_KINDS)}, got {kind!r}")
        self._plan(PlannedFault("malformed", path_prefix, 200, malformed=kind), n)

    def body_next(
        self,
        n: int,
        body: bytes,
        status: int = 200,
        content_type: str = "application/json; charset=utf-8",
        path_prefix: str = DEFAULT_PREFIX,
    ) -> None:
        """Answer with exactly ``body`` (hostile or broken bytes a server or proxy might send)."""
        if not isinstance(body, bytes):
            raise ValueError("body must be bytes")
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code, got {status!r}")
        fault = PlannedFault("body", path_prefix, status, body=body, content_type=str(content_type))
        self._plan(fault, n)

    def respace_next(
        self, n: int, whitespace: str = "\r" + " " * 40, path_prefix: str = DEFAULT_PREFIX
    ) -> None:
        """Answer normally, with ``whitespace`` between every token of the JSON body.

        Still valid JSON with the same value, but drawn raw a ``\r`` returns the
        cursor to the start of the line, so a later key overwrites an earlier one.
        """
        if not isinstance(whitespace, str) or not whitespace or whitespace.strip(" \t\r\n"):
            raise ValueError("whitespace must be JSON whitespace: spaces, tabs, CR and LF")
        self._plan(PlannedFault("respace", path_prefix, 200, whitespace=whitespace), n)

    def stall_next(self, n: int, seconds: float, path_prefix: str = DEFAULT_PREFIX) -> None:
        """Sleep ``seconds`` before answering normally (to trip client read timeouts)."""
        self._plan(PlannedFault("stall", path_prefix, seconds=_seconds(seconds, "seconds")), n)

    def trickle_next(
        self, n: int, seconds: float, headers: bool = False, path_prefix: str = DEFAULT_PREFIX
    ) -> None:
        """Answer normally, one byte every ``seconds``: the body only, or headers too.

        Per-read timeouts never fire on such an answer; only a deadline for the
        whole request ends it. The trickle stops when the client hangs up.
        """
        if not isinstance(headers, bool):
            raise ValueError(f"headers must be true or false, got {headers!r}")
        fault = PlannedFault(
            "trickle", path_prefix, seconds=_seconds(seconds, "seconds"), trickle_headers=headers
        )
        self._plan(fault, n)

    def redirect_next(
        self,
        n: int,
        location: str | bytes | None,
        status: int = 307,
        path_prefix: str = DEFAULT_PREFIX,
    ) -> None:
        """Answer ``status`` (3xx) with ``Location: location`` written as raw bytes.

        Control characters, CR, NUL and non-ASCII go out as given (a str as UTF-8);
        None sends no Location header at all.
        """
        if isinstance(status, bool) or not isinstance(status, int) or not 300 <= status <= 399:
            raise ValueError(f"status must be a 3xx redirect status, got {status!r}")
        if isinstance(location, str):
            location = location.encode("utf-8")
        if location is not None and not isinstance(location, bytes):
            raise ValueError("location must be a string, bytes or None")
        self._plan(PlannedFault("redirect", path_prefix, status, location=location), n)

    def clear(self) -> None:
        """Forget every planned fault and reset latency and fail_rate to zero."""
        with self._lock:
            self._queue.clear()
            self._latency = 0.0
            self._fail_rate = 0.0

    def pending(self) -> int:
        """How many planned faults are still to be served."""
        with self._lock:
            return sum(remaining for _, remaining in self._queue)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            planned = [{**fault.describe(), "remaining": left} for fault, left in self._queue]
            return {"latency": self._latency, "fail_rate": self._fail_rate, "planned": planned}

    # -- used by the server -----------------------------------------------------

    def take(self, path: str) -> PlannedFault | None:
        """Consume the fault for a request to ``path``, if any (planned first, then random)."""
        with self._lock:
            for index, (fault, remaining) in enumerate(self._queue):
                if path.startswith(fault.path_prefix):
                    if remaining <= 1:
                        del self._queue[index]
                    else:
                        self._queue[index] = (fault, remaining - 1)
                    return fault
            if path.startswith(DEFAULT_PREFIX) and self._rng.random() < self._fail_rate:
                return PlannedFault("fail", status=self._rng.choice(RANDOM_FAILURE_STATUSES))
        return None

    def _plan(self, fault: PlannedFault, n: int) -> None:
        if not isinstance(fault.path_prefix, str) or not fault.path_prefix.startswith("/"):
            raise ValueError("path_prefix must be a path starting with '/'")
        count = _count(n)
        if count:
            with self._lock:
                self._queue.append((fault, count))
