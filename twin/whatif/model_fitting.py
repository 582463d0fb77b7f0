"""Fit a station's what-if model: validate by time, then refit on all the data.

The selection and coefficients judged on the held-out part are those of a fit
on the earlier 70 %; the stored model is refitted (selection included) on the
whole history, the usual practice: the validation says how well this way of
fitting predicts unseen days, and the final model uses every unit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from linetwin.twin.whatif.fit import feature_scales, fit_defect, insufficient_reason
from linetwin.twin.whatif.unit_table import UnitTable
from linetwin.twin.whatif.validation import split_by_time, validate
from linetwin.twin.whatif.whatif_model import DataRange, WhatIfModel

REFERENCE_S = 3600.0  # "now" is the last hour the model saw
REFERENCE_ROWS = 2000  # at most this many units of it are kept (evenly spaced)


def fit_whatif_model(table: UnitTable, created: float,
                     progress: Callable[[float, str], None] | None = None) -> WhatIfModel:
    """The model of every defect type found at ``table.station``."""
    if table.units < 2:
        raise ValueError(f"{table.source}: {table.units} units at {table.station}: nothing to fit")
    progress = progress or (lambda fraction, what: None)
    scales = feature_scales(table)
    train, test, _ = split_by_time(table)
    rng = np.random.default_rng(0)  # validation draws: the same figures every time
    models, insufficient, validation = {}, {}, {}
    for i, defect in enumerate(table.defect_types):
        progress(i / len(table.defect_types), f"fitting {defect}")
        reason = insufficient_reason(table, defect)
        if reason is not None:
            insufficient[defect] = reason
            continue
        if insufficient_reason(train, defect) is None and test.units:
            validation[defect] = validate(fit_defect(train, defect, scales), scales, train, test, rng).as_json()
        models[defect] = fit_defect(table, defect, scales)
    progress(1.0, "done")
    return WhatIfModel(
        station=table.station, created=created, data=_data_range(table), scales=scales, models=models,
        insufficient=insufficient, base_rates={d: float(table.defects_of(d).mean()) for d in table.defect_types},
        validation=validation, reference=table.recent_rows(scales, REFERENCE_S, REFERENCE_ROWS)).with_hash()


def _data_range(table: UnitTable) -> DataRange:
    counts = {d: int(table.defects_of(d).sum()) for d in table.defect_types}
    return DataRange(table.source, table.data_hash(), float(table.times[0]), float(table.times[-1]),
                     table.units, table.dropped, counts)
