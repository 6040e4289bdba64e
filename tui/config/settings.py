"""The facts of a profile's settings, defined once: defaults, limits, keys, variables."""

from __future__ import annotations

from tui.base.safe_text import MASK

DEFAULT_PROFILE = "default"
DEFAULT_POLL_INTERVAL = 5.0
#: The tenant's whole budget is about 20 requests a second; one watcher never
#: polls faster than once a second, whatever the setting says.
MIN_POLL_INTERVAL = 1.0
MAX_POLL_INTERVAL = 3600.0
#: The deadline of one request attempt (connect to last byte); the API client's default.
DEFAULT_REQUEST_TIMEOUT = 60.0
#: Longer than anyone would wait for one answer; beyond it a typo is more likely.
MAX_REQUEST_TIMEOUT = 600.0
#: The tenant's whole quota, as the API documentation gives it.
DOCUMENTED_DAILY_QUOTA = 100_000
#: cypkg's share by default: a tenth of the quota, the rest is for the tenant's other tools.
DEFAULT_DAILY_BUDGET = 10_000
#: Above this a value is more likely a typo than a quota anyone has.
MAX_DAILY_BUDGET = 1_000_000_000

ENV_CONFIG = "CYPKG_CONFIG"
ENV_PROFILE = "CYPKG_PROFILE"
ENV_API_URL = "CYPKG_API_URL"
ENV_REGION = "CYPKG_REGION"
ENV_TENANT_ID = "CYPKG_TENANT_ID"
ENV_APP_ID = "CYPKG_APP_ID"
ENV_APP_SECRET = "CYPKG_APP_SECRET"
ENV_REQUEST_TIMEOUT = "CYPKG_REQUEST_TIMEOUT"
ENV_DAILY_BUDGET = "CYPKG_DAILY_BUDGET"

# A config file is a few hundred bytes; refuse to slurp something that is not one.
_MAX_FILE_SIZE = 1024 * 1024
_MASK = MASK
_ID_KEYS = ("tenant_id", "app_id")
_PROFILE_KEYS = (
    "region",
    "base_url",
    "tenant_id",
    "app_id",
    "app_secret",
    "ca_bundle",
    "poll_interval",
    "scopes",
    "request_timeout",
    "daily_budget",
)
