"""Writable signals in project files: ``writable``, ``certified`` and ``setpoint_node``,
read-only by default, and every bad input refused at its line."""

from __future__ import annotations

import pytest

from linetwin.io.project.project_file import ProjectFileError, load_project
from linetwin.twin.model import Limits

from tests.io.conftest import MINIMAL_PROJECT, line_of, variant

TEMP = "limits = { low = 170, high = 190.5 }"
WRITABLE = f'{TEMP}\nwritable = true\ncertified = {{ low = 175, high = 185 }}\nsetpoint_node = "ns=2;s=Sealer.TempSetpoint"'
STATE = 'node = "ns=2;s=Sealer.State"\nkind = "state"'


def problems_of(path):
    with pytest.raises(ProjectFileError) as caught:
        load_project(path)
    return caught.value.problems


def test_signals_are_read_only_by_default(write_project):
    project = load_project(write_project(MINIMAL_PROJECT))
    for signal in project.signals:
        assert (signal.writable, signal.certified, signal.setpoint_node) == (False, None, None)
        assert signal.write_node == signal.node


def test_a_writable_signal_loads_with_its_certified_limits_and_setpoint_node(write_project):
    project = load_project(write_project(variant(TEMP, WRITABLE)))
    signal = project.signal("sealer.temp")
    assert signal.writable and signal.certified == Limits(175.0, 185.0)
    assert signal.setpoint_node == signal.write_node == "ns=2;s=Sealer.TempSetpoint"


def test_setpoint_node_defaults_to_the_signal_node(write_project):
    text = variant(TEMP, f"{TEMP}\nwritable = true\ncertified = {{ low = 175, high = 185 }}")
    signal = load_project(write_project(text)).signal("sealer.temp")
    assert signal.setpoint_node is None and signal.write_node == "nsu=urn:linetwin:test;s=Sealer.Temp"


def test_certified_limits_without_writable_are_allowed(write_project):
    """The what-if panel draws them; the signal stays read-only."""
    text = variant(TEMP, f"{TEMP}\ncertified = {{ low = 175, high = 185 }}")
    signal = load_project(write_project(text)).signal("sealer.temp")
    assert not signal.writable and signal.certified == Limits(175.0, 185.0)


BAD = {
    "writable without certified": (variant(TEMP, f"{TEMP}\nwritable = true"), "writable =",
                                   ["signal 'sealer.temp': a writable signal needs certified"]),
    "certified on a state signal": (variant(STATE, f"{STATE}\ncertified = {{ low = 0, high = 1 }}"),
                                    "certified =", ["signal 'sealer.state': certified applies to analog signals",
                                                    "state signal"]),
    "writable state signal": (variant(STATE, f"{STATE}\nwritable = true"), "writable =",
                              ["signal 'sealer.state': writable applies to analog signals"]),
    "low equal to high": (variant(TEMP, f"{TEMP}\nwritable = true\ncertified = {{ low = 180, high = 180 }}"),
                          "certified =", ["certified", "low (180) must be below high (180)"]),
    "low above high": (variant(TEMP, f"{TEMP}\nwritable = true\ncertified = {{ low = 190, high = 180 }}"),
                       "certified =", ["low (190) must be below high (180)"]),
    "one side missing": (variant(TEMP, f"{TEMP}\nwritable = true\ncertified = {{ low = 180 }}"),
                         "certified =", ["certified", "high"]),
    "not a number": (variant(TEMP, f'{TEMP}\nwritable = true\ncertified = {{ low = "180", high = 190 }}'),
                     "certified =", ["expected a number"]),
    "setpoint_node unparsable": (variant(TEMP, WRITABLE.replace("ns=2;s=Sealer.TempSetpoint", "Sealer.Setpoint")),
                                 "setpoint_node =", ["'Sealer.Setpoint' is not an OPC UA node id"]),
    "setpoint_node on a read-only signal": (variant(TEMP, f'{TEMP}\nsetpoint_node = "ns=2;s=Sealer.TempSp"'),
                                            "setpoint_node =", ["setpoint_node is the node a change writes",
                                                                "not writable"]),
    "writable not a boolean": (variant(TEMP, f'{TEMP}\nwritable = "yes"\ncertified = {{ low = 175, high = 185 }}'),
                               "writable =", ["writable"]),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_writable_settings_are_refused_at_their_line(write_project, case):
    text, needle, fragments = case
    path = write_project(text)
    [problem] = problems_of(path)
    assert problem.line == line_of(text, needle), problem
    assert str(problem).startswith(f"{path}:{problem.line}: ")
    for fragment in fragments:
        assert fragment in problem.message, problem.message


def test_the_demo_line_has_two_writable_sealer_signals(demo_project_path):
    project = load_project(demo_project_path)
    writable = {s.id: (s.certified, s.write_node) for s in project.signals if s.writable}
    assert writable == {
        "sealer.seal_temperature": (Limits(180.0, 192.0), "ns=2;s=Sealer.SealTemperatureSetpoint"),
        "sealer.dwell_time": (Limits(300.0, 400.0), "ns=2;s=Sealer.DwellTimeSetpoint"),
    }
