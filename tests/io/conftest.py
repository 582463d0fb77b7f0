"""Shared fixtures for the io tests: the demo project, small project texts, a
mesh cache in tmp_path (tests never touch the user's real cache)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from linetwin.io.mesh_cache import MeshCache

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
