"""``run_cli``: the foreground emulator behind ``cypkg emulator``."""

from __future__ import annotations

import io
import re
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from tui.emulator import DEMO
from tui.emulator.cli import run_cli
from tui.emulator.seed import (
    DEMO_PACKAGE_ID,
    STARTED_FAILED_ID,
    STARTED_SUCCESS_ID,
    STARTED_TIMEOUT_ID,
)

URL = re.compile(r"http://127\.0\.0\.1:\d+")


def test_run_cli_prints_the_banner_and_serves_until_stopped() -> None:
    out = io.StringIO()
    stop = threading.Event()
    result: list[int] = []
    thread = threading.Thread(
        target=lambda: result.append(
            run_cli("127.0.0.1", 0, 1800.0, 0.0, 0.0, True, out=out, stop=stop)
        )
    )
    thread.start()
    deadline = time.monotonic() + 5
    while not URL.search(out.getvalue()) and time.monotonic() < deadline:
        time.sleep(0.01)
    banner = out.getvalue()
    match = URL.search(banner)
    assert match is not None
    for text in (
        DEMO.tenant_id,
        DEMO.app_id,
        DEMO.app_secret,
        DEMO_PACKAGE_ID,
        STARTED_SUCCESS_ID,
        STARTED_FAILED_ID,
        STARTED_TIMEOUT_ID,
    ):
        assert text in banner
    assert httpx.get(match.group(0) + "/packages/v2", trust_env=False).status_code == 401
    stop.set()
    thread.join(5)
    assert result == [0]
    assert "stopped" in out.getvalue()


def test_run_cli_applies_faults_and_skips_seed() -> None:
    out = io.StringIO()
    stop = threading.Event()
    stop.set()  # return right after starting
    assert run_cli("127.0.0.1", 0, 60.0, 0.0, 0.5, False, out=out, stop=stop) == 0
    assert DEMO_PACKAGE_ID not in out.getvalue()


@pytest.mark.parametrize(
    "args",
    [
        ("10.1.2.3", 0, 1800.0, 0.0, 0.0, True),
        ("127.0.0.1", 0, 1800.0, -1.0, 0.0, True),
        ("127.0.0.1", 0, 1800.0, 0.0, 3.0, True),
    ],
)
def test_run_cli_rejects_bad_settings(
    args: tuple[str, int, float, float, float, bool], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(*args) == 2
    assert "cypkg emulator:" in capsys.readouterr().err


def spawn(seed: bool) -> subprocess.Popen[str]:
    """``run_cli`` in a child process, once it has printed its first banner line."""
    code = (
        "import sys; from tui.emulator.cli import run_cli; "
        f"sys.exit(run_cli('127.0.0.1', 0, 1800.0, 0.0, 0.0, {seed}))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert URL.search(first), first
    return process


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("signum", "expected", "seed"),
    [(signal.SIGINT, 130, True), (signal.SIGTERM, 0, False)],
    ids=["ctrl-c", "sigterm"],
)
def test_signals_stop_cleanly(signum: int, expected: int, seed: bool) -> None:
    process = spawn(seed)
    try:
        process.send_signal(signum)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == expected
    assert "Traceback" not in err
    assert "stopped" in out
