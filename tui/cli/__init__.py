"""Command line: argv → the TUI, get, watch, list, create, download, config or emulator.

Imports are lazy: ``--version`` and ``--help`` load neither Textual nor httpx,
and the scripted commands never load Textual. The modules: :mod:`~tui.cli.parser`
(the grammar), :mod:`~tui.cli.common` (exit codes, secrets on stderr, signals,
profile and client), :mod:`~tui.cli.commands` (get, list, config, emulator, the
TUI's start), :mod:`~tui.cli.watch` and :mod:`~tui.cli.format` (plain-text output).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.cli.commands import (
    _cmd_config,
    _cmd_emulator,
    _cmd_get,
    _cmd_list,
    _cmd_tui,
    _require_terminal,
)
from tui.cli.common import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NETWORK,
    EXIT_OK,
    _gc_paused,
    _install_signal_handlers,
    _profile,
    _secrets_masked_on_stderr,
    _Signalled,
)
from tui.cli.parser import ONE_SHOT, _join_sort, _route, build_parser, mistyped_command
from tui.cli.watch import _cmd_watch

__all__ = ["EXIT_NETWORK", "build_parser", "main"]

if TYPE_CHECKING:
    from tui.polling.clients import Demo


def main(argv: Sequence[str] | None = None) -> int:
    args_list = _join_sort(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args = parser.parse_args(_route(args_list))
    if args.command == "tui" and args.package_id:
        meant = mistyped_command(args.package_id)
        if meant is not None:  # before the terminal check: a pipe gets the hint too
            from tui.base.safe_text import inert

            parser.error(
                f"unknown command '{inert(args.package_id, limit=40)}' — did you mean '{meant}'?"
            )
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

        # stderr may be gone (a hung-up terminal): saying so must not raise again.
        with contextlib.suppress(OSError):
            if isinstance(exc, CypkgError):
                return _fail(exc)
            print(
                f"cypkg: internal error: {exc.__class__.__name__} (please report this bug)",
                file=sys.stderr,
            )
        return exc.exit_code if isinstance(exc, CypkgError) else EXIT_INTERNAL


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
        if command == "create":
            from tui.cli.create import cmd_create

            return cmd_create(args, profile, demo)
        if command == "download":
            from tui.cli.download import cmd_download

            return cmd_download(args, profile, demo)
        raise AssertionError(command)
    except CypkgError as exc:
        return _fail(exc)
    finally:
        if demo is not None:
            demo.stop()
