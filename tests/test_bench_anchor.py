"""The benchmarks' idle-output anchor: the real procps ``watch -n 5 curl …`` (issue 11).

Finding (and if allowed installing) the two programs, saying "anchor not
available" instead of failing when they cannot be had, and running the real
thing in a pty without the bearer token on its command line.
"""

from __future__ import annotations

import shutil
import stat
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is not installed: it lives beside tests/
    sys.path.insert(0, str(ROOT))

from benchmarks import anchor  # noqa: E402
from benchmarks.bench_idle import Usage, anchor_bytes, anchor_cpu  # noqa: E402


class FakeSystem:
    """``which`` over a set of installed programs; ``run`` records argv, apt-get installs."""

    def __init__(self, installed: set[str], *, apt_works: bool = True) -> None:
        self.installed = set(installed)
        self.apt_works = apt_works
        self.runs: list[list[str]] = []

    def which(self, name: str) -> str | None:
        return f"/usr/bin/{name}" if name in self.installed else None

    def run(self, argv: Sequence[str], timeout: float) -> bool:
        assert timeout <= anchor.INSTALL_TIMEOUT
        self.runs.append(list(argv))
        if self.apt_works and argv[1] == "install":
            self.installed |= {"watch", "curl"}
            return True
        return False


def test_present_tools_are_used_as_they_are() -> None:
    system = FakeSystem({"watch", "curl", "apt-get"})
    found = anchor.find_tools(install=True, which=system.which, run=system.run, is_root=True)
    assert found == anchor.Tools("/usr/bin/watch", "/usr/bin/curl")
    assert system.runs == []


def test_missing_watch_is_installed_as_root_with_apt_get() -> None:
    system = FakeSystem({"curl", "apt-get"})
    found = anchor.find_tools(install=True, which=system.which, run=system.run, is_root=True)
    assert found == anchor.Tools("/usr/bin/watch", "/usr/bin/curl")
    assert system.runs == [["/usr/bin/apt-get", "install", "-y", "-q", "procps", "curl"]]


def test_a_failed_install_is_retried_once_after_apt_get_update() -> None:
    system = FakeSystem({"apt-get"}, apt_works=False)
    found = anchor.find_tools(install=True, which=system.which, run=system.run, is_root=True)
    assert isinstance(found, str) and found.startswith(anchor.NOT_AVAILABLE)
    assert "`watch` and `curl`" in found
    assert [argv[1] for argv in system.runs] == ["install", "update", "install"]


@pytest.mark.parametrize(
    ("installed", "root", "install", "why"),
    [
        ({"curl", "apt-get"}, False, True, "not root"),
        ({"curl"}, True, True, "no apt-get"),
        ({"curl", "apt-get"}, True, False, "not installed in this mode"),
    ],
)
def test_without_a_way_to_install_the_anchor_is_not_available(
    installed: set[str], root: bool, install: bool, why: str
) -> None:
    system = FakeSystem(installed)
    found = anchor.find_tools(install=install, which=system.which, run=system.run, is_root=root)
    assert found == f"{anchor.NOT_AVAILABLE}: `watch` not found" + (
        " (not installed in this mode)" if not install else f" and not installed ({why})"
    )
    assert system.runs == []


def test_figures_say_anchor_not_available_instead_of_a_number() -> None:
    why = f"{anchor.NOT_AVAILABLE}: `watch` not found and not installed (not root)"
    for fields in (anchor_bytes(None, why, "60 s window"), anchor_cpu(None, why)):
        assert fields["baseline"] is None
        assert fields["baseline_text"] == anchor.NOT_AVAILABLE
        assert fields["baseline_label"] == why


def test_figures_name_the_real_command() -> None:
    tools = anchor.Tools("/usr/bin/watch", "/usr/bin/curl")
    usage = Usage(3.3, 0.1, 198, {1: 100, 24: 98})
    fields = anchor_bytes(usage, tools, "60 s window")
    assert fields["baseline"] == 3.3 and fields["baseline_text"] is None
    assert "watch -n 5 curl -s -H 'Authorization: Bearer …' URL" in fields["baseline_label"]
    assert "198 bytes in the 60 s window" in fields["baseline_label"]


@pytest.mark.skipif(
    sys.platform != "linux" or not (shutil.which("watch") and shutil.which("curl")),
    reason="needs a pty, procps watch and curl",
)
def test_the_real_watch_polls_with_the_token_only_in_a_private_file(tmp_path: Path) -> None:
    from benchmarks.core import TINY
    from benchmarks.workspace import Workspace

    with Workspace(TINY) as ws:
        package_id = ws.add_package("anchor_probe", status="started", timeout=600)
        token = ws.access_token()
        tools = anchor.find_tools(install=False)
        assert isinstance(tools, anchor.Tools)
        home = ws.new_home("anchor")
        app = anchor.start(tools, home, ws.env(home), ws.base_url, token, package_id)
        try:
            assert token not in " ".join(app.argv)
            assert app.argv[:3] == [tools.watch, "-n", "5"]
            header = home / "auth-header"
            assert stat.S_IMODE(header.stat().st_mode) == 0o600
            # The probe notes a request once its answer is written: curl may show the
            # answer a moment before that.
            deadline = time.monotonic() + 10
            while not ws.probe.served(method="GET", path_prefix=anchor.PACKAGES + package_id):
                assert time.monotonic() < deadline, "the anchor's GET never reached the emulator"
                time.sleep(0.05)
        finally:
            app.terminate()
            app.close()
        assert token.encode() not in app.output()
