"""``linetwin record --simulate`` keeps the line's production: inspected units
with their lot and defect type, the lot, and the links (issue 7, "Done when")."""

from __future__ import annotations

import io

import pytest

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.ui.cli.record import record_cli

pytestmark = pytest.mark.timeout(120)


def test_a_simulated_recording_holds_units_lots_and_links(tmp_path, capsys):
    out = tmp_path / "line.duckdb"
    # Seed 3 makes its first seal gaps 13 s and 43 s into the run; at 8x, 6 s hold both
    # and the sealer's set-up steps (2, 25 and 45 s).
    assert record_cli(load_project(DEMO_PROJECT), None, out, duration=6.0, simulate=True,
                      stream=io.StringIO(), seed=3, speed=8.0) == 0
    summary = capsys.readouterr().out
    with HistoryStore(out, read_only=True) as store:
        units = store.inspection_events()
        lots = store.lots()
        links = [e["state"] for e in store.connection_events()]
        steps = store.compliance_events()
    assert units and all(u["unit_id"] and u["lot"] and u["station"] for u in units)
    assert all((u["defect_type"] is None) == (u["result"] == "pass") for u in units)
    assert "seal_gap" in {u["defect_type"] for u in units}
    assert [s["step"] for s in steps][:2] == ["heat_up", "verify_temperature"]
    assert {u["lot"] for u in units} <= {lot["lot_id"] for lot in lots}
    assert links[:2] == ["connecting", "connected"] and links[-1] == "disconnected"
    assert f"{len(units)} inspection events" in summary
