"""One process value's proposed setting: a slider and a spin box over a strip that
draws the spec limits, the certified limits and the range of data the model saw.

The strip is the reason the control exists: a proposal is read against three
ranges at once. Spec (grey) is what the product allows, certified (green) is
what may be written to the line, and the model's 1..99 % data range (blue) is
where its prediction can be trusted; outside it the control says
"extrapolation" in words, not just in colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QDoubleSpinBox, QGridLayout, QLabel, QSlider, QStyle, QStyleOptionSlider, QWidget,
)

from linetwin.twin.model import Signal as ProcessSignal
from linetwin.twin.whatif.design import FeatureScale

STEPS = 1000  # slider positions over the whole range
SPEC_COLOR, CERTIFIED_COLOR, DATA_COLOR = "#D0D5DD", "#7BC47F", "#5B8FF9"
NOW_COLOR, PROPOSED_COLOR, WARN_COLOR = "#1B1F24", "#B42318", "#B42318"


@dataclass(frozen=True)
class ValueRanges:
    """The ranges a proposed value is drawn against (None: that side is open)."""

    spec: tuple[float | None, float | None]
    certified: tuple[float | None, float | None] | None
    data: tuple[float, float]  # 1..99 % of what the model was fitted on
    now: float  # the mean the line ran at ("now" of the model)

    @classmethod
    def of(cls, signal: ProcessSignal | None, scale: FeatureScale, now: float) -> "ValueRanges":
        spec = (signal.limits.low, signal.limits.high) if signal is not None else (None, None)
        cert = signal.certified if signal is not None and signal.certified is not None else None
        return cls(spec, (cert.low, cert.high) if cert else None, (scale.low, scale.high), now)

    def span(self) -> tuple[float, float]:
        """The slider's range: every finite limit and the data, with a margin."""
        points = [self.now, *self.data, *self.spec, *(self.certified or ())]
        finite = [p for p in points if p is not None and math.isfinite(p)]
        lo, hi = min(finite), max(finite)
        pad = 0.08 * (hi - lo) if hi > lo else max(abs(lo) * 0.1, 1.0)
        return lo - pad, hi + pad

    def outside_data(self, value: float) -> bool:
        return not self.data[0] <= value <= self.data[1]


class RangeStrip(QWidget):
    """The three ranges as bands, with the value now (black tick) and the proposed one (red)."""

    def __init__(self, ranges: ValueRanges, slider: QSlider, parent=None) -> None:
        super().__init__(parent)
        self.ranges, self.slider = ranges, slider
        self.lo, self.hi = ranges.span()
        self.proposed = ranges.now
        self.setMinimumHeight(18)

    def set_proposed(self, value: float) -> None:
        self.proposed = value
        self.update()

    def _x(self, value: float) -> float:
        """Where the slider's handle centre is at ``value`` (the handle's margins kept)."""
        opt = QStyleOptionSlider()
        self.slider.initStyleOption(opt)
        half = self.slider.style().pixelMetric(QStyle.PixelMetric.PM_SliderLength, opt, self.slider) / 2
        t = (value - self.lo) / (self.hi - self.lo)
        return half + min(max(t, 0.0), 1.0) * (self.width() - 2 * half)

    def _band(self, painter: QPainter, low, high, color: str, top: float, height: float) -> None:
        x0 = self._x(self.lo if low is None else low)
        x1 = self._x(self.hi if high is None else high)
        painter.fillRect(QRectF(x0, top, max(x1 - x0, 1.0), height), QColor(color))

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        h = self.height()
        r = self.ranges
        self._band(painter, *r.spec, SPEC_COLOR, 2, h - 4)
        if r.certified is not None:
            self._band(painter, *r.certified, CERTIFIED_COLOR, 4, h - 8)
        self._band(painter, *r.data, DATA_COLOR, h / 2 - 2, 4)
        for value, color, width in ((r.now, NOW_COLOR, 2), (self.proposed, PROPOSED_COLOR, 3)):
            painter.setPen(QPen(QColor(color), width))
            x = self._x(value)
            painter.drawLine(int(x), 0, int(x), h)
        painter.end()


