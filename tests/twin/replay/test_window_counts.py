"""Window aggregates of a replay against brute-force numpy counts on random data.

Times are small integers so that many events share an instant and window
edges fall exactly on events: a window is ``(lo, hi]``, an event at ``lo`` is
out and one at ``hi`` is in. Some groups, stations and lots never occur.
"""

from __future__ import annotations

import numpy as np
import pytest

from linetwin.twin.replay.defect_windows import DefectWindows
from linetwin.twin.replay.event_search import EventFilter, EventSearch
from linetwin.twin.replay.replay_data import (
    SEVERITIES, InspectionColumns, ReplayData, SampleColumns,
)
from linetwin.twin.replay.window_counts import GroupedTimes

STATIONS = ("infeed", "sealer", "inspection", "idle_station")  # the last never inspects
TYPES = ("seal_gap", "wrinkle", "label_skew")
LOTS = ("L1", "L2", "L3", "L4")  # L4 has no units
SEEDS = (0, 1, 2, 3)


def windows(rng: np.random.Generator, times: np.ndarray, n: int = 60) -> list[tuple[float, float]]:
    """Edges on event times (ties), between them, outside the data, and empty/reversed ones."""
    points = np.concatenate([times, rng.uniform(-5, 60, 20), [-np.inf, np.inf]]) if len(times) else \
        rng.uniform(-5, 60, 20)
    pairs = [(float(a), float(b)) for a, b in rng.choice(points, size=(n, 2))]
    return pairs + [(3.0, 3.0), (10.0, 2.0)]


# -- GroupedTimes --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("presorted", [True, False])
def test_counts_equal_a_brute_force_count(seed: int, presorted: bool) -> None:
    rng = np.random.default_rng(seed)
    n_groups = 6
    times = rng.integers(0, 50, 400).astype(np.float64)
    groups = rng.choice([0, 2, 3, 5], size=400)  # groups 1 and 4 stay empty
    if presorted:
        times = np.sort(times)
    grouped = GroupedTimes(times, groups, n_groups)
    for lo, hi in windows(rng, times):
        inside = (times > lo) & (times <= hi)
        expected = np.bincount(groups[inside], minlength=n_groups)
        assert grouped.counts(lo, hi).tolist() == expected.tolist(), (lo, hi)
    assert grouped.counts(-np.inf, np.inf).tolist() == np.bincount(groups, minlength=n_groups).tolist()


@pytest.mark.parametrize("seed", SEEDS)
def test_cumulative_counts_up_to_each_edge(seed: int) -> None:
    rng = np.random.default_rng(seed)
    times = rng.integers(0, 30, 300).astype(np.float64)
    groups = rng.integers(0, 4, 300)
    grouped = GroupedTimes(times, groups, 5)
    edges = np.sort(np.concatenate([rng.choice(times, 8), rng.uniform(-3, 33, 8)]))
    expected = [[int(np.sum((times <= e) & (groups == g))) for g in range(5)] for e in edges]
    assert grouped.cumulative(edges).tolist() == expected
    for g in range(5):  # each group's slice holds its own times, sorted
        assert grouped.times_of(g).tolist() == sorted(times[groups == g].tolist())


