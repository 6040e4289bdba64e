"""Package files to and from storage: the PUT to ``uploadTo``, the GET of ``downloadUrl``.

Those URLs are pre-signed (the signature is in the query) and point at storage, not
at the API: the bearer token never goes with them. They get an ``httpx.Client`` of
their own, with no token in it and a hook that strips any Authorization header, but
the API client's network policy: TLS always verified (the profile's CA bundle, else
SSL_CERT_FILE / the default store), proxies from the environment, plain ``http://``
only to loopback (and then never through a proxy), no redirects followed.

Bodies stream in chunks (memory does not grow with the file). The request deadline
is a stall deadline here: a transfer of any size may take as long as it needs, but
fails once ``stall_timeout`` seconds pass with no chunk sent or received (or, after
an upload's last byte, no answer). Progress goes to ``on_progress(done, total)`` and
a ``cancel`` event set from another thread stops the transfer at the next chunk;
both are made for the TUI's worker threads as much as for the CLI.

A download goes to a ``.part`` file beside the destination, fsynced, then renamed:
never a half file under the final name, never an existing file replaced unless
``force`` (and then a symbolic link is replaced, never followed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tui import __version__
from tui.api.client import DEFAULT_REQUEST_TIMEOUT, DEFAULT_TIMEOUT
from tui.api.created import check_storage_url, shown_url
from tui.api.errors import (
    ApiError,
    CypkgError,
    InvalidResponse,
    NetworkError,
    RequestTimeout,
    ServerError,
)
from tui.api.localfiles import (
    DiskError,
    check_destination,
    check_upload_file,
    open_part,
    publish,
    reading,
)
from tui.api.responses import server_message, timeout_kind
from tui.api.sink import HashingWriter
from tui.api.transport import Attempt, attempt, tls_verification, watch_client
from tui.api.urls import is_loopback_host
from tui.base.safe_text import inert

__all__ = [
    "CHUNK",
    "DiskError",
    "Downloaded",
    "TransferCancelled",
    "TransferError",
    "TransferSettings",
    "Uploaded",
    "check_destination",
    "check_upload_file",
    "download_file",
    "file_sha256",
    "upload_file",
]

CHUNK = 256 * 1024
#: A download's socket reads, at least (httpcore's own are 64 KiB; see transport.py).
#: Measured on 200 MB: 64 KiB 0.42 s, 256 KiB 0.34 s, 512 KiB 0.29 s, 1 MiB 0.30 s
#: (and twice the memory).
DOWNLOAD_READ = 512 * 1024
#: The hint when storage and the package disagree on the file's size (not the network).
_WRONG_SIZE = "Storage holds another file than the package describes; nothing was kept."
#: The stall deadline restarts only once this much more has moved: a byte now and
#: then (a trickle) keeps a socket alive, but is no progress.
MIN_PROGRESS = 16 * 1024
MAX_ERROR_BODY = 64 * 1024

#: ``on_progress(bytes_done, bytes_total)``; the total is None when unknown.
Progress = Callable[[int, "int | None"], None]


class TransferCancelled(CypkgError):
    """The transfer was cancelled (a cancel key, Ctrl-C): nothing is wrong."""

    exit_code = 130
    title = "Cancelled"


class TransferError(NetworkError):
    """Storage refused the file, or the transfer broke off."""

    title = "Transfer failed"
    hint = "Try again; behind a proxy, check HTTPS_PROXY / NO_PROXY and the CA bundle."


@dataclass(frozen=True)
class TransferSettings:
    """The profile's network settings, as a transfer uses them."""

    ca_bundle: str | None = None
    #: Seconds without progress before a transfer fails (the profile's request_timeout).
    stall_timeout: float = DEFAULT_REQUEST_TIMEOUT
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    chunk_size: int = CHUNK
    #: For tests only: a transport of their own (no proxies, no TLS settings then).
    transport: httpx.BaseTransport | None = None


@dataclass(frozen=True)
class Uploaded:
    size: int
    #: SHA-256 of the bytes sent (compare with the checksum given at creation).
    sha256: str


@dataclass(frozen=True)
class Downloaded:
    path: Path
    size: int
    sha256: str


# -- files ------------------------------------------------------------------------------


