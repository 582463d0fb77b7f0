"""A click on a part of the 3D line, as a pick.

The view's own selection only reports a change, so a second click on the same
part would be lost; a trainee who picks a part again (after a wrong step, or
for the next step) must be heard each time. A click is a press and release
close together; a drag turns the camera and picks nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from linetwin.ui.qt.view3d import CLICK_SLOP_PX


class PickWatcher:
    """Calls ``on_pick(asset_id)`` for every click on an asset of ``scene``."""

    def __init__(self, interactor, scene, on_pick: Callable[[str], None]) -> None:
        self.interactor, self.scene, self.on_pick = interactor, scene, on_pick
        self._press: tuple[int, int] | None = None
        iren = interactor.iren
        iren.add_observer("LeftButtonPressEvent", self._on_press)
        iren.add_observer("LeftButtonReleaseEvent", self._on_release)

    def _position(self) -> tuple[int, int]:
        return self.interactor.iren.interactor.GetEventPosition()

    def _on_press(self, *_args) -> None:
        # The second press of a double-click flies the camera (View3D): no second pick.
        repeat = self.interactor.iren.interactor.GetRepeatCount()
        self._press = None if repeat else self._position()

    def _on_release(self, *_args) -> None:
        if self._press is None:
            return
        x, y = self._position()
        near = abs(x - self._press[0]) <= CLICK_SLOP_PX and abs(y - self._press[1]) <= CLICK_SLOP_PX
        self._press = None
        if near:
            self.click(x, y)

    def click(self, x: int, y: int) -> str | None:
        """Pick what is at display position (x, y); the asset picked, if any."""
        asset_id = self.scene.pick(x, y)
        if asset_id is not None:
            self.on_pick(asset_id)
        return asset_id
