"""Reading and writing the config file: private (0600, never through a link), atomic,
the previous file kept as ``.bak``, a damaged one set aside; writes keep the user's comments
(tui.config.edit)."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.api.errors import ConfigError
from tui.base.files import (
    FileTooLarge,
    LinkRefused,
    PrivateDir,
    atomic_write_private,
    read_private_file,
)
from tui.base.safe_text import inert
from tui.config import edit as config_edit
from tui.config.paths import _is_own_dir, config_path
from tui.config.profile import Config, Profile, Secret
from tui.config.settings import (
    _ID_KEYS,
    _MAX_FILE_SIZE,
    _PROFILE_KEYS,
    DEFAULT_DAILY_BUDGET,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_PROFILE,
    DEFAULT_REQUEST_TIMEOUT,
    ENV_APP_SECRET,
    ENV_CONFIG,
)
from tui.config.validate import (
    _check_plain,
    _check_profile_name,
    _check_uuid,
    _parse_base_url,
    _parse_daily_budget,
    _parse_poll_interval,
    _parse_region,
    _parse_request_timeout,
    _require_str,
    _scrub,
    _type_name,
)


def load_config(path: Path | None = None) -> Config:
    """Read the config file; a missing file gives an empty :class:`Config`.

    Tightens a file or (cypkg's own) directory that others can read, and says
    so in ``Config.warnings``. Raises :class:`ConfigError` naming the file and
    the problem.
    """
    path = path if path is not None else config_path()
    warnings = _tighten_permissions(path)
    data = _read_file(path)
    if data is None:
        return Config(path=path, warnings=warnings)
    config = _parse_document(path, data)
    config.warnings = warnings
    return config


def save_config(config: Config, path: Path | None = None) -> None:
    """Write ``config`` atomically, 0600 in a 0700 directory.

    The target is ``path``, else ``config.path``, else :func:`config_path`.
    The previous file is kept as ``<name>.bak``; a previous file that does not
    load is kept for good as ``<name>.corrupt-YYYYmmdd-HHMMSS`` instead, since
    it is likely a hand edit gone wrong that the user will want back.
    """
    target = path if path is not None else (config.path or config_path())
    document = _serialise(config)
    try:
        payload = config_edit.dumps(document).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"Cannot save the settings: {inert(exc, limit=200)}") from None

    previous = _read_file(target)
    if previous is not None:
        try:
            before = _serialise(_parse_document(target, previous))
        except ConfigError:
            backup = _free_name(target, f".corrupt-{datetime.now():%Y%m%d-%H%M%S}")
        else:
            backup = target.with_name(target.name + ".bak")
            payload = _edited(target, previous, before, document) or payload
        _write_private(backup, previous)
    _write_private(target, payload)


def _edited(
    target: Path, previous: bytes, before: dict[str, Any], document: dict[str, Any]
) -> bytes | None:
    """The previous file with only the changed values changed (comments, order kept).

    None when the edited text would not read back as ``document``: then the file is
    written fresh (its comments are still in the .bak) rather than wrong.
    """
    try:
        edited = config_edit.update(previous.decode("utf-8"), before, document).encode("utf-8")
        if _serialise(_parse_document(target, edited)) == document:
            return edited
    except Exception:  # tomlkit's own errors, whatever they are: the fresh text is right
        pass
    return None


def _tighten_permissions(path: Path) -> list[str]:
    """Make the file 0600 and cypkg's own directory 0700; describe what changed.

    Nothing is followed through a link: a linked file or directory is left for
    :func:`_read_file` to refuse.
    """
    if os.name != "posix":
        return []
    try:
        with PrivateDir.open(path.parent, own=_own_dirs(path), create=False) as directory:
            directory.tighten(path.name)
            changes = directory.tightened
    except OSError:
        return []  # missing, a link or unreadable: _read_file reports what matters
    warnings: list[str] = []
    for target, mode, error in changes:
        wanted = f"{0o700 if target != path else 0o600:04o}"
        what = "readable" if mode & 0o044 else "accessible"
        if error is not None:
            warnings.append(
                inert(
                    f"{target} is {what} by others (mode {mode:04o}) and could not be "
                    f"changed to {wanted}: {error.strerror or error}"
                )
            )
        else:
            warnings.append(
                inert(f"{target} was {what} by others (mode {mode:04o}); changed to {wanted}")
            )
    return warnings


def _own_dirs(path: Path) -> int:
    """How many trailing directories of ``path``'s parent are cypkg's (see tui.base.files)."""
    return 1 if _is_own_dir(path.parent) else 0


def _read_file(path: Path) -> bytes | None:
    """The file's bytes, or None when there is no file. Never read through a link."""
    try:
        return read_private_file(path, _MAX_FILE_SIZE, own=_own_dirs(path))
    except LinkRefused as exc:
        raise _link_error(exc) from None
    except IsADirectoryError:
        raise _file_error(path, "is a directory, not a file.") from None
    except FileTooLarge as exc:
        raise _file_error(path, f"is too large ({exc.size} bytes) to be a config file.") from None
    except FileNotFoundError:
        return None
    except PermissionError:
        raise _file_error(path, "cannot be read: permission denied.") from None
    except OSError as exc:
        if exc.errno == errno.EINVAL:
            # Opening a FIFO or a device could block or never end.
            raise _file_error(path, "is not a regular file.") from None
        raise _file_error(path, f"cannot be read: {exc.strerror or exc}.") from None


def _link_error(exc: LinkRefused) -> ConfigError:
    return ConfigError(
        inert(
            f"{exc}. Replace the link with the real {exc.kind}, or set {ENV_CONFIG} "
            "to the path of the file it leads to."
        )
    )


def _file_error(path: Path, detail: str, secrets: Iterable[str] = ()) -> ConfigError:
    return ConfigError(_scrub(f"Config file {path} {detail}", secrets))


def _parse_document(path: Path, data: bytes) -> Config:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the standard library reads TOML only from 3.11 on
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _file_error(
            path, f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})."
        ) from None
    text = text.removeprefix("\ufeff")  # editors on Windows add a BOM
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        if "line" not in detail:
            # tomllib says "at end of document" for unterminated values.
            detail += f" (line {text.count(chr(10)) + 1}, the last line)"
        raise _file_error(path, f"is not valid TOML: {detail}.") from None

    secrets = _secrets_in(document)
    try:
        return _config_from_document(document, path)
    except ConfigError as exc:
        raise _file_error(path, f"has an error: {exc}", secrets) from None


