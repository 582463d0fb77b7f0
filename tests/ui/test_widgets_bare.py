"""Widgets built from bare model objects (napari's habit): no simulator, no session.

The asset tree from a Project and a Selection; the Record toggle from taps, an
alert book and a project: a stand-in for the live bridge hands batches to its
taps and steps them through a real pipeline (as :class:`LiveBridge` does), and
the recording goes into a DuckDB file under ``tmp_path``. (The inspector,
alerts panel and trend have files of their own.)
"""

import pytest
from PySide6.QtWidgets import QMessageBox

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.clock import ReplayClock
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.selection import Selection
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate
from linetwin.ui.qt.asset_tree import COMPONENT_ROLE, AssetTree
from linetwin.ui.qt.recording import RecordingControl

T0 = 1_780_000_000.0
ENDPOINT = "opc.tcp://line.example:4840"

# -- asset tree --------------------------------------------------------------------------


@pytest.fixture
def tree(qtbot):
    widget = AssetTree(load_project(DEMO_PROJECT), Selection(),
                       problems={"packer": "packer.glb: no such file"},
                       components={"sealer": ["Jaw_Upper.001", "heater_cartridge"]})
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_the_hierarchy_follows_the_project(tree):
    plant = tree.topLevelItem(0)
    assert (plant.text(0), plant.text(1)) == ("Demo plant", "factory")
    line = plant.child(0)
    stations = [line.child(k).text(0) for k in range(line.childCount())]
    assert stations[:4] == ["Infeed conveyor", "Filler", "Heat sealer", "Vision inspection"]
    assert tree.items["packer"].text(0) == "Case packer  ⚠"
    assert tree.items["packer"].toolTip(0) == "packer.glb: no such file"
    assert line.isExpanded() and not tree.items["sealer"].isExpanded()  # parts folded away


def test_selecting_an_item_selects_the_asset_and_back(tree):
    selection = tree.selection
    tree.items["filler"].setSelected(True)
    assert selection.asset_id == "filler"
    selection.select("labeler")
    assert tree.items["labeler"].isSelected() and not tree.items["filler"].isSelected()
    selection.select(None)
    assert tree.selectedItems() == []


def test_a_mesh_part_selects_its_asset_and_keeps_its_raw_name(tree):
    raw = [leaf.data(0, COMPONENT_ROLE) for leaf in tree.components]
    assert raw == ["Jaw_Upper.001", "heater_cartridge"]
    shown = [leaf.text(0) for leaf in tree.components]
    assert shown != raw  # named as people say them
    tree.components[0].setSelected(True)
    assert (tree.selection.asset_id, tree.selection.component) == ("sealer", "Jaw_Upper.001")
    tree.show_raw_names(True)
    assert [leaf.text(0) for leaf in tree.components] == raw
    tree.show_raw_names(False)
    assert [leaf.text(0) for leaf in tree.components] == shown


# -- recording control ---------------------------------------------------------------------

class Taps:
    """What the recording control needs of the live bridge: ``taps`` fed every batch."""

    def __init__(self, pipeline: TwinPipeline) -> None:
        self.pipeline = pipeline
        self.taps: list = []
        self.links = {ENDPOINT: ConnectionChange(ENDPOINT, ConnectionState.CONNECTED, "connected",
                                                 T0 - 60)}

    def step(self, items: list) -> None:
        for tap in self.taps:
            tap(items)
        self.pipeline.step(items)


@pytest.fixture
def feed():
    return Taps(TwinPipeline(load_project(DEMO_PROJECT), ReplayClock(T0)))


@pytest.fixture
def control(qapp, feed):
    pipeline = feed.pipeline
    control = RecordingControl(feed, pipeline.alerts.book, pipeline.project, ENDPOINT)
    yield control
    control.stop()  # a failed test must not leave the writer thread running


def _temperatures(start, count, value=186.0):
    return [ValueUpdate("sealer.seal_temperature", value, start + k * 0.25, start + k * 0.25)
            for k in range(count)]


def test_record_toggle_writes_values_alerts_and_acks_then_closes_the_file(feed, control,
                                                                          tmp_path):
    path = tmp_path / "session.duckdb"
    control.choose_file = lambda: path
    feed.step(_temperatures(T0 - 10, 8))  # before recording: not written
    control.action.setChecked(True)
    assert control.recorder is not None and feed.taps == [control.recorder.submit]
    feed.step([ValueUpdate("sealer.state", 1.0, T0, T0), *_temperatures(T0, 20)])
    feed.step(_temperatures(T0 + 5, 4, value=199.0))  # over 195 °C: an alarm
    [alert] = feed.pipeline.alerts.book.active()
    feed.pipeline.alerts.book.acknowledge(alert.id, "maria", "jaw cleaned", T0 + 7)
    assert control.recorder.flush()
    control.refresh()
    assert "REC session.duckdb: 25 values" in control.label.text()
    control.action.setChecked(False)
    assert control.recorder is None and feed.taps == []
    assert control.label.text() == "saved 25 values to session.duckdb"
    feed.step(_temperatures(T0 + 8, 4))  # after: not written
    with HistoryStore(path, read_only=True) as store:
        assert store.count("signal_samples") == 25
        [session] = store.sessions()
        assert session["project_name"] == "Demo packaging line"
        assert session["endpoint"] == ENDPOINT and session["stopped_at"] is not None
        [row] = store.alerts()
        assert row["alert_id"] == alert.id and row["rule"] == "limit-high"
        [ack] = store.alert_acks()
        assert (ack["user"], ack["comment"], ack["acked_at"]) == ("maria", "jaw cleaned", T0 + 7)
        # The link was up before Record was pressed: its state is in the file anyway.
        [link] = store.connection_events()
        assert (link["endpoint"], link["state"], link["time"]) == (ENDPOINT, "connected", T0 - 60)


def test_cancelling_the_file_dialog_leaves_recording_off(feed, control):
    control.choose_file = lambda: None
    control.action.setChecked(True)
    assert not control.action.isChecked() and control.recorder is None and feed.taps == []


def test_record_into_a_bad_file_says_why_and_stays_off(feed, control, tmp_path, monkeypatch):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("not a database")
    control.choose_file = lambda: bad
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    control.action.setChecked(True)
    assert not control.action.isChecked() and control.recorder is None and feed.taps == []
    assert "notes.duckdb" in shown[0]
    assert bad.read_text() == "not a database"
