"""The watchlist's summary line, made to fit one terminal line (80 columns, 60 on a
jump host) by giving up detail in a fixed order rather than wrapping.

Each part of the line has forms from the longest to the shortest ("" drops it);
:func:`degrade` lists the whole lines as the parts shrink one step at a time, and
:func:`fit_line` takes the first that fits.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len

from tui.api.models import Status
from tui.polling.present import STATUS_LABELS, human_duration
from tui.ui.widgets.lazy import fit

SEPARATOR = " · "


def degrade(parts: Sequence[Sequence[str]], order: Sequence[int]) -> list[str]:
    """The line with every part at its first form, then one line per step of ``order``
    (the index of the part that takes its next, shorter form)."""
    forms = [0] * len(parts)

    def line() -> str:
        chosen = (part[form] for part, form in zip(parts, forms, strict=True))
        return SEPARATOR.join(filter(None, chosen))

    lines = [line()]
    for index in order:
        forms[index] = min(forms[index] + 1, len(parts[index]) - 1)
        lines.append(line())
    return lines


def fit_line(variants: Sequence[str], width: int) -> str:
    """The first of ``variants`` that fits ``width`` cells; else the last, cut with ``…``."""
    for text in variants:
        if cell_len(text) <= width:
            return text
    return fit(variants[-1], width).rstrip()


def summary_variants(
    total: int,
    counts: dict[Status, int],
    *,
    used: int,
    budget: int,
    active: int,
    per_second: int,
    answered: str | None = None,
    stretched: float | None = None,
    held: str | None = None,
) -> list[str]:
    """The summary, longest first: ``4 watched · ◷ 2 started · ✘ 1 failed · polling 2
    (≤5/s) · answered 15:34:38 · 7 of 10,000 requests today`` down to ``4 watched ·
    ◷2 ✘1``. The poll rate goes first, then the counts' words (the rows say them),
    then the daily count's words, the last answer, the daily count and the number
    polled; what is watched and how it stands stays."""
    shown = [(*STATUS_LABELS[status], n) for status, n in counts.items()]
    states = [
        SEPARATOR.join(f"{sym} {n} {word}" for sym, word, n in shown),
        " ".join(f"{sym}{n}" for sym, _, n in shown),
    ]
    usage = [f"{used:,} of {budget:,} requests today", f"{used:,} of {budget:,} today", ""]
    if held is not None:
        # Nothing is sent while paused; the pause is what matters.
        activity = [f"⏸ rate limited until {held}", f"⏸ until {held}"]
        parts = [[f"{total} watched"], states, activity]
        return degrade(parts, [1, 2])
    if stretched is not None:
        slow = human_duration(stretched)
        activity = [f"⏳ stretched to {slow}: {usage[0]}", f"⏳ every {slow}: {usage[1]}"]
        return degrade([[f"{total} watched"], states, activity], [1, 2])
    polling = [f"polling {active} (≤{per_second}/s)", f"polling {active}", ""]
    last = [f"answered {answered}", ""] if answered else [""]
    parts = [[f"{total} watched"], states, polling, last, usage]
    return degrade(parts, [2, 1, 4, 3, 4, 2])
