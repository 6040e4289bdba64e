"""Cylance API client layer (no Textual here).

The public surface: :mod:`tui.api.client` (``CylanceClient``, which imports
httpx), and the light modules re-exported below, which do not, so the CLI's
fast paths and the TUI's first paint need not pay for httpx.
"""

from tui.api.errors import (
    ApiError,
    AuthFailed,
    BadRequest,
    ConfigError,
    CypkgError,
    InvalidPackageId,
    InvalidResponse,
    MissingScope,
    NetworkError,
    NotFound,
    RateLimited,
    RequestTimeout,
    ServerError,
    UsageError,
)
from tui.api.ids import extract_package_id, normalize_package_id
from tui.api.models import Package, PackagePage, Status

__all__ = [
    "ApiError",
    "AuthFailed",
    "BadRequest",
    "ConfigError",
    "CypkgError",
    "InvalidPackageId",
    "InvalidResponse",
    "MissingScope",
    "NetworkError",
    "NotFound",
    "Package",
    "PackagePage",
    "RateLimited",
    "RequestTimeout",
    "ServerError",
    "Status",
    "UsageError",
    "extract_package_id",
    "normalize_package_id",
]
