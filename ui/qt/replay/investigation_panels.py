"""The investigation panels of the replay window, docked and wired to it.

Charts (FPY per station over time, the defect Pareto of the window, the
selected asset's signal trend), the unit/lot search, annotations and the
colouring switch (states as live, defect density, compare windows or lots)
each follow the cursor themselves; here they are docked, their seek requests
go to the window's bridge (so a seek is applied within the tick budget), the
selection anchors new notes and picks the trend, and a defect colouring keeps
the bridge from painting states over it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget

from linetwin.scene.annotation_markers import AnnotationMarkers
from linetwin.scene.defect_coloring import DefectColoring
from linetwin.ui.qt.replay.annotations import AnnotationsPanel
from linetwin.ui.qt.replay.charts import FpyChart, ParetoChart, SignalTrendChart
from linetwin.ui.qt.replay.coloring_control import ColoringControl
from linetwin.ui.qt.replay.search_panel import UnitLotSearch

Area = Qt.DockWidgetArea


@dataclass
class InvestigationPanels:
    fpy: FpyChart
    pareto: ParetoChart
    trend: SignalTrendChart
    search: UnitLotSearch
    annotations: AnnotationsPanel
    coloring: ColoringControl


def dock_investigation_panels(window) -> InvestigationPanels:
    """Build the panels for ``window`` (a ReplayWindow), dock and wire them."""
    session = window.session
    panels = InvestigationPanels(
        fpy=FpyChart(session), pareto=ParetoChart(session), trend=SignalTrendChart(session),
        search=UnitLotSearch(session),
        annotations=AnnotationsPanel(session, AnnotationMarkers(window.plotter, window.scene)),
        coloring=ColoringControl(session, DefectColoring(window.plotter, window.scene)))
    charts = QTabWidget()
    charts.setObjectName("replayCharts")
    for widget, title in ((panels.fpy, "FPY over time"), (panels.pareto, "Defect Pareto"),
                          (panels.trend, "Signal trend")):
        charts.addTab(widget, title)
    window.add_panel("Charts", charts, Area.RightDockWidgetArea)
    window.add_panel("Colouring", panels.coloring, Area.LeftDockWidgetArea)
    search = window.add_panel("Find unit or lot", panels.search, Area.BottomDockWidgetArea)
    notes = window.add_panel("Annotations", panels.annotations, Area.BottomDockWidgetArea)
    window.tabifyDockWidget(search, notes)
    _wire(window, panels)
    return panels


def _wire(window, panels: InvestigationPanels) -> None:
    for source in (panels.search, panels.annotations):
        source.seek_requested.connect(window.seek_to)
    panels.annotations.annotation_added.connect(
        lambda _note: window.timeline.set_annotations(window.session.data.annotations))
    panels.coloring.mode_changed.connect(
        lambda mode: window.bridge.set_states_shown(mode == "states"))

    def on_selection(asset_id) -> None:
        panels.trend.set_asset(asset_id)
        panels.annotations.set_station(asset_id)

    window.selection.changed.connect(on_selection)  # the selection dies with the window
