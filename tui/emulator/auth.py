"""Token exchange and bearer checks, as the real ``/auth/v2/token`` behaves.

The client signs a JWT with its app secret; we find the app by the unverified
``sub``, verify with that app's secret, then issue an access token signed with
a key only this emulator instance knows. Time checks use the injected clock,
not PyJWT's wall clock, so tests can expire tokens without sleeping.
"""

from __future__ import annotations

import math
import secrets
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from tui.emulator.apps import ApiApp
from tui.emulator.times import Clock

ISSUER = "http://cylance.com"
MAX_CLIENT_JWT_LIFETIME = 1800
# How far in the future a client's iat may be: beyond this the client clock is skewed.
ALLOWED_FUTURE_SKEW = 60
REQUIRED_CLAIMS = ("iat", "exp", "iss", "sub", "tid", "jti")
INVALID_PAYLOAD = "Invalid JWT payload"

# PyJWT checks nothing time- or claim-related: we do, against our own clock.
_NO_CLAIM_CHECKS: jwt.types.Options = {
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
    "verify_iss": False,
    "verify_aud": False,
    "verify_sub": False,
    "verify_jti": False,
}


class AuthFailure(Exception):
    """A rejected token: the HTTP status, the public message, and a detail for debugging."""

    def __init__(self, status: int, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail


@dataclass(frozen=True)
class Grant:
    """What a valid access token allows."""

    app_id: str
    tenant_id: str
    scopes: frozenset[str]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parse_scopes(value: Any) -> frozenset[str] | None:
    """``scp`` as comma-separated text (spaces allowed) or a list; None when absent."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        raise AuthFailure(401, INVALID_PAYLOAD, "scp must be a string or a list")
    return frozenset(str(item).strip() for item in items if str(item).strip())


class TokenAuthority:
    """Registered apps, replay protection, issued tokens and their revocation."""

    def __init__(self, clock: Clock, token_lifetime: float) -> None:
        self._clock = clock
        self._lifetime = token_lifetime
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._apps: dict[str, ApiApp] = {}
        self._seen_jti: dict[str, float] = {}  # client jti -> its exp, pruned once past
        self._live: dict[str, float] = {}  # access-token jti -> exp; revocation empties it

    def register(self, app: ApiApp) -> None:
        with self._lock:
            self._apps[app.app_id.lower()] = app

    # -- exchange ---------------------------------------------------------------

    def exchange(self, auth_token: str) -> str:
        """Verify a client JWT and return a new access token, or raise AuthFailure."""
        claims = self._verified_claims(auth_token)
        app = self._app_for(claims)
        now = self._clock()
        iat, exp = claims["iat"], claims["exp"]
        if exp - iat > MAX_CLIENT_JWT_LIFETIME:
            raise AuthFailure(
                400,
                f"The JWT lifetime (exp - iat) must not exceed {MAX_CLIENT_JWT_LIFETIME} seconds.",
            )
        if now >= exp:
            raise AuthFailure(401, INVALID_PAYLOAD, "expired: check the client clock")
        if iat > now + ALLOWED_FUTURE_SKEW:
            raise AuthFailure(401, INVALID_PAYLOAD, "iat is in the future: check the client clock")
        requested = _parse_scopes(claims.get("scp"))
        scopes = app.scopes if requested is None else app.scopes & requested
        with self._lock:
            self._seen_jti = {j: e for j, e in self._seen_jti.items() if e > now}
            if claims["jti"] in self._seen_jti:
                raise AuthFailure(401, INVALID_PAYLOAD, "jti already used")
            self._seen_jti[claims["jti"]] = exp
        return self._issue(app, scopes, now)

    def _verified_claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthFailure(401, INVALID_PAYLOAD, "not a JWT") from None
        if header.get("alg") != "HS256":
            raise AuthFailure(401, INVALID_PAYLOAD, "alg must be HS256")
        sub = unverified.get("sub")
        app = self._apps.get(sub.lower()) if isinstance(sub, str) else None
        if app is None:
            raise AuthFailure(401, INVALID_PAYLOAD, "unknown application (sub)")
        try:
            claims: dict[str, Any] = jwt.decode(
                token, app.app_secret, algorithms=["HS256"], options=_NO_CLAIM_CHECKS
            )
        except jwt.PyJWTError:
            raise AuthFailure(401, INVALID_PAYLOAD, "bad signature") from None
        missing = [name for name in REQUIRED_CLAIMS if claims.get(name) in (None, "")]
        if missing:
            raise AuthFailure(401, INVALID_PAYLOAD, "missing claims: " + ", ".join(missing))
        if not (_is_number(claims["iat"]) and _is_number(claims["exp"])):
            raise AuthFailure(401, INVALID_PAYLOAD, "iat and exp must be epoch seconds")
        if claims["iss"] != ISSUER:
            raise AuthFailure(401, INVALID_PAYLOAD, f"iss must be {ISSUER}")
        if not isinstance(claims["jti"], str):
            raise AuthFailure(401, INVALID_PAYLOAD, "jti must be a string")
        return claims

    def _app_for(self, claims: dict[str, Any]) -> ApiApp:
        app = self._apps[str(claims["sub"]).lower()]
        if str(claims["tid"]).lower() != app.tenant_id.lower():
            raise AuthFailure(401, INVALID_PAYLOAD, "tid does not match the application's tenant")
        return app

    def _issue(self, app: ApiApp, scopes: frozenset[str], now: float) -> str:
        iat = math.floor(now)
        exp = math.floor(now + self._lifetime)
        jti = str(uuid.uuid4())
        with self._lock:
            self._live = {j: e for j, e in self._live.items() if e > now}
            self._live[jti] = exp
        claims = {
            "iat": iat,
            "exp": exp,
            "jti": jti,
            "tid": app.tenant_id,
            "sub": app.app_id,
            "scp": sorted(scopes),
        }
        return jwt.encode(claims, self._key, algorithm="HS256")

    # -- bearer checks ----------------------------------------------------------

    def authorize(self, authorization: str | None, scope: str | None) -> Grant:
        """Check an ``Authorization`` header for a live token holding ``scope`` (None: any)."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthFailure(401, "Authorization header with a Bearer token is required.")
        try:
            claims = jwt.decode(
                token.strip(), self._key, algorithms=["HS256"], options=_NO_CLAIM_CHECKS
            )
        except jwt.PyJWTError:
            raise AuthFailure(401, "The access token is invalid.") from None
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or isinstance(exp, bool) or self._clock() >= exp:
            raise AuthFailure(401, "The access token has expired.")
        with self._lock:
            live = claims.get("jti") in self._live
        if not live:
            raise AuthFailure(401, "The access token has been revoked.")
        scopes = frozenset(claims.get("scp") or ())
        if scope is not None and scope not in scopes:
            raise AuthFailure(403, f"The access token lacks the {scope} scope.")
        return Grant(str(claims.get("sub")), str(claims.get("tid")), scopes)

    def revoke_all(self) -> int:
        """Invalidate every access token issued so far; returns how many were live."""
        with self._lock:
            count = len(self._live)
            self._live.clear()
        return count
