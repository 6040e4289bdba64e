"""Garbage-collector tuning: ``cypkg`` starts with the cyclic GC off (see tui.cli.commands)."""

from __future__ import annotations

import gc


def resume_gc() -> None:
    """Turn the cyclic GC back on after the first paint (``cypkg`` turns it off to start).

    Everything allocated so far is frozen first: the modules, classes and widgets
    that live as long as the app would otherwise be scanned by every full collection
    (one would land in the middle of a later lookup). Cyclic garbage made before the
    first paint stays with them, about half a megabyte, once.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
