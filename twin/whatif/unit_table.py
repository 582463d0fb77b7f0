"""The units a what-if model is fitted on: each unit inspected at one station,
its defect type, and the process values it was made under (one array per
signal). Built from a history by :mod:`linetwin.io.whatif.model_data`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class UnitTable:
    """Units of one inspecting station, oldest first, with their process values."""

    station: str
    times: np.ndarray  # float64 epoch seconds
    defect_codes: np.ndarray  # int: -1 passed, else an index into defect_types
    defect_types: tuple[str, ...]
    features: dict[str, np.ndarray] = field(default_factory=dict)  # signal id -> value per unit
    dropped: int = 0  # units left out for a data gap in a process value
    source: str = ""  # the history file's name

    @property
    def units(self) -> int:
        return len(self.times)

    def defects_of(self, defect: str) -> np.ndarray:
        """1 where the unit had ``defect``, else 0."""
        return (self.defect_codes == self.defect_types.index(defect)).astype(np.float64)

    def data_hash(self) -> str:
        """sha256 over exactly the rows a model is fitted on (order, values, names)."""
        digest = hashlib.sha256(self.station.encode())
        digest.update("\0".join(self.defect_types).encode())
        digest.update(np.ascontiguousarray(self.times).tobytes())
        digest.update(np.ascontiguousarray(self.defect_codes, dtype=np.int64).tobytes())
        for name in sorted(self.features):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(self.features[name]).tobytes())
        return digest.hexdigest()

    def window(self, start: float, end: float) -> "UnitTable":
        """The units inspected in ``start <= t < end``."""
        keep = (self.times >= start) & (self.times < end)
        return UnitTable(self.station, self.times[keep], self.defect_codes[keep], self.defect_types,
                         {k: v[keep] for k, v in self.features.items()}, 0, self.source)

    def recent_rows(self, signal_ids, seconds: float, max_rows: int) -> dict[str, np.ndarray]:
        """The process values of the units of the last ``seconds`` (at most
        ``max_rows`` of them, evenly spaced): the line "as it runs now"."""
        recent = np.flatnonzero(self.times >= self.times[-1] - seconds)
        if len(recent) > max_rows:
            recent = recent[np.linspace(0, len(recent) - 1, max_rows).astype(int)]
        return {sid: self.features[sid][recent].copy() for sid in signal_ids if sid in self.features}

