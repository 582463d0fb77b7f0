"""The alerts panel: listed alerts, newest first, with acknowledge-with-comment."""

from __future__ import annotations

import getpass
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout, QHeaderView, QInputDialog, QLabel, QMessageBox, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from linetwin.twin.alerts import Alert, AlertBook, Severity
from linetwin.twin.model import Project
from linetwin.twin.selection import Selection
from linetwin.ui.formatting import format_clock

COLUMNS = ["Time", "Station", "Signal", "Rule", "Value", "State"]
SEVERITY_COLORS = {Severity.ALARM: "#B42318", Severity.WARNING: "#9A6700"}
ALERT_ID_ROLE = Qt.ItemDataRole.UserRole


class AlertsPanel(QWidget):
    """Follows an :class:`AlertBook`; call :meth:`refresh` from a timer (it is cheap
    when nothing changed). Selecting a row selects the alert's station."""

    acknowledge_failed = Signal(str)

    def __init__(self, project: Project, book: AlertBook, selection: Selection,
                 parent=None) -> None:
        super().__init__(parent)
        self.project, self.book, self.selection = project, book, selection
        self.user = getpass.getuser()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("alertsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
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
        for event in (book.raised, book.updated, book.cleared, book.acknowledged):
            event.connect(self._mark_dirty)

    def _mark_dirty(self, _alert: Alert) -> None:
        self._dirty = True

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
        color = QColor(SEVERITY_COLORS.get(alert.severity, "#1B1F24"))
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
        """Asks the user why; tests replace this to skip the dialog."""
        text, ok = QInputDialog.getMultiLineText(
            self, "Acknowledge alert",
            f"{alert.message}\n\nComment (required: what was seen or done):")
        return text if ok else None

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
            self.book.acknowledge(alert_id, self.user, comment, time.time())
        except (KeyError, ValueError) as error:
            QMessageBox.warning(self, "Alert not acknowledged", str(error).strip("'\""))
            return False
        self.refresh()
        return True
