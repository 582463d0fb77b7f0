"""The alerts panel: listed alerts, newest first, with acknowledge-with-comment.

Built from a :class:`~linetwin.twin.pipeline.TwinPipeline`: its alert book, its
clock (an acknowledgement is stamped with the pipeline's "now", the cursor's
in a replay) and its reset (the list is rebuilt from the emptied book).
"""

from __future__ import annotations

import getpass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QMessageBox, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget,
)

from linetwin.twin.alerts.alerts import Alert, Severity
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.selection import Selection
from linetwin.ui.qt.formatting import format_clock
from linetwin.ui.qt.widgets.ack_dialog import AcknowledgeDialog
from linetwin.ui.qt.widgets.row_table import row_table

COLUMNS = ["Time", "Station", "Signal", "Rule", "Value", "State"]
SEVERITY_COLORS = {Severity.ALARM: "#B42318", Severity.WARNING: "#9A6700"}
CLEARED_COLOR = "#4B5563"
ALERT_ID_ROLE = Qt.ItemDataRole.UserRole


class AlertsPanel(QWidget):
    """Follows the pipeline's :class:`AlertBook`; call :meth:`refresh` from a timer
    (it is cheap when nothing changed). Selecting a row selects the alert's station."""

    acknowledge_failed = Signal(str)

    def __init__(self, pipeline: TwinPipeline, selection: Selection, parent=None) -> None:
        super().__init__(parent)
        self.project, self.selection = pipeline.project, selection
        self.book, self.clock = pipeline.alerts.book, pipeline.clock
        self.user = getpass.getuser()
        self.table = row_table(COLUMNS, "alertsTable")
        self.table.itemSelectionChanged.connect(self._on_row_selected)
        self.table.itemDoubleClicked.connect(lambda *_: self.acknowledge_selected())
        self.summary = QLabel("No alerts")
        self.ack_button = QPushButton("Acknowledge…")
        self.ack_button.setToolTip("Acknowledge the selected alert with a comment (Ctrl+K)")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.ack_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self._dirty = True
        book = self.book
        for event in (book.raised, book.updated, book.cleared, book.acknowledged):
            event.connect(self._mark_dirty)
        pipeline.reset_done.connect(self._on_reset)

    def _mark_dirty(self, _alert: Alert) -> None:
        self._dirty = True

    def _on_reset(self, _at: float) -> None:
        """The book was emptied (it says nothing itself): list what is left, now."""
        self._dirty = True
        self.refresh()

    def refresh(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        selected = self.selected_alert_id()
        alerts = sorted(self.book.active(), key=lambda a: a.raised_at, reverse=True)
        self.table.blockSignals(True)
        self.table.setRowCount(len(alerts))
        for row, alert in enumerate(alerts):
            self._fill(row, alert)
            if alert.id == selected:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        unacked = sum(not a.acknowledged for a in alerts)
        active = sum(a.active for a in alerts)
        self.summary.setText(f"{active} active, {unacked} to acknowledge" if alerts else "No alerts")

    def _fill(self, row: int, alert: Alert) -> None:
        station = self._asset_name(alert.asset_id)
        value = "" if alert.value != alert.value else f"{alert.value:.4g}"  # NaN: no value
        cells = [format_clock(alert.raised_at), station, alert.signal_id or "", alert.rule,
                 value, alert.lifecycle.replace("-", ", ")]
        # A cleared alert waiting for its acknowledgement is grey: never read as active.
        color = QColor(SEVERITY_COLORS.get(alert.severity, "#1B1F24") if alert.active
                       else CLEARED_COLOR)
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(ALERT_ID_ROLE, alert.id)
            item.setToolTip(alert.message + (f"\nAck: {alert.acknowledged_by}: {alert.comment}"
                                             if alert.acknowledged else ""))
            if not alert.acknowledged:
                item.setForeground(QBrush(color))
                font = item.font()
                font.setBold(alert.active)
                item.setFont(font)
            self.table.setItem(row, col, item)

    def _asset_name(self, asset_id: str) -> str:
        try:
            return self.project.asset(asset_id).name
        except KeyError:
            return asset_id

    def selected_alert_id(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(ALERT_ID_ROLE) if items else None

    def _on_row_selected(self) -> None:
        alert_id = self.selected_alert_id()
        if alert_id is not None:
            self.selection.select(self.book.get(alert_id).asset_id)

    def ask_comment(self, alert: Alert) -> str | None:
        """Asks the user why (an empty comment keeps the dialog open with a hint);
        None if cancelled. Tests replace this to skip the dialog."""
        dialog = AcknowledgeDialog(alert.message, self)
        return dialog.comment() if dialog.exec() else None

    def acknowledge_for_selection(self) -> str | None:
        """Ctrl+K: acknowledge the selected alert row, else the selected station's most
        urgent unacknowledged alert. Returns what to do instead when there is none."""
        self.refresh()
        row_id = self.selected_alert_id()
        station = self.selection.asset_id
        if row_id is not None and station in (None, self.book.get(row_id).asset_id) \
                and not self.book.get(row_id).acknowledged:
            self.acknowledge_selected()
            return None
        if station is None:
            return ("Select a station with an alert (3D view or tree) or an alert in the "
                    "Alerts panel, then press Ctrl+K")
        waiting = [a for a in self.book.for_asset(station) if not a.acknowledged]
        if not waiting:
            return f"{self._asset_name(station)} has no alert to acknowledge"
        urgent = min(waiting, key=lambda a: (not a.active, a.severity is not Severity.ALARM,
                                             -a.raised_at))
        self._select(urgent.id)
        self.acknowledge_selected()
        return None

    def _select(self, alert_id: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(ALERT_ID_ROLE) == alert_id:
                self.table.selectRow(row)
                return

    def acknowledge_selected(self) -> bool:
        alert_id = self.selected_alert_id()
        if alert_id is None:
            return False
        alert = self.book.get(alert_id)
        if alert.acknowledged:
            return False
        comment = self.ask_comment(alert)
        if comment is None:
            return False
        try:
            self.book.acknowledge(alert_id, self.user, comment, self.clock.now())
        except (KeyError, ValueError) as error:
            QMessageBox.warning(self, "Alert not acknowledged", str(error).strip("'\""))
            return False
        self.refresh()
        return True
