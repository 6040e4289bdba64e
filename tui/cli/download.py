"""``cypkg download ID``: the package's file, streamed to disk through a ``.part`` file.

Prints ``SHA-256  PATH`` on stdout (the format ``sha256sum -c`` reads).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.config import Profile
    from tui.polling.clients import Demo
from tui.cli.common import EXIT_OK, _client, _package_id, _Signalled, _Subject, _write


def add_download_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package_id", metavar="ID", help="package ID (UUID) or package URL")
    parser.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="file (or existing directory) to write; default: the package's file name here",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing file")


def cmd_download(args: argparse.Namespace, profile: Profile, demo: Demo | None) -> int:
    from tui.api.errors import NotFound
    from tui.api.package_file import default_file_name, no_file_reason
    from tui.api.transfer import TransferSettings, check_destination, download_file
    from tui.base.safe_text import inert
    from tui.cli.progress import Progress

    package_id = _package_id(args.package_id)
    output = Path(args.output) if args.output else None
    if output is not None and not output.is_dir():
        check_destination(output, force=args.force)  # before any request
    with _client(profile, demo, subject=_Subject(package_id)) as client:
        package = client.get_package(package_id)
    status = inert(package.status_text or package.status.value, limit=20)
    hint = "Only a package whose upload succeeded can be downloaded."
    reason = no_file_reason(package)
    if reason:  # storage would answer a bare 403/404: say why before asking
        raise NotFound(
            f"Package {package_id} has no file to download: {reason} (status {status}).",
            hint=hint,
        )
    if not package.download_url:
        raise NotFound(f"Package {package_id} has no download URL (status {status}).", hint=hint)
    name = default_file_name(package, package_id)
    dest = output / name if output is not None and output.is_dir() else output or Path(name)
    check_destination(dest, force=args.force)
    settings = TransferSettings(ca_bundle=profile.ca_bundle, stall_timeout=profile.request_timeout)
    size = package.size if isinstance(package.size, int) and package.size >= 0 else None
    progress = Progress("download")
    try:
        got = download_file(
            package.download_url,
            dest,
            expected_size=size,
            force=args.force,
            settings=settings,
            on_progress=progress,
        )
    except (KeyboardInterrupt, _Signalled):
        progress.end()
        shown = inert(str(dest), limit=200)
        print(f"cypkg: Download interrupted: nothing was written to {shown}.", file=sys.stderr)
        raise
    finally:
        progress.end()
    _write(f"{got.sha256}  {inert(str(got.path), limit=4096)}\n")
    return EXIT_OK
