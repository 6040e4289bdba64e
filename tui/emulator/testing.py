"""Helpers for tests that drive the emulator: a fake clock and client JWTs.

Kept in the package (not a conftest) so any test module, and benchmarks, can
import them. Not used by the emulator itself.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import jwt

from tui.emulator.apps import DEMO, ApiApp
from tui.emulator.auth import ISSUER

#: 2027-01-15T08:00:00Z: a round epoch far from "now", so nothing passes by accident.
FAKE_EPOCH = 1_800_000_000.0


class FakeClock:
    """A thread-safe settable clock: pass it as ``Emulator(clock=...)``, or as any
    wall or monotonic clock a test wants to move by hand (the one fake clock of the
    tests).

    With ``base`` (say ``time.monotonic``) it runs with that clock, ``start`` and
    every :meth:`advance` added: for a test whose app also waits on real timers
    but must jump a day ahead.
    """

    def __init__(
        self, start: float = FAKE_EPOCH, *, base: Callable[[], float] | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._now = start
        self._base = base

    def __call__(self) -> float:
        with self._lock:
            now = self._now
        return now if self._base is None else now + self._base()

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
        return self()

    def set(self, now: float) -> None:
        with self._lock:
            self._now = now

    @property
    def now(self) -> float:
        """The time set (without ``base``); assignable, as with :meth:`set`."""
        with self._lock:
            return self._now

    @now.setter
    def now(self, now: float) -> None:
        self.set(now)


def client_claims(
    app: ApiApp = DEMO, now: float = FAKE_EPOCH, lifetime: int = 1800
) -> dict[str, Any]:
    """The claims a well-behaved client signs (override any key to misbehave)."""
    iat = int(now)
    return {
        "iat": iat,
        "exp": iat + lifetime,
        "iss": ISSUER,
        "sub": app.app_id,
        "tid": app.tenant_id,
        "jti": str(uuid.uuid4()),
    }


def client_jwt(app: ApiApp = DEMO, now: float = FAKE_EPOCH, **overrides: Any) -> str:
    """A client auth token for ``app``; ``overrides`` replace claims (None removes one)."""
    claims = client_claims(app, now)
    secret = overrides.pop("secret", app.app_secret)
    claims.update(overrides)
    claims = {key: value for key, value in claims.items() if value is not None}
    return jwt.encode(claims, secret, algorithm="HS256")
