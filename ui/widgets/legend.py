"""The colour legend: what each colour and look of the 3D view means.

Built from the same data the scene draws with (the project's state colours,
:mod:`linetwin.twin.palette`, the badge styles), so it cannot disagree with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from linetwin.scene.badges import BADGE_STYLES
from linetwin.twin.alerts import fmt
from linetwin.twin.model import AnalogColorRule, Project, StateColorRule
from linetwin.twin.palette import (
    BAD_QUALITY_COLOR, NO_DATA_COLOR, OKABE_ITO_STATES, STALE_COLOR, STRUCTURE_COLOR,
    colormap_rgb,
)

SWATCH = (30, 16)


@dataclass(frozen=True)
class LegendRow:
    """One line of the legend. ``style``: "solid", "ghost", "edged", "dashed",
    "badge" or "gradient" (then ``colors`` holds the ramp)."""

    section: str
    name: str
    colors: tuple[tuple[int, int, int], ...]
    style: str = "solid"
    note: str = ""
    text_color: str = ""  # badges: the text colour on the tag


def _hex(text: str) -> tuple[int, int, int]:
    return QColor(text).getRgb()[:3]


def state_rows(project: Project) -> list[LegendRow]:
    """The generic state rule's colours (the demo's Okabe-Ito by default)."""
    rule = next((r for r in project.rules if isinstance(r, StateColorRule) and r.signal is None),
                None)
    colors = {**OKABE_ITO_STATES, **(rule.colors if rule else {})}
    names = list(project.states) or list(OKABE_ITO_STATES)
    return [LegendRow("Station state", name, (colors[name],)) for name in names if name in colors]


def analog_rows(project: Project) -> list[LegendRow]:
    rows = []
    for rule in project.rules:
        if isinstance(rule, AnalogColorRule):
            signal = project.signal(rule.signal)
            lo, hi = rule.value_range
            ramp = tuple(tuple(int(c) for c in rgb)
                         for rgb in colormap_rgb(rule.colormap, np.linspace(0, 1, 16)))
            unit = f" {signal.unit}" if signal.unit else ""
            rows.append(LegendRow("Process value", signal.id, ramp, "gradient",
                                  f"{fmt(lo)} to {fmt(hi)}{unit}"))
    return rows


def legend_rows(project: Project) -> list[LegendRow]:
    """Every row of the legend, in display order."""
    data = [
        LegendRow("Data", "no data", (NO_DATA_COLOR,), "ghost", "nothing received yet"),
        LegendRow("Data", "stale", (STALE_COLOR,), "edged",
                  "value too old, or connection lost"),
        LegendRow("Data", "bad quality", (BAD_QUALITY_COLOR,), "edged",
                  "the server marks the value Bad or Uncertain"),
        LegendRow("Data", "not monitored", (STRUCTURE_COLOR,), "solid", "no signal colours it"),
        LegendRow("Data", "placeholder", (STRUCTURE_COLOR,), "dashed",
                  "box standing in for a mesh that could not be loaded"),
    ]
    badges = [LegendRow("Alert badge", name, (_hex(background),), "badge", note, fg)
              for name, note, (background, fg) in (
                  ("ALARM", "a limit is crossed now", BADGE_STYLES["alarm"]),
                  ("WARNING", "a trend or pattern: look at it", BADGE_STYLES["warning"]),
                  ("CLEARED", "condition gone, not yet acknowledged", BADGE_STYLES["cleared"]))]
    return state_rows(project) + analog_rows(project) + data + badges


def swatch(row: LegendRow) -> QPixmap:
    w, h = SWATCH
    pixmap = QPixmap(w, h)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    rect = QRectF(0.5, 0.5, w - 1, h - 1)
    if row.style == "gradient":
        ramp = QLinearGradient(rect.topLeft(), rect.topRight())
        for i, rgb in enumerate(row.colors):
            ramp.setColorAt(i / max(len(row.colors) - 1, 1), QColor(*rgb))
        painter.fillRect(rect, ramp)
    else:
        fill = QColor(*row.colors[0])
        if row.style == "ghost":
            fill.setAlpha(110)
        painter.fillRect(rect, fill)
    edge = {"edged": QPen(QColor("#1B1F24"), 1.5), "dashed": QPen(QColor("#1B1F24"), 1.2,
                                                                   Qt.PenStyle.DashLine)}
    painter.setPen(edge.get(row.style, QPen(QColor("#9AA1AB"), 1)))
    painter.drawRect(rect)
    painter.end()
    return pixmap


class LegendPanel(QWidget):
    """The legend as a small grid: swatch, name, what it means."""

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("legendPanel")
        self.rows = legend_rows(project)
        grid = QGridLayout(self)
        grid.setVerticalSpacing(2)
        line, section = 0, None
        for row in self.rows:
            if row.section != section:
                section = row.section
                heading = QLabel(f"<b>{section}</b>")
                grid.addWidget(heading, line, 0, 1, 3)
                line += 1
            icon = QLabel()
            icon.setPixmap(swatch(row))
            name = QLabel(row.name)
            if row.style == "badge":
                bg = "#%02X%02X%02X" % row.colors[0]
                name.setStyleSheet(f"background:{bg}; color:{row.text_color}; "
                                   "font-weight:bold; padding:0 4px;")
                icon.clear()
            note = QLabel(row.note)
            note.setStyleSheet("color:#4B5563")
            note.setWordWrap(True)
            grid.addWidget(icon, line, 0)
            grid.addWidget(name, line, 1)
            grid.addWidget(note, line, 2)
            line += 1
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(line, 1)

    def names(self) -> list[str]:
        return [row.name for row in self.rows]
