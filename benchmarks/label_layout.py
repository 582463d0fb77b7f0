"""Station labels: LineTwin's decluttered labels against plain VTK point labels.

1,000 stations in ten rows of a hundred, labels "Station N" plus a live value.
Two operations, each as the median of several runs:

- camera move: rotate the camera, then render (LineTwin lays the labels out
  again before that render)
- live tick: give all 1,000 labels a new value of the same width, then render
  (LineTwin re-measures nothing and does not lay out again)

The baseline is the same labels drawn by one pyvista/VTK point-label actor
with every label placed (what LineTwin drew before labels were laid out): same
texts, same font, same renders, no layout. Ratios near 1 mean the layout costs
little. Run: ``.venv/bin/python benchmarks/label_layout.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import vtkStringArray

from linetwin.scene.labels import StationLabels

STATIONS = 1000


def _anchors() -> dict[str, np.ndarray]:
    return {f"s{i}": np.array([0.5 * (i % 100), 3.0 * (i // 100), 1.0]) for i in range(STATIONS)}


def _plotter() -> pv.Plotter:
    plotter = pv.Plotter(off_screen=True, window_size=(1600, 900))
    plotter.camera.position, plotter.camera.focal_point = (25, -40, 30), (25, 15, 0)
    return plotter


class Baseline:
    """One point-label actor, all labels placed, no layout."""

    def __init__(self, plotter: pv.Plotter, anchors: dict[str, np.ndarray]) -> None:
        self.cloud = pv.PolyData(np.array(list(anchors.values())))
        self.texts = vtkStringArray()
        self.texts.SetName("text")
        for name in anchors:
            self.texts.InsertNextValue(f"Station {name}")
        self.cloud.GetPointData().AddArray(self.texts)
        actor = plotter.add_point_labels(
            self.cloud, "text", always_visible=True, show_points=False, shape=None, bold=True,
            font_size=13, text_color="#1B1F24", background_color="white",
            background_opacity=0.85, justification_horizontal="center",
            justification_vertical="bottom", render=False, reset_camera=False)
        actor.GetMapper().PlaceAllLabelsOn()
        self.names = list(anchors)

    def set_status(self, texts: dict[str, str]) -> None:
        for row, name in enumerate(self.names):
            self.texts.SetValue(row, f"Station {name}\n{texts[name]}")
        self.texts.Modified()
        self.cloud.Modified()


def _time(operation, plotter: pv.Plotter, repeat: int) -> float:
    runs = []
    for k in range(repeat):
        start = time.perf_counter()
        operation(k)
        plotter.render()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def measure(kind: str, repeat: int) -> tuple[float, float]:
    plotter = _plotter()
    anchors = _anchors()
    if kind == "baseline":
        labels = Baseline(plotter, anchors)
    else:
        labels = StationLabels(plotter, anchors, {a: f"Station {a}" for a in anchors})
    labels.set_status({a: "180.0 °C" for a in anchors})
    plotter.screenshot(return_img=True)  # first render (and layout)

    def move(k):
        plotter.camera.azimuth = 2.0 * (k + 1)

    def tick(k):
        labels.set_status({a: f"{181 + k + (i % 9) * 0.1:.1f} °C" for i, a in enumerate(anchors)})

    try:
        return _time(move, plotter, repeat), _time(tick, plotter, repeat)
    finally:
        plotter.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    base_move, base_tick = measure("baseline", args.repeat)
    move, tick = measure("linetwin", args.repeat)
    print(f"{'operation':<12} {'VTK labels':>11} {'LineTwin':>9} {'ratio':>6}")
    print(f"{'camera move':<12} {base_move * 1e3:9.1f}ms {move * 1e3:7.1f}ms {move / base_move:6.2f}")
    print(f"{'live tick':<12} {base_tick * 1e3:9.1f}ms {tick * 1e3:7.1f}ms {tick / base_tick:6.2f}")


if __name__ == "__main__":
    main()
