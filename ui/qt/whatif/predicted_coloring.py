"""The scene coloured by a what-if prediction, never to be mistaken for the live line.

The inspecting station (where the defects are found) and each station whose
value the proposal changes are coloured by the predicted defect rate on the
replay's sequential scale (:func:`~linetwin.scene.defect_coloring.density_rgb`,
0 .. the larger of now and the interval's top), with a badge "PREDICTED" and
the rate against now, and a red banner across the view. The live bridge keeps
restyling stations whose state changes; after each of its ticks the predicted
colours are put back, so they hold until the panel lets them go.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer

from linetwin.scene.defect_coloring import DefectColoring, _table, density_rgb
from linetwin.twin.whatif.prediction import WhatIfPrediction

BANNER_NAME = "whatif-predicted-banner"
BANNER_TEXT = "PREDICTED (what-if) - not the live line"
PER = 1000.0


class PredictedColoring(DefectColoring):
    """Draws the predicted state over the live window's scene; :meth:`stop` restores live colours."""

    def __init__(self, window) -> None:
        super().__init__(window.plotter, window.scene)
        self.window = window
        window.bridge.stepped.connect(self._after_live_tick)

    def show_prediction(self, prediction: WhatIfPrediction, changed_stations: list[str]) -> None:
        now = sum(d.now for d in prediction.defects.values()) * PER
        rate = (1.0 - prediction.fpy["predicted"]) * PER
        high = (1.0 - prediction.fpy["low"]) * PER
        top = max(now, high, 1.0)
        stations = tuple(dict.fromkeys([prediction.station, *changed_stations]))
        values = np.full(len(stations), rate)
        word = "PREDICTED" + (" (extrapolation)" if prediction.extrapolated else "")
        texts = [f"{word}\n{rate:.0f} / 1,000\n(now {now:.0f})" if s == prediction.station else f"{word}\nchanged"
                 for s in stations]  # short: neighbouring stations' badges must not overlap
        self._draw(stations, values, density_rgb(values / top), texts, (0.0, top),
                   "PREDICTED defects / 1,000 units", _table(density_rgb(np.linspace(0, 1, 256))), "%.0f")
        self.plotter.add_text(BANNER_TEXT, position="upper_edge", font_size=14, color="#B42318",
                              name=BANNER_NAME, shadow=False)
        self.plotter.render()

    def stop(self) -> None:
        """Live colours back at once."""
        if not self.active:
            return
        self.plotter.remove_actor(BANNER_NAME, render=False)
        self.clear(self.window.session.pipeline.appearances())
        self.plotter.render()

    def _after_live_tick(self, result) -> None:
        touched = set(getattr(result, "restyle", ())) & set(self.shown)
        if touched:  # the tick restyles them after this signal: recolour once it has
            QTimer.singleShot(0, self._recolor)

    def _recolor(self) -> None:
        for station, (rgb, _text) in self.shown.items():
            actor = self.scene.actors.get(station)
            if actor is not None:
                actor.GetProperty().SetColor(*(c / 255.0 for c in rgb))
                actor.GetProperty().SetOpacity(1.0)
        self.plotter.render()