def test_no_events_and_groups_out_of_range() -> None:
    empty = GroupedTimes(np.empty(0), np.empty(0, dtype=np.int64), 3)
    assert empty.counts(-np.inf, np.inf).tolist() == [0, 0, 0]
    assert empty.cumulative(np.array([0.0, 1.0])).tolist() == [[0, 0, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="0..2"):
        GroupedTimes(np.array([1.0, 2.0]), np.array([0, 3]), 3)


# -- DefectWindows ---------------------------------------------------------------------------


def replay_data(seed: int, n: int = 500) -> ReplayData:
    """Inspections built directly: ~30 % defects, a lot of -1 (none), one silent station."""
    rng = np.random.default_rng(seed)
    defect = np.where(rng.random(n) < 0.3, rng.integers(0, len(TYPES), n), -1).astype(np.int16)
    result = np.where(defect < 0, 0, rng.integers(1, 3, n)).astype(np.int8)
    severity = np.where(defect < 0, -1, rng.integers(0, len(SEVERITIES), n)).astype(np.int8)
    units = np.array([f"U{i // 3}" for i in range(n)], dtype=object)
    rng.shuffle(units)
    inspections = InspectionColumns(
        time=np.sort(rng.integers(0, 50, n)).astype(np.float64),
        station=rng.integers(0, len(STATIONS) - 1, n).astype(np.int16), defect=defect, result=result,
        severity=severity, lot=rng.integers(-1, len(LOTS) - 1, n).astype(np.int32),
        sku=np.zeros(n, dtype=np.int16), unit=units)
    samples = SampleColumns(np.empty(0), np.empty(0), np.empty(0, np.int32), np.empty(0),
                            np.empty(0, np.uint32))
    return ReplayData(0.0, 49.0, (), STATIONS, TYPES, LOTS, ("SKU",), samples, inspections)


def brute_defects(c: InspectionColumns, lo: float, hi: float) -> np.ndarray:
    inside = (c.time > lo) & (c.time <= hi)
    return np.array([[np.sum(inside & (c.station == s) & (c.defect == t)) for t in range(len(TYPES))]
                     for s in range(len(STATIONS))])


@pytest.mark.parametrize("seed", SEEDS)
def test_defect_counts_pareto_and_yields_in_any_window(seed: int) -> None:
    data = replay_data(seed)
    c, dw, rng = data.inspections, DefectWindows(data), np.random.default_rng(seed + 100)
    for lo, hi in windows(rng, c.time):
        expected = brute_defects(c, lo, hi) if hi > lo else np.zeros((len(STATIONS), len(TYPES)))
        assert dw.defect_counts(lo, hi).tolist() == expected.tolist(), (lo, hi)
        assert dw.defect_dict(lo, hi) == {STATIONS[s]: {TYPES[t]: int(expected[s, t])
                                                        for t in range(len(TYPES)) if expected[s, t]}
                                          for s in range(len(STATIONS)) if expected[s].any()}
        totals = expected.sum(axis=0)
        ranked = sorted(range(len(TYPES)), key=lambda t: (-totals[t], t))  # ties: vocabulary order
        assert dw.pareto(lo, hi) == [(TYPES[t], int(totals[t])) for t in ranked if totals[t]]
        inside = (c.time > lo) & (c.time <= hi)
        inspected = [int(np.sum(inside & (c.station == s))) for s in range(len(STATIONS))]
        passed = [int(np.sum(inside & (c.station == s) & (c.result == 0))) for s in range(len(STATIONS))]
        y = dw.yields(lo, hi)
        assert (y.inspected.tolist(), y.passed.tolist()) == (inspected, passed)
        fpy = [p / i if i else None for p, i in zip(passed, inspected)]
        assert [None if np.isnan(f) else pytest.approx(f) for f in y.fpy] == fpy
    assert np.isnan(dw.yields(-np.inf, np.inf).fpy[STATIONS.index("idle_station")])


@pytest.mark.parametrize("seed", SEEDS)
def test_fpy_series_and_density_per_bin(seed: int) -> None:
    data = replay_data(seed)
    c, dw = data.inspections, DefectWindows(data)
    edges = np.array([-1.0, 0.0, 7.0, 7.5, 20.0, 20.0, 33.0, 49.0, 60.0])  # an empty bin too
    fpy, density = dw.fpy_series(edges), dw.density(edges)
    assert fpy.shape == (len(edges) - 1, len(STATIONS)) and density.shape == (len(edges) - 1, len(TYPES))
    for b, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        inside = (c.time > lo) & (c.time <= hi)
        for s in range(len(STATIONS)):
            at = inside & (c.station == s)
            want = np.sum(at & (c.result == 0)) / np.sum(at) if at.any() else None
            got = None if np.isnan(fpy[b, s]) else fpy[b, s]
            assert got == (None if want is None else pytest.approx(want)), (b, s)
        assert density[b].tolist() == [int(np.sum(inside & (c.defect == t))) for t in range(len(TYPES))]


@pytest.mark.parametrize("seed", SEEDS)
def test_lot_yield_and_lot_defects_over_the_range(seed: int) -> None:
    data = replay_data(seed)
    c, dw = data.inspections, DefectWindows(data)
    for code, lot in enumerate(LOTS):
        of_lot = c.lot == code
        assert dw.lot_yield(lot) == (int(of_lot.sum()), int(np.sum(of_lot & (c.result == 0))))
        assert dw.lot_defects(lot) == {TYPES[t]: int(np.sum(of_lot & (c.defect == t)))
                                       for t in range(len(TYPES)) if np.any(of_lot & (c.defect == t))}
    assert dw.lot_yield("L4") == (0, 0) and dw.lot_defects("L4") == {}


# -- EventSearch -------------------------------------------------------------------------------


def filters(rng: np.random.Generator) -> list[EventFilter]:
    pick = lambda names: list(rng.choice(names, size=rng.integers(0, 3), replace=False))  # noqa: E731
    random = [EventFilter.of(pick(TYPES), pick(STATIONS), pick(LOTS), pick([s.value for s in SEVERITIES]),
                             bool(rng.integers(0, 2))) for _ in range(12)]
    return [EventFilter(), EventFilter.of(defective_only=False), *random]


def brute_match(data: ReplayData, flt: EventFilter) -> np.ndarray:
    c = data.inspections
    keep = [(not flt.defective_only or c.result[i] != 0)
            and (not flt.defect_types or (c.defect[i] >= 0 and TYPES[c.defect[i]] in flt.defect_types))
            and (not flt.stations or STATIONS[c.station[i]] in flt.stations)
            and (not flt.lots or (c.lot[i] >= 0 and LOTS[c.lot[i]] in flt.lots))
            and (not flt.severities
                 or (c.severity[i] >= 0 and SEVERITIES[c.severity[i]].value in flt.severities))
            for i in range(len(c))]
    return np.flatnonzero(keep)


@pytest.mark.parametrize("seed", SEEDS)
def test_next_and_previous_event_match_a_scan(seed: int) -> None:
    data = replay_data(seed)
    search, rng, times = EventSearch(data), np.random.default_rng(seed + 200), data.inspections.time
    instants = [*rng.choice(times, 15), *rng.uniform(-2, 52, 10), -np.inf, np.inf]
    for flt in filters(rng):
        rows = brute_match(data, flt)
        assert search.rows(flt).tolist() == rows.tolist()
        for t in instants:
            after = [r for r in rows if times[r] > t]  # strictly: the event at t is where the cursor is
            before = [r for r in rows if times[r] < t]
            assert search.next_after(t, flt) == (after[0] if after else None), (flt, t)
            assert search.previous_before(t, flt) == (before[-1] if before else None), (flt, t)


def test_unit_path_lists_every_inspection_of_the_unit_in_time_order() -> None:
    data = replay_data(5)
    search, units = EventSearch(data), data.inspections.unit
    for unit in sorted(set(units.tolist()))[:40]:
        path = search.unit_path(unit)
        assert path.tolist() == [i for i in range(len(units)) if units[i] == unit]
        assert np.all(np.diff(data.inspections.time[path]) >= 0)
    assert search.unit_path("no-such-unit").tolist() == []
