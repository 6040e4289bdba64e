"""Under the client: the network streams of each request attempt, bounded and watched.

httpx's timeouts bound each socket operation (connect, one read, one write), never a
whole request: a server that sends one byte every few seconds, head or body, never
trips them and holds the caller for ever. Here every socket operation of an attempt
(TCP connect, TLS handshake, each read and write) waits at most what is left of the
attempt's deadline, and fails as a timeout once nothing is left, so the attempt ends
by its deadline however the server dribbles its answer.

httpx parses a response's head with h11, which refuses some heads outright (a CR or
NUL inside a header, a header over 100 KB) with an error that no longer says what the
status was. To tell "a redirect with a broken Location" from "the connection broke
off", the streams also keep the first bytes each answer starts with.

Both are per thread: a client is shared by the TUI's worker threads, and a synchronous
httpx request does all its I/O in the thread that sent it. The streams are put under a
client's connection pools by :func:`watch_client`. (Name resolution is not a socket
operation and is not bounded here.)

httpcore reads 64 KiB at a time; a client that moves large bodies (a package file) may
ask its streams for more per read (``min_read``): each read costs the same parsing
and bookkeeping in Python whatever its size, so fewer, larger reads are faster.
"""

from __future__ import annotations

import os
import re
import ssl
import threading
import time
import typing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

from tui.api.errors import ConfigError

#: Enough for "HTTP/1.1 307 ": the status line is all that is looked at.
_HEAD_BYTES = 16
_STATUS_LINE = re.compile(rb"HTTP/\d(?:\.\d)? (\d{3})(?:[ \r\n]|$)")
_local = threading.local()


class Attempt:
    """One request attempt on the current thread: its deadline, and what its streams saw."""

    def __init__(
        self, seconds: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self._clock = clock
        self.deadline = None if seconds is None else clock() + seconds
        #: The last socket operation was given what was left of the deadline, not its own
        #: timeout: if it timed out, the deadline did.
        self.limited = False
        self._stream: object | None = None
        self._head = b""

    @property
    def ran_out(self) -> bool:
        return self.deadline is not None and self._clock() >= self.deadline

    def bound(self, timeout: httpx.Timeout) -> httpx.Timeout:
        """``timeout`` with no part longer than the whole deadline (waiting for a pooled
        connection is not a socket operation, so it is capped here)."""
        if self.seconds is None:
            return timeout
        whole = self.seconds

        def cap(value: float | None) -> float:
            return whole if value is None else min(value, whole)

        return httpx.Timeout(
            connect=cap(timeout.connect),
            read=cap(timeout.read),
            write=cap(timeout.write),
            pool=cap(timeout.pool),
        )

    def limit(self, timeout: float | None, error: type[Exception]) -> float | None:
        """The timeout for one socket operation: ``timeout`` or what is left, the less.

        Never zero (a zero timeout would make the socket non-blocking): with nothing
        left, ``error`` (an httpcore timeout, which httpx maps to its own) is raised.
        """
        if self.deadline is None:
            return timeout
        left = self.deadline - self._clock()
        if left <= 0:
            self.limited = True
            raise error("the request deadline passed")
        self.limited = timeout is None or left < timeout
        return left if self.limited else timeout

    def saw(self, stream: object, data: bytes) -> None:
        """Keep the first bytes read from ``stream``; another stream starts afresh.

        Through an HTTPS proxy the proxy's answer to CONNECT comes on the TCP stream
        and the server's on the TLS stream inside it: the last stream read is the
        one that answered the request.
        """
        if stream is not self._stream:
            self._stream, self._head = stream, b""
        if len(self._head) < _HEAD_BYTES:
            self._head += data[: _HEAD_BYTES - len(self._head)]

    @property
    def status(self) -> int | None:
        """The status code the answer's first line gave, if one arrived."""
        match = _STATUS_LINE.match(self._head)
        return int(match.group(1)) if match else None


def current() -> Attempt | None:
    attempt: Attempt | None = getattr(_local, "attempt", None)
    return attempt


@contextmanager
def attempt(seconds: float | None = None) -> Iterator[Attempt]:
    """Bound and watch the streams of the request sent inside the block, on this thread."""
    previous = current()
    state = _local.attempt = Attempt(seconds)
    try:
        yield state
    finally:
        _local.attempt = previous


def _limit(timeout: float | None, error: type[Exception]) -> float | None:
    state = current()
    return timeout if state is None else state.limit(timeout, error)


class _Stream(httpcore.NetworkStream):
    """A network stream bounded by, and reporting what it reads to, the current attempt."""

    def __init__(self, inner: httpcore.NetworkStream, min_read: int = 0) -> None:
        self._inner, self._min_read = inner, min_read

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        # More than asked is safe: h11 buffers whatever it is given, and a server
        # sends nothing unasked (a read returns what has arrived, never waits for more).
        max_bytes = max(max_bytes, self._min_read)
        data = self._inner.read(max_bytes, _limit(timeout, httpcore.ReadTimeout))
        state = current()
        if state is not None:
            state.saw(self, data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _limit(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _limit(timeout, httpcore.ConnectTimeout)
        inner = self._inner.start_tls(ssl_context, server_hostname, timeout)
        return _Stream(inner, self._min_read)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """Opens connections as the wrapped backend does, within the deadline; watches them."""

    def __init__(self, inner: httpcore.NetworkBackend, min_read: int = 0) -> None:
        self._inner, self._min_read = inner, min_read

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _limit(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream, self._min_read)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _limit(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_unix_socket(path, timeout, socket_options)
        return _Stream(stream, self._min_read)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def watch_client(client: httpx.Client, *, min_read: int = 0) -> int:
    """Put every connection pool of ``client`` on watched streams; how many were.

    Those streams read at least ``min_read`` bytes at a time (when that many arrived).

    httpx offers no public way to give its pools a network backend, so this reaches
    into the transports it built (the default one and one per proxy). A future httpx
    without these attributes leaves the pools as they are (the count says so, and a
    test checks it); the client then still works, its deadline checked only between
    the chunks of a body, and with less precise error messages.
    """
    transports = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    watched = 0
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, _Backend):
            pool._network_backend = _Backend(backend, min_read)  # type: ignore[union-attr]
            watched += 1
    return watched


def tls_verification(ca_bundle: str | None) -> ssl.SSLContext | bool:
    """TLS is always verified: by the CA bundle given, else the default store.

    With ``True``, httpx honours SSL_CERT_FILE / SSL_CERT_DIR.
    """
    if not ca_bundle:
        return True
    try:
        return ssl.create_default_context(cafile=os.path.expanduser(ca_bundle))
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"Cannot use the CA bundle {ca_bundle}: {exc}.") from None
