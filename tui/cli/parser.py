"""The command line's grammar: sub-commands, global options (before or after the
sub-command), help texts."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, NoReturn

from tui import __version__

if TYPE_CHECKING:
    pass
from tui.cli.common import DEFAULT_GIVE_UP_AFTER, EXIT_USAGE

COMMANDS = ("get", "watch", "list", "create", "download", "config", "emulator", "tui")


#: Commands done after a request or two: the cyclic GC would only scan, again and again,
#: the objects their imports create (about 5 ms of a `get`), and never free much.
ONE_SHOT = ("get", "list", "config")


EXIT_CODES_HELP = """\
exit codes:
  0    fetched / watch reached success
  1    watch reached failed
  2    usage error or invalid package ID (no request made)
  3    watch reached timeout
  4    package not found (download: the package has no download URL)
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
    lst.add_argument(
        "--status", type=_status, help="only this status (started, success, failed, timeout)"
    )
    lst.add_argument("--category", type=_category, help="only this category (custom, cylance)")
    lst.add_argument("--sort", help="sort field, '-' prefix for descending (e.g. -uploadedOn)")
    lst.add_argument("--json", action="store_true", help="print the page JSON as received")

    from tui.cli.create import add_create_arguments
    from tui.cli.download import add_download_arguments

    add_create_arguments(command("create", "create a package, upload its file, watch it"))
    add_download_arguments(command("download", "download a package's file"))

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


def _status(text: str) -> str:
    from tui.api.models import FILTER_STATUSES

    return _documented(text, "status", FILTER_STATUSES)


def _category(text: str) -> str:
    from tui.api.models import CATEGORIES

    return _documented(text, "category", CATEGORIES)


def _documented(text: str, what: str, values: tuple[str, ...]) -> str:
    """A filter value the API documents; anything else would be sent and silently ignored."""
    if text in values:
        return text
    from tui.base.safe_text import inert

    raise argparse.ArgumentTypeError(
        f"'{inert(text, limit=40)}' is not a {what}; use one of: {', '.join(values)}"
    )


def mistyped_command(word: str) -> str | None:
    """The sub-command ``word`` is a typo of (`lsit` → `list`), or None when it is a
    package ID or URL, or close to no command: then it is read as a package ID."""
    import difflib

    from tui.api.errors import InvalidPackageId
    from tui.api.ids import extract_package_id

    try:
        extract_package_id(word)
    except InvalidPackageId:
        close = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.6)
        return close[0] if close else None
    return None


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