def file_sha256(
    path: Path,
    *,
    on_progress: Progress | None = None,
    cancel: threading.Event | None = None,
    chunk_size: int = CHUNK,
) -> tuple[str, int]:
    """SHA-256 hex and size of a file, read in chunks."""
    digest = hashlib.sha256()
    done = 0
    with reading(path), path.open("rb") as handle:
        total = os.fstat(handle.fileno()).st_size
        while chunk := handle.read(chunk_size):
            if cancel is not None and cancel.is_set():
                raise TransferCancelled("Cancelled while reading the file.")
            digest.update(chunk)
            done += len(chunk)
            if on_progress is not None:
                on_progress(done, total)
    return digest.hexdigest(), done


# -- HTTP ---------------------------------------------------------------------------------


def _strip_credentials(request: httpx.Request) -> None:
    # Nothing here sets one; nothing ever may (a default header, a future hook).
    request.headers.pop("Authorization", None)
    request.headers.pop("Cookie", None)


def _client(url: str, settings: TransferSettings, min_read: int = 0) -> httpx.Client:
    verify = tls_verification(settings.ca_bundle)
    transport = settings.transport
    if transport is None and is_loopback_host(urlsplit(url).hostname or ""):
        # As the API client does: loopback never through a proxy.
        transport = httpx.HTTPTransport(verify=verify, trust_env=True)
    client = httpx.Client(
        timeout=settings.timeout,
        verify=verify,
        trust_env=True,
        follow_redirects=False,
        headers={"User-Agent": f"cypkg/{__version__}"},
        transport=transport,
        event_hooks={"request": [_strip_credentials]},
    )
    watch_client(client, min_read=min_read)
    return client


class _Stall:
    """The stall deadline of ``sent``: restarted by each MIN_PROGRESS bytes moved."""

    def __init__(self, sent: Attempt, seconds: float) -> None:
        self.sent, self.seconds, self.mark = sent, seconds, 0

    def moved(self, done: int, finished: bool = False) -> None:
        if finished or done - self.mark >= MIN_PROGRESS:
            self.mark = done
            self.sent.deadline = time.monotonic() + self.seconds


def _refused(response: httpx.Response, what: str, where: str) -> ApiError:
    """An error answer from storage, as one sentence."""
    with contextlib.suppress(httpx.HTTPError):
        body = b""
        for chunk in response.iter_raw():
            body += chunk
            if len(body) >= MAX_ERROR_BODY:
                break
        response._content = body[:MAX_ERROR_BODY]
    status = response.status_code
    said = server_message(response) if hasattr(response, "_content") else ""
    if 300 <= status < 400:
        return InvalidResponse(
            f"The {what} answered with a redirect (HTTP {status}); not followed.", status=status
        )
    why = {
        403: " (the URL's signature is wrong or has expired)",
        404: " (no such file)",
        409: " (the package is not waiting for a file: already uploaded, or timed out)",
    }.get(status, "")
    text = f"{where} refused the {what} (HTTP {status}{said}){why}."
    if status >= 500:
        return ServerError(text, status=status)
    return TransferError(text, status=status)


def _broke(
    exc: httpx.HTTPError, sent: Attempt, what: str, done: int, total: int | None
) -> ApiError:
    of = f" of {total}" if total is not None else ""
    progress = f"after {done}{of} bytes"
    if isinstance(exc, httpx.TimeoutException):
        if sent.limited or sent.ran_out:
            return RequestTimeout(
                f"The {what} stalled {progress}: no progress within "
                f"{sent.seconds:g} s (request deadline).",
                hint="Storage or the link is slow (transfers are not retried): try again, "
                "or allow more with --request-timeout.",
            )
        return RequestTimeout(f"{timeout_kind(exc)} during the {what}, {progress}.")
    detail = inert(str(exc) or exc.__class__.__name__, limit=120)
    return TransferError(f"The {what} broke off {progress} ({detail}).")


