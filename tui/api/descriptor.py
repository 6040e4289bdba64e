"""A package descriptor for ``POST /packages/v2``, built and checked before any request.

Pure functions: the CLI's flags and a ``descriptor.json`` come here, and so will the
TUI's form (``field_problems`` says, per field, what is wrong as the user types).
What is checked is what the API documents (a name, a version of 1 or more, examples
as ``{description, invocationString}``, ``packageInfo`` with ``fileType``,
``fileName`` and ``entryPoint``) plus sane lengths and no control characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.api.errors import UsageError
from tui.base.safe_text import inert

#: Only Python is supported by the service; the documented example uses this value.
DEFAULT_FILE_TYPE = "python"
MAX_NAME = 200
MAX_TEXT = 4000
MAX_EXAMPLES = 100
#: A descriptor file larger than this is not a descriptor.
MAX_DESCRIPTOR_FILE = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Example:
    description: str
    invocation: str

    def as_json(self) -> dict[str, str]:
        return {"description": self.description, "invocationString": self.invocation}


@dataclass(frozen=True)
class DescriptorForm:
    """What a user fills in; ``build()`` makes the API's ``packageDescriptor``."""

    name: str
    file_name: str
    description: str = ""
    file_type: str = DEFAULT_FILE_TYPE
    entry_point: str = ""
    version: int = 1
    examples: tuple[Example, ...] = field(default_factory=tuple)

    def problems(self) -> dict[str, str]:
        """Field name → what is wrong with it (empty: the form is valid)."""
        return field_problems(self)

    def build(self) -> dict[str, Any]:
        """The ``packageDescriptor`` object; UsageError naming the first bad field."""
        problems = self.problems()
        if problems:
            name, problem = next(iter(problems.items()))
            raise UsageError(f"Invalid {name}: {problem}")
        return {
            "name": self.name.strip(),
            "description": self.description,
            "examples": [example.as_json() for example in self.examples],
            "packageInfo": {
                "fileType": self.file_type.strip(),
                "fileName": self.file_name,
                "entryPoint": self.entry_point.strip(),
            },
            "version": self.version,
        }


def _text_problem(value: object, limit: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        return "must be text."
    if required and not value.strip():
        return "is required."
    if len(value) > limit:
        return f"is longer than {limit} characters."
    # Newlines and tabs are fine in a description; other control characters are not.
    if _CONTROL.search(value):
        return "contains control characters."
    return ""


def field_problems(form: DescriptorForm) -> dict[str, str]:
    """Each invalid field of ``form`` and why, in form order (for inline messages)."""
    problems: dict[str, str] = {}
    checks: list[tuple[str, object, int, bool]] = [
        ("name", form.name, MAX_NAME, True),
        ("description", form.description, MAX_TEXT, False),
        ("file type", form.file_type, MAX_NAME, True),
        ("file name", form.file_name, MAX_NAME, True),
        ("entry point", form.entry_point, MAX_NAME, False),
    ]
    for label, value, limit, required in checks:
        problem = _text_problem(value, limit, required=required)
        if problem:
            problems[label] = problem
    if isinstance(form.name, str) and "\n" in form.name:
        problems.setdefault("name", "must be one line.")
    if isinstance(form.file_name, str) and ("/" in form.file_name or "\\" in form.file_name):
        problems.setdefault("file name", "must be a file name, not a path.")
    version = form.version
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems["version"] = "must be a whole number, 1 or higher."
    if len(form.examples) > MAX_EXAMPLES:
        problems["examples"] = f"at most {MAX_EXAMPLES}."
    for index, example in enumerate(form.examples, 1):
        parts = (("description", example.description), ("invocation", example.invocation))
        for part, value in parts:
            problem = _text_problem(value, MAX_TEXT, required=True)
            if problem:
                problems.setdefault(f"example {index}", f"its {part} {problem}")
    return problems


def parse_example(text: str) -> Example:
    """``"DESCRIPTION=INVOCATION"`` (split at the first ``=``; the invocation may hold more)."""
    description, sep, invocation = text.partition("=")
    if not sep or not description.strip() or not invocation.strip():
        raise UsageError(
            f"Invalid example '{inert(text, limit=60)}': write it as "
            '"DESCRIPTION=INVOCATION", e.g. "Collect all=main.py --all".'
        )
    return Example(description.strip(), invocation.strip())


def parse_version(text: str) -> int:
    try:
        version = int(text.strip())
    except ValueError:
        version = 0
    if version < 1:
        raise UsageError(f"Invalid version '{inert(text, limit=20)}': a whole number, 1 or higher.")
    return version


def load_descriptor_file(path: Path) -> dict[str, Any]:
    """A ``descriptor.json``: the ``packageDescriptor`` object (or a create body holding one)."""
    shown = inert(str(path), limit=200)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DESCRIPTOR_FILE + 1)
    except OSError as exc:
        raise UsageError(f"Cannot read the descriptor {shown}: {exc.strerror or exc}.") from None
    if len(data) > MAX_DESCRIPTOR_FILE:
        raise UsageError(f"The descriptor {shown} is larger than 1 MB.")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise UsageError(f"The descriptor {shown} is not valid JSON.") from None
    if isinstance(value, dict) and isinstance(value.get("packageDescriptor"), dict):
        value = value["packageDescriptor"]
    if not isinstance(value, dict):
        raise UsageError(f"The descriptor {shown} must hold a JSON object.")
    return value


def form_from_json(value: Mapping[str, Any], file_name: str) -> DescriptorForm:
    """A form from a descriptor object; UsageError when a field has the wrong shape."""
    info = value.get("packageInfo") or {}
    raw_examples = value.get("examples") or []
    if not isinstance(info, Mapping) or not isinstance(raw_examples, Sequence):
        raise UsageError("The descriptor's packageInfo must be an object and examples a list.")
    examples = []
    for item in raw_examples:
        if not isinstance(item, Mapping):
            raise UsageError("Each example must be an object {description, invocationString}.")
        examples.append(Example(item.get("description", ""), item.get("invocationString", "")))
    version = value.get("version", 1)
    return DescriptorForm(
        name=value.get("name", ""),
        description=value.get("description", "") or "",
        file_type=info.get("fileType", DEFAULT_FILE_TYPE) or DEFAULT_FILE_TYPE,
        file_name=info.get("fileName") or file_name,
        entry_point=info.get("entryPoint", "") or "",
        version=version if isinstance(version, int) else 0,
        examples=tuple(examples),
    )


def create_body(descriptor: Mapping[str, Any], checksum: str) -> bytes:
    """The ``POST /packages/v2`` body; UsageError for a checksum that is not SHA-256 hex."""
    digest = checksum.strip().lower() if isinstance(checksum, str) else ""
    if not _SHA256.fullmatch(digest):
        raise UsageError("The checksum must be the file's SHA-256 as 64 hexadecimal digits.")
    body = {"checksum": digest, "packageDescriptor": dict(descriptor)}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
