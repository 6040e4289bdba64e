"""A local Cylance Protect API emulator for the demo mode, tests and benchmarks.

    with Emulator() as emu:
        ...  # emu.base_url, DEMO.tenant_id / app_id / app_secret, emu.faults

Standard library HTTP server plus PyJWT; loopback only; no Textual.
"""

from tui.emulator.apps import DEMO, ApiApp
from tui.emulator.faults import Faults
from tui.emulator.recorder import RequestRecord
from tui.emulator.server import Emulator
from tui.emulator.store import PackageStore

__all__ = ["DEMO", "ApiApp", "Emulator", "Faults", "PackageStore", "RequestRecord"]
