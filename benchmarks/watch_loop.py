"""The idle-output baseline: ``watch -n 5 'curl … | jq .status'`` emulated in Python.

    python benchmarks/watch_loop.py BASE_URL ACCESS_TOKEN PACKAGE_ID [INTERVAL]

Every INTERVAL seconds: fetch the package (a new connection each time, as
curl would), clear the screen and print watch's header line and the status,
the way ``watch`` repaints a terminal. Runs until killed.
"""

from __future__ import annotations

import http.client
import json
import socket
import sys
import time
from urllib.parse import urlsplit


def status_of(base_url: str, token: str, package_id: str) -> str:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        connection.request(
            "GET", f"/packages/v2/{package_id}", headers={"Authorization": f"Bearer {token}"}
        )
        body = connection.getresponse().read()
    finally:
        connection.close()
    try:
        return json.dumps(json.loads(body).get("status"))
    except ValueError:
        return "parse error"


def main(base_url: str, token: str, package_id: str, interval: float = 5.0) -> None:
    url = f"{base_url}/packages/v2/{package_id}"
    command = f"curl -s -H 'Authorization: Bearer …' {url} | jq .status"
    host = socket.gethostname()
    while True:
        status = status_of(base_url, token, package_id)
        header = f"Every {interval:.1f}s: {command}"
        stamp = f"{host}: {time.strftime('%a %b %d %H:%M:%S %Y')}"
        sys.stdout.write(f"\x1b[H\x1b[2J{header}  {stamp}\n\n{status}\n")
        sys.stdout.flush()
        time.sleep(interval)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], args[1], args[2], float(args[3]) if len(args) > 3 else 5.0)
