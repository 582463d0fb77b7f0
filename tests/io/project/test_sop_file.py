"""SOP files: a valid one converts field by field; every kind of bad input is a
problem at FILE:LINE naming the key and what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from linetwin.io.project.project_check import check_project
from linetwin.io.project.project_file import ProjectFileError, load_project
from linetwin.twin.sop.sop_model import ActionKind, Control, ErrorKind

from tests.io.conftest import line_of, variant

PROJECT = """\
sops = ["sops/sop.toml"]

[project]
name = "SOP test line"

[[assets]]
id = "line"
name = "Line"
level = "system"

[[assets]]
id = "sealer"
name = "Sealer"
level = "asset"
parent = "line"
mesh = "meshes/sealer.glb"

[[assets]]
id = "sealer.head"
name = "Seal head"
level = "component"
parent = "sealer"
mesh = "meshes/head.glb"

[[assets]]
id = "sealer.panel"
name = "Panel"
level = "component"
parent = "sealer"

[[signals]]
id = "sealer.temp"
asset = "sealer"
node = "ns=2;s=Sealer.Temp"
kind = "analog"

[[signals]]
id = "sealer.state"
asset = "sealer"
node = "ns=2;s=Sealer.State"
kind = "state"
"""

SOP = """\
[sop]
id = "SOP-T-1"
title = "Test procedure"
version = "2.0"
author = "A. Author"
approver = "B. Approver"
approved = 2026-10-14
time_limit_s = 600
certification_days = 90

[[revisions]]
version = "2.0"
date = "2026-10-01"
author = "A. Author"
note = "second issue"

[scoring]
pass_score = 75
hint_penalty = 2
fail_on = ["hazard"]

[scoring.penalties]
out_of_order = 30

[[hazards]]
id = "hot_head"
station = "sealer"
steps = ["touch"]
text = "hot"

[[steps]]
id = "brief"
title = "Read the brief"
action = "acknowledge"
target = "sealer"
instruction = "**Hot** surfaces"
image = "brief.png"

[[steps]]
id = "lock"
title = "Lock out"
action = "control"
target = "sealer.panel"
control = "lockout"
reported_as = "lockout"

[[steps]]
id = "touch"
title = "Touch the head"
action = "pick"
target = "sealer.head"
after = ["lock"]

[[steps]]
id = "unlock"
title = "Release"
action = "control"
target = "sealer"
control = "release"
after = ["touch"]

[[steps]]
id = "heat"
title = "Heat up"
action = "set"
target = "sealer"
signal = "sealer.temp"
range = [183, 187]
value = 185

[[steps]]
id = "check"
title = "Verify"
action = "verify"
target = "sealer"
signal = "sealer.temp"
range = [182.0, 188.0]
duration_s = 10
time_limit_s = 60
after = ["heat"]

[[steps]]
id = "read"
title = "Read the temperature"
action = "enter"
target = "sealer"
signal = "sealer.temp"
tolerance = 0.5

