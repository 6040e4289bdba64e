"""The CLI end to end against the emulator on a real loopback socket."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui import __version__, cli
from tui.api.retry import RetryPolicy
from tui.cli import common as cli_common
from tui.cli import watch as cli_watch
from tui.emulator import DEMO, Emulator
from tui.emulator.seed import (
    DEMO_PACKAGE_ID,
    STARTED_FAILED_ID,
    STARTED_SUCCESS_ID,
    STARTED_TIMEOUT_ID,
)

MISSING_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> Emulator:
    """Point the CLI at the emulator through the documented environment variables."""
    monkeypatch.setenv("CYPKG_API_URL", emulator.base_url)
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id)
    monkeypatch.setenv("CYPKG_APP_ID", DEMO.app_id)
    monkeypatch.setenv("CYPKG_APP_SECRET", DEMO.app_secret)
    fast = RetryPolicy(base_delay=0.001, max_delay=0.002, rate_limit_delay=0.01)
    monkeypatch.setattr("tui.api.client.RetryPolicy", lambda: fast)
    return emulator


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help_do_not_import_textual_or_httpx() -> None:
    probe = (
        "import sys\nfrom tui import cli\n"
        "for argv in (['--version'], ['--help'], ['get', '--help']):\n"
        "    try:\n        cli.main(argv)\n    except SystemExit:\n        pass\n"
        "print('LOADED', 'textual' in sys.modules, 'httpx' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert f"cypkg {__version__}" in done.stdout
    assert "LOADED False False" in done.stdout
    assert "exit codes:" in done.stdout and "130" in done.stdout


def test_get_summary(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "get", DEMO_PACKAGE_ID)
    assert code == 0 and err == ""
    assert DEMO_PACKAGE_ID in out and "✔ success" in out and "Uploaded by" in out


def test_get_json_is_the_body_as_received(
    env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "get", DEMO_PACKAGE_ID.upper(), "--json")
    assert code == 0
    assert json.loads(out) == env.store.get(DEMO_PACKAGE_ID)


def test_get_accepts_a_pasted_url(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"https://protectapi.cylance.com/packages/v2/{DEMO_PACKAGE_ID}"
    assert run(capsys, "get", url)[0] == 0


def test_invalid_id_exits_2_without_a_request(
    env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    env.clear_requests()
    code, out, err = run(capsys, "get", "../../etc/passwd")
    assert code == 2 and out == "" and "not a UUID" in err and "Traceback" not in err
    assert env.count() == 0


def test_not_found_exits_4(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "get", MISSING_ID)
    assert code == 4 and MISSING_ID in err and err.count("\n") <= 2


def test_bad_secret_exits_5_mentioning_clock_and_region(
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "wrong-secret-0123456789abcdef"
    monkeypatch.setenv("CYPKG_APP_SECRET", wrong)
    code, _, err = run(capsys, "get", DEMO_PACKAGE_ID)
    assert code == 5 and "clock" in err and "region" in err
    assert wrong not in err and DEMO.app_secret not in err


def test_missing_scope_exits_5_naming_it(
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app_id, secret = "0f0f0f0f-1111-4222-8333-444444444444", "read-only-secret-abcdefghijklmnop"
    env.add_app(app_id, secret, DEMO.tenant_id, {"opticspkgconfig:read"})
    monkeypatch.setenv("CYPKG_APP_ID", app_id)
    monkeypatch.setenv("CYPKG_APP_SECRET", secret)
    assert run(capsys, "get", DEMO_PACKAGE_ID)[0] == 0
    code, _, err = run(capsys, "list")
    assert code == 5 and "opticspkgconfig:list" in err


def test_no_credentials_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "get", DEMO_PACKAGE_ID)
    assert code == 5 and "No credentials" in err and "Traceback" not in err


def test_network_error_exits_6(
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("CYPKG_API_URL", f"http://127.0.0.1:{port}")
    code, _, err = run(capsys, "get", DEMO_PACKAGE_ID)
    assert code == 6 and "refused" in err.lower()


def test_server_errors_retried_then_exit_6(
    env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    env.faults.fail_next(10, status=503)
    code, _, err = run(capsys, "get", DEMO_PACKAGE_ID)
    assert code == 6 and "503" in err and "Retrying" in err


def test_transient_503_recovers(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    env.faults.fail_next(2, status=503, retry_after="0")
    code, out, _ = run(capsys, "get", DEMO_PACKAGE_ID)
    assert code == 0 and DEMO_PACKAGE_ID in out


def test_revoked_token_reauthenticates(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "get", DEMO_PACKAGE_ID)[0] == 0
    env.revoke_tokens()
    env.clear_requests()
    assert run(capsys, "get", DEMO_PACKAGE_ID)[0] == 0
    # cached token refused (401) → one new token → the retried GET
    assert env.count(method="GET") == 2 and env.count(method="POST") == 1


@pytest.mark.parametrize(
    ("package_id", "code", "last"),
    [
        (STARTED_SUCCESS_ID, 0, "success"),
        (STARTED_FAILED_ID, 1, "failed"),
        (STARTED_TIMEOUT_ID, 3, "timeout"),
    ],
)
def test_watch_until_terminal_status(
    env: Emulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_clock: Any,
    package_id: str,
    code: int,
    last: str,
) -> None:
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # time passes for the emulator, not for the test
        slept.append(seconds)
        fake_clock.advance(seconds)

    monkeypatch.setattr(cli_watch, "_sleep", sleep)
    monkeypatch.setattr(cli_watch, "_monotonic", fake_clock)  # the scheduler's clock
    result, out, _ = run(capsys, "watch", package_id, "--interval", "5")
    lines = out.strip().splitlines()
    assert result == code
    assert "started" in lines[0] and last in lines[-1] and len(lines) == 2
    assert set(slept) == {5.0}


def test_watch_json_lines(
    env: Emulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_clock: Any,
) -> None:
    monkeypatch.setattr(cli_watch, "_sleep", fake_clock.advance)
    monkeypatch.setattr(cli_watch, "_monotonic", fake_clock)  # the scheduler's clock
    code, out, _ = run(capsys, "watch", STARTED_SUCCESS_ID, "--json")
    statuses = [json.loads(line)["status"] for line in out.splitlines()]
    assert code == 0 and statuses == ["started", "success"]


def test_watch_survives_transient_errors(
    env: Emulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_clock: Any,
) -> None:
    monkeypatch.setattr(cli_watch, "_sleep", fake_clock.advance)
    monkeypatch.setattr(cli_watch, "_monotonic", fake_clock)  # the scheduler's clock
    assert run(capsys, "get", STARTED_SUCCESS_ID)[0] == 0  # signed in
    env.faults.fail_next(5, status=502)
    code, out, err = run(capsys, "watch", STARTED_SUCCESS_ID)
    assert code == 0 and "success" in out and "Polling again" in err


def test_list_table_and_json(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "--page-size", "5", "--sort", "-size")
    assert code == 0 and "page 1 of" in out and len(out.strip().splitlines()) == 7
    code, out, _ = run(capsys, "list", "--status", "started", "--json")
    data = json.loads(out)
    assert code == 0 and {p["status"] for p in data["page_items"]} == {"started"}
    assert data["total_number_of_items"] == 3


def test_list_bad_arguments_exit_2_without_request(
    env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    env.clear_requests()
    assert run(capsys, "list", "--page-size", "0")[0] == 2
    assert run(capsys, "list", "--sort", "bogus")[0] == 2
    assert env.count() == 0
    with pytest.raises(SystemExit) as exc:
        cli.main(["list", "--page", "x"])
    assert exc.value.code == 2


def test_config_path_show_check(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "config", "path")
    assert code == 0 and out.strip().endswith("cypkg/config.toml")
    assert os.environ["XDG_CONFIG_HOME"] in out
    code, out, _ = run(capsys, "config", "show")
    assert code == 0 and "App secret" in out and DEMO.app_secret not in out
    code, out, _ = run(capsys, "config", "check")
    assert code == 0 and out.startswith("OK: signed in")


def test_interrupt_exits_130(
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("tui.api.client.CylanceClient.get_package", interrupted)
    code, _, err = run(capsys, "get", DEMO_PACKAGE_ID)
    assert code == 130 and "Traceback" not in err


def test_unexpected_error_is_one_line(
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("tui.api.client.CylanceClient.get_package", broken)
    code, _, err = run(capsys, "get", DEMO_PACKAGE_ID)
    assert code == 70 and "internal error" in err and "Traceback" not in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["get"])
    assert exc.value.code == 2


def test_demo_flag_uses_embedded_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "get", "--demo", DEMO_PACKAGE_ID)
    assert code == 0 and DEMO_PACKAGE_ID in out
    # Nothing written to the user's config or token cache.
    assert not Path(os.environ["XDG_CONFIG_HOME"], "cypkg").exists()
    assert not Path(os.environ["XDG_CACHE_HOME"], "cypkg", "tokens").exists()


# -- separate processes -------------------------------------------------------------------


def _cypkg(
    *argv: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def proc_env(env: Emulator) -> dict[str, str]:
    return dict(os.environ)


def test_token_reused_across_processes(env: Emulator, proc_env: dict[str, str]) -> None:
    env.clear_requests()
    first = _cypkg("get", DEMO_PACKAGE_ID, env=proc_env)
    assert first.returncode == 0, first.stderr
    assert env.count() == 2  # token + package
    env.clear_requests()
    second = _cypkg("get", DEMO_PACKAGE_ID, "--json", env=proc_env)
    assert second.returncode == 0 and env.count() == 1  # the cached token, one request
    token_files = list(Path(proc_env["XDG_CACHE_HOME"], "cypkg", "tokens").iterdir())
    assert len(token_files) == 1
    assert token_files[0].stat().st_mode & 0o777 == 0o600
    assert token_files[0].parent.stat().st_mode & 0o777 == 0o700
    assert DEMO.app_secret not in token_files[0].read_text()


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_signals_end_watch_cleanly(
    env: Emulator, proc_env: dict[str, str], sig: signal.Signals, code: int
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "watch", STARTED_SUCCESS_ID, "--interval", "60"],
        env=proc_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the first status line: the watch is under way
    assert "started" in first
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == code and "Traceback" not in err


def test_emulator_command_prints_url_and_credentials() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(8)]
    text = "".join(lines)
    assert "http://127.0.0.1:" in text and DEMO.tenant_id in text
    url = next(word for line in lines for word in line.split() if word.startswith("http://"))
    deadline = time.monotonic() + 10
    while True:
        try:
            assert httpx.post(url + "/auth/v2/token", json={}).status_code == 400
            break
        except httpx.ConnectError:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert "Traceback" not in err and proc.returncode in (0, 130)


def test_a_signal_whose_exception_was_lost_still_ends_the_watch_sleep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The handler's exception can be swallowed (raised inside a finalizer); a SIGTERM then
    left `cypkg watch` asleep for its whole interval (seen under load in CI)."""
    monkeypatch.setattr(cli_common, "_SIGNALS_RECEIVED", [signal.SIGTERM])
    started = time.monotonic()
    with pytest.raises(cli_common._Signalled) as caught:
        cli_watch._sleep(30)
    assert caught.value.signum == signal.SIGTERM and time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--status", "bogus", "started, success, failed, timeout"),
        ("--category", "bogus", "custom, cylance"),
        ("--sort", "bogus", "uploadedOn"),
        ("--sort", "-bogus", "uploadedOn"),
    ],
)
def test_list_filters_and_sort_checked_against_the_documented_values(
    env: Emulator, capsys: pytest.CaptureFixture[str], option: str, value: str, named: str
) -> None:
    """Issue 13 point 11: a value the API does not document is a usage error naming the
    values it does (exit 2), before any request."""
    env.clear_requests()
    try:
        code = cli.main(["list", option, value])
    except SystemExit as exc:  # argparse's own error path exits 2 too
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2 and env.count() == 0
    assert value in err and named in err and "Traceback" not in err


