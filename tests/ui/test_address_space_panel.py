"""The address-space panel against the real built-in simulator on 127.0.0.1:
browse, live value, bind into a copy of the demo project file, undo, and a
server that is not there."""

from __future__ import annotations

import difflib
import shutil
import socket
import threading
import time
import tomllib

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from linetwin.io.project.project_file import load_project
from linetwin.io.opcua.simulator.sim_server import SimulatorServer, free_port
from linetwin.main import DEMO_PROJECT
from linetwin.twin.selection import Selection
from linetwin.ui.qt.address_space.dialog import SignalFormDialog
from linetwin.ui.qt.address_space.panel import AddressSpacePanel
from linetwin.ui.qt.address_space.tasks import TaskRunner
from linetwin.io.project.signal_proposal import SignalProposal
from tests.io.conftest_opcua import UNMODELLED, demo_project

pytestmark = pytest.mark.timeout(20)

STATIONS = ["Infeed", "Filler", "Sealer", "Inspection", "Labeler", "Packer", "Outfeed"]
WAIT_MS = 8_000


@pytest.fixture(scope="module")
def server():
    """The simulator serving the demo line plus Sealer.JawWear, a node the
    project file does not bind yet (served, but not modelled: Bad)."""
    sim = SimulatorServer(demo_project(UNMODELLED), port=0)
    sim.start_in_thread()
    yield sim
    sim.stop_thread()


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "line.toml"  # binding needs no meshes; load_project does not open them
    shutil.copyfile(DEMO_PROJECT, path)
    (tmp_path / "sops").symlink_to(DEMO_PROJECT.parent / "sops")  # the SOP files it names
    return path


@pytest.fixture
def make_panel(qtbot, project_file):
    panels = []

    def make(endpoint: str, selection: Selection | None = None) -> AddressSpacePanel:
        panel = AddressSpacePanel(load_project(project_file), selection or Selection(), endpoint)
        panel.resize(520, 720)
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitExposed(panel)
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        panel.shutdown()
        assert panel.wait_closed(10.0), "browser threads still running after shutdown"
    left = [t.name for t in threading.enumerate() if t.name.startswith("linetwin-address-space")]
    assert not left, f"threads left running: {left}"


def top_names(panel):
    tree = panel.tree
    return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]


def child_named(item, name):
    for i in range(item.childCount()):
        if item.child(i).text(0) == name:
            return item.child(i)
    return None


def expand(qtbot, panel, folder: str, variable: str):
    qtbot.waitUntil(lambda: folder in top_names(panel), timeout=WAIT_MS)
    item = panel.tree.findItems(folder, Qt.MatchFlag.MatchExactly)[0]
    item.setExpanded(True)
    qtbot.waitUntil(lambda: child_named(item, variable) is not None, timeout=WAIT_MS)
    return item, child_named(item, variable)


def only_inserted(old: str, new: str) -> bool:
    """``new`` is ``old`` with lines inserted: not one original line changed or lost."""
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    return all(op in ("equal", "insert") for op, *_ in matcher.get_opcodes())


def test_lists_the_station_folders(qtbot, make_panel, server):
    panel = make_panel(server.endpoint)
    qtbot.waitUntil(lambda: all(s in top_names(panel) for s in STATIONS), timeout=WAIT_MS)
    assert "Server" in top_names(panel)
    assert panel.status_label.text() == ""
    assert not panel.bind_button.isEnabled()  # no variable, no asset yet

    sealer = panel.tree.findItems("Sealer", Qt.MatchFlag.MatchExactly)[0]
    panel.tree.setCurrentItem(sealer)
    assert "no value" in panel.value_view.node_label.text()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Return)  # Enter on a folder opens it
    qtbot.waitUntil(lambda: child_named(sealer, "SealTemperature") is not None, timeout=WAIT_MS)
    assert sealer.isExpanded() and not panel.bind_button.isEnabled()


def test_a_selected_variable_shows_its_live_value(qtbot, make_panel, server):
    panel = make_panel(server.endpoint)
    folder, temperature = expand(qtbot, panel, "Sealer", "SealTemperature")
    assert child_named(folder, "loading…") is None
    assert temperature.text(1) == "Double"
    panel.tree.setCurrentItem(temperature)
    view = panel.value_view
    qtbot.waitUntil(lambda: view.text("status") == "Good", timeout=WAIT_MS)
    assert 100.0 < float(view.text("value")) < 300.0
    assert view.text("data_type").startswith("Double")
    assert "ago" in view.text("source_time")
    assert panel.poll_timer.isActive()
    first = view.text("source_time")
    qtbot.waitUntil(lambda: view.text("source_time") != first, timeout=WAIT_MS)  # polled again

    panel.hide()  # not visible: no polling
    assert not panel.poll_timer.isActive()
    panel.show()
    assert panel.poll_timer.isActive()


