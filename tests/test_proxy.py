"""Proxies: never for a loopback base URL, as the environment says for https.

With a plain ``http://`` loopback base URL (the emulator, ``--demo``), a proxy from
``HTTP_PROXY``/``ALL_PROXY`` would receive the client JWT and the bearer token in
clear. A recording proxy on loopback shows what reaches it: nothing, for loopback;
a ``CONNECT`` for the host, for an https base URL with ``HTTPS_PROXY``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui import cli
from tui.api.auth import TokenCache
from tui.api.client import CylanceClient
from tui.api.errors import NetworkError, RequestTimeout
from tui.api.transport import watch_client
from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY")


class RecordingProxy:
    """A loopback listener that records every byte sent to it, and answers as told."""

    def __init__(self, answer: bytes = b"", trickle: float = 0.0) -> None:
        self.answer = answer
        self.trickle = trickle
        self.connections = 0
        self.received = bytearray()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.05)
            head = b""
            deadline = time.monotonic() + 5
            while b"\r\n\r\n" not in head and time.monotonic() < deadline:
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                head += chunk
                with self._lock:
                    self.received += chunk
            try:
                for index in range(len(self.answer)):
                    if self._stop.wait(self.trickle):
                        return
                    conn.sendall(self.answer[index : index + 1])
                # Stay silent until the client gives up (or the test ends).
                while not self._stop.wait(0.05):
                    try:
                        if not conn.recv(65536):
                            return
                    except TimeoutError:
                        continue
            except OSError:
                return


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    with RecordingProxy(answer=b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n") as rec:
        for name in PROXY_VARIABLES:
            monkeypatch.setenv(name, rec.url)
        yield rec


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_cypkg_get_against_loopback_never_uses_the_proxy(
    proxy: RecordingProxy,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    host: str,
) -> None:
    monkeypatch.setenv("CYPKG_API_URL", f"http://{host}:{emulator.port}")
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id)
    monkeypatch.setenv("CYPKG_APP_ID", DEMO.app_id)
    monkeypatch.setenv("CYPKG_APP_SECRET", DEMO.app_secret)
    code = cli.main(["get", DEMO_PACKAGE_ID])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert DEMO_PACKAGE_ID in out
    assert emulator.count("POST", "/auth") == 1 and emulator.count("GET", "/packages") == 1
    assert (proxy.connections, bytes(proxy.received)) == (0, b"")


def test_demo_behind_a_proxy_works_and_sends_it_nothing(
    proxy: RecordingProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["--demo", "get", DEMO_PACKAGE_ID])
    err = capsys.readouterr().err
    assert code == 0 and "HTTP 502" not in err, err
    assert (proxy.connections, bytes(proxy.received)) == (0, b"")


def https_client(base_url: str, **options: object) -> CylanceClient:
    return CylanceClient(
        base_url,
        DEMO.tenant_id,
        DEMO.app_id,
        DEMO.app_secret,
        token_cache=TokenCache(None),
        **options,  # type: ignore[arg-type]
    )


def test_https_still_goes_through_https_proxy(proxy: RecordingProxy) -> None:
    client = https_client("https://protectapi.cylance.com")
    with client, pytest.raises(NetworkError, match="proxy"):
        client.authenticate()
    # The proxy sees where to connect, and nothing of the credentials (TLS inside).
    received = bytes(proxy.received)
    assert received.startswith(b"CONNECT protectapi.cylance.com:443 HTTP/1.1\r\n"), received
    assert DEMO.app_id.encode() not in received and b"auth_token" not in received


def test_https_honours_no_proxy(proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "cypkg-test.invalid")
    client = https_client("https://api.cypkg-test.invalid")
    with client, pytest.raises(NetworkError, match="DNS"):
        client.authenticate()
    assert (proxy.connections, bytes(proxy.received)) == (0, b"")


def test_a_trickling_proxy_is_bound_by_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The proxy's connection pool has the deadline too, not only the direct one."""
    answer = b"HTTP/1.1 200 Connection established\r\n\r\n"
    with RecordingProxy(answer=answer, trickle=0.1) as slow:
        monkeypatch.setenv("HTTPS_PROXY", slow.url)
        with https_client("https://protectapi.cylance.com", request_timeout=0.5) as client:
            assert watch_client(client._http) == 0  # already watched: default + proxy pools
            started = time.monotonic()
            with pytest.raises(RequestTimeout, match=r"within 0\.5 s \(request deadline"):
                client.authenticate()
            assert time.monotonic() - started < 0.5 + 1.0
        assert slow.received.startswith(b"CONNECT protectapi.cylance.com:443 ")


def test_every_pool_of_a_proxied_client_is_watched(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    with httpx.Client(trust_env=True) as plain:
        assert watch_client(plain) == 2  # the direct pool and the proxy's


@pytest.mark.parametrize("base_url", ["https://localhost:8443", "https://protectapi.cylance.com"])
def test_ssl_cert_file_still_counts(
    base_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Bypassing proxies for loopback must not bypass SSL_CERT_FILE (an https emulator)."""
    import certifi

    bundle = Path(certifi.where()).read_text()
    one_ca = bundle[: bundle.index("-----END CERTIFICATE-----") + 26]
    (tmp_path / "one.pem").write_text(one_ca)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "one.pem"))
    with https_client(base_url) as client:
        context = client._http._transport._pool._ssl_context  # type: ignore[attr-defined]
        assert context.cert_store_stats()["x509_ca"] == 1
