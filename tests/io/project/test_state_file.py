"""State files for ``linetwin render --state``: names, codes, numbers and bad input."""

from __future__ import annotations

import json

import pytest

from linetwin.io.project.project_file import load_project
from linetwin.io.project.state_file import StateFileError, load_state_file

from tests.io.conftest import DEMO_DIR


@pytest.fixture(scope="module")
def demo():
    return load_project(DEMO_DIR / "line.toml")


def write_state(tmp_path, content) -> object:
    path = tmp_path / "state.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_demo_sample_covers_every_station_state(demo):
    values = load_state_file(DEMO_DIR / "state_sample.json", demo)
    stations = [a.id for a in demo.children("line1")]
    codes = [values[f"{station}.state"] for station in stations]
    # 7 stations, 6 states: every state appears and only one repeats
    assert set(codes) == {float(c) for c in demo.states.values()}
    assert len(set(codes)) == len(stations) - 1
    for signal in demo.signals:  # every value is given and analog ones are plausible
        assert signal.id in values
    temp = demo.signal("sealer.seal_temperature")
    assert not temp.limits.contains(values[temp.id])  # the faulted sealer runs hot
    assert values["inspection.last_defect"] == 1.0  # "seal_gap" in the signal's own table


def test_names_codes_and_numbers(tmp_path, demo):
    path = write_state(tmp_path, {"sealer.state": "fault", "filler.state": 2,
                                  "sealer.seal_temperature": 185, "infeed.good_count": 10.0})  # fmt: skip
    assert load_state_file(path, demo) == {
        "sealer.state": 4.0, "filler.state": 2.0,
        "sealer.seal_temperature": 185.0, "infeed.good_count": 10.0,
    }  # fmt: skip


@pytest.mark.parametrize(
    "content, fragments",
    [
        ('{"sealer.state": "fault",}', ["state.json:1: not valid JSON"]),
        ("[1, 2]", ["expected a JSON object", "got an array"]),
        ({"sealer.temprature": 180}, ["'sealer.temprature'", "not a signal of project"]),
        ({"sealer.state": "runing"}, ["'sealer.state'", "'runing' is not a state", "running (1)"]),
        ({"sealer.state": 9}, ["'sealer.state'", "9 is not a state code"]),
        ({"sealer.state": 1.5}, ["'sealer.state'", "state name or integer code"]),
        ({"sealer.state": True}, ["'sealer.state'", "state name or integer code"]),
        ({"inspection.last_defect": "running"}, ["'running' is not a state", "seal_gap (1)"]),
        ({"sealer.seal_temperature": "hot"}, ["'sealer.seal_temperature'", "analog signal needs a number", "'hot'"]),
        ({"sealer.seal_temperature": None}, ["analog signal needs a number, got None"]),
        ({"sealer.seal_temperature": False}, ["analog signal needs a number"]),
        ('{"sealer.seal_temperature": NaN}', ["needs a finite number"]),
        ({"infeed.good_count": [1]}, ["counter signal needs a number"]),
        (b'{"sealer.state": "caf\xe9"}', ["not UTF-8"]),
    ],
    ids=["bad json", "not object", "unknown signal", "unknown state", "unknown code", "float code",
         "bool code", "own state table", "text analog", "null analog", "bool analog", "nan analog",
         "list counter", "not utf8"],
)  # fmt: skip
def test_bad_state_file_names_file_and_key(tmp_path, demo, content, fragments):
    path = write_state(tmp_path, content)
    with pytest.raises(StateFileError) as caught:
        load_state_file(path, demo)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    for fragment in fragments:
        assert fragment in message, message


def test_all_problems_are_reported(tmp_path, demo):
    path = write_state(tmp_path, {"a": 1, "sealer.state": "x", "sealer.dwell_time": 300})
    with pytest.raises(StateFileError) as caught:
        load_state_file(path, demo)
    assert len(caught.value.messages) == 2
    assert all(m.startswith(f"{path}: '") for m in caught.value.messages)


def test_missing_state_file(tmp_path, demo):
    with pytest.raises(StateFileError, match="state file not found"):
        load_state_file(tmp_path / "none.json", demo)
