"""The PDF training certificate: what it says for a certified record, and NOT
CERTIFIED across the top for every record that does not certify."""

from __future__ import annotations

import re
import shutil
import subprocess

import duckdb
import pytest
from reportlab.platypus import Paragraph, Table

from linetwin.io.training import records as training
from linetwin.twin.sop.sop_model import ErrorKind
from linetwin.ui.report.certificate import certificate_story, write_certificates
from tests.io.training.made_results import START, add_users, made_result

SIGNED_AT = START + 3600.0


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("LINETWIN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LINETWIN_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def path(tmp_path):
    add_users(("Ana Lima", "trainer"))
    return tmp_path / "records.duckdb"


def _texts(flowables) -> str:
    """The words of a story, as a reader would read them (markup stripped)."""
    out = []
    for f in flowables:
        if isinstance(f, Paragraph):
            out.append(re.sub(r"<[^>]+>", "", f.text))
        elif isinstance(f, Table):
            out += [_texts(row) for row in f._cellvalues]
    return "\n".join(out)


def _signed(path, **made) -> training.TrainingRecord:
    record_id = training.store_record(path, made_result(**made), "operator", 365)
    return training.sign(path, record_id, "Ana Lima", "steady hands", now=SIGNED_AT)


def test_a_certificate_names_everything_the_record_holds(path):
    record = _signed(path)
    text = _texts(certificate_story(record, now=SIGNED_AT + 60))
    for expected in ("Training certificate", "Certified: valid until 2027-05-28", "Bo Chen (operator)",
                     "Sealer changeover", "sealer-changeover · version 1.2", "2026-05-28 20:26:40 UTC",
                     "PASSED, score 85.0 / 100", "3 min 16.5 s", "out of range: 1, wrong component: 1",
                     "Verify seal temperature 185 ± 3 °C for 10 s", "20.2 s", "45.2 s",
                     "Ana Lima (trainer)", "2026-05-28 21:26:40 UTC", "steady hands",
                     "2027-05-28 21:26:40 UTC", record.record_hash, record.signature_hash, record.record_id):
        assert expected in text, expected
    assert "NOT CERTIFIED" not in text


def test_records_that_do_not_certify_say_so_with_the_reason(path):
    failed_id = training.store_record(path, made_result(passed=False, score=40.0, errors=(
        (ErrorKind.HAZARD, 2),)), "operator", 365)
    unsigned_id = training.store_record(path, made_result(trainee="Cy Diaz"), "operator", 365)
    expired = _signed(path, trainee="Dee Evans")
    by_id = {r.record_id: r for r in training.records(path)}
    reasons = {
        failed_id: "The trainee failed this session (score 40.0)",
        unsigned_id: "Passed, but not signed off by a trainer",
        expired.record_id: "Certification expired 2027-05-28",
    }
    for record_id, reason in reasons.items():
        text = _texts(certificate_story(by_id[record_id], now=SIGNED_AT + 400 * 86400))
        assert "NOT CERTIFIED" in text and reason in text and "Training certificate" not in text
    assert "FAILED, score 40.0 / 100" in _texts(certificate_story(by_id[failed_id], SIGNED_AT))


def test_a_tampered_record_is_not_certified(path):
    record = _signed(path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE training_records SET sign_comment = 'excellent'")
    con.close()
    [tampered] = training.records(path)
    text = _texts(certificate_story(tampered, now=SIGNED_AT))
    assert "NOT CERTIFIED" in text
    assert "Tampered with: its sign-off no longer matches its signature hash" in text
    assert record.signature_hash in text


def test_the_pdf_holds_one_certificate_per_page(path, tmp_path):
    _signed(path)
    training.store_record(path, made_result(trainee="Cy Diaz", passed=False, score=30.0,
                                             started_at=START + 60), "operator", 365)
    found = training.records(path)
    out = write_certificates(found, tmp_path / "certificates.pdf", now=SIGNED_AT)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) == 2
    if shutil.which("pdftotext"):  # poppler, where installed: the text as a reader sees it
        pages = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                               check=True).stdout.split("\f")
        assert "Training certificate" in pages[0] and "NOT CERTIFIED" not in pages[0]
        assert "NOT CERTIFIED" in pages[1] and "Cy Diaz" in pages[1]
        for n, record in enumerate(found):
            assert f"LineTwin training record {record.record_id}" in pages[n] and f"Page {n + 1}" in pages[n]


def test_no_records_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no training records to print"):
        write_certificates([], tmp_path / "none.pdf", now=START)
    assert not (tmp_path / "none.pdf").exists()
