"""add_signal / undo_last_edit: the new table goes in, every original byte stays,
a refused edit writes nothing."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from linetwin.io.opcua.address_space import SignalProposal
from linetwin.io.project.project_edit import ProjectEditError, add_signal, backup_path, undo_last_edit
from linetwin.io.project.project_file import load_project
from linetwin.twin.model import SignalKind
from tests.io.conftest import DEMO_DIR

pytestmark = pytest.mark.timeout(20)

JAW_WEAR = {"id": "sealer.jaw_wear", "asset": "sealer", "node": "ns=2;s=Sealer.JawWear", "kind": "analog", "unit": "%"}

SMALL = """\
# a hand-written file
[project]
name = \"\"\"
[[signals]]
\"\"\"

[[assets]]
id = "a"   # the only asset
name = "A"
level = "asset"

[[signals]]
id = "a.x"
asset = "a"
node = "ns=2;s=A.X"
kind = "analog"
unit = '''
[not.a.header]
'''
[signals.limits]
low = 1
[signals.alerts]
nelson = [
  1,
  2,
]
# about the rules below
[[visual_rules]]
kind = "analog"
id = \"\"\"x-map
[[signals]]
\"\"\"
signal = "a.x"
colormap = "viridis"
range = [0.0, 1.0]
"""


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "line.toml"
    shutil.copyfile(DEMO_DIR / "line.toml", path)
    (tmp_path / "sops").symlink_to(DEMO_DIR / "sops")  # the SOP files line.toml names
    return path


def inserted(original: str, new: str) -> str:
    """The text inserted into ``original`` to give ``new``; fails unless it is a pure insertion."""
    grown = len(new) - len(original)
    assert grown > 0
    k = next((i for i, (a, b) in enumerate(zip(original, new)) if a != b), len(original))
    assert new[k + grown :] == original[k:], "the original text was changed, not only added to"
    return new[k : k + grown]


def folder_listing(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_add_signal_inserts_one_table_after_the_last_signal_and_keeps_every_byte(demo):
    original = demo.read_text(encoding="utf-8")
    project = add_signal(demo, JAW_WEAR)
    new = demo.read_text(encoding="utf-8")
    added = inserted(original, new)
    assert tomllib.loads(added) == {"signals": [JAW_WEAR]}
    # right after the last signal, before the comment that introduces [[fpy]]
    assert new.index('id = "labeler.label_offset"') < new.index('id = "sealer.jaw_wear"')
    assert new.index('id = "sealer.jaw_wear"') < new.index("# First-pass yield of the line")
    fpy_comment = original[original.index("# First-pass yield of the line"):original.index("[[fpy]]")]
    assert fpy_comment + "[[fpy]]" in new  # the comment still introduces its table
    assert '\nsampling_ms = 500\n\n[[signals]]\nid = "sealer.jaw_wear"' in new
    loaded = load_project(demo)
    jaw = next(s for s in loaded.signals if s.id == "sealer.jaw_wear")
    assert (jaw.asset, jaw.node, jaw.kind, jaw.unit) == ("sealer", "ns=2;s=Sealer.JawWear", SignalKind.ANALOG, "%")
    assert [s.id for s in project.signals] == [s.id for s in loaded.signals]
    assert project.path == demo.resolve()
    assert backup_path(demo).read_text(encoding="utf-8") == original


def test_a_proposal_from_the_browser_is_accepted(demo):
    proposal = SignalProposal(id="sealer.door", asset="sealer", node="ns=2;s=Sealer.Door", kind="state",
                              states={"false": 0, "true": 1}, data_type="Boolean")
    add_signal(demo, proposal)
    door = next(s for s in load_project(demo).signals if s.id == "sealer.door")
    assert door.kind == SignalKind.STATE and door.states == {"false": 0, "true": 1}


def test_limits_and_nested_tables_are_written_inline(demo):
    fields = dict(JAW_WEAR, limits=(0.0, 80.0), sampling_ms=1000, alerts={"trend": True})
    add_signal(demo, fields)
    jaw = next(s for s in load_project(demo).signals if s.id == "sealer.jaw_wear")
    assert (jaw.limits.low, jaw.limits.high, jaw.sampling_ms) == (0.0, 80.0, 1000)
    assert jaw.alerts is not None and jaw.alerts.trend


def test_duplicate_id_is_refused_and_nothing_written(demo):
    before, files = demo.read_bytes(), folder_listing(demo)
    with pytest.raises(ProjectEditError, match="'sealer.seal_temperature' exists already"):
        add_signal(demo, dict(JAW_WEAR, id="sealer.seal_temperature"))
    assert demo.read_bytes() == before and folder_listing(demo) == files  # no .bak, no temp file


def test_node_already_bound_to_the_asset_is_refused(demo):
    before = demo.read_bytes()
    fields = dict(JAW_WEAR, node="ns=2;s=Sealer.SealTemperature")
    with pytest.raises(ProjectEditError, match="already bound to asset 'sealer' as signal 'sealer.seal_temperature'"):
        add_signal(demo, fields)
    assert demo.read_bytes() == before
    add_signal(demo, dict(fields, asset="line1"))  # the same node on another asset is a different binding


def test_unknown_asset_is_refused_and_nothing_written(demo):
    before, files = demo.read_bytes(), folder_listing(demo)
    with pytest.raises(ProjectEditError, match="asset 'oven' is not in the project") as info:
        add_signal(demo, dict(JAW_WEAR, asset="oven"))
    assert str(demo) in str(info.value) and "sealer" in str(info.value)  # lists the known assets
    assert demo.read_bytes() == before and folder_listing(demo) == files


@pytest.mark.parametrize(
    ("change", "message"),
    [({"kind": "temperature"}, "kind: Input should be 'state', 'analog' or 'counter'"),
     ({"node": "Sealer.JawWear"}, "is not an OPC UA node id"),
     ({"sampling_ms": 0}, "sampling_ms"),
     ({"colour": "red"}, "unknown key 'colour'"),
     ({"alerts": {"trend": True}}, "trend alert needs limits")],
)
def test_invalid_fields_are_refused_by_the_loader_and_nothing_written(demo, change, message):
    before, files = demo.read_bytes(), folder_listing(demo)
    with pytest.raises(ProjectEditError, match="would be invalid") as info:
        add_signal(demo, dict(JAW_WEAR, **change))
    assert any(message in p and p.startswith(str(demo)) for p in info.value.problems), info.value.problems
    assert demo.read_bytes() == before and folder_listing(demo) == files


def test_missing_keys_are_refused(demo):
    with pytest.raises(ProjectEditError, match="missing node, kind"):
        add_signal(demo, {"id": "sealer.x", "asset": "sealer"})


def test_a_file_broken_already_is_not_edited(tmp_path):
    path = tmp_path / "line.toml"
    path.write_text(SMALL.replace('level = "asset"', 'level = "machine"'), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(ProjectEditError, match="has problems already") as info:
        add_signal(path, {"id": "a.y", "asset": "a", "node": "ns=2;s=A.Y", "kind": "analog"})
    assert any("level" in p for p in info.value.problems)
    assert path.read_bytes() == before


def test_undo_restores_the_exact_original_bytes(demo):
    original = demo.read_bytes()
    add_signal(demo, JAW_WEAR)
    assert demo.read_bytes() != original
    undo_last_edit(demo)
    assert demo.read_bytes() == original
    assert not backup_path(demo).exists()
    with pytest.raises(ProjectEditError, match="nothing to undo"):
        undo_last_edit(demo)


def test_undo_goes_back_one_edit(demo):
    add_signal(demo, JAW_WEAR)
    after_first = demo.read_bytes()
    add_signal(demo, dict(JAW_WEAR, id="sealer.jaw_wear_2", node="ns=2;s=Sealer.JawWear2"))
    ids = [s.id for s in load_project(demo).signals]
    assert ids[-2:] == ["sealer.jaw_wear", "sealer.jaw_wear_2"]  # in the order added
    undo_last_edit(demo)
    assert demo.read_bytes() == after_first


def test_subtables_multiline_values_and_lookalike_headers_are_respected(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    add_signal(path, {"id": "a.y", "asset": "a", "node": "ns=2;s=A.Y", "kind": "counter"})
    new = path.read_text(encoding="utf-8")
    added = inserted(SMALL, new)
    assert added.lstrip("\n").startswith("[[signals]]")
    # after the last signal's [signals.alerts] array, before the comment of the rules
    assert "  2,\n]\n\n[[signals]]\nid = \"a.y\"" in new
    assert 'kind = "counter"\n# about the rules below\n[[visual_rules]]' in new
    assert [s.id for s in load_project(path).signals] == ["a.x", "a.y"]


def test_a_file_without_signals_gets_the_table_at_the_end(tmp_path):
    text = '[project]\nname = "empty"\n\n[[assets]]\nid = "a"\nname = "A"\nlevel = "asset"\n# end'
    path = tmp_path / "line.toml"
    path.write_text(text, encoding="utf-8")
    add_signal(path, {"id": "a.y", "asset": "a", "node": "ns=2;s=A.Y", "kind": "analog"})
    new = path.read_text(encoding="utf-8")
    assert new.startswith(text) and new[len(text) :].startswith("\n\n[[signals]]\n")
    assert [s.id for s in load_project(path).signals] == ["a.y"]


def test_windows_line_endings_and_byte_order_mark_are_kept(tmp_path, demo):
    data = b"\xef\xbb\xbf" + demo.read_bytes().replace(b"\n", b"\r\n")
    path = tmp_path / "windows.toml"
    path.write_bytes(data)
    add_signal(path, JAW_WEAR)
    new = path.read_bytes()
    assert new.startswith(b"\xef\xbb\xbf")
    added = inserted(data.decode("utf-8"), new.decode("utf-8"))
    assert "\r\n" in added and "\n" not in added.replace("\r\n", "")
    assert any(s.id == "sealer.jaw_wear" for s in load_project(path).signals)
    undo_last_edit(path)
    assert path.read_bytes() == data


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ProjectEditError, match="project file not found"):
        add_signal(tmp_path / "nope.toml", JAW_WEAR)
    with pytest.raises(ProjectEditError, match="nothing to undo"):
        undo_last_edit(tmp_path / "nope.toml")
