"""Typed models of a package and a page of packages, and their lenient parser.

The API documents fields but not their formats, and no public source shows a
real body. So the parser is lenient about each field (missing, ``null``, a
wrong type, an unknown enum value or an odd date all become ``None`` or the
raw text) and strict about the whole (anything that is not a JSON object
with package fields raises :class:`InvalidResponse`). Nothing here raises
anything else, whatever JSON it is given.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any

from tui.api.errors import InvalidResponse


class Status(str, Enum):
    STARTED = "started"
    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        return self in (Status.SUCCESS, Status.FAILED, Status.TIMEOUT)

    @classmethod
    def parse(cls, value: object) -> Status:
        if isinstance(value, str):
            try:
                return cls(value.strip().lower())
            except ValueError:
                pass
        return cls.UNKNOWN


#: The values the API documents for the list filters ``status=`` and ``category=``.
FILTER_STATUSES = tuple(s.value for s in Status if s is not Status.UNKNOWN)
CATEGORIES = ("custom", "cylance")


@dataclass(frozen=True, slots=True)
class Example:
    description: str | None = None
    invocation_string: str | None = None


@dataclass(frozen=True, slots=True)
class PackageInfo:
    entry_point: str | None = None
    file_name: str | None = None
    file_type: str | None = None


@dataclass(frozen=True, slots=True)
class PackageDescriptor:
    name: str | None = None
    version: int | None = None
    description: str | None = None
    examples: tuple[Example, ...] = ()
    package_info: PackageInfo = field(default_factory=PackageInfo)
    package_id: str | None = None


@dataclass(frozen=True, slots=True)
class Uploader:
    id: str | None = None
    login: str | None = None


@dataclass(frozen=True, slots=True)
class Package:
    package_id: str | None
    status: Status
    #: The status text as received (kept when it is not one of the four known values).
    status_text: str | None
    category: str | None = None
    download_url: str | None = None
    playbook_count: int | None = None
    size: int | None = None
    timeout: int | None = None
    uploaded_by: Uploader = field(default_factory=Uploader)
    uploaded_on: datetime | None = None
    #: ``uploadedOn`` as received, for display when it could not be parsed.
    uploaded_on_text: str | None = None
    descriptor: PackageDescriptor = field(default_factory=PackageDescriptor)
    #: The body exactly as received (for ``--json`` and the Raw tab); empty when parsed
    #: from a list page.
    raw: str = field(default="", repr=False, compare=False)

    @property
    def name(self) -> str | None:
        return self.descriptor.name

    def elapsed(self, now: datetime) -> timedelta | None:
        """Time since the upload started, or None when ``uploadedOn`` is unknown."""
        if self.uploaded_on is None:
            return None
        return max(now - self.uploaded_on, timedelta(0))


@dataclass(frozen=True, slots=True)
class PackagePage:
    page_number: int | None
    page_size: int | None
    total_pages: int | None
    total_number_of_items: int | None
    items: tuple[Package, ...]
    raw: str = field(default="", repr=False, compare=False)


_PACKAGE_KEYS = frozenset(
    {
        "category",
        "downloadUrl",
        "packageDescriptor",
        "packageId",
        "playbookCount",
        "size",
        "status",
        "timeout",
        "uploadedBy",
        "uploadedOn",
    }
)


def _str(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return str(value)
    return None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d{1,30}", text):
            return int(text)
    return None


def _obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_timestamp(value: object) -> datetime | None:
    """Any ISO-8601 form (fraction of any length, with or without a zone), or epoch seconds.

    A time without a zone is UTC, as the API documents. Returns an aware
    datetime in UTC, or None when the value is not a date.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return None
        seconds = value / 1000 if abs(value) > 1e11 else value  # milliseconds, as some APIs send
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or len(value) > 64:
        return None
    match = _ISO.fullmatch(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz = timezone.utc
    if zone and zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        if offset >= timedelta(hours=24):
            return None
        tz = timezone(offset if zone[0] == "+" else -offset)
    try:
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=tz,
        )
        return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def _examples(value: object) -> tuple[Example, ...]:
    if not isinstance(value, list):
        return ()
    examples = []
    for item in value:
        if isinstance(item, dict):
            examples.append(
                Example(_str(item.get("description")), _str(item.get("invocationString")))
            )
        elif isinstance(item, str):
            examples.append(Example(None, item))
    return tuple(examples)


def parse_package(data: object, raw: str = "") -> Package:
    """Build a :class:`Package` from decoded JSON, or raise :class:`InvalidResponse`."""
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "null"
        raise InvalidResponse(f"Expected a package (a JSON object), got a JSON {kind}.")
    if not _PACKAGE_KEYS.intersection(data):
        raise InvalidResponse("The response is a JSON object without any package field.")
    descriptor = _obj(data.get("packageDescriptor"))
    info = _obj(descriptor.get("packageInfo"))
    uploader = _obj(data.get("uploadedBy"))
    uploaded_on_raw = data.get("uploadedOn")
    status_text = _str(data.get("status"))
    return Package(
        package_id=_str(data.get("packageId")),
        status=Status.parse(status_text),
        status_text=status_text,
        category=_str(data.get("category")),
        download_url=_str(data.get("downloadUrl")),
        playbook_count=_int(data.get("playbookCount")),
        size=_int(data.get("size")),
        timeout=_int(data.get("timeout")),
        uploaded_by=Uploader(_str(uploader.get("id")), _str(uploader.get("login"))),
        uploaded_on=parse_timestamp(uploaded_on_raw),
        uploaded_on_text=_str(uploaded_on_raw),
        descriptor=PackageDescriptor(
            name=_str(descriptor.get("name")),
            version=_int(descriptor.get("version")),
            description=_str(descriptor.get("description")),
            examples=_examples(descriptor.get("examples")),
            package_info=PackageInfo(
                _str(info.get("entryPoint")), _str(info.get("fileName")), _str(info.get("fileType"))
            ),
            package_id=_str(descriptor.get("packageId")),
        ),
        raw=raw,
    )


def parse_page(data: object, raw: str = "") -> PackagePage:
    """Build a :class:`PackagePage` from a list response, or raise :class:`InvalidResponse`.

    Items that are not packages are skipped rather than failing the page:
    one bad row should not hide the other nineteen.
    """
    if not isinstance(data, dict):
        raise InvalidResponse("Expected a page of packages (a JSON object).")
    items = data.get("page_items")
    if not isinstance(items, list):
        raise InvalidResponse("The list response has no 'page_items' array.")
    packages = []
    for item in items:
        try:
            packages.append(parse_package(item))
        except InvalidResponse:
            continue
    return PackagePage(
        page_number=_int(data.get("page_number")),
        page_size=_int(data.get("page_size")),
        total_pages=_int(data.get("total_pages")),
        total_number_of_items=_int(data.get("total_number_of_items")),
        items=tuple(packages),
        raw=raw,
    )