@pytest.mark.parametrize(("typed", "meant"), [("lsit", "list"), ("wacth", "watch"), ("gte", "get")])
def test_a_mistyped_command_is_named_not_read_as_a_package_id(
    capsys: pytest.CaptureFixture[str], typed: str, meant: str
) -> None:
    """Issue 13 point 14: `cypkg lsit` is a typo of `list`, not a bad package ID; it is
    caught before the terminal check (so the hint shows in a pipe too)."""
    with pytest.raises(SystemExit) as exc:
        cli.main([typed])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert f"unknown command '{typed}' — did you mean '{meant}'?" in err
    assert "UUID" not in err


def test_a_word_far_from_every_command_is_still_read_as_a_package_id(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tui.cli._require_terminal", lambda: None)
    assert cli.main(["banana"]) == 2
    assert "not a UUID" in capsys.readouterr().err


def test_list_in_a_pipe_does_not_cut_names(
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 point 17: stdout is not a terminal here (captured), so no column is cut,
    even where the terminal size says 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "list", "--page-size", "50", "--json")
    names = [p["packageDescriptor"]["name"] for p in json.loads(out)["page_items"]]
    assert code == 0 and any(len(n) > 20 for n in names)
    code, out, _ = run(capsys, "list", "--page-size", "50")
    assert code == 0 and "…" not in out
    for name in names:
        assert name in out


@pytest.mark.parametrize("width", [60, 80, 100, 132])
def test_list_in_a_terminal_fits_its_width(
    env: Emulator, capsys: pytest.CaptureFixture[str], width: int
) -> None:
    """In a terminal the table fits the width, keeping the name readable and the ID whole:
    at 80 columns it cut names to 12 characters and still ran 105 wide, so every row
    wrapped onto a second line (found in tmux). Columns give way instead."""
    from tui.api.models import parse_page
    from tui.cli.format import package_table

    code, out, _ = run(capsys, "list", "--page-size", "50", "--json")
    assert code == 0
    page = parse_page(json.loads(out))
    lines = package_table(page, width).splitlines()
    cells = [len(line) + line.count("⌛") for line in lines]  # ⌛ takes two cells
    assert max(cells) <= width, max(lines, key=len)
    assert lines[0].startswith("NAME") and "STATUS" in lines[0] and "PACKAGE ID" in lines[0]
    for item in page.items:
        row = next(line for line in lines if item.package_id in line)
        # From 80 columns a name of up to 20 characters shows whole; a longer one keeps
        # at least 19 and …; at 60 the ID (36) and status leave the name 10.
        assert row.startswith(item.name[: 19 if width >= 80 else 9])
    if width >= 132:
        assert "CATEGORY" in lines[0] and "UPLOADED (UTC)" in lines[0]


def test_an_internal_error_with_stderr_gone_still_exits_70(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a hangup stderr raises EIO: the last-resort message must not turn the
    exit into Python's own traceback and status 1."""
    import errno

    class DeadTerminal:
        def write(self, text: str) -> int:
            raise OSError(errno.EIO, "Input/output error")

        def flush(self) -> None:
            raise OSError(errno.EIO, "Input/output error")

    def boom(args: object) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr("tui.cli._dispatch", boom)
    monkeypatch.setattr(sys, "stderr", DeadTerminal())
    assert cli.main(["get", "5b0c7a1e-3f2d-4e8a-9c61-7d2e4f8a1b30"]) == cli_common.EXIT_INTERNAL
