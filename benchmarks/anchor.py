"""The idle-output anchor: the real procps ``watch -n 5 curl …`` in an 80×24 pseudo-terminal.

    watch -n 5 curl -s -H @auth-header BASE_URL/packages/v2/PACKAGE_ID

``auth-header`` is a 0600 file in the run's private directory holding the
``Authorization: Bearer …`` line (curl ≥ 7.55 reads headers from a file), so
the access token is on no command line and in no report. When ``watch`` or
``curl`` is missing the benchmark tries to install them (Debian/Ubuntu, as
root, bounded by a timeout); when that fails the figures say "anchor not
available" instead of failing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.terminal import PtyApp

INTERVAL = 5
#: What the figures call the anchor (the token elided).
COMMAND = f"`watch -n {INTERVAL} curl -s -H 'Authorization: Bearer …' URL` (procps watch)"
NOT_AVAILABLE = "anchor not available"
#: The packages that hold the two programs on Debian and Ubuntu.
APT_PACKAGES = ("procps", "curl")
INSTALL_TIMEOUT = 180.0
PACKAGES = "/packages/v2/"
#: Seconds to wait for the anchor's first screen.
FIRST_SCREEN = 30.0

Which = Callable[[str], str | None]
Run = Callable[[Sequence[str], float], bool]


@dataclass(frozen=True)
class Tools:
    watch: str
    curl: str


def _run_quietly(argv: Sequence[str], timeout: float) -> bool:
    """Whether ``argv`` succeeded within ``timeout`` s, its output discarded."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _found(which: Which) -> Tools | None:
    watch, curl = which("watch"), which("curl")
    return Tools(watch, curl) if watch and curl else None


def find_tools(
    *,
    install: bool,
    which: Which = shutil.which,
    run: Run = _run_quietly,
    is_root: bool | None = None,
) -> Tools | str:
    """The anchor's programs, installed first if missing and ``install``; else why not.

    Installing is tried only as root with apt-get present: ``apt-get install``,
    and after an ``apt-get update`` once more (a fresh container has no package
    lists). The smoke test's tiny run passes ``install=False`` to stay fast.
    """
    tools = _found(which)
    if tools is not None:
        return tools
    missing = " and ".join(f"`{name}`" for name in ("watch", "curl") if not which(name))
    if not install:
        return f"{NOT_AVAILABLE}: {missing} not found (not installed in this mode)"
    root = os.geteuid() == 0 if is_root is None else is_root
    apt_get = which("apt-get")
    if not root or not apt_get:
        why = "not root" if not root else "no apt-get"
        return f"{NOT_AVAILABLE}: {missing} not found and not installed ({why})"
    install_argv = [apt_get, "install", "-y", "-q", *APT_PACKAGES]
    if not run(install_argv, INSTALL_TIMEOUT):
        run([apt_get, "update", "-q"], INSTALL_TIMEOUT)
        run(install_argv, INSTALL_TIMEOUT)
    tools = _found(which)
    if tools is None:
        return f"{NOT_AVAILABLE}: {missing} not found; `apt-get install procps curl` failed"
    return tools


def start(
    tools: Tools,
    directory: Path,
    env: dict[str, str],
    base_url: str,
    token: str,
    package_id: str,
) -> PtyApp:
    """``watch`` polling ``package_id`` with curl, in a pty, once it shows its first answer.

    The bearer header goes into ``directory``/auth-header (0600); the caller's
    workspace removes the directory at the end of the run.
    """
    header = directory / "auth-header"
    fd = os.open(header, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(f"Authorization: Bearer {token}\n")
    url = f"{base_url}{PACKAGES}{package_id}"
    argv = [tools.watch, "-n", str(INTERVAL), tools.curl, "-s", "-H", "@auth-header", url]
    app = PtyApp(argv, env, cwd=directory)
    try:
        app.wait_for(('"status"', '"started"'), timeout=FIRST_SCREEN)
    except BaseException:
        app.terminate()
        app.close()
        raise
    return app
