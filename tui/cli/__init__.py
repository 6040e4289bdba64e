"""Command line: argv → the TUI, get, watch, list, config or emulator.

Imports are lazy: ``--version`` and ``--help`` load neither Textual nor httpx,
and the scripted commands never load Textual.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from tui import __version__

if TYPE_CHECKING:
    from tui.api.client import CylanceClient
    from tui.api.errors import ApiError
    from tui.api.models import Package
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

COMMANDS = ("get", "watch", "list", "config", "emulator", "tui")
#: Commands done after a request or two: the cyclic GC would only scan, again and again,
#: the objects their imports create (about 5 ms of a `get`), and never free much.
ONE_SHOT = ("get", "list", "config")

EXIT_CODES_HELP = """\
exit codes:
  0    fetched / watch reached success
  1    watch reached failed
  2    usage error or invalid package ID (no request made)
  3    watch reached timeout
  4    package not found
  5    authentication, permission or configuration error
  6    network or server error after retries (watch: given up, see --give-up-after)
  130  interrupted (Ctrl-C; 129/143 for SIGHUP/SIGTERM)
`watch` with several IDs exits with the worst outcome: any error (6 > 5 > 4)
> failed (1) > timeout (3) > success (0).
"""


THEME_HELP = (
    "TUI colour theme, e.g. ansi-dark or ansi-light (the terminal's 16 colours), "
    "textual-dark, textual-light, nord, gruvbox"
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # On subcommands the defaults are suppressed, so `cypkg --profile x get ID`
    # and `cypkg get ID --profile x` both work without one clobbering the other.
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--profile", default=default, help="config profile to use")
    parser.add_argument("--api-url", default=default, help="API base URL (overrides the profile)")
    parser.add_argument(
        "--request-timeout",
        type=_request_timeout,
        default=default,
        metavar="SECONDS",
        help="deadline for each request attempt, connect to last byte "
        "(default: the profile's request_timeout, CYPKG_REQUEST_TIMEOUT, or 60)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="use a built-in API emulator with demo credentials (writes no config)",
    )


def _request_timeout(text: str) -> float:
    """``--request-timeout``: checked like the profile's value, before any request."""
    from tui.api.errors import ConfigError
    from tui.config import parse_request_timeout

    try:
        return parse_request_timeout(text, "the value")  # argparse names the flag
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cypkg",
        description="Look up Cylance Optics packages and watch their upload status. "
        "With no command, starts the terminal UI (on package ID if given).",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cypkg {__version__}")
    _global_options(parser, suppress=False)
    parser.add_argument("--theme", default=None, help=THEME_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _global_options(p, suppress=True)
        return p

    # No help=: before Python 3.14 argparse lists help=SUPPRESS as "tui  ==SUPPRESS==".
    tui = sub.add_parser("tui")
    _global_options(tui, suppress=True)
    tui.add_argument("--theme", default=argparse.SUPPRESS, help=THEME_HELP)
    tui.add_argument("package_id", nargs="?", help="package ID to open")

    get = command("get", "fetch one package and print a summary")
    get.add_argument("package_id", help="package ID (UUID) or package URL")
    get.add_argument("--json", action="store_true", help="print the package JSON as received")

    watch = command(
        "watch", "poll packages until their uploads end; one line per change per package"
    )
    watch.add_argument(
        "package_id",
        nargs="+",
        metavar="ID",
        help="package ID (UUID) or package URL; several share one request budget "
        "(at most 5 requests a second)",
    )
    watch.add_argument(
        "--interval", type=float, default=None, help="seconds between polls (default: profile's)"
    )
    watch.add_argument(
        "--give-up-after",
        type=_positive_seconds,
        default=DEFAULT_GIVE_UP_AFTER,
        metavar="SECONDS",
        help="give a package up after this long without a successful answer, or at once "
        "when the server asks to wait past that (exit 6; default %(default)g)",
    )
    watch.add_argument("--json", action="store_true", help="print each change as a JSON line")

    lst = command("list", "list the tenant's packages")
    lst.add_argument("--page", type=int, default=1)
    lst.add_argument("--page-size", type=int, default=20)
    lst.add_argument("--status", help="only this status (started, success, failed, timeout)")
    lst.add_argument("--category", help="only this category (custom, cylance)")
    lst.add_argument("--sort", help="sort field, '-' prefix for descending (e.g. -uploadedOn)")
    lst.add_argument("--json", action="store_true", help="print the page JSON as received")

    config = command("config", "show where the config lives, or check the credentials")
    config.add_argument("action", choices=("path", "paths", "show", "check"))

    emu = sub.add_parser("emulator", help="serve the local Cylance API emulator on loopback")
    emu.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    emu.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    emu.add_argument("--token-lifetime", type=float, default=1800.0, help="access token seconds")
    emu.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    emu.add_argument("--fail-rate", type=float, default=0.0, help="share of answers that are 503")
    emu.add_argument("--no-seed", action="store_true", help="start without sample packages")
    return parser


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return value


def _route(argv: list[str]) -> list[str]:
    """`cypkg ID` means `cypkg tui ID`: insert the hidden command when none is given."""
    takes_value = {"--profile", "--api-url", "--theme", "--request-timeout"}
    skip = False
    for index, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg in takes_value:
            skip = True
            continue
        if arg == "--":
            return [*argv[:index], "tui", *argv[index + 1 :]]
        if arg.startswith("-"):
            continue
        if arg in COMMANDS:
            return argv
        return [*argv[:index], "tui", *argv[index:]]
    if any(a in ("-h", "--help", "--version") for a in argv):
        return argv
    return [*argv, "tui"]


def _join_sort(argv: list[str]) -> list[str]:
    """`--sort -uploadedOn` would read as an unknown option; make it `--sort=-uploadedOn`."""
    joined: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        following = argv[index + 1] if index + 1 < len(argv) else ""
        if arg == "--sort" and following.startswith("-") and following[1:2].isalpha():
            joined.append(f"--sort={following}")
            index += 2
            continue
        joined.append(arg)
        index += 1
    return joined


def main(argv: Sequence[str] | None = None) -> int:
    args_list = _join_sort(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args = parser.parse_args(_route(args_list))
    _install_signal_handlers()
    try:
        with (
            _gc_paused() if args.command in ONE_SHOT else contextlib.nullcontext(),
            _secrets_masked_on_stderr(args.command),
        ):
            return _dispatch(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except _Signalled as sig:
        return 128 + sig.signum
    except BrokenPipeError:
        # `cypkg list | head`: the reader left; that is not an error worth a word.
        return EXIT_OK
    except Exception as exc:  # the last line of defence: one line, no traceback
        from tui.api.errors import CypkgError

        if isinstance(exc, CypkgError):
            return _fail(exc)
        print(
            f"cypkg: internal error: {exc.__class__.__name__} (please report this bug)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


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


def _install_signal_handlers() -> None:
    """SIGTERM and SIGHUP (the SSH link dropped) end the CLI like Ctrl-C: cleanly."""

    def handler(signum: int, _frame: object) -> None:
        _SIGNALS_RECEIVED.append(signum)
        raise _Signalled(signum)

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, handler)


def _fail(error: Exception) -> int:
    from tui.api.errors import CypkgError
    from tui.base.safe_text import inert

    message = inert(str(error))
    print(f"cypkg: {message}", file=sys.stderr)
    if isinstance(error, CypkgError):
        if error.hint:
            print(f"cypkg: hint: {error.hint}", file=sys.stderr)
        return error.exit_code
    return EXIT_INTERNAL


def _dispatch(args: argparse.Namespace) -> int:
    from tui.api.errors import CypkgError

    command = args.command
    if command == "emulator":
        return _cmd_emulator(args)
    if command == "tui":
        _require_terminal()  # before the demo emulator starts: nothing to undo
    demo: Demo | None = None
    try:
        if args.demo:
            from tui.polling.clients import start_demo

            demo = start_demo()
        if command == "tui":
            return _cmd_tui(args, demo)
        if command == "config":
            return _cmd_config(args, demo)
        profile = _profile(args, demo)
        if command == "get":
            return _cmd_get(args, profile, demo)
        if command == "watch":
            return _cmd_watch(args, profile, demo)
        if command == "list":
            return _cmd_list(args, profile, demo)
        raise AssertionError(command)
    except CypkgError as exc:
        return _fail(exc)
    finally:
        if demo is not None:
            demo.stop()


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


def _cmd_get(args: argparse.Namespace, profile: Profile, demo: Demo | None) -> int:
    package_id = _package_id(args.package_id)
    with _client(profile, demo, subject=_Subject(package_id)) as client:
        package = client.get_package(package_id)
    if args.json:
        _write(_safe_json(package.raw) + "\n")
    else:
        from tui.cli.format import package_summary

        _write(package_summary(package))
    return EXIT_OK


#: Signals the handler saw. The exception it raises can be lost (a handler run while a
#: finalizer's code runs has its exception ignored): the watch loop's sleeps look here
#: too, so a SIGTERM or SIGHUP ends `cypkg watch` within half a second whatever happened.
_SIGNALS_RECEIVED: list[int] = []
_SLEEP_SLICE = 0.5


def _sleep(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if _SIGNALS_RECEIVED:
            raise _Signalled(_SIGNALS_RECEIVED[-1])
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, _SLEEP_SLICE))


def _cmd_watch(args: argparse.Namespace, profile: Profile, demo: Demo | None) -> int:
    given = args.package_id if isinstance(args.package_id, list) else [args.package_id]
    # Every ID is checked before any request; repeats are watched once.
    package_ids = list(dict.fromkeys(_package_id(value) for value in given))
    return _watch_many(args, profile, demo, package_ids)


def _monotonic() -> float:
    return time.monotonic()


def _wall() -> float:
    """The wall clock: which UTC day a request counts in (tests fake it)."""
    return time.time()


def _daily(profile: Profile, demo: Demo | None) -> DailyCounter:
    from tui.polling.clients import daily_counter

    return daily_counter(profile, demo=demo is not None, clock=_wall)


class _StretchNote:
    """Says on stderr when the daily budget starts (or stops) stretching the interval."""

    def __init__(self, daily: DailyCounter, subject: str = "") -> None:
        self.daily = daily
        self.subject = subject
        self.told: str | None = None

    def tell(self, reason: str | None) -> None:
        # Once when it starts, stops, or the budget is used up; not for every second more.
        if _stretch_kind(reason) == _stretch_kind(self.told):
            return
        from tui.cli.format import note
        from tui.polling.budget import usage_text

        if reason is not None:
            used = usage_text(self.daily.used_today(), self.daily.budget)
            print(note(self.subject, f"{reason} ({used})."), file=sys.stderr)
        elif self.told is not None:
            back = "the daily budget no longer stretches the interval."
            print(note(self.subject, back), file=sys.stderr)
        self.told = reason


def _stretch_kind(reason: str | None) -> str | None:
    return None if reason is None else reason.rsplit(": ", 1)[-1]


def _watch_many(
    args: argparse.Namespace, profile: Profile, demo: Demo | None, package_ids: list[str]
) -> int:
    """Watch packages with the one scheduler the TUI uses too (one request at a time,
    ≤ 5 a second).

    The started ones are refreshed by one list request a round when the API app
    may list (else one GET each, said once on stderr). One line per change per
    package; a package that cannot be watched any more (not found, no
    permission, given up) is reported on stderr and the others go on. The exit
    code is the worst outcome (see ``worst_exit_code``).
    """
    from tui.api.errors import CypkgError
    from tui.api.models import PackagePage
    from tui.api.retry import POLL_RETRY
    from tui.cli.format import after, note, stopped_lines, watch_line
    from tui.polling.policy import clamp_interval, exit_code_for, worst_exit_code
    from tui.polling.requests import ListRequest, Watch, WatchEvent
    from tui.polling.scheduler import WatchScheduler

    interval = clamp_interval(args.interval if args.interval is not None else profile.poll_interval)
    daily = _daily(profile, demo)
    scheduler = WatchScheduler(
        clock=_monotonic,
        interval=interval,
        max_in_flight=1,
        give_up_after=args.give_up_after,
        pace=daily.pace,
        batch=True,
    )
    stretch = _StretchNote(daily, package_ids[0] if len(package_ids) == 1 else "")
    for package_id in package_ids:
        scheduler.add(package_id)
    codes: dict[str, int] = {}
    last: dict[str, tuple[object, ...]] = {}
    subject = _Subject()
    raws: dict[str, str] = {}
    told: list[str] = []  # the fallback to per-package polling, said once

    def stopped(watch: Watch, error: CypkgError) -> None:
        for line in stopped_lines(watch.package_id, error, watch.poll, _monotonic()):
            print(line, file=sys.stderr)
        codes[watch.package_id] = EXIT_NETWORK if watch.poll.give_up_reason else error.exit_code

    def show(event: WatchEvent, *, quiet: bool = False) -> None:
        """One applied reply: a line when the status changed, the error on stderr."""
        watch, package_id = event.watch, event.package_id
        if watch.error is not None:
            if watch.due is None:
                stopped(watch, watch.error)
            elif not quiet:
                wait = after(watch.due - _monotonic())
                print(note(package_id, f"{watch.error} Polling again {wait}."), file=sys.stderr)
            return
        package = watch.package
        if package is None:
            return
        key = (package.status, package.status_text)
        if last.get(package_id) != key:
            last[package_id] = key
            if args.json:
                raw = package.raw or raws.get(package_id, "")
                _write(_safe_json(_compact(raw)) + "\n")
            else:
                _write(watch_line(package) + "\n")
        if watch.due is None:
            codes[package_id] = exit_code_for(package.status)

    def listed(request: ListRequest) -> None:
        """One page of the started list: every watched package in it, at once."""
        subject.package_id = "started packages"
        outcome: PackagePage | CypkgError
        try:
            outcome = client.list_packages(request.page, request.page_size, None, request.filters)
        except CypkgError as exc:
            outcome = exc
        if isinstance(outcome, PackagePage) and args.json:
            raws.clear()
            raws.update(_page_items(outcome.raw))
        events = scheduler.complete_list(request, outcome)
        if isinstance(outcome, CypkgError) and events:
            # One line for the round, not one per package it was to refresh.
            due = min((e.watch.due for e in events if e.watch.due is not None), default=None)
            if due is not None:
                wait = after(due - _monotonic())
                print(note(subject.package_id, f"{outcome} Polling again {wait}."), file=sys.stderr)
        for event in events:
            show(event, quiet=True)
        reason = scheduler.per_package_reason
        if reason is not None and not told:
            told.append(reason)
            print(note("", reason + "."), file=sys.stderr)

    with _client(profile, demo, subject=subject, retry=POLL_RETRY, daily=daily) as client:
        while scheduler.active:
            for request in scheduler.take():
                if isinstance(request, ListRequest):
                    listed(request)
                    continue
                assert isinstance(request, str)  # the CLI queues no errands
                subject.package_id = request
                try:
                    outcome: Package | CypkgError = client.get_package(request)
                except CypkgError as exc:
                    outcome = exc
                event = scheduler.complete(request, outcome)
                if event is not None:
                    show(event)
            paced = scheduler.stretched
            stretch.tell(paced.reason if paced is not None and scheduler.active else None)
            # A 429 pausing everybody past their give-up point ends them too.
            for held in scheduler.give_up_held():
                if held.error is not None:
                    stopped(held, held.error)
            wakeup = scheduler.next_wakeup()
            if wakeup is not None:
                _sleep(max(wakeup - _monotonic(), 0.0))
    return worst_exit_code(list(codes.values()))


def _page_items(raw: str) -> dict[str, str]:
    """Each item of a list page as its own JSON text, by package ID (for ``--json``)."""
    import json

    try:
        items = json.loads(raw).get("page_items")
    except (ValueError, AttributeError):
        return {}
    found: dict[str, str] = {}
    for item in items if isinstance(items, list) else ():
        pid = item.get("packageId") if isinstance(item, dict) else None
        if isinstance(pid, str):
            found[pid.lower()] = json.dumps(item, ensure_ascii=False)
    return found


def _cmd_list(args: argparse.Namespace, profile: Profile, demo: Demo | None) -> int:
    from tui.api.client import list_params

    filters = {k: v for k, v in (("status", args.status), ("category", args.category)) if v}
    # Validate before any request (and before signing in).
    list_params(args.page, args.page_size, args.sort, filters)
    with _client(profile, demo) as client:
        page = client.list_packages(args.page, args.page_size, args.sort, filters)
    if args.json:
        _write(_safe_json(page.raw) + "\n")
    else:
        import shutil

        from tui.cli.format import package_table

        width = shutil.get_terminal_size((100, 24)).columns
        _write(package_table(page, width))
    return EXIT_OK


def _cmd_config(args: argparse.Namespace, demo: Demo | None) -> int:
    from tui.config import config_path, describe_paths

    if args.action == "path":
        _write(f"{config_path()}\n")
        return EXIT_OK
    if args.action == "paths":
        for label, path in describe_paths().items():
            _write(f"{label}: {path}\n")
        return EXIT_OK
    profile = _profile(args, demo, complete=args.action == "check")
    if args.action == "show":
        from tui.cli.format import profile_summary
        from tui.polling.daily_count import count_today, default_path

        used = None if demo is not None else count_today(default_path(), profile.tenant_id, _wall())
        _write(profile_summary(profile, used_today=used))
        return EXIT_OK
    from tui.cli.format import token_summary

    with _client(profile, demo) as client:
        token = client.authenticate(force=True)
    _write(token_summary(profile, token))
    return EXIT_OK


def _cmd_tui(args: argparse.Namespace, demo: Demo | None) -> int:
    # Starting the TUI (Textual's import above all) allocates a great many objects that
    # stay alive: the cyclic GC would scan them over and over, for about 15 ms of the
    # first paint. Off until then: CypkgApp turns it back on after its first paint.
    with _gc_paused():
        return _start_tui(args, demo)


def _missing_terminal() -> str | None:
    """The first standard stream that is not a terminal, or None when all three are.

    The TUI reads keys from stdin and Textual draws on stderr; stdout is checked
    too, so `cypkg > out` is caught rather than drawn into the user's file.
    """
    for name in ("stdin", "stdout", "stderr"):
        stream = getattr(sys, name, None)
        try:
            if stream is None or not stream.isatty():
                return name
        except (AttributeError, OSError, ValueError):  # a closed or odd replacement stream
            return name
    return None


def _require_terminal() -> None:
    missing = _missing_terminal()
    if missing is None:
        return
    from tui.api.errors import UsageError

    raise UsageError(
        f"No terminal ({missing} is not one), so the interactive interface cannot start; "
        "in scripts and pipes use `cypkg get ID` or `cypkg watch ID`.",
        hint="`cypkg get ID` prints a package once, `cypkg watch ID` follows its upload "
        "until it ends; `cypkg --help` lists every command.",
    )


def _start_tui(args: argparse.Namespace, demo: Demo | None) -> int:
    package_id = _package_id(args.package_id) if args.package_id else None
    try:
        from tui.ui.app import run_app
    except ImportError:
        gc.enable()  # the watch below runs for as long as the upload does
        # Until the TUI lands, the demo shows the watch CLI on a started package.
        if demo is None:
            from tui.api.errors import UsageError

            raise UsageError("The terminal UI is not available in this build.") from None
        from tui.emulator.seed import STARTED_SUCCESS_ID

        args.package_id, args.interval, args.json = package_id or STARTED_SUCCESS_ID, 2.0, False
        return _cmd_watch(args, demo.profile, demo)
    theme = getattr(args, "theme", None)
    if theme is not None:
        from textual.theme import BUILTIN_THEMES

        if theme not in BUILTIN_THEMES:
            from tui.api.errors import UsageError

            raise UsageError(
                f"No theme '{_inert(theme)}'; use one of: " + ", ".join(sorted(BUILTIN_THEMES))
            )
    return run_app(
        profile_name=args.profile,
        api_url=args.api_url,
        package_id=package_id,
        demo=demo,
        theme=theme,
        request_timeout=getattr(args, "request_timeout", None),
    )


def _inert(value: str) -> str:
    from tui.base.safe_text import inert

    return inert(value, limit=40)


def _cmd_emulator(args: argparse.Namespace) -> int:
    from tui.emulator.cli import run_cli

    return run_cli(
        host=args.host,
        port=args.port,
        token_lifetime=args.token_lifetime,
        latency=args.latency,
        fail_rate=args.fail_rate,
        seed=not args.no_seed,
    )


def _safe_json(raw: str) -> str:
    """The JSON text as received, with terminal-unsafe characters written as \\u escapes.

    The result decodes to exactly the same value; it just cannot act on a terminal.
    """
    from tui.cli.format import escape_json_text

    return escape_json_text(raw)


def _compact(raw: str) -> str:
    import json

    return json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False)


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()
