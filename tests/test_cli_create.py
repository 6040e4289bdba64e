"""``cypkg create`` and ``cypkg download`` in-process against the emulator on loopback."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cli_on_emulator import point_cli_at, run

from tui.api import transfer
from tui.cli import progress
from tui.emulator import Emulator
from tui.emulator.uploads import DOWNLOAD_PREFIX, UPLOAD_PREFIX

DATA = bytes(range(256)) * 4096  # 1 MiB


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch, emulator: Emulator, fake_clock: Any) -> Emulator:
    return point_cli_at(monkeypatch, emulator, fake_clock)


@pytest.fixture
def file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "collector.zip"
    path.write_bytes(DATA)
    return path


def create(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    return run(capsys, "create", "collector.zip", "--name", "Collector", "--interval", "1", *extra)


def created_id(out: str) -> str:
    first = out.splitlines()[0]
    assert first.startswith("created "), out
    return first.split()[1]


def test_create_upload_watch_download(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path, tmp_path: Path
) -> None:
    code, out, err = create(capsys, "--example", "Collect all=main.py --all", "--version", "2")
    assert code == 0, err
    package_id = created_id(out)
    assert "success" in out.splitlines()[-1] and package_id in out.splitlines()[-1]
    assert "uploaded 1048576 bytes, SHA-256 " + hashlib.sha256(DATA).hexdigest() in err
    package = emu.store.get(package_id) or {}
    assert package["packageDescriptor"]["examples"] == [
        {"description": "Collect all", "invocationString": "main.py --all"}
    ]
    assert package["packageDescriptor"]["packageInfo"]["fileName"] == "collector.zip"
    (tmp_path / "back").mkdir()
    code, out, err = run(capsys, "download", package_id, "-o", "back")
    assert code == 0, err
    assert out == f"{hashlib.sha256(DATA).hexdigest()}  back/collector.zip\n"
    assert (tmp_path / "back" / "collector.zip").read_bytes() == DATA
    # The bearer token went to the API only, never to the upload or download URL.
    assert emu.transfers.authorization_seen == 0
    assert emu.count("PUT", UPLOAD_PREFIX) == 1 and emu.count("GET", DOWNLOAD_PREFIX) == 1
    # Again without --force: refused, the file kept.
    code, _, err = run(capsys, "download", package_id, "-o", "back")
    assert code == 2 and "--force" in err


def test_json_prints_the_answer_and_the_final_package(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path
) -> None:
    code, out, _ = create(capsys, "--json")
    assert code == 0
    answer, final = (json.loads(line) for line in out.splitlines())
    assert set(answer) == {"packageId", "packageUrl", "uploadTo"}
    assert final["packageId"] == answer["packageId"] and final["status"] == "success"


def test_a_checksum_mismatch_ends_failed(
    capsys: pytest.CaptureFixture[str],
    emu: Emulator,
    file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transfer, "file_sha256", lambda path, **_: ("0" * 64, len(DATA)))
    code, out, err = create(capsys)
    assert code == 1, err
    assert "failed" in out.splitlines()[-1]
    assert "the file changed since its checksum was taken" in err


def test_an_upload_the_service_never_sees_times_out(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path
) -> None:
    emu.service.upload_timeout = 5
    # Storage says 200, but the service never hears of the file.
    emu.faults.fail_next(1, 200, path_prefix=UPLOAD_PREFIX)
    code, out, err = create(capsys)
    assert code == 3, err
    assert "timeout" in out.splitlines()[-1]


def test_an_upload_cut_mid_body_says_what_is_left(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path
) -> None:
    emu.faults.drop_next(1, path_prefix=UPLOAD_PREFIX)
    code, out, err = create(capsys)
    assert code == 6
    package_id = created_id(out)
    assert "upload broke off after" in err
    assert f"package {package_id} exists on the server, status started" in err
    assert (emu.store.get(package_id) or {})["status"] == "started"


def test_ctrl_c_during_the_upload(
    capsys: pytest.CaptureFixture[str],
    emu: Emulator,
    file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupt(self: progress.Progress, done: int, total: int | None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(progress.Progress, "__call__", interrupt)
    code, out, err = create(capsys)
    assert code == 130
    package_id = created_id(out)
    assert f"interrupted: package {package_id} exists on the server, status started" in err
    assert "becomes timeout" in err


def test_an_interrupted_download_leaves_no_file(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path, tmp_path: Path
) -> None:
    code, out, _ = create(capsys, "--no-watch")
    package_id = created_id(out)
    file.unlink()
    emu.faults.reset_mid_body_next(1, path_prefix=DOWNLOAD_PREFIX)
    code, out, err = run(capsys, "download", package_id)
    assert code == 6 and out == ""
    assert "download broke off after" in err and "Nothing was written to collector.zip" in err
    assert list(tmp_path.iterdir()) == []


def test_download_without_a_url_is_exit_4(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path
) -> None:
    package_id = emu.store.add({"status": "success", "packageDescriptor": {"name": "x"}})
    code, out, err = run(capsys, "download", package_id)
    assert code == 4 and out == "" and "has no download URL (status success)" in err


def test_a_plain_http_upload_url_elsewhere_is_refused(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path
) -> None:
    answer = {
        "packageId": "e378dacb-9324-453a-b8c6-5a8406952195",
        "uploadTo": "http://storage.example/up?signature=s3cr3t",
    }
    emu.faults.body_next(1, json.dumps(answer).encode(), status=201, path_prefix="/packages/v2")
    code, _, err = create(capsys)
    assert code == 5
    assert "Package e378dacb-9324-453a-b8c6-5a8406952195 was created" in err
    assert "refusing the upload URL http://storage.example/up" in err and "s3cr3t" not in err
    assert emu.count("PUT") == 0


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["create", "missing.zip", "--name", "x"], "Cannot read missing.zip"),
        (["create", "empty.zip", "--name", "x"], "empty"),
        (["create", "collector.zip"], "A package name is required"),
        (["create", "collector.zip", "--name", " "], "A package name is required"),
        (["create", "collector.zip", "--name", "x", "--version", "0"], "Invalid version"),
        (["create", "collector.zip", "--name", "x", "--example", "oops"], "DESCRIPTION=INVOCATION"),
        (["create", "collector.zip", "--descriptor", "bad.json"], "not valid JSON"),
        (["create", "collector.zip", "--name", "x", "--file-name", "a/b"], "not a path"),
        (["download", "not-an-id"], "ID"),
        (["download", "e378dacb-9324-453a-b8c6-5a8406952195", "-o", "collector.zip"], "--force"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    capsys: pytest.CaptureFixture[str],
    emu: Emulator,
    file: Path,
    tmp_path: Path,
    argv: list[str],
    said: str,
) -> None:
    (tmp_path / "empty.zip").write_bytes(b"")
    (tmp_path / "bad.json").write_text("{")
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and said in err, err
    assert emu.requests == []


def test_a_lost_create_answer_says_where_to_look(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path
) -> None:
    emu.faults.drop_next(1, path_prefix="/packages/v2")
    code, out, err = create(capsys)
    assert code == 6 and out == ""
    assert "cypkg list --status started" in err
    assert emu.count("POST", "/packages/v2") == 1  # a POST is never retried


def test_the_demo_creates_packages(capsys: pytest.CaptureFixture[str], file: Path) -> None:
    code, out, err = run(capsys, "--demo", "create", "collector.zip", "--name", "x", "--no-watch")
    assert code == 0, err
    assert created_id(out) and "uploaded 1048576 bytes" in err


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere() -> None:
    import io

    now = [0.0]
    plain = io.StringIO()
    shown = progress.Progress("upload", plain, terminal=False, clock=lambda: now[0])
    for done in range(0, 101, 5):
        now[0] += 0.5
        shown(done, 100)
    lines = plain.getvalue().splitlines()
    assert [line.split()[2] for line in lines] == ["25%", "50%", "75%", "100%"]
    assert lines[0].startswith("cypkg: upload") and "ETA" in lines[0] and "ETA" not in lines[-1]
    bar = io.StringIO()
    drawn = progress.Progress("upload", bar, terminal=True, clock=lambda: now[0])
    drawn(0, 2_000_000)
    drawn(1, 2_000_000)  # within a tenth of a second: not redrawn
    now[0] += 1
    drawn(1_000_000, 2_000_000)
    drawn.end()
    text = bar.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n")
    assert "[############............]  50%  1.0 MB of 2.0 MB" in text