def upload_file(
    url: str,
    path: Path,
    *,
    settings: TransferSettings | None = None,
    on_progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Uploaded:
    """PUT the file's bytes to a pre-signed ``url`` (a sized body; no Authorization)."""
    settings = settings or TransferSettings()
    check_storage_url(url, "upload URL")
    where = shown_url(url)
    digest = hashlib.sha256()
    done = 0
    with reading(path):
        handle = path.open("rb")
    with handle, _client(url, settings) as client:
        size = os.fstat(handle.fileno()).st_size
        with attempt(settings.stall_timeout) as sent:
            stall = _Stall(sent, settings.stall_timeout)

            def body() -> Iterator[bytes]:
                nonlocal done
                while done < size:
                    if cancel is not None and cancel.is_set():
                        raise TransferCancelled(f"Upload cancelled after {done} of {size} bytes.")
                    with reading(path):
                        chunk = handle.read(min(settings.chunk_size, size - done))
                    if not chunk:
                        raise DiskError(f"The file shrank while it was uploaded ({done} bytes).")
                    digest.update(chunk)
                    done += len(chunk)
                    yield chunk
                    stall.moved(done, done == size)
                    if on_progress is not None:
                        on_progress(done, size)

            headers = {"Content-Length": str(size), "Content-Type": "application/octet-stream"}
            try:
                request = client.build_request(
                    "PUT",
                    url,
                    content=body(),
                    headers=headers,
                    timeout=sent.bound(settings.timeout),
                )
                response = client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise _broke(exc, sent, "upload", done, size) from None
            try:
                if not 200 <= response.status_code < 300:
                    raise _refused(response, "upload", where)
            finally:
                response.close()
    return Uploaded(done, digest.hexdigest())


def download_file(
    url: str,
    dest: Path,
    *,
    expected_size: int | None = None,
    force: bool = False,
    settings: TransferSettings | None = None,
    on_progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Downloaded:
    """GET a pre-signed ``url`` into ``dest`` through a ``.part`` file; its SHA-256."""
    settings = settings or TransferSettings()
    check_storage_url(url, "download URL")
    target = check_destination(dest, force=force)
    shown = inert(str(target), limit=200)
    fd, part = open_part(target)  # before any request
    try:
        try:
            with os.fdopen(fd, "wb") as out:
                size, sha256 = _fetch(url, out, expected_size, settings, on_progress, cancel)
                out.flush()
                os.fsync(out.fileno())
            publish(part, target, force)
        except OSError as exc:  # a full disk, an I/O error: one sentence, not a traceback
            raise DiskError(f"Cannot write {shown}: {exc.strerror or exc}.") from None
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(part)
        if isinstance(exc, CypkgError):
            exc.message += f" Nothing was written to {shown}."
            exc.args = (exc.message,)
        raise
    return Downloaded(target, size, sha256)


def _fetch(
    url: str,
    out: object,
    expected: int | None,
    settings: TransferSettings,
    on_progress: Progress | None,
    cancel: threading.Event | None,
) -> tuple[int, str]:
    where = shown_url(url)
    done = 0
    total = expected
    with (
        _client(url, settings, DOWNLOAD_READ) as client,
        attempt(settings.stall_timeout) as sent,
    ):
        stall = _Stall(sent, settings.stall_timeout)
        # Chunks are hashed and written on a thread of their own while the next ones arrive.
        sink = HashingWriter(out.write)  # type: ignore[attr-defined]
        try:
            # The file as stored: no compression asked for, and none undone if a server
            # sends it anyway (a gzip bomb would fill the disk; the SHA-256 would differ).
            headers = {"Accept-Encoding": "identity"}
            timeout = sent.bound(settings.timeout)
            with client.stream("GET", url, headers=headers, timeout=timeout) as response:
                if response.status_code != 200:
                    raise _refused(response, "download", where)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit():
                    if expected is not None and int(declared) != expected:
                        raise TransferError(
                            f"{where} offers {declared} bytes, but the package's size is "
                            f"{expected}.",
                            hint=_WRONG_SIZE,
                        )
                    total = int(declared)
                for chunk in response.iter_raw():  # as read: no re-chunking copies
                    if cancel is not None and cancel.is_set():
                        raise TransferCancelled(f"Download cancelled after {done} bytes.")
                    done += len(chunk)
                    if expected is not None and done > expected:
                        more = f"{where} sent more than the package's {expected} bytes."
                        raise TransferError(more, hint=_WRONG_SIZE)
                    sink.put(chunk)
                    stall.moved(done)
                    if on_progress is not None:
                        on_progress(done, total)
            sha256 = sink.finish()
        except httpx.HTTPError as exc:
            raise _broke(exc, sent, "download", done, total) from None
        finally:
            sink.abort()  # nothing left to write after finish(); else stops the thread
    if expected is not None and done != expected:
        raise TransferError(f"The download ended after {done} of {expected} bytes.")
    return done, sha256