[[steps]]
id = "ask"
title = "Quiz"
action = "quiz"
target = "sealer"
question = "Why?"
choices = ["a", "b"]
answer = "b"
hint = "not a"
"""


def write(tmp_path: Path, sop: str = SOP, project: str = PROJECT) -> Path:
    (tmp_path / "sops").mkdir(exist_ok=True)
    (tmp_path / "sops" / "sop.toml").write_text(sop, encoding="utf-8")
    (tmp_path / "sops" / "brief.png").write_bytes(b"\x89PNG\r\n")
    path = tmp_path / "line.toml"
    path.write_text(project, encoding="utf-8")
    return path


def problems(tmp_path: Path, sop: str = SOP, project: str = PROJECT) -> list[str]:
    with pytest.raises(ProjectFileError) as caught:
        load_project(write(tmp_path, sop, project))
    return [str(p) for p in caught.value.problems]


def at(tmp_path: Path, text: str, needle: str, message: str, occurrence: int = 0) -> str:
    """The expected problem: FILE:LINE of ``needle`` in the SOP ``text``, and ``message``."""
    return f"{tmp_path / 'sops' / 'sop.toml'}:{line_of(text, needle, occurrence)}: {message}"


def test_a_valid_sop_converts_every_field(tmp_path):
    project = load_project(write(tmp_path))
    (sop,) = project.sops
    assert (sop.id, sop.title, sop.version, sop.author, sop.approver, sop.approved) == (
        "SOP-T-1", "Test procedure", "2.0", "A. Author", "B. Approver", "2026-10-14")
    assert sop.station == "sealer" and sop.time_limit_s == 600 and sop.certification_days == 90
    assert sop.path == (tmp_path / "sops" / "sop.toml").resolve()
    assert sop.revisions[0].date == "2026-10-01" and sop.revisions[0].note == "second issue"
    assert sop.scoring.pass_score == 75 and sop.scoring.hint_penalty == 2
    assert sop.scoring.fail_on == (ErrorKind.HAZARD,)
    assert sop.scoring.penalty(ErrorKind.OUT_OF_ORDER) == 30 and sop.scoring.penalty(ErrorKind.TIMEOUT) == 10
    assert sop.hazards[0].steps == ("touch",) and sop.hazards[0].station == "sealer"
    brief, lock, touch, unlock, heat, check, read, ask = sop.steps
    assert brief.image == (tmp_path / "sops" / "brief.png").resolve() and brief.instruction == "**Hot** surfaces"
    assert brief.line == line_of(SOP, "[[steps]]", 0) and ask.line == line_of(SOP, "[[steps]]", 7)
    assert lock.control is Control.LOCKOUT and lock.station == "sealer" and lock.reported_as == "lockout"
    assert touch.action is ActionKind.PICK and touch.target == "sealer.head" and touch.after == ("lock",)
    assert (heat.low, heat.high, heat.value) == (183.0, 187.0, 185.0)
    assert (check.duration_s, check.time_limit_s, check.range_text()) == (10.0, 60.0, "182 .. 188")
    assert read.tolerance == 0.5 and read.signal == "sealer.temp"
    assert ask.choices == ("a", "b") and ask.answer == "b" and ask.hint == "not a"


@pytest.mark.parametrize("action, keys", [
    ("set", "signal, range"), ("verify", "signal, range, duration_s"),
    ("enter", "signal, tolerance"), ("control", "control"), ("quiz", "question, choices, answer"),
])
def test_each_action_kind_names_its_missing_keys(tmp_path, action, keys):
    text = variant('action = "acknowledge"', f'action = "{action}"', SOP)
    expected = [at(tmp_path, text, "[[steps]]", f"step 'brief': missing required key '{key}' "
                   f"(a {action} step needs {keys})") for key in keys.split(", ")]
    assert problems(tmp_path, text) == expected


def test_a_key_of_another_action_kind_is_named(tmp_path):
    text = variant('tolerance = 0.5', 'tolerance = 0.5\nchoices = ["x", "y"]', SOP)
    assert problems(tmp_path, text) == [at(tmp_path, text, 'choices = ["x", "y"]',
        "step 'read': choices: not used by a enter step (only by quiz steps); remove it")]


@pytest.mark.parametrize("old, new, needle, message", [
    ('action = "acknowledge"', 'action = "wave"', 'action = "wave"',
     "step 'brief': action: Input should be 'acknowledge', 'pick', 'set', 'control', 'verify', "
     "'enter' or 'quiz', got 'wave'"),
    ('control = "lockout"', 'control = "unplug"', "unplug",
     "step 'lock': control: Input should be 'start', 'stop', 'reset', 'lockout' or 'release', got 'unplug'"),
    ('approved = 2026-10-14', 'approved = "14.10.2026"', "approved",
     "[sop]: approved: expected a date like 2026-10-14, got '14.10.2026'"),
    ('out_of_order = 30', 'out_of_sequence = 30', "out_of_sequence",
     "[scoring]: penalties.out_of_sequence: Input should be 'out_of_order', 'wrong_component', "
     "'out_of_range', 'hazard', 'timeout', 'wrong_value', 'wrong_answer', 'condition' or 'incomplete', "
     "got 'out_of_sequence'"),
    ('range = [183, 187]', 'range = [187, 183]', "range = [187, 183]",
     "step 'heat': range: low (187) must not be above high (183)"),
    ('duration_s = 10', 'duration_s = 0', "duration_s = 0", "step 'check': duration_s: must be greater than 0, got 0"),
    ('tolerance = 0.5', 'tolerance = -1', "tolerance = -1", "step 'read': tolerance: must not be negative, got -1"),
    ('title = "Heat up"', 'titel = "Heat up"', "titel",
     "step 'heat': unknown key 'titel' (did you mean 'title'?)"),
    ('choices = ["a", "b"]', 'choices = ["a", "a"]', 'choices = ["a", "a"]',
     "step 'ask': choices: choice 'a' listed twice"),
])
def test_schema_errors_name_the_line_and_key(tmp_path, old, new, needle, message):
    text = variant(old, new, SOP)
    assert at(tmp_path, text, needle, message) in problems(tmp_path, text)


def test_a_missing_required_key_points_at_its_table(tmp_path):
    text = variant('title = "Read the brief"\n', "", SOP)
    assert problems(tmp_path, text) == [at(tmp_path, text, "[[steps]]", "step 'brief': missing required key 'title'")]


@pytest.mark.parametrize("old, new, needle, message", [
    ('target = "sealer.head"', 'target = "sealer.lid"', 'target = "sealer.lid"',
     "step 'touch': target: 'sealer.lid' is not an asset or component in this project"),
    ('target = "sealer.head"', 'target = "sealer.panel"', 'target = "sealer.panel"',
     "step 'touch': target: 'sealer.panel' has no mesh, so it cannot be picked in 3D; pick a component that has one"),
    ('title = "Read the brief"\naction = "acknowledge"\ntarget = "sealer"',
     'title = "Read the brief"\naction = "acknowledge"\ntarget = "line"', 'target = "line"',
     "step 'brief': target: 'line' is not on a station; aim the step at a station or one of its "
     "components (stations: sealer)"),
    ('signal = "sealer.temp"\ntolerance', 'signal = "sealer.tmp"\ntolerance', 'signal = "sealer.tmp"',
     "step 'read': signal: 'sealer.tmp' is not a signal in this project"),
])
def test_unknown_references_into_the_project(tmp_path, old, new, needle, message):
    text = variant(old, new, SOP)
    last = text.count(needle) - 1  # the lock step aims at sealer.panel too
    assert problems(tmp_path, text) == [at(tmp_path, text, needle, message, last)]


def test_unknown_sop_station(tmp_path):
    text = variant("time_limit_s = 600", 'time_limit_s = 600\nstation = "sealer.head"', SOP)
    assert problems(tmp_path, text) == [at(tmp_path, text, 'station = "sealer.head"',
        "[sop]: station: 'sealer.head' is not a station of this project (stations: sealer)")]


def test_answer_not_in_choices_and_value_outside_range(tmp_path):
    text = variant('answer = "b"', 'answer = "c"', variant("value = 185", "value = 190", SOP))
    assert problems(tmp_path, text) == [
        at(tmp_path, text, "value = 190", "step 'heat': value: 190 is outside the step's range 183 .. 187"),
        at(tmp_path, text, 'answer = "c"', "step 'ask': answer: 'c' is not one of the choices ('a', 'b')"),
    ]


def test_after_unknown_step_later_step_and_cycle(tmp_path):
    text = variant('after = ["heat"]', 'after = ["heat", "nope"]', SOP)
    assert problems(tmp_path, text) == [at(tmp_path, text, 'after = ["heat", "nope"]',
                                           "step 'check': after: 'nope' is not a step of this SOP")]
    text = variant('tolerance = 0.5', 'tolerance = 0.5\nafter = ["ask"]', SOP)
    assert problems(tmp_path, text) == [at(tmp_path, text, 'after = ["ask"]',
        "step 'read': after: 'ask' comes later in the file; steps are listed in the order they are "
        "done, so move 'read' below 'ask'")]
    text = variant('tolerance = 0.5', 'tolerance = 0.5\nafter = ["check"]',
                   variant('after = ["heat"]', 'after = ["read"]', SOP))
    assert problems(tmp_path, text) == [at(tmp_path, text, 'after = ["read"]',
        "step 'check': after: the order constraints form a cycle: check -> read -> check; remove one of them")]


def test_duplicate_step_ids_and_reported_names(tmp_path):
    text = variant('id = "ask"', 'id = "read"', SOP)
    text = variant('hint = "not a"', 'hint = "not a"\nreported_as = "lockout"', text)
    assert problems(tmp_path, text) == [
        at(tmp_path, text, 'id = "read"', "step id 'read' is used twice (first by steps[6]); each must be unique", 1),
        at(tmp_path, text, 'reported_as = "lockout"',
           "step reported_as 'lockout' is used twice (first by steps[1]); each must be unique", 1),
    ]


def test_hazard_step_without_lockout_and_lockout_never_released(tmp_path):
    unlocked = variant('control = "lockout"', 'control = "stop"', SOP)
    assert problems(tmp_path, unlocked) == [at(tmp_path, unlocked, "[[steps]]",
        "step 'touch': is in hazard 'hot_head' but sealer is not locked out here; add a step with "
        'action = "control", control = "lockout" on sealer before it', 2)]
    unreleased = variant('control = "release"', 'control = "stop"', SOP)
    assert problems(tmp_path, unreleased) == [at(tmp_path, unreleased, "[[hazards]]",
        "hazard 'hot_head': the lockout of sealer is never released after step 'touch'; add a step "
        'with action = "control", control = "release" on sealer after it')]


def test_hazard_with_unknown_station_or_step(tmp_path):
    text = variant('steps = ["touch"]', 'steps = ["touch", "lick"]', SOP)
    assert problems(tmp_path, text) == [at(tmp_path, text, 'steps = ["touch", "lick"]',
                                           "hazard 'hot_head': steps: 'lick' is not a step of this SOP")]
    text = variant('station = "sealer"', 'station = "oven"', SOP)
    assert problems(tmp_path, text) == [at(tmp_path, text, 'station = "oven"',
        "hazard 'hot_head': station: 'oven' is not a station of this project (stations: sealer)")]


def test_missing_image(tmp_path):
    text = variant('image = "brief.png"', 'image = "pictures/brief.png"', SOP)
    assert problems(tmp_path, text) == [at(tmp_path, text, "image =",
        f"step 'brief': image: 'pictures/brief.png' not found (looked for {tmp_path / 'sops' / 'pictures/brief.png'})")]


def test_bad_toml_syntax(tmp_path):
    text = variant('question = "Why?"', 'question = "Why?', SOP)
    (problem,) = problems(tmp_path, text)
    assert problem.startswith(at(tmp_path, text, 'question = "Why?', "TOML syntax error: "))


def test_missing_and_duplicate_sop_files_are_project_problems(tmp_path):
    project = variant('sops = ["sops/sop.toml"]', 'sops = ["sops/sop.toml", "sops/gone.toml"]', PROJECT)
    assert problems(tmp_path, SOP, project) == [f"{tmp_path / 'line.toml'}:1: sops: SOP file 'sops/gone.toml' "
                                                f"not found (looked for {tmp_path / 'sops' / 'gone.toml'})"]
    (tmp_path / "sops" / "copy.toml").write_text(SOP, encoding="utf-8")
    project = variant('sops = ["sops/sop.toml"]', 'sops = ["sops/sop.toml", "sops/copy.toml"]', PROJECT)
    assert problems(tmp_path, SOP, project) == [f"{tmp_path / 'line.toml'}:1: sops: 'sops/copy.toml' has SOP id "
                                                "'SOP-T-1', which 'sops/sop.toml' uses already; each SOP needs its own id"]


def test_check_reports_sop_problems_and_lists_sops(tmp_path):
    text = variant("value = 185", "value = 190", SOP)
    report = check_project(write(tmp_path, text))
    assert not report.ok and report.summary == "line.toml: 1 problem in the project file and its SOP files"
    assert report.as_json()["problems"][0]["file"] == str(tmp_path / "sops" / "sop.toml")
    good = check_project(write(tmp_path))
    assert good.as_json()["sops"] == [{"id": "SOP-T-1", "title": "Test procedure", "version": "2.0",
                                       "station": "sealer", "steps": 8,
                                       "file": str((tmp_path / "sops" / "sop.toml").resolve())}]
    assert good.summary.endswith(", 1 SOP (SOP-T-1)")
