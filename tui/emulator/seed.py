"""Sample packages the emulator starts with, and a huge one for benchmarks.

The IDs are fixed so docs and tests can name them. Three packages are
``started`` relative to the emulator's start time and finish on their own:

* ``STARTED_SUCCESS_ID`` becomes ``success`` ``SUCCESS_AFTER`` (20) s after start;
* ``STARTED_FAILED_ID`` becomes ``failed`` ``FAILED_AFTER`` (35) s after start;
* ``STARTED_TIMEOUT_ID`` has ``timeout`` ``TIMEOUT_AFTER`` (50) s and times out.

``DEMO_PACKAGE_ID`` (the ID used as the example in the vendor's docs) is a
finished ``success`` package with several examples.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from tui.emulator.times import format_timestamp
from tui.emulator.uploads import DOWNLOAD_PREFIX, seeded_download_query

DEMO_PACKAGE_ID = "e378dacb-9324-453a-b8c6-5a8406952195"
STARTED_SUCCESS_ID = "5b0c7a1e-3f2d-4e8a-9c61-7d2e4f8a1b30"
STARTED_FAILED_ID = "8d4e2f6a-1c3b-4a5d-8e7f-9b0a1c2d3e41"
STARTED_TIMEOUT_ID = "c2a9e5d7-6b4f-4c1e-a3d8-0f5e7b9c1a52"
BIG_PACKAGE_ID = "9e1f4c2b-7a3d-4b5e-8c6f-1d2e3f4a5b6c"
SUCCESS_AFTER = 20.0
FAILED_AFTER = 35.0
TIMEOUT_AFTER = 50.0

_NAMESPACE = uuid.UUID("3c9d7b52-0f1e-4a6b-8d2c-5e4f3a2b1c0d")
_DAY = 86_400.0
DEFAULT_TIMEOUT = 300

_USERS = {
    "jdoe": ("4a7c1e9b-2d3f-4b8a-9e6c-0f1d2a3b4c5d", "j.doe@example.com"),
    "mgarcia": ("7e2b9d4f-6a1c-4e3b-8f5d-2c9a0b1e3d4f", "m.garcia@example.com"),
    "anakamura": ("b5d3f1a9-8c7e-4d2b-a6f4-3e1c9b7a5d2f", "a.nakamura@example.com"),
    "soconnor": ("2f8e6c4a-1b9d-4f7e-b3c5-8a6d4f2e0c1b", "s.oconnor@example.com"),
    "pkowalski": ("9c1a3e5b-7d9f-4a2c-8e4b-6f0d2b4a6c8e", "p.kowalski@example.com"),
    "content": ("0d6f8b2c-4e1a-4c9d-b7e3-5a9c1f3e7b2d", "optics-content@example.com"),
}


@dataclass(frozen=True)
class _Spec:
    name: str
    description: str
    examples: tuple[tuple[str, str], ...]
    version: int
    size: int
    uploader: str
    age: float  # seconds before the emulator start
    status: str = "success"
    category: str = "custom"
    playbooks: int = 0
    timeout: int = DEFAULT_TIMEOUT
    entry: str = "main.py"
    package_id: str = ""


_SPECS: tuple[_Spec, ...] = (
    _Spec(
        "collect_triage",
        "Windows live-response triage collection.\n"
        "Gathers event logs, prefetch, Amcache, ShimCache, registry hives and the\n"
        "MFT into one compressed archive for offline analysis.\n"
        "Runs in about 2–5 minutes on a typical workstation.",
        (
            (
                "Default triage profile into the Optics staging folder",
                'main.py --profile default --output "C:\\ProgramData\\Optics\\triage"',
            ),
            ("Include browser history for all users", "main.py --profile default --browsers all"),
            ("Only the last 48 hours of event logs", "main.py --evtx-since 48h --compress zip"),
            ("List what would be collected without copying", "main.py --dry-run"),
        ),
        version=3,
        size=2_481_152,
        uploader="jdoe",
        age=2 * _DAY + 14_523.25,
        playbooks=7,
        package_id=DEMO_PACKAGE_ID,
    ),
    _Spec(
        "memory_capture",
        "Acquires physical memory with a signed driver and streams it to the\n"
        "configured evidence share. Requires 1.2 x RAM of free space on the target volume.",
        (
            (
                "Capture to the evidence share",
                "main.py --dest \\\\evidence01\\captures --format raw",
            ),
            ("Capture compressed to the local disk", "main.py --dest D:\\captures --format aff4"),
        ),
        version=5,
        size=6_815_744,
        uploader="content",
        age=20 * _DAY + 3_301.5,
        category="cylance",
        playbooks=12,
        timeout=900,
    ),
    _Spec(
        "autoruns_snapshot",
        "Enumerates persistence locations (Run keys, services, scheduled tasks,\n"
        "WMI subscriptions, startup folders) and hashes every referenced binary.",
        (
            ("All persistence locations as CSV", "main.py --format csv"),
            ("Skip Microsoft-signed entries", "main.py --hide-signed microsoft --format json"),
            ("Also verify Authenticode signatures", "main.py --verify-signatures"),
        ),
        version=2,
        size=412_672,
        uploader="mgarcia",
        age=5 * _DAY + 40_211.75,
        playbooks=4,
    ),
    _Spec(
        "browser_history_export",
        "Exports Chrome, Edge and Firefox history, downloads and cookies metadata\n"
        "for every local profile. Cookie values are never collected.",
        (
            ("Every browser, every user", "main.py --browsers chrome,edge,firefox --users *"),
            ("One user only", "main.py --users jsmith --since 2026-11-01"),
        ),
        version=1,
        size=198_400,
        uploader="anakamura",
        age=9 * _DAY + 7_777.125,
        playbooks=2,
    ),
    _Spec(
        "prefetch_parser",
        "Parses Windows prefetch files (versions 17–30, including compressed Win10+\n"
        "files) into a run-history timeline.",
        (
            (
                "Parse all prefetch files",
                "main.py --path C:\\Windows\\Prefetch --output prefetch.csv",
            ),
        ),
        version=4,
        size=156_672,
        uploader="jdoe",
        age=12 * _DAY + 1_234.5,
        playbooks=3,
    ),
    _Spec(
        "mft_timeline",
        "Builds a super-timeline from $MFT, $UsnJrnl:$J and $LogFile.\n"
        "Large volumes can take a long time; raise the timeout for file servers.",
        (
            ("Timeline of the system drive", "main.py --volume C: --sources mft,usn"),
            ("Only entries from the last week", "main.py --volume C: --since 7d --body-file"),
        ),
        version=2,
        size=0,
        uploader="soconnor",
        age=3 * _DAY + 9_999.9,
        status="timeout",
        timeout=600,
    ),
    _Spec(
        "yara_scan_paths",
        "Scans files and process memory with the bundled YARA rule set.\n"
        "Rules are refreshed with every package version.",
        (
            ("Scan user profiles", 'main.py --paths "C:\\Users" --rules bundled'),
            (
                "Only DLLs and EXEs",
                'main.py --paths C:\\ --include "*.[dD][lL][lL]" "*.[eE][xX][eE]"',
            ),
            ("Scan running processes", "main.py --processes all --max-size 200MB"),
            ("Custom rule file shipped with the package", "main.py --rules rules/webshells.yar"),
            ("Report only, no hashes", "main.py --paths D:\\inetpub --no-hash"),
        ),
        version=9,
        size=3_145_728,
        uploader="content",
        age=16 * _DAY + 22_222.2,
        category="cylance",
        playbooks=9,
        timeout=900,
    ),
    _Spec(
        "network_connections_snapshot",
        "Records TCP/UDP endpoints with owning processes, the DNS client cache and\nthe ARP table.",
        (("Snapshot as JSON", "main.py --format json"),),
        version=1,
        size=64_512,
        uploader="pkowalski",
        age=1 * _DAY + 3_600.0,
        playbooks=5,
    ),
    _Spec(
        "scheduled_tasks_audit",
        "Lists scheduled tasks with their actions, triggers and principals, and flags\n"
        "tasks created in the last 30 days or running from user-writable paths.",
        (
            ("Flag recent and suspicious tasks", "main.py --flag-recent 30d --flag-writable"),
            ("Export raw task XML too", "main.py --export-xml tasks\\"),
        ),
        version=2,
        size=88_064,
        uploader="mgarcia",
        age=22 * _DAY + 600.0,
        playbooks=1,
    ),
    _Spec(
        "usb_device_history",
        "Reconstructs USB mass-storage history from SYSTEM, SOFTWARE and\n"
        "setupapi.dev.log: vendor, serial number, first and last connection.",
        (
            ("Full history", "main.py"),
            ("Only devices seen since a date", "main.py --since 2026-10-01"),
        ),
        version=1,
        size=73_728,
        uploader="anakamura",
        age=27 * _DAY + 5_400.0,
    ),
    _Spec(
        "powershell_history_collect",
        "Collects PSReadLine ConsoleHost_history.txt for every user and the\n"
        "PowerShell Operational and Script Block Logging event logs.",
        (
            ("History files and script block logs", "main.py --include-4104"),
            ("History files only", "main.py --history-only"),
        ),
        version=3,
        size=45_056,
        uploader="jdoe",
        age=6 * _DAY + 18_000.0,
        playbooks=6,
    ),
    _Spec(
        "lnk_jumplist_parser",
        "Parses LNK files and Jump Lists (automatic and custom destinations) to show\n"
        "which files and folders each user opened.",
        (("All users", "main.py --users *"),),
        version=2,
        size=131_072,
        uploader="soconnor",
        age=11 * _DAY + 2_000.0,
        playbooks=1,
    ),
    _Spec(
        "srum_extract",
        "Extracts the System Resource Usage Monitor database (SRUDB.dat): per-app\n"
        "network usage and energy data for the last 30–60 days.",
        (("Network usage table only", "main.py --tables network --output srum.csv"),),
        version=3,
        size=0,
        uploader="pkowalski",
        age=4 * _DAY + 12_345.0,
        status="failed",
    ),
    _Spec(
        "wmi_persistence_check",
        "Looks for WMI event subscriptions (filters, consumers, bindings) used for\n"
        "persistence, and dumps OBJECTS.DATA for offline review.",
        (
            ("Report subscriptions", "main.py"),
            ("Also copy the WMI repository", "main.py --copy-repository"),
        ),
        version=1,
        size=52_224,
        uploader="mgarcia",
        age=18 * _DAY + 9_000.0,
        playbooks=2,
    ),
    _Spec(
        "linux_triage",
        "Linux live-response collection: bash/zsh history, auth and syslog files,\n"
        "cron entries, systemd units, loaded kernel modules and listening sockets.",
        (
            ("Standard collection", "collect.py --output /var/tmp/optics-triage.tgz"),
            ("Skip logs larger than 100 MB", "collect.py --max-log-size 100M"),
        ),
        version=2,
        size=0,
        uploader="soconnor",
        age=8 * _DAY + 4_321.0,
        status="timeout",
        entry="collect.py",
    ),
    _Spec(
        "macos_unified_log_collect",
        "Exports the macOS unified log for a time window with `log collect`, plus\n"
        "LaunchAgents/LaunchDaemons and the quarantine events database.",
        (("Last 24 hours", "collect.py --last 24h"),),
        version=1,
        size=0,
        uploader="anakamura",
        age=13 * _DAY + 6_000.0,
        status="failed",
        entry="collect.py",
    ),
    _Spec(
        "hash_files_sweep",
        "Computes SHA-256 (and optionally MD5) for files under the given paths,\n"
        "skipping files larger than the configured limit.",
        (
            (
                "Hash executables under Program Files",
                'main.py --paths "C:\\Program Files" --ext exe,dll',
            ),
            ("Include MD5 for legacy intel feeds", "main.py --paths C:\\Users --md5"),
            ("Hash everything up to 50 MB", "main.py --paths D:\\ --max-size 50MB"),
        ),
        version=6,
        size=30_720,
        uploader="pkowalski",
        age=25 * _DAY + 100.0,
        playbooks=8,
    ),
    _Spec(
        "isolate_host_firewall",
        "Containment: sets Windows Firewall to block all traffic except to the\n"
        "Cylance cloud and the listed management hosts. Reversible with --undo.",
        (
            ("Isolate, keep the management subnet reachable", "main.py --allow 10.20.0.0/16"),
            ("Undo the isolation", "main.py --undo"),
        ),
        version=4,
        size=24_576,
        uploader="content",
        age=30 * _DAY + 1_800.0,
        category="cylance",
        playbooks=11,
        timeout=120,
    ),
    _Spec(
        "kill_process_tree",
        "Response action: terminates a process and all its children by PID or\n"
        "image name, recording command lines and hashes before killing.",
        (
            ("By PID", "main.py --pid 4242"),
            ("By image name", "main.py --name rundll32.exe --parent winword.exe"),
        ),
        version=2,
        size=18_432,
        uploader="jdoe",
        age=15 * _DAY + 8_000.0,
        playbooks=4,
        timeout=60,
    ),
    _Spec(
        "quarantine_file",
        "Moves a file into an encrypted quarantine container and records its hash,\n"
        "ACLs and alternate data streams.",
        (("Quarantine one file", 'main.py --path "C:\\Users\\Public\\invoice.js"'),),
        version=1,
        size=20_480,
        uploader="mgarcia",
        age=7 * _DAY + 3_000.0,
        playbooks=3,
    ),
    _Spec(
        "evtx_security_export",
        "Exports selected Security log events (4624, 4625, 4648, 4672, 4688,\n"
        "4698, 4720) as JSON lines, with SID-to-name resolution.",
        (
            ("Default event set, last 7 days", "main.py --since 7d"),
            ("Logons only", "main.py --events 4624,4625,4648 --since 30d"),
            ("All events to a file share", "main.py --all --dest \\\\evidence01\\evtx"),
        ),
        version=7,
        size=97_280,
        uploader="content",
        age=19 * _DAY + 12_000.0,
        category="cylance",
        playbooks=10,
    ),
    _Spec(
        "ransomware_canary_check",
        "Checks the canary files planted by the ransomware readiness playbook and\n"
        "reports any that were modified, renamed or encrypted.",
        (("Check all canaries", "main.py --manifest canaries.json"),),
        version=3,
        size=14_336,
        uploader="soconnor",
        age=0.5 * _DAY + 77.0,
        playbooks=1,
    ),
)

# The three packages still uploading at start: (spec, finish offset, outcome, final size).
_STARTED: tuple[tuple[_Spec, float | None, str | None, int | None], ...] = (
    (
        _Spec(
            "amcache_shimcache_parser",
            "Parses Amcache.hve and the AppCompatCache (ShimCache) value into one\n"
            "execution-evidence table with first-seen times and SHA-1 hashes.",
            (
                ("Both artefacts as CSV", "main.py --sources amcache,shimcache --format csv"),
                ("Amcache only", "main.py --sources amcache"),
            ),
            version=1,
            size=0,
            uploader="jdoe",
            age=0.0,
            status="started",
            package_id=STARTED_SUCCESS_ID,
        ),
        SUCCESS_AFTER,
        "success",
        243_712,
    ),
    (
        _Spec(
            "registry_hive_export",
            "Copies locked registry hives (SAM, SECURITY, SOFTWARE, SYSTEM, NTUSER.DAT)\n"
            "through the volume shadow copy service.",
            (("All hives", "main.py --hives all --vss"),),
            version=2,
            size=0,
            uploader="anakamura",
            age=0.0,
            status="started",
            package_id=STARTED_FAILED_ID,
        ),
        FAILED_AFTER,
        "failed",
        None,
    ),
    (
        _Spec(
            "full_disk_image_stream",
            "Streams a raw image of a volume to the evidence share.\n"
            "Very large; uploads often need more than the default timeout.",
            (("Image the system volume", "main.py --volume C: --dest \\\\evidence01\\images"),),
            version=1,
            size=0,
            uploader="pkowalski",
            age=0.0,
            status="started",
            timeout=int(TIMEOUT_AFTER),
            package_id=STARTED_TIMEOUT_ID,
        ),
        None,
        None,
        None,
    ),
)


def _package(spec: _Spec, uploaded_at: float, base_url: str) -> dict[str, Any]:
    package_id = spec.package_id or str(uuid.uuid5(_NAMESPACE, spec.name))
    user_id, login = _USERS[spec.uploader]
    return {
        "category": spec.category,
        # Signed with the seed's fixed key: the same URL every run (see uploads.SEED_KEY).
        "downloadUrl": f"{base_url}{DOWNLOAD_PREFIX}{package_id}?"
        + seeded_download_query(package_id),
        "packageDescriptor": {
            "description": spec.description,
            "examples": [{"description": d, "invocationString": s} for d, s in spec.examples],
            "name": spec.name,
            "packageInfo": {
                "entryPoint": spec.entry,
                "fileName": f"{spec.name}.zip",
                "fileType": "python",
            },
            "packageId": package_id,
            "version": spec.version,
        },
        "packageId": package_id,
        "playbookCount": spec.playbooks,
        "size": spec.size,
        "status": spec.status,
        "timeout": spec.timeout,
        "uploadedBy": {"id": user_id, "login": login},
        "uploadedOn": format_timestamp(uploaded_at),
        "_uploaded_at": uploaded_at,
        "_seeded": True,  # once success with a size, its file is generated (seeded_files.py)
    }


def seed_packages(start: float, base_url: str) -> list[dict[str, Any]]:
    """The sample packages for an emulator started at ``start`` (epoch s)."""
    packages = [_package(spec, start - spec.age, base_url) for spec in _SPECS]
    for spec, finish_after, outcome, final_size in _STARTED:
        package = _package(spec, start, base_url)
        if finish_after is not None:
            package.update(_finish_at=start + finish_after, _outcome=outcome)
        if final_size is not None:
            package["_final_size"] = final_size
        packages.append(package)
    return packages


def big_package(
    n_examples: int = 3000,
    description_kb: int = 300,
    *,
    uploaded_at: float = 1_795_000_000.0,
    base_url: str = "http://127.0.0.1",
) -> dict[str, Any]:
    """One oversized package (``BIG_PACKAGE_ID``) to benchmark parsing and rendering."""
    line = "Collects artefacts from every mounted volume and writes a detailed manifest. "
    repeats = description_kb * 1024 // len(line) + 1
    description = "\n".join(line for _ in range(repeats))[: description_kb * 1024]
    spec = _Spec(
        "bulk_collection_stress",
        description,
        tuple(
            (f"Example {i}: collect set {i % 97}", f"main.py --set {i % 97} --chunk {i}")
            for i in range(n_examples)
        ),
        version=42,
        size=512 * 1024 * 1024,
        uploader="content",
        age=0.0,
        playbooks=3,
        package_id=BIG_PACKAGE_ID,
    )
    return _package(spec, uploaded_at, base_url)
