import numpy as np

from linetwin.twin.history_buffer import SignalHistory
from linetwin.twin.updates import ValueUpdate


def test_window_returns_every_value_in_order_and_wraps():
    history = SignalHistory({"a": 0, "b": 1}, capacity=4)
    history.extend(ValueUpdate("a", float(k), 100.0 + k, 100.0 + k) for k in range(6))
    t, v = history.window("a")
    assert list(v) == [2.0, 3.0, 4.0, 5.0] and list(t) == [102.0, 103.0, 104.0, 105.0]
    assert list(history.window("a", since=103.5)[1]) == [4.0, 5.0]
    assert len(history.window("b")[0]) == 0


def test_bad_and_uncertain_values_are_breaks_and_unknown_signals_are_skipped():
    history = SignalHistory({"a": 0}, capacity=8)
    history.extend([ValueUpdate("a", 1.0, 1.0, 1.0), ValueUpdate("a", 9.0, 2.0, 2.0, 0x80000000),
                    ValueUpdate("a", 8.0, 3.0, 3.0, 0x40000000), ValueUpdate("zz", 3.0, 3.0, 3.0)])
    t, v = history.window("a")
    assert list(t) == [1.0, 2.0, 3.0] and v[0] == 1.0 and np.isnan(v[1:]).all()


def test_capacity_follows_the_memory_budget():
    small = SignalHistory({f"s{i}": i for i in range(10)})
    large = SignalHistory({f"s{i}": i for i in range(10_000)})
    assert small.capacity == 4096 and 64 <= large.capacity < small.capacity
    assert np.isnan(large.values).all()