class ValueControl(QWidget):
    """Slider + spin box for one process value; ``value_changed(signal_id, value)``."""

    value_changed = Signal(str, float)

    def __init__(self, signal_id: str, label: str, unit: str, ranges: ValueRanges, parent=None) -> None:
        super().__init__(parent)
        self.signal_id, self.unit, self.ranges = signal_id, unit, ranges
        self.lo, self.hi = ranges.span()
        digits = max(0, 2 - int(math.floor(math.log10(max(self.hi - self.lo, 1e-9)))))
        self.spin = QDoubleSpinBox()
        self.spin.setObjectName(f"spin:{signal_id}")
        self.spin.setDecimals(min(digits, 4))
        self.spin.setRange(self.lo, self.hi)
        self.spin.setSingleStep(10 ** -min(digits, 4) * 10 if digits else 1.0)
        self.spin.setSuffix(f" {unit}" if unit else "")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName(f"slider:{signal_id}")
        self.slider.setRange(0, STEPS)
        self.strip = RangeStrip(ranges, self.slider)
        self.warning = QLabel("")
        self.warning.setObjectName("extrapolationWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {WARN_COLOR}; font-weight: bold")
        self.legend = QLabel(self._legend_text())
        self.legend.setStyleSheet("color: #475467")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setVerticalSpacing(1)
        title = QLabel(f"<b>{label}</b>")
        grid.addWidget(title, 0, 0)
        grid.addWidget(self.spin, 0, 1)
        grid.addWidget(self.slider, 1, 0, 1, 2)
        grid.addWidget(self.strip, 2, 0, 1, 2)
        grid.addWidget(self.legend, 3, 0, 1, 2)
        grid.addWidget(self.warning, 4, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self.slider.valueChanged.connect(self._on_slider)
        self.spin.valueChanged.connect(self._on_spin)
        self.set_value(ranges.now)

    @property
    def value(self) -> float:
        return self.spin.value()

    @property
    def changed(self) -> bool:
        """Moved away from "now" by more than the spin box shows."""
        return abs(self.value - self.ranges.now) >= 0.5 * 10 ** -self.spin.decimals()

    def set_value(self, value: float) -> None:
        self.spin.setValue(value)  # the spin box rounds; the slider follows it

    def _on_slider(self, position: int) -> None:
        value = self.lo + (self.hi - self.lo) * position / STEPS
        if abs(self._position(self.spin.value()) - position) > 0:
            self.spin.setValue(value)

    def _on_spin(self, value: float) -> None:
        position = self._position(value)
        if self.slider.value() != position:
            self.slider.blockSignals(True)
            self.slider.setValue(position)
            self.slider.blockSignals(False)
        self.strip.set_proposed(value)
        self._show_warning(value)
        self.value_changed.emit(self.signal_id, value)

    def _position(self, value: float) -> int:
        return round((value - self.lo) / (self.hi - self.lo) * STEPS)

    def _show_warning(self, value: float) -> None:
        low, high = self.ranges.data
        self.warning.setText(
            f"⚠ extrapolation: {value:g}{self._u} is outside {low:.4g}..{high:.4g}{self._u}, "
            "the range the model saw (1..99 % of its data)" if self.ranges.outside_data(value) else "")

    @property
    def _u(self) -> str:
        return f" {self.unit}" if self.unit else ""

    def _legend_text(self) -> str:
        r = self.ranges
        parts = [f"<span style='color:{NOW_COLOR}'>▮ now {r.now:.4g}</span>",
                 f"<span style='color:#667085'>■ spec {_range(*r.spec)}</span>"]
        if r.certified is not None:
            parts.append(f"<span style='color:#2E7D32'>■ certified {_range(*r.certified)}</span>")
        parts.append(f"<span style='color:{DATA_COLOR}'>▬ data {_range(*r.data)}</span>")
        return " · ".join(parts) + (f" {self.unit}" if self.unit else "")


def _range(low: float | None, high: float | None) -> str:
    a = "–∞" if low is None else f"{low:.4g}"
    b = "∞" if high is None else f"{high:.4g}"
    return f"{a}..{b}"
