"""The recent-packages list: order, bounds, persistence, and tolerance of bad files."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from tui.polling.recent import MAX_ENTRIES, RecentStore, default_path, load_entries

A = "e378dacb-9324-453a-b8c6-5a8406952195"
B = "5b0c7a1e-3f2d-4e8a-9c61-7d2e4f8a1b30"


def test_most_recent_first_and_deduplicated(tmp_path: Path) -> None:
    store = RecentStore(tmp_path / "recent.json")
    store.record(A)
    store.record(B)
    store.record(A.upper())
    assert store.ids() == [A, B]


def test_update_keeps_order_and_merges_fields(tmp_path: Path) -> None:
    store = RecentStore(tmp_path / "recent.json")
    store.record(A, name="first")
    store.record(B)
    assert store.record(A, status="started", move_to_front=False)
    assert store.ids() == [B, A]
    entry = store.get(A)
    assert entry is not None and (entry.name, entry.status) == ("first", "started")
    # Nothing new: no write.
    assert not store.record(A, status="started", move_to_front=False)


def test_bounded(tmp_path: Path) -> None:
    store = RecentStore(tmp_path / "recent.json")
    ids = [f"{n:08x}-0000-4000-8000-000000000000" for n in range(MAX_ENTRIES + 5)]
    for package_id in ids:
        store.record(package_id)
    assert len(store.entries) == MAX_ENTRIES
    assert store.ids()[0] == ids[-1]


def test_persisted_private_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "data" / "recent.json"
    store = RecentStore(path)
    store.record(A, name="collect_triage", status="success")
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = RecentStore(path)
    assert again.entries[0].name == "collect_triage"
    assert again.entries[0].status == "success"


def test_invalid_ids_are_not_recorded(tmp_path: Path) -> None:
    store = RecentStore(tmp_path / "recent.json")
    assert not store.record("not-an-id")
    assert store.ids() == []


def test_forget(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    store = RecentStore(path)
    store.record(A)
    store.record(B)
    assert store.forget(A)
    assert not store.forget(A)
    assert RecentStore(path).ids() == [B]


def test_corrupt_files_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    for content in (b"{not json", b"[]", b'{"entries": 5}', b"\xff\xfe", b""):
        path.write_bytes(content)
        assert load_entries(path) == []
        store = RecentStore(path)
        assert store.entries == []
        store.record(A)  # and a corrupt file is simply replaced
        assert RecentStore(path).ids() == [A]


def test_bad_rows_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    path.write_text(
        json.dumps(
            {
                "entries": [
                    {"package_id": "nope"},
                    {"package_id": A, "name": 7, "status": ["x"], "seen_at": "soon"},
                    "string",
                    {"package_id": A},
                    {"package_id": B, "name": "x" * 10_000},
                ]
            }
        )
    )
    entries = load_entries(path)
    assert [e.package_id for e in entries] == [A, B]
    assert entries[0].name is None and entries[0].status is None
    assert len(entries[1].name or "") == 200


def test_missing_directory_and_read_only(tmp_path: Path) -> None:
    assert load_entries(tmp_path / "nowhere" / "recent.json") == []
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = RecentStore(blocker / "recent.json")  # parent is a file: writes fail quietly
    store.record(A)
    assert store.ids() == [A]


def test_memory_only(tmp_path: Path) -> None:
    store = RecentStore(None)
    store.record(A)
    assert store.ids() == [A]
    assert list(tmp_path.iterdir()) == []


def test_default_path_under_data_dir(isolated_env: Path) -> None:
    assert str(default_path()).startswith(str(isolated_env))
    assert default_path().name == "recent.json"
