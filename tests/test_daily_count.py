"""Today's request count: one small file shared by every cypkg of the user, per tenant and day."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui.base.files import PrivateDir
from tui.emulator.testing import FakeClock
from tui.polling.daily_count import DailyCounter, count_today

TENANT = "1b9a2c3d-0000-4000-8000-00000000abcd"
OTHER = "2b9a2c3d-0000-4000-8000-00000000abcd"
MIDNIGHT = 1_764_374_400.0  # 2025-11-29 00:00:00 UTC


def counter(path: Path, wall: FakeClock, mono: FakeClock, tenant: str = TENANT) -> DailyCounter:
    return DailyCounter(path, tenant, 10_000, clock=wall, monotonic=mono)


def document(path: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(path.read_text())
    return loaded


def test_counts_add_up_and_the_file_is_written_every_few_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state" / "cypkg" / "requests.json"
    wall, mono = FakeClock(MIDNIGHT + 3600), FakeClock(100.0)
    writes: list[str] = []
    original = PrivateDir.write_atomic

    def spy(self: PrivateDir, name: str, data: bytes) -> None:
        writes.append(name)
        original(self, name, data)

    monkeypatch.setattr(PrivateDir, "write_atomic", spy)
    one, two = counter(path, wall, mono), counter(path, wall, mono)
    for _ in range(50):
        one.add()  # the first one syncs at once, the other 49 wait in memory
    assert len(writes) == 1 and one.used_today() == 50
    two.add()  # learns one's first request at its first sync
    assert two.used_today() == 2 and len(writes) == 2
    mono.now += 5.0  # a few seconds later: the next request syncs
    one.add()
    assert len(writes) == 3
    assert one.used_today() == 52  # its 51 and two's 1
    one.close()
    two.close()
    assert document(path) == {"version": 1, "day": "2025-11-29", "requests": {TENANT: 52}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert count_today(path, TENANT.upper(), wall()) == 52
    assert count_today(path, OTHER, wall()) == 0


def test_day_rolls_over_at_utc_midnight(tmp_path: Path) -> None:
    path = tmp_path / "requests.json"
    wall, mono = FakeClock(MIDNIGHT - 2.0), FakeClock(0.0)
    late = counter(path, wall, mono)
    other = counter(path, wall, mono, tenant=OTHER)
    for _ in range(7):
        late.add()
    other.add()
    late.close()
    assert document(path)["requests"] == {TENANT: 7, OTHER: 1}
    late.budget = 7
    used_up = late.pace(1.0)  # the next poll is after midnight
    assert used_up.interval == 3.0 and str(used_up.reason).endswith("daily budget used up")
    wall.now = MIDNIGHT + 1.0  # 00:00:01 UTC: a new day, a new count
    assert late.used_today() == 0
    assert not str(late.pace(1.0).reason).endswith("used up")
    late.add()
    late.sync()
    assert document(path) == {"version": 1, "day": "2025-11-29", "requests": {TENANT: 1}}
    assert count_today(path, OTHER, wall()) == 0  # yesterday's counts are gone


def test_a_link_in_place_of_the_file_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    path = tmp_path / "requests.json"
    path.symlink_to(target)
    wall, mono = FakeClock(MIDNIGHT), FakeClock(0.0)
    daily = counter(path, wall, mono)
    for _ in range(3):
        daily.add()
    daily.close()
    assert daily.used_today() == 3  # still counted, in memory
    assert daily.read_only and daily.notice is not None and "symbolic link" in daily.notice
    assert target.read_text() == "{}" and path.is_symlink()


def test_a_damaged_file_counts_as_none_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "requests.json"
    path.write_text("not json")
    daily = counter(path, FakeClock(MIDNIGHT), FakeClock(0.0))
    daily.add()
    assert document(path)["requests"] == {TENANT: 1}


WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tui.polling.daily_count import DailyCounter

    path, tenant = Path(sys.argv[1]), sys.argv[2]
    # Sync at every request for a while (many lock/read/add/write rounds that can
    # interleave with the other process), then count many in memory and add them at exit.
    eager = DailyCounter(path, tenant, 10_000, flush_every=0.0)
    for _ in range(40):
        eager.add()
    lazy = DailyCounter(path, tenant, 10_000, flush_every=3600.0)
    for _ in range(1000):
        lazy.add()
    lazy.close()
    print("ok")
    """
)


def test_two_processes_both_counts_survive(tmp_path: Path) -> None:
    path = tmp_path / "state" / "requests.json"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), TENANT],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and out.strip() == b"ok", err
    requests = document(path)["requests"]
    assert requests == {TENANT: 2 * (40 + 1000)}
