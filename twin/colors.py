"""Visual rules: turn the twin state into one color and one look per asset.

Every asset that has a ``color_by`` signal is colored by the rule that applies
to that signal: a state rule (code -> name -> color) or an analog rule (value
-> colormap). A reading that is missing or not Good never shows a state color:
it gets the "no data" or "bad quality" look instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from linetwin.twin.model import AnalogColorRule, Project, SignalKind, StateColorRule
from linetwin.twin.palette import (
    BAD_QUALITY_COLOR,
    NO_DATA_COLOR,
    STALE_COLOR,
    OKABE_ITO_STATES,
    STRUCTURE_COLOR,
    UNKNOWN_STATE_COLOR,
    colormap_rgb,
)
from linetwin.twin.state import TwinState
from linetwin.twin.updates import Quality


_NO_DATA, _GOOD = int(Quality.NO_DATA), int(Quality.GOOD)


class Look(IntEnum):
    """How the scene draws an asset, beyond its color."""

    LIVE = 0  # solid, colored by its rule
    NO_DATA = 1  # nothing received: ghosted grey
    BAD_QUALITY = 2  # Bad or Uncertain reading: dark grey with edges
    STRUCTURE = 3  # not bound to any signal: neutral solid
    STALE = 4  # had a value, but it can no longer be trusted as live: pale, edged


@dataclass(frozen=True)
class AssetAppearance:
    asset_id: str
    color: tuple[int, int, int]
    look: Look
    label: str  # short text for the station label, e.g. "running" or "185.2 °C"


def _structure(asset_id: str) -> AssetAppearance:
    """An asset bound to no signal: neutral and solid."""
    return AssetAppearance(asset_id, STRUCTURE_COLOR, Look.STRUCTURE, "")


class _StateTable:
    """A lookup table from state code to color for one state rule."""

    def __init__(self, project: Project, rule: StateColorRule | None, signal_states) -> None:
        states = signal_states or project.states
        colors = dict(OKABE_ITO_STATES)
        if rule is not None:
            colors.update(rule.colors)
        size = max(states.values(), default=0) + 1
        self.lut = np.tile(np.array(UNKNOWN_STATE_COLOR, dtype=np.uint8), (size, 1))
        self.names = {code: name for name, code in states.items()}
        for name, code in states.items():
            if code >= 0 and name in colors:
                self.lut[code] = colors[name]
        self.rgb = [tuple(int(v) for v in row) for row in self.lut]  # plain tuples: read per asset

    def color(self, code: float) -> tuple[tuple[int, int, int], str]:
        if not math.isfinite(code) or code != int(code) or not 0 <= code < len(self.rgb):
            return UNKNOWN_STATE_COLOR, f"state {code:g}"
        c = int(code)
        return self.rgb[c], self.names.get(c, f"state {c}")


class ColorEngine:
    """Computes :class:`AssetAppearance` for every asset from a :class:`TwinState`."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.asset_ids = [a.id for a in project.assets]
        self._driver = {a.id: a.color_by for a in project.assets}
        self._state_tables: dict[str, _StateTable] = {}
        self._analog_rules: dict[str, AnalogColorRule] = {}
        self._by_row: tuple[dict | None, dict[int, list[int]]] = (None, {})
        self._build_rules()

    def _build_rules(self) -> None:
        generic_state_rule = next(
            (r for r in self.project.rules if isinstance(r, StateColorRule) and r.signal is None),
            None,
        )
        for signal in self.project.signals:
            if signal.kind is SignalKind.STATE:
                own = next(
                    (r for r in self.project.rules
                     if isinstance(r, StateColorRule) and r.signal == signal.id),
                    generic_state_rule,
                )
                self._state_tables[signal.id] = _StateTable(self.project, own, signal.states)
        for rule in self.project.rules:
            if isinstance(rule, AnalogColorRule):
                self._analog_rules[rule.signal] = rule

    def appearance(self, state: TwinState, asset_id: str) -> AssetAppearance:
        return self.appearances(state, (asset_id,))[0]

    def _live_color(self, signal_id: str, value: float) -> tuple[tuple[int, int, int], str]:
        if signal_id in self._state_tables:
            return self._state_tables[signal_id].color(value)
        signal = self.project.signal(signal_id)
        text = f"{value:.1f} {signal.unit}".strip()
        rule = self._analog_rules.get(signal_id)
        if rule is None:
            return STRUCTURE_COLOR, text
        lo, hi = rule.value_range
        rgb = colormap_rgb(rule.colormap, np.array([(value - lo) / (hi - lo)]))[0]
        return (int(rgb[0]), int(rgb[1]), int(rgb[2])), text

    def appearances(self, state: TwinState, asset_ids=None) -> list[AssetAppearance]:
        """Appearance of ``asset_ids`` (all by default), in that order.

        The readings are gathered from the state's columns in one numpy pass per
        column and judged in plain Python: a tick restyles hundreds of assets on
        a large line, and a :class:`SignalReading` per asset cost 5 us each.
        """
        ids = self.asset_ids if asset_ids is None else list(asset_ids)
        drivers = [self._driver.get(a) for a in ids]
        rows = np.array([state.index[d] for d in drivers if d is not None], dtype=np.int64)
        readings = zip(state.qualities[rows].tolist(), state.stale[rows].tolist(),
                       state.values[rows].tolist())
        return [self._judge(a, d, *next(readings)) if d is not None else _structure(a)
                for a, d in zip(ids, drivers)]

    def _judge(self, asset_id: str, signal_id: str, quality: int, stale: bool,
               value: float) -> AssetAppearance:
        if quality == _NO_DATA:
            return AssetAppearance(asset_id, NO_DATA_COLOR, Look.NO_DATA, "no data")
        if stale:
            return AssetAppearance(asset_id, STALE_COLOR, Look.STALE, "stale")
        if quality != _GOOD:
            return AssetAppearance(asset_id, BAD_QUALITY_COLOR, Look.BAD_QUALITY,
                                   Quality(quality).name.lower())
        color, label = self._live_color(signal_id, value)
        return AssetAppearance(asset_id, color, Look.LIVE, label)

    def assets_affected_by(self, state: TwinState, signal_indices: np.ndarray) -> list[str]:
        """Assets whose color depends on any of the given signals, in project order."""
        positions = self._positions_by_row(state)
        hit = [p for i in np.asarray(signal_indices).tolist() for p in positions.get(i, ())]
        return [self.asset_ids[p] for p in sorted(set(hit))]

    def _positions_by_row(self, state: TwinState) -> dict[int, list[int]]:
        """State row of a driving signal -> positions of the assets it colours
        (made once per state table: the rows never change)."""
        if self._by_row[0] is not state.index:
            by_row: dict[int, list[int]] = {}
            for position, asset_id in enumerate(self.asset_ids):
                signal_id = self._driver.get(asset_id)
                if signal_id in state.index:
                    by_row.setdefault(state.index[signal_id], []).append(position)
            self._by_row = (state.index, by_row)
        return self._by_row[1]
