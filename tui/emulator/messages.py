"""Plain request and response values passed between the HTTP layer and the routes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # percent-decoding is left to the routes
    query: str
    headers: dict[str, str]  # names lower-cased
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, JSON_TYPE, dict(headers or {}))


def error(status: int, message: str, **extra: Any) -> Response:
    """The service's error shape: ``{"message": ...}`` plus optional detail fields."""
    return json_response(status, {"message": message, **extra})


def parse_json(body: bytes) -> Any:
    """The decoded body, or raise ValueError (covers bad UTF-8 and bad JSON)."""
    return json.loads(body.decode("utf-8"))