def _secrets_in(document: Mapping[str, Any]) -> list[str]:
    """The secrets a message about ``document`` must not show: its own and the
    environment's (which will be used with it)."""
    known = [os.environ.get(ENV_APP_SECRET, "").strip()]
    profiles = document.get("profiles")
    if not isinstance(profiles, dict):
        return known
    return known + [
        table["app_secret"]
        for table in profiles.values()
        if isinstance(table, dict) and isinstance(table.get("app_secret"), str)
    ]


def _config_from_document(document: dict[str, Any], path: Path) -> Config:
    active = document.get("active_profile", DEFAULT_PROFILE)
    if not isinstance(active, str):
        raise ConfigError(f"active_profile must be a string, got {_type_name(active)}.")
    _check_profile_name(active, "active_profile")

    tables = document.get("profiles", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"profiles must be a table, got {_type_name(tables)}.")
    profiles = {name: _profile_from_table(name, table) for name, table in tables.items()}

    settings = {k: v for k, v in document.items() if k not in ("active_profile", "profiles")}
    return Config(active_profile=active, profiles=profiles, settings=settings, path=path)


def _profile_from_table(name: str, table: object) -> Profile:
    prefix = f"profiles.{_toml_key(name)}"
    _check_profile_name(name, "profile name")
    if not isinstance(table, dict):
        raise ConfigError(f"{prefix} must be a table, got {_type_name(table)}.")

    def text(key: str) -> str:
        value = _require_str(table.get(key), f"{prefix}.{key}")
        if key != "app_secret":  # never shown, and never quoted in a message
            _check_plain(value, f"{prefix}.{key}")
        if key in _ID_KEYS:
            _check_uuid(value, f"{prefix}.{key}")
        return value or ""

    poll = table.get("poll_interval", DEFAULT_POLL_INTERVAL)
    deadline = table.get("request_timeout", DEFAULT_REQUEST_TIMEOUT)
    budget = table.get("daily_budget", DEFAULT_DAILY_BUDGET)
    return Profile(
        name=name,
        region=_parse_region(table.get("region"), f"{prefix}.region"),
        base_url=_parse_base_url(table.get("base_url"), f"{prefix}.base_url"),
        tenant_id=text("tenant_id"),
        app_id=text("app_id"),
        app_secret=Secret(text("app_secret")),
        ca_bundle=text("ca_bundle") or None,
        poll_interval=_parse_poll_interval(poll, f"{prefix}.poll_interval"),
        scopes=text("scopes") or None,
        request_timeout=_parse_request_timeout(deadline, f"{prefix}.request_timeout"),
        daily_budget=_parse_daily_budget(budget, f"{prefix}.daily_budget"),
        extras={k: v for k, v in table.items() if k not in _PROFILE_KEYS},
    )


