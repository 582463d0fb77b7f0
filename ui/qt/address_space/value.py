"""The live value of one OPC UA variable, as the address-space panel shows it."""

from __future__ import annotations

import html
import math
import time
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel

from linetwin.io.opcua.address_space import NodeValue
from linetwin.twin.updates import Quality
from linetwin.ui.qt.formatting import format_age

GOOD_COLOR, UNCERTAIN_COLOR, BAD_COLOR = "#1B7F3B", "#9A6700", "#B42318"
MUTED_COLOR = "#6B7280"
FIELDS = ("value", "data_type", "status", "source_time", "unit", "description")
LABELS = {"value": "Value", "data_type": "Data type", "status": "Status",
          "source_time": "Source time", "unit": "Unit", "description": "Description"}


def format_node_value(value: NodeValue) -> str:
    """The value as a person reads it: enum names, trimmed floats, arrays shortened."""
    raw: Any = value.value
    if raw is None:
        return "—"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if value.enum_values and isinstance(raw, int) and raw in value.enum_values:
        return f"{value.enum_values[raw]} ({raw})"
    if isinstance(raw, float):
        return "NaN" if math.isnan(raw) else f"{raw:.6g}"
    if isinstance(raw, int):
        return f"{raw:,}"
    if isinstance(raw, (list, tuple)):
        shown = ", ".join(str(v) for v in raw[:8])
        return f"[{shown}{', …' if len(raw) > 8 else ''}] ({len(raw)} values)"
    text = str(raw)
    return text if len(text) <= 200 else text[:200] + "…"


def status_color(value: NodeValue) -> str:
    quality = value.quality
    if quality is Quality.GOOD:
        return GOOD_COLOR
    return UNCERTAIN_COLOR if quality is Quality.UNCERTAIN else BAD_COLOR


def format_source_time(stamp: datetime | None, now: float | None = None) -> str:
    """Local clock time to the millisecond, and how old the value is."""
    if stamp is None:
        return "— (the server sent none)"
    now = time.time() if now is None else now
    local = stamp.astimezone().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return f"{local}  ({format_age(now - stamp.timestamp())} ago)"


class NodeValueView(QGroupBox):
    """A form with the selected variable's value, type, status, time, unit, description."""

    def __init__(self, parent=None) -> None:
        super().__init__("Live value", parent)
        self.setObjectName("addressSpaceValue")
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.node_label = QLabel()
        self.node_label.setObjectName("valueNode")
        self.node_label.setWordWrap(True)
        self.node_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.node_label)
        self.labels: dict[str, QLabel] = {}
        for key in FIELDS:
            label = QLabel("—")
            label.setObjectName(f"value_{key}")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.labels[key] = label
            form.addRow(LABELS[key] + ":", label)
        font = self.labels["value"].font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.labels["value"].setFont(font)
        self.clear("Select a variable in the tree to see its live value")

    def clear(self, hint: str) -> None:
        self.node_label.setText(f"<span style='color:{MUTED_COLOR}'>{hint}</span>")
        for label in self.labels.values():
            label.setText("—")
            label.setStyleSheet("")

    def show_node(self, name: str, node_id: str) -> None:
        """A newly selected variable: its name now, its value once read."""
        self.clear("")
        self.node_label.setText(f"<b>{html.escape(name)}</b>  <span style='color:{MUTED_COLOR}'>"
                                f"{html.escape(node_id)}</span>")
        self.labels["value"].setText("reading…")

    def show_value(self, value: NodeValue) -> None:
        texts = {
            "value": format_node_value(value),
            "data_type": value.data_type + (" (array)" if value.is_array else "")
            + ("" if value.writable else ", read-only"),
            "status": value.status,
            "source_time": format_source_time(value.source_timestamp),
            "unit": value.unit or "—",
            "description": value.description or "—",
        }
        for key, text in texts.items():
            if self.labels[key].text() != text:
                self.labels[key].setText(text)
        self.labels["status"].setStyleSheet(f"color: {status_color(value)}; font-weight: bold")
        # A value that is not Good is never shown as if it were live (DESIGN section 3).
        self.labels["value"].setStyleSheet("" if value.is_good else f"color: {MUTED_COLOR}")

    def show_failure(self, message: str) -> None:
        self.labels["value"].setText("—")
        self.labels["status"].setText("could not read")
        self.labels["status"].setStyleSheet(f"color: {BAD_COLOR}; font-weight: bold")
        self.labels["status"].setToolTip(message)

    def text(self, key: str) -> str:
        """What a field shows (for tests and accessibility)."""
        return self.labels[key].text()
