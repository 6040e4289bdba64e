"""The real app in a pseudo-terminal: the bytes it writes, its exit on signals and hangups.

These run ``cypkg`` as a user would (``cypkg --api-url URL ID`` with credentials in
``CYPKG_*`` variables and XDG directories of their own) and look at every byte it
writes to the terminal: planted escape sequences from the server must never appear
raw, the secret never at all, and whatever ends the app (ctrl+q, SIGINT, SIGTERM,
SIGHUP, the terminal going away) must leave the terminal restored and the files whole.
"""

from __future__ import annotations

import base64
import json
import signal
from pathlib import Path
from typing import Any

import hostile
from ptyapp import PtyApp, cypkg_env, ends_restored

from tui.emulator import DEMO, Emulator
from tui.emulator.seed import STARTED_SUCCESS_ID

PID = hostile.case_id(4242)
SHORT = [case for case in hostile.STRING_CASES if case.short and case.value.strip()]


def kitchen_sink(status: str) -> dict[str, Any]:
    """Every case at once: one example per case, one description line per case."""
    package = hostile.base_package(PID, status)
    everything = " | ".join(case.value for case in SHORT)
    descriptor = package["packageDescriptor"]
    descriptor["name"] = "N" + everything
    descriptor["description"] = "\n".join(
        f"{case.name}: {case.value}" for case in hostile.STRING_CASES
    )
    descriptor["examples"] = [
        {"description": case.name, "invocationString": case.value} for case in hostile.STRING_CASES
    ]
    for key in ("category", "downloadUrl", "uploadedOn"):
        package[key] = everything
    package["uploadedBy"] = {"id": everything, "login": everything}
    descriptor["packageInfo"] = {
        "entryPoint": everything,
        "fileName": everything,
        "fileType": everything,
    }
    descriptor["packageId"] = everything
    return package


def write_config(env: dict[str, str], poll_interval: int = 1) -> Path:
    """A profile that only sets the poll interval; credentials come from the environment."""
    path = Path(env["XDG_CONFIG_HOME"], "cypkg", "config.toml")
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text(f"[profiles.default]\npoll_interval = {poll_interval}\n")
    path.chmod(0o600)
    return path


def test_hostile_package_in_a_real_terminal(
    emulator: Emulator, tmp_path: Path, figures: dict[str, object]
) -> None:
    started = json.dumps(kitchen_sink("started"), ensure_ascii=False).encode()
    failed = json.dumps(kitchen_sink("failed"), ensure_ascii=False).encode()
    prefix = f"/packages/v2/{PID}"
    emulator.faults.body_next(1, started, path_prefix=prefix)
    emulator.faults.body_next(100, failed, path_prefix=prefix)
    env = cypkg_env(tmp_path)
    write_config(env)
    app = PtyApp("--api-url", emulator.base_url, PID, env=env, size=(200, 70))
    try:
        app.wait_for(b"Download URL", b"Upload finished")  # polled from started to failed
        steps = {  # tab key -> something only that tab draws
            "2": b"Description",
            "3": b"Invocation",
            "4": b"Uploaded (UTC)",
            "5": b'"packageDescriptor"',
            "1": b"Playbooks",
        }
        for key, drawn in steps.items():
            since = app.mark()
            app.press(key)
            app.wait_for(drawn, since=since)
        since = app.mark()
        app.press("u")  # copy the download URL: an OSC 52 write of the inert text
        app.wait_for(b"Copied the download URL", b"\x1b]52;c;", since=since)
        app.press("escape")
        for width, height in ((40, 12), (200, 70)):  # SIGWINCH while the package is shown
            since = app.mark()
            app.resize(width, height)
            app.wait_for(b"Overview", since=since)
        since = app.mark()
        app.press("escape")  # back to the lookup screen and its recent list
        app.wait_for(b"Recent packages", since=since)
        since = app.mark()
        app.press("f2")  # the settings screen: the secret must not be drawn
        app.wait_for(b"App secret", since=since)
        since = app.mark()
        app.press("ctrl+q")
        assert app.wait() == 0
    finally:
        app.close()
    output = app.output
    assert not hostile.leaks(output), hostile.leaks(output)
    assert not hostile.control_problems(output), hostile.control_problems(output)
    assert ends_restored(output)
    assert b"Traceback" not in output
    for case in hostile.STRING_CASES:
        if case.tag:
            assert case.tag.encode() in output, case.name
    secret = DEMO.app_secret.encode()
    assert secret not in output and base64.b64encode(secret)[:20] not in output
    figures["pty TUI: hostile cases planted in every field"] = len(hostile.STRING_CASES)
    figures["pty TUI: bytes of terminal output checked"] = len(output)


EXITS = {
    "SIGINT": (signal.SIGINT, 130),
    "SIGTERM": (signal.SIGTERM, 143),
    "SIGHUP": (signal.SIGHUP, 129),
    "hangup": (None, 129),  # the terminal goes away (SSH link dropped): the kernel's SIGHUP
}


def test_signals_and_hangups_exit_cleanly(emulator: Emulator, tmp_path: Path) -> None:
    """Each way of being stopped, in parallel: a TUI per signal, and a CLI watch hung up."""
    apps: dict[str, PtyApp] = {}
    envs: dict[str, dict[str, str]] = {}
    try:
        for name in EXITS:
            envs[name] = cypkg_env(tmp_path / name)
            write_config(envs[name])
            apps[name] = PtyApp("--api-url", emulator.base_url, STARTED_SUCCESS_ID, env=envs[name])
        envs["cli"] = cypkg_env(tmp_path / "cli")
        apps["cli"] = PtyApp(
            "watch", STARTED_SUCCESS_ID, "--api-url", emulator.base_url, env=envs["cli"]
        )
        for name, app in apps.items():
            app.wait_for(b"started", b"amcache" if name != "cli" else b"started")
        # Polling is under way (and has written the recent list): now stop each one.
        for name, (signum, _) in EXITS.items():
            recent = Path(envs[name]["XDG_DATA_HOME"], "cypkg", "recent.json")
            app = apps[name]
            app.wait_for(b"live", timeout=30)
            assert recent.exists(), name
            if signum is None:
                # Drawing while the link drops: Textual's own driver then blocked for
                # good on its full output queue (see tui/ui/driver.py).
                app.press("2", "3", "4", "5", "1")
                app.hang_up()
            else:
                app.signal(signum)
        apps["cli"].hang_up()
        for name, (_, code) in EXITS.items():
            app = apps[name]
            crash = Path(envs[name]["XDG_STATE_HOME"], "cypkg", "crash.txt")
            # After a hangup the crash file is the only place an error's traceback is left.
            assert app.wait(label=name) == code, (name, crash.exists() and crash.read_text())
            if name != "hangup":  # after a hangup nothing can be read any more
                assert ends_restored(app.output), (name, app.output[-300:])
            assert b"Traceback" not in app.output, name
        assert apps["cli"].wait() == 129
    finally:
        for app in apps.values():
            app.close()
    for name, env in envs.items():
        # No half-written files: everything cypkg keeps parses, no temporary file is left.
        for directory in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
            root = Path(env[directory])
            leftovers = [p for p in root.rglob("*") if p.name.endswith(".tmp")]
            assert not leftovers, (name, leftovers)
            for path in root.rglob("*.json"):
                json.loads(path.read_text())
                assert path.stat().st_mode & 0o777 == 0o600, (name, path)
