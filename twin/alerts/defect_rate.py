"""Reject-rate and defect-rate alerts: a Bernoulli CUSUM on the unit stream.

:class:`RateShiftAlert` turns counts of good and defective units (from counter
increments) into one alert, through :class:`~linetwin.twin.alerts.bernoulli_cusum.BernoulliCusum`:

- "fpy-shift" (alarm), per station: the reject rate has risen from its in-control
  rate ``1 - target`` towards ``1 - threshold`` (the rate at which first-pass
  yield is below its threshold);
- "defect-rate" (warning), per station and defect type: that type's rate has
  risen from its declared ``rate`` towards its ``limit``.

The chart is calibrated for ``arl0_units`` units between false alarms on
average (Markov-chain ARL, exact for the integer chart), so its false-alarm
rate per shift is ``units per shift / arl0_units``. It judges from the first
unit: there is no start-up window. Where the project gives no in-control
rate, it is learned from the first ``baseline_units`` units (a warm-up counted
in units, not minutes), and the chart starts after that.
"""

from __future__ import annotations

from linetwin.twin.alerts.alerts import AlertChange, Condition
from linetwin.twin.alerts.bernoulli_cusum import BernoulliCusum, CusumDesign


class RateShiftAlert:
    """One Bernoulli CUSUM and the alert it drives."""

    __slots__ = ("condition", "label", "p0", "p1", "arl0", "baseline_units", "cusum",
                 "_learn_units", "_learn_defective", "_unusable", "_declared")

    def __init__(self, condition: Condition, label: str, p0: float | None, p1: float,
                 arl0_units: float, baseline_units: int = 2000) -> None:
        self.condition = condition
        self.label = label
        self.p0, self.p1, self.arl0 = p0, p1, arl0_units
        self.baseline_units = baseline_units
        self.cusum: BernoulliCusum | None = None
        self._learn_units = self._learn_defective = 0
        self._unusable: str | None = None
        self._declared = p0 is not None
        if p0 is not None:
            self.cusum = BernoulliCusum(CusumDesign.for_arl0(p0, p1, arl0_units))

    def add(self, good: int, defective: int, t: float, out: list[AlertChange]) -> None:
        """Units seen in one counter reading (good or defective ones)."""
        cusum = self.cusum
        if cusum is None:
            self._learn(good, defective)
            return
        s = cusum.add(good, defective)
        condition = self.condition
        if cusum.signalling:
            if not condition.active:
                condition.trigger(cusum.run_rate, self.p1, t, self._message(cusum),
                                  self._details(cusum), out)
            else:
                condition.hold()
        elif condition.active:
            if s == 0:  # the evidence of a rise is used up: back in control
                condition.calm(t, out)
            else:
                condition.hold()

    def _learn(self, good: int, defective: int) -> None:
        if self._unusable is not None:
            return
        self._learn_units += good + defective
        self._learn_defective += defective
        if self._learn_units < self.baseline_units:
            return
        # At least one defective's worth: a clean warm-up must not design the
        # chart against a rate of zero (every later defect would alarm).
        p0 = max(self._learn_defective, 1) / self._learn_units
        if p0 >= self.p1:
            self._unusable = (f"in-control rate {p0:.2%} learned over {self._learn_units} units "
                              f"is not below the rate to detect {self.p1:.2%}: no rise to detect")
            return
        self.p0 = p0
        self.cusum = BernoulliCusum(CusumDesign.for_arl0(p0, self.p1, self.arl0))

    def quiet_reason(self) -> str | None:
        if self._unusable is not None:
            return f"{self.label}: {self._unusable}"
        if self.cusum is None:
            return (f"{self.label}: learning baseline ({self._learn_units} of "
                    f"{self.baseline_units} units)")
        return None

    def _message(self, cusum: BernoulliCusum) -> str:
        d = cusum.design
        return (f"{self.label} up: {cusum.run_defective} of the last {cusum.run_units} units "
                f"({cusum.run_rate:.1%}; in control {d.p0:.2%}, alarm at {d.p1:.2%}; "
                f"Bernoulli CUSUM, ARL0 {d.arl0:,.0f} units)")

    @staticmethod
    def _details(cusum: BernoulliCusum) -> dict[str, float]:
        d = cusum.design
        return {"p0": d.p0, "p1": d.p1, "cusum": float(cusum.s), "h": float(d.h),
                "llr": cusum.llr, "units": float(cusum.run_units),
                "defective": float(cusum.run_defective), "arl0_units": d.arl0}

    def reset(self) -> None:
        self.condition.reset()
        self._learn_units = self._learn_defective = 0
        self._unusable = None
        if not self._declared:
            self.cusum, self.p0 = None, None  # learn again
        elif self.cusum is not None:
            self.cusum.reset()
