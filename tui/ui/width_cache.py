"""Rich's cache of text widths, kept small in a long session.

``rich.cells.cell_len`` remembers the width of every distinct text under 512
characters it is asked about, up to 4,096 of them (``cached_cell_len``, an
``lru_cache``). Textual measures every text it draws, and cypkg draws new ones
all the time ("updated 10:33:12", countdowns, elapsed times), each drawn once.
Left open on a detail screen polling at 1 s, the app grew by about 0.7 KB a
poll (three new texts) until the cache was full, some 25 minutes and 1 MB of
resident memory later (issue 11).

The app empties the cache now and then once it holds more than about a
thousand texts: a width is computed again in under a microsecond, so the
texts on screen lose nothing worth keeping. The cache is the process's one object, so
this also reaches Textual's direct import of it (``textual._cells``).
"""

from __future__ import annotations

from rich import cells

#: Texts the cache may hold before it is emptied (a full screen draws a few hundred).
LIMIT = 1024
#: How often the app looks, seconds: a detail screen draws a few new texts a second,
#: a watchlist screen some tens (its elapsed times), so the cache stays near the limit.
PERIOD = 10.0


def trim_width_cache(limit: int = LIMIT) -> bool:
    """Empty Rich's width cache if it holds more than ``limit`` texts; True if it did."""
    cache = getattr(cells, "cached_cell_len", None)
    info = getattr(cache, "cache_info", None)
    if cache is None or info is None or info().currsize <= limit:
        return False  # nothing to do, or a Rich without that cache
    cache.cache_clear()
    return True
