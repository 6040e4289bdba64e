"""Profiles: credentials, region or base URL, CA bundle and poll interval.

Saving writes the config file with :func:`tui.config.save_config` (0600,
atomic) and makes the profile active, which gives the app a new client. In
demo mode nothing is written: changes live in memory only. An existing
secret is never shown back; leaving the secret field empty keeps it. Nor is a
saved value that holds the secret (pasted into the wrong field): it is shown
masked, and a field left as shown keeps the saved value.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Label, Select

from tui.api.errors import ConfigError, CypkgError
from tui.api.ids import is_uuid
from tui.api.urls import REGIONS, normalize_base_url
from tui.base.safe_text import inert
from tui.config import (
    DEFAULT_DAILY_BUDGET,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_PROFILE,
    DEFAULT_REQUEST_TIMEOUT,
    MAX_POLL_INTERVAL,
    MIN_POLL_INTERVAL,
    Config,
    Profile,
    Secret,
    load_config,
    resolve_profile,
    save_config,
    scrub,
    upsert_profile,
)
from tui.ui.screens.base import CypkgScreen
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.fields import ValueStatic
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.still import StillInput

if TYPE_CHECKING:
    from tui.ui.app import CypkgApp

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


class SettingsScreen(CypkgScreen):
    """Edit, test, save and activate profiles."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back",
            "Back",
            id="settings-back",
            tooltip="Leave (asks first about unsaved edits)",
        ),
        Binding("ctrl+s", "save", "Save", id="save", tooltip="Save and use this profile"),
        Binding(
            "ctrl+t", "test", "Test connection", id="test", tooltip="Sign in with these settings"
        ),
    ]

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

    def compose(self) -> ComposeResult:
        yield ContextBar("Settings")
        with VerticalScroll(id="settings-form"):
            yield ValueStatic(id="settings-note")
            with Horizontal(classes="form-row"):
                yield Label("Profile", classes="form-label")
                yield Select[str](
                    self._profile_options(),
                    value=self.cy.profile.name,
                    id="profile-select",
                    allow_blank=False,
                    compact=True,
                )
            with Horizontal(classes="form-row"):
                yield Label("Name", classes="form-label")
                yield StillInput(id="name", compact=True, placeholder="e.g. default")
            with Horizontal(classes="form-row"):
                yield Label("Region", classes="form-label")
                yield Select[str](
                    [(f"{r.name} ({r.url.removeprefix('https://')})", r.code) for r in REGIONS]
                    + [("Custom base URL (proxy, emulator)", CUSTOM)],
                    id="region",
                    allow_blank=False,
                    compact=True,
                )
            for key, label in self.FIELDS[1:]:
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield StillInput(
                        id=key,
                        compact=True,
                        password=key == "app_secret",
                        placeholder=_PLACEHOLDERS.get(key, ""),
                    )
            yield ValueStatic(id="form-errors")
            with Horizontal(id="settings-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button("Test connection (ctrl+t)", id="test", compact=True)
                yield Button("Back (Esc)", id="back", compact=True)
            yield ValueStatic(id="test-result")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_note()
        self.query_one("#form-errors").display = False
        self.query_one("#test-result").display = False
        self._fill_profiles(self.cy.profile.name)
        self.query_one("#name").focus()

    def _show_note(self) -> None:
        """Where profiles are kept: said as it is (no claim of a save before the first)."""
        path = self.cy.config.path
        shown = inert(str(path or "the config file"), limit=120)
        if self.cy.is_demo:
            note = "Demo mode: changes stay in memory; your config file is not touched."
        elif path is not None and path.exists():
            note = f"Saved in {shown} (mode 0600)."
        else:
            note = f"Nothing saved yet: Save (ctrl+s) writes {shown} (mode 0600)."
        self.query_one("#settings-note", ValueStatic).set(Content.styled(note, "$text-muted"))

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

    # -- actions ----------------------------------------------------------------------

    def action_back(self) -> None:
        if self._loaded is None or self.values() == self._loaded:
            self.dismiss()
            return
        from tui.ui.screens.unsaved import Choice, UnsavedChangesScreen

        def chosen(choice: Choice | None) -> None:
            if choice == "save":
                self.action_save()
                if self._errors:  # not saved: stay, the errors on screen
                    return
            if choice in ("save", "discard"):
                self.dismiss()

        self.app.push_screen(UnsavedChangesScreen(), chosen)

    def action_save(self) -> None:
        values = self.values()
        profile, errors = build_profile(values, self._original(values.name))
        self._show_errors(errors)
        if profile is None:
            self.app.bell()
            return
        app = self.cy
        config = upsert_profile(app.config, profile, activate=True)
        where = "memory (demo mode)"
        if not app.is_demo:
            try:
                save_config(config)
                config = _reload(config)
            except (ConfigError, OSError) as exc:
                self._show_errors({"name": f"Could not save: {exc}"})
                return
            where = str(config.path or "the config file")
        active = profile
        if not app.is_demo:
            try:
                active = resolve_profile(
                    config,
                    profile=profile.name,
                    api_url=app.startup.api_url_override,
                    request_timeout=app.startup.request_timeout_override,
                )
            except ConfigError:
                active = profile
        app.startup.problems.clear()
        app.use_profile(config, active)
        self._fill_profiles(profile.name)
        self._show_note()
        self.notify(
            f"Saved profile '{self.scrub(profile.name, limit=40)}' to "
            f"{inert(where, limit=120)}; it is now active.",
            title="Settings saved",
            markup=False,
        )

    def action_test(self) -> None:
        values = self.values()
        profile, errors = build_profile(values, self._original(values.name))
        self._show_errors(errors)
        if profile is None:
            return
        result = self.query_one("#test-result", ValueStatic)
        result.display = True
        result.set(Content(f"Signing in to {self.scrub(profile.api_url, limit=100)}…"))
        self._test_connection(profile, [*self._secrets(), profile.app_secret])

    @work(group="test-connection", exclusive=True, exit_on_error=False)
    async def _test_connection(self, profile: Profile, secrets: list[Secret]) -> None:
        app = self.cy
        # Through the app's one request engine: a sign-in counts in its budget too.
        content = await app.engine.request(lambda: test_connection(app, profile, secrets))
        self._show_test_result(content)

    def _show_test_result(self, content: Content) -> None:
        if self.is_attached:
            result = self.query_one("#test-result", ValueStatic)
            result.display = True
            result.set(content)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#test")
    def _test_pressed(self) -> None:
        self.action_test()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Save profile", "Save and use this profile (ctrl+s)", self.action_save),
            SystemCommand("Test connection", "Sign in now (ctrl+t)", self.action_test),
            SystemCommand(
                "Close settings", "Back; asks first about unsaved edits (Esc)", self.action_back
            ),
        ]