def test_binding_writes_the_signal_and_undo_restores_the_file(qtbot, make_panel, server, project_file):
    original = project_file.read_text(encoding="utf-8")
    selection = Selection()
    panel = make_panel(server.endpoint, selection)
    _, jaw = expand(qtbot, panel, "Sealer", "JawWear")
    panel.tree.setCurrentItem(jaw)
    assert not panel.bind_button.isEnabled()  # no asset selected yet
    selection.select("sealer")
    assert panel.bind_button.isEnabled()
    assert "Heat sealer" in panel.asset_label.text()

    proposals: list[SignalProposal] = []

    def confirm(proposal):
        proposals.append(proposal)
        return dict(proposal.to_fields(), unit="%", sampling_ms=1000, limits={"high": 80.0})

    panel.confirm_fields = confirm
    with qtbot.waitSignal(panel.project_changed, timeout=WAIT_MS) as bound:
        panel.bind_button.click()
    (proposal,) = proposals
    assert (proposal.id, proposal.asset, proposal.kind) == ("sealer.jaw_wear", "sealer", "analog")
    assert proposal.node == "ns=2;s=Sealer.JawWear" and proposal.bound_as is None

    new_project = bound.args[0]
    signal = new_project.signal("sealer.jaw_wear")
    assert (signal.unit, signal.sampling_ms, signal.limits.high) == ("%", 1000, 80.0)
    assert panel.project is new_project
    text = project_file.read_text(encoding="utf-8")
    assert only_inserted(original, text)
    added = [s for s in tomllib.loads(text)["signals"] if s["id"] == "sealer.jaw_wear"]
    assert added == [{"id": "sealer.jaw_wear", "asset": "sealer", "node": "ns=2;s=Sealer.JawWear",
                      "kind": "analog", "unit": "%", "limits": {"high": 80.0}, "sampling_ms": 1000}]
    banner = panel.banner_label.text()
    assert "Bound" in banner and "Sealer.JawWear" in banner and "sealer.jaw_wear" in banner
    assert panel.banner.isVisible() and panel.undo_button.isVisible()

    with qtbot.waitSignal(panel.project_changed, timeout=WAIT_MS) as undone:
        panel.undo_button.click()
    assert project_file.read_text(encoding="utf-8") == original
    assert "sealer.jaw_wear" not in {s.id for s in undone.args[0].signals}
    assert "Undone" in panel.banner_label.text() and not panel.undo_button.isVisible()


def test_enter_binds_and_a_refused_save_keeps_file_and_entries(qtbot, make_panel, server, project_file):
    original = project_file.read_bytes()
    selection = Selection()
    selection.select("sealer")
    panel = make_panel(server.endpoint, selection)
    _, temperature = expand(qtbot, panel, "Sealer", "SealTemperature")
    panel.tree.setCurrentItem(temperature)
    panel.tree.setFocus()
    proposals = []
    panel.confirm_fields = lambda p: proposals.append(p) or dict(p.to_fields(), id="sealer.temp_again")
    changed = []
    panel.project_changed.connect(changed.append)

    qtbot.keyClick(panel.tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.binding.error_box is not None, timeout=WAIT_MS)
    assert proposals[0].bound_as == "sealer.seal_temperature"  # the form warns about it
    box = panel.binding.error_box
    assert box.isVisible()
    assert "already bound" in box.text() + box.informativeText()
    assert "already bound" in panel.status_label.text()
    assert project_file.read_bytes() == original and not changed
    assert panel.binding.draft[2]["id"] == "sealer.temp_again"  # what was typed is kept
    assert panel.bind_button.isEnabled()
    box.close()


def test_an_unreachable_server_is_reported_and_refresh_recovers(qtbot, make_panel, server):
    refused = f"opc.tcp://127.0.0.1:{free_port('127.0.0.1')}/nothing/"
    panel = make_panel(refused)
    qtbot.waitUntil(lambda: "cannot connect" in panel.status_label.text(), timeout=WAIT_MS)
    assert refused in panel.status_label.text()
    assert "Traceback" not in panel.status_label.text()
    assert panel.tree.topLevelItemCount() == 0  # no stale "loading…" left behind

    panel.endpoint_edit.setText(server.endpoint)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: "Sealer" in top_names(panel), timeout=WAIT_MS)
    assert panel.status_label.text() == ""


