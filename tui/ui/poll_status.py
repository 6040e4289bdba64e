"""What the detail screen's status line says about its package's polling: live and the
next poll's time, paused, rate limited, retrying, stopped, final — and the banner when
what is shown is stale. A pure function of :class:`PollView`, so tests and the screen
agree on every case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from textual.content import Content

from tui.api.errors import CypkgError
from tui.api.models import Package
from tui.base.safe_text import inert


@dataclass(frozen=True)
class PollView:
    """The state of a package's watch as the screen shows it."""

    package: Package | None
    error: CypkgError | None
    #: Polling goes on (a next poll is due); False once it stopped.
    polling: bool
    in_flight: bool
    #: The request in flight has taken a second or more.
    slow: bool
    paused: bool
    #: "⏸ rate limited until 14:05" while a 429 holds every poll, else None.
    held: str | None
    #: Epoch seconds of the last answer, None before one.
    updated: float | None
    #: The next poll's local time ("14:05:10"), or "—".
    next_time: str
    #: Why the daily budget stretches the interval, None when it does not.
    stretched: str | None


def status_texts(view: PollView) -> tuple[Content, Content, Content]:
    """The top-right status, its countdown and the banner under the title.

    The next poll is a time ("next 14:05:10"), not a countdown: it changes
    once a poll, not every second (bytes on the terminal follow the data).
    It is a widget of its own, and a repaint starts at its widget's left
    edge, so the rest of the status line is not rewritten with it.
    """
    updated = ""
    if view.updated is not None:
        stamp = datetime.fromtimestamp(view.updated, tz=timezone.utc).astimezone()
        updated = f"updated {stamp:%H:%M:%S}"
    waiting = view.next_time
    error = view.error
    none = Content("")
    held = view.held
    if error is not None:
        title = inert(error.title, limit=40)
        if not view.polling:
            # Without data the error panel names the error; keep the line short.
            what = f": {title}" if view.package is not None else ""
            status = Content.styled(f"✘ stopped{what} · r retries", "$text-error")
            countdown = none
        elif view.in_flight:
            status = Content.styled("⚠", "$text-warning")
            countdown = Content.styled("retrying now…", "$text-warning")
        elif held is not None:
            status, countdown = Content.styled(held, "$text-warning"), none
        else:
            status = Content.styled(f"⚠ {title} ·", "$text-warning")
            countdown = Content.styled(f"retrying at {waiting}", "$text-warning")
        notice = none
        if view.package is not None:
            since = f" from {updated.removeprefix('updated ')}" if updated else ""
            notice = Content.assemble(
                ("⚠ STALE", "bold reverse"),
                f" Showing data{since}. {title}: ",
                inert(str(error), limit=300),
                "" if view.polling else "  Polling stopped; r tries again.",
            )
        return status, countdown, notice
    if view.package is None:  # no answer yet: the first request is on its way
        return none, Content("fetching…"), none
    if not view.package.status.is_terminal and view.polling:
        if view.paused and not view.in_flight:
            paused = Content.assemble(("⏸ paused", "bold"), f" · {updated} · p resumes")
            return paused, none, none
        if held is not None:  # short: at 80 columns the title keeps its room
            return Content.styled(held, "$text-warning"), none, none
        # No "updated" while live: it would change every poll, and "next" already
        # moves on only when a poll was answered (a slow one shows "fetching…").
        live = Content.assemble(("● live", "$text-accent bold"), " ·")
        countdown = Content("fetching…" if view.slow else f"next {waiting}")
        stretched = view.stretched
        return live, countdown, Content(f"⏳ {stretched}") if stretched else none
    final = "final · " if view.package.status.is_terminal else ""
    tail = Content("· fetching…") if view.in_flight else none
    return Content(f"{final}{updated}"), tail, none
