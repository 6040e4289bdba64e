"""Run blocking client calls in daemon threads, so quitting never waits for the network.

``asyncio.to_thread`` and Textual's thread workers use the loop's default
executor, which is joined when the app's event loop closes: a request stuck
on a stalled link would hold ``ctrl+q`` until its read timeout (30 s). A
daemon thread is simply abandoned at exit; the client call inside it never
raises into the app (callers pass functions that return their errors).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from tui.api.errors import CypkgError
from tui.base.safe_text import inert

if TYPE_CHECKING:
    from tui.api.models import Package, PackagePage
    from tui.polling.requests import ListRequest
    from tui.ui.app import CypkgApp

T = TypeVar("T")


class InternalError(CypkgError):
    """Anything the client raised that is not in the taxonomy: shown, never a traceback."""

    title = "Unexpected error"
    hint = "This is a bug in cypkg; press r to try again, and please report it."


def returning_errors(call: Callable[[], T]) -> T | CypkgError:
    """``call()``, its errors returned rather than raised (for a thread nobody joins)."""
    try:
        return call()
    except CypkgError as exc:
        return exc
    except Exception as exc:
        return InternalError(f"{type(exc).__name__}: {inert(str(exc), limit=300)}")


_sent = threading.local()


def note_request() -> None:
    """The client sent a request from this thread (its ``on_request`` hook calls this)."""
    _sent.count = getattr(_sent, "count", 0) + 1


def counted(call: Callable[[], T]) -> tuple[T, int]:
    """``call()`` and the requests it sent from this thread (a sign-in on the way counts).

    Each request runs in a thread of its own, so the count is that request's.
    """
    _sent.count = 0
    result = call()
    return result, getattr(_sent, "count", 0)


def fetch_package(app: CypkgApp, package_id: str) -> Package | CypkgError:
    """Run in a thread: one GET through the app's shared client (built if needed)."""
    return returning_errors(lambda: app.client.get_package(package_id))


def fetch_started_page(app: CypkgApp, request: ListRequest) -> PackagePage | CypkgError:
    """Run in a thread: one page of the started packages, through the app's shared client."""

    def call() -> PackagePage | CypkgError:
        client = app.client
        lister = getattr(client, "list_packages", None)
        if lister is None:  # a client that cannot list: the watchlist polls each package
            return InternalError("This API client cannot list packages.")
        page: PackagePage = lister(request.page, request.page_size, None, request.filters)
        return page

    return returning_errors(call)


async def in_daemon_thread(fn: Callable[[], T], *, name: str = "cypkg-request") -> T:
    """Await ``fn()`` run in a new daemon thread."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def target() -> None:
        try:
            result = fn()
        except BaseException as exc:  # handed to the awaiting coroutine
            error = exc
            _post(loop, lambda: deliver(lambda: future.set_exception(error)))
        else:
            _post(loop, lambda: deliver(lambda: future.set_result(result)))

    threading.Thread(target=target, name=name, daemon=True).start()
    return await future


def start_in_daemon_thread(
    fn: Callable[[], T], *, name: str = "cypkg-request"
) -> concurrent.futures.Future[T]:
    """Start ``fn()`` in a new daemon thread now; await it later with ``asyncio.wrap_future``."""
    future: concurrent.futures.Future[T] = concurrent.futures.Future()

    def target() -> None:
        try:
            future.set_result(fn())
        except BaseException as exc:  # handed to whoever awaits the future
            future.set_exception(exc)

    threading.Thread(target=target, name=name, daemon=True).start()
    return future


def _post(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    # A closed loop means the app is gone and nobody is waiting.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback)
