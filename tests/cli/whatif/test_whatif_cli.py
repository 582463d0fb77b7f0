"""``linetwin whatif fit|list`` and ``linetwin whatif --set`` on a generated history
with setpoint trials, as a process engineer uses them; and their bad inputs."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import duckdb
import pytest

from linetwin.io.history.data_slice import copy_slice
from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.incident_package import MANIFEST, write_package
from linetwin.main import DEMO_PROJECT, main

START = "2026-05-28T22:00:00+02:00"
DEFECTS = {"seal_gap", "wrinkle", "contamination", "misalignment", "label_skew"}


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("whatif")
    history, model = folder / "trials.duckdb", folder / "model.json"
    assert main(["history", "generate", str(DEMO_PROJECT), "--out", str(history), "--hours", "2",
                 "--start", START, "--seed", "4", "--scenario", "trials"]) == 0
    assert main(["whatif", "fit", str(DEMO_PROJECT), "--history", str(history), "-o", str(model)]) == 0
    return history, model


def whatif(model: Path, *changes: str, extra: tuple[str, ...] = ()) -> list[str]:
    args = ["whatif", str(DEMO_PROJECT), "--model", str(model), *extra]
    for change in changes:
        args += ["--set", change]
    return args


def test_json_answers_in_the_documented_shape(fitted, capsys):
    _, model = fitted
    capsys.readouterr()
    assert main(whatif(model, "sealer.dwell_time=-10%", extra=("--json",))) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["station"] == "inspection" and set(out["defects"]) == DEFECTS
    for d in out["defects"].values():
        assert set(d) >= {"now", "predicted", "low", "high", "extrapolation"}
        if d["predicted"] is not None:
            assert 0.0 <= d["low"] <= d["predicted"] <= d["high"] <= 1.0
    seal_gap = out["defects"]["seal_gap"]
    assert seal_gap["predicted"] > 2 * seal_gap["now"]  # shorter dwell: more seal gaps
    assert set(out["fpy"]) == {"now", "predicted", "low", "high"}
    assert out["fpy"]["predicted"] < out["fpy"]["now"]


def test_far_outside_the_data_is_flagged_as_extrapolation(fitted, capsys):
    _, model = fitted
    capsys.readouterr()
    assert main(whatif(model, "sealer.seal_temperature=+15", extra=("--json",))) == 0
    out = json.loads(capsys.readouterr().out)
    assert all(d["extrapolation"] for d in out["defects"].values())
    assert "sealer.seal_temperature" in out["extrapolation"][0]


def test_the_fit_is_registered_and_audited_in_the_history_it_used(fitted, capsys):
    history, model = fitted
    version = json.loads(model.read_text())["hash"][:8]
    capsys.readouterr()
    assert main(["whatif", "list", "--history", str(history)]) == 0
    assert version in capsys.readouterr().out
    with HistoryStore(history, read_only=True) as store:
        fits = [e for e in store.audit_entries() if e.action == "whatif.fit"]
        assert store.verify_audit_chain().ok
    assert fits and fits[-1].details["model_hash"] == json.loads(model.read_text())["hash"]
    assert main(["audit", "verify", str(history)]) == 0


def test_an_incident_package_slice_keeps_the_model_registry(fitted, tmp_path):
    history, model = fitted
    sliced = tmp_path / "slice.duckdb"
    copy_slice(history, sliced, 0.0, 2e9)
    with duckdb.connect(str(sliced), read_only=True) as con:
        hashes = [r[0] for r in con.execute("SELECT model_hash FROM whatif_models").fetchall()]
    assert json.loads(model.read_text())["hash"] in hashes


def test_an_incident_package_names_the_models_in_its_manifest(fitted, tmp_path):
    history, model = fitted
    with HistoryStore(history, read_only=True) as store:
        start, end = store.time_range()
    package = write_package(DEMO_PROJECT, history, start, end, tmp_path / "incident.ltpkg")
    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read(MANIFEST))
    assert json.loads(model.read_text())["hash"] in [m["sha256"] for m in manifest["models"]]


def test_virtual_trial_is_printed_beside_the_prediction(fitted, capsys):
    _, model = fitted
    capsys.readouterr()
    assert main(whatif(model, "sealer.dwell_time=-10%", extra=("--try", "10", "--json"))) == 0
    trial = json.loads(capsys.readouterr().out)["virtual_line"]
    assert trial["units"] > 500 and trial["defects"]["seal_gap"]["expected"] > 0.01


@pytest.mark.parametrize("change, message", [
    ("filler.nozzle=+3", "no data on filler.nozzle"),
    ("sealer.dwell_time", "is not a change"),
    ("sealer.dwell_time=-100%", "leaves nothing"),
])
def test_bad_changes_are_refused_with_a_message(fitted, capsys, change, message):
    _, model = fitted
    capsys.readouterr()
    assert main(whatif(model, change)) == 1
    assert message in capsys.readouterr().err


def test_a_missing_or_edited_model_file_is_named(fitted, tmp_path, capsys):
    _, model = fitted
    missing = tmp_path / "none.json"
    assert main(whatif(missing, "sealer.dwell_time=-5%")) == 1
    assert f"{missing}: no such model file" in capsys.readouterr().err
    edited = tmp_path / "edited.json"
    data = json.loads(model.read_text())
    data["base_rates"]["seal_gap"] = 0.5
    edited.write_text(json.dumps(data))
    assert main(whatif(edited, "sealer.dwell_time=-5%")) == 1
    assert "do not match its hash" in capsys.readouterr().err


def test_fitting_a_history_that_cannot_be_fitted_says_why(tmp_path, capsys):
    empty = tmp_path / "empty.duckdb"
    HistoryStore(empty).close()
    out = tmp_path / "m.json"
    assert main(["whatif", "fit", str(DEMO_PROJECT), "--history", str(empty), "-o", str(out)]) == 1
    assert "no inspection events to fit on" in capsys.readouterr().err
    assert not out.exists()
    assert main(["whatif", "fit", str(DEMO_PROJECT), "--history", str(tmp_path / "no.duckdb"),
                 "-o", str(out)]) == 1
    assert "no such history file" in capsys.readouterr().err
