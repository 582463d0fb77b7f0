"""linetwin report: HTML and PDF incident reports, and a report made from a package."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess

import pytest

from linetwin.io.history.data_slice import slice_hash
from linetwin.io.history.history_store import HistoryStore
from linetwin.io.project.project_file import load_project
from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.main import DEMO_PROJECT, main
from linetwin.ui.report import report_model
from linetwin.ui.report.html_report import SECTIONS, render_html
from tests.io.history.replay_history import record_history
from tests.twin.streams import T0

pytestmark = pytest.mark.timeout(300)
A, B = T0 + 100.0, T0 + 800.0
NOTE = "First seal-gap cluster <after> the heater sag"


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A recorded history with a bookmark, an annotation and an acknowledgement."""
    path = tmp_path_factory.mktemp("report") / "line.duckdb"
    record_history(load_project(DEMO_PROJECT), path, 900.0)
    with HistoryStore(path) as store:
        alert = store.alerts()[0]
        store.append("alert_acks", {"session_id": [alert["session_id"]], "alert_id": [alert["alert_id"]],
                                    "user": ["ana"], "comment": ["heater checked"],
                                    "acked_at": [alert["raised_at"] + 30]})
        store.append("bookmarks", {
            "bookmark_id": [1, 2], "start": [T0 + 450, T0 + 850], "end": [T0 + 500, T0 + 880],
            "camera": ['{"position": [2, -6, 4], "focal_point": [2, 0, 0.5]}', None],
            "selection": ["sealer", None], "note": [NOTE, "outside the range"],
            "author": ["ana", "bo"], "created_at": [T0 + 1000, T0 + 1001]})
        store.add_annotation("sealer jaw temperature low", "ana", at=T0 + 455, station="sealer")
    return path


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def report(project, *args) -> int:
    return main(["report", str(project), "--from", str(A), "--to", str(B), *map(str, args)])


def test_html_report_has_every_section_and_the_hashes(history, tmp_path):
    out = tmp_path / "r.html"
    assert report(DEMO_PROJECT, "--history", history, "-o", out) == 0
    text = out.read_text(encoding="utf-8")
    for key, title in SECTIONS:
        assert f'<section id="{key}"><h2>{title}</h2>' in text
    assert hashlib.sha256(DEMO_PROJECT.read_bytes()).hexdigest() in text
    for mesh in (DEMO_PROJECT.parent / "meshes").glob("*.glb"):
        assert hashlib.sha256(mesh.read_bytes()).hexdigest() in text
    with HistoryStore(history, read_only=True) as store:
        assert slice_hash(store, A, B) in text
    assert text.count("data:image/png;base64,") == 3  # two charts, one bookmark in range
    assert "First seal-gap cluster &lt;after&gt; the heater sag" in text and "outside the range" not in text
    assert "ana at " in text and "heater checked" in text and "sealer jaw temperature low" in text
    assert "http://" not in text and "https://" not in text and "src=\"data:" in text  # self-contained


def test_event_table_is_capped_with_a_note(history, monkeypatch):
    monkeypatch.setattr(report_model, "MAX_EVENT_ROWS", 10)
    with ReplaySession(load_project(DEMO_PROJECT), history) as session:
        model = report_model.build_report(session, DEMO_PROJECT, A, B)
        c = session.data.inspections
        defective = int(((c.time >= A) & (c.time <= B) & (c.result != 0)).sum())
    assert len(model.events) == 10 and model.events_left_out == defective - 10 > 0
    assert f"{defective - 10:,} more defect events" in render_html(model)
    summary = dict(model.summary)
    assert summary["Defects"] == f"{sum(n for _, n in model.defects_by_type):,}"
    assert summary["Connection losses"] == "1"


def test_pdf_report_opens_with_numbered_pages(history, tmp_path):
    out = tmp_path / "r.pdf"
    assert report(DEMO_PROJECT, "--history", history, "-o", out) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type /Page\b(?!s)", data))
    assert pages >= 3
    if shutil.which("pdftotext"):  # poppler, where installed: the text as a reader sees it
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                              check=True).stdout
        for _, title in SECTIONS:
            assert title in text
        assert f"Page {pages}" in text and NOTE in text


def test_report_from_its_own_package_hashes_the_same_data(history, tmp_path):
    first, package = tmp_path / "a.html", tmp_path / "a.ltpkg"
    assert report(DEMO_PROJECT, "--history", history, "-o", first, "--package", package) == 0
    second = tmp_path / "b.html"
    assert report(package, "-o", second) == 0
    hashes = [re.findall(r'<td class="hash">([0-9a-f]{64})</td>', p.read_text()) for p in (first, second)]
    assert hashes[0] == hashes[1] and len(hashes[0]) == 20  # project, 15 meshes, 3 SOPs, data


@pytest.mark.parametrize("args, code, message", [
    (["-o", "{tmp}/r.docx"], 2, "must be a .html or .pdf file"),
    (["-o", "{tmp}/none/r.html"], 2, "folder"),
    (["-o", "{tmp}/r.html", "--package", "{tmp}/p.zip"], 2, "must be a .ltpkg file"),
])
def test_bad_outputs_are_refused(history, tmp_path, capsys, args, code, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert report(DEMO_PROJECT, "--history", history, *args) == code
    assert message in capsys.readouterr().err


def test_bad_time_ranges_are_refused(history, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(DEMO_PROJECT), "--history", str(history), "--from", str(B),
                 "--to", str(A), "-o", str(out)]) == 2
    assert "--to must be after --from" in capsys.readouterr().err
    assert main(["report", str(DEMO_PROJECT), "--history", str(history), "--from", str(T0 + 9000),
                 "--to", str(T0 + 9900), "-o", str(out)]) == 1
    assert "nothing recorded" in capsys.readouterr().err
    assert not out.exists()
