"""Key remaps from the config file's ``[keys]`` table: binding ID → keys.

Plain Python, no Textual: this only checks the table's shape. The app applies
the result with ``App.set_keymap`` (Textual replaces the keys of every binding
with that ID) and says which entries it ignored and why.

    [keys]
    browse = "f6"            # one key
    help = "f1,ctrl+underscore"   # several, comma separated
"""

from __future__ import annotations

MAX_KEYS_PER_BINDING = 8
MAX_KEY_LENGTH = 40


def _valid_key(key: str) -> bool:
    return (
        0 < len(key) <= MAX_KEY_LENGTH and key.isprintable() and not any(c.isspace() for c in key)
    )


def parse_keymap(value: object) -> tuple[dict[str, str], list[str]]:
    """The usable remaps in ``value`` and a message for each entry that is not."""
    if value is None:
        return {}, []
    if not isinstance(value, dict):
        return {}, ['[keys] must be a table of binding-id = "key" entries; ignored.']
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in value.items():
        shown = repr(binding_id)[:60]
        if not isinstance(binding_id, str) or not binding_id.strip():
            problems.append(f"[keys] {shown}: not a binding ID; ignored.")
            continue
        if not isinstance(keys, str):
            problems.append(f'[keys] {shown}: the keys must be a string such as "f6"; ignored.')
            continue
        parts = [part.strip() for part in keys.split(",")]
        if not parts or len(parts) > MAX_KEYS_PER_BINDING or not all(map(_valid_key, parts)):
            problems.append(
                f"[keys] {shown}: {keys[:60]!r} is not a comma-separated list of keys; ignored."
            )
            continue
        keymap[binding_id.strip()] = ",".join(parts)
    return keymap, problems
