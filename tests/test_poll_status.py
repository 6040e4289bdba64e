"""The detail screen's status line as a pure function of the watch's state."""

from __future__ import annotations

from dataclasses import replace

from tui.api.errors import NetworkError, NotFound
from tui.api.models import parse_package
from tui.ui.poll_status import PollView, status_texts

STARTED = parse_package({"packageId": "p", "status": "started", "packageDescriptor": {"name": "n"}})
DONE = parse_package({"packageId": "p", "status": "success", "packageDescriptor": {"name": "n"}})
LIVE = PollView(
    package=STARTED,
    error=None,
    polling=True,
    in_flight=False,
    slow=False,
    paused=False,
    held=None,
    updated=0.0,
    next_time="14:05:10",
    stretched=None,
)


def texts(view: PollView) -> tuple[str, str, str]:
    status, countdown, notice = status_texts(view)
    return status.plain, countdown.plain, notice.plain


def test_live_shows_the_next_polls_time_not_a_countdown() -> None:
    assert texts(LIVE) == ("● live ·", "next 14:05:10", "")
    assert texts(replace(LIVE, in_flight=True, slow=True))[1] == "fetching…"
    stretched = texts(replace(LIVE, stretched="interval stretched to 40s: daily budget"))
    assert stretched[2] == "⏳ interval stretched to 40s: daily budget"


def test_paused_held_and_final() -> None:
    assert texts(replace(LIVE, paused=True))[0].startswith("⏸ paused · updated ")
    held = "⏸ rate limited until 14:05"
    assert texts(replace(LIVE, held=held)) == (held, "", "")
    final = texts(replace(LIVE, package=DONE, polling=False))
    assert final[0].startswith("final · updated ") and final[1] == ""
    assert texts(replace(LIVE, package=None)) == ("", "fetching…", "")


def test_errors_keep_the_last_data_marked_stale() -> None:
    retrying = texts(replace(LIVE, error=NetworkError("link down")))
    assert retrying[1] == "retrying at 14:05:10"
    assert retrying[2].startswith("⚠ STALE Showing data from ") and "link down" in retrying[2]
    stopped = texts(replace(LIVE, error=NotFound("gone"), polling=False))
    assert stopped[0].startswith("✘ stopped: ") and stopped[0].endswith("· r retries")
    assert stopped[2].endswith("Polling stopped; r tries again.")
    # No data yet: the error panel names the error, the line stays short.
    assert texts(replace(LIVE, package=None, error=NotFound("gone"), polling=False))[0] == (
        "✘ stopped · r retries"
    )
