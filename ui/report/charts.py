"""The report's charts as PNG bytes: FPY per station over time, and the defect Pareto.

matplotlib's Agg canvas on a bare ``Figure`` (no pyplot): no GUI backend is
ever chosen and no global figure state is kept between reports.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from linetwin.twin.replay.defect_windows import DefectWindows

DPI = 110
SIZE_IN = (8.0, 3.4)
BIN_STEPS_S = (60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400)
_BAR = "#3B6EA8"
_LINE = "#B42318"


def bin_edges(start: float, end: float, bins: int = 40) -> np.ndarray:
    """Edges from ``start`` to ``end`` in a round step giving about ``bins`` bins."""
    wanted = (end - start) / bins
    step = next((s for s in BIN_STEPS_S if s >= wanted), BIN_STEPS_S[-1])
    edges = np.arange(start, end, step, dtype=np.float64)
    return np.append(edges, end)


def fpy_chart(windows: DefectWindows, start: float, end: float) -> bytes:
    """FPY (%) per station in each bin of ``[start, end]``; stations that inspected nothing left out."""
    edges = bin_edges(start, end)
    series = windows.fpy_series(edges) * 100.0
    mids = [datetime.fromtimestamp((a + b) / 2, timezone.utc) for a, b in zip(edges[:-1], edges[1:])]
    fig = _figure()
    ax = fig.add_subplot()
    for s, station in enumerate(windows.stations):
        if np.isfinite(series[:, s]).any():
            ax.plot(mids, series[:, s], marker="o", markersize=3, linewidth=1.5, label=station)
    ax.set_ylabel("FPY (%)")
    ax.set_title(f"First-pass yield per station ({int(edges[1] - edges[0]) // 60} min bins, UTC)",
                 fontsize=10)
    ax.set_ylim(bottom=max(0.0, np.nanmin(series, initial=100.0) - 5.0) if np.isfinite(series).any()
                else 0.0, top=101.0)
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=timezone.utc))
    ax.grid(True, alpha=0.3)
    if ax.lines:
        ax.legend(fontsize=8, ncols=min(4, len(ax.lines)), loc="lower left")
    else:
        ax.text(0.5, 0.5, "no units inspected in the range", ha="center", transform=ax.transAxes)
    return _png(fig)


def pareto_chart(counts: list[tuple[str, int]]) -> bytes:
    """Defects by type, most frequent first, with the cumulative share."""
    fig = _figure()
    ax = fig.add_subplot()
    if not counts:
        ax.text(0.5, 0.5, "no defects in the range", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _png(fig)
    names = [name for name, _ in counts]
    values = np.array([n for _, n in counts], dtype=float)
    ax.bar(names, values, color=_BAR)
    ax.set_ylabel("defects")
    ax.set_title("Defect Pareto", fontsize=10)
    ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    share = ax.twinx()
    share.plot(names, np.cumsum(values) / values.sum() * 100.0, color=_LINE, marker="o")
    share.set_ylim(0, 105)
    share.set_ylabel("cumulative %")
    return _png(fig)


def _figure() -> Figure:
    fig = Figure(figsize=SIZE_IN, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
