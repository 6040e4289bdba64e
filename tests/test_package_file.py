"""One default file name rule (CLI and TUI): a name from the server never escapes the
chosen directory, never hides, never names a device or a download's ``.part`` file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.api.models import Package, parse_package
from tui.api.package_file import default_file_name, no_file_reason

PACKAGE_ID = "e378dacb-9324-453a-b8c6-5a8406952195"
FALLBACK = f"{PACKAGE_ID}.zip"


def package(file_name: object, status: str = "success") -> Package:
    info = {"fileName": file_name, "fileType": "python", "entryPoint": "main.py"}
    return parse_package(
        {
            "packageId": PACKAGE_ID,
            "status": status,
            "packageDescriptor": {"name": "x", "packageInfo": info},
        }
    )


@pytest.mark.parametrize(
    "name", ["collect_triage.zip", "a", "Tool v2.1+fix.tar.gz", "x-1_2 3.zip", "a" * 201]
)
def test_a_plain_name_is_kept(name: str) -> None:
    assert default_file_name(package(name), PACKAGE_ID) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        None,
        ".",
        "..",
        "../evil.zip",
        "../../etc/passwd",
        "a/../../b.zip",
        "/etc/passwd",
        "dir/file.zip",
        "dir\\file.zip",
        "C:\\Windows\\evil.zip",
        "C:evil.zip",
        ".bashrc",
        ".hidden.zip",
        "-rf",
        " leading-space.zip",
        "trailing.",
        "trailing ",
        "ok\x00.zip",
        "ok\n.zip",
        "ok\x1b[31m.zip",
        "ok\u202egpj.exe",
        "ok\t.zip",
        "a" * 202,
        "a" * 10_000,
        "f.zip.part",
        "f.zip.1a2b3c4d.part",
        "NUL",
        "nul.zip",
        "CON.txt",
        "com1",
        "LPT9.zip",
        "триаж.zip",
    ],
)
def test_a_hostile_name_falls_back_to_the_id(name: object) -> None:
    assert default_file_name(package(name), PACKAGE_ID) == FALLBACK


def test_a_hostile_id_falls_back_too() -> None:
    assert default_file_name(package(None), "../x") == "package.zip"


@given(st.text(max_size=300))
def test_never_escapes_the_directory(name: str) -> None:
    chosen = default_file_name(package(name), PACKAGE_ID)
    base = Path("/downloads")
    assert (base / chosen).parent == base
    assert (base / chosen).resolve().parent == base.resolve()
    assert not chosen.startswith(".") and chosen.isprintable() and len(chosen) <= 201
    assert chosen in (name, FALLBACK)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("success", ""),
        ("started", "its upload has not finished"),
        ("failed", "its upload failed"),
        ("timeout", "its upload timed out"),
        ("something-new", ""),  # not known to lack a file: storage will say
    ],
)
def test_no_file_reason(status: str, reason: str) -> None:
    assert no_file_reason(package("a.zip", status)) == reason
