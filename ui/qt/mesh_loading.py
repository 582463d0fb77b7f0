"""Meshes arriving in an open window: progress, cancel, full meshes over coarse boxes.

The window opens with every meshed asset drawn as a coarse box in its state
colour (:func:`~linetwin.io.mesh.meshes.coarse_geometry`); a worker thread
reads the meshes (:class:`~linetwin.io.mesh.line_loader.LineMeshLoader`) and
this object, on a Qt timer, swaps them in between frames within a time budget,
so the window never freezes however large the line.

Cancel keeps the window: what was loaded stays, the other assets keep their box
and say so (tree, inspector, status bar). Closing would throw away a usable
view of the line and the live data already flowing for the sake of meshes that
are only looks; File > Reload project (F5) loads them all again.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

TICK_MS = 30
SWAP_BUDGET_S = 0.012  # VTK work per tick: the window keeps ~30 fps of input handling
BATCH = 8  # meshes taken from the worker's queue at a time, checked against the budget
SAID_FOR_MS = 10_000  # how long the outcome stays in the status bar
RENDER_GAP_S = 0.5  # at least this between two progress renders, and 4x the last one's
PROGRESS_GAP_S = 0.25  # between two progress texts: each repaints the status bar at once
# time: a frame of thousands of actors takes about a second in software GL.
NOT_LOADED = ("mesh not loaded: loading was cancelled; it is drawn as a box "
              "(File > Reload project, F5, loads it)")


class MeshLoading(QObject):
    """Drives ``session``'s deferred mesh loading for ``window`` (a MainWindow)."""

    finished = Signal(bool)  # True if every mesh was loaded, False if cancelled

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.loader = window.session.mesh_loader
        self.swapped = 0
        self._started_at = 0.0
        self._fitted_pose = None
        self._next_render = 0.0  # time.monotonic() before which no progress render
        self._next_progress = 0.0  # the same for the progress text and bar
        self.widget = self._progress_widget()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    def _progress_widget(self) -> QWidget:
        widget = QWidget()
        widget.setObjectName("meshLoading")
        row = QHBoxLayout(widget)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setObjectName("meshLoadingText")
        self.bar = QProgressBar()
        self.bar.setRange(0, max(self.loader.total, 1))
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(160)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("meshLoadingCancel")
        self.cancel_button.setToolTip("Stop loading meshes; assets not loaded stay boxes")
        self.cancel_button.clicked.connect(self.cancel)
        for child in (self.label, self.bar, self.cancel_button):
            row.addWidget(child)
        return widget

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        self.window.statusBar().addPermanentWidget(self.widget)
        self._started_at = time.monotonic()
        self._fitted_pose = self.window.scene.current_pose()
        self.loader.start()
        self._timer.start()
        self._show_progress()

    def cancel(self) -> None:
        """Ask the worker to stop after the mesh it is reading; what is queued is
        still drawn, the rest keeps its box (see the module doc)."""
        self.loader.cancel(wait=False)
        self.cancel_button.setEnabled(False)
        self.label.setText("Cancelling…")

    def stop(self) -> None:
        """The window closes: stop swapping (the session stops the worker) and let
        go of the window, so no cycle keeps its VTK objects past its deletion."""
        self._timer.stop()
        self.window = self.session = None

    def tick(self) -> None:
        deadline = time.perf_counter() + SWAP_BUDGET_S
        swapped: list[str] = []
        while time.perf_counter() < deadline:
            batch = self.session.take_meshes(BATCH)
            if not batch:
                break
            swapped += self.window.scene.replace_geometries(batch)
        progress = self.loader.progress()
        if swapped:
            self.swapped += len(swapped)
            scene = self.window.scene
            self.window.tree.add_components({a: scene.components[a] for a in swapped})
            self.window.tree.mark_problems({a: self.session.mesh_problems[a] for a in swapped
                                            if a in self.session.mesh_problems})
            self._render_now_and_then()
        self._show_progress()
        if progress.finished and not swapped and not self.loader.has_queued():
            self._finish(progress.cancelled)

    def _render_now_and_then(self) -> None:
        """Show the meshes swapped in so far, leaving the event loop most of the time."""
        now = time.monotonic()
        if now < self._next_render:
            return
        self.window.plotter.render()
        took = time.monotonic() - now
        self._next_render = time.monotonic() + max(RENDER_GAP_S, 4.0 * took)

    def _remove_widget(self) -> None:
        if self.window is not None:  # closing: the status bar deletes it with itself
            self.window.statusBar().removeWidget(self.widget)
            self.widget.deleteLater()

    def _show_progress(self, force: bool = False) -> None:
        now = time.monotonic()
        if now < self._next_progress and not force:
            return
        self._next_progress = now + PROGRESS_GAP_S
        p = self.loader.progress()
        self.bar.setValue(self.swapped)
        if not p.cancelled:
            self.label.setText(f"Meshes {self.swapped:,} of {p.total:,} "
                               f"({p.bytes_read / 1e6:.1f} of {p.bytes_total / 1e6:.1f} MB)")

    def _finish(self, cancelled: bool) -> None:
        self._timer.stop()
        self._show_progress(force=True)  # the last count, however soon after the one before
        scene = self.window.scene
        left = sorted(scene.pending)
        for asset_id in left:
            self.session.mesh_problems[asset_id] = f"asset '{asset_id}': {NOT_LOADED}"
        self.window.tree.mark_problems({a: self.session.mesh_problems[a] for a in left})
        fitted = not cancelled and scene.current_pose() == self._fitted_pose
        if fitted:
            self.window.view3d.fit_line()  # untouched view: fit the full meshes' extent (renders)
        self.window.show_mesh_problems()
        seconds = time.monotonic() - self._started_at
        said = (f"Mesh loading cancelled: {self.swapped:,} of {self.loader.total:,} loaded, "
                f"{len(left):,} drawn as boxes" if cancelled
                else f"{self.swapped:,} meshes loaded in {seconds:.1f} s")
        # Said in the progress widget's place, not by showMessage: a temporary
        # message would be drawn over the connection text.
        self.bar.hide()
        self.cancel_button.hide()
        self.label.setText(said)
        QTimer.singleShot(SAID_FOR_MS, self, self._remove_widget)  # dropped if the window goes
        if not fitted:
            self.window.plotter.render()
        self.finished.emit(not cancelled)
