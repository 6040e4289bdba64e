"""Every status seen this session, per package, with its time (bounded): the detail
screen's timeline. Recorded once, by the request engine. Plain Python, no Textual."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from tui.api.models import Package, Status

#: Per package, the most statuses the session timeline keeps (the first is always kept).
MAX_TIMELINE = 20
#: Packages the session history remembers (least recently updated are dropped first).
MAX_HISTORY_PACKAGES = 500


@dataclass(frozen=True, slots=True)
class SeenStatus:
    #: Epoch seconds when this status was first seen.
    at: float
    status: Status
    #: The status text as received (shown for statuses this version does not know).
    text: str | None


class StatusHistory:
    """Statuses seen this session, per package: a new entry each time the status changes."""

    def __init__(
        self, *, per_package: int = MAX_TIMELINE, packages: int = MAX_HISTORY_PACKAGES
    ) -> None:
        self.per_package = max(per_package, 2)
        self.packages = packages
        self._seen: OrderedDict[str, list[SeenStatus]] = OrderedDict()

    def record(self, package_id: str, package: Package, at: float) -> bool:
        """Note ``package``'s status; True when it differs from the last one seen."""
        text = package.status_text if package.status is Status.UNKNOWN else None
        entries = self._seen.get(package_id)
        if entries is None:
            entries = self._seen[package_id] = []
            while len(self._seen) > self.packages:
                self._seen.popitem(last=False)
        last = entries[-1] if entries else None
        if last is not None and (last.status, last.text) == (package.status, text):
            return False
        entries.append(SeenStatus(at, package.status, text))
        if len(entries) > self.per_package:
            # Keep the first status seen; drop the oldest of the rest.
            del entries[1]
        self._seen.move_to_end(package_id)
        return True

    def get(self, package_id: str) -> list[SeenStatus]:
        return list(self._seen.get(package_id, ()))
