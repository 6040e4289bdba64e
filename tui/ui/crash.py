"""A crash report kept on disk: the traceback of an unexpected error, secrets masked.

Textual prints the traceback of an error that ends the app to the terminal, and
after a hangup (the SSH link dropped) there is no terminal left to print it on: the
app only exits with status 1. :func:`report_crash` keeps it in cypkg's state
directory (a private file, overwritten by the next crash) and says where on stderr.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from tui.base.files import atomic_write_private
from tui.base.safe_text import inert
from tui.config import Secret, state_dir

FILE_NAME = "crash.txt"


def crash_text(error: BaseException, secrets: Iterable[Secret]) -> str:
    """When, and the traceback of ``error``, with each of ``secrets`` masked."""
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    text = f"cypkg stopped on an unexpected error at {when}\n\n"
    text += "".join(traceback.format_exception(error))
    for secret in secrets:
        text = secret.mask(text)
    return text


def report_crash(
    error: BaseException, secrets: Iterable[Secret], path: Path | None = None
) -> Path | None:
    """Write the crash file (default in the state dir) and name it on stderr; its path.

    Never raises: this runs while the app is already failing, perhaps with the
    terminal and the disk gone too.
    """
    path = path or state_dir() / FILE_NAME
    try:
        atomic_write_private(path, crash_text(error, secrets).encode())
    except Exception:  # nowhere to keep it: the exit status is all that is left
        return None
    try:
        shown = inert(str(path), limit=4096)
        print(f"cypkg: unexpected error; details (secrets masked) in {shown}", file=sys.stderr)
    except (OSError, ValueError):  # the terminal is gone (hung up)
        pass
    return path
