"""Training certificates as PDF (reportlab platypus, the style of the incident report).

One certificate per record, each starting on a new page: the trainee, the SOP
and its version, the session (date, score, time, errors by kind, the time of
every step), the trainer's sign-off and the expiry, and the record and
signature hashes that tie the paper to the stored record. A record that does
not certify (failed, not signed, expired, tampered with) says NOT CERTIFIED in
red across the top, with the reason, so a printout cannot pass for a
certificate.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from linetwin.io.training.records import TrainingRecord, iso_time
from linetwin.ui.report.pdf_report import _BODY, _CELL, _GRID, _MONO, _NOTE, _STYLES, MARGIN, WIDTH

_GREEN, _RED = colors.HexColor("#166534"), colors.HexColor("#B91C1C")
_BANNER = ParagraphStyle("banner", parent=_STYLES["Title"], fontSize=22, leading=26,
                         textColor=colors.white, spaceBefore=0, spaceAfter=0)
_SUB = ParagraphStyle("sub", parent=_BODY, fontSize=10.5, leading=13, textColor=colors.white,
                      alignment=1)
_KEY = ParagraphStyle("key", parent=_BODY, textColor=colors.HexColor("#4B5563"))


def write_certificates(records: Sequence[TrainingRecord], out: Path, now: float) -> Path:
    """A PDF with one certificate per record (``records`` must not be empty)."""
    if not records:
        raise ValueError("no training records to print")
    doc = _CertificateDoc(str(out), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                          topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
                          title="LineTwin training certificate", author="LineTwin")
    doc.footers = [f"LineTwin training record {r.record_id} · printed {iso_time(now)}" for r in records]
    story: list = []
    for n, record in enumerate(records):
        if n:
            story.append(PageBreak())
        story.append(_RecordMarker(doc, n))
        story += certificate_story(record, now)
    doc.build(story)
    return out


def certificate_story(record: TrainingRecord, now: float) -> list:
    status = record.status(now)
    certified = record.certified(now)
    result = record.result()
    s = [_banner(record, status, certified), Spacer(1, 6 * mm),
         Paragraph(f"<b>{_e(record.trainee)}</b>", ParagraphStyle("name", parent=_STYLES["Title"],
                                                                    fontSize=20, leading=24)),
         Paragraph(f"{'has completed' if record.passed else 'attempted'} the standard operating "
                   f"procedure", ParagraphStyle("c", parent=_BODY, alignment=1, fontSize=10.5)),
         Paragraph(_e(record.title), ParagraphStyle("t", parent=_STYLES["Heading2"], alignment=1)),
         Paragraph(f"{_e(record.sop_id)} · version {_e(record.sop_version)}",
                   ParagraphStyle("v", parent=_NOTE, alignment=1)),
         Spacer(1, 5 * mm)]
    by_kind = result.errors_by_kind() if result is not None else {}
    errors = ", ".join(f"{kind.replace('_', ' ')}: {n}" for kind, n in sorted(by_kind.items())) or "none"
    s += [_key_values([
        ("Trainee", f"{record.trainee} ({record.trainee_role})"),
        ("Date", f"{_when(record.started_at)}, {record.mode}"),
        ("Result", f"{'PASSED' if record.passed else 'FAILED'}, score {record.score:.1f} / 100"),
        ("Time", _clock(record.duration_s) + (f", hints used: {result.hints}" if result and result.hints else "")),
        ("Errors by kind", errors),
    ])]
    if result is not None and result.steps:
        s += _heading("Steps") + [_steps_table(result)]
    s += _heading("Sign-off") + [_key_values(_sign_off(record, status))]
    s += _heading("Integrity") + [
        Paragraph("The record hash is the sha256 of the stored result; the signature hash covers "
                  "the record hash, the trainer, the role, the time, the comment and the expiry. "
                  "<font face='Courier'>linetwin train records</font> shows a record whose hashes "
                  "no longer match as tampered.", _NOTE),
        Spacer(1, 1.5 * mm),
        _key_values([("Record", record.record_id), ("Record hash", record.record_hash),
                     ("Signature hash", record.signature_hash or "(not signed)")], mono=True)]
    return s


def _banner(record: TrainingRecord, status: str, certified: bool) -> Table:
    if certified:
        title, line = "Training certificate", f"Certified: {status}"
    else:
        title, line = "NOT CERTIFIED", _not_certified_reason(record, status)
    table = Table([[Paragraph(_e(title), _BANNER)], [Paragraph(_e(line), _SUB)]], colWidths=[WIDTH])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), _GREEN if certified else _RED),
        ("TOPPADDING", (0, 0), (-1, 0), 8), ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
    ]))
    return table


def _not_certified_reason(record: TrainingRecord, status: str) -> str:
    if status == "tampered":
        return f"Tampered with: {record.tampered()}"
    if status == "failed":
        return f"The trainee failed this session (score {record.score:.1f})"
    if status == "not signed":
        return "Passed, but not signed off by a trainer"
    return f"Certification {status}"


def _sign_off(record: TrainingRecord, status: str) -> list[tuple[str, str]]:
    if not record.signed:
        return [("Signed by", "not signed"), ("Valid until", "not certified")]
    rows = [("Signed by", f"{record.signed_by} ({record.signer_role})"),
            ("Signed at", _when(record.signed_at))]
    if record.sign_comment:
        rows.append(("Comment", record.sign_comment))
    valid = _when(record.expires_at) if record.expires_at is not None else "no expiry"
    rows.append(("Valid until", valid if status.startswith("valid") else f"{valid}: {status}"))
    return rows


def _steps_table(result) -> Table:
    header = [Paragraph(f"<b>{h}</b>", _CELL) for h in ("#", "Step", "Time", "Errors", "Hints", "Done")]
    rows = [header]
    for step in result.steps:
        rows.append([Paragraph(str(step.step), _CELL), Paragraph(_e(step.title or step.step_id), _CELL),
                     Paragraph(_clock(step.time_s) if step.time_s is not None else "-", _CELL),
                     Paragraph(str(step.errors), _CELL), Paragraph(str(step.hints), _CELL),
                     Paragraph("yes" if step.completed else "<font color='#B91C1C'>no</font>", _CELL)])
    widths = [WIDTH * w for w in (0.06, 0.56, 0.12, 0.09, 0.08, 0.09)]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(_GRID)
    return table


def _key_values(rows: list[tuple[str, str]], mono: bool = False) -> Table:
    cells = [[Paragraph(_e(k), _KEY), Paragraph(_e(v), _MONO if mono else _BODY)] for k, v in rows]
    table = Table(cells, colWidths=[WIDTH * 0.22, WIDTH * 0.78], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#E5E7EB"))]))
    return table


def _heading(text: str) -> list:
    return [Spacer(1, 3 * mm), Paragraph(text, _STYLES["Heading3"])]


def _clock(seconds: float) -> str:
    """``2 min 08.5 s`` or ``41.3 s``."""
    minutes, rest = divmod(max(seconds, 0.0), 60.0)
    return f"{int(minutes)} min {rest:04.1f} s" if minutes else f"{rest:.1f} s"


def _when(t: float | None) -> str:
    """``2026-05-28 20:26:40 UTC``."""
    return iso_time(t).replace("T", " ").replace("Z", " UTC")


def _e(value) -> str:
    return escape("" if value is None else str(value))


class _CertificateDoc(SimpleDocTemplate):
    """Draws the footer when a page ends: by then the page's record marker has run,
    so a step table that runs over a page still names its own record."""

    footers: list[str] = []
    record_index = 0

    def afterPage(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#4B5563"))
        canvas.drawString(MARGIN, MARGIN / 2, self.footers[self.record_index])
        canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, f"Page {self.page}")
        canvas.restoreState()


class _RecordMarker(Spacer):
    """A zero-height flowable that tells the page footer which record is being drawn."""

    def __init__(self, doc: _CertificateDoc, index: int) -> None:
        super().__init__(0, 0)
        self._doc, self._index = doc, index

    def draw(self) -> None:
        self._doc.record_index = self._index
