"""The Emulator: a local, loopback-only stand-in for the Cylance Protect API."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from types import TracebackType

from tui.emulator.apps import DEMO, ApiApp
from tui.emulator.auth import TokenAuthority
from tui.emulator.control import Control
from tui.emulator.faults import Faults
from tui.emulator.handler import EmulatorHTTPServer, Wiring
from tui.emulator.recorder import RequestLog, RequestRecord
from tui.emulator.seed import seed_packages
from tui.emulator.service import Service
from tui.emulator.store import PackageStore
from tui.emulator.times import Clock
from tui.emulator.uploads import Signer, Transfers


def _bind_address(host: str) -> tuple[str, int]:
    """The address to bind and its family; ValueError unless ``host`` is loopback."""
    name = host.strip().strip("[]")
    if name.lower() in ("localhost", "localhost."):
        return "127.0.0.1", socket.AF_INET  # one definite address, not a resolver's choice
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise ValueError(
            f"The emulator only listens on loopback (127.0.0.0/8, ::1 or localhost), "
            f"not {host!r}: it accepts demo credentials and has unauthenticated control endpoints."
        )
    return str(address), socket.AF_INET6 if address.version == 6 else socket.AF_INET


class Emulator:
    """Serve the emulated API in a daemon thread; use as a context manager or start()/stop()."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token_lifetime: float = 1800.0,
        seed: bool = True,
        clock: Clock | None = None,
    ) -> None:
        self._host, self._family = _bind_address(host)
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {port}")
        if token_lifetime <= 0:
            raise ValueError("token_lifetime must be positive")
        self._port = port
        self._seed = seed
        self._clock: Clock = clock or time.time
        self.faults = Faults()  # may be replaced, e.g. by Faults(seed=...)
        self.store = PackageStore(self._clock)
        self._authority = TokenAuthority(self._clock, token_lifetime)
        self._authority.register(DEMO)
        self._log = RequestLog()
        self._stopping = threading.Event()
        self._signer = Signer(self._clock, self.store.is_seeded)
        #: The upload and download URLs (``transfers.authorization_seen``: tokens sent there).
        self.transfers = Transfers(
            self.store, self._signer, lambda: self.faults, self._log, self._clock, self._stopping
        )
        self.service = Service(
            self._authority, self.store, self._clock, lambda: self._base_url, self._signer
        )
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base_url = ""
        self.started_at: float | None = None  # emulator clock at start(): seed times count from it

    # -- life -------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._server is not None:
            return self
        wiring = Wiring(
            service=self.service,
            control=Control(
                lambda: self.faults,
                self._log,
                self.revoke_tokens,
                self.store,
                lambda: self._base_url,
            ),
            faults=lambda: self.faults,
            log=self._log,
            clock=self._clock,
            stopping=self._stopping,
            transfers=self.transfers,
        )
        self._stopping.clear()
        server = EmulatorHTTPServer((self._host, self._port), wiring, self._family)
        port = server.server_address[1]
        shown = f"[{self._host}]" if self._family == socket.AF_INET6 else self._host
        self._base_url = f"http://{shown}:{port}"
        if self._seed and self.started_at is None:
            self.started_at = self._clock()
            for package in seed_packages(self.started_at, self._base_url):
                self.store.add(package)
        self.started_at = self.started_at if self.started_at is not None else self._clock()
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.02},  # stop() waits up to this long
            daemon=True,
            name=f"cypkg-emulator-{port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; only valid after start()."""
        if not self._base_url:
            raise RuntimeError("The emulator has not been started.")
        return self._base_url

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    # -- inspection and control -------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request received (auth included, control endpoints excluded), oldest first."""
        return self._log.records()

    def clear_requests(self) -> None:
        self._log.clear()

    def count(self, method: str | None = None, path_prefix: str | None = None) -> int:
        return self._log.count(method, path_prefix)

    def add_app(self, app_id: str, secret: str, tenant_id: str, scopes: set[str]) -> None:
        """Register another API application (e.g. one lacking a scope)."""
        self._authority.register(ApiApp(tenant_id, app_id, secret, frozenset(scopes)))

    def revoke_tokens(self) -> int:
        """Invalidate every access token issued so far; returns how many were live."""
        return self._authority.revoke_all()
