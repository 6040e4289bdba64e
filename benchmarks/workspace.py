"""What every benchmark shares: the emulator, a private environment, and request probes.

The emulator runs in this (the benchmark) process; the programs measured run
in their own processes and talk to it over loopback. :class:`ServeProbe` times
each request from the emulator's side (so its own handling time can be taken
out of a figure) and keeps start and end times to check that requests never
overlap.
"""

from __future__ import annotations

import copy
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from benchmarks.core import Sizes

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
PACKAGES_PREFIX = "/packages/v2/"
TOKEN_PATH = "/auth/v2/token"

# Variables that would change what cypkg, Textual or httpx do in the measured programs.
_CLEARED_PREFIXES = ("CYPKG_", "TEXTUAL_", "PYTHON")
_CLEARED = (
    "NO_COLOR",
    "COLORTERM",
    "FORCE_COLOR",
    "COLUMNS",
    "LINES",
    "TMUX",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)


@dataclass(frozen=True)
class Served:
    """One request as the emulator saw it (perf_counter times of this process)."""

    method: str
    path: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def max_overlap(served: Sequence[Served]) -> int:
    """The most requests in flight at once among ``served``."""
    events = sorted(
        [(s.start, 1) for s in served] + [(s.end, -1) for s in served],
        key=lambda event: (event[0], event[1]),  # an end before a start at the same instant
    )
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    return peak


