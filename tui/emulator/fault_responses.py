"""The bytes a planned fault puts on the wire instead of the service's answer."""

from __future__ import annotations

import json

from tui.emulator.faults import PlannedFault
from tui.emulator.messages import Response, error, json_response

# What a captive portal or corporate proxy login page looks like to an API client.
_PROXY_LOGIN_PAGE = b"""<!DOCTYPE html>
<html><head><title>Sign in - Web Gateway</title></head>
<body><h1>Authentication required</h1>
<p>Your organisation requires you to sign in before using the internet.</p>
<form method="post" action="/login"><input name="user"><input name="password" type="password">
<button>Sign in</button></form></body></html>
"""

_SAMPLE_PACKAGE = {
    "category": "custom",
    "packageId": "00000000-0000-4000-8000-000000000000",
    "packageDescriptor": {"name": "cut-short", "description": "x" * 512, "examples": []},
    "status": "success",
    "size": 1024,
}


def sample_body() -> bytes:
    """A valid package-like JSON document, used where a fault needs a real-looking body."""
    return json.dumps(_SAMPLE_PACKAGE).encode("utf-8")


def fault_response(fault: PlannedFault) -> Response:
    """The response for a ``fail``, ``malformed``, ``body`` or ``redirect`` fault."""
    if fault.kind == "redirect":
        # Latin-1 round-trips every byte: the handler writes headers encoded so.
        where = {} if fault.location is None else {"Location": fault.location.decode("latin-1")}
        return Response(fault.status, b"", headers=where)
    if fault.kind == "body":
        return Response(fault.status, fault.body, fault.content_type)
    if fault.kind == "fail":
        headers = {}
        if fault.retry_after is not None:
            # http.server writes headers as Latin-1: this way any text goes out as UTF-8.
            headers["Retry-After"] = fault.retry_after.encode("utf-8").decode("latin-1")
        message = "Too many requests." if fault.status == 429 else "Injected failure."
        response = error(fault.status, message)
        response.headers.update(headers)
        return response
    kind = fault.malformed
    if kind == "html":
        return Response(200, _PROXY_LOGIN_PAGE, "text/html; charset=utf-8")
    if kind == "truncated":
        body = sample_body()
        return Response(200, body[: len(body) // 2])
    if kind == "notjson":
        return Response(200, b"OK: request accepted")
    if kind == "wrongshape":
        return json_response(200, [{"unexpected": True}])
    if kind == "wrongobject":
        return json_response(200, {"unexpected": True, "items": []})
    return Response(200, b"")  # "empty"


def respaced(response: Response, whitespace: str) -> Response:
    """``response`` with ``whitespace`` around every token of its JSON body (same value)."""
    try:
        value = json.loads(response.body)
    except ValueError:
        return response  # not JSON (an upload's content): nothing to space out
    body = json.dumps(value, ensure_ascii=False, separators=("," + whitespace, ":" + whitespace))
    spaced = (whitespace + body + whitespace).encode("utf-8")
    return Response(response.status, spaced, response.content_type, response.headers)
