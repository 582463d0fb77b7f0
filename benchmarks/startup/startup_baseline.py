"""The start-up baseline: a bare pyvistaqt window showing the demo line's seven meshes.

No simulator, no project, no docks: import Qt, pyvistaqt and trimesh, read the
seven GLB files (trimesh, the fastest reader here: see mesh_load.py), put each
in a QtInteractor as one actor of one colour, show it and render. Writes the same marks
as LineTwin (``painted`` and ``frame``, ``NAME EPOCH_SECONDS`` lines) to
``$LINETWIN_STARTUP_MARKS`` and quits on SIGTERM. Run by ``startup.py``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

MESHES = Path(__file__).resolve().parents[2] / "resources" / "demo" / "meshes"
COLOURS = ["#1B7F3B", "#9A6700", "#B42318", "#1D4ED8", "#6B7280", "#7C3AED", "#0E7490"]


def mark(name: str) -> None:
    with open(os.environ["LINETWIN_STARTUP_MARKS"], "a", encoding="utf-8") as out:
        out.write(f"{name} {time.time():.6f}\n")


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    import numpy as np
    import pyvista as pv
    import trimesh
    from pyvistaqt import QtInteractor

    app = QApplication(sys.argv[:1])
    plotter = QtInteractor(auto_update=False)
    for path, colour in zip(sorted(MESHES.glob("*.glb")), COLOURS):
        # One actor per file, its parts merged: the cheapest way to draw the line.
        mesh = trimesh.load(path, force="scene", process=False).to_geometry()
        faces = np.column_stack([np.full(len(mesh.faces), 3), mesh.faces]).ravel()
        plotter.add_mesh(pv.PolyData(np.asarray(mesh.vertices), faces), color=colour)
    plotter.resize(1600, 900)
    plotter.show()
    app.processEvents()
    plotter.reset_camera()
    plotter.render()
    app.processEvents()
    mark("painted")  # a bare window paints only once everything is loaded
    mark("frame")
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    wake = QTimer()
    wake.timeout.connect(lambda: None)  # let Python run the handler
    wake.start(100)
    app.exec()
    plotter.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