def _toml_key(name: str) -> str:
    """``name`` as it appears in a dotted key: bare if it can be, quoted otherwise."""
    bare = name and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    return name if bare else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _serialise(config: Config) -> dict[str, Any]:
    # Settings first, so they stay top-level keys before the [profiles.*] tables;
    # None has no TOML form and means "unset".
    document: dict[str, Any] = {"active_profile": config.active_profile}
    for key, value in config.settings.items():
        if key not in ("active_profile", "profiles") and value is not None:
            document[key] = value
    document["profiles"] = {
        name: _profile_table(profile) for name, profile in config.profiles.items()
    }
    return document


def _profile_table(profile: Profile) -> dict[str, Any]:
    # Written only when changed, as an integer when whole: "5" reads better than "5.0".
    poll: float | None = profile.poll_interval
    if poll == DEFAULT_POLL_INTERVAL:
        poll = None
    elif poll is not None and poll.is_integer():
        poll = int(poll)
    deadline: float | None = profile.request_timeout
    if deadline == DEFAULT_REQUEST_TIMEOUT:
        deadline = None
    elif deadline is not None and deadline.is_integer():
        deadline = int(deadline)
    budget = None if profile.daily_budget == DEFAULT_DAILY_BUDGET else profile.daily_budget
    values: dict[str, Any] = {
        "region": profile.region,
        "base_url": profile.base_url,
        "tenant_id": profile.tenant_id,
        "app_id": profile.app_id,
        "app_secret": profile.app_secret.reveal(),
        "ca_bundle": profile.ca_bundle,
        "poll_interval": poll,
        "scopes": profile.scopes,
        "request_timeout": deadline,
        "daily_budget": budget,
    }
    table = {key: value for key, value in values.items() if value not in (None, "")}
    for key, value in profile.extras.items():
        if key not in table and value is not None:
            table[key] = value
    return table


def _free_name(path: Path, suffix: str) -> Path:
    """``path`` + ``suffix``, with a counter if that name is taken (same second)."""
    candidate = path.with_name(path.name + suffix)
    counter = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}{suffix}-{counter}")
        counter += 1
    return candidate


def _write_private(path: Path, data: bytes) -> None:
    """Only cypkg's own config directory is made 0700, not one CYPKG_CONFIG points into."""
    try:
        atomic_write_private(path, data, own=_own_dirs(path))
    except LinkRefused as exc:
        raise _link_error(exc) from None
    except OSError as exc:
        raise ConfigError(
            inert(f"Cannot write {path}: {exc.strerror or exc}. The previous file is unchanged.")
        ) from None
