"""The scale line of issue 11 (benchmarks/scale/line.py) is a project ``linetwin check`` accepts."""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path

import pytest

from linetwin.io.project.project_check import check_project
from linetwin.io.project.project_file import load_project

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "scale" / "line.py"


@pytest.fixture(scope="module")
def scale_line():
    spec = importlib.util.spec_from_file_location("scale_line_generator", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture(scope="module")
def projects(scale_line, tmp_path_factory):
    size = scale_line.Size(assets=12, distinct=3, distinct_many=5, glb_triangles=13_000)
    return scale_line.write_scale_line(tmp_path_factory.mktemp("scale"), size)


@pytest.mark.parametrize("variant, meshes, signals", [
    ("line", 12, 0), ("line_500", 12, 0), ("line_signals", 12, 120), ("line_glb", 1, 0)])
def test_every_variant_passes_check(projects, variant, meshes, signals):
    report = check_project(projects[variant])
    assert report.ok, report.problems
    assert not report.warnings, report.warnings
    project = load_project(projects[variant])
    assert sum(a.mesh is not None for a in project.assets) == meshes
    assert len(project.signals) == signals


def test_the_line_shares_few_meshes_and_the_variant_many(projects):
    def distinct(variant):
        return len({a.mesh for a in load_project(projects[variant]).assets if a.mesh})

    assert (distinct("line"), distinct("line_500")) == (3, 5)


def test_each_asset_colored_by_its_state_signal(projects):
    project = load_project(projects["line_signals"])
    states = {s.id for s in project.signals if s.kind.value == "state"}
    machines = [a for a in project.assets if a.mesh is not None]
    assert {a.color_by for a in machines} == states and len(states) == len(machines)


def test_meshes_are_binary_stl_of_about_2450_triangles(projects):
    for stl in sorted((projects["line"].parent / "meshes").glob("*.stl")):
        data = stl.read_bytes()
        (count,) = struct.unpack("<I", data[80:84])
        assert len(data) == 84 + 50 * count
        assert 2_350 <= count <= 2_450


def test_same_seed_same_bytes(scale_line):
    first, again = scale_line.machine(7), scale_line.machine(7)
    assert (first[0] == again[0]).all() and (first[1] == again[1]).all()
    assert not (scale_line.machine(8)[0].shape == first[0].shape
                and (scale_line.machine(8)[0] == first[0]).all())
