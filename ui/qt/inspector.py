"""The inspector on the right: the selected asset, its signal values and its production.

Built from a :class:`~linetwin.twin.pipeline.TwinPipeline` (napari's habit: a
view takes its model): readings, alerts, production and "now" all come from
the pipeline, so a replay shows ages and staleness at the cursor, and a reset
(a replay seek) empties what is shown.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QSplitter, QStackedLayout, QTableWidgetItem, QVBoxLayout, QWidget

from linetwin.twin.alerts.alerts import Alert, signal_label
from linetwin.twin.model import SignalKind
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.selection import Selection
from linetwin.twin.updates import Quality
from linetwin.ui.qt.formatting import format_age, format_quality, format_value
from linetwin.ui.qt.trend_plot import TrendPlot
from linetwin.ui.qt.widgets.row_table import row_table
from linetwin.ui.qt.widgets.station_production import StationProductionView

COLUMNS = ["Signal", "Value", "Unit", "Quality", "Age"]
QUALITY_COLORS = {Quality.GOOD: "#1B7F3B", Quality.UNCERTAIN: "#9A6700",
                  Quality.BAD: "#B42318", Quality.NO_DATA: "#6B7280"}
STALE_TEXT_COLOR = "#7A4F01"


class Inspector(QWidget):
    """Shows the selected asset's signals and production; :meth:`refresh` is called
    by the window's status timer."""

    def __init__(self, pipeline: TwinPipeline, selection: Selection,
                 problems: dict[str, str] | None = None, trend: TrendPlot | None = None,
                 summary: QWidget | None = None, parent=None) -> None:
        super().__init__(parent)
        self.pipeline, self.selection = pipeline, selection
        self.project, self.state, self.clock = pipeline.project, pipeline.state, pipeline.clock
        self.trend, self.alert_book = trend, pipeline.alerts.book
        # Why a signal's rules are quiet: a rule that says nothing must say why,
        # e.g. "suppressed while ... is not running".
        self.quiet_reason = pipeline.alerts.quiet_reason
        self.summary = summary  # the line at a glance, shown while nothing is selected
        self.alert_context = QLabel("")
        self.alert_context.setObjectName("inspectorAlerts")
        self.alert_context.setWordWrap(True)
        self.alert_context.setTextFormat(Qt.TextFormat.RichText)
        self.problems = problems or {}
        self.title = QLabel("Select a station in the 3D view or the tree")
        self.title.setObjectName("inspectorTitle")
        self.title.setWordWrap(True)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.table = row_table(COLUMNS, "inspectorTable", single=False)
        self.table.itemSelectionChanged.connect(self._on_rows_selected)
        details = QWidget()
        layout = QVBoxLayout(details)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addWidget(self.alert_context)
        self.production = StationProductionView(pipeline.production, pipeline.clock)
        layout.addWidget(self.production)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        if trend is not None:
            split.addWidget(trend)
        layout.addWidget(split)
        self.pages = QStackedLayout(self)
        if summary is not None:
            self.pages.addWidget(summary)
        self.pages.addWidget(details)
        self.signal_ids: list[str] = []
        selection.changed.connect(self._on_selection_change)
        pipeline.reset_done.connect(self._on_reset)

    def _on_selection_change(self, asset_id: str | None) -> None:
        self.pages.setCurrentIndex(self.pages.count() - 1 if asset_id else 0)
        if asset_id is None:
            self.title.setText("Select a station in the 3D view or the tree")
            self.detail.setText("")
            self.signal_ids = []
        else:
            asset = self.project.asset(asset_id)
            self.title.setText(f"<b>{asset.name}</b>  <span style='color:#6B7280'>"
                               f"{asset.level.value} · {asset.id}</span>")
            warning = self.problems.get(asset_id)
            self.detail.setText(f"⚠ {warning}" if warning else "")
            self.signal_ids = [s.id for s in self.project.signals_of(asset_id)]
        self.table.setRowCount(len(self.signal_ids))
        self.production.show_station(asset_id)
        self.refresh()
        if self.trend is not None:  # by default the first process value (units differ)
            analog = [s for s in self.signal_ids
                      if self.project.signal(s).kind is SignalKind.ANALOG]
            self.trend.show_signals(analog[:1])

    def _on_rows_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        if rows and self.trend is not None:
            self.trend.show_signals([self.signal_ids[r] for r in rows])

    def _on_reset(self, _at: float) -> None:
        """Every part of the pipeline started over: nothing shown may survive it."""
        if self.trend is not None:
            self.trend.clear()
        self.refresh()

    def refresh(self) -> None:
        if self.selection.asset_id is None and self.summary is not None:
            self.summary.refresh()
            return
        now = self.clock.now()
        self._show_alert_context()
        self.production.refresh()
        if self.trend is not None:
            self.trend.refresh()
        for row, signal_id in enumerate(self.signal_ids):
            signal = self.project.signal(signal_id)
            reading = self.state.reading(signal_id, now)
            short = signal_id.removeprefix(f"{signal.asset}.")  # the title names the asset
            cells = [short, format_value(self.project, signal, reading), signal.unit,
                     format_quality(reading), format_age(reading.age(now))]
            for col, text in enumerate(cells):
                self._set(row, col, text)
            self.table.item(row, 0).setToolTip(f"{signal_id}\n{signal.node}")
            color = STALE_TEXT_COLOR if reading.stale else QUALITY_COLORS[reading.quality]
            self.table.item(row, 3).setForeground(QBrush(QColor(color)))
            self.table.item(row, 1).setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def _show_alert_context(self) -> None:
        """The selected station's listed alerts, why quiet rules are quiet, and the
        alerts' marks on the trend."""
        asset_id = self.selection.asset_id
        if asset_id is None:
            self.alert_context.setText("")
            return
        lines = [_alert_line(a) for a in self.alert_book.for_asset(asset_id)[-5:]]
        for signal_id in self.signal_ids:
            reason = self.quiet_reason(signal_id)
            if reason:
                lines.append(f"<span style='color:#6B7280'>○ {signal_label(signal_id)} "
                             f"alerts: {html.escape(reason)}</span>")
        self.alert_context.setText("<br>".join(lines))
        if self.trend is not None:
            self.trend.set_alerts(self.alert_book.history())

    def value_text(self, signal_id: str) -> str:
        """The Value cell as shown (for tests and accessibility)."""
        row = self.signal_ids.index(signal_id)
        return self.table.item(row, 1).text()

    def _set(self, row: int, col: int, text: str) -> None:
        item = self.table.item(row, col)
        if item is None:
            self.table.setItem(row, col, QTableWidgetItem(text))
        elif item.text() != text:
            item.setText(text)


def _alert_line(alert: Alert) -> str:
    ack = (f"; {html.escape(alert.acknowledged_by)}: {html.escape(alert.comment)}"
           if alert.acknowledged else "")
    color = "#B42318" if alert.active else "#6B7280"
    return (f"<span style='color:{color}'>⚠ {html.escape(alert.message)} "
            f"<i>({alert.lifecycle.replace('-', ', ')}{ack})</i></span>")
