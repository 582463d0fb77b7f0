"""How often the stations of the simulated line stop by themselves, and for how long."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StationReliability:
    """How often a station stops (rates per hour) and for how long (seconds).

    Jams and breakdowns count operating time only (a stopped machine does not
    wear); maintenance is planned on calendar time.
    """

    jam_rate_per_h: float = 12.0
    jam_s: tuple[float, float] = (2.0, 8.0)  # uniform
    breakdown_rate_per_h: float = 1.5
    breakdown_median_s: float = 40.0  # log-normal, clipped to [10, 240] s
    maintenance_rate_per_h: float = 0.4
    maintenance_s: tuple[float, float] = (45.0, 120.0)  # uniform

    @classmethod
    def never(cls) -> "StationReliability":
        """A station that never stops by itself (for tests and scenarios)."""
        return cls(jam_rate_per_h=0.0, breakdown_rate_per_h=0.0, maintenance_rate_per_h=0.0)


# Tuned for a lively demo: a couple of short stops a minute across the line.
DEFAULT_RELIABILITY: dict[str, StationReliability] = {
    "infeed": StationReliability(jam_rate_per_h=8.0),
    "filler": StationReliability(jam_rate_per_h=30.0),
    "sealer": StationReliability(jam_rate_per_h=30.0, breakdown_rate_per_h=2.0),
    "inspection": StationReliability(jam_rate_per_h=10.0),
    "labeler": StationReliability(jam_rate_per_h=36.0),
    "packer": StationReliability(jam_rate_per_h=24.0, breakdown_rate_per_h=2.0),
    "outfeed": StationReliability(jam_rate_per_h=6.0),
}
