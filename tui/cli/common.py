"""What the CLI's commands share: exit codes, secrets masked on stderr, signals,
the profile and client of a command, and safe output."""

from __future__ import annotations

import argparse
import contextlib
import gc
import signal
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from tui.api.client import CylanceClient
    from tui.api.errors import ApiError
    from tui.api.retry import RetryPolicy
    from tui.config import Profile, Secret
    from tui.polling.clients import Demo
    from tui.polling.daily_count import DailyCounter


EXIT_OK = 0


EXIT_FAILED = 1


EXIT_USAGE = 2


EXIT_TIMEOUT = 3


EXIT_NOT_FOUND = 4


EXIT_AUTH = 5


EXIT_NETWORK = 6


EXIT_INTERNAL = 70


EXIT_INTERRUPTED = 130


#: `cypkg watch` gives a package up after this long without a successful answer.
DEFAULT_GIVE_UP_AFTER = 300.0


class _MaskedStderr:
    """stderr as the scripted commands write to it, with the profile's secrets masked.

    Every line goes through here, whoever writes it (errors, warnings, retry notes):
    a message may quote a setting the secret was pasted into (a CA bundle path, a
    base URL). Secrets are added once the profile is known (:func:`_mask_on_stderr`).
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.secrets: list[Secret] = []

    def write(self, text: str) -> int:
        for secret in self.secrets:
            text = secret.mask(text)
        self.stream.write(text)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextlib.contextmanager
def _secrets_masked_on_stderr(command: str) -> Iterator[None]:
    # Not for the TUI (it owns the terminal) or the emulator (it has no secret to hide).
    if command in ("tui", "emulator"):
        yield
        return
    with contextlib.redirect_stderr(_MaskedStderr(sys.stderr)):
        yield


def _mask_on_stderr(*secrets: Secret) -> None:
    if isinstance(sys.stderr, _MaskedStderr):
        sys.stderr.secrets.extend(secret for secret in secrets if secret)


class _Signalled(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: Signals the handler saw. The exception it raises can be lost (a handler run while a
#: finalizer's code runs has its exception ignored): the watch loop's sleeps look here
#: too, so a SIGTERM or SIGHUP ends `cypkg watch` within half a second whatever happened.
_SIGNALS_RECEIVED: list[int] = []


def _install_signal_handlers() -> None:
    """SIGTERM and SIGHUP (the SSH link dropped) end the CLI like Ctrl-C: cleanly."""

    def handler(signum: int, _frame: object) -> None:
        _SIGNALS_RECEIVED.append(signum)
        raise _Signalled(signum)

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, handler)


def _profile(args: argparse.Namespace, demo: Demo | None, *, complete: bool = True) -> Profile:
    from tui.config import load_config, require_complete, resolve_profile

    deadline = getattr(args, "request_timeout", None)
    if demo is not None:
        profile = demo.profile
        if args.api_url:
            from tui.api.errors import UsageError

            raise UsageError("--demo and --api-url cannot be used together.")
        if deadline is not None:
            profile = profile.replace(request_timeout=deadline)
    else:
        config = load_config()
        for warning in config.warnings:
            print(f"cypkg: warning: {warning}", file=sys.stderr)
        profile = resolve_profile(
            config, profile=args.profile, api_url=args.api_url, request_timeout=deadline
        )
        _mask_on_stderr(*(p.app_secret for p in config.profiles.values()))
    _mask_on_stderr(profile.app_secret)
    return require_complete(profile) if complete else profile


class _Subject:
    """The package a client request is about, for its retry lines (one at a time)."""

    def __init__(self, package_id: str = "") -> None:
        self.package_id = package_id


@contextlib.contextmanager
def _client(
    profile: Profile,
    demo: Demo | None,
    *,
    subject: _Subject | None = None,
    retry: RetryPolicy | None = None,
    daily: DailyCounter | None = None,
) -> Iterator[CylanceClient]:
    """The client for a command; its requests count in the day's shared count
    (``daily``, else the profile's), which takes them in at the end."""
    from tui.polling.clients import daily_counter, make_client

    def on_retry(error: ApiError, delay: float, attempt: int) -> None:
        from tui.cli.format import after, note

        about = subject.package_id if subject is not None else ""
        print(note(about, f"{error} Retrying {after(delay)} ({attempt})."), file=sys.stderr)

    def on_cache_problem(message: str) -> None:
        print(f"cypkg: warning: {message}", file=sys.stderr)

    counter = daily or daily_counter(profile, demo=demo is not None, clock=_wall)
    try:
        with make_client(
            profile,
            persist_tokens=demo is None,
            retry=retry,
            on_retry=on_retry,
            on_cache_problem=on_cache_problem,
            on_request=counter.add,
        ) as client:
            yield client
    finally:
        counter.close()


def _package_id(value: str) -> str:
    from tui.api.ids import extract_package_id

    return extract_package_id(value)


def _daily(profile: Profile, demo: Demo | None) -> DailyCounter:
    from tui.polling.clients import daily_counter

    return daily_counter(profile, demo=demo is not None, clock=_wall)


def _wall() -> float:
    """The wall clock: which UTC day a request counts in (tests fake it)."""
    return time.time()


def _inert(value: str) -> str:
    from tui.base.safe_text import inert

    return inert(value, limit=40)


def _safe_json(raw: str) -> str:
    """The JSON text as received, with terminal-unsafe characters written as \\u escapes.

    The result decodes to exactly the same value; it just cannot act on a terminal.
    """
    from tui.base.json_text import escape_json_text

    return escape_json_text(raw)


def _compact(raw: str) -> str:
    import json

    return json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False)


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic GC off for the block (the callers say why), back on after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
