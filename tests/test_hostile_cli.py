"""The hostile corpus through the CLI: get, list, watch and their --json, and error output.

Every case of :mod:`hostile` is served (by the emulator, byte for byte) in every string
field of a package; the bytes the CLI writes to stdout and stderr must hold none of
the planted sequences and no control character from the data, markup must stay
literal, and ``--json`` must decode to exactly what the server sent.
"""

from __future__ import annotations

import json
import ssl
from typing import Any

import hostile
import pytest

from tui import cli
from tui.api.retry import RetryPolicy
from tui.base.safe_text import inert
from tui.cli import watch as cli_watch
from tui.emulator import DEMO, Emulator

PLACES = ("get", "get --json", "watch", "watch --json", "list", "list --json", "stderr")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator, fake_clock: Any) -> Emulator:
    monkeypatch.setenv("CYPKG_API_URL", emulator.base_url)
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id)
    monkeypatch.setenv("CYPKG_APP_ID", DEMO.app_id)
    monkeypatch.setenv("CYPKG_APP_SECRET", DEMO.app_secret)
    fast = RetryPolicy(base_delay=0.001, max_delay=0.002, rate_limit_delay=0.01)
    monkeypatch.setattr("tui.api.client.RetryPolicy", lambda: fast)
    monkeypatch.setattr(cli_watch, "_sleep", fake_clock.advance)
    monkeypatch.setattr(cli_watch, "_monotonic", fake_clock)  # the scheduler's clock
    # Loading the CA store costs ~25 ms per client; the emulator speaks plain http anyway.
    context = ssl.create_default_context()
    monkeypatch.setattr("tui.api.client.tls_verification", lambda ca_bundle: context)
    return emulator


def serve(emu: Emulator, path: str, document: object, n: int = 1, status: int = 200) -> None:
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    emu.faults.body_next(n, body, status=status, path_prefix=path)


def run(capsysbinary: pytest.CaptureFixture[bytes], *argv: str) -> tuple[int, bytes, bytes]:
    code = cli.main(list(argv))
    out, err = capsysbinary.readouterr()
    return code, out, err


def check_stream(stream: bytes, where: str) -> None:
    assert not hostile.leaks(stream), (where, hostile.leaks(stream))
    assert not hostile.control_problems(stream), (where, hostile.control_problems(stream))
    assert b"Traceback" not in stream, where


@pytest.mark.parametrize(
    ("index", "case"), list(hostile.iter_cases()), ids=lambda v: getattr(v, "name", str(v))
)
def test_string_case_in_every_field(
    env: Emulator, capsysbinary: pytest.CaptureFixture[bytes], index: int, case: hostile.Case
) -> None:
    pid = hostile.case_id(index)
    path = f"/packages/v2/{pid}"
    package = hostile.hostile_package(case, pid)
    package["packageId"] = case.value or pid  # the top-level ID too (the URL uses the real one)

    serve(env, path, package)
    code, out, err = run(capsysbinary, "get", pid)
    assert code == 0, err
    check_stream(out + err, "get")
    if case.short and case.value.strip():
        assert ("N" + case.shown).encode() in out  # the name row, literally
    if case.tag:
        assert case.tag.encode() in out

    serve(env, path, package)
    code, out, err = run(capsysbinary, "get", pid, "--json")
    assert code == 0
    check_stream(out + err, "get --json")
    assert json.loads(out) == package  # exactly what the server sent

    started = {**package, "status": "started"}
    serve(env, path, started, n=2)
    serve(env, path, package)
    code, out, err = run(capsysbinary, "watch", pid, "--interval", "1")
    assert code == 0, err
    check_stream(out + err, "watch")
    assert out.count(b"\n") == 2 and b"success" in out.splitlines()[-1]

    serve(env, path, started)
    serve(env, path, {**package, "status": "failed"})
    code, out, err = run(capsysbinary, "watch", pid, "--json")
    assert code == 1
    check_stream(out + err, "watch --json")
    assert [json.loads(line) for line in out.splitlines()] == [
        started,
        {**package, "status": "failed"},
    ]

    # Error text quoting the server: a 404 and a 503 whose message is the case.
    serve(env, path, {"message": case.value}, status=404)
    code, out, err = run(capsysbinary, "get", pid)
    assert code == 4 and out == b""
    check_stream(err, "stderr 404")
    if case.short and case.value.strip():
        assert inert(case.value.strip(), limit=200).encode() in err
    serve(env, path, {"message": case.value}, n=4, status=503)
    code, out, err = run(capsysbinary, "get", pid)
    assert code == 6
    check_stream(err, "stderr 503")