class ServeProbe:
    """Wraps the emulator's request handler (class-wide) to time what it serves.

    The wrapped method covers the request from its parsed headers to the last
    byte of the response, latency faults included; control endpoints are not
    seen (they bypass it, as they bypass the request log).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._served: list[Served] = []
        self._original: Callable[..., None] | None = None

    def install(self) -> None:
        from tui.emulator.handler import EmulatorHandler

        original = getattr(EmulatorHandler, "_serve", None)
        if original is None:  # pragma: no cover - a renamed emulator internal
            raise RuntimeError("tui.emulator.handler.EmulatorHandler._serve is gone")
        self._original = original
        probe = self

        def timed_serve(handler: Any, wiring: Any, request: Any) -> None:
            start = time.perf_counter()
            try:
                original(handler, wiring, request)
            finally:
                served = Served(request.method, request.path, start, time.perf_counter())
                with probe._lock:
                    probe._served.append(served)

        EmulatorHandler._serve = timed_serve  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        from tui.emulator.handler import EmulatorHandler

        if self._original is not None:
            EmulatorHandler._serve = self._original  # type: ignore[method-assign]
            self._original = None

    def clear(self) -> None:
        with self._lock:
            self._served.clear()

    def served(
        self,
        since: float = float("-inf"),
        until: float = float("inf"),
        *,
        method: str | None = None,
        path_prefix: str | None = None,
    ) -> list[Served]:
        """Requests that started in [since, until]."""
        with self._lock:
            every = list(self._served)
        return [
            s
            for s in every
            if since <= s.start <= until
            and (method is None or s.method == method)
            and (path_prefix is None or s.path.startswith(path_prefix))
        ]

    def handling_seconds(self, since: float, until: float) -> float:
        """Time the emulator spent serving requests that started in the window."""
        return sum(s.seconds for s in self.served(since, until))


class Workspace:
    """A temporary directory, a running emulator with probes, and environments for children."""

    def __init__(self, sizes: Sizes, *, keep: bool = False) -> None:
        from tui.emulator import Emulator

        self.sizes = sizes
        self.keep = keep
        self.root = Path(tempfile.mkdtemp(prefix="cypkg-bench-"))
        self.emulator = Emulator(host="127.0.0.1", port=0)
        self.probe = ServeProbe()
        self._homes = 0

    def __enter__(self) -> Workspace:
        self.probe.install()
        self.emulator.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.emulator.stop()
        self.probe.uninstall()
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def base_url(self) -> str:
        return self.emulator.base_url

    # -- programs and environments ---------------------------------------------------------

    @staticmethod
    def python() -> str:
        return sys.executable

    @staticmethod
    def cypkg() -> list[str]:
        """The installed ``cypkg`` script next to this interpreter, as a user runs it."""
        script = Path(sys.executable).with_name("cypkg")
        if script.exists():
            return [str(script)]
        found = shutil.which("cypkg")
        return [found] if found else [sys.executable, "-m", "tui"]

    @staticmethod
    def script(name: str) -> str:
        """Path of a baseline program in benchmarks/ (run by path: no package import)."""
        return str(BENCH_DIR / name)

    def new_home(self, name: str) -> Path:
        """A fresh directory for HOME and the XDG dirs (config, token cache, recent list)."""
        self._homes += 1
        home = self.root / f"{self._homes:02d}-{name}"
        home.mkdir(parents=True)
        return home

    def env(self, home: Path, *, credentials: bool = True) -> dict[str, str]:
        """The environment of a measured program: clean, private dirs, demo credentials."""
        from tui.emulator import DEMO

        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(_CLEARED_PREFIXES) and key not in _CLEARED
        }
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_DATA_HOME=str(home / "data"),
            XDG_STATE_HOME=str(home / "state"),
            TERM="xterm-256color",
        )
        if not env.get("LANG", "").lower().endswith(("utf-8", "utf8")):
            env["LANG"] = "C.UTF-8"
        env.pop("LC_ALL", None)
        if credentials:
            env.update(
                CYPKG_TENANT_ID=DEMO.tenant_id,
                CYPKG_APP_ID=DEMO.app_id,
                CYPKG_APP_SECRET=DEMO.app_secret,
            )
        return env

    @staticmethod
    def token_cache(home: Path) -> Path:
        return home / "cache"

    def access_token(self) -> str:
        """A fresh access token from the emulator, fetched here (for the baselines)."""
        import httpx

        from tui.emulator import DEMO
        from tui.emulator.testing import client_jwt

        response = httpx.post(
            self.base_url + TOKEN_PATH,
            json={"auth_token": client_jwt(DEMO, now=time.time())},
            timeout=10,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    # -- packages --------------------------------------------------------------------------

    def add_package(
        self,
        name: str,
        *,
        status: str = "success",
        timeout: int = 300,
        big: bool = False,
    ) -> str:
        """Add a package with a unique ID and ``name``; a ``started`` one runs for ``timeout`` s.

        Unique names keep a marker from matching an earlier screen (the recent
        list shows names too).
        """
        from tui.emulator.seed import DEMO_PACKAGE_ID, big_package
        from tui.emulator.times import format_timestamp

        if big:
            package = big_package(
                n_examples=self.sizes.big_examples,
                description_kb=self.sizes.big_description_kb,
                base_url=self.base_url,
            )
        else:
            demo = self.emulator.store.get(DEMO_PACKAGE_ID)
            if demo is None:  # pragma: no cover - the seed always has it
                raise RuntimeError("the emulator has no demo package")
            package = copy.deepcopy(demo)
        package_id = str(uuid.uuid4())
        package["packageId"] = package_id
        package["packageDescriptor"]["packageId"] = package_id
        package["packageDescriptor"]["name"] = name
        package["downloadUrl"] = f"{self.base_url}/_emulator/download/{package_id}"
        package["status"] = status
        if status == "started":
            now = time.time()
            package.update(
                timeout=timeout, size=0, uploadedOn=format_timestamp(now), _uploaded_at=now
            )
        return self.emulator.store.add(package)

    def examples_of(self, package_id: str) -> list[dict[str, Any]]:
        package = self.emulator.store.get(package_id) or {}
        examples = package.get("packageDescriptor", {}).get("examples", [])
        return list(examples) if isinstance(examples, list) else []


def unique_names(prefix: str) -> Iterator[str]:
    """``prefix_a1b2c3_1``, ``prefix_a1b2c3_2``, …: never seen on any screen before."""
    run = uuid.uuid4().hex[:6]
    n = 0
    while True:
        n += 1
        yield f"{prefix}_{run}_{n}"
