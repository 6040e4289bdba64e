"""The lookup baseline: one process, one ``GET /packages/v2/{id}`` with httpx, body printed.

    python benchmarks/httpx_get.py BASE_URL ACCESS_TOKEN PACKAGE_ID

The token is fetched beforehand by the benchmark (this is the least a script
can do for one lookup with a token it already has).
"""

from __future__ import annotations

import sys

import httpx


def main(base_url: str, token: str, package_id: str) -> int:
    response = httpx.get(
        f"{base_url}/packages/v2/{package_id}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=10,
    )
    sys.stdout.write(response.text + "\n")
    return 0 if response.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
