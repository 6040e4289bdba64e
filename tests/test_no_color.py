"""NO_COLOR (no-color.org) in a real terminal: the bytes carry no colour at all.

One pty session visits every screen by keys with ``NO_COLOR=1`` on a 256-colour
terminal and checks every SGR sequence it wrote: the default-colour resets (39, 49)
may appear, no colour may (30–37, 40–47, 90–97, 100–107, 38;…, 48;…). Reverse video
must still mark the cursor rows and the focused input (underline the highlighted entry
of an option list: Textual drops reverse there). A second, short session checks that a
16-colour terminal still gets the 16 ANSI colours and nothing finer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection
from pathlib import Path

from ptyapp import PtyApp, cypkg_env
from textual.geometry import Region

from tui.emulator import Emulator
from tui.emulator.seed import STARTED_SUCCESS_ID
from tui.ui.theme import no_color_requested

SGR = re.compile(rb"\x1b\[([0-9;:]*)m")
#: The SGR sequence and the text it styles (up to the next escape).
STYLED = re.compile(rb"\x1b\[([0-9;:]*)m([^\x1b]*)")
F1, F3, F4, DOWN, CTRL_P = "\x1bOP", "\x1bOR", "\x1bOS", "\x1b[B", "\x10"


def colour_sequences(data: bytes, *, allowed: Collection[int] = (39, 49)) -> list[bytes]:
    """Every SGR sequence that sets a colour (a parameter outside ``allowed``)."""
    found = []
    for match in SGR.finditer(data):
        for param in match.group(1).replace(b":", b";").split(b";"):
            n = int(param) if param.isdigit() else 0
            if n in allowed:
                continue
            if n in (38, 48) or 30 <= n <= 47 or 90 <= n <= 97 or 100 <= n <= 107:
                found.append(match.group(0))
                break
    return found


def styled_with(data: bytes, param: bytes) -> list[bytes]:
    """The texts drawn with SGR parameter ``param`` (e.g. ``b"7"``, reverse)."""
    return [text for params, text in STYLED.findall(data) if param in params.split(b";")]


def write_config(env: dict[str, str]) -> None:
    path = Path(env["XDG_CONFIG_HOME"], "cypkg", "config.toml")
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text("[profiles.default]\npoll_interval = 1\n")
    path.chmod(0o600)


def test_no_color_means_no_colour_codes_on_any_screen(emulator: Emulator, tmp_path: Path) -> None:
    env = cypkg_env(tmp_path)
    env.update(NO_COLOR="1", TERM="xterm-256color")
    env.pop("COLORTERM")
    write_config(env)
    app = PtyApp("--api-url", emulator.base_url, STARTED_SUCCESS_ID, env=env, size=(100, 30))
    starts: dict[str, int] = {}

    def visit(
        name: str, keys: list[str], *needles: bytes, marked: bytes = b"", how: bytes = b"7"
    ) -> None:
        """Press ``keys``; wait for ``needles``, and for ``marked`` drawn with SGR ``how``."""
        starts[name] = since = app.mark()
        app.press(*keys)
        app.wait_for(*needles, since=since, timeout=20)
        deadline = time.monotonic() + 20
        while marked and not any(marked in text for text in styled_with(app.output[since:], how)):
            assert time.monotonic() < deadline, f"{name}: {marked!r} not drawn with SGR {how!r}"
            time.sleep(0.05)

    try:
        app.wait_for(b"amcache", b"started", b"Playbooks", timeout=30)
        visit("descriptor", ["2"], b"Description")
        visit("examples", ["3"], b"Invocation", marked=b"Both artefacts")
        visit("uploader", ["4"], b"Uploaded (UTC)")
        visit("raw", ["5"], b"packageDescriptor")
        visit("overview", ["1"], b"Playbooks")
        visit("toast", ["w"], b"atchlist")
        visit("copy box", ["c"], b"Close", marked=STARTED_SUCCESS_ID.encode())
        visit("lookup", ["escape", "escape"], b"Recent packages")
        # The focused input's cursor, then the recent list's and the browser's cursor rows.
        visit("recent list", [DOWN], marked=STARTED_SUCCESS_ID.encode(), how=b"4")
        visit("browser", [F3], b"Sort", marked=b"amcache")
        visit("watchlist", ["escape", F4], b"Watchlist", marked=b"amcache")
        visit("help", ["escape", F1], b"Close")
        visit("settings", ["escape", "f2"], b"Profile", b"Save")
        visit("palette", ["escape", CTRL_P, "q", "u", "i", "t"], b"Quit", marked=b"Quit", how=b"4")
        app.press("escape", "ctrl+q")
        assert app.wait(label="no colour") == 0
    finally:
        app.close()
    colours = colour_sequences(app.output)
    assert not colours, (len(colours), sorted(set(colours))[:10])


def test_sixteen_colours_stay_sixteen(emulator: Emulator, tmp_path: Path) -> None:
    env = cypkg_env(tmp_path)
    env.update(TERM="xterm")
    env.pop("COLORTERM")
    write_config(env)
    app = PtyApp("--api-url", emulator.base_url, STARTED_SUCCESS_ID, env=env, size=(100, 30))
    try:
        app.wait_for(b"amcache", b"started", timeout=30)
        since = app.mark()
        app.press(F3)
        app.wait_for(b"Sort", since=since, timeout=20)
        app.press("ctrl+q")
        assert app.wait(label="16 colours") == 0
    finally:
        app.close()
    ansi16 = {*range(30, 38), 39, *range(40, 48), 49, *range(90, 98), *range(100, 108)}
    assert colour_sequences(app.output)  # colours are there …
    assert not colour_sequences(app.output, allowed=ansi16)  # … only the terminal's 16


def test_no_color_counts_only_when_not_empty() -> None:
    assert no_color_requested({"NO_COLOR": "1"})
    assert no_color_requested({"NO_COLOR": "0"})  # any value, even "0" (no-color.org)
    assert not no_color_requested({"NO_COLOR": ""})
    assert not no_color_requested({})


async def test_no_color_marks_an_invalid_field_by_underline(make_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """In colour, a field that failed validation has a red border and background."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        field = app.screen.query(".form-row Input").first()
        field.add_class("-invalid")
        await pilot.pause()
        strips = field.render_lines(Region(0, 0, field.size.width, field.size.height))
        styles = [segment.style for strip in strips for segment in strip if segment.text.strip()]
        assert styles and all(style is not None and style.underline for style in styles)
        assert all(style.color is None or style.color.is_default for style in styles)  # type: ignore[union-attr]
