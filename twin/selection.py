"""Which asset the user has selected, shared by the 3D view, tree and inspector."""

from __future__ import annotations

from psygnal import Signal as Event


class Selection:
    """The selected asset id (or ``None``); ``changed`` fires only on a real change,
    so views that echo a selection back do not loop."""

    changed = Event(object)
    component_changed = Event(object, object)  # asset id, component name (or None)

    def __init__(self) -> None:
        self._asset_id: str | None = None
        self._component: str | None = None

    @property
    def asset_id(self) -> str | None:
        return self._asset_id

    @property
    def component(self) -> str | None:
        return self._component

    def select(self, asset_id: str | None, component: str | None = None) -> None:
        """Select an asset, optionally one named component (part) of it."""
        if asset_id != self._asset_id:
            self._asset_id = asset_id
            self.changed.emit(asset_id)
        component = component if asset_id is not None else None
        if component != self._component:
            self._component = component
            self.component_changed.emit(asset_id, component)
