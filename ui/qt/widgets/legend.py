"""The colour legend dock: what each colour and look of the 3D view means.

The meanings come from :func:`linetwin.scene.legend.legend_entries`, the same
list the off-screen render draws and whose look constants the scene draws
with, so the legend cannot drift from the view. Analog colour rules (a value
on a colormap) are added here as a ramp.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QWidget

from linetwin.scene.badges import BadgeCounts
from linetwin.scene.legend import LOOK_WORDS, LegendEntry, legend_entries
from linetwin.twin.alerts.alerts import fmt, signal_label
from linetwin.twin.model import AnalogColorRule, Project
from linetwin.twin.palette import colormap_rgb

SWATCH = (30, 16)
SECTIONS = {"state": "Station state", "value": "Process value", "data": "Data",
            "mesh": "Geometry", "badge": "Alert badge"}
NOTES = {
    "no data": "nothing received yet",
    "stale": "value too old, or connection lost",
    "bad quality": "the server marks the value Bad or Uncertain",
    "no mesh (placeholder)": "the mesh file could not be loaded",
    "alarm badge": "active alarms: a limit is crossed now",
    "warning badge": "active warnings: a trend or pattern",
    "cleared badge": "condition gone, not acknowledged yet",
}
BADGE_SAMPLES = {"alarm badge": BadgeCounts(alarms=1), "warning badge": BadgeCounts(warnings=1),
                 "cleared badge": BadgeCounts(cleared=1)}


def _hex(rgb) -> str:
    return "#%02X%02X%02X" % tuple(rgb)


@dataclass(frozen=True)
class LegendRow:
    """One line of the legend: a scene entry, or an analog ramp (``ramp`` set)."""

    entry: LegendEntry
    note: str = ""
    ramp: tuple = ()

    @property
    def name(self) -> str:
        sample = BADGE_SAMPLES.get(self.entry.label)
        return sample.text if sample else LOOK_WORDS.get(self.entry.label, self.entry.label)

    @property
    def html(self) -> str:
        """The words beside the swatch; a badge is shown as the tag itself."""
        if self.entry.kind != "badge":
            return html.escape(self.name)
        bg, fg = (_hex(c) for c in (self.entry.color, self.entry.text_color or (255, 255, 255)))
        return (f"<span style='background:{bg}; color:{fg}; font-weight:bold'>"
                f"&nbsp;{html.escape(self.name)}&nbsp;</span>")

    @property
    def section(self) -> str:
        return SECTIONS.get(self.entry.kind, self.entry.kind)


def analog_rows(project: Project) -> list[LegendRow]:
    rows = []
    for rule in project.rules:
        if isinstance(rule, AnalogColorRule):
            signal = project.signal(rule.signal)
            lo, hi = rule.value_range
            ramp = tuple(tuple(int(c) for c in rgb)
                         for rgb in colormap_rgb(rule.colormap, np.linspace(0, 1, 16)))
            unit = f" {signal.unit}" if signal.unit else ""
            name = f"{project.asset(signal.asset).name}: {signal_label(signal.id).lower()}"
            rows.append(LegendRow(LegendEntry(name, "value", ramp[0]),
                                  f"{fmt(lo)} to {fmt(hi)}{unit} ({rule.colormap})", ramp))
    return rows


def legend_rows(project: Project) -> list[LegendRow]:
    """Every row of the legend, in display order: states, values, looks, badges."""
    entries = legend_entries(project)
    states = [LegendRow(e) for e in entries if e.kind == "state"]
    looks = [LegendRow(e, NOTES.get(e.label, "")) for e in entries if e.kind != "state"]
    return states + analog_rows(project) + looks


def swatch(row: LegendRow) -> QPixmap:
    """The fill, opacity and edges of one look, as the scene draws them."""
    w, h = SWATCH
    pixmap = QPixmap(w, h)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    rect = QRectF(1, 1, w - 2, h - 2)
    entry = row.entry
    if row.ramp:
        ramp = QLinearGradient(rect.topLeft(), rect.topRight())
        for i, rgb in enumerate(row.ramp):
            ramp.setColorAt(i / (len(row.ramp) - 1), QColor(*rgb))
        painter.fillRect(rect, ramp)
    else:
        fill = QColor(*entry.color)
        fill.setAlphaF(max(entry.opacity, 0.25))  # a nearly clear fill still reads on white
        painter.fillRect(rect, fill)
    painter.setPen(QPen(QColor(*(entry.edge or (154, 161, 171))), 2 if entry.edge else 1))
    painter.drawRect(rect)
    if entry.kind == "mesh":  # the placeholder's crossed wire box
        painter.drawLines([QLineF(rect.topLeft(), rect.bottomRight()),
                           QLineF(rect.bottomLeft(), rect.topRight())])
    painter.end()
    return pixmap


class LegendPanel(QScrollArea):
    """The legend: swatch (or the badge itself), then its name over what it means.

    Two unwrapped lines per row in a scroll area: a narrow dock scrolls, it
    never squeezes a meaning into overlapping wrapped text.
    """

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("legendPanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.rows = legend_rows(project)
        body = QWidget()
        grid = QGridLayout(body)
        grid.setVerticalSpacing(4)
        line, section = 0, None
        for row in self.rows:
            if row.section != section:
                section = row.section
                grid.addWidget(QLabel(f"<b>{section}</b>"), line, 0, 1, 2)
                line += 1
            grid.addWidget(self._marker(row), line, 0, Qt.AlignmentFlag.AlignTop)
            note = f"<br><span style='color:#4B5563'>{html.escape(row.note)}</span>" \
                if row.note else ""
            grid.addWidget(QLabel(f"{row.html}{note}"), line, 1)
            line += 1
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(line, 1)
        self.setWidget(body)
        # As wide as its longest meaning: it scrolls down, never cuts a line short.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(body.sizeHint().width() + self.verticalScrollBar().sizeHint().width())

    @staticmethod
    def _marker(row: LegendRow) -> QLabel:
        icon = QLabel()
        icon.setPixmap(swatch(row))
        return icon

    def names(self) -> list[str]:
        return [row.name for row in self.rows]
