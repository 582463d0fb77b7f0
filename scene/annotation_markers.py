"""Investigators' notes in the 3D line: a small tag over the station a note is anchored to.

One tag per station: its latest note (author and the start of the text) and
how many more there are, so a busy station never stacks tags. Notes anchored
to no station, or to one the scene does not draw, stay in the list beside the
view only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyvista as pv

from linetwin.scene.line_scene import LineScene

MARKER_LIFT = 1.45  # metres above the station label: over the alert (1.0) and defect badges
MAX_TEXT = 28
MARKERS_NAME = "annotation-markers"


def marker_text(notes: list[dict[str, Any]]) -> str:
    """``Note (ana): seal bar cleaned at…  +2 more`` for one station's notes (by time)."""
    last = notes[-1]
    text = " ".join(str(last.get("text") or "").split())
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT - 1] + "\u2026"
    author = f" ({last['author']})" if last.get("author") else ""
    more = f"  +{len(notes) - 1} more" if len(notes) > 1 else ""
    return f"Note{author}: {text}{more}"


class AnnotationMarkers:
    """Draws notes (dicts with ``time``, ``station``, ``author``, ``text``) over ``scene``."""

    def __init__(self, plotter: pv.Plotter, scene: LineScene) -> None:
        self.plotter, self.scene = plotter, scene
        self.shown: dict[str, str] = {}  # station -> tag text

    def show(self, notes: Iterable[dict[str, Any]]) -> None:
        by_station: dict[str, list[dict[str, Any]]] = {}
        for note in sorted(notes, key=lambda n: n["time"]):
            if note.get("station") in self.scene.actors:
                by_station.setdefault(note["station"], []).append(note)
        texts = {station: marker_text(group) for station, group in by_station.items()}
        if texts == self.shown:
            return
        self.shown = texts
        if not texts:
            self.clear()
            return
        lift = np.array([0.0, 0.0, MARKER_LIFT])
        actor = self.plotter.add_point_labels(
            np.array([self.scene.label_anchor(s) + lift for s in texts]), list(texts.values()),
            name=MARKERS_NAME, always_visible=True, show_points=False, shape=None, italic=True,
            font_size=12, text_color="#1B1F24", background_color="#FFF4C2", background_opacity=0.95,
            justification_horizontal="center", justification_vertical="bottom",
            render=False, reset_camera=False, pickable=False)
        actor.GetMapper().PlaceAllLabelsOn()

    def clear(self) -> None:
        self.shown = {}
        self.plotter.remove_actor(f"{MARKERS_NAME}-labels", render=False)
