"""Packaging metadata and the top-level --help (issue 12, item 8)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tui import cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # the standard library reads TOML only from 3.11 on
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_help_lists_no_hidden_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "SUPPRESS" not in out
    # The hidden `tui` command is not listed, the real ones are.
    listed = re.findall(r"^    (\w+) ", out, flags=re.MULTILINE)
    assert listed == ["get", "watch", "list", "create", "download", "config", "emulator"]


def test_hidden_tui_command_still_works() -> None:
    args = cli.build_parser().parse_args(["tui", "--theme", "nord"])
    assert args.command == "tui" and args.theme == "nord"


def test_classifiers_say_console_and_the_supported_pythons() -> None:
    project = pyproject()["project"]
    classifiers: list[str] = project["classifiers"]
    # Textual draws with its own driver, not curses.
    assert "Environment :: Console" in classifiers
    assert not [c for c in classifiers if "Curses" in c]
    minimum = re.fullmatch(r">=3\.(\d+)", project["requires-python"])
    assert minimum is not None
    minors = sorted(
        int(c.rsplit(".", 1)[1])
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    )
    # One classifier per minor version from requires-python's on, without gaps.
    assert minors and minors[0] == int(minimum.group(1))
    assert minors == list(range(minors[0], minors[-1] + 1))
    assert "Programming Language :: Python :: 3 :: Only" in classifiers


def test_license_in_the_pep_639_form() -> None:
    document = pyproject()
    project = document["project"]
    assert project["license"] == "MIT"  # an SPDX expression, not a table
    assert [p for p in project["license-files"] if list(ROOT.glob(p))] == project["license-files"]
    # PEP 639 deprecates the license classifiers; setuptools refuses both together.
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    # setuptools reads the PEP 639 form from 77.0.3 on.
    (setuptools,) = [r for r in document["build-system"]["requires"] if r.startswith("setuptools")]
    found = re.fullmatch(r"setuptools>=(\d+)\.?(\d*)\.?(\d*)", setuptools)
    assert found is not None
    assert tuple(int(part or 0) for part in found.groups()) >= (77, 0, 3)
