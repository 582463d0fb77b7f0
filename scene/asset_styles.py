"""Per-asset colour and look as arrays: a restyle touches only what changed.

Every asset keeps its own actor and property (picking, the selection outline
and the component highlight go by actor), but what each actor shows is also
held in two arrays, colour (n, 3) and look (n,). :meth:`AssetStyles.apply`
turns a batch of appearances into arrays, compares them with what is shown in
one numpy pass and calls VTK only for the assets whose colour or look changed:
on a 2,000-asset line a tick that restyles a few assets costs a few property
calls, and a colour change of all of them one ``SetColor`` each, no more.

It also keeps each asset's label priority (see :mod:`linetwin.scene.label_layout`):
an alarm badge, a warning badge, a non-running state or a doubtful reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from linetwin.scene import label_layout as layout
from linetwin.scene.legend import BAD_QUALITY_EDGE, NO_DATA_OPACITY, STALE_EDGE
from linetwin.twin.colors import AssetAppearance, Look
from linetwin.twin.model import Project
from linetwin.twin.palette import OKABE_ITO_STATES

UNSHOWN = -1  # look code of an asset nothing has been applied to yet
DOUBTFUL_LOOKS = (int(Look.BAD_QUALITY), int(Look.STALE))
CALM_STATES = frozenset({"running"})  # the state a line is meant to be in
BADGE_TIERS = {"alarm": layout.ALARMED, "warning": layout.URGENT}


def urgent_states(project: Project) -> frozenset[str]:
    """State names that deserve a label: every known state but running."""
    return frozenset(set(project.states) | set(OKABE_ITO_STATES)) - CALM_STATES


class AssetStyles:
    """What each asset's actor shows; ``actors`` in label order (the scene's)."""

    def __init__(self, actors: Sequence, placeholders: Iterable[str],
                 urgent: frozenset[str]) -> None:
        self.actors = list(actors)
        self.row = {actor.asset_id: i for i, actor in enumerate(self.actors)}
        n = len(self.actors)
        self.colors = np.zeros((n, 3), dtype=np.int16)
        self.looks = np.full(n, UNSHOWN, dtype=np.int16)
        self.placeholder = np.zeros(n, dtype=bool)
        self.placeholder[[self.row[a] for a in placeholders if a in self.row]] = True
        self.urgent_names = urgent
        self._state_tiers = np.full(n, layout.PLAIN, dtype=np.int64)
        self._badge_tiers = np.full(n, layout.PLAIN, dtype=np.int64)

    def set_placeholder(self, asset_id: str) -> None:
        """``asset_id``'s mesh turned out broken: it keeps the placeholder look from now on."""
        self.placeholder[self.row[asset_id]] = True

    def apply(self, appearances: Iterable[AssetAppearance]) -> dict[str, str]:
        """Restyle the assets whose colour or look changed; their label texts."""
        apps = [a for a in appearances if a.asset_id in self.row]
        if not apps:
            return {}
        rows = np.fromiter((self.row[a.asset_id] for a in apps), dtype=np.int64, count=len(apps))
        colors = np.array([a.color for a in apps], dtype=np.int16).reshape(-1, 3)
        looks = np.fromiter((a.look for a in apps), dtype=np.int16, count=len(apps))
        self._restyle(rows, colors, looks)
        urgent = np.fromiter((a.label in self.urgent_names for a in apps), dtype=bool,
                             count=len(apps)) | np.isin(looks, DOUBTFUL_LOOKS)
        self._state_tiers[rows] = np.where(urgent, layout.URGENT, layout.PLAIN)
        return {a.asset_id: _label_text(a, self.placeholder[r]) for a, r in zip(apps, rows)}

    def _restyle(self, rows: np.ndarray, colors: np.ndarray, looks: np.ndarray) -> None:
        # A placeholder keeps its own look: its state is told by its label only.
        live = ~self.placeholder[rows]
        rows, colors, looks = rows[live], colors[live], looks[live]
        look_changed = self.looks[rows] != looks
        changed = look_changed | (self.colors[rows] != colors).any(axis=1)
        if not changed.any():
            return
        actors = self.actors
        todo = np.flatnonzero(changed)
        # Plain Python numbers: indexing numpy scalars per call would cost more than VTK.
        for row, rgb, look, new_look in zip(rows[todo].tolist(), (colors[todo] / 255.0).tolist(),
                                            looks[todo].tolist(), look_changed[todo].tolist()):
            prop = actors[row].GetProperty()
            prop.SetColor(*rgb)
            if new_look:
                _set_look(prop, look)
        self.colors[rows[changed]] = colors[changed]
        self.looks[rows[changed]] = looks[changed]

    def forget(self) -> None:
        """The next :meth:`apply` restyles every asset it is given."""
        self.looks[:] = UNSHOWN

    def set_badges(self, kinds: dict[str, str]) -> None:
        """Alert badge kind per asset ("alarm", "warning", "cleared"); absent: none."""
        self._badge_tiers[:] = layout.PLAIN
        for asset_id, kind in kinds.items():
            if asset_id in self.row:
                self._badge_tiers[self.row[asset_id]] = BADGE_TIERS.get(kind, layout.PLAIN)

    def tiers(self) -> np.ndarray:
        """Label priority tier of each asset: the more urgent of state and badge."""
        return np.minimum(self._state_tiers, self._badge_tiers)


def _set_look(prop, look: int) -> None:
    """A surface style that tells no-data, stale and bad quality apart without
    hue. Raw VTK setters: pyvista's property wrappers cost ~0.2 ms each."""
    prop.SetOpacity(NO_DATA_OPACITY if look == Look.NO_DATA else 1.0)
    prop.SetEdgeVisibility(look in DOUBTFUL_LOOKS)
    if look == Look.BAD_QUALITY:
        prop.SetEdgeColor(*(c / 255.0 for c in BAD_QUALITY_EDGE))
    elif look == Look.STALE:
        prop.SetEdgeColor(*(c / 255.0 for c in STALE_EDGE))


def _label_text(app: AssetAppearance, placeholder: bool) -> str:
    if placeholder:
        return f"{app.label} · no mesh" if app.label else "no mesh"
    return app.label
