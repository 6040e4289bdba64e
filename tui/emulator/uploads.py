"""The storage side of the emulator: pre-signed upload and download URLs.

The real service hands out ``uploadTo`` and ``downloadUrl`` on a storage host; here
they are paths of the emulator's own server (``/_emulator/upload/ID``,
``/_emulator/download/ID``) signed like pre-signed storage URLs: an HMAC of the
action, the package ID and an expiry, in the query. Like storage, they take no
``Authorization`` header (one is refused, and counted: tests assert none came).

Bodies are streamed: an upload is hashed as it arrives and spooled to an unnamed
temporary file past ``MEMORY_LIMIT``; a download is sent from it in chunks. So a
1 GB upload costs the emulator a temporary file, not a gigabyte of memory.

Faults (planned with ``path_prefix`` set to an upload or download prefix):
``fail`` reads the whole body, then answers the status (the package stays
``started``; a 2xx "accepts" a file the service never sees, so the package times
out); ``drop`` reads half the body, then hangs up without an answer; ``stall``
waits before reading; ``reset`` (downloads) sends half the file, then hangs up.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from typing import IO, Protocol
from urllib.parse import parse_qs, unquote

from tui.emulator.faults import Faults
from tui.emulator.messages import Response, error, json_response
from tui.emulator.recorder import NO_RESPONSE, RequestLog, RequestRecord
from tui.emulator.times import Clock

UPLOAD_PREFIX = "/_emulator/upload/"
DOWNLOAD_PREFIX = "/_emulator/download/"
#: Upload URLs expire like pre-signed ones; a download URL lives as long as a demo does.
UPLOAD_URL_LIFETIME = 3600
DOWNLOAD_URL_LIFETIME = 30 * 86400
#: Bodies up to this stay in memory; larger ones go to a temporary file.
MEMORY_LIMIT = 1024 * 1024
MAX_UPLOAD = 16 * 1024**3
CHUNK = 256 * 1024


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


#: The seeded packages' files were "stored before this emulator started": their
#: download URLs are signed with this fixed key and expiry, not the run's random key,
#: so they are the same every run (docs, screenshots and snapshots stay stable) and
#: still signed, as pre-signed storage URLs are. The key opens only seeded files.
SEED_KEY = b"cypkg-emulator-seeded-files"
SEED_URL_EXPIRES = 4_102_444_800  # 2100-01-01 UTC: a demo never sees it expire


def _mac(key: bytes, action: str, package_id: str, expires: int) -> str:
    text = f"{action}\n{package_id.lower()}\n{expires}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def seeded_download_query(package_id: str) -> str:
    """The query of a seeded package's download URL (fixed: see ``SEED_KEY``)."""
    signature = _mac(SEED_KEY, "download", package_id, SEED_URL_EXPIRES)
    return f"expires={SEED_URL_EXPIRES}&signature={signature}"


class Signer:
    """Signs and checks ``expires=…&signature=…`` for one action on one package.

    ``seeded(package_id)``: the package's file is a seeded one, whose download URL
    was signed with ``SEED_KEY``.
    """

    def __init__(self, clock: Clock, seeded: Callable[[str], bool] = lambda _id: False) -> None:
        self._clock = clock
        self._key = secrets.token_bytes(32)  # per emulator: URLs of another run are refused
        self._seeded = seeded

    def _mac(self, action: str, package_id: str, expires: int) -> str:
        return _mac(self._key, action, package_id, expires)

    def query(self, action: str, package_id: str, lifetime: float) -> str:
        expires = int(self._clock() + lifetime)
        return f"expires={expires}&signature={self._mac(action, package_id, expires)}"

    def problem(self, action: str, package_id: str, query: str) -> str:
        """Why the query does not authorise ``action`` now; empty when it does."""
        fields = parse_qs(query)
        expires_text = (fields.get("expires") or [""])[0]
        signature = (fields.get("signature") or [""])[0]
        if not expires_text.isdigit() or not signature:
            return "The URL is not signed (expires and signature are required)."
        keys = [self._key]
        if action == "download" and self._seeded(package_id):
            keys.append(SEED_KEY)
        expected = [_mac(key, action, package_id, int(expires_text)) for key in keys]
        if not any(hmac.compare_digest(mac, signature) for mac in expected):
            return "The URL's signature does not match."
        if int(expires_text) < self._clock():
            return "The URL has expired."
        return ""


