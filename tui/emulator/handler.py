"""The HTTP layer: sockets, keep-alive, bodies, and putting faults on the wire.

Built on ``http.server`` so the emulator needs nothing beyond the standard
library and PyJWT. Every response carries Content-Length, so HTTP/1.1
keep-alive works; access logging is off because request lines and headers
would include bearer tokens.
"""

from __future__ import annotations

import contextlib
import io
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import urlsplit

from tui.emulator.control import PREFIX as CONTROL_PREFIX
from tui.emulator.control import Control
from tui.emulator.fault_responses import fault_response, respaced, sample_body
from tui.emulator.faults import Faults
from tui.emulator.messages import Request, Response, error
from tui.emulator.recorder import NO_RESPONSE, RequestLog, RequestRecord
from tui.emulator.service import DOWNLOAD_PREFIX, UPLOAD_PREFIX, Service
from tui.emulator.times import Clock
from tui.emulator.uploads import Transfers

MAX_BODY = 256 * 1024 * 1024  # far above any real package; protects the test process


@dataclass(frozen=True)
class Wiring:
    """What a request handler needs from the emulator that owns the server."""

    service: Service
    control: Control
    faults: Callable[[], Faults]  # looked up per request: tests may swap emu.faults
    log: RequestLog
    clock: Clock
    stopping: threading.Event  # set on stop, so stalls and latency end at once
    transfers: Transfers  # the upload and download URLs: bodies streamed, not read here


class _BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Tracks open connections so stop() can close idle keep-alive ones."""

    daemon_threads = True
    wiring: Wiring

    def __init__(self, address: tuple[str, int], wiring: Wiring, family: int) -> None:
        self.address_family = family
        self.wiring = wiring
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, EmulatorHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-response are routine here (timeouts, fault tests).
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class EmulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cypkg-emulator/1"
    sys_version = ""
    error_content_type = "application/json; charset=utf-8"
    error_message_format = '{"message": "%(message)s"}'

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle plus the
        # client's delayed ACK adds ~40 ms to every response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines can carry tokens and the CLI's terminal is the user's."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    # -- dispatch ---------------------------------------------------------------

    def _handle(self) -> None:
        wiring = cast(EmulatorHTTPServer, self.server).wiring
        target = urlsplit(self.path)
        if target.path.startswith((UPLOAD_PREFIX, DOWNLOAD_PREFIX)):
            self._transfer(wiring, target.path, target.query)
            return
        try:
            body = self._read_body()
        except _BodyError as problem:
            self.close_connection = True  # the rest of the stream cannot be trusted
            self._send(error(problem.status, str(problem)))
            return
        request = Request(
            self.command,
            target.path,
            target.query,
            {name.lower(): value for name, value in self.headers.items()},
            body,
        )
        if target.path.startswith(CONTROL_PREFIX):
            self._send(wiring.control.handle(request))
            return
        self._serve(wiring, request)

    def _serve(self, wiring: Wiring, request: Request) -> None:
        arrived = wiring.clock()
        faults = wiring.faults()
        fault = faults.take(request.path)
        latency = faults.latency
        if latency:
            wiring.stopping.wait(latency)

        def record(status: int) -> None:
            # Logged before the bytes go out, so a client holding the response
            # always finds its request in the log.
            wiring.log.add(
                RequestRecord(request.method, request.path, status, arrived, request.query)
            )

        if fault is not None and fault.kind == "drop":
            record(NO_RESPONSE)
            self.close_connection = True
            return
        if fault is not None and fault.kind == "stall":
            wiring.stopping.wait(fault.seconds)
        if fault is not None and fault.kind in ("fail", "malformed", "body", "redirect"):
            response = fault_response(fault)
        else:
            response = wiring.service.handle(request)
        if fault is not None and fault.kind == "respace":
            response = respaced(response, fault.whitespace)
        record(response.status)
        if fault is not None and fault.kind == "reset":
            self._send_half(response)
        elif fault is not None and fault.kind == "trickle":
            self._send_trickled(response, fault.seconds, fault.trickle_headers, wiring.stopping)
        else:
            self._send(response)

    def _transfer(self, wiring: Wiring, path: str, query: str) -> None:
        out = wiring.transfers.handle(self.command, path, query, self.headers, self.rfile)
        self.close_connection = self.close_connection or out.close or out.drop
        if out.drop:
            return
        if out.stream is None:
            self._send(out.response)
            return
        self._start(out.response, out.length)
        for chunk in out.stream:
            self.wfile.write(chunk)
        self.wfile.flush()

    # -- wire -------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            raise _BodyError(400, "Invalid Content-Length.") from None
        if length < 0:
            raise _BodyError(400, "Invalid Content-Length.")
        if length > MAX_BODY:
            raise _BodyError(413, "The request body is too large.")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BodyError(400, "Invalid chunked encoding.") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise _BodyError(413, "The request body is too large.")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF after each chunk

    def _start(self, response: Response, length: int) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(length))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _send(self, response: Response) -> None:
        self._start(response, len(response.body))
        self.wfile.write(response.body)
        self.wfile.flush()

    def _send_half(self, response: Response) -> None:
        """Promise the whole body, deliver half of it, hang up."""
        if len(response.body) < 2:
            response = Response(200, sample_body())
        self._start(response, len(response.body))
        self.wfile.write(response.body[: len(response.body) // 2])
        self.wfile.flush()
        self.close_connection = True

    def _send_trickled(
        self, response: Response, seconds: float, headers: bool, stopping: threading.Event
    ) -> None:
        """The whole answer, one byte every ``seconds`` (the head at once unless ``headers``)."""
        wire = self.wfile
        head = io.BytesIO()
        self.wfile = head  # collect the head instead of sending it
        try:
            self._start(response, len(response.body))
        finally:
            self.wfile = wire
        slow = head.getvalue() + response.body
        if not headers:
            wire.write(head.getvalue())
            wire.flush()
            slow = response.body
        self.close_connection = True  # whatever happens, this connection is spent
        for index in range(len(slow)):
            if stopping.wait(seconds):
                return
            # A client that gave up has closed its end: the write fails, the thread ends.
            wire.write(slow[index : index + 1])
            wire.flush()
