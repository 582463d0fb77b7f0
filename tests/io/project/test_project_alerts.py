"""Alert settings in project files: ``alerts = {...}`` on signals, ``[[fpy]]`` tables,
their defaults, and every error with its line."""

from __future__ import annotations

import pytest

from linetwin.io.project.project_file import ProjectFileError, load_project
from linetwin.twin.alerts.alert_rules import AlertEngine
from linetwin.twin.alerts.alerts import AlertBook, AlertConfig
from linetwin.twin.alerts.fpy import FpyEvaluator
from linetwin.twin.model import AlertSettings, FpySpec

from tests.io.conftest import MINIMAL_PROJECT, line_of, variant

COUNTERS = """
[[signals]]
id = "sealer.good"
asset = "sealer"
node = "ns=2;s=Sealer.Good"
kind = "counter"

[[signals]]
id = "sealer.reject"
asset = "sealer"
node = "ns=2;s=Sealer.Reject"
kind = "counter"
"""
FPY = """
[[fpy]]
station = "sealer"
good = "sealer.good"
reject = "sealer.reject"
threshold = 0.95
window_s = 300
"""
TEMP_LIMITS = "limits = { low = 170, high = 190.5 }"
ALERTS = "alerts = { trend = true, horizon_s = 90, nelson = [1, 2, 8], center = 180.0, sigma = 2 }"


def with_alerts(alerts: str = ALERTS, fpy: str = FPY, text: str = MINIMAL_PROJECT) -> str:
    text = variant(TEMP_LIMITS, f"{TEMP_LIMITS}\n{alerts}", text)
    return text + COUNTERS + fpy


def problems_of(path):
    with pytest.raises(ProjectFileError) as caught:
        load_project(path)
    return caught.value.problems


def test_alert_settings_and_fpy_load_into_the_model(write_project):
    project = load_project(write_project(with_alerts()))
    assert project.signal("sealer.temp").alerts == AlertSettings(
        trend=True, horizon_s=90.0, nelson=(1, 2, 8), center=180.0, sigma=2.0
    )
    assert project.signal("sealer.state").alerts is None
    assert project.fpy == (FpySpec("sealer", "sealer.good", "sealer.reject", threshold=0.95,
                                   window_s=300.0),)


def test_everything_is_optional(write_project):
    minimal_fpy = '\n[[fpy]]\nstation = "sealer"\ngood = "sealer.good"\nreject = "sealer.reject"\n'
    project = load_project(write_project(with_alerts("alerts = {}", minimal_fpy)))
    assert project.signal("sealer.temp").alerts == AlertSettings()
    assert project.fpy[0].threshold == 0.97 and project.fpy[0].window_s == 600.0
    assert load_project(write_project(MINIMAL_PROJECT)).fpy == ()


def test_alerts_as_a_sub_table(write_project):
    sub_table = "sampling_ms = 250\n\n[signals.alerts]\ntrend = true\nsubgroup_s = 30\n"
    text = variant("sampling_ms = 250\n", sub_table)
    settings = load_project(write_project(text)).signal("sealer.temp").alerts
    assert settings.trend and settings.subgroup_s == 30.0


def test_demo_project_has_alerts_and_builds_an_engine(demo_project_path):
    project = load_project(demo_project_path)
    temp = project.signal("sealer.seal_temperature").alerts
    assert temp.trend and temp.nelson == (1, 2, 5, 6)
    [fpy] = project.fpy
    assert (fpy.station, fpy.good, fpy.reject) == (
        "inspection", "inspection.good_count", "inspection.reject_count")
    engine = AlertEngine(project)
    assert {"sealer.seal_temperature", "inspection.reject_count"} <= set(engine.watched_signals)


# (alerts or None, fpy or None, needle of the expected line, fragments of the message)
ERROR_CASES = {
    "nelson 9": ("alerts = { nelson = [1, 9, 0] }", None, "alerts =",
                 ["signal 'sealer.temp'", "alerts.nelson", "numbered 1 to 8, got 9, 0"]),
    "nelson twice": ("alerts = { nelson = [2, 2] }", None, "alerts =", ["rule 2 listed twice"]),
    "nelson text": ('alerts = { nelson = ["1"] }', None, "alerts =", ["alerts.nelson"]),
    "unknown alerts key": ("alerts = { horizon = 90 }", None, "alerts =",
                           ["unknown key 'horizon'", "did you mean 'horizon_s'"]),
    "sigma zero": ("alerts = { sigma = 0 }", None, "alerts =", ["alerts.sigma", "greater than 0"]),
    "window negative": ("alerts = { window_s = -5 }", None, "alerts =", ["window_s", "greater than 0"]),
    "trend text": ('alerts = { trend = "yes" }', None, "alerts =", ["alerts.trend"]),
    "threshold above 1": (None, FPY.replace("0.95", "97"), "threshold",
                          ["FPY of station 'sealer'", "threshold", "between 0 and 1", "got 97"]),
    "threshold zero": (None, FPY.replace("0.95", "0"), "threshold", ["between 0 and 1"]),
    "fpy unknown key": (None, FPY.replace("window_s", "window"), "window =",
                        ["unknown key 'window'", "did you mean 'window_s'"]),
    "fpy missing reject": (None, FPY.replace('reject = "sealer.reject"\n', ""), "[[fpy]]",
                           ["FPY of station 'sealer'", "missing required key 'reject'"]),
    "fpy unknown signal": (None, FPY.replace('"sealer.reject"', '"sealer.rejects"'), "reject =",
                           ["FPY of station 'sealer'", "reject 'sealer.rejects' is not a signal"]),
    "fpy not a counter": (None, FPY.replace('"sealer.good"', '"sealer.temp"'), "good =",
                          ["good must be a counter signal", "'sealer.temp' is an analog signal"]),
    "fpy same counter": (None, FPY.replace('"sealer.reject"', '"sealer.good"'), "reject =",
                         ["good and reject are the same signal"]),
    "fpy unknown station": (None, FPY.replace('station = "sealer"', 'station = "sealr"'), "station =",
                            ["'sealr' is not an asset"]),
    "fpy twice": (None, FPY + FPY, ("station =", 1), ["FPY of station 'sealer' is given twice"]),
    "trend without limits": (None, None, "alerts =", ["trend alert needs limits"]),
}  # fmt: skip


