"""The scripted CLI run in-process against the test emulator, on the fake clock."""

from __future__ import annotations

from typing import Any

import pytest

from tui import cli
from tui.api.client import CylanceClient
from tui.cli import watch as cli_watch
from tui.emulator import DEMO, Emulator


def point_cli_at(monkeypatch: pytest.MonkeyPatch, emulator: Emulator, fake_clock: Any) -> Emulator:
    """Demo credentials for ``emulator`` in the environment; every wait of the CLI and of
    the client's retries moves ``fake_clock`` instead of sleeping."""
    monkeypatch.setenv("CYPKG_API_URL", emulator.base_url)
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id)
    monkeypatch.setenv("CYPKG_APP_ID", DEMO.app_id)
    monkeypatch.setenv("CYPKG_APP_SECRET", DEMO.app_secret)
    monkeypatch.setattr(cli_watch, "_sleep", fake_clock.advance)
    monkeypatch.setattr(cli_watch, "_monotonic", fake_clock)
    monkeypatch.setattr(CylanceClient, "_wait", lambda _self, delay, _e: fake_clock.advance(delay))
    return emulator


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``cypkg ARGV``: exit code, stdout, stderr (never a traceback or an internal error)."""
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err
