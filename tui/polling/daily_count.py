"""Today's request count per tenant, shared by every cypkg process of the user.

``{"version": 1, "day": "YYYY-MM-DD", "requests": {"<tenant ID>": N}}`` in the
user state dir, private and never followed through a link (:mod:`tui.base.files`).
The day is the UTC day: the quota the count is measured against resets then.

Every request (sign-ins included) is counted in memory at once; the file is
changed only every :data:`FLUSH_EVERY` seconds and at exit, and never
overwritten with one process's number: a sync takes the advisory lock beside
the file, re-reads it, **adds** this process's requests since its last sync
and writes the result atomically. Two cypkgs counting at once both count.
A sync also learns what the others added, so each process paces itself on
the whole user's count.

Counting never fails a request: a file that cannot be used (a link, too
large, unwritable) is left as it is, the count goes on in memory and
:attr:`DailyCounter.notice` says why. No Textual here.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tui.base.files import FileTooLarge, LinkRefused, PrivateDir, read_private_file
from tui.base.safe_text import inert
from tui.polling.budget import Pace, paced_interval, seconds_left_in_day, utc_day

FILE_NAME = "requests.json"
#: Seconds between two syncs of one process with the file (at most; none while idle).
FLUSH_EVERY = 5.0
#: Tenants the file keeps (the largest counts, and always the one being counted).
MAX_TENANTS = 100
_MAX_FILE_SIZE = 64 * 1024
_VERSION = 1


def default_path() -> Path:
    from tui.config import state_dir

    return state_dir() / FILE_NAME


class DailyCounter:
    """Requests of one tenant today: this process's, plus what the file held at the last sync.

    ``path`` None counts in memory only (demo mode). ``clock`` is the wall clock
    (epoch seconds: the UTC day), ``monotonic`` times the syncs. Thread-safe.
    """

    def __init__(
        self,
        path: Path | None,
        tenant: str,
        budget: int,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        flush_every: float = FLUSH_EVERY,
        own: int = 1,
    ) -> None:
        self.path = path
        self.tenant = tenant.strip().lower()
        self.budget = budget
        self._clock = clock
        self._monotonic = monotonic
        self._flush_every = flush_every
        self._own = own
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._day = utc_day(clock())
        #: Today's count in the file at the last sync (every process's).
        self._base = 0
        #: Counted here since the last sync, not in the file yet.
        self._pending = 0
        self._last_sync: float | None = None
        #: One line for the screens when the file is not used (None while all is well).
        self.notice: str | None = None
        #: The file is kept as it is (a link, too large): counting goes on in memory.
        self.read_only = False

    # -- counting -------------------------------------------------------------------

    def add(self, count: int = 1) -> None:
        """Count ``count`` requests; syncs with the file when the last sync is old enough."""
        with self._lock:
            self._roll()
            self._pending += count
            last = self._last_sync
            due = last is None or abs(self._monotonic() - last) >= self._flush_every
        if due:
            self.sync()

    def used_today(self) -> int:
        """Requests of this tenant today, as far as this process knows (no I/O)."""
        with self._lock:
            self._roll()
            return self._base + self._pending

    def pace(self, base: float, per_round: int = 1) -> Pace:
        """The interval to poll at so the budget holds until 00:00 UTC (see tui.polling.budget)."""
        now = self._clock()
        used = self.used_today()
        return paced_interval(used, self.budget, seconds_left_in_day(now), per_round, base)

    def _roll(self) -> None:
        """A new UTC day: a new count (yesterday's requests no longer matter). Under the lock."""
        today = utc_day(self._clock())
        if today != self._day:
            self._day, self._base, self._pending = today, 0, 0

    # -- the file -------------------------------------------------------------------

    def sync(self) -> None:
        """Add this process's requests to the file and learn the others'; never raises."""
        with self._sync_lock:
            with self._lock:
                self._roll()
                day, delta = self._day, self._pending
                self._pending = 0
                self._last_sync = self._monotonic()
            if self.path is None or self.read_only:
                with self._lock:
                    self._keep(day, delta)
                return
            try:
                total = self._apply(self.path, day, delta)
            except (LinkRefused, FileTooLarge) as exc:
                self.read_only = True
                self.notice = inert(
                    f"{exc}; today's request count is kept in memory only.", limit=400
                )
                with self._lock:
                    self._keep(day, delta)
            except (OSError, ValueError) as exc:
                self.notice = inert(
                    f"{self.path} could not be updated ({_why(exc)}); "
                    "today's request count is kept in memory for now.",
                    limit=400,
                )
                with self._lock:
                    self._pending += delta if day == self._day else 0  # next sync tries again
            else:
                self.notice = None
                with self._lock:
                    if day == self._day:
                        self._base = total

    def close(self) -> None:
        """At exit: what is still counted only here goes to the file."""
        with self._lock:
            pending = self._pending
        if pending:
            self.sync()

    def _keep(self, day: str, delta: int) -> None:
        """Count in memory only (no file). Under the lock."""
        if day == self._day:
            self._base += delta

    def _apply(self, path: Path, day: str, delta: int) -> int:
        with PrivateDir.open(path.parent, own=self._own) as directory, directory.lock(path.name):
            raw = directory.read(path.name, _MAX_FILE_SIZE)
            counts = parse_counts(raw, day)
            total = counts.get(self.tenant, 0) + delta
            if delta == 0:
                return total  # nothing of ours to add: read only
            counts[self.tenant] = total
            directory.write_atomic(path.name, dump_counts(day, _trim(counts, self.tenant)))
            return total


def parse_counts(raw: bytes | None, day: str) -> dict[str, int]:
    """The counts of ``day`` in a file's content; another day's, or damage, count as none."""
    if not raw or not raw.strip():
        return {}
    try:
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return {}
    if not isinstance(document, dict) or document.get("day") != day:
        return {}
    requests = document.get("requests")
    if not isinstance(requests, dict):
        return {}
    return {
        str(tenant): count
        for tenant, count in requests.items()
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0
    }


def dump_counts(day: str, counts: dict[str, int]) -> bytes:
    document = {"version": _VERSION, "day": day, "requests": counts}
    return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode("ascii")


def count_today(path: Path, tenant: str, now: float) -> int | None:
    """Today's count for ``tenant`` in the file, read only (``cypkg config show``);
    0 without a file, None when it cannot be read."""
    try:
        raw = read_private_file(path, _MAX_FILE_SIZE)
    except OSError:
        return None
    return parse_counts(raw, utc_day(now)).get(tenant.strip().lower(), 0)


def _trim(counts: dict[str, int], keep: str) -> dict[str, int]:
    if len(counts) <= MAX_TENANTS:
        return counts
    largest = sorted((t for t in counts if t != keep), key=counts.__getitem__, reverse=True)
    kept = [keep, *largest[: MAX_TENANTS - 1]]
    return {tenant: counts[tenant] for tenant in kept}


def _why(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc)
