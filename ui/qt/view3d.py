"""The 3D view: the Qt VTK widget, click to select, double-click to fly to,
rest the cursor on an asset to see its label however crowded the view."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from pyvistaqt import QtInteractor

from linetwin.scene.line_scene import LineScene
from linetwin.twin.selection import Selection

CLICK_SLOP_PX = 4  # a press and release closer than this is a click, not a drag
FLY_FRAME_MS = 16
HOVER_REST_MS = 150  # pick only once the cursor rests: a pick over 2,000 actors is not free


class View3D:
    """Wires mouse picking and camera flights between ``scene`` and ``selection``."""

    def __init__(self, interactor: QtInteractor, scene: LineScene, selection: Selection) -> None:
        self.interactor, self.scene, self.selection = interactor, scene, selection
        self._press: tuple[int, int] | None = None
        self._flight: list = []
        self._fly_timer = QTimer(interactor)
        self._fly_timer.setInterval(FLY_FRAME_MS)
        self._fly_timer.timeout.connect(self._fly_step)
        iren = interactor.iren
        iren.add_observer("LeftButtonPressEvent", self._on_press)
        iren.add_observer("LeftButtonReleaseEvent", self._on_release)
        self._hover_timer = QTimer(interactor)
        self._hover_timer.setSingleShot(True)
        self._hover_timer.setInterval(HOVER_REST_MS)
        self._hover_timer.timeout.connect(self._hover)
        iren.add_observer("MouseMoveEvent", lambda *_: self._hover_timer.start())
        selection.changed.connect(self._on_selection_change)
        selection.component_changed.connect(self._on_component_change)

    def _event_position(self) -> tuple[int, int]:
        return self.interactor.iren.interactor.GetEventPosition()

    def _on_press(self, *_args) -> None:
        x, y = self._event_position()
        if self.interactor.iren.interactor.GetRepeatCount():
            asset_id = self.scene.pick(x, y)
            if asset_id is not None:
                self.selection.select(asset_id)
                self.fly_to(asset_id)
            self._press = None
            return
        self._press = (x, y)

    def _on_release(self, *_args) -> None:
        if self._press is None:
            return
        x, y = self._event_position()
        if abs(x - self._press[0]) <= CLICK_SLOP_PX and abs(y - self._press[1]) <= CLICK_SLOP_PX:
            self.selection.select(self.scene.pick(x, y))
        self._press = None

    def _hover(self) -> None:
        if self._press is not None:  # dragging the camera, not pointing
            return
        x, y = self._event_position()
        if self.scene.hover(self.scene.pick(x, y)):
            self.interactor.render()

    def _on_selection_change(self, asset_id: str | None) -> None:
        self.scene.select(asset_id)
        self.interactor.render()

    def _on_component_change(self, asset_id: str | None, component: str | None) -> None:
        self.scene.highlight_component(asset_id, component)
        self.interactor.render()

    def fly_to(self, asset_id: str) -> None:
        if asset_id in self.scene.meshes:
            self._flight = self.scene.fly_to(asset_id)
            self._fly_timer.start()

    def fit_line(self) -> None:
        self._fly_timer.stop()
        self.scene.fit_line()
        self.interactor.render()

    def _fly_step(self) -> None:
        if not self._flight:
            self._fly_timer.stop()
            return
        self.scene.set_pose(self._flight.pop(0))
        self.interactor.render()
