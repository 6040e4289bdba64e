"""The token cache is keyed by the credentials, secret included (issue 10, point 10).

A token cached for the right secret must never answer for a wrong one, and a
failed sign-in with a wrong secret must leave the right one's token alone.
Against the emulator on loopback, through the CLI as a user runs it.
"""

from __future__ import annotations

import pytest

from tui import cli
from tui.api.auth import cache_key
from tui.api.retry import RetryPolicy
from tui.config import token_cache_dir
from tui.emulator import DEMO, Emulator
from tui.emulator.seed import DEMO_PACKAGE_ID

WRONG = DEMO.app_secret + "-wrong"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> Emulator:
    monkeypatch.setenv("CYPKG_API_URL", emulator.base_url)
    monkeypatch.setenv("CYPKG_TENANT_ID", DEMO.tenant_id)
    monkeypatch.setenv("CYPKG_APP_ID", DEMO.app_id)
    monkeypatch.setenv("CYPKG_APP_SECRET", DEMO.app_secret)
    fast = RetryPolicy(base_delay=0.001, max_delay=0.002, rate_limit_delay=0.01)
    monkeypatch.setattr("tui.api.client.RetryPolicy", lambda: fast)
    return emulator


def sign_ins(emulator: Emulator) -> int:
    return emulator.count("POST", "/auth")


def test_a_wrong_secret_is_not_served_from_the_cache(
    env: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["get", DEMO_PACKAGE_ID]) == 0
    assert sign_ins(env) == 1  # and the token is cached

    monkeypatch.setenv("CYPKG_APP_SECRET", WRONG)
    before = sign_ins(env)
    assert cli.main(["get", DEMO_PACKAGE_ID]) == 5  # signs in afresh, and fails at once
    assert sign_ins(env) - before == 1
    assert cli.main(["config", "check"]) == 5
    capsys.readouterr()

    monkeypatch.setenv("CYPKG_APP_SECRET", DEMO.app_secret)
    before = sign_ins(env)
    assert cli.main(["get", DEMO_PACKAGE_ID]) == 0
    assert sign_ins(env) == before  # the good token survived both failures


def test_the_cache_key_fingerprints_the_secret_without_holding_it() -> None:
    url, tenant, app = "https://protectapi.cylance.com", DEMO.tenant_id, DEMO.app_id
    key = cache_key(url, tenant, app, DEMO.app_secret)
    assert key == cache_key(url, tenant.upper(), app.upper(), DEMO.app_secret)
    assert key != cache_key(url, tenant, app, WRONG)
    assert key != cache_key(url + "x", tenant, app, DEMO.app_secret)
    assert DEMO.app_secret not in key
    # Nothing on disk names or holds the secret either.
    for path in token_cache_dir().glob("*") if token_cache_dir().exists() else []:
        assert DEMO.app_secret not in path.name + path.read_text()
