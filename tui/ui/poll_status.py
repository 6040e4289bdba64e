"""What the detail screen's status line says about its package's polling: live and the
next poll's time, paused, rate limited, retrying, stopped, final — and the banner when
what is shown is stale. A pure function of :class:`PollView`, so tests and the screen
agree on every case."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from textual.content import Content

from tui.api.errors import CypkgError
from tui.api.models import Package
from tui.base.safe_text import inert

if TYPE_CHECKING:
    from tui.polling.requests import Watch


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
    #: The first fetch failed and is being retried at once (the CLI's policy).
    retrying_first: bool = False


#: Seconds a poll is in flight before the status line says "fetching…".
SLOW_REQUEST = 1.0


def poll_view(
    watch: Watch | None,
    holder: str,
    *,
    package: Package | None,
    error: CypkgError | None,
    next_wall: float | None,
    updated: float | None,
    held: str | None,
    now: float,
) -> PollView:
    """What a view (``holder``) of ``watch`` shows; ``next_wall`` is None once polling
    stopped, ``now`` is the monotonic time (the watch's ``sent_at`` clock)."""
    in_flight = watch is not None and watch.in_flight
    sent = watch.sent_at if watch is not None else None
    return PollView(
        package=package,
        error=error,
        polling=next_wall is not None,
        in_flight=in_flight,
        # A request in flight for a tick or more: said (a quick one is not worth 2 repaints).
        slow=in_flight and sent is not None and now - sent >= SLOW_REQUEST,
        paused=watch is not None and holder in watch.pausers,
        held=held,
        updated=updated,
        next_time=clock_label(next_wall),
        stretched=watch.poll.stretched if watch is not None else None,
        retrying_first=watch is not None and watch.poll.retrying_first,
    )


def clock_label(wall: float | None) -> str:
    """A poll's local time to the second, rounded up ("14:05:10"); "—" for none."""
    if wall is None:
        return "—"
    stamp = datetime.fromtimestamp(math.ceil(wall), tz=timezone.utc)
    return f"{stamp.astimezone():%H:%M:%S}"


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
        elif view.retrying_first:
            status = Content.styled(f"⚠ {title} ·", "$text-warning")
            countdown = Content.styled("retrying…", "$text-warning")
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


#: The name keeps this many cells (its last one "…") while the poll status gives way.
MIN_NAME = 12
#: The countdown's widget is at least this wide ("next 14:05:10", "fetching…"), and has
#: one column of margin: the next poll's time does not move the line.
COUNTDOWN_WIDTH = 13
#: Between the name and the status word.
NAME_GAP = 2


@dataclass(frozen=True)
class TitleFit:
    """What the title row shows in a given width (see :func:`fit_title`)."""

    #: The name and the status word, the name cut with "…" (or gone) to fit.
    title: Content
    status: Content
    #: Empty when it gave way (the widget is then hidden).
    countdown: Content


def _row_width(title: Content, status: Content, countdown: Content) -> int:
    clock = max(countdown.cell_length, COUNTDOWN_WIDTH) + 1 if countdown.plain else 0
    return title.cell_length + status.cell_length + clock


def _titled(name: Content, word: Content) -> Content:
    if not word.plain:
        return name
    if not name.plain:
        return word
    return Content.assemble(name, " " * NAME_GAP, word)


def fit_title(
    width: int, name: Content, word: Content, status: Content, countdown: Content
) -> TitleFit:
    """The title row's parts, fitted into ``width`` cells.

    The status word (``✔ success``) always shows. What gives way, in order: the
    name (down to :data:`MIN_NAME` cells, ending in "…"), the countdown ("next
    14:05:10"), the poll status after its first part ("⏸ paused · updated … ·
    p resumes" keeps "⏸ paused"), the rest of the poll status, then the rest of the
    name. Only a width narrower than the word itself cuts the word.
    """
    width = max(width, 0)
    first = status.plain.find(" · ")
    head = status[:first] if first > 0 else status
    # Each step: (the name's floor, keep the countdown, the status shown).
    for floor, keep_clock, kept in (
        (MIN_NAME, True, status),
        (MIN_NAME, False, status),
        (MIN_NAME, False, head),
        (MIN_NAME, False, Content("")),
        (0, False, Content("")),
    ):
        clock = countdown if keep_clock else Content("")
        shown = kept
        if not keep_clock:
            shown = shown.rstrip(" ·")  # "● live ·" leads into the countdown
        if shown.plain and (word.plain or name.plain):
            shown = Content.assemble(" ", shown)
        room = width - _row_width(_titled(Content(""), word), shown, clock)
        if name.plain and word.plain:
            room -= NAME_GAP
        if room >= min(floor, name.cell_length):
            cut = name if room >= name.cell_length else name.truncate(room, ellipsis=True)
            if not cut.plain.strip("…"):
                cut = Content("")  # a lone "…" says nothing
            return TitleFit(_titled(cut, word), shown, clock)
    return TitleFit(word.truncate(width, ellipsis=True), Content(""), Content(""))
