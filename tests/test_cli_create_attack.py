"""``cypkg create`` / ``download`` attacked: interrupts at each phase, hostile create
answers, a proxy in the environment, a full disk, narrow terminals (issue 14)."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
import test_cli_create
from cli_on_emulator import run
from test_cli_create import create
from test_proxy import PROXY_VARIABLES, RecordingProxy
from test_transfer_attack import Storage, answer

from tui.api import transfer
from tui.api.client import CylanceClient
from tui.cli import progress
from tui.cli import watch as cli_watch
from tui.emulator import Emulator
from tui.emulator.uploads import UPLOAD_PREFIX

DATA = bytes(range(256)) * 1024
PACKAGE_ID = "e378dacb-9324-453a-b8c6-5a8406952195"


#: The CLI pointed at the emulator: test_cli_create's fixture.
emu = test_cli_create.emu


@pytest.fixture
def file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "collector.zip"
    path.write_bytes(DATA)
    return path


def interrupt(*_args: object, **_kwargs: object) -> Any:
    raise KeyboardInterrupt


# -- Ctrl-C at each phase: exit 130, and what exists on the server --------------------


def test_ctrl_c_while_hashing_says_nothing_was_sent(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "file_sha256", interrupt)
    code, out, err = create(capsys)
    assert code == 130 and out == ""
    assert "nothing was sent to the server" in err
    assert emu.requests == []


def test_ctrl_c_while_creating_says_a_package_may_exist(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CylanceClient, "create_package", interrupt)
    code, out, err = create(capsys)
    assert code == 130 and out == ""
    assert "may have created" in err and "cypkg list --status started" in err


def test_ctrl_c_while_watching_says_the_file_is_there(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_watch, "_watch_many", interrupt)
    code, out, err = create(capsys)
    assert code == 130
    package_id = out.split()[1]
    assert f"package {package_id} exists on the server and has its file" in err
    assert f"cypkg watch {package_id}" in err


# -- hostile create answers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("upload_to", "said"),
    [
        ("https://s.example/" + "a" * 1_000_000, "missing or not a URL"),
        ("https://s.example/u?sig=S3CR3T\r\nX-Evil: 1", "not a plain ASCII URL"),
        ("https://s.example/u?sig=S3CR3T\x00", "not a plain ASCII URL"),
        ("https://s.example/u?sig=S3CR3T\x1b[2J", "not a plain ASCII URL"),
        ("file:///etc/passwd?sig=S3CR3T", "must start with https://"),
        ("https://user:S3CR3T@s.example/u", "user name or password"),
        (["https://s.example/u"], "missing or not a URL"),
        (None, "missing or not a URL"),
    ],
)
def test_hostile_create_answers_are_refused_and_named(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path, upload_to: object, said: str
) -> None:
    answer = {"packageId": PACKAGE_ID, "uploadTo": upload_to, "extra": {"x": [1]}}
    emu.faults.body_next(1, json.dumps(answer).encode(), status=201, path_prefix="/packages/v2")
    code, _, err = create(capsys)
    assert code in (5, 6) and said in err, err
    assert f"Package {PACKAGE_ID} was created" in err
    assert "S3CR3T" not in err and "\x1b" not in err and "\x00" not in err
    assert len(err) < 2000 and emu.count("PUT") == 0


# -- the network around the transfer --------------------------------------------------


def test_a_loopback_upload_never_goes_through_the_proxy(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RecordingProxy() as proxy:
        for name in PROXY_VARIABLES:
            monkeypatch.setenv(name, proxy.url)
        monkeypatch.setenv("NO_PROXY", "")
        code, out, err = create(capsys)
        package_id = out.split()[1]
        (Path.cwd() / "back").mkdir()
        code_down, _, err_down = run(capsys, "download", package_id, "-o", "back")
    assert code == 0 and code_down == 0, err + err_down
    assert proxy.connections == 0 and emu.count("PUT", UPLOAD_PREFIX) == 1


def test_a_full_disk_during_a_download_is_one_sentence(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = create(capsys, "--no-watch")
    package_id = out.split()[1]
    (Path.cwd() / "back").mkdir()

    def no_space(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(transfer.os, "fsync", no_space)
    code, out, err = run(capsys, "download", package_id, "-o", "back")
    assert code == 6 and out == ""
    assert "Cannot write back/collector.zip: No space left on device" in err
    assert os.listdir("back") == []


# -- the progress bar -----------------------------------------------------------------


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_the_bar_fits_a_narrow_terminal(columns: int) -> None:
    """A line longer than the terminal wraps, and ``\\r`` then redraws only its tail:
    each redraw would leave a line behind."""
    now = [0.0]
    out = io.StringIO()
    bar = progress.Progress("download", out, terminal=True, clock=lambda: now[0], columns=columns)
    for done in range(0, 1_234_567_891, 123_456_789):
        now[0] += 1
        bar(done, 1_234_567_890)
    bar.end()
    drawn = [p.rstrip("\n").removesuffix("\x1b[K") for p in out.getvalue().split("\r") if p]
    assert drawn and all(len(line) < columns for line in drawn), drawn
    assert all("%" in line for line in drawn)


def test_plain_progress_writes_few_lines() -> None:
    out = io.StringIO()
    bar = progress.Progress("upload", out, terminal=False, clock=lambda: 0.0)
    for done in range(0, 10_000_001, 1000):
        bar(done, 10_000_000)
    bar.end()
    assert out.getvalue().count("\n") == 4


# -- downloads with a hostile size ----------------------------------------------------


@pytest.mark.parametrize(
    ("size", "code", "said"),
    [
        (None, 0, ""),
        (-5, 0, ""),
        ("1000", 6, f"offers {len(DATA)} bytes, but the package's size is 1000"),
        (10**30, 6, f"offers {len(DATA)} bytes, but the package's size is {10**30}"),
        (len(DATA) - 1, 6, f"offers {len(DATA)} bytes"),
    ],
)
def test_a_hostile_size_never_passes_a_wrong_file(
    capsys: pytest.CaptureFixture[str],
    emu: Emulator,
    file: Path,
    size: object,
    code: int,
    said: str,
) -> None:
    server = Storage(answer("200 OK", {"Content-Length": str(len(DATA))}, DATA))
    package_id = emu.store.add(
        {
            "status": "success",
            "packageDescriptor": {"name": "x", "packageInfo": {"fileName": "x.zip"}},
            "size": size,
            "downloadUrl": f"{server.url}/f?signature=SIG",
        }
    )
    try:
        got, out, err = run(capsys, "download", package_id)
    finally:
        server.close()
    assert got == code and said in err, err
    assert "proxy" not in err  # not a network problem
    assert (Path("x.zip").exists()) == (code == 0) and "SIG" not in err
    if code == 0:
        assert out.startswith(hashlib.sha256(DATA).hexdigest())


def test_a_file_changed_during_the_upload_ends_failed_and_says_why(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file.write_bytes(DATA * 4)  # several chunks: the last one is changed after the first
    real = progress.Progress.__call__

    def change(self: progress.Progress, done: int, total: int | None) -> None:
        if self.label == "upload" and done == len(DATA):
            with file.open("r+b") as handle:
                handle.seek(-10, os.SEEK_END)
                handle.write(b"CHANGED!!!")
        real(self, done, total)

    monkeypatch.setattr(progress.Progress, "__call__", change)
    code, out, err = create(capsys)
    assert code == 1 and "failed" in out.splitlines()[-1]
    assert "the file changed since its checksum was taken: the package will fail" in err


def test_a_file_name_with_control_characters_says_to_give_one(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path
) -> None:
    odd = Path("odd\x1b[2J.zip")
    odd.write_bytes(DATA)
    code, out, err = run(capsys, "create", str(odd), "--name", "x")
    assert out == ""
    assert code == 2 and "\x1b" not in err and "--file-name" in err
    assert emu.requests == []


def test_ctrl_c_during_a_download_leaves_nothing_and_says_so(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = create(capsys, "--no-watch")
    package_id = out.split()[1]
    (Path.cwd() / "back").mkdir()
    monkeypatch.setattr(progress.Progress, "__call__", interrupt)
    code, out, err = run(capsys, "download", package_id, "-o", "back")
    assert code == 130 and out == ""
    assert "Download interrupted: nothing was written to back/collector.zip" in err
    assert os.listdir("back") == []


@pytest.mark.parametrize(
    "body",
    [
        b"<html>captive portal</html>",
        b'{"packageId": "nope", "uploadTo": "https://s.example/u"}',
        b"[]",
        b'{"packageId": "' + b"x" * 3_000_000 + b'"}',
    ],
)
def test_an_unreadable_create_answer_says_a_package_may_exist(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path, body: bytes
) -> None:
    """A 201 whose body makes no sense: the service may have made a package all the same."""
    emu.faults.body_next(1, body, status=201, path_prefix="/packages/v2")
    code, out, err = create(capsys)
    assert code == 6 and out == ""
    assert "cypkg list --status started" in err, err
    assert len(err) < 2000 and emu.count("PUT") == 0


def test_a_lost_upload_answer_says_the_file_was_sent(
    capsys: pytest.CaptureFixture[str], emu: Emulator, file: Path
) -> None:
    """Every byte sent, then no answer: the package may well succeed; not "no file"."""
    import time

    got: list[int] = []

    def silent(conn: Any, head: bytes) -> None:
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        received = len(head.split(b"\r\n\r\n", 1)[1])
        while received < length and (data := conn.recv(65536)):
            received += len(data)
        got.append(received)
        time.sleep(3)  # and no answer

    server = Storage(silent)
    answer_body = {"packageId": PACKAGE_ID, "uploadTo": f"{server.url}/u?signature=SIG"}
    emu.faults.body_next(
        1, json.dumps(answer_body).encode(), status=201, path_prefix="/packages/v2"
    )
    try:
        code, _, err = run(
            capsys, "--request-timeout", "1", "create", "collector.zip", "--name", "x"
        )
    finally:
        server.close()
    assert code == 6 and got == [len(DATA)]
    assert f"all {len(DATA)} bytes were sent but storage did not answer" in err, err
    assert "either has its file" in err and f"cypkg watch {PACKAGE_ID}" in err
    assert "with no file it becomes timeout" not in err
