"""Shared fixtures for the io tests: the demo project, small project texts, a
mesh cache in tmp_path (tests never touch the user's real cache)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import trimesh

from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.twin.model import Asset, AssetLevel, Transform

ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = ROOT / "resources" / "demo"

# A small valid project; tests derive broken variants from it by text replacement.
MINIMAL_PROJECT = """\
[project]
name = "Test line"

[source]
endpoint = "opc.tcp://127.0.0.1:4840/test/"
security_policy = "Basic256Sha256"
security_mode = "SignAndEncrypt"
username = "operator"

[states]
idle = 0
running = 1
fault = 4

[[assets]]
id = "line"
name = "Line"
level = "system"

[[assets]]
id = "sealer"
name = "Sealer"
level = "asset"
parent = "line"
mesh = "meshes/sealer.stl"
mesh_units = "mm"
position = [1.0, 2.0, 0.0]
rotation = [0.0, 0.0, 90.0]
scale = 2
color_by = "sealer.state"

[[signals]]
id = "sealer.state"
asset = "sealer"
node = "ns=2;s=Sealer.State"
kind = "state"

[[signals]]
id = "sealer.temp"
asset = "sealer"
node = "nsu=urn:linetwin:test;s=Sealer.Temp"
kind = "analog"
unit = "°C"
limits = { low = 170, high = 190.5 }
sampling_ms = 250

[[signals]]
id = "sealer.defect"
asset = "sealer"
node = "ns=2;i=1001"
kind = "state"
states = { pass = 0, seal_gap = 1 }

[[visual_rules]]
id = "station-state"
kind = "state"

[visual_rules.colors]
idle = "#56B4E9"
running = "#009e73"
fault = "#D55E00"

[[visual_rules]]
id = "temp"
kind = "analog"
signal = "sealer.temp"
colormap = "coolwarm"
range = [160.0, 200.0]
"""


# -- project text helpers -----------------------------------------------------------


def variant(old: str, new: str, text: str = MINIMAL_PROJECT) -> str:
    """``text`` with the one occurrence of ``old`` replaced."""
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def line_of(text: str, needle: str, occurrence: int = 0) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence]


# -- mesh helpers (plain functions, shared by the mesh and cache tests) ----------


def tall_box(scale: float = 1.0) -> trimesh.Trimesh:
    """A 1 x 2 x 3 m box standing on the floor, Z up (scaled, e.g. 1000 for mm)."""
    box = trimesh.creation.box(extents=[1.0, 2.0, 3.0])
    box.apply_translation([0.0, 0.0, 1.5])
    box.apply_scale(scale)
    return box


def two_part_scene() -> trimesh.Scene:
    """The tall box as 'body' plus a 0.5 m cube 'head' whose node lifts it to z = 4."""
    scene = trimesh.Scene()
    scene.add_geometry(tall_box(), node_name="body", geom_name="body")
    lift = trimesh.transformations.translation_matrix([0.0, 0.0, 4.0])
    head = trimesh.creation.box(extents=[0.5, 0.5, 0.5])
    scene.add_geometry(head, node_name="head", geom_name="head", transform=lift)
    return scene


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def station(mesh: Path | None, units: str = "m", transform: Transform = Transform()) -> Asset:
    return Asset("station", "Station", AssetLevel.ASSET, mesh=mesh, mesh_units=units, transform=transform)


@pytest.fixture
def demo_project_path() -> Path:
    return DEMO_DIR / "line.toml"


@pytest.fixture
def mesh_cache(tmp_path: Path) -> MeshCache:
    return MeshCache(tmp_path / "mesh-cache")


@pytest.fixture
def write_project(tmp_path: Path) -> Callable[[str], Path]:
    """Write project text (str or bytes) to ``tmp_path/line.toml``; returns its path."""

    def write(text: str | bytes, name: str = "line.toml") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write
