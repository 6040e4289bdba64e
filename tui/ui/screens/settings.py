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
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Label, Select

from tui.api.errors import ConfigError, CypkgError
from tui.api.urls import REGIONS
from tui.base.safe_text import inert
from tui.config import (
    DEFAULT_POLL_INTERVAL,
    Config,
    Profile,
    Secret,
    load_config,
    resolve_profile,
    save_config,
    scrub,
    upsert_profile,
)

# FormValues: kept importable from here, as before the form had its own module.
from tui.ui.screens.profile_form import CUSTOM, ProfileFormScreen, build_profile
from tui.ui.screens.profile_form import FormValues as FormValues
from tui.ui.widgets.context_bar import ContextBar
from tui.ui.widgets.fields import ValueStatic
from tui.ui.widgets.footer import Footer
from tui.ui.widgets.still import StillInput

if TYPE_CHECKING:
    from tui.ui.app import CypkgApp


class SettingsScreen(ProfileFormScreen):
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
