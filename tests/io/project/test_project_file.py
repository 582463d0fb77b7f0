"""Loading project files: the demo, conversions, and every kind of error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from linetwin.io.project.project_file import Problem, ProjectFileError, load_project
from linetwin.twin.model import (
    AnalogColorRule,
    AssetLevel,
    Limits,
    SignalKind,
    StateColorRule,
    Transform,
)

from tests.io.conftest import MINIMAL_PROJECT, line_of, variant


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(ProjectFileError) as caught:
        load_project(path)
    assert str(caught.value)  # the exception's own text lists the problems
    return caught.value.problems


# -- the demo and a valid file -----------------------------------------------------


def test_demo_project_loads(demo_project_path):
    text = demo_project_path.read_text(encoding="utf-8")
    project = load_project(demo_project_path)
    assert project.name == "Demo packaging line"
    assert len(project.assets) == 17  # 9 + 8 components SOP steps pick
    assert len(project.signals) == text.count("[[signals]]")
    assert {a.id for a in project.assets} >= {"plant", "line1", "sealer", "outfeed"}
    assert project.asset("plant").level is AssetLevel.FACTORY
    assert project.children("line1")[0].id == "infeed"
    sealer = project.asset("sealer")
    assert sealer.mesh == (demo_project_path.parent / "meshes/heat_sealer.glb").resolve()
    assert sealer.transform.position == (5.4, 0.0, 0.0)
    assert sealer.color_by == "sealer.state"
    temp = project.signal("sealer.seal_temperature")
    assert temp.kind is SignalKind.ANALOG and temp.limits == Limits(175.0, 195.0)
    assert project.signal("inspection.last_defect").states["label_skew"] == 5
    state_rule, analog_rule = project.rules
    assert isinstance(state_rule, StateColorRule) and state_rule.colors["running"] == (0, 158, 115)
    assert isinstance(analog_rule, AnalogColorRule)
    assert analog_rule.value_range == (170.0, 200.0) and analog_rule.colormap == "cividis"
    assert project.states["maintenance"] == 5


def test_minimal_project_converts_every_field(write_project, tmp_path):
    project = load_project(write_project(MINIMAL_PROJECT))
    assert project.path == (tmp_path / "line.toml").resolve()
    assert project.source.security_policy == "Basic256Sha256"
    assert project.source.security_mode == "SignAndEncrypt"
    assert project.source.username == "operator"
    assert project.states == {"idle": 0, "running": 1, "fault": 4}
    sealer = project.asset("sealer")
    assert sealer.mesh == (tmp_path / "meshes" / "sealer.stl").resolve() and sealer.mesh.is_absolute()
    assert sealer.mesh_units == "mm" and sealer.parent == "line"
    assert sealer.transform == Transform((1.0, 2.0, 0.0), (0.0, 0.0, 90.0), (2.0, 2.0, 2.0))
    assert project.asset("line").mesh is None and project.asset("line").transform == Transform()
    temp = project.signal("sealer.temp")
    assert temp.limits == Limits(170.0, 190.5) and temp.sampling_ms == 250 and temp.unit == "°C"
    assert project.signal("sealer.state").sampling_ms == 500  # the default
    assert project.signal("sealer.defect").states == {"pass": 0, "seal_gap": 1}
    assert project.rules[0].colors["running"] == (0, 158, 115)  # lower-case hex too


def test_defaults_when_optional_tables_are_left_out(write_project):
    path = write_project('[project]\nname = "Bare"\n')
    project = load_project(path)
    assert project.assets == () and project.rules == ()
    assert project.states["running"] == 1 and project.source.security_mode == "None"


def test_scale_as_three_numbers_and_byte_order_mark(write_project):
    text = variant("scale = 2", "scale = [1, 2, 3.5]")
    project = load_project(write_project(b"\xef\xbb\xbf" + text.encode()))
    assert project.asset("sealer").transform.scale == (1.0, 2.0, 3.5)


# -- errors, each with its line ----------------------------------------------------

# (old, new, needle of the expected line in the new text [or (needle, occurrence)],
#  fragments of the message)
SCHEMA_CASES = {
    "unknown key": ('mesh_units = "mm"', 'mesh_unit = "mm"', "mesh_unit =",
                    ["asset 'sealer'", "unknown key 'mesh_unit'", "did you mean 'mesh_units'"]),
    "unknown table": ("[states]", "[statez]", "[statez]", ["unknown key 'statez'"]),
    "wrong mesh units": ('mesh_units = "mm"', 'mesh_units = "cm"', "mesh_units",
                         ["mesh_units", "'m' or 'mm'", "'cm'"]),
    "wrong level": ('level = "system"', 'level = "cell"', 'level = "cell"', ["level", "'cell'"]),
    "missing name": ('name = "Line"\n', "", '[[assets]]', ["asset 'line'", "missing required key 'name'"]),
    "position of two": ("position = [1.0, 2.0, 0.0]", "position = [1.0, 2.0]", "position",
                        ["position", "3 numbers"]),
    "position text": ("position = [1.0, 2.0, 0.0]", 'position = "here"', "position", ["'here'"]),
    "string for number": ("low = 170", 'low = "170"', "limits", ["limits.low", "'170'"]),
    "bad policy": ('security_policy = "Basic256Sha256"', 'security_policy = "Basic512"',
                   "security_policy", ["[source]", "Basic512"]),
    "bad mode": ('security_mode = "SignAndEncrypt"', 'security_mode = "Encrypt"', "security_mode",
                 ["security_mode", "'Encrypt'"]),
    "bad endpoint": ('endpoint = "opc.tcp://127.0.0.1:4840/test/"', 'endpoint = "http://x"',
                     "endpoint", ["opc.tcp://"]),
    "bad node id": ('node = "ns=2;s=Sealer.State"', 'node = "ns=2;x=Sealer.State"', "node =",
                    ["signal 'sealer.state'", "not an OPC UA node id", "ns=2;x=Sealer.State"]),
    "bad kind": ('kind = "analog"\nunit', 'kind = "analogue"\nunit', 'kind = "analogue"',
                 ["signal 'sealer.temp'", "'analogue'"]),
    "limits reversed": ("limits = { low = 170, high = 190.5 }", "limits = { low = 195, high = 190.5 }",
                        "limits", ["signal 'sealer.temp'", "low (195) must not be above high (190.5)"]),
    "sampling zero": ("sampling_ms = 250", "sampling_ms = 0", "sampling_ms", ["sampling_ms", "greater than 0"]),
    "sampling float": ("sampling_ms = 250", "sampling_ms = 2.5", "sampling_ms", ["sampling_ms", "2.5"]),
    "state code text": ("running = 1", 'running = "1"', "running =", ["[states]", "running"]),
    "bad color": ('running = "#009e73"', 'running = "green"', '"green"',
                  ["visual rule 'station-state'", "colors.running", "#RRGGBB", "'green'"]),
    "bad colormap": ('colormap = "coolwarm"', 'colormap = "jet"', "colormap", ["visual rule 'temp'", "'jet'"]),
    "range reversed": ("range = [160.0, 200.0]", "range = [200.0, 160.0]", "range",
                       ["visual rule 'temp': range: low (200) must be below high (160)"]),
    "range of one": ("range = [160.0, 200.0]", "range = [160.0]", "range", ["2 numbers"]),
    "rule kind": ('kind = "analog"\nsignal', 'kind = "gradient"\nsignal', 'kind = "gradient"',
                  ["visual rule 'temp'", "kind must be 'state' or 'analog'", "'gradient'"]),
    "rule without kind": ('id = "temp"\nkind = "analog"\n', 'id = "temp"\n', ("[[visual_rules]]", 1),
                          ["missing required key 'kind'"]),
    "empty id": ('id = "line"', 'id = ""', 'id = ""', ["at least 1 character"]),
}  # fmt: skip


@pytest.mark.parametrize("case", SCHEMA_CASES.values(), ids=SCHEMA_CASES.keys())
def test_schema_error_names_file_line_and_key(write_project, case):
    old, new, needle, fragments = case
    needle, occurrence = needle if isinstance(needle, tuple) else (needle, 0)
    text = variant(old, new)
    path = write_project(text)
    [problem] = problems_of(path)
    assert problem.file == path
    assert problem.line == line_of(text, needle, occurrence), str(problem)
    for fragment in fragments:
        assert fragment in problem.message, str(problem)
    assert str(problem).startswith(f"{path}:{problem.line}: ")


SEMANTIC_CASES = {
    "duplicate asset": ('[[signals]]\nid = "sealer.state"',
                        '[[assets]]\nid = "sealer"\nname = "Copy"\nlevel = "asset"\n\n'
                        '[[signals]]\nid = "sealer.state"', 'id = "sealer"', 1,
                        ["asset id 'sealer' is used twice (first by assets[1])"]),
    "duplicate signal": ('id = "sealer.defect"', 'id = "sealer.state"', 'id = "sealer.state"', 1,
                         ["signal id 'sealer.state' is used twice"]),
    "duplicate state code": ("fault = 4\n", "fault = 1\n", "fault = 1", 0,
                             ["'fault' and 'running' share the code 1"]),
    "unknown parent": ('parent = "line"', 'parent = "lne"', "parent", 0,
                       ["asset 'sealer'", "parent 'lne' is not an asset"]),
    "self parent": ('level = "system"\n', 'level = "system"\nparent = "line"\n', "parent", 0,
                    ["asset 'line'", "cycle: line -> line"]),
    "unknown signal asset": ('asset = "sealer"\nnode = "ns=2;i=1001"', 'asset = "seler"\nnode = "ns=2;i=1001"',
                             'asset = "seler"', 0, ["signal 'sealer.defect'", "asset 'seler' is not an asset"]),
    "unknown color_by": ('color_by = "sealer.state"', 'color_by = "sealer.stat"', "color_by", 0,
                         ["asset 'sealer'", "color_by 'sealer.stat' is not a signal"]),
    "unknown rule signal": ('signal = "sealer.temp"', 'signal = "sealer.tmp"', 'signal = "sealer.tmp"', 0,
                            ["visual rule 'temp'", "signal 'sealer.tmp' is not a signal"]),
    "analog rule on state": ('signal = "sealer.temp"', 'signal = "sealer.state"', 'signal = "sealer.state"', 0,
                             ["visual rule 'temp'", "needs an analog signal", "'sealer.state' is a state signal"]),
    "unknown state color": ('fault = "#D55E00"', 'fualt = "#D55E00"', "fualt", 0,
                            ["visual rule 'station-state'", "'fualt'", "not a state in the [states] table"]),
    "state rule on analog": ('id = "station-state"\n', 'id = "station-state"\nsignal = "sealer.temp"\n',
                             'signal = "sealer.temp"', 0, ["a state rule needs a state signal"]),
}  # fmt: skip


@pytest.mark.parametrize("case", SEMANTIC_CASES.values(), ids=SEMANTIC_CASES.keys())
def test_consistency_error_names_file_line_and_ids(write_project, case):
    old, new, needle, occurrence, fragments = case
    text = variant(old, new)
    path = write_project(text)
    [problem] = problems_of(path)
    assert problem.line == line_of(text, needle, occurrence), str(problem)
    for fragment in fragments:
        assert fragment in problem.message, str(problem)


def test_state_rule_for_one_signal_checks_that_signals_own_states(write_project):
    rule = '\n[[visual_rules]]\nid = "defects"\nkind = "state"\nsignal = "sealer.defect"\n'
    ok = MINIMAL_PROJECT + rule + 'colors = { pass = "#00FF00", seal_gap = "#FF0000" }\n'
    assert load_project(write_project(ok)).rules[-1].colors["seal_gap"] == (255, 0, 0)
    text = MINIMAL_PROJECT + rule + 'colors = { pass = "#00FF00", running = "#FF0000" }\n'
    [problem] = problems_of(write_project(text))
    assert "'running', which is not a state in the states of signal 'sealer.defect'" in problem.message
    assert problem.line == text.count("\n")  # the inline colors table is the last line


def test_parent_cycle_is_reported_once_with_its_chain(write_project):
    text = variant('level = "system"\n', 'level = "system"\nparent = "sealer"\n')
    [problem] = problems_of(write_project(text))
    assert "cycle: line -> sealer -> line" in problem.message
    assert problem.line == line_of(text, 'parent = "sealer"')


def test_every_schema_problem_is_reported_in_line_order(write_project):
    text = variant('mesh_units = "mm"', 'mesh_units = "cm"')
    text = variant('node = "ns=2;i=1001"', 'node = "2:1001"', text)
    text = variant('colormap = "coolwarm"', 'colormap = "jet"\ncolour = 1', text)
    problems = problems_of(write_project(text))
    assert [p.line for p in problems] == [
        line_of(text, "mesh_units"), line_of(text, "2:1001"),
        line_of(text, "colormap"), line_of(text, "colour"),
    ]  # fmt: skip


def test_every_consistency_problem_is_reported(write_project):
    text = variant('parent = "line"', 'parent = "nowhere"')
    text = variant('color_by = "sealer.state"', 'color_by = "nothing"', text)
    text = variant('signal = "sealer.temp"', 'signal = "ghost"', text)
    messages = [p.message for p in problems_of(write_project(text))]
    assert len(messages) == 3
    assert any("nowhere" in m for m in messages) and any("nothing" in m for m in messages)
    assert any("ghost" in m for m in messages)


def test_consistency_is_not_checked_while_the_schema_fails(write_project):
    text = variant('parent = "line"', 'parent = "nowhere"')
    text = variant('level = "system"', 'level = 3', text)
    [problem] = problems_of(write_project(text))
    assert "level" in problem.message and "nowhere" not in problem.message


def test_missing_project_table_has_no_line_but_a_key(write_project):
    text = MINIMAL_PROJECT.replace('[project]\nname = "Test line"\n', "")
    path = write_project(text)
    [problem] = problems_of(path)
    assert problem.line is None and problem.key == "project"
    assert str(problem) == f"{path}: project: missing required table [project]"


@pytest.mark.parametrize(
    "text, needle",
    [
        ('[project]\nname = "x\n', 'name = "x'),
        ("[project]\nname = 'a'\n\n[[assets]]\nid = \n", "id = "),
        ('[project]\nname = "a"\n[project]\nname = "b"\n', "[project]"),
    ],
    ids=["unterminated string", "missing value", "table twice"],
)
def test_toml_syntax_error_gives_its_line(write_project, text, needle):
    [problem] = problems_of(write_project(text))
    assert problem.message.startswith("TOML syntax error: ")
    assert "(at line" not in problem.message  # the line is in Problem.line instead
    expected = line_of(text, needle, 1 if needle == "[project]" else 0)
    assert problem.line == expected, str(problem)


def test_missing_file(tmp_path):
    [problem] = problems_of(tmp_path / "nope.toml")
    assert problem.line is None and "not found" in problem.message
    assert str(problem) == f"{tmp_path / 'nope.toml'}: project file not found"


def test_folder_instead_of_file(tmp_path):
    [problem] = problems_of(tmp_path)
    assert "folder" in problem.message


def test_not_utf8_gives_line_of_bad_byte(write_project):
    path = write_project(b'[project]\nname = "Caf\xe9"\n')
    [problem] = problems_of(path)
    assert problem.line == 2 and "not UTF-8" in problem.message and "0xe9" in problem.message


def test_problem_without_line_shows_key():
    problem = Problem(Path("a.toml"), None, "assets[2].mesh", "file is empty")
    assert str(problem) == "a.toml: assets[2].mesh: file is empty"
    assert str(Problem(Path("a.toml"), 7, "assets[2].mesh", "bad")) == "a.toml:7: bad"


def test_accepted_node_ids_parse_in_asyncua(write_project):
    """The schema must never accept a node id the OPC UA client then rejects."""
    from asyncua import ua

    accepted = ["ns=2;s=A.B", "ns=0;i=2258", "i=2258", "nsu=urn:x:y;s=Tag", "ns=3;b=M/RbKA==",
                "ns=2;g=09087e75-8e5e-499b-954f-f2a9603db28a"]  # fmt: skip
    for node in accepted:
        ua.NodeId.from_string(node)
        load_project(write_project(variant('"ns=2;s=Sealer.State"', f'"{node}"')))
    for node in ["Sealer.State", "ns=2", "ns=x;s=A", "ns=2;i=12a", "ns=2;g=1234", "ns=2;s="]:
        [problem] = problems_of(write_project(variant('"ns=2;s=Sealer.State"', f'"{node}"')))
        assert "not an OPC UA node id" in problem.message


@pytest.mark.parametrize(
    "old, new, needle, fragment",
    [
        ("high = 190.5", "high = nan", "limits", "finite number"),
        ("range = [160.0, 200.0]", "range = [160.0, inf]", "range", "finite number"),
        ('kind = "analog"\nunit', 'kind = "analog"\nendpoint = "tcp://x"\nunit', "tcp://x",
         "signal 'sealer.temp': endpoint: must start with 'opc.tcp://'"),
        ("scale = 2", "scale = 0", "scale", "scale: must not be zero"),
    ],
)
def test_more_value_checks(write_project, old, new, needle, fragment):
    text = variant(old, new)
    [problem] = problems_of(write_project(text))
    assert problem.line == line_of(text, needle) and fragment in problem.message, str(problem)
