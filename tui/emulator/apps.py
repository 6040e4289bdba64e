"""API applications the emulator knows, the scopes they hold, and the fixed demo credentials."""

from __future__ import annotations

from dataclasses import dataclass, field

SCOPE_READ = "opticspkgconfig:read"
SCOPE_LIST = "opticspkgconfig:list"
SCOPE_CREATE = "opticspkgconfig:create"
SCOPE_DELETE = "opticspkgconfig:delete"
ALL_SCOPES: frozenset[str] = frozenset({SCOPE_READ, SCOPE_LIST, SCOPE_CREATE, SCOPE_DELETE})


@dataclass(frozen=True)
class ApiApp:
    """One API application of one tenant, as configured in the console."""

    tenant_id: str
    app_id: str
    # Kept out of repr so a logged or printed app never shows its secret.
    app_secret: str = field(repr=False)
    scopes: frozenset[str] = ALL_SCOPES


#: Fixed demo credentials, safe to publish: they only work against this emulator.
DEMO = ApiApp(
    tenant_id="6f1c2d4e-8a3b-4c5d-9e7f-0a1b2c3d4e5f",
    app_id="d3b07384-d9a0-4c9b-8f1e-2a6c5e4b7f10",
    app_secret="cyemu-demo-7Qk2vR9tLx4mWp8ZsN3bHj6FdYc1GaE5uT0o",
)
