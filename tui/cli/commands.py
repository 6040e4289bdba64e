"""``cypkg get``, ``list``, ``config``, ``emulator`` and the start of the TUI."""

from __future__ import annotations

import argparse
import gc
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.config import Profile
    from tui.polling.clients import Demo
from tui.cli.common import (
    EXIT_OK,
    _client,
    _gc_paused,
    _package_id,
    _profile,
    _safe_json,
    _Subject,
    _wall,
    _write,
)
from tui.cli.watch import _cmd_watch


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

        # A pipe or a file has no width to fit: cut nothing (`cypkg list | grep name`).
        width = shutil.get_terminal_size((100, 24)).columns if _stdout_is_terminal() else None
        _write(package_table(page, width))
    return EXIT_OK


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, OSError, ValueError):  # a closed or odd replacement stream
        return False


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
        from tui.ui.startup import run_app
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
        from tui.ui.theme import check_theme

        check_theme(theme)
    return run_app(
        profile_name=args.profile,
        api_url=args.api_url,
        package_id=package_id,
        demo=demo,
        theme=theme,
        request_timeout=getattr(args, "request_timeout", None),
    )


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