@pytest.mark.parametrize("case", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_errors_name_the_line_and_what_is_wrong(write_project, case):
    alerts, fpy, needle, fragments = case
    if alerts is None and fpy is None:  # trend on a signal that has no limits
        text = variant(TEMP_LIMITS, "alerts = { trend = true }") + COUNTERS + FPY
    else:
        text = with_alerts(alerts or ALERTS, fpy or FPY)
    needle, occurrence = needle if isinstance(needle, tuple) else (needle, 0)
    [problem] = problems_of(write_project(text))
    assert problem.line == line_of(text, needle, occurrence), str(problem)
    for fragment in fragments:
        assert fragment in problem.message, str(problem)


def test_when_running_needs_a_running_state_on_the_asset(write_project):
    text = variant(TEMP_LIMITS, f"{TEMP_LIMITS}\nalerts = {{ when_running = true }}")
    assert load_project(write_project(text)).signal("sealer.temp").alerts.when_running
    state_node = 'node = "ns=2;s=Sealer.State"'
    text = variant(f'asset = "sealer"\n{state_node}', f'asset = "line"\n{state_node}', text)
    [problem] = problems_of(write_project(text))
    assert problem.line == line_of(text, "alerts =")
    expected = "when_running needs a state signal on asset 'sealer' with a 'running' state"
    assert expected in problem.message


def test_alerts_on_a_state_signal_are_refused(write_project):
    text = variant('node = "ns=2;s=Sealer.State"\nkind = "state"\n',
                   'node = "ns=2;s=Sealer.State"\nkind = "state"\nalerts = { trend = true }\n')
    [problem] = problems_of(write_project(text))
    assert problem.line == line_of(text, "alerts =")
    assert "signal 'sealer.state': alerts apply to analog signals" in problem.message
    assert "[[fpy]]" in problem.message


DEFECTS = FPY + """target = 0.99

[fpy.defects]
seal_gap = { counter = "sealer.reject", rate = 0.004, limit = 0.015 }
wrinkle = { counter = "sealer.good", rate = 0.002, arl0_units = 1000000 }
"""
DEFECT_CASES = {
    "unknown counter": (DEFECTS.replace('counter = "sealer.reject"', 'counter = "sealer.gaps"'),
                        "seal_gap =", ["counter of defect seal_gap 'sealer.gaps' is not a signal"]),
    "not a counter": (DEFECTS.replace('counter = "sealer.reject"', 'counter = "sealer.temp"'),
                      "seal_gap =", ["counter of defect seal_gap must be a counter signal"]),
    "rate not a fraction": (DEFECTS.replace("rate = 0.004", "rate = 4"), "seal_gap =",
                            ["between 0 and 1", "got 4"]),
    "limit below rate": (DEFECTS.replace("limit = 0.015", "limit = 0.001"), "seal_gap =",
                         ["limit (0.001) must be above rate (0.004)"]),
    "target below threshold": (DEFECTS.replace("target = 0.99", "target = 0.9"), "[[fpy]]",
                               ["target (0.9) must be above threshold (0.95)"]),
    "unknown defect key": (DEFECTS.replace("rate = 0.002", "rates = 0.002"), "wrinkle =",
                           ["rates"]),
    "arl0 not positive": (DEFECTS.replace("arl0_units = 1000000", "arl0_units = -5"), "wrinkle =",
                          ["arl0_units"]),
}  # fmt: skip


def test_defect_types_load_into_the_model_and_the_engine(write_project):
    project = load_project(write_project(with_alerts(fpy=DEFECTS)))
    [fpy] = project.fpy
    assert fpy.target == 0.99 and fpy.arl0_units == 200_000
    assert [(d.name, d.counter, d.rate, d.detect_rate) for d in fpy.defects] == [
        ("seal_gap", "sealer.reject", 0.004, 0.015), ("wrinkle", "sealer.good", 0.002, 0.006)]
    # a defect type's own false-alarm budget, else the station's
    charts = FpyEvaluator(fpy, AlertConfig(), AlertBook(), "Sealer").defects
    assert (charts["seal_gap"].arl0, charts["wrinkle"].arl0) == (200_000, 1_000_000)
    assert charts["wrinkle"].cusum.design.arl0 >= 1_000_000
    engine = AlertEngine(project)
    # declared rates: the charts judge from the first unit; only the window yield waits
    assert "the reject-rate chart judges meanwhile" in engine.quiet_reason("sealer.good")


@pytest.mark.parametrize("case", DEFECT_CASES.values(), ids=DEFECT_CASES.keys())
def test_defect_errors_name_the_line_and_what_is_wrong(write_project, case):
    fpy, needle, fragments = case
    text = with_alerts(fpy=fpy)
    problems = problems_of(write_project(text))
    lines = text.splitlines()
    expected = max(i for i, line in enumerate(lines, 1) if line.startswith(needle))
    assert {p.line for p in problems} == {expected}, problems
    messages = " | ".join(p.message for p in problems)
    for fragment in fragments:
        assert fragment in messages, messages
