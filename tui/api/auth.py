"""Client JWTs and the access-token cache.

Where is the token renewed? Here: :class:`TokenCache` hands out a cached token
until :data:`RENEW_MARGIN` seconds before its own ``exp``; the client asks for
a new one when the cache has none and drops it when the API answers 401.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import stat
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tui.base.files import LinkRefused, PrivateDir

ISSUER = "http://cylance.com"
#: The API refuses client JWTs that live longer than 30 minutes.
MAX_JWT_LIFETIME = 1800
#: Renew this long before the access token's own expiry, so a request never
#: leaves with a token that expires on the way.
RENEW_MARGIN = 60.0
#: When an access token carries no readable ``exp``: clients assume 30 minutes.
ASSUMED_LIFETIME = 1800.0
#: A token file is a few kilobytes; anything bigger is not one.
_MAX_TOKEN_FILE = 64 * 1024


def build_client_jwt(
    *,
    tenant_id: str,
    app_id: str,
    app_secret: str,
    now: float,
    lifetime: int = MAX_JWT_LIFETIME,
    scopes: str | None = None,
) -> str:
    """The HS256 JWT that ``POST /auth/v2/token`` expects, signed with the app secret."""
    import uuid  # imported here, like jwt: only a cold token cache pays for them

    import jwt

    issued = int(now)
    claims: dict[str, object] = {
        "iat": issued,
        "exp": issued + min(lifetime, MAX_JWT_LIFETIME),
        "iss": ISSUER,
        "sub": app_id,
        "tid": tenant_id,
        "jti": str(uuid.uuid4()),
    }
    if scopes:
        claims["scp"] = scopes
    with warnings.catch_warnings():
        # The console chooses the secret, not the user: a warning about its length
        # printed on every sign-in would only be noise.
        warnings.simplefilter("ignore", UserWarning)
        return jwt.encode(claims, app_secret, algorithm="HS256")


def token_expiry(access_token: str) -> float | None:
    """Read ``exp`` from a JWT access token without verifying it.

    We cannot verify it (it is signed with the service's key) and need not:
    the server does. The expiry only tells us when to renew.
    """
    parts = access_token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error, RecursionError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, (int, float)) and not isinstance(exp, bool):
        return float(exp)
    return None


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str
    expires_at: float

    def __repr__(self) -> str:  # the token is a bearer credential
        return f"AccessToken(expires_at={self.expires_at:.0f})"

    def fresh(self, now: float) -> bool:
        return now < self.expires_at - RENEW_MARGIN


def cache_key(base_url: str, tenant_id: str, app_id: str, app_secret: str) -> str:
    """The token cache's key (and file name) for one set of credentials.

    An HMAC keyed by the secret: a token bought with one secret never answers
    for another (a wrong secret signs in afresh and fails at once), while the
    key itself reveals nothing about the secret.
    """
    message = "\n".join(("cypkg token cache v2", base_url, tenant_id.lower(), app_id.lower()))
    digest = hmac.new(app_secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:40]


class TokenCache:
    """Access tokens in memory and, when ``directory`` is given, on disk.

    The file holds only the access token and its expiry (never the app secret),
    is mode 0600 in a 0700 directory, and is named by :func:`cache_key`
    (base URL, tenant, app ID and a fingerprint of the secret), so neither
    profiles nor secrets ever share a token.

    Nothing is followed through a link (see :mod:`tui.base.files`): ``own`` counts the
    trailing directories of ``directory`` that are cypkg's (2 for
    ``<cache dir>/tokens``). When one of them is a link the disk cache is refused
    for good: tokens stay in memory, and ``on_problem`` hears why, once.
    """

    def __init__(
        self,
        directory: Path | None,
        *,
        own: int = 1,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self._directory = directory
        self._own = own
        self._on_problem = on_problem
        #: Why tokens are not cached on disk, when a link was refused.
        self.problem: str | None = None
        self._memory: dict[str, AccessToken] = {}
        self._lock = threading.Lock()

    def get(self, key: str, now: float | None = None) -> AccessToken | None:
        now = time.time() if now is None else now
        with self._lock:
            token = self._memory.get(key)
            if token is None:
                token = self._read(key)
                if token is not None:
                    self._memory[key] = token
            if token is not None and token.fresh(now):
                return token
            return None

    def put(self, key: str, token: AccessToken) -> None:
        with self._lock:
            self._memory[key] = token
            data = json.dumps({"access_token": token.value, "expires_at": token.expires_at})
            # A read-only cache dir costs one extra request next time, nothing more.
            with self._disk() as directory:
                if directory is not None:
                    directory.write_atomic(f"{key}.json", data.encode("utf-8"))

    def discard(self, key: str) -> None:
        with self._lock:
            self._memory.pop(key, None)
            with self._disk(create=False) as directory:
                if directory is not None:
                    directory.unlink(f"{key}.json")

    @contextlib.contextmanager
    def _disk(self, *, create: bool = True) -> Iterator[PrivateDir | None]:
        """The cache directory, open (None when memory only); disk errors end quietly.

        A read-only, missing or damaged cache costs one sign-in, nothing more.
        """
        directory: PrivateDir | None = None
        if self._directory is not None and self.problem is None:
            try:
                directory = PrivateDir.open(self._directory, own=self._own, create=create)
            except LinkRefused as exc:
                self._refuse(exc)
            except OSError:
                pass
        if directory is None:
            yield None
            return
        with directory, contextlib.suppress(OSError):
            yield directory

    def _refuse(self, exc: LinkRefused) -> None:
        self.problem = (
            f"{exc}. Access tokens are not cached on disk: cypkg signs in each time "
            "until the link is replaced by a real directory."
        )
        if self._on_problem is not None:
            with contextlib.suppress(Exception):
                self._on_problem(self.problem)

    def _read(self, key: str) -> AccessToken | None:
        name = f"{key}.json"
        raw: bytes | None = None
        with self._disk(create=False) as directory:
            if directory is not None:
                info = directory.lstat(name)
                if info is not None and not _private(info):
                    # Others could read it (or it is a link, not followed): others may
                    # hold the token, so never use it.
                    directory.unlink(name)
                elif info is not None:
                    raw = directory.read(name, _MAX_TOKEN_FILE)
        if raw is None:
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
            value, expires_at = data["access_token"], data["expires_at"]
        except (ValueError, KeyError, TypeError, RecursionError):
            return None  # damaged: just fetch a new token
        if not isinstance(value, str) or not isinstance(expires_at, (int, float)):
            return None
        return AccessToken(value, float(expires_at))


def _private(info: os.stat_result) -> bool:
    """False for a token file others could read or write, or anything but a regular file."""
    if not stat.S_ISREG(info.st_mode):
        return False
    return os.name != "posix" or not stat.S_IMODE(info.st_mode) & 0o077