def test_a_silent_server_does_not_freeze_the_window(qtbot, make_panel):
    """A port that accepts TCP but never answers: the connect times out in a worker."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        endpoint = f"opc.tcp://127.0.0.1:{silent.getsockname()[1]}/silent/"
        panel = make_panel(endpoint)
        assert panel.tree.topLevelItem(0).text(0) == "loading…"
        ticks = []
        timer = QTimer(panel)
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(20)
        qtbot.waitUntil(lambda: "cannot connect" in panel.status_label.text(), timeout=WAIT_MS)
        timer.stop()
    assert endpoint in panel.status_label.text()
    assert len(ticks) > 50  # the GUI thread ran its timers all along (>1 s of 20 ms ticks)
    assert panel.tree.topLevelItemCount() == 0


def test_the_form_edits_kind_unit_sampling_and_limits(qtbot):
    proposal = SignalProposal(id="oven.zone_temp", asset="oven", node="ns=2;s=Oven.ZoneTemp",
                              kind="analog", unit="°C", data_type="Double",
                              reason="Double: a process value", bound_as="oven.temp")
    dialog = SignalFormDialog(proposal, "Oven")
    qtbot.addWidget(dialog)
    assert not dialog.warning_label.isHidden() and "oven.temp" in dialog.warning_label.text()
    assert "Double: a process value" in dialog.reason_label.text()
    dialog.id_edit.setText("oven.zone_1")
    dialog.low_edit.setText("170")
    dialog.high_edit.setText("165")
    dialog.accept()  # low above high: stays open and says why
    assert dialog.result() != dialog.DialogCode.Accepted and "above" in dialog.error_label.text()
    dialog.high_edit.setText("190.5")
    dialog.sampling_spin.setValue(250)
    assert dialog.fields() == {"id": "oven.zone_1", "asset": "oven", "node": "ns=2;s=Oven.ZoneTemp",
                               "kind": "analog", "unit": "°C", "limits": {"low": 170.0, "high": 190.5},
                               "sampling_ms": 250}
    dialog.kind_combo.setCurrentText("counter")  # counters have no spec limits
    assert not dialog.low_edit.isEnabled() and "limits" not in dialog.fields()


def test_worker_results_arrive_on_the_gui_thread_and_cancelled_ones_are_dropped(qtbot):
    runner = TaskRunner()
    seen = []
    runner.submit(lambda: threading.get_ident(),
                  lambda worker: seen.append((worker, threading.get_ident())), seen.append)
    runner.submit(lambda: 1 / 0, seen.append, lambda error: seen.append(type(error)))
    dropped = runner.submit(lambda: time.sleep(0.2), seen.append, seen.append, group="browse")
    runner.cancel("browse")
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=WAIT_MS)
    assert runner.wait(5000)
    qtbot.wait(50)
    (worker, gui), error = sorted(seen, key=lambda x: isinstance(x, type))
    assert worker != gui == threading.main_thread().ident
    assert error is ZeroDivisionError
    assert not runner.is_pending(dropped) and len(seen) == 2


def test_the_real_form_warns_and_a_retry_starts_from_what_was_typed(qtbot, make_panel, server, project_file):
    original = project_file.read_bytes()
    selection = Selection()
    selection.select("sealer")
    panel = make_panel(server.endpoint, selection)
    _, temperature = expand(qtbot, panel, "Sealer", "SealTemperature")
    panel.tree.setCurrentItem(temperature)
    shown = []

    def answer_form(new_id):
        def handle():
            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, SignalFormDialog):
                QTimer.singleShot(20, handle)
                return
            shown.append((dialog.id_edit.text(), dialog.warning_label.isVisibleTo(dialog)))
            dialog.id_edit.setText(new_id)
            dialog.accept()
        QTimer.singleShot(20, handle)

    answer_form("sealer.temp_copy")
    panel.bind_button.click()
    qtbot.waitUntil(lambda: panel.binding.error_box is not None, timeout=WAIT_MS)
    assert shown == [("sealer.seal_temperature_2", True)]  # proposed id; "already bound" warning
    assert project_file.read_bytes() == original
    panel.binding.error_box.close()

    answer_form("sealer.temp_copy_2")
    box = panel.binding.error_box
    panel.bind_button.click()
    qtbot.waitUntil(lambda: panel.binding.error_box is not box, timeout=WAIT_MS)
    assert shown[1] == ("sealer.temp_copy", True)  # the refused entry came back
    panel.binding.error_box.close()
