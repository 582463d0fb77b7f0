"""The read-only table of rows the panels share (alerts, inspector values, setpoint
proposals): whole rows selected, columns sized to their contents, the last one
taking what is left."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableWidget


def row_table(columns: list[str] | tuple[str, ...], name: str, single: bool = True) -> QTableWidget:
    """An empty read-only table named ``name``; ``single``: one row at a time is selected."""
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    if single:
        table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table
