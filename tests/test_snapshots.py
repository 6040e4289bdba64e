"""Snapshot tests (pytest-textual-snapshot) of the main screens at 80×24.

Deterministic by construction: an in-memory client serves fixed packages (no
network, no random port in the header), "now" and the monotonic clock are
frozen, the time zone is UTC, ``user@host`` is fixed and the theme is pinned.
Refresh with ``pytest tests/test_snapshots.py --snapshot-update`` (and look at
the SVGs) after a deliberate change or a Textual upgrade.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tui.api.auth import AccessToken
from tui.api.errors import NotFound
from tui.api.models import Package, parse_package
from tui.config import Config, Profile, Secret
from tui.polling.recent import RecentStore
from tui.ui.app import CypkgApp
from tui.ui.options import AppOptions, Startup

#: 2026-11-27 20:00:00 UTC.
NOW = 1_795_809_600.0
FINISHED_ID = "e378dacb-9324-453a-b8c6-5a8406952195"
STARTED_ID = "5b0c7a1e-3f2d-4e8a-9c61-7d2e4f8a1b30"
MISSING_ID = "00000000-0000-4000-8000-000000000404"
BASE = "https://protectapi.cylance.com"


def package_json(package_id: str, *, status: str, uploaded: str, size: int) -> str:
    body = {
        "category": "custom",
        "downloadUrl": f"https://download.example.com/packages/{package_id}.zip",
        "packageDescriptor": {
            "description": (
                "Windows live-response triage collection.\n"
                "Gathers event logs, prefetch, Amcache, ShimCache, registry hives and the "
                "MFT into one compressed archive for offline analysis."
            ),
            "examples": [
                {
                    "description": "Default triage profile into the Optics staging folder",
                    "invocationString": 'main.py --profile default --output "C:\\Optics"',
                },
                {
                    "description": "Include browser history for all users",
                    "invocationString": "main.py --profile default --browsers all",
                },
                {
                    "description": "Only the last 48 hours of event logs",
                    "invocationString": "main.py --evtx-since 48h --compress zip",
                },
            ],
            "name": "collect_triage",
            "packageInfo": {
                "entryPoint": "main.py",
                "fileName": "collect_triage.zip",
                "fileType": "python",
            },
            "packageId": package_id,
            "version": 3,
        },
        "packageId": package_id,
        "playbookCount": 7,
        "size": size,
        "status": status,
        "timeout": 300,
        "uploadedBy": {"id": "4a7c1e9b-2d3f-4b8a-9e6c-0f1d2a3b4c5d", "login": "j.doe@example.com"},
        "uploadedOn": uploaded,
    }
    return json.dumps(body)


PACKAGES = {
    FINISHED_ID: package_json(
        FINISHED_ID, status="success", uploaded="2026-11-25T15:57:56.7500000Z", size=2_481_152
    ),
    # Started 4m 10s before NOW, timeout 5m.
    STARTED_ID: package_json(STARTED_ID, status="started", uploaded="2026-11-27T19:55:50Z", size=0),
}


class FixedClient:
    """An in-memory stand-in for CylanceClient: fixed answers, no network."""

    base_url = BASE

    def get_package(self, package_id: str) -> Package:
        raw = PACKAGES.get(package_id)
        if raw is None:
            raise NotFound(f"No package with ID {package_id} in this tenant (HTTP 404).")
        return parse_package(json.loads(raw), raw=raw)

    def authenticate(self, *, force: bool = False) -> AccessToken:
        return AccessToken("token", NOW + 1800)

    def close(self) -> None:
        pass


PROFILE = Profile(
    name="prod",
    region="na",
    tenant_id="6f1c2d4e-8a3b-4c5d-9e7f-0a1b2c3d4e5f",
    app_id="d3b07384-d9a0-4c9b-8f1e-2a6c5e4b7f10",
    app_secret=Secret("not-a-real-secret"),
    poll_interval=30,
)


#: Set by pytest-textual-snapshot at session start; the suite's isolation fixture
#: clears TEXTUAL_* variables, and the plugin needs this one to report a mismatch.
_SNAPSHOT_TEMPDIR = os.environ.get("TEXTUAL_SNAPSHOT_TEMPDIR")


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if _SNAPSHOT_TEMPDIR is not None:
        monkeypatch.setenv("TEXTUAL_SNAPSHOT_TEMPDIR", _SNAPSHOT_TEMPDIR)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def snapshot_app(
    tmp_path: Path, *, package_id: str | None = None, profile: Profile = PROFILE
) -> CypkgApp:
    recent = RecentStore(tmp_path / "recent.json", clock=lambda: NOW)
    recent.record(STARTED_ID, name="collect_triage", status="started")
    recent.record(FINISHED_ID, name="collect_triage", status="success")
    config = Config(
        active_profile=profile.name,
        profiles={profile.name: profile},
        path=Path("/home/jdoe/.config/cypkg/config.toml"),
    )
    options = AppOptions(
        clock=lambda: NOW,
        monotonic=lambda: 1000.0,
        user_host="jdoe@jump1",
        rng=lambda: 0.5,
        client_factory=lambda _profile: FixedClient(),
        recent_store=recent,
        theme="textual-dark",
        tick=0.2,
    )
    return CypkgApp(Startup(config=config, profile=profile, package_id=package_id), options)


def loaded(press: tuple[str, ...] = ()) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        for _ in range(500):
            screen = app.screen
            done = getattr(screen, "package", None) is not None or getattr(screen, "error", None)
            if done and not getattr(screen, "in_flight", False):
                break
            await pilot.pause(0.01)
        await pilot.pause()
        if press:
            await pilot.press(*press)

    return run_before


def test_lookup(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(snapshot_app(tmp_path), terminal_size=(80, 24))


def test_lookup_without_credentials(snap_compare: Any, tmp_path: Path) -> None:
    app = snapshot_app(tmp_path, profile=Profile(name="default"))
    assert snap_compare(app, press=[*"e378dacb-93"], terminal_size=(80, 24))


@pytest.mark.parametrize("tab", ["1", "2", "3", "4", "5"])
def test_detail_tabs(snap_compare: Any, tmp_path: Path, tab: str) -> None:
    app = snapshot_app(tmp_path, package_id=FINISHED_ID)
    presses = (tab, "down") if tab == "3" else (tab,)
    assert snap_compare(app, terminal_size=(80, 24), run_before=loaded(presses))


def test_live_polling(snap_compare: Any, tmp_path: Path) -> None:
    app = snapshot_app(tmp_path, package_id=STARTED_ID)
    assert snap_compare(app, terminal_size=(80, 24), run_before=loaded())


def test_error_panel(snap_compare: Any, tmp_path: Path) -> None:
    app = snapshot_app(tmp_path, package_id=MISSING_ID)
    assert snap_compare(app, terminal_size=(80, 24), run_before=loaded())


def test_settings(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(snapshot_app(tmp_path), press=["f2"], terminal_size=(80, 24))


def test_new_package(snap_compare: Any, tmp_path: Path) -> None:
    # The form with a name typed and a bad version: its message shows beside the field.
    presses = ["ctrl+n", "tab", *"collect_triage", "tab", "tab", "tab", "tab", "backspace", "0"]
    assert snap_compare(snapshot_app(tmp_path), press=presses, terminal_size=(80, 24))
