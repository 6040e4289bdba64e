"""``cypkg create FILE``: check, hash, create, upload, then watch like ``cypkg watch``.

Everything the command can check is checked before any request (the file, the
descriptor, the examples). The file is read twice, in chunks: once for the checksum
the create request must carry, once as the upload's body (a file that changed in
between is said so: the service will mark the package failed).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.api.created import Created
    from tui.api.descriptor import DescriptorForm
    from tui.config import Profile
    from tui.polling.clients import Demo
from tui.cli.common import (
    DEFAULT_GIVE_UP_AFTER,
    EXIT_OK,
    _client,
    _safe_json,
    _Signalled,
    _Subject,
    _write,
)


def add_create_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the package file to upload")
    parser.add_argument("--name", help="package name (required unless --descriptor has one)")
    parser.add_argument("--description", help="what the package does")
    parser.add_argument("--file-type", help="packageInfo.fileType (default python)")
    parser.add_argument("--entry-point", help="packageInfo.entryPoint, e.g. main.py")
    parser.add_argument("--file-name", help="packageInfo.fileName (default: FILE's name)")
    parser.add_argument("--version", type=str, help="descriptor version, 1 or higher (default 1)")
    parser.add_argument(
        "--example",
        action="append",
        default=[],
        metavar="DESCRIPTION=INVOCATION",
        help="an example (repeatable), e.g. --example 'Collect all=main.py --all'",
    )
    parser.add_argument(
        "--descriptor",
        metavar="JSON",
        help="a packageDescriptor JSON file; the options above override its fields",
    )
    parser.add_argument("--no-watch", action="store_true", help="stop after the upload")
    parser.add_argument(
        "--interval", type=float, default=None, help="seconds between polls while watching"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the create answer and the final package"
    )


def build_form(args: argparse.Namespace, file_name: str) -> DescriptorForm:
    """The descriptor from --descriptor and the options; UsageError before any request."""
    import dataclasses

    from tui.api.descriptor import (
        DescriptorForm,
        form_from_json,
        load_descriptor_file,
        parse_example,
        parse_version,
    )

    base = (
        form_from_json(load_descriptor_file(Path(args.descriptor)), file_name)
        if args.descriptor
        else DescriptorForm(name="", file_name=file_name)
    )
    changes: dict[str, object] = {
        key: value
        for key, value in (
            ("name", args.name),
            ("description", args.description),
            ("file_type", args.file_type),
            ("entry_point", args.entry_point),
            ("file_name", args.file_name),
        )
        if value is not None
    }
    if args.version is not None:
        changes["version"] = parse_version(args.version)
    if args.example:
        changes["examples"] = tuple(parse_example(text) for text in args.example)
    form = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
    if not (isinstance(form.name, str) and form.name.strip()):
        from tui.api.errors import UsageError

        raise UsageError("A package name is required: --name NAME (or a name in --descriptor).")
    return form


def cmd_create(args: argparse.Namespace, profile: Profile, demo: Demo | None) -> int:
    from tui.api.transfer import TransferSettings, check_upload_file, file_sha256, upload_file
    from tui.cli.format import note
    from tui.cli.progress import Progress
    from tui.polling.present import transfer_size

    path = Path(args.file)
    size = check_upload_file(path)
    form = build_form(args, path.name)
    problem = form.problems().get("file name")
    if problem and args.file_name is None and form.file_name == path.name:
        from tui.api.errors import UsageError

        hint = "FILE's own name is the default; give another with --file-name NAME."
        raise UsageError(f"Invalid file name: {problem}", hint=hint)
    descriptor = form.build()
    hashing = Progress("checksum")
    try:
        checksum, _ = file_sha256(path, on_progress=hashing if size > 50_000_000 else None)
    except (KeyboardInterrupt, _Signalled):
        hashing.end()
        print(
            note("", "Interrupted while reading the file: nothing was sent to the server."),
            file=sys.stderr,
        )
        raise
    finally:
        hashing.end()
    from tui.api.errors import InvalidResponse, NetworkError, ServerError

    with _client(profile, demo, subject=_Subject("create")) as client:
        try:
            created = client.create_package(descriptor, checksum)
        except (KeyboardInterrupt, _Signalled):
            maybe = (
                "Interrupted while creating: the service may have created a started package "
                "(it times out with no file); `cypkg list --status started` shows it."
            )
            print(note("", maybe), file=sys.stderr)
            raise
        except (NetworkError, InvalidResponse, ServerError) as exc:
            # A lost answer, a 5xx from a gateway, a 2xx that makes no sense: in each,
            # the service may have made the package.
            also = f"{exc.hint} " if isinstance(exc, InvalidResponse) else ""
            exc.hint = (
                f"{also}The service may have made the package all the same: "
                "`cypkg list --status started` shows a package it made."
            )
            raise
    if args.json:
        _write(_safe_json(created.raw) + "\n")
    else:
        _write(f"created {created.package_id}\n")
    settings = TransferSettings(ca_bundle=profile.ca_bundle, stall_timeout=profile.request_timeout)
    print(note(created.package_id, f"uploading {transfer_size(size)}…"), file=sys.stderr)
    progress = Progress("upload")
    try:
        uploaded = upload_file(created.upload_to, path, settings=settings, on_progress=progress)
    except (KeyboardInterrupt, _Signalled):
        progress.end()
        _left_on_server(created, "The upload was interrupted", progress.last)
        raise
    except Exception:
        progress.end()
        _left_on_server(created, "The upload did not complete", progress.last)
        raise
    progress.end()
    if uploaded.sha256 != checksum:
        changed = "the file changed since its checksum was taken: the package will fail."
        print(note(created.package_id, changed), file=sys.stderr)
    done = f"uploaded {uploaded.size} bytes, SHA-256 {uploaded.sha256}"
    print(note(created.package_id, done + "."), file=sys.stderr)
    if args.no_watch:
        return EXIT_OK
    try:
        return _watch(args, profile, demo, created.package_id)
    except (KeyboardInterrupt, _Signalled):
        uploaded_text = (
            f"Stopped watching: package {created.package_id} exists on the server and has "
            f"its file; `cypkg watch {created.package_id}` shows how it ends."
        )
        print(note("", uploaded_text), file=sys.stderr)
        raise


def _left_on_server(created: Created, what: str, sent: tuple[int, int | None]) -> None:
    from tui.cli.format import note

    done, total = sent
    if total is not None and done >= total:
        # Sent, but not known to be received: storage may have the whole file, or not.
        text = (
            f"{what}: all {done} bytes were sent but storage did not answer; package "
            f"{created.package_id} exists on the server, status started, and either has "
            "its file (it becomes success or failed) or not (it becomes timeout): "
            f"`cypkg watch {created.package_id}` shows which."
        )
        print(note("", text), file=sys.stderr)
        return
    text = (
        f"{what}: package {created.package_id} exists on the server, status started; "
        "with no file it becomes timeout after its upload timeout. Run `cypkg create` "
        "again to upload a new package."
    )
    print(note("", text), file=sys.stderr)


def _watch(args: argparse.Namespace, profile: Profile, demo: Demo | None, package_id: str) -> int:
    """``cypkg watch ID`` and its exit code; with --json only the final package is kept."""
    import contextlib

    from tui.cli.watch import _watch_many

    args.give_up_after = getattr(args, "give_up_after", DEFAULT_GIVE_UP_AFTER)
    if not args.json:
        return _watch_many(args, profile, demo, [package_id])
    lines = _LastLine()
    try:
        with contextlib.redirect_stdout(lines):
            code = _watch_many(args, profile, demo, [package_id])
    finally:
        if lines.last:
            _write(lines.last)
    return code


class _LastLine(io.StringIO):
    """stdout while watching with --json: only the last line (the final package) is kept."""

    def __init__(self) -> None:
        super().__init__()
        self.last = ""
        self._partial = ""

    def write(self, text: str) -> int:
        self._partial += text
        if "\n" in self._partial:
            complete, _, self._partial = self._partial.rpartition("\n")
            self.last = complete.rsplit("\n", 1)[-1] + "\n"
        return len(text)
