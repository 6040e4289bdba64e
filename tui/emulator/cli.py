"""``cypkg emulator``: run the emulator in the foreground until Ctrl-C."""

from __future__ import annotations

import signal
import sys
import threading
from typing import TextIO

from tui.emulator.apps import DEMO
from tui.emulator.seed import (
    DEMO_PACKAGE_ID,
    FAILED_AFTER,
    STARTED_FAILED_ID,
    STARTED_SUCCESS_ID,
    STARTED_TIMEOUT_ID,
    SUCCESS_AFTER,
    TIMEOUT_AFTER,
)
from tui.emulator.server import Emulator

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


def _banner(emu: Emulator, seeded: bool) -> str:
    lines = [
        f"Cylance API emulator listening on {emu.base_url}",
        "",
        "Demo credentials (work only against this emulator):",
        f"  tenant ID   {DEMO.tenant_id}",
        f"  app ID      {DEMO.app_id}",
        f"  app secret  {DEMO.app_secret}",
        "",
        "Point cypkg at it (in another shell):",
        f"  export CYPKG_API_URL={emu.base_url} CYPKG_TENANT_ID={DEMO.tenant_id} \\",
        f"         CYPKG_APP_ID={DEMO.app_id} CYPKG_APP_SECRET={DEMO.app_secret}",
    ]
    if seeded:
        lines += [
            "",
            f"  cypkg get {DEMO_PACKAGE_ID}",
            "",
            "Sample packages:",
            f"  {DEMO_PACKAGE_ID}  success",
            f"  {STARTED_SUCCESS_ID}  started, success after {SUCCESS_AFTER:.0f} s",
            f"  {STARTED_FAILED_ID}  started, failed after {FAILED_AFTER:.0f} s",
            f"  {STARTED_TIMEOUT_ID}  started, timeout after {TIMEOUT_AFTER:.0f} s",
        ]
    lines += ["", "Press Ctrl-C to stop."]
    return "\n".join(lines)


def run_cli(
    host: str,
    port: int,
    token_lifetime: float,
    latency: float,
    fail_rate: float,
    seed: bool,
    *,
    out: TextIO | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Serve until Ctrl-C (exit 130), SIGTERM or ``stop`` (exit 0); 2 on bad settings."""
    stream = out or sys.stdout
    stop = stop or threading.Event()
    emu: Emulator | None = None
    started = False
    # One try around everything: Ctrl-C may land at any moment, even mid-start.
    try:
        try:
            emu = Emulator(host=host, port=port, token_lifetime=token_lifetime, seed=seed)
            emu.faults.latency = latency
            emu.faults.fail_rate = fail_rate
            emu.start()
            started = True
        except (ValueError, OSError) as problem:
            print(f"cypkg emulator: {problem}", file=sys.stderr)
            return 2
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
        print(_banner(emu, seed), file=stream, flush=True)
        while not stop.wait(0.5):
            pass
        return 0
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    finally:
        if emu is not None and started:
            emu.stop()
            print("Emulator stopped.", file=stream, flush=True)
