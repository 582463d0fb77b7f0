"""What each station's production looked like recently, for the inspector.

Per station: the last defect, the defects of the last hour by type, the last
operator step and violation; for the line: the current lot. Fed by
:class:`~linetwin.twin.pipeline.TwinPipeline` with production events; ages are
judged against the time the caller passes (the pipeline's clock), never the
wall clock, so a replay shows what the line showed then.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from linetwin.twin.production.events import ComplianceEvent, InspectionEvent, Lot

RECENT_WINDOW_S = 3600.0  # "defects in the last hour"


@dataclass
class StationProduction:
    """The production of one station, as far as the log keeps it."""

    units: int = 0  # inspected since the log started (or was reset)
    defects: int = 0
    last_unit: InspectionEvent | None = None
    last_defect: InspectionEvent | None = None
    last_step: ComplianceEvent | None = None
    last_violation: ComplianceEvent | None = None
    recent: deque[InspectionEvent] = field(default_factory=deque)  # defects, oldest first


class ProductionLog:
    """Per-station production summaries, bounded by ``window_s`` of defects."""

    def __init__(self, window_s: float = RECENT_WINDOW_S) -> None:
        self.window_s = window_s
        self.stations: dict[str, StationProduction] = {}
        self.current_lot: Lot | None = None
        self.lots_seen = 0

    def add(self, events: Iterable[object]) -> None:
        for event in events:
            if isinstance(event, InspectionEvent):
                self._inspected(event)
            elif isinstance(event, ComplianceEvent):
                station = self.station(event.station)
                station.last_step = event
                if not event.ok:
                    station.last_violation = event
            elif isinstance(event, Lot):
                self._lot(event)

    def station(self, station_id: str) -> StationProduction:
        return self.stations.setdefault(station_id, StationProduction())

    def defects_by_type(self, station_id: str, now: float) -> dict[str, int]:
        """Defects of the last ``window_s`` before ``now``, most frequent first."""
        station = self.stations.get(station_id)
        if station is None:
            return {}
        self._forget_before(station, now - self.window_s)
        counts = Counter(e.defect_type or "unspecified" for e in station.recent if e.time <= now)
        return dict(counts.most_common())

    def reset(self) -> None:
        """Forget everything (a replay seek rebuilds from the history)."""
        self.stations.clear()
        self.current_lot = None
        self.lots_seen = 0

    def _inspected(self, event: InspectionEvent) -> None:
        lot = self.current_lot
        if event.lot and (lot is None or lot.lot_id != event.lot):
            # Joined mid-lot (a lot change is an event sent once, before we
            # subscribed): the units name their lot. Its start is unknown: NaN.
            self.current_lot = Lot(event.lot, event.sku, math.nan)
        station = self.station(event.station)
        station.units += 1
        station.last_unit = event
        if event.defective:
            station.defects += 1
            station.last_defect = event
            station.recent.append(event)
            self._forget_before(station, event.time - self.window_s)

    def _lot(self, lot: Lot) -> None:
        if lot.open:
            self.current_lot = lot
            self.lots_seen += 1
        elif self.current_lot is not None and self.current_lot.lot_id == lot.lot_id:
            self.current_lot = None

    @staticmethod
    def _forget_before(station: StationProduction, cutoff: float) -> None:
        recent = station.recent
        while recent and recent[0].time < cutoff:
            recent.popleft()
