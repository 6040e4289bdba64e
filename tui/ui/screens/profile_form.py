"""The settings screen's form: its fields, what they hold, and their validation.

:func:`build_profile` checks the form's values (pure: no widget involved);
:class:`ProfileFormScreen` is the form half of
:class:`tui.ui.screens.settings.SettingsScreen` — loading a profile into the
fields, reading them back (masked secrets kept), showing errors as edited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, cast

from textual import on
from textual.content import Content
from textual.widgets import Input, Select

from tui.api.errors import ConfigError
from tui.api.ids import is_uuid
from tui.api.urls import normalize_base_url
from tui.config import (
    DEFAULT_DAILY_BUDGET,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_PROFILE,
    DEFAULT_REQUEST_TIMEOUT,
    MAX_POLL_INTERVAL,
    MIN_POLL_INTERVAL,
    Profile,
    Secret,
    scrub,
)
from tui.ui.screens.base import CypkgScreen
from tui.ui.widgets.fields import ValueStatic

CUSTOM = "custom"
NEW_PROFILE = "\x00new"  # cannot clash: profile names hold no control characters


@dataclass(frozen=True)
class FormValues:
    """What the form holds, as typed."""

    name: str
    region: str
    base_url: str
    tenant_id: str
    app_id: str
    app_secret: str
    ca_bundle: str
    poll_interval: str


def build_profile(
    values: FormValues, original: Profile | None
) -> tuple[Profile | None, dict[str, str]]:
    """A validated :class:`Profile` from the form, or the problems keyed by field id."""
    errors: dict[str, str] = {}
    name = values.name.strip()
    if not name:
        errors["name"] = "A profile needs a name."
    base_url: str | None = None
    region: str | None = None
    if values.region == CUSTOM:
        try:
            base_url = normalize_base_url(values.base_url)
        except ConfigError as exc:
            errors["base_url"] = str(exc)
    else:
        region = values.region
    for key, label in (("tenant_id", "Tenant ID"), ("app_id", "App ID")):
        value = getattr(values, key).strip()
        if not value:
            errors[key] = f"{label} is required."
        elif not is_uuid(value):
            errors[key] = f"{label} must be a UUID (8-4-4-4-12 hex digits)."
    try:
        interval = float(values.poll_interval.strip() or DEFAULT_POLL_INTERVAL)
        if not MIN_POLL_INTERVAL <= interval <= MAX_POLL_INTERVAL:
            raise ValueError
    except ValueError:
        errors["poll_interval"] = (
            f"Poll interval: a number of seconds from {MIN_POLL_INTERVAL:g} "
            f"to {MAX_POLL_INTERVAL:g}."
        )
        interval = DEFAULT_POLL_INTERVAL
    ca_bundle = values.ca_bundle.strip()
    if ca_bundle and not Path(ca_bundle).expanduser().is_file():
        errors["ca_bundle"] = f"CA bundle: no such file: {ca_bundle}"
    secret = Secret(values.app_secret.strip()) if values.app_secret.strip() else None
    if secret is None and original is not None and original.app_secret:
        secret = original.app_secret
    if errors:
        # Messages quote what was typed, and the secret may have been pasted anywhere.
        hide = (secret or Secret()).mask
        return None, {key: hide(message) for key, message in errors.items()}
    try:
        profile = Profile(
            name=name,
            region=region,
            base_url=base_url,
            tenant_id=values.tenant_id.strip(),
            app_id=values.app_id.strip(),
            app_secret=secret or Secret(),
            ca_bundle=str(Path(ca_bundle).expanduser()) if ca_bundle else None,
            poll_interval=interval,
            scopes=original.scopes if original else None,
            # Not in the form: kept as the file has it.
            request_timeout=original.request_timeout if original else DEFAULT_REQUEST_TIMEOUT,
            daily_budget=original.daily_budget if original else DEFAULT_DAILY_BUDGET,
            extras=original.extras if original else {},
        )
    except ConfigError as exc:
        return None, {"name": str(exc)}
    return profile, {}


class ProfileFormScreen(CypkgScreen):
    """The profile form of the settings screen (its layout and actions are there)."""

    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("name", "Name"),
        ("base_url", "Base URL"),
        ("tenant_id", "Tenant ID"),
        ("app_id", "App ID"),
        ("app_secret", "App secret"),
        ("ca_bundle", "CA bundle"),
        ("poll_interval", "Poll (s)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.editing: Profile | None = None
        #: Fields whose saved value holds the secret: field id -> (masked as shown, saved).
        #: Left as shown, the field keeps the saved value.
        self._masked: dict[str, tuple[str, str]] = {}
        #: The errors on screen, by field id.
        self._errors: dict[str, str] = {}
        #: The form as last loaded or saved: anything else is an unsaved edit.
        self._loaded: FormValues | None = None

    # -- form -------------------------------------------------------------------------

    def _profiles(self) -> Mapping[str, Profile]:
        profiles = dict(self.cy.config.profiles)
        active = self.cy.profile
        profiles.setdefault(active.name, active)
        return profiles

    def _fill_profiles(self, selected: str) -> None:
        profiles = self._profiles()
        select = cast("Select[str]", self.query_one("#profile-select", Select))
        with self.prevent(Select.Changed):
            select.set_options(self._profile_options())
            select.value = selected if selected in profiles else NEW_PROFILE
        self._load(profiles.get(selected))

    def _profile_options(self) -> list[tuple[Content, str]]:
        options: list[tuple[Content, str]] = [
            (Content(self.scrub(name, limit=40)), name) for name in sorted(self._profiles())
        ]
        options.append((Content("＋ New profile"), NEW_PROFILE))
        return options

    def _load(self, profile: Profile | None) -> None:
        self.editing = profile
        self._masked = {}
        self._show("name", profile.name if profile else "")
        region = cast("Select[str]", self.query_one("#region", Select))
        if profile is not None and profile.base_url:
            region.value = CUSTOM
        else:
            region.value = (profile.region if profile else None) or "na"
        self._show("base_url", (profile.base_url if profile else None) or "")
        self._show("tenant_id", profile.tenant_id if profile else "")
        self._show("app_id", profile.app_id if profile else "")
        secret = self._input("app_secret")
        secret.value = ""
        has_secret = profile is not None and bool(profile.app_secret)
        secret.placeholder = "set (leave empty to keep it)" if has_secret else "not set"
        self._show("ca_bundle", (profile.ca_bundle if profile else None) or "")
        interval = profile.poll_interval if profile else DEFAULT_POLL_INTERVAL
        self._input("poll_interval").value = f"{interval:g}"
        self._sync_base_url()
        self._show_errors({})
        self._loaded = self.values()

    def _input(self, key: str) -> Input:
        return self.query_one(f"#{key}", Input)

    def _secrets(self) -> list[Secret]:
        """Every secret the form might show by mistake: each profile's, the one in use
        (it may come from CYPKG_APP_SECRET rather than the file), the one typed."""
        secrets = [profile.app_secret for profile in self._profiles().values()]
        secrets.append(self.cy.profile.app_secret)
        typed = self.query("#app_secret")  # not there yet while composing
        if typed:
            secrets.append(Secret(typed.first(Input).value.strip()))
        return secrets

    def scrub(self, text: object, *, limit: int | None = None) -> str:
        """``text`` fit to show on this screen: no secret, nothing that acts on a terminal."""
        return scrub(text, self._secrets(), limit=limit)

    def _show(self, key: str, value: str) -> None:
        """Put a saved value in its field; one that holds a secret is shown masked."""
        shown = value
        for secret in self._secrets():
            shown = secret.mask(shown)
        if shown != value:
            self._masked[key] = (shown, value)
        self._input(key).value = shown

    def _value(self, key: str) -> str:
        """What field ``key`` holds: the saved value if it was shown masked and left so."""
        value = self._input(key).value
        masked = self._masked.get(key)
        return masked[1] if masked is not None and value == masked[0] else value

    def _sync_base_url(self) -> None:
        custom = self.query_one("#region", Select).value == CUSTOM
        self._input("base_url").disabled = not custom

    @on(Select.Changed, "#profile-select")
    def _profile_chosen(self, event: Select.Changed) -> None:
        value = event.value
        if self.editing is not None and value == self.editing.name:
            return
        if value == NEW_PROFILE:
            self._load(None)
            self._input("name").value = _new_name(self._profiles())
            self._loaded = self.values()
        elif isinstance(value, str):
            self._load(self._profiles().get(value))

    @on(Select.Changed, "#region")
    def _region_chosen(self) -> None:
        self._sync_base_url()

    def values(self) -> FormValues:
        region = self.query_one("#region", Select).value
        return FormValues(
            name=self._value("name"),
            region=region if isinstance(region, str) else "na",
            base_url=self._value("base_url"),
            tenant_id=self._value("tenant_id"),
            app_id=self._value("app_id"),
            app_secret=self._input("app_secret").value,
            ca_bundle=self._value("ca_bundle"),
            poll_interval=self._input("poll_interval").value,
        )

    def _original(self, name: str) -> Profile | None:
        """The saved profile the form's secret falls back to (same name only)."""
        editing = self.editing
        if editing is not None and editing.name == name.strip():
            return editing
        return self._profiles().get(name.strip())

    @on(Input.Changed)
    def _field_changed(self, event: Input.Changed) -> None:
        """A field with an error is checked again as it is edited: fixed, its error goes
        (the others stay as they were until the next save or test)."""
        key = event.input.id
        if key is None or key not in self._errors:
            return
        values = self.values()
        _, errors = build_profile(values, self._original(values.name))
        shown = dict(self._errors)
        if key in errors:
            shown[key] = errors[key]
        else:
            del shown[key]
        self._show_errors(shown)

    def _show_errors(self, errors: dict[str, str]) -> None:
        self._errors = dict(errors)
        for key, _ in self.FIELDS:
            self._input(key).set_class(key in errors, "-invalid")
        box = self.query_one("#form-errors", ValueStatic)
        box.display = bool(errors)
        box.set(
            Content("\n").join(
                Content.assemble(("✘ ", "$text-error bold"), self.scrub(message, limit=300))
                for message in errors.values()
            )
        )


def _new_name(profiles: Mapping[str, Profile]) -> str:
    if DEFAULT_PROFILE not in profiles:
        return DEFAULT_PROFILE
    n = 2
    while f"profile{n}" in profiles:
        n += 1
    return f"profile{n}"
