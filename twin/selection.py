"""Which asset the user has selected, shared by the 3D view, tree and inspector."""

from __future__ import annotations

from psygnal import Signal as Event


class Selection:
    """The selected asset id (or ``None``); ``changed`` fires only on a real change,
    so views that echo a selection back do not loop."""

    changed = Event(object)

    def __init__(self) -> None:
        self._asset_id: str | None = None

    @property
    def asset_id(self) -> str | None:
        return self._asset_id

    def select(self, asset_id: str | None) -> None:
        if asset_id != self._asset_id:
            self._asset_id = asset_id
            self.changed.emit(asset_id)
