"""Start-up milestones written to the file named by ``$LINETWIN_STARTUP_MARKS``.

``benchmarks/startup/startup.py`` and the GUI tests read them: one line per milestone,
``NAME EPOCH_SECONDS``, appended as it is reached. Nothing is written (and
nothing printed) when the variable is not set, so a normal run is unchanged.

Milestones: ``painted`` (the first window, splash or main, is on screen with
its pixels drawn), ``frame`` (the first 3D frame showing the line coloured by
live values; the first frame at all for a line with no signals) and ``meshes``
(every mesh of the line read and drawn, not just its coarse boxes).
"""

from __future__ import annotations

import os
import time

ENV = "LINETWIN_STARTUP_MARKS"


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def mark(name: str) -> None:
    """Append ``name`` and the current time, once per name per process."""
    path = os.environ.get(ENV)
    if not path or name in _marked:
        return
    _marked.add(name)
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"{name} {time.time():.6f}\n")


_marked: set[str] = set()
