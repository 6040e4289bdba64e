"""The watchlist and the recent list never lose an entry (issue 10, point 9).

* A file over the limits (entries or bytes) is kept as it is, byte for byte;
  the store says what it shows and why, and refuses what it could not keep.
* Two cypkgs using the same data dir (two tmux panes) merge: an add in one and
  an add in the other both survive, and a removal in one is not undone by the
  other. Checked in-process for the merge logic, and with real processes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.polling.recent import RecentStore
from tui.polling.watchlist import MAX_WATCHED, WatchlistStore

ROOT = Path(__file__).resolve().parent.parent
PIDS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1200)]
X, Y, Z = PIDS[1001], PIDS[1002], PIDS[1003]


def document(pids: list[str], **extra: object) -> str:
    return json.dumps({"version": 1, "entries": [{"package_id": p, **extra} for p in pids]})


def ids_in(path: Path) -> list[str]:
    return [e["package_id"] for e in json.loads(path.read_text())["entries"]]


# --------------------------------------------------------------------------- limits


def test_a_watchlist_over_the_entry_limit_is_kept_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    path.write_text(document(PIDS[:1000], name="n", status="started"))
    before = path.read_bytes()
    store = WatchlistStore(path)
    assert store.ids() == PIDS[:MAX_WATCHED]
    assert store.notice is not None and store.notice.startswith(
        "watchlist.json holds 1,000 packages; showing the first 200 — the file is kept as it is"
    )
    assert store.add(X) == "refused"
    assert not store.remove(PIDS[0])
    assert store.update(PIDS[0], name="seen", status="success")  # in memory, for the screen
    store.save()
    assert path.read_bytes() == before  # all 1,000 still there, untouched
    assert not list(tmp_path.glob("*.corrupt")) and not list(tmp_path.glob("*.bak"))


def test_an_oversize_watchlist_is_kept_as_it_is_and_said_so(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    path.write_text(document(PIDS[:10], name="x" * 200) + " " * (11 * 1024 * 1024))
    before = path.read_bytes()
    store = WatchlistStore(path)
    assert store.ids() == []
    assert store.notice is not None
    assert f"{path} is 11 MB" in store.notice and "kept as it is" in store.notice
    assert store.add(X) == "refused"
    store.save()
    assert path.read_bytes() == before


def test_a_recent_list_over_the_limit_is_kept_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    path.write_text(document(PIDS[:25]))
    before = path.read_bytes()
    store = RecentStore(path)
    assert store.ids() == PIDS[:20]
    assert store.notice is not None and "recent.json holds 25 packages" in store.notice
    assert store.record(X)  # shown this session, not written
    assert store.ids()[0] == X
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- merging


def test_adds_in_two_stores_both_survive(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    path.write_text(document([PIDS[0]]))
    a, b = WatchlistStore(path), WatchlistStore(path)
    assert a.add(X) == "added" and b.add(Y) == "added"
    a.save()
    b.save()
    assert ids_in(path) == [PIDS[0], X, Y]
    assert a.ids() == [PIDS[0], X]  # each shows its own list until it starts again


def test_a_removal_in_one_store_is_not_undone_by_the_other(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    path.write_text(document([X, Y]))
    a, b = WatchlistStore(path), WatchlistStore(path)
    assert a.remove(X)
    a.save()
    assert b.update(X, name="late reply", status="success")  # b still polls it
    assert b.add(Z) == "added"
    b.save()
    assert ids_in(path) == [Y, Z]


def test_recent_lists_merge_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    path.write_text(document([X, Y]))
    a, b = RecentStore(path), RecentStore(path)
    assert a.forget(X)
    assert b.record(Z)
    assert b.record(X, status="success", move_to_front=False)  # an update, not an opening
    assert ids_in(path) == [Z, Y]
    assert a.record(PIDS[5])
    assert ids_in(path) == [PIDS[5], Z, Y]


def test_a_failed_save_keeps_the_change_for_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "watchlist.json"
    store = WatchlistStore(path)
    store.add(X)
    from tui.base import files

    real = files.PrivateDir.write_atomic

    def full(self: files.PrivateDir, name: str, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.PrivateDir, "write_atomic", full)
    store.save()
    assert store.notice is not None and "No space left on device" in store.notice
    monkeypatch.setattr(files.PrivateDir, "write_atomic", real)
    store.save()
    assert ids_in(path) == [X] and store.notice is None


# --------------------------------------------------------------------------- two processes

_WORKER = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from tui.polling.recent import RecentStore
from tui.polling.watchlist import WatchlistStore
which, path, ready, go, adds, removes = sys.argv[1:]
store = WatchlistStore(Path(path)) if which == "watchlist" else RecentStore(Path(path))
Path(ready).touch()  # read the file: now wait until the other one has read it too
deadline = time.monotonic() + 30
while not Path(go).exists():
    if time.monotonic() > deadline:
        sys.exit(3)
    time.sleep(0.005)
for pid in filter(None, removes.split(",")):
    if which == "watchlist":
        assert store.remove(pid)
        store.save()
    else:
        assert store.forget(pid)
for pid in filter(None, adds.split(",")):
    if which == "watchlist":
        assert store.add(pid) == "added"
        store.save()  # a save per add: the two processes race for the file all along
    else:
        assert store.record(pid)
"""


def start(
    tmp_path: Path, which: str, name: str, adds: list[str], removes: list[str]
) -> tuple[subprocess.Popen[bytes], Path, Path]:
    ready, go = tmp_path / f"{name}.ready", tmp_path / f"{name}.go"
    script = _WORKER.format(root=str(ROOT))
    path = tmp_path / f"{which}.json"
    argv = [sys.executable, "-c", script, which, str(path), str(ready), str(go)]
    process = subprocess.Popen([*argv, ",".join(adds), ",".join(removes)])
    return process, ready, go


def wait_for(*paths: Path) -> None:
    deadline = time.monotonic() + 30
    while not all(p.exists() for p in paths):
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.01)


@pytest.mark.parametrize(("which", "count"), [("watchlist", 40), ("recent", 6)])
def test_two_processes_adding_at_once_keep_every_add(
    tmp_path: Path, which: str, count: int
) -> None:
    path = tmp_path / f"{which}.json"
    path.write_text(document([PIDS[0]]))
    mine, theirs = PIDS[100 : 100 + count], PIDS[200 : 200 + count]
    a, ready_a, go_a = start(tmp_path, which, "a", mine, [])
    b, ready_b, go_b = start(tmp_path, which, "b", theirs, [])
    wait_for(ready_a, ready_b)  # both loaded the same file
    go_a.touch()
    go_b.touch()
    assert a.wait(timeout=60) == 0 and b.wait(timeout=60) == 0
    assert sorted(ids_in(path)) == sorted([PIDS[0], *mine, *theirs])


def test_a_removal_in_one_process_is_not_undone_by_another(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    path.write_text(document([X, Y]))
    a, ready_a, go_a = start(tmp_path, "watchlist", "a", [], [X])
    b, ready_b, go_b = start(tmp_path, "watchlist", "b", [Z], [])
    wait_for(ready_a, ready_b)
    go_a.touch()
    assert a.wait(timeout=60) == 0
    go_b.touch()  # b loaded X before a removed it, then adds Z
    assert b.wait(timeout=60) == 0
    assert ids_in(path) == [Y, Z]