def test_list_with_every_case(env: Emulator, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    items = []
    for index, case in hostile.iter_cases():
        item = hostile.hostile_package(case, hostile.case_id(index), keep_status=False)
        item["packageId"] = case.value
        items.append(item)
    page = {
        "page_number": 1,
        "page_size": 200,
        "total_pages": "\x1b]0;PWNED\x07",
        "total_number_of_items": len(items),
        "page_items": items,
    }
    serve(env, "/packages/v2", page)
    code, out, err = run(capsysbinary, "list", "--page-size", "200")
    assert code == 0, err
    check_stream(out + err, "list")
    assert out.count(b"\n") == len(items) + 2  # header, rows, footer
    assert b"[b]BOLDTAG" in out and "␛[31mREDTAG".encode() in out
    serve(env, "/packages/v2", page)
    code, out, err = run(capsysbinary, "list", "--page-size", "200", "--json")
    assert code == 0
    check_stream(out + err, "list --json")
    assert json.loads(out) == page


@pytest.mark.parametrize("name", sorted(hostile.VALUE_CASES))
def test_wrong_types_and_unknown_values(
    env: Emulator, capsysbinary: pytest.CaptureFixture[bytes], name: str
) -> None:
    pid = hostile.case_id(900)
    path = f"/packages/v2/{pid}"
    package = hostile.value_package(name, pid)
    for args in (("get", pid), ("get", pid, "--json")):
        serve(env, path, package)
        code, out, err = run(capsysbinary, *args)
        assert code == 0, err
        check_stream(out + err, " ".join(args))
    assert json.loads(out) == package
    serve(env, path, package, n=3)
    code, out, err = run(capsysbinary, "watch", pid)
    check_stream(out + err, "watch")
    # A status this version does not know keeps the watch going; the planned bodies run
    # out and the real package (not there: 404) ends it. Known final states end it first.
    assert code in (0, 1, 3, 4), err


@pytest.mark.parametrize("case", hostile.body_cases(hostile.case_id(901)), ids=lambda c: c.name)
def test_broken_bodies(
    env: Emulator, capsysbinary: pytest.CaptureFixture[bytes], case: hostile.BodyCase
) -> None:
    pid = hostile.case_id(901)
    path = f"/packages/v2/{pid}"
    env.faults.body_next(1, case.body, content_type=case.content_type, path_prefix=path)
    code, out, err = run(capsysbinary, "get", pid)
    check_stream(out + err, "get")
    if case.error is None:
        assert code == 0, err
    else:
        assert code == 6 and out == b""
        assert case.error.encode() in err, err
        assert err.count(b"\n") == 2  # the message and a hint, nothing else
    env.faults.body_next(1, case.body, content_type=case.content_type, path_prefix=path)
    code, out, err = run(capsysbinary, "get", pid, "--json")
    check_stream(out + err, "get --json")
    if case.error is None:
        assert json.loads(out) == json.loads(case.body.decode("utf-8"))


@pytest.mark.parametrize(
    ("status", "body", "content_type", "code"),
    [
        (502, b"<html><h1>Bad Gateway</h1>\x1b]0;PWNED\x07[b]x[/]</html>", "text/html", 6),
        (503, b"<html>maintenance \x1b[2J</html>", "text/html; charset=utf-8", 6),
        (404, b"Not Found \x1b]52;c;SEVDTA==\x07", "text/plain", 4),
        (401, b"\xff\xfe\x00<html>login</html>", "text/html", 5),
        (500, b'{"message": ' + b"[" * 100_000 + b"}", "application/json", 6),
        (403, b'{"message": {"nested": "\\u001b]0;PWNED\\u0007"}}', "application/json", 5),
    ],
)
def test_error_bodies_that_are_not_json(
    env: Emulator,
    capsysbinary: pytest.CaptureFixture[bytes],
    status: int,
    body: bytes,
    content_type: str,
    code: int,
) -> None:
    """A proxy's error page (or garbage) on an error status: named by its status, not quoted."""
    pid = hostile.case_id(902)
    env.faults.body_next(10, body, status=status, content_type=content_type)
    exit_code, out, err = run(capsysbinary, "get", pid)
    check_stream(out + err, f"HTTP {status}")
    assert exit_code == code and out == b""
    assert f"HTTP {status}".encode() in err or status in (401, 403)
    assert b"html" not in err.lower() and b"PWNED" not in err
