"""Edit the config file's TOML text in place, so the user's comments survive.

:func:`update` applies the change between two settings documents (plain dicts, as
``tui.config`` builds them) to the file's text with tomlkit: values that did not
change are not touched (not even re-quoted), changed ones are replaced where they
stand (their trailing comment stays), new keys are appended inside their table, and
removed keys or tables go without disturbing their neighbours. Comments, blank lines
and key order are kept. :func:`dumps` writes a new file.

Pure functions on text, no file I/O and no Textual: ``tui.config`` does the safe
write and checks that the edited text still means the settings it was asked to save.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

__all__ = ["dumps", "update"]

_BOM = "\ufeff"
_MISSING = object()


def dumps(document: Mapping[str, Any]) -> str:
    """A new file's text for ``document``.

    Raises ``TypeError``/``ValueError`` for a value TOML has no form for.
    """
    import tomlkit  # imported here: `cypkg get` with only environment variables never writes

    return tomlkit.dumps(document)


def update(text: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """``text`` with the change from ``before`` to ``after`` applied, the rest as it was.

    ``before`` is what ``text`` means as cypkg read it (normalised: a value the user
    wrote differently but that reads the same is "unchanged" and stays as written).
    A byte order mark and the file's line endings are kept.
    """
    import tomlkit

    bom = _BOM if text.startswith(_BOM) else ""
    document = tomlkit.parse(text.removeprefix(_BOM))
    _apply(document, before, after)
    return bom + document.as_string()


def _apply(
    target: MutableMapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]
) -> None:
    for key in before:
        if key not in after and key in target:
            del target[key]
    for key, new in after.items():
        old = before.get(key, _MISSING)
        here = target.get(key)
        if (
            isinstance(new, Mapping)
            and isinstance(old, Mapping)
            and isinstance(here, MutableMapping)
        ):
            _apply(here, old, new)
        elif key not in target:
            _add(target, key, new)
        elif not _same(old, new):
            target[key] = new  # replaced where it stands; its trailing comment stays


def _add(target: MutableMapping[str, Any], key: str, value: object) -> None:
    """A new key, right after the table's last key, not after the comments or blank
    lines that close the table (they are usually about the next table)."""
    from tomlkit.items import AoT, Table

    last = None
    for name, item in target.items():
        if not isinstance(item, (Table, AoT)):
            last = name
    container = target.value if isinstance(target, Table) else target
    # tomlkit has no public "insert after"; the check in tui.config catches a change in it.
    insert_after = getattr(container, "_insert_after", None)
    if last is None or isinstance(value, Mapping) or not callable(insert_after):
        target[key] = value  # tables go at the end of their parent
        return
    insert_after(last, key, value)


def _same(old: object, new: object) -> bool:
    # True == 1 in Python, not in TOML.
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    return old == new
