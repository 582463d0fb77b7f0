"""SignalHistory.extend stores a batch exactly as appending its values one by one would."""

import numpy as np

from linetwin.twin.history_buffer import SignalHistory
from linetwin.twin.updates import ValueUpdate


def _one_by_one(index: dict[str, int], capacity: int, updates: list[ValueUpdate]):
    """The reference: the ring written sample by sample (the former loop)."""
    n = len(index)
    times, values = np.full((n, capacity), np.nan), np.full((n, capacity), np.nan)
    count = np.zeros(n, dtype=np.int64)
    for u in updates:
        i = index.get(u.signal_id)
        if i is None:
            continue
        slot = count[i] % capacity
        times[i, slot] = u.source_time
        values[i, slot] = u.value if (u.status_code >> 30) & 0b11 == 0 else np.nan
        count[i] += 1
    return times, values, count


def test_random_batches_with_repeats_bad_values_and_overflowing_rows_match_one_by_one():
    rng = np.random.default_rng(3)
    index = {f"s{k}": k for k in range(5)}
    capacity = 8
    history = SignalHistory(index, capacity=capacity)
    stream = []
    for batch_size in (1, 3, 7, 20, 40, 0, 13, 64):  # 40 and 64: rows get more than a ring's worth
        batch = []
        for _ in range(batch_size):
            sid = f"s{rng.integers(0, 5)}" if rng.random() > 0.05 else "unknown"
            code = int(rng.choice([0, 0, 0, 0x40000000, 0x80000000, 0x00000400]))  # last: Good, info bits
            t = 1000.0 + len(stream) + len(batch)
            batch.append(ValueUpdate(sid, float(rng.normal()), t, t, code))
        history.extend(batch)
        stream += batch
        times, values, count = _one_by_one(index, capacity, stream)
        assert np.array_equal(history.count, count)
        assert np.array_equal(history.times, times, equal_nan=True)
        assert np.array_equal(history.values, values, equal_nan=True)
    assert history.count.sum() > capacity * 5  # every ring wrapped


def test_a_generator_is_read_once_and_an_empty_batch_changes_nothing():
    history = SignalHistory({"a": 0}, capacity=4)
    history.extend(ValueUpdate("a", float(k), float(k), float(k)) for k in range(3))
    history.extend([])
    history.extend([ValueUpdate("zz", 1.0, 1.0, 1.0)])
    assert list(history.window("a")[1]) == [0.0, 1.0, 2.0] and history.count[0] == 3
