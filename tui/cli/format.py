"""Plain-text output of the CLI. Every server string goes through ``inert``."""

from __future__ import annotations

import math
import unicodedata
from datetime import datetime, timezone

from tui.api.auth import AccessToken
from tui.api.errors import CypkgError
from tui.api.models import Package, PackagePage
from tui.base.safe_text import inert
from tui.config import Profile
from tui.polling.budget import usage_text
from tui.polling.policy import PollState
from tui.polling.present import (
    MISSING,
    ago,
    format_local,
    human_duration,
    human_size,
    status_label,
    text,
    uploaded_on,
)


def _rows(pairs: list[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in pairs)
    lines = []
    for label, value in pairs:
        first, *rest = value.split("\n")
        lines.append(f"{label:<{width}}  {first}")
        lines.extend(f"{'':<{width}}  {line}" for line in rest)
    return "\n".join(lines) + "\n"


def package_summary(package: Package, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    d = package.descriptor
    info = d.package_info
    uploader = package.uploaded_by
    by = text(uploader.login, limit=200)
    if uploader.id:
        by += f" (user {text(uploader.id, limit=80)})"
    status = status_label(package)
    if package.status.value == "started" and package.uploaded_on is not None:
        elapsed = package.elapsed(now)
        seconds = elapsed.total_seconds() if elapsed else 0
        status += f" for {human_duration(seconds)}"
        if package.timeout:
            status += f" of {human_duration(package.timeout)}"
    pairs = [
        ("Name", text(d.name, limit=200)),
        ("Package ID", text(package.package_id, limit=80)),
        ("Status", status),
        ("Category", text(package.category, limit=40)),
        ("Version", text(d.version)),
        ("Size", human_size(package.size)),
        ("Timeout", human_duration(package.timeout) if package.timeout is not None else MISSING),
        ("Playbooks", text(package.playbook_count)),
        ("Uploaded on", _uploaded_line(package, now)),
        ("Uploaded by", by),
        ("Download URL", text(package.download_url, limit=2000)),
        ("Entry point", text(info.entry_point, limit=200)),
        ("File", f"{text(info.file_name, limit=200)} ({text(info.file_type, limit=40)})"),
        ("Examples", str(len(d.examples))),
    ]
    description = d.description.strip() if d.description else ""
    if description:
        lines = inert(description, keep_newlines=True, limit=4000).split("\n")
        shown = "\n".join(lines[:8]) + ("\n…" if len(lines) > 8 else "")
        pairs.append(("Description", shown))
    return _rows(pairs)


def watch_line(package: Package, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    name = text(package.name, limit=60)
    return f"{stamp}  {status_label(package):<10}  {name}  ({text(package.package_id, limit=40)})"


def after(seconds: float) -> str:
    """``in 3 s`` (rounded up: a wait of 0.3 s is not "0 s"), or ``now``."""
    return f"in {math.ceil(seconds)} s" if seconds > 0 else "now"


def note(subject: str, text: str) -> str:
    """A line for stderr about one package: ``cypkg: <ID>: <text>`` (text made inert)."""
    return f"cypkg: {subject}: {inert(text)}" if subject else f"cypkg: {inert(text)}"


def stopped_lines(subject: str, error: CypkgError, poll: PollState, now: float) -> list[str]:
    """What ``cypkg watch`` says when it stops polling a package: given up, or the error."""
    if poll.give_up_reason is None:
        lines = [note(subject, str(error))]
    else:
        elapsed = max(now - (poll.since if poll.since is not None else now), 0.0)
        when = f"after {elapsed:.0f} s" if elapsed >= 1 else "at once"
        limit = f"--give-up-after {poll.give_up_after or 0:g}"
        why = (
            f"without a successful answer ({limit})"
            if poll.give_up_reason == "no answer"
            else f"(the wait asked for ends past {limit})"
        )
        lines = [note(subject, f"gave up {when} {why}; last error: {error}")]
    if error.hint:
        lines.append(f"cypkg: hint: {inert(error.hint)}")
    return lines


def _cell(value: str, width: int) -> str:
    return value if len(value) <= width else value[: max(width - 1, 0)] + "…"


def _cells(value: str) -> int:
    """Terminal cells ``value`` takes: ``⌛`` is two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in value)


def _pad(value: str, width: int) -> str:
    value = _cell(value, width)
    return value + " " * max(width - _cells(value), 0)


#: In a terminal too narrow for every column these give way, in this order, before the
#: name is cut below NAME_READABLE; the name, status and package ID always stay.
_GIVE_WAY = ("CATEGORY", "VER", "SIZE", "UPLOADED (UTC)")
NAME_READABLE = 20


def package_table(page: PackagePage, width: int | None = 100) -> str:
    """The page as a table at most ``width`` cells wide: columns give way (see
    ``_GIVE_WAY``), then the name is cut (with …); ``width=None`` (a pipe, a file)
    cuts nothing."""
    if not page.items:
        return "No packages.\n"
    headers = ["NAME", "STATUS", "CATEGORY", "VER", "SIZE", "UPLOADED (UTC)", "PACKAGE ID"]
    rows = []
    for p in page.items:
        rows.append(
            [
                text(p.name, limit=80),
                status_label(p),
                text(p.category, limit=12),
                text(p.descriptor.version),
                human_size(p.size).split(" (")[0],
                p.uploaded_on.strftime("%Y-%m-%d %H:%M") if p.uploaded_on else MISSING,
                text(p.package_id, limit=36),
            ]
        )
    widths = [max(_cells(h), *(_cells(r[i]) for r in rows)) for i, h in enumerate(headers)]
    if width is not None:
        for column in _GIVE_WAY:
            fixed = sum(widths[1:]) + 2 * (len(headers) - 1)
            if width - fixed >= min(widths[0], NAME_READABLE):
                break
            index = headers.index(column)
            del headers[index], widths[index]
            for row in rows:
                del row[index]
        fixed = sum(widths[1:]) + 2 * (len(headers) - 1)
        widths[0] = max(8, min(widths[0], width - fixed))
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
    total_items = page.total_number_of_items
    footer = f"page {page.page_number or '?'} of {page.total_pages or '?'}"
    if total_items is not None:
        footer += f" ({total_items} packages)"
    return "\n".join([*lines, footer]) + "\n"


def profile_summary(profile: Profile, *, used_today: int | None = None) -> str:
    """The profile as ``cypkg config show`` prints it; ``used_today``: the day's request
    count of its tenant (all cypkgs of the user), None when unknown."""
    shown = profile.scrub  # the secret masked in whatever field it was pasted into
    pairs = [
        ("Profile", shown(profile.name)),
        ("API", shown(profile.region_label)),
        ("Tenant ID", shown(profile.tenant_id) or MISSING),
        ("App ID", shown(profile.app_id) or MISSING),
        ("App secret", "set" if profile.app_secret else "not set"),
        ("CA bundle", shown(profile.ca_bundle) if profile.ca_bundle else "system default"),
        ("Poll interval", f"{profile.poll_interval:g} s"),
        ("Request deadline", f"{profile.request_timeout:g} s"),
        ("Daily budget", f"{profile.daily_budget:,} requests a day (UTC)"),
    ]
    if used_today is not None:
        pairs.append(("Used today", usage_text(used_today, profile.daily_budget)))
    if profile.scopes:
        pairs.append(("Scopes", shown(profile.scopes)))
    missing = profile.missing_fields()
    if missing:
        pairs.append(("Missing", ", ".join(missing)))
    return _rows(pairs)


def token_summary(profile: Profile, token: AccessToken) -> str:
    until = datetime.fromtimestamp(token.expires_at, tz=timezone.utc)
    return (
        profile.scrub(
            f"OK: signed in to {profile.api_url} as app {profile.app_id} "
            f"(tenant {profile.tenant_id}); the access token is valid until "
            f"{format_local(until)}."
        )
        + "\n"
    )


def _uploaded_line(package: Package, now: datetime) -> str:
    """The upload time and its age; past a week the age is the date the time already says."""
    age = ago(package.uploaded_on, now)
    if age.startswith("on "):
        return uploaded_on(package)
    return f"{uploaded_on(package)} ({age})"
