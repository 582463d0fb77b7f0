""""Now" from the live trend buffers: the last hour, sampled once a second."""

from __future__ import annotations

import numpy as np

from linetwin.twin.history_buffer import SignalHistory
from linetwin.twin.updates import ValueUpdate
from linetwin.twin.whatif.live_now import live_rows

T, D = "sealer.seal_temperature", "sealer.dwell_time"


def filled(seconds: float, step: float = 0.5) -> SignalHistory:
    history = SignalHistory({T: 0, D: 1}, capacity=20000)
    times = np.arange(0.0, seconds, step)
    history.extend([ValueUpdate(T, 185.0 + 0.01 * t, float(t), float(t)) for t in times])
    history.extend([ValueUpdate(D, 350.0, float(t), float(t)) for t in times])
    return history


def test_rows_are_the_values_as_of_each_second_of_the_last_hour():
    rows, seconds = live_rows(filled(5000.0), [T, D])
    assert abs(seconds - 3600.0) < 1.0
    assert len(rows[T]) == 3600
    # as of each second: the latest value at or before it (the series rises 0.01 per second)
    assert np.allclose(np.diff(rows[T]), 0.01)
    assert rows[D].min() == rows[D].max() == 350.0


def test_too_little_data_or_an_unknown_value_gives_none():
    assert live_rows(filled(120.0), [T, D]) is None  # two minutes: not "now"
    assert live_rows(filled(5000.0), [T, "filler.fill_weight"]) is None
