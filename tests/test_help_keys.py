"""Issue 13 point 9: the help (F1) wraps a long line under its own text, lists Enter
where it opens something, and says what the detail screen's Esc really does."""

from __future__ import annotations

from itertools import pairwise

from tui.ui.hanging import hang_column, wrap_hanging


def _section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(title)
    end = next((i for i in range(start + 2, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 2 : end]


async def test_help_wraps_under_the_text_column(make_app) -> None:  # type: ignore[no-untyped-def]
    from tui.ui.screens.help import HelpScreen, help_text
    from tui.ui.widgets.lazy import TextView

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        view = app.screen.query_one(TextView)
        assert view.line_count > 0  # wraps at the view's width
        drawn: list[str] = view._wrapped  # the lines as drawn (a private list: read only)
        width = view.scrollable_content_region.width
        originals = help_text(app).splitlines()
        flush = [line for line in originals if line[:1].strip()]
        assert len(drawn) > len(originals)  # some lines did wrap at 80 columns
        for line in drawn:
            assert len(line) <= width, line
            if line[:1].strip():
                # Only headings and the introduction (a paragraph, wrapped as prose)
                # start at column 0, never the rest of a wrapped key or file line.
                assert any(line in original for original in flush), repr(line)
        copy_line = next(i for i, line in enumerate(drawn) if "[copy-id]" in line)
        assert not drawn[copy_line].startswith("  c ")  # the copy line did wrap …
        assert (
            drawn[copy_line].startswith(" " * 21) and drawn[copy_line][21] != " "
        )  # … under its text


async def test_help_lists_enter_and_the_real_back(make_app) -> None:  # type: ignore[no-untyped-def]
    from tui.ui.screens.help import help_text

    app = make_app()
    async with app.run_test(size=(80, 24)):
        text = help_text(app)
    for title in ("Lookup", "Package browser (F3)", "Watchlist (F4)"):
        keys = [line.split()[0] for line in _section(text, title)]
        assert "⏎" in keys or "enter" in keys, (title, keys)
    detail = _section(text, "Package detail")
    back = next(line for line in detail if line.split()[0] == "esc")
    assert "lookup" not in back and "previous screen" in back, back
    # Pause and Resume share their key and ID: one line.
    assert [line.split()[0] for line in detail].count("p") == 1, detail
    assert "Back to the package lookup" not in text


def test_hang_column() -> None:
    assert hang_column("  c                  Copy: c the ID") == 21
    assert hang_column("  0 of 5 requests today (UTC day)") == 2
    assert hang_column('  theme = "ansi-dark"            the colours') == 33
    assert hang_column("Heading") == 0


def test_wrap_hanging() -> None:
    line = "  c                  Copy: c the package ID, u the download URL, i the invocation"
    assert wrap_hanging(line, 100) == [line]
    wrapped = wrap_hanging(line, 50)
    assert wrapped[0].startswith("  c                  Copy:")
    assert all(part.startswith(" " * 21) and part[21] != " " for part in wrapped[1:])
    assert all(len(part) <= 50 for part in wrapped)
    assert " ".join(part.strip() for part in wrapped[1:]) in line
    # A path longer than the room left is cut, still under its column.
    path = "  config file        /" + "x" * 70
    assert all(part.startswith(" " * 21) for part in wrap_hanging(path, 60)[1:])
    # Too narrow for the text column: continuation under the line's own indent.
    assert all(part.startswith("  ") and part[2] != " " for part in wrap_hanging(line, 24)[1:])


async def test_help_prose_rewraps_at_60_columns(make_app) -> None:  # type: ignore[no-untyped-def]
    """The introduction and the budget note were hard-wrapped for 80 columns: at 60 a
    line broke after "palette: every" and went on below (found in tmux at 60x20)."""
    from tui.ui.screens.help import HelpScreen
    from tui.ui.widgets.lazy import TextView

    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        view = app.screen.query_one(TextView)
        drawn: list[str] = view._wrapped
        width = view.scrollable_content_region.width

        def paragraph(first: int) -> list[str]:
            end = next((i for i in range(first, len(drawn)) if not drawn[i].strip()), len(drawn))
            return drawn[first:end]

        intro = paragraph(next(i for i, x in enumerate(drawn) if x.startswith("Esc (or q")))
        budget = paragraph(drawn.index("Daily request budget") + 2)
        for lines in (intro, budget):
            assert len(lines) > 1
            for line, follows in pairwise(lines):
                # A line that goes on below is full: the next word did not fit on it.
                assert len(line) + 1 + len(follows.split()[0]) > width, (line, follows)


async def test_help_covers_the_new_package_screen_and_the_download(make_app) -> None:  # type: ignore[no-untyped-def]
    """F1 lists every screen's keys: the New package screen (ctrl+o, the examples
    editor's e/x, → completing the path) and the download key d were missing."""
    from tui.ui.screens.help import help_text

    app = make_app()
    async with app.run_test(size=(100, 24)):
        text = help_text(app)
    lookup = [line.split()[0] for line in _section(text, "Lookup")]
    assert "^n" in lookup or "ctrl+n" in lookup, lookup
    detail = [line.split()[0] for line in _section(text, "Package detail")]
    assert "d" in detail, detail
    new = " ".join(_section(text, "New package (ctrl+n)"))
    for key in ("^o", "e", "x", "→"):
        assert key in new, (key, new)
    assert "Download box" in text
