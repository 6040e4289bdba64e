"""``d`` on the detail screen: the path asked, the file written, its SHA-256; cancels and
broken downloads leave nothing under the final name."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from textual.widgets import Input
from textual.widgets._toast import Toast  # the copy-box test's way to find toasts

from tui.api.client import CylanceClient
from tui.api.descriptor import DescriptorForm
from tui.api.transfer import TransferSettings, file_sha256, upload_file
from tui.emulator import DEMO
from tui.emulator.seed import STARTED_TIMEOUT_ID
from tui.emulator.uploads import DOWNLOAD_PREFIX
from tui.ui.screens.detail import DetailScreen
from tui.ui.screens.download import DownloadScreen
from tui.ui.widgets.fields import ValueStatic

DATA = b"PK\x03\x04 pretend zip " * 20_000


@pytest.fixture
def uploaded(emulator, fake_clock, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """A package of the emulator whose upload succeeded (its file: collector.zip)."""
    source = tmp_path / "source" / "collector.zip"
    source.parent.mkdir()
    source.write_bytes(DATA)
    with CylanceClient(
        emulator.base_url, DEMO.tenant_id, DEMO.app_id, DEMO.app_secret, clock=fake_clock
    ) as client:
        checksum, _ = file_sha256(source)
        form = DescriptorForm(name="collector", file_name="collector.zip")
        created = client.create_package(form.build(), checksum)
        upload_file(created.upload_to, source, settings=TransferSettings(stall_timeout=5))
    return created.package_id


async def open_download(app, pilot, wait_until) -> DownloadScreen:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
    detail = app.screen
    await wait_until(pilot, lambda: detail.package is not None, what="package")
    await pilot.press("d")
    await wait_until(pilot, lambda: isinstance(app.screen, DownloadScreen), what="modal")
    await pilot.pause()
    return app.screen  # type: ignore[no-any-return]


def message(screen: DownloadScreen) -> str:
    return screen.query_one("#download-message", ValueStatic).current.plain


async def test_d_downloads_to_the_file_name_here(
    make_app, uploaded, wait_until, tmp_path: Path, monkeypatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work / "collector.zip").write_bytes(b"old")
    app = make_app(package_id=uploaded)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_download(app, pilot, wait_until)
        assert screen.query_one(Input).value == "collector.zip"
        await pilot.press("enter")
        # It exists: kept until a second Enter.
        assert "collector.zip exists. Enter again replaces it" in message(screen)
        assert (work / "collector.zip").read_bytes() == b"old"
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.result.startswith("✔"), what="the download")
        digest = hashlib.sha256(DATA).hexdigest()
        assert (work / "collector.zip").read_bytes() == DATA
        assert f"SHA-256 {digest}" in message(screen)
        assert str(work / "collector.zip") in message(screen)
        assert sorted(p.name for p in work.iterdir()) == ["collector.zip"]
        # The box says it all: no toast on top of its result (it covered the SHA-256).
        for _ in range(10):
            await pilot.pause(0.1)
        toasts = [str(t.render()) for s in app.screen_stack for t in s.query(Toast)]
        assert not toasts, toasts
        await pilot.press("escape")
        assert isinstance(app.screen, DetailScreen)


async def test_a_cancelled_download_leaves_nothing(
    make_app, emulator, uploaded, wait_until, tmp_path: Path, monkeypatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    emulator.faults.stall_next(1, 0.5, path_prefix=DOWNLOAD_PREFIX)
    app = make_app(package_id=uploaded)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_download(app, pilot, wait_until)
        await pilot.press("enter", "escape")
        await wait_until(pilot, lambda: screen.result != "", what="the cancel")
        assert screen.result.startswith("Cancelled: Download cancelled after")
        assert "Nothing was written" in screen.result
        assert list(work.iterdir()) == []
        assert isinstance(app.screen, DownloadScreen)  # the result is shown, Esc closes


async def test_a_broken_download_says_so(
    make_app, emulator, uploaded, wait_until, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    emulator.faults.reset_mid_body_next(1, path_prefix=DOWNLOAD_PREFIX)
    app = make_app(package_id=uploaded)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_download(app, pilot, wait_until)
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.result != "", what="the failure")
        assert "broke off after" in screen.result and "Nothing was written" in screen.result
        assert not (tmp_path / "collector.zip").exists()
        assert not list(tmp_path.glob("*.part"))


async def test_no_download_url(make_app, emulator, wait_until) -> None:
    package = dict(emulator.store.get(STARTED_TIMEOUT_ID))
    del package["downloadUrl"]
    emulator.store.delete(STARTED_TIMEOUT_ID)
    emulator.store.add(package)
    app = make_app(package_id=STARTED_TIMEOUT_ID)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_download(app, pilot, wait_until)
        assert message(screen).startswith(
            f"✘ Package {STARTED_TIMEOUT_ID} has no file to download: its upload has not "
            "finished (status started)."
        )
        await pilot.press("enter")  # nothing to do
        assert screen.result == ""
        await pilot.press("escape")
        assert isinstance(app.screen, DetailScreen)


async def test_the_palette_offers_the_download(make_app, uploaded, wait_until) -> None:
    """`d` is not in the footer (no room at 80 columns): the palette and F1 must find it."""
    app = make_app(package_id=uploaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        screen = app.screen
        titles = [command.title for command in app.get_system_commands(screen)]
        assert "Download" in titles
