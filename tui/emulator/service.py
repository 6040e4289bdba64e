"""The emulated Cylance endpoints: token exchange, packages, and the upload target.

Pure request → response functions over the store and the token authority; the
HTTP layer (server.py) owns sockets, faults and logging.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote

from tui.emulator import apps
from tui.emulator.auth import AuthFailure, Grant, TokenAuthority
from tui.emulator.listing import ListError, list_page, parse_query
from tui.emulator.messages import Request, Response, error, json_response, parse_json
from tui.emulator.store import PackageStore
from tui.emulator.times import Clock, format_timestamp
from tui.emulator.uploads import (
    DOWNLOAD_PREFIX,
    DOWNLOAD_URL_LIFETIME,
    UPLOAD_PREFIX,
    UPLOAD_URL_LIFETIME,
    Signer,
)

__all__ = ["DOWNLOAD_PREFIX", "PACKAGES_PATH", "TOKEN_PATH", "UPLOAD_PREFIX", "Service"]

TOKEN_PATH = "/auth/v2/token"
PACKAGES_PATH = "/packages/v2"
DEFAULT_UPLOAD_TIMEOUT = 300

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_SHA256 = re.compile(r"^[0-9a-f]{64}$", re.IGNORECASE)
_NOT_FOUND = "The requested resource was not found."


def _method_not_allowed(*allowed: str) -> Response:
    response = error(405, "The method is not allowed for this resource.")
    response.headers["Allow"] = ", ".join(allowed)
    return response


def _auth_error(failure: AuthFailure) -> Response:
    extra = {"detail": failure.detail} if failure.detail else {}
    response = error(failure.status, failure.message, **extra)
    if failure.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


class Service:
    """Routes one request to the endpoint that answers it."""

    def __init__(
        self,
        authority: TokenAuthority,
        store: PackageStore,
        clock: Clock,
        base_url: Callable[[], str],
        signer: Signer | None = None,
    ) -> None:
        self._signer = signer or Signer(clock)
        #: Seconds a created package waits for its file (a create body's "timeout" wins).
        self.upload_timeout = DEFAULT_UPLOAD_TIMEOUT
        self._authority = authority
        self._store = store
        self._clock = clock
        self._base_url = base_url  # a callable: the port is only known once bound

    def handle(self, request: Request) -> Response:
        path = request.path
        if path == TOKEN_PATH:
            if request.method != "POST":
                return _method_not_allowed("POST")
            return self._token(request)
        if path.rstrip("/") == PACKAGES_PATH or path.startswith(PACKAGES_PATH + "/"):
            return self._packages(request)
        return error(404, _NOT_FOUND)

    # -- auth -------------------------------------------------------------------

    def _token(self, request: Request) -> Response:
        try:
            payload = parse_json(request.body)
        except ValueError:
            return error(400, 'The request body must be JSON: {"auth_token": "<JWT>"}.')
        token = payload.get("auth_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            return error(400, "The request body must contain an auth_token.")
        try:
            return json_response(200, {"access_token": self._authority.exchange(token)})
        except AuthFailure as failure:
            return _auth_error(failure)

    # -- packages ---------------------------------------------------------------

    def _packages(self, request: Request) -> Response:
        rest = request.path[len(PACKAGES_PATH) :].strip("/")
        routes: dict[str, tuple[str, Callable[[Request, str, Grant], Response]]]
        if rest:
            routes = {
                "GET": (apps.SCOPE_READ, self._get),
                "DELETE": (apps.SCOPE_DELETE, self._delete),
            }
        else:
            routes = {
                "GET": (apps.SCOPE_LIST, self._list),
                "POST": (apps.SCOPE_CREATE, self._create),
            }
        route = routes.get(request.method)
        try:
            # Authentication comes first, as in the real service: 401/403 before 404/405.
            grant = self._authority.authorize(
                request.header("authorization"), route[0] if route else None
            )
        except AuthFailure as failure:
            return _auth_error(failure)
        if route is None:
            return _method_not_allowed(*routes)
        return route[1](request, unquote(rest), grant)

    def _get(self, _request: Request, package_id: str, _grant: Grant) -> Response:
        package = self._store.get(package_id) if _UUID.match(package_id) else None
        if package is None:
            return error(404, "The package was not found.")
        return json_response(200, package)

    def _delete(self, _request: Request, package_id: str, _grant: Grant) -> Response:
        if not (_UUID.match(package_id) and self._store.delete(package_id)):
            return error(404, "The package was not found.")
        return json_response(200, {})

    def _list(self, request: Request, _rest: str, _grant: Grant) -> Response:
        try:
            query = parse_query(parse_qs(request.query, keep_blank_values=True))
        except ListError as problem:
            return error(400, str(problem))
        return json_response(200, list_page(self._store.snapshot(), query))

    def _create(self, request: Request, _rest: str, grant: Grant) -> Response:
        try:
            payload = parse_json(request.body)
        except ValueError:
            return error(400, "The request body must be a JSON object.")
        problem = _create_problem(payload)
        if problem:
            return error(400, problem)
        package_id = str(uuid.uuid4())
        now = self._clock()
        base = self._base_url()
        descriptor: dict[str, Any] = {"version": 1, **payload["packageDescriptor"]}
        descriptor["packageId"] = package_id
        sign = self._signer.query
        download = f"{base}{DOWNLOAD_PREFIX}{package_id}?"
        download += sign("download", package_id, DOWNLOAD_URL_LIFETIME)
        self._store.add(
            {
                "category": "custom",
                "downloadUrl": download,
                "packageDescriptor": descriptor,
                "packageId": package_id,
                "playbookCount": 0,
                "size": 0,
                "status": "started",
                "timeout": payload.get("timeout", self.upload_timeout),
                # API uploads have no console user: the app stands in and has no e-mail.
                "uploadedBy": {"id": grant.app_id, "login": None},
                "uploadedOn": format_timestamp(now),
                "_uploaded_at": now,
                "_checksum": payload["checksum"],
            }
        )
        upload = f"{base}{UPLOAD_PREFIX}{package_id}?"
        upload += sign("upload", package_id, UPLOAD_URL_LIFETIME)
        return json_response(
            201,  # the API's status codes page: 201 Created for creations
            {
                "packageId": package_id,
                "packageUrl": f"{base}{PACKAGES_PATH}/{package_id}",
                "uploadTo": upload,
            },
        )


def _create_problem(payload: Any) -> str:
    """Why a create body is invalid, or an empty string."""
    if not isinstance(payload, dict):
        return "The request body must be a JSON object."
    checksum = payload.get("checksum")
    if not isinstance(checksum, str) or not _SHA256.match(checksum):
        return "checksum must be the SHA-256 of the file as 64 hexadecimal characters."
    descriptor = payload.get("packageDescriptor")
    if not isinstance(descriptor, dict):
        return "packageDescriptor must be an object."
    name = descriptor.get("name")
    if not isinstance(name, str) or not name.strip():
        return "packageDescriptor.name is required."
    timeout = payload.get("timeout", DEFAULT_UPLOAD_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
        return "timeout must be a positive number of seconds."
    return ""