_PLACEHOLDERS = {
    "base_url": "https://… (only with a custom region)",
    "tenant_id": "UUID from the Cylance console",
    "app_id": "UUID of the API application",
    "ca_bundle": "optional: /path/to/ca.pem",
    "poll_interval": f"{DEFAULT_POLL_INTERVAL:g}",
}


def _new_name(profiles: Mapping[str, Profile]) -> str:
    if DEFAULT_PROFILE not in profiles:
        return DEFAULT_PROFILE
    n = 2
    while f"profile{n}" in profiles:
        n += 1
    return f"profile{n}"


def _reload(config: Config) -> Config:
    """The config as now on disk (so what is shown is what was written)."""
    try:
        return load_config(config.path)
    except ConfigError:
        return config


def test_connection(app: CypkgApp, profile: Profile, secrets: Sequence[Secret] = ()) -> Content:
    """Sign in with ``profile`` (forcing a new token); a line saying how it went.

    The line masks the profile's secret and ``secrets``: a message may quote a
    setting one of them was pasted into.
    """

    def shown(text: object, limit: int) -> str:
        return scrub(text, [profile.app_secret, *secrets], limit=limit)

    client = None
    try:
        client = app.build_client(profile)
        token = client.authenticate(force=True)
    except CypkgError as exc:
        parts: list[tuple[str, str] | str] = [
            (f"✘ {inert(exc.title)}: ", "$text-error bold"),
            shown(exc, 600),
        ]
        if exc.hint:
            parts += ["\n", ("What to do: ", "bold"), shown(exc.hint, 600)]
        return Content.assemble(*parts)
    except Exception as exc:
        return Content.assemble(
            ("✘ Unexpected error: ", "$text-error bold"),
            shown(f"{type(exc).__name__}: {exc}", 300),
        )
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
    until = datetime.fromtimestamp(token.expires_at, tz=timezone.utc)
    return Content.assemble(
        ("✔ Connected: ", "$text-success bold"),
        f"{shown(profile.api_url, 100)} accepted the credentials "
        f"(access token valid until {until:%H:%M:%S} UTC).",
    )
