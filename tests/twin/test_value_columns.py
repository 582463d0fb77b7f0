"""A batch read once as columns: what the state table and the trend history get."""

import math

import numpy as np

from linetwin.twin.updates import ValueType, ValueUpdate
from linetwin.twin.value_columns import ValueColumns

BAD = 0x80000000  # Bad
UNCERTAIN = 0x40000000  # Uncertain

INDEX = {"a": 0, "b": 1, "c": 2}


def test_unknown_signals_are_dropped_and_the_order_kept():
    batch = ValueColumns([ValueUpdate("b", 2.0, 10.0, 11.0), ValueUpdate("zz", 9.0, 1.0, 1.0),
                          ValueUpdate("a", 1.0, 12.0, 13.0, status_code=BAD)], INDEX)
    assert batch.rows.tolist() == [1, 0]
    assert batch.values.tolist() == [2.0, 1.0]
    assert batch.source_times.tolist() == [10.0, 12.0]
    assert batch.receive_times.tolist() == [11.0, 13.0]
    assert batch.status_codes.tolist() == [0, BAD]
    assert len(batch) == 2


def test_untrusted_readings_have_no_value_for_the_trends():
    batch = ValueColumns([ValueUpdate("a", 1.0, 1.0, 1.0), ValueUpdate("b", 2.0, 1.0, 1.0, UNCERTAIN),
                          ValueUpdate("c", 3.0, 1.0, 1.0, BAD)], INDEX)
    trusted = batch.trusted_values()
    assert trusted[0] == 1.0 and math.isnan(trusted[1]) and math.isnan(trusted[2])
    assert batch.values.tolist() == [1.0, 2.0, 3.0]  # the state table keeps what was sent


def test_values_that_are_not_plain_numbers_are_kept_with_their_position():
    text = ValueUpdate("c", math.nan, 1.0, 1.0, text="LOT-7", value_type=ValueType.TEXT)
    batch = ValueColumns([ValueUpdate("a", 1.0, 1.0, 1.0), text], INDEX)
    assert batch.typed == [(1, text)]


def test_an_empty_batch():
    batch = ValueColumns([], INDEX)
    assert len(batch) == 0 and batch.rows.dtype == np.int64 and batch.trusted_values().size == 0
