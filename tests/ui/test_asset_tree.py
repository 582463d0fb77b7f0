"""The asset tree built from a bare Project and Selection: no meshes, no session."""

import pytest

from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.selection import Selection
from linetwin.ui.qt.asset_tree import COMPONENT_ROLE, AssetTree


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
