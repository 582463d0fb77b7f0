"""The incident report as PDF (reportlab platypus): the same content as the HTML.

A4 portrait, page numbers and the report's range in the footer of every page,
table headers repeated on each page a table runs over. Text from the history is
escaped for reportlab's paragraph markup.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle,
)

from linetwin.twin.replay.instants import format_instant
from linetwin.ui.report.report_model import ALERT_COLUMNS, ReportModel, alert_rows

MARGIN = 16 * mm
WIDTH = A4[0] - 2 * MARGIN
_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=9, leading=11.5)
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=7.5, leading=9)
_MONO = ParagraphStyle("mono", parent=_CELL, fontName="Courier", fontSize=6.5)
_NOTE = ParagraphStyle("note", parent=_BODY, textColor=colors.HexColor("#4B5563"))
_GRID = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#D0D5DD")),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF0F3")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F8F9FB")]),
])


def write_pdf(model: ReportModel, out: Path) -> Path:
    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
                            title=model.title, author="LineTwin")
    footer = f"{model.project_name} · {model.range_text} (UTC)"

    def on_page(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#4B5563"))
        canvas.drawString(MARGIN, MARGIN / 2, footer)
        canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, f"Page {document.page}")
        canvas.restoreState()

    doc.build(story(model), onFirstPage=on_page, onLaterPages=on_page)
    return out


def story(model: ReportModel) -> list:
    s = [Paragraph(_e(model.title), _STYLES["Title"]),
         Paragraph(f"{_e(model.range_text)} (UTC) · history <font face='Courier'>"
                   f"{_e(model.history_path.name)}</font> · project <font face='Courier'>"
                   f"{_e(model.project_path.name)}</font>", _NOTE)]
    s += _heading("Summary") + [_table(("Figure", "Value"), model.summary, (0.35, 0.65))]
    s += [Spacer(1, 4 * mm), Paragraph("First-pass yield per station", _STYLES["Heading3"]),
          _table(("Station", "Inspected", "Passed", "FPY"),
                 [(y.station, f"{y.inspected:,}", f"{y.passed:,}", f"{y.fpy:.1%}") for y in model.yields]),
          Paragraph("Defects by type", _STYLES["Heading3"]),
          _table(("Defect type", "Count"), [(t, f"{n:,}") for t, n in model.defects_by_type])]
    s += _heading("Charts") + [_image(model.fpy_png), Spacer(1, 3 * mm), _image(model.pareto_png)]
    s += [PageBreak()] + _heading("Defect events") + [_table(
        ("Time", "Unit", "Lot", "Station", "Result", "Defect", "Severity"),
        [(e["time"], e["unit"], e["lot"], e["station"], e["result"], e["defect"], e["severity"])
         for e in model.events], (0.26, 0.14, 0.1, 0.13, 0.08, 0.17, 0.12))]
    if model.events_left_out:
        s.append(Paragraph(f"{model.events_left_out:,} more defect events in the range are not "
                           "listed here.", _NOTE))
    s += _heading("Bookmarks") + _bookmarks(model)
    s += _heading("Alert history") + [_alerts(model)]
    s += _heading("Annotations") + [_table(
        ("Time", "Author", "Station", "Unit", "Note"),
        [(format_instant(a["time"]), a.get("author") or "", a.get("station") or a.get("asset_id") or "",
          a.get("unit_id") or "", a.get("text") or "") for a in model.annotations],
        (0.26, 0.12, 0.12, 0.12, 0.38))]
    s += _heading("Hashes") + [
        Paragraph("sha256 of the project file, of every mesh file it references and of the "
                  "recorded rows of the range: the same figures mean the same inputs.", _BODY),
        _table(("What", "Name", "sha256"), model.hashes, (0.1, 0.3, 0.6), mono={2})]
    return s


def _bookmarks(model: ReportModel) -> list:
    if not model.bookmarks:
        return [Paragraph("No bookmarks in the range.", _NOTE)]
    out = []
    for n, mark in enumerate(model.bookmarks, 1):
        caption = (f"<b>Bookmark {n}: {format_instant(mark.start)} .. {format_instant(mark.end)}"
                   + (f", by {_e(mark.author)}" if mark.author else "")
                   + (f", selected: {_e(mark.selection)}" if mark.selection else "") + "</b><br/>"
                   + (_e(mark.note) or "(no note)"))
        block = ([_image(mark.png)] if mark.png else []) + [Paragraph(caption, _BODY), Spacer(1, 4 * mm)]
        out.append(KeepTogether(block))
    return out


def _alerts(model: ReportModel) -> Table | Paragraph:
    return _table(ALERT_COLUMNS, alert_rows(model), (0.17, 0.08, 0.09, 0.09, 0.27, 0.15, 0.15))


def _heading(text: str) -> list:
    return [Spacer(1, 3 * mm), Paragraph(text, _STYLES["Heading2"])]


def _table(header, rows, widths=None, mono: set[int] = frozenset()) -> Table | Paragraph:
    if not rows:
        return Paragraph("None in the range.", _NOTE)
    cells = [[Paragraph(f"<b>{_e(h)}</b>", _CELL) for h in header]]
    cells += [[Paragraph(_e(v), _MONO if i in mono else _CELL) for i, v in enumerate(row)]
              for row in rows]
    col_widths = [WIDTH * w for w in widths] if widths else None
    table = Table(cells, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(_GRID)
    return table


def _image(png: bytes) -> Image:
    image = Image(io.BytesIO(png))
    scale = min(1.0, WIDTH / image.imageWidth)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    return image


def _e(value) -> str:
    return escape("" if value is None else str(value))
