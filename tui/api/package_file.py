"""A package's file, before any transfer: the name to save it under, whether it has one.

One rule for ``cypkg download`` and the TUI's download box. The name comes from the
server (``packageInfo.fileName``), so it is used only when it is a plain file name:
it can never name another directory, a hidden file, a device, or a ``.part`` file.
"""

from __future__ import annotations

import re

from tui.api.models import Package, Status

#: Starts with a letter or digit (no leading dot or dash), then no separator, no
#: control character, nothing but ASCII letters, digits and ``._ +-``; 201 at most.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ +-]{0,200}")
#: Windows device names: "nul.zip" opens the device there, not a file.
_DEVICES = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)

_WHY_NO_FILE = {
    Status.STARTED: "its upload has not finished",
    Status.FAILED: "its upload failed",
    Status.TIMEOUT: "its upload timed out",
}


def _plain(name: str) -> bool:
    return (
        _SAFE_NAME.fullmatch(name) is not None
        and name == name.rstrip(". ")  # Windows drops a trailing dot or space
        and not name.endswith(".part")  # a download's own temporary files
        and _DEVICES.fullmatch(name) is None
    )


def default_file_name(package: Package, package_id: str) -> str:
    """The package's fileName when it is a plain file name; else ``ID.zip``."""
    name = package.descriptor.package_info.file_name or ""
    if _plain(name):
        return name
    fallback = f"{package_id}.zip"
    return fallback if _plain(fallback) else "package.zip"


def no_file_reason(package: Package) -> str:
    """Why the package has no file to download (its status says so), or empty."""
    return _WHY_NO_FILE.get(package.status, "")
