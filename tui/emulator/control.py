"""``/_emulator/*`` endpoints that let out-of-process clients drive the emulator.

No authentication: the emulator only ever listens on loopback. These requests
bypass faults and latency and are not recorded in the request log.

    GET  /_emulator/faults          current latency, fail_rate and planned faults
    POST /_emulator/faults          {"fail_next": {"n": 2, "status": 503}, "latency": 0.2, ...}
    POST /_emulator/revoke          invalidate every access token issued so far
    GET  /_emulator/stats           request counts by method and path, and the total
    POST /_emulator/reset-stats     forget the request log
    POST /_emulator/packages        add a package object as given
    POST /_emulator/big-package     add seed.big_package() ({"n_examples", "description_kb"})
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.emulator.faults import Faults
from tui.emulator.messages import Request, Response, error, json_response, parse_json
from tui.emulator.recorder import RequestLog
from tui.emulator.seed import big_package
from tui.emulator.store import PackageStore

PREFIX = "/_emulator/"
_PLANNERS = (
    "fail_next",
    "rate_limit_next",
    "drop_next",
    "reset_mid_body_next",
    "malformed_next",
    "stall_next",
    "trickle_next",
    "redirect_next",
    "respace_next",
)
_SETTINGS = ("latency", "fail_rate")


class Control:
    def __init__(
        self,
        faults: Callable[[], Faults],
        log: RequestLog,
        revoke: Callable[[], int],
        store: PackageStore,
        base_url: Callable[[], str],
    ) -> None:
        self._faults_of = faults  # a getter: tests may swap emu.faults at any time
        self._log = log
        self._revoke = revoke
        self._store = store
        self._base_url = base_url

    def handle(self, request: Request) -> Response:
        route = (request.method, request.path.rstrip("/"))
        faults = self._faults_of()
        if route == ("GET", "/_emulator/faults"):
            return json_response(200, faults.snapshot())
        if route == ("POST", "/_emulator/faults"):
            return _configure(faults, request.body)
        if route == ("POST", "/_emulator/revoke"):
            return json_response(200, {"revoked": self._revoke()})
        if route == ("GET", "/_emulator/stats"):
            return json_response(200, self._log.stats())
        if route == ("POST", "/_emulator/reset-stats"):
            self._log.clear()
            return json_response(200, {})
        if route == ("POST", "/_emulator/packages"):
            return self._add_package(request.body)
        if route == ("POST", "/_emulator/big-package"):
            return self._add_big_package(request.body)
        return error(404, "No such emulator control endpoint.")

    def _add_package(self, body: bytes) -> Response:
        """Store any package object as given (``_``-keys schedule its life cycle)."""
        payload = _json_object(body)
        if payload is None:
            return error(400, "The body must be a JSON object.")
        return json_response(200, {"packageId": self._store.add(payload)})

    def _add_big_package(self, body: bytes) -> Response:
        """Add seed.big_package(); the body may set ``n_examples`` and ``description_kb``."""
        payload = _json_object(body)
        sizes = {k: v for k, v in (payload or {}).items() if k in ("n_examples", "description_kb")}
        if payload is None or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100_000
            for v in sizes.values()
        ):
            return error(400, 'Expected {"n_examples": int, "description_kb": int}.')
        package = big_package(**sizes, base_url=self._base_url())
        return json_response(200, {"packageId": self._store.add(package)})


def _configure(faults: Faults, body: bytes) -> Response:
    """Apply ``{"clear": true, "latency": 0.2, "fail_next": {"n": 2, "status": 503}, ...}``.

    ``clear`` goes first; the rest in the order given. A planner's value is
    the keyword arguments of the Faults method of that name, or just ``n``.
    """
    payload = _json_object(body)
    if payload is None:
        return error(400, "The body must be a JSON object.")
    unknown = sorted(set(payload) - {"clear", *_SETTINGS, *_PLANNERS})
    if unknown:
        return error(400, "Unknown fault settings: " + ", ".join(unknown))
    try:
        if payload.get("clear"):
            faults.clear()
        for name, value in payload.items():
            if name in _SETTINGS:
                setattr(faults, name, value)
            elif name in _PLANNERS:
                getattr(faults, name)(**_planner_args(value))
    except (TypeError, ValueError) as problem:
        return error(400, f"Invalid fault settings: {problem}")
    return json_response(200, faults.snapshot())


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object ({} when empty), or None when it is anything else."""
    try:
        payload = parse_json(body) if body.strip() else {}
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _planner_args(value: Any) -> dict[str, Any]:
    if isinstance(value, int) and not isinstance(value, bool):
        return {"n": value}
    if not isinstance(value, dict):
        raise ValueError("each fault takes an object of arguments or a count")
    args = dict(value)
    retry_after = args.get("retry_after")
    if isinstance(retry_after, (int, float)) and not isinstance(retry_after, bool):
        args["retry_after"] = str(retry_after)  # JSON callers naturally send numbers
    return args
