"""Create, upload and download through the API layer, against the emulator on loopback."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tui.api.client import CylanceClient
from tui.api.created import check_storage_url, parse_created
from tui.api.descriptor import (
    DescriptorForm,
    Example,
    create_body,
    form_from_json,
    parse_example,
    parse_version,
)
from tui.api.errors import ConfigError, InvalidResponse, MissingScope, UsageError
from tui.api.transfer import (
    TransferCancelled,
    TransferError,
    TransferSettings,
    check_destination,
    check_upload_file,
    download_file,
    file_sha256,
    upload_file,
)
from tui.emulator import DEMO, Emulator
from tui.emulator.testing import FakeClock
from tui.emulator.uploads import DOWNLOAD_PREFIX, UPLOAD_PREFIX

DATA = b"PK\x03\x04 pretend zip " * 50_000  # ~1 MB: several chunks, spooled to a file


@pytest.fixture
def client(emu: Emulator, clock: FakeClock) -> Iterator[CylanceClient]:
    with CylanceClient(
        emu.base_url, DEMO.tenant_id, DEMO.app_id, DEMO.app_secret, clock=clock
    ) as c:
        yield c


@pytest.fixture
def file(tmp_path: Path) -> Path:
    path = tmp_path / "collector.zip"
    path.write_bytes(DATA)
    return path


def form(**changes: object) -> DescriptorForm:
    values: dict[str, object] = {"name": "collector", "file_name": "collector.zip"}
    values.update(changes)
    return DescriptorForm(**values)  # type: ignore[arg-type]


SETTINGS = TransferSettings(stall_timeout=5.0, chunk_size=64 * 1024)


# -- the descriptor --------------------------------------------------------------------


def test_descriptor_is_built_as_documented() -> None:
    built = form(examples=(parse_example("Collect all=main.py --all=yes"),), version=3).build()
    assert built == {
        "name": "collector",
        "description": "",
        "examples": [{"description": "Collect all", "invocationString": "main.py --all=yes"}],
        "packageInfo": {"fileType": "python", "fileName": "collector.zip", "entryPoint": ""},
        "version": 3,
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "a\nb"}, "name"),
        ({"name": "x\x1b]52;c;"}, "name"),
        ({"version": 0}, "version"),
        ({"version": True}, "version"),
        ({"file_name": "../etc/passwd"}, "file name"),
        ({"examples": (Example("", "run"),)}, "example 1"),
        ({"description": "x" * 5000}, "description"),
    ],
)
def test_bad_descriptor_fields_are_named(changes: dict[str, object], field: str) -> None:
    assert field in form(**changes).problems()
    with pytest.raises(UsageError, match=f"Invalid {field}"):
        form(**changes).build()


@pytest.mark.parametrize("text", ["no equals", "=main.py", "desc=", " = "])
def test_bad_examples_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="DESCRIPTION=INVOCATION"):
        parse_example(text)


def test_versions_and_checksums_are_checked() -> None:
    assert parse_version(" 4 ") == 4
    for bad in ("0", "-1", "1.5", "x"):
        with pytest.raises(UsageError):
            parse_version(bad)
    with pytest.raises(UsageError, match="SHA-256"):
        create_body({"name": "x"}, "abc")


def test_descriptor_json_fills_the_form() -> None:
    loaded = form_from_json(
        {"name": "n", "examples": [{"description": "d", "invocationString": "i"}], "version": 2},
        "f.zip",
    )
    assert loaded.file_name == "f.zip" and loaded.examples == (Example("d", "i"),)
    assert loaded.build()["version"] == 2


# -- the create answer and storage URLs ------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://storage.example/up?sig=1",
        "ftp://storage.example/up",
        "https://user:pw@storage.example/up",
        "https://storage.example/\x1b[2J",
        "",
    ],
)
def test_storage_urls_are_https_or_loopback(url: str) -> None:
    with pytest.raises((ConfigError, InvalidResponse)) as caught:
        check_storage_url(url, "upload URL")
    assert "sig=1" not in str(caught.value)  # the signature is never quoted
    assert check_storage_url("http://127.0.0.1:9/up?x=1", "upload URL")
    assert check_storage_url("https://s3.example/up?x=1", "upload URL")


@pytest.mark.parametrize(
    "answer",
    [
        [],
        {"packageId": "nope", "uploadTo": "https://s.example/u"},
        {"packageId": "e378dacb-9324-453a-b8c6-5a8406952195"},
        {"packageId": "e378dacb-9324-453a-b8c6-5a8406952195", "uploadTo": 5},
    ],
)
def test_create_answers_are_untrusted(answer: object) -> None:
    with pytest.raises(InvalidResponse):
        parse_created(answer)


def test_a_plain_http_upload_url_elsewhere_is_refused(
    client: CylanceClient, emu: Emulator, file: Path
) -> None:
    url = "http://storage.example/_emulator/upload/x?expires=1&signature=secret"
    with pytest.raises(ConfigError, match=r"http://storage\.example/_emulator/upload/x:") as caught:
        upload_file(url, file, settings=SETTINGS)
    assert "secret" not in str(caught.value)


# -- the whole flow ---------------------------------------------------------------------


def create(client: CylanceClient, file: Path) -> tuple[str, str]:
    checksum, _ = file_sha256(file)
    created = client.create_package(form().build(), checksum)
    return created.package_id, created.upload_to


def test_create_upload_download(
    client: CylanceClient, emu: Emulator, file: Path, tmp_path: Path
) -> None:
    package_id, upload_to = create(client, file)
    assert client.get_package(package_id).status == "started"
    seen: list[tuple[int, int | None]] = []
    uploaded = upload_file(
        upload_to, file, settings=SETTINGS, on_progress=lambda d, t: seen.append((d, t))
    )
    assert uploaded.size == len(DATA) and uploaded.sha256 == hashlib.sha256(DATA).hexdigest()
    assert seen[-1] == (len(DATA), len(DATA)) and len(seen) == -(-len(DATA) // (64 * 1024))
    package = client.get_package(package_id)
    assert package.status == "success" and package.size == len(DATA)
    assert package.download_url
    dest = tmp_path / "back.zip"
    got = download_file(package.download_url, dest, expected_size=len(DATA), settings=SETTINGS)
    assert got.path == dest and got.sha256 == uploaded.sha256 and dest.read_bytes() == DATA
    assert sorted(p.name for p in tmp_path.iterdir()) == ["back.zip", "collector.zip"]
    # The token went to the API, never to the storage URLs.
    assert emu.transfers.authorization_seen == 0
    assert emu.count("PUT", UPLOAD_PREFIX) == 1 and emu.count("GET", DOWNLOAD_PREFIX) == 1


def test_create_needs_the_create_scope(emu: Emulator, clock: FakeClock, file: Path) -> None:
    emu.add_app(
        DEMO.app_id.replace("d3", "e3"),
        "other-secret-of-32-bytes-or-more-0123",
        DEMO.tenant_id,
        {"opticspkgconfig:read"},
    )
    with (
        CylanceClient(
            emu.base_url,
            DEMO.tenant_id,
            DEMO.app_id.replace("d3", "e3"),
            "other-secret-of-32-bytes-or-more-0123",
            clock=clock,
        ) as reader,
        pytest.raises(MissingScope, match="opticspkgconfig:create"),
    ):
        create(reader, file)


def test_a_second_upload_is_refused(client: CylanceClient, file: Path) -> None:
    _, upload_to = create(client, file)
    upload_file(upload_to, file, settings=SETTINGS)
    with pytest.raises(TransferError, match=r"409.*not waiting"):
        upload_file(upload_to, file, settings=SETTINGS)


def test_an_upload_cut_mid_body_says_so(client: CylanceClient, emu: Emulator, file: Path) -> None:
    package_id, upload_to = create(client, file)
    emu.faults.drop_next(1, path_prefix=UPLOAD_PREFIX)
    with pytest.raises(TransferError, match=r"upload broke off after \d+ of \d+ bytes"):
        upload_file(upload_to, file, settings=SETTINGS)
    assert client.get_package(package_id).status == "started"
    upload_file(upload_to, file, settings=SETTINGS)  # the package still takes its file
    assert client.get_package(package_id).status == "success"


def test_a_storage_5xx_is_a_server_error(client: CylanceClient, emu: Emulator, file: Path) -> None:
    _, upload_to = create(client, file)
    emu.faults.fail_next(1, 503, path_prefix=UPLOAD_PREFIX)
    with pytest.raises(Exception, match="HTTP 503"):
        upload_file(upload_to, file, settings=SETTINGS)


def test_an_upload_can_be_cancelled_from_another_thread(client: CylanceClient, file: Path) -> None:
    package_id, upload_to = create(client, file)
    cancel = threading.Event()

    def progress(done: int, total: int | None) -> None:
        if done >= 128 * 1024:
            threading.Thread(target=cancel.set).start()
            cancel.wait(2)

    with pytest.raises(TransferCancelled, match="cancelled after"):
        upload_file(upload_to, file, settings=SETTINGS, on_progress=progress, cancel=cancel)
    assert client.get_package(package_id).status == "started"


def test_a_stalled_upload_ends_by_the_stall_deadline(
    client: CylanceClient, emu: Emulator, file: Path
) -> None:
    _, upload_to = create(client, file)
    emu.faults.stall_next(1, 5.0, path_prefix=UPLOAD_PREFIX)
    quick = TransferSettings(stall_timeout=0.3, chunk_size=64 * 1024)
    with pytest.raises(Exception, match=r"stalled|Timed out"):
        upload_file(upload_to, file, settings=quick)


# -- downloads ----------------------------------------------------------------------------


def uploaded(client: CylanceClient, file: Path) -> str:
    package_id, upload_to = create(client, file)
    upload_file(upload_to, file, settings=SETTINGS)
    url = client.get_package(package_id).download_url
    assert url
    return url


def test_an_interrupted_download_leaves_nothing(
    client: CylanceClient, emu: Emulator, file: Path, tmp_path: Path
) -> None:
    url = uploaded(client, file)
    dest = tmp_path / "out" / "back.zip"
    dest.parent.mkdir()
    emu.faults.reset_mid_body_next(1, path_prefix=DOWNLOAD_PREFIX)
    with pytest.raises(
        TransferError, match=r"download broke off after \d+ of \d+ bytes.*Nothing was written"
    ):
        download_file(url, dest, expected_size=len(DATA), settings=SETTINGS)
    assert list(dest.parent.iterdir()) == []


def test_a_size_mismatch_is_refused(client: CylanceClient, file: Path, tmp_path: Path) -> None:
    url = uploaded(client, file)
    with pytest.raises(TransferError, match="offers"):
        download_file(url, tmp_path / "x", expected_size=len(DATA) + 1, settings=SETTINGS)
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob("*.part"))


def test_an_existing_file_is_kept_unless_forced(
    client: CylanceClient, file: Path, tmp_path: Path
) -> None:
    url = uploaded(client, file)
    dest = tmp_path / "back.zip"
    dest.write_bytes(b"mine")
    with pytest.raises(UsageError, match="--force"):
        download_file(url, dest, settings=SETTINGS)
    assert dest.read_bytes() == b"mine"
    # A link in place of the file is replaced with --force, its target untouched.
    target = tmp_path / "target"
    target.write_bytes(b"keep")
    dest.unlink()
    dest.symlink_to(target)
    download_file(url, dest, force=True, settings=SETTINGS)
    assert not dest.is_symlink() and dest.read_bytes() == DATA and target.read_bytes() == b"keep"


def test_a_forged_download_url_is_refused(
    client: CylanceClient, file: Path, tmp_path: Path
) -> None:
    url = uploaded(client, file)
    with pytest.raises(TransferError, match="403"):
        download_file(url.replace("signature=", "signature=0"), tmp_path / "x", settings=SETTINGS)


def test_local_checks_come_first(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="empty"):
        (tmp_path / "e").write_bytes(b"")
        check_upload_file(tmp_path / "e")
    with pytest.raises(UsageError, match="Cannot read"):
        check_upload_file(tmp_path / "missing")
    with pytest.raises(UsageError, match="not a regular file"):
        check_upload_file(tmp_path)
    with pytest.raises(UsageError, match="directory"):
        check_destination(tmp_path)
    with pytest.raises(UsageError, match="does not exist"):
        check_destination(tmp_path / "no" / "file")


def test_transfers_never_carry_a_token(emu: Emulator, file: Path) -> None:
    """Even a client built with a default Authorization header would not send one."""
    sent: list[httpx.Request] = []
    real = httpx.HTTPTransport()

    class Spy(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return real.handle_request(request)

    settings = TransferSettings(transport=Spy())
    url = f"{emu.base_url}{UPLOAD_PREFIX}x"
    with pytest.raises(TransferError):
        upload_file(url, file, settings=settings)
    assert sent and all("authorization" not in r.headers for r in sent)
