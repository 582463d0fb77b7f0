"""Focus on one asset of the line: it stands out, everything else fades back.

Training mode points the trainee at the part a step is about: the target keeps
its state colour at full opacity with an outline of its own colour, its
station (when the target is a component) stays half visible for context, and
every other asset fades. Only opacity changes, so the pipeline's colours stay
readable through the fade; :meth:`Focus.clear` gives every actor back the
opacity it had.

The scene restyles an asset when its state changes (which sets its opacity
again); :meth:`Focus.refresh` after each :meth:`LineScene.apply` fades those
assets again and remembers their new own opacity.
"""

from __future__ import annotations

from linetwin.scene.line_scene import LineScene

FOCUS_COLOR = "#F59E0B"  # amber: not the selection's blue, not a state colour's hue
DIMMED = 0.18  # opacity factor of assets away from the focus
CONTEXT = 0.5  # opacity factor of the station around a focused component


class Focus:
    """Highlights one asset of ``scene`` and dims the rest, undoably."""

    def __init__(self, scene: LineScene) -> None:
        self.scene = scene
        self.target: str | None = None
        self._outline = None
        # actor's asset id -> (its own opacity, the faded opacity we gave it)
        self._faded: dict[str, tuple[float, float]] = {}

    def show(self, asset_id: str | None) -> None:
        """Focus on ``asset_id`` (an asset or a component); ``None`` or an id
        without a mesh clears the focus."""
        self.clear()
        if asset_id is None or asset_id not in self.scene.actors:
            return
        self.target = asset_id
        keep = self._family(asset_id)
        context = self._station_of(asset_id)
        for other, actor in self.scene.actors.items():
            if other in keep:
                continue
            factor = CONTEXT if other == context else DIMMED
            own = actor.GetProperty().GetOpacity()
            faded = own * factor
            actor.GetProperty().SetOpacity(faded)
            self._faded[other] = (own, faded)
        self._outline = self.scene.outline(asset_id, FOCUS_COLOR, 4.0)

    def clear(self) -> None:
        """Undo :meth:`show`: every faded actor gets its own opacity back."""
        for asset_id, (own, _faded) in self._faded.items():
            actor = self.scene.actors.get(asset_id)
            if actor is not None:
                actor.GetProperty().SetOpacity(own)
        self._faded.clear()
        if self._outline is not None:
            self.scene.plotter.remove_actor(self._outline, render=False)
            self._outline = None
        self.target = None

    def refresh(self) -> None:
        """Fade again the assets the scene restyled since (their opacity was reset)."""
        for asset_id, (own, faded) in list(self._faded.items()):
            prop = self.scene.actors[asset_id].GetProperty()
            current = prop.GetOpacity()
            if abs(current - faded) > 1e-6:  # restyled: ``current`` is its own opacity now
                factor = faded / own if own else DIMMED
                prop.SetOpacity(current * factor)
                self._faded[asset_id] = (current, current * factor)

    def faded(self, asset_id: str) -> bool:
        return asset_id in self._faded

    def _family(self, asset_id: str) -> set[str]:
        """``asset_id`` and its components: a focused station shows its parts too."""
        out, grew = {asset_id}, True
        while grew:  # parts of parts, whatever order the project lists them in
            more = {a.id for a in self.scene.project.assets if a.parent in out} - out
            out |= more
            grew = bool(more)
        return out

    def _station_of(self, asset_id: str) -> str | None:
        try:
            asset = self.scene.project.asset(asset_id)
        except KeyError:
            return None
        return asset.parent if asset.level.value == "component" else None
