"""Importing a plant's inspection export: every bad row reported, nothing guessed, idempotent.

``data/plant_export.csv`` is messy as real exports are: UTF-8 with a BOM,
``;`` separated, CRLF, a header with spaces and mixed case, decimal commas,
blank and space-only lines, trailing spaces, local Berlin times across both
DST changes of 2026, OK/NOK/good/bad/NIO results, and bad rows of every kind.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.plant_import import (
    ImportFileError, ImportUsageError, import_events, parse_maps,
)
from linetwin.io.history.plant_read import PlantFileError
from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT

EXPORT = Path(__file__).parent / "data" / "plant_export.csv"
MAPS = ["Zeitstempel=time", "serial no=unit_id"]
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp()  # no test depends on the wall clock
BAD_LINES = {  # line of plant_export.csv -> what the report must say
    8: "does not exist in Europe/Berlin", 9: "unknown station 'Sealer 2' (known: infeed",
    10: "not ISO 8601", 11: "out of range", 12: "out of range",
    13: "duplicate unit id 'P-0002' at station sealer (also on line 4 of plant_export.csv)",
    14: "missing unit_id", 15: "missing defect_type", 17: "result 'maybe' is not pass",
    18: "occurs twice in Europe/Berlin",
}
GOOD_UNITS = ["P-0001", "P-0001", "P-0002", "P-0003", "P-0004", "P-0013", "P-0014"]


@pytest.fixture(scope="module")
def project():
    return load_project(DEMO_PROJECT)


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / "h.duckdb") as s:
        yield s


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def test_bad_rows_block_the_import_and_each_is_reported_by_line(store, project):
    report = import_events(store, project, EXPORT, MAPS, tz="Europe/Berlin", now=NOW)
    assert not report.ok and report.imported == 0 and report.rows == 17
    assert {int(b.where.split()[1]): b.reason for b in report.bad}.keys() == BAD_LINES.keys()
    for bad in report.bad:
        assert BAD_LINES[int(bad.where.split()[1])] in bad.reason, bad
        assert bad.where.endswith("of plant_export.csv")
    text = "\n".join(report.lines())
    assert "line 1 is the header" in text and "nothing imported" in text and "10 bad" in text
    assert store.count("inspection_events") == 0 and store.count("imports") == 0
    assert store.count("audit_log") == 0 and store.count("sessions") == 0


def test_skip_bad_imports_the_good_rows_with_times_stations_results_and_measures(store, project):
    report = import_events(store, project, EXPORT, MAPS, tz="Europe/Berlin", skip_bad=True,
                           user="qa-lead", now=NOW)
    assert report.imported == 7 and len(report.bad) == 10 and not report.ok
    rows = store.inspection_events()
    assert sorted(r["unit_id"] for r in rows) == sorted(GOOD_UNITS)
    by_unit = {(r["unit_id"], r["station"]): r for r in rows}
    # Either side of the spring-forward gap: CET (+01:00) before, CEST (+02:00) after.
    assert by_unit["P-0003", "sealer"]["time"] == utc("2026-03-29T00:59:59")
    assert by_unit["P-0004", "sealer"]["time"] == utc("2026-03-29T01:00:00")
    assert by_unit["P-0013", "inspection"]["time"] == utc("2026-10-25T02:30:00")  # after fall-back: +01:00
    assert by_unit["P-0014", "inspection"]["time"] == utc("2026-10-25T02:31:00")  # its own offset
    p2 = by_unit["P-0002", "sealer"]  # "Heat sealer" is the sealer's name
    assert (p2["result"], p2["defect_type"], p2["severity"]) == ("fail", "seal_gap", "major")
    assert p2["measured"] == {"seal_temp_c": 172.25} and p2["lot"] == "L-0328-A" and p2["sku"] == "PCH-250-ORIG"
    assert by_unit["P-0001", "sealer"]["measured"] == {"seal_temp_c": 181.5}  # "181,5 " with its spaces
    assert by_unit["P-0001", "inspection"]["measured"] == {}  # empty cell, and "Operator" is no number
    results = {(u, s): r["result"] for (u, s), r in by_unit.items()}
    assert results["P-0003", "sealer"] == "pass" and results["P-0004", "sealer"] == "fail"
    assert results["P-0013", "inspection"] == "fail" and results["P-0014", "inspection"] == "pass"
    [session] = store.sessions()
    assert session["endpoint"] == "import:plant_export.csv" and {r["session_id"] for r in rows} == {1}
    [imp] = store.fetch_dicts("SELECT * FROM imports")
    assert (imp["file"], imp["rows"], imp["skipped"], imp["session_id"]) == ("plant_export.csv", 7, 10, 1)
    assert imp["sha256"] == report.sha256 and imp["imported_at"] == NOW
    [entry] = store.audit_entries()
    assert entry.user == "qa-lead" and entry.action == "history-import"
    assert entry.details["sha256"] == report.sha256 and entry.details["imported"] == 7
    assert entry.details["bad"] == 10 and store.verify_audit_chain().ok


def test_the_same_content_twice_adds_nothing(store, project, tmp_path):
    import_events(store, project, EXPORT, MAPS, tz="Europe/Berlin", skip_bad=True, now=NOW)
    copy = tmp_path / "renamed.csv"
    shutil.copy(EXPORT, copy)  # same content under another name: still the same import
    again = import_events(store, project, copy, MAPS, tz="Europe/Berlin", skip_bad=True, now=NOW + 60)
    assert again.previous is not None and again.previous["import_id"] == 1
    assert "already imported (import 1" in again.lines()[0] and "nothing added" in again.lines()[0]
    assert store.count("inspection_events") == 7 and store.count("imports") == 1
    assert store.count("audit_log") == 1


def test_rows_already_in_the_history_are_skipped_and_a_unit_moved_in_time_is_bad(store, project, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("time;unit_id;station;result;defect_type\n"
                     "2026-03-28T22:15:00+01:00;U-1;sealer;OK;\n"
                     "2026-03-28T22:16:00+01:00;U-2;sealer;NOK;seal_gap\n", encoding="utf-8")
    assert import_events(store, project, first, now=NOW).imported == 2
    later = tmp_path / "later.csv"  # one row again, one new, and U-2 at another time
    later.write_text("time;unit_id;station;result;defect_type\n"
                     "2026-03-28T21:15:00Z;U-1;sealer;OK;\n"
                     "2026-03-28T22:17:00+01:00;U-3;sealer;OK;\n"
                     "2026-03-28T22:18:00+01:00;U-2;sealer;OK;\n", encoding="utf-8")
    report = import_events(store, project, later, skip_bad=True, now=NOW)
    assert (report.imported, report.already, len(report.bad)) == (1, 1, 1)
    assert report.bad[0].where == "line 4 of later.csv"
    assert "already holds it at another time" in report.bad[0].reason
    assert sorted(r["unit_id"] for r in store.inspection_events()) == ["U-1", "U-2", "U-3"]
    assert [s["endpoint"] for s in store.sessions()] == ["import:first.csv", "import:later.csv"]


def test_naive_times_without_a_zone_are_bad_rows_saying_so(store, project):
    report = import_events(store, project, EXPORT, MAPS, now=NOW)
    naive = [b for b in report.bad if "no offset and no --tz" in b.reason]
    # every local time but those of rows with an earlier problem (station, unit, result...)
    assert [int(b.where.split()[1]) for b in naive] == [2, 3, 4, 6, 7, 8, 11, 12, 13, 18, 19]
    assert report.imported == 0


def test_parquet_export_with_its_own_types(store, project, tmp_path):
    path = tmp_path / "qs.parquet"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"""COPY (SELECT * FROM (VALUES
        (TIMESTAMPTZ '2026-05-28 10:00:00+00', 'A1', 'filler', 'ok', NULL, 250.4::DOUBLE),
        (TIMESTAMPTZ '2026-05-28 10:00:05+00', 'A2', 'capper', 'ok', NULL, 250.1::DOUBLE),
        (TIMESTAMPTZ '2026-05-28 10:00:10+00', 'A3', 'filler', 'NOK', 'underfill', 231.0::DOUBLE)
        ) AS t(ts, serial, machine, verdict, defect, fill_weight)) TO '{path}' (FORMAT parquet)""")
    con.close()
    maps = ["ts=time", "serial=unit_id", "machine=station", "verdict=result", "defect=defect_type"]
    report = import_events(store, project, path, maps, skip_bad=True, now=NOW)
    assert [str(b) for b in report.bad] == [
        "data row 2 of qs.parquet: unknown station 'capper' (known: infeed, filler, "
        "sealer, inspection, labeler, packer, outfeed, sealer.seal_head, sealer.temperature_controller, "
        "sealer.isolator, inspection.camera, labeler.applicator, labeler.label_roll, labeler.guard, "
        "labeler.isolator)"]  # components (the demo's SOP targets) are known too
    rows = store.inspection_events()
    assert [(r["unit_id"], r["time"], r["result"]) for r in rows] == [
        ("A1", utc("2026-05-28T10:00:00"), "pass"), ("A3", utc("2026-05-28T10:00:10"), "fail")]
    assert rows[1]["measured"] == {"fill_weight": 231.0}


def test_jsonl_export_with_epoch_seconds_and_blank_lines(store, project, tmp_path):
    path = tmp_path / "events.jsonl"
    t0 = utc("2026-05-28T10:00:00")
    lines = [{"time": t0, "unit_id": "J1", "station": "inspection", "result": "pass", "weight": 250.2},
             {"time": "2026-05-28T10:00:01Z", "unit_id": "J2", "station": "inspection", "result": "fail",
              "defect_type": "seal_gap", "severity": "Critical"},
             {"time": float("nan"), "unit_id": "J3", "station": "inspection", "result": "pass"},
             {"time": t0 + 2, "unit_id": "J4", "station": "inspection", "result": "pass", "severity": "awful"}]
    text = "\n".join(json.dumps(line) for line in lines[:2]) + "\n\n" + "\n".join(
        json.dumps(line) for line in lines[2:]) + "\n"
    path.write_text(text, encoding="utf-8")
    report = import_events(store, project, path, skip_bad=True, now=NOW)
    assert [str(b) for b in report.bad] == [
        "line 4 of events.jsonl: time 'nan': not a finite number",
        "line 5 of events.jsonl: severity 'awful' is not minor, major or critical"]
    rows = store.inspection_events()
    assert [(r["unit_id"], r["time"], r["severity"]) for r in rows] == [
        ("J1", t0, None), ("J2", t0 + 1, "critical")]
    assert rows[0]["measured"] == {"weight": 250.2}


def test_bad_options_and_unusable_files_say_what_is_wrong(store, project, tmp_path):
    with pytest.raises(ImportUsageError, match="expected COLUMN=FIELD"):
        parse_maps(["Zeitstempel"])
    with pytest.raises(ImportUsageError, match="unknown field 'when'; fields: time, unit_id"):
        parse_maps(["Zeitstempel=when"])
    with pytest.raises(ImportUsageError, match="--tz 'Mars/Olympus'"):
        import_events(store, project, EXPORT, MAPS, tz="Mars/Olympus")
    with pytest.raises(ImportFileError, match=r"--map names column\(s\) uhrzeit .* its columns: zeitstempel"):
        import_events(store, project, EXPORT, ["Uhrzeit=time"])
    with pytest.raises(ImportFileError, match=r"plant_export.csv: no column for time, unit_id.*--map"):
        import_events(store, project, EXPORT)
    with pytest.raises(PlantFileError, match=r"events.xlsx: unknown export format '.xlsx'"):
        import_events(store, project, tmp_path / "events.xlsx")
    with pytest.raises(ImportFileError, match=r"missing.csv: cannot read it"):
        import_events(store, project, tmp_path / "missing.csv")
    assert store.count("imports") == 0


def test_the_plant_or_a_line_is_no_station(tmp_path):
    """An event on "line1" is a mapping mistake: only machines and their parts inspect units."""
    from linetwin.io.history.import_rows import station_names

    names = station_names(load_project(DEMO_PROJECT))
    assert "line1" not in names and "plant" not in names and "demo plant" not in names
    assert names["heat sealer"] == names["sealer"] == "sealer"
