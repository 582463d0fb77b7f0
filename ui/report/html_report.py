"""The incident report as one self-contained HTML file.

Images are embedded as base64 data URIs and the style sheet is inline, so the
file can be mailed or archived alone and reads the same offline. Print styles
keep tables and figures from being cut across pages. Every text from the
history (notes, messages, unit ids) is escaped.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from linetwin.twin.replay.instants import format_instant
from linetwin.ui.report.report_model import ALERT_COLUMNS, ReportModel, alert_rows

SECTIONS = (("summary", "Summary"), ("charts", "Charts"), ("events", "Defect events"),
            ("bookmarks", "Bookmarks"), ("alerts", "Alert history"),
            ("annotations", "Annotations"), ("hashes", "Hashes"))

_STYLE = """
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1b1f24;
       max-width: 1100px; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #d0d5dd; padding-bottom: 0.2em; margin-top: 2em; }
.meta { color: #4b5563; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #d0d5dd; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #eef0f3; }
tr:nth-child(even) td { background: #f8f9fb; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .hash { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 0.85em;
              word-break: break-all; }
img { max-width: 100%; border: 1px solid #d0d5dd; }
figure { margin: 1em 0; }
figcaption { color: #4b5563; font-size: 0.9em; }
.note { color: #4b5563; font-style: italic; }
nav a { margin-right: 1em; }
@media print {
  body { max-width: none; margin: 0; }
  nav { display: none; }
  h2 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
}
"""


def write_html(model: ReportModel, out: Path) -> Path:
    out.write_text(render_html(model), encoding="utf-8")
    return out


def render_html(model: ReportModel) -> str:
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(model.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(model.title)}</h1>",
        f'<p class="meta">{_e(model.range_text)} (UTC) &middot; history '
        f"<code>{_e(model.history_path.name)}</code> &middot; project "
        f"<code>{_e(model.project_path.name)}</code></p>",
        "<nav>" + "".join(f'<a href="#{key}">{title}</a>' for key, title in SECTIONS) + "</nav>",
        _section("summary", "Summary", _table(("Figure", "Value"), model.summary)
                 + "<h3>First-pass yield per station</h3>"
                 + _table(("Station", "Inspected", "Passed", "FPY"),
                          [(y.station, f"{y.inspected:,}", f"{y.passed:,}", f"{y.fpy:.1%}")
                           for y in model.yields], numeric={1, 2, 3})
                 + "<h3>Defects by type</h3>"
                 + _table(("Defect type", "Count"), [(t, f"{n:,}") for t, n in model.defects_by_type],
                          numeric={1})),
        _section("charts", "Charts",
                 _figure(model.fpy_png, "First-pass yield per station over the range")
                 + _figure(model.pareto_png, "Defect Pareto over the range")),
        _section("events", "Defect events", _events(model)),
        _section("bookmarks", "Bookmarks", _bookmarks(model)),
        _section("alerts", "Alert history", _alerts(model)),
        _section("annotations", "Annotations", _table(
            ("Time", "Author", "Station", "Unit", "Note"),
            [(format_instant(a["time"]), a.get("author") or "", a.get("station") or a.get("asset_id")
              or "", a.get("unit_id") or "", a.get("text") or "") for a in model.annotations])),
        _section("hashes", "Hashes", "<p>sha256 of the project file, of every mesh file it "
                 "references and of the recorded rows of the range (every table, in a canonical "
                 "order): the same figures mean the same inputs.</p>"
                 + _table(("What", "Name", "sha256"), model.hashes, mono={2})),
        "</body></html>",
    ]
    return "\n".join(parts)


def _events(model: ReportModel) -> str:
    rows = [(e["time"], e["unit"], e["lot"], e["station"], e["result"], e["defect"], e["severity"])
            for e in model.events]
    more = (f'<p class="note">{model.events_left_out:,} more defect events in the range are not '
            "listed here (open the history or the package to see them all).</p>"
            if model.events_left_out else "")
    return _table(("Time", "Unit", "Lot", "Station", "Result", "Defect", "Severity"), rows) + more


def _bookmarks(model: ReportModel) -> str:
    if not model.bookmarks:
        return '<p class="note">No bookmarks in the range.</p>'
    parts = []
    for n, mark in enumerate(model.bookmarks, 1):
        caption = (f"Bookmark {n}: {format_instant(mark.start)} .. {format_instant(mark.end)}"
                   + (f", by {mark.author}" if mark.author else "")
                   + (f", selected: {mark.selection}" if mark.selection else ""))
        image = _img(mark.png, caption) if mark.png else ""
        parts.append(f"<figure>{image}<figcaption><strong>{_e(caption)}</strong><br>"
                     f"{_e(mark.note) or '(no note)'}</figcaption></figure>")
    return "".join(parts)


def _alerts(model: ReportModel) -> str:
    return _table(ALERT_COLUMNS, alert_rows(model))


def _section(key: str, title: str, body: str) -> str:
    return f'<section id="{key}"><h2>{title}</h2>{body}</section>'


def _table(header, rows, numeric: set[int] = frozenset(), mono: set[int] = frozenset()) -> str:
    if not rows:
        return '<p class="note">None in the range.</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v, i in numeric, i in mono) for i, v in enumerate(row))
                   + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value, numeric: bool, mono: bool) -> str:
    cls = ' class="num"' if numeric else ' class="hash"' if mono else ""
    return f"<td{cls}>{_e(value)}</td>"


def _figure(png: bytes, caption: str) -> str:
    return f"<figure>{_img(png, caption)}<figcaption>{_e(caption)}</figcaption></figure>"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(alt)}">'


def _e(value) -> str:
    return html.escape("" if value is None else str(value))