class Blob:
    """An uploaded file: bytes in memory, or an unnamed temporary file read by offset."""

    def __init__(self, data: bytes | None, file: IO[bytes] | None, size: int) -> None:
        self._data = data
        self._file = file
        self.size = size

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        if self._data is not None:
            for start in range(0, len(self._data), size):
                yield self._data[start : start + size]
            return
        assert self._file is not None
        offset = 0
        while offset < self.size:
            # pread: several downloads of one file share its descriptor.
            chunk = os.pread(self._file.fileno(), min(size, self.size - offset), offset)
            if not chunk:
                return
            offset += len(chunk)
            yield chunk

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class Spool:
    """Where an upload's bytes go as they arrive: hashed, kept, counted."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self._memory = bytearray()
        self._file: IO[bytes] | None = None

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        if self._file is None and len(self._memory) + len(data) <= MEMORY_LIMIT:
            self._memory += data
            return
        if self._file is None:
            # Kept open past this method (the Blob closes it): no context manager.
            self._file = tempfile.TemporaryFile(prefix="cypkg-emulator-")  # noqa: SIM115
            self._file.write(self._memory)
            self._memory = bytearray()
        self._file.write(data)

    def blob(self) -> Blob:
        if self._file is None:
            return Blob(bytes(self._memory), None, self.size)
        self._file.flush()
        return Blob(None, self._file, self.size)

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()


class BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_body(
    headers: Message, rfile: _Reader, sink: Callable[[bytes], None], stop_after: int | None = None
) -> int:
    """Stream a sized or chunked body into ``sink``; the byte count.

    ``stop_after``: stop reading there (a fault hanging up mid-body). BodyError when
    the body is malformed, too large, or ends early (the client hung up).
    """
    total = 0

    def take(count: int) -> None:
        nonlocal total
        while count > 0:
            if stop_after is not None and total >= stop_after:
                raise _Stopped
            want = min(count, CHUNK)
            if stop_after is not None:
                want = max(1, min(want, stop_after - total))
            data = rfile.read(want)
            if not data:
                raise BodyError(400, "The body ended before its announced length.")
            total += len(data)
            if total > MAX_UPLOAD:
                raise BodyError(413, "The file is too large.")
            sink(data)
            count -= len(data)

    try:
        if "chunked" in headers.get("Transfer-Encoding", "").lower():
            while True:
                line = rfile.readline(1024)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise BodyError(400, "Invalid chunked encoding.") from None
                if size == 0:
                    while rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return total
                take(size)
                rfile.readline(1024)  # the CRLF after each chunk
        length_text = headers.get("Content-Length")
        if length_text is None:
            raise BodyError(411, "A Content-Length or a chunked body is required.")
        if not length_text.strip().isdigit():
            raise BodyError(400, "Invalid Content-Length.")
        take(int(length_text))
    except _Stopped:
        pass
    return total


class _Stopped(Exception):
    pass


@dataclass
class Outcome:
    """What the HTTP layer sends: ``response`` (and ``stream`` as its body, if set)."""

    response: Response
    stream: Iterator[bytes] | None = None
    length: int = 0
    #: The connection cannot be reused (the body was not read to its end).
    close: bool = False
    #: Hang up without any answer.
    drop: bool = False


class Transfers:
    """The upload and download endpoints; see the module docstring."""

    def __init__(
        self,
        store: Uploads,
        signer: Signer,
        faults: Callable[[], Faults],
        log: RequestLog,
        clock: Clock,
        stopping: threading.Event,
    ) -> None:
        self._store = store
        self._signer = signer
        self._faults = faults
        self._log = log
        self._clock = clock
        self._stopping = stopping
        self._lock = threading.Lock()
        #: Upload and download requests that carried an Authorization header.
        self.authorization_seen = 0

    def handle(
        self, method: str, path: str, query: str, headers: Message, rfile: _Reader
    ) -> Outcome:
        arrived = self._clock()
        outcome = self._route(method, path, query, headers, rfile)
        status = NO_RESPONSE if outcome.drop else outcome.response.status
        self._log.add(RequestRecord(method, path, status, arrived, query))
        return outcome

    def _route(
        self, method: str, path: str, query: str, headers: Message, rfile: _Reader
    ) -> Outcome:
        upload = path.startswith(UPLOAD_PREFIX)
        action = "upload" if upload else "download"
        package_id = unquote(path[len(UPLOAD_PREFIX if upload else DOWNLOAD_PREFIX) :]).lower()
        if method != ("PUT" if upload else "GET"):
            response = error(405, "The method is not allowed for this resource.")
            response.headers["Allow"] = "PUT" if upload else "GET"
            return Outcome(response, close=True)
        if headers.get("Authorization") is not None:
            with self._lock:
                self.authorization_seen += 1
            # As storage does: a pre-signed URL and a second credential do not mix.
            message = "An Authorization header is not accepted on a pre-signed URL."
            return Outcome(error(400, message), close=True)
        problem = self._signer.problem(action, package_id, query)
        if problem:
            return Outcome(error(403, problem), close=True)
        fault = self._faults().take(path)
        if fault is not None and fault.kind == "stall":
            self._stopping.wait(fault.seconds)
        if upload:
            return self._upload(package_id, headers, rfile, fault)
        return self._download(package_id, fault)

    def _upload(
        self, package_id: str, headers: Message, rfile: _Reader, fault: object | None
    ) -> Outcome:
        kind = getattr(fault, "kind", None)
        spool = Spool()
        if kind == "drop":
            length = headers.get("Content-Length", "")
            half = int(length) // 2 if length.isdigit() else CHUNK
            with contextlib.suppress(BodyError):
                read_body(headers, rfile, spool.write, stop_after=max(half, 1))
            spool.discard()
            return Outcome(error(500, "dropped"), drop=True)
        opened = self._store.begin_upload(package_id)
        if opened:
            # Refused before the body: hang up rather than read a gigabyte for nothing.
            status, message = opened
            return Outcome(error(status, message), close=True)
        try:
            read_body(headers, rfile, spool.write)
        except BodyError as problem:
            self._store.abandon_upload(package_id)
            spool.discard()
            return Outcome(error(problem.status, str(problem)), close=True)
        if kind == "fail":
            self._store.abandon_upload(package_id)
            spool.discard()
            return Outcome(error(getattr(fault, "status", 503), "Injected storage failure."))
        result = self._store.finish_upload(package_id, spool.digest.hexdigest(), spool.blob())
        if result == "closed":
            return Outcome(error(409, "The package is not waiting for an upload."))
        return Outcome(json_response(200, {"packageId": package_id, "status": result}))

    def _download(self, package_id: str, fault: object | None) -> Outcome:
        kind = getattr(fault, "kind", None)
        if kind == "drop":
            return Outcome(error(500, "dropped"), drop=True)
        if kind == "fail":
            return Outcome(error(getattr(fault, "status", 503), "Injected storage failure."))
        blob = self._store.blob(package_id)
        if blob is None:
            return Outcome(error(404, "No file was uploaded to this emulator for the package."))
        head = Response(200, b"", "application/octet-stream")
        if kind == "reset":
            return Outcome(head, _first_half(blob), blob.size, close=True)
        return Outcome(head, blob.chunks(), blob.size)


def _first_half(blob: Blob) -> Iterator[bytes]:
    left = blob.size // 2
    for chunk in blob.chunks():
        if left <= 0:
            return
        yield chunk[:left]
        left -= len(chunk)


class Uploads(Protocol):
    """What Transfers needs of the package store (see PackageStore)."""

    def begin_upload(self, package_id: str) -> tuple[int, str] | None: ...

    def abandon_upload(self, package_id: str) -> None: ...

    def finish_upload(self, package_id: str, digest: str, blob: Blob) -> str: ...

    def blob(self, package_id: str) -> Blob | None: ...
