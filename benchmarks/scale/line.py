"""Writes the scale line of issue 11: a project TOML and its meshes, deterministic by seed.

- ``line.toml``: 2,000 assets (``--size small``: 200) over 20 distinct binary STL
  meshes of ~2,430 triangles each (~4.9 M triangles drawn), on a 100 x 20 grid,
  level "asset", no signals;
- ``line_500.toml``: the same line over 500 distinct meshes;
- ``line_signals.toml``: the same line, each asset with 10 signals (one state
  signal it is coloured by, nine analog) for the GUI-tick measurement. ``linetwin
  sim`` serves it as a serial line of 2,000 stations: the state signals
  (``m0001.state`` ...) are its stations' states (``--scenario e-stop`` faults them
  all at once); the analog ``pvN`` ones are no value it simulates, so it serves
  them as ``BadWaitingForInitialData``;
- ``line_glb.toml``: one asset, a 1.3 M-triangle GLB of 50 parts.

Machines are a box frame plus rollers, each a numpy tube, jittered by the seed so
no two distinct files are alike. Run:
``python benchmarks/scale/line.py OUT [--size small|full] [--seed N]``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

STL_TRIANGLES = 2450
GLB_TRIANGLES, GLB_PARTS = 1_300_000, 50
GRID_COLUMNS = 100  # along the line (+X); rows go along +Y
PITCH_X, PITCH_Y = 2.0, 2.5  # metres between machines
ANALOG_PER_ASSET = 9


@dataclass(frozen=True)
class Size:
    assets: int
    distinct: int  # meshes of the main line
    distinct_many: int  # meshes of the many-meshes variant
    glb_triangles: int = GLB_TRIANGLES


SIZES = {"full": Size(2000, 20, 500), "small": Size(200, 20, 50)}


# -- geometry ------------------------------------------------------------------------

def tube(radius: float, length: float, around: int, along: int) -> tuple[np.ndarray, np.ndarray]:
    """An open tube along X from 0 to ``length``: 2 * around * along triangles."""
    angle = np.linspace(0.0, 2 * np.pi, around, endpoint=False)
    x = np.linspace(0.0, length, along + 1)
    xx, aa = np.meshgrid(x, angle, indexing="ij")
    vertices = np.stack([xx, radius * np.cos(aa), radius * np.sin(aa)], axis=-1).reshape(-1, 3)
    i, j = np.meshgrid(np.arange(along), np.arange(around), indexing="ij")
    a = i * around + j
    b = i * around + (j + 1) % around
    c, d = a + around, b + around
    faces = np.concatenate([np.stack([a, b, d], -1).reshape(-1, 3),
                            np.stack([a, d, c], -1).reshape(-1, 3)])
    return vertices, faces.astype(np.int64)


def box(size: tuple[float, float, float], center: tuple[float, float, float]):
    corners = np.array([[x, y, z] for x in (-.5, .5) for y in (-.5, .5) for z in (-.5, .5)])
    faces = np.array([[0, 2, 1], [1, 2, 3], [4, 5, 6], [5, 7, 6], [0, 1, 4], [1, 5, 4],
                      [2, 6, 3], [3, 6, 7], [0, 4, 2], [2, 4, 6], [1, 3, 5], [3, 7, 5]])
    return corners * np.asarray(size) + np.asarray(center), faces


def merge(pieces) -> tuple[np.ndarray, np.ndarray]:
    vertices, faces, offset = [], [], 0
    for v, f in pieces:
        vertices.append(v)
        faces.append(f + offset)
        offset += len(v)
    return np.vstack(vertices), np.vstack(faces)


def machine(seed: int, triangles: int = STL_TRIANGLES) -> tuple[np.ndarray, np.ndarray]:
    """A conveyor-like machine: a box frame and 1..6 rollers, ~``triangles`` in all."""
    rng = np.random.default_rng(seed)
    length, width, height = rng.uniform(1.2, 1.8), rng.uniform(0.6, 1.0), rng.uniform(0.5, 0.9)
    pieces = [box((length, width, 0.1), (length / 2, 0.0, height * 0.5))]
    rollers = int(rng.integers(1, 7))
    per_roller = (triangles - 12) // rollers
    along = 5
    around = max(per_roller // (2 * along), 3)
    for k in range(rollers):
        v, f = tube(rng.uniform(0.05, 0.12), width, around, along)
        v = v[:, [1, 0, 2]]  # roll across the belt (along Y)
        v += ((k + 0.5) * length / rollers, -width / 2, height * 0.5 + 0.12)
        pieces.append((v, f))
    vertices, faces = merge(pieces)
    vertices += rng.normal(0.0, 0.002, vertices.shape)  # no two files alike
    return vertices, faces


def write_binary_stl(path: Path, vertices: np.ndarray, faces: np.ndarray) -> None:
    tri = vertices[faces].astype(np.float32)
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    record = np.zeros(len(faces), dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    record["n"], record["v"] = normals, tri
    with path.open("wb") as out:
        out.write(b"linetwin scale line".ljust(80, b" "))
        out.write(np.uint32(len(faces)).tobytes())
        out.write(record.tobytes())


def write_glb(path: Path, seed: int, triangles: int = GLB_TRIANGLES,
              parts: int = GLB_PARTS) -> None:
    """One big machine: ``parts`` tubes laid out in a 10-wide grid, one node each."""
    import trimesh

    rng = np.random.default_rng(seed)
    scene = trimesh.Scene()
    around = 130
    along = triangles // parts // (2 * around)
    for k in range(parts):
        v, f = tube(rng.uniform(0.1, 0.3), rng.uniform(1.0, 3.0), around, along)
        v += ((k % 10) * 3.5, (k // 10) * 1.0, 0.5)
        scene.add_geometry(trimesh.Trimesh(v, f, process=False), geom_name=f"part_{k:02d}",
                           node_name=f"part_{k:02d}")
    path.write_bytes(scene.export(file_type="glb"))


# -- project ---------------------------------------------------------------------------

HEADER = """# Scale line of issue 11 (generated by benchmarks/scale/line.py; do not edit).
[project]
name = "{name}"

[source]
endpoint = "opc.tcp://127.0.0.1:4840/linetwin/"

[states]
idle = 0
running = 1
starved = 2
blocked = 3
fault = 4
maintenance = 5

[[assets]]
id = "line"
name = "Scale line"
level = "system"
"""


def grid_position(k: int) -> tuple[float, float, float]:
    return ((k % GRID_COLUMNS) * PITCH_X, (k // GRID_COLUMNS) * PITCH_Y, 0.0)


def asset_id(k: int) -> str:
    """The id of the ``k``-th machine (from 0): ``m0001`` is "Machine 1", as its label says."""
    return f"m{k + 1:04d}"


def asset_table(k: int, mesh: str, color_by: str | None = None) -> str:
    x, y, z = grid_position(k)
    lines = ["[[assets]]", f'id = "{asset_id(k)}"', f'name = "Machine {k + 1}"', 'level = "asset"',
             'parent = "line"', f'mesh = "{mesh}"', 'mesh_units = "m"',
             f"position = [{x:.1f}, {y:.1f}, {z:.1f}]"]
    if color_by:
        lines.append(f'color_by = "{color_by}"')
    return "\n".join(lines) + "\n"


def signal_tables(k: int) -> str:
    aid = asset_id(k)
    out = [f'[[signals]]\nid = "{aid}.state"\nasset = "{aid}"\n'
           f'node = "ns=2;s={aid}.State"\nkind = "state"\nsampling_ms = 1000\n']
    for j in range(ANALOG_PER_ASSET):
        out.append(f'[[signals]]\nid = "{aid}.pv{j}"\nasset = "{aid}"\n'
                   f'node = "ns=2;s={aid}.Pv{j}"\nkind = "analog"\nunit = "u"\n'
                   f'sampling_ms = 1000\nlimits = {{ low = 90.0, high = 110.0 }}\n')
    return "\n".join(out)


def write_project(path: Path, name: str, meshes: list[str], assets: int,
                  signals: bool = False) -> Path:
    tables = [HEADER.format(name=name)]
    for k in range(assets):
        tables.append(asset_table(k, meshes[k % len(meshes)],
                                  f"{asset_id(k)}.state" if signals else None))
    if signals:
        tables += [signal_tables(k) for k in range(assets)]
    path.write_text("\n".join(tables))
    return path


def write_stl_meshes(folder: Path, count: int, seed: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for k in range(count):
        name = f"machine_{k:03d}.stl"
        if not (folder / name).exists():
            write_binary_stl(folder / name, *machine(seed * 10_000 + k))
        names.append(f"{folder.name}/{name}")
    return names


def write_scale_line(out: Path, size: str | Size = "full", seed: int = 1) -> dict[str, Path]:
    """Every variant into ``out``; returns variant name -> project file.

    Mesh files already there are kept (they are the same for the same seed)."""
    spec = SIZES[size] if isinstance(size, str) else size
    out.mkdir(parents=True, exist_ok=True)
    few = write_stl_meshes(out / "meshes", spec.distinct, seed)
    many = few + write_stl_meshes(out / "meshes_many", spec.distinct_many - spec.distinct,
                                  seed + 1)
    glb = out / f"machine_{spec.glb_triangles}_triangles.glb"
    if not glb.exists():
        write_glb(glb, seed, spec.glb_triangles)
    projects = {
        "line": write_project(out / "line.toml", f"Scale line ({spec.assets} assets)",
                              few, spec.assets),
        "line_500": write_project(out / "line_500.toml", "Scale line, many meshes", many,
                                  spec.assets),
        "line_signals": write_project(out / "line_signals.toml", "Scale line with signals",
                                      few, spec.assets, signals=True),
    }
    glb_project = HEADER.format(name="One 1.3 M-triangle machine") + asset_table(0, glb.name)
    projects["line_glb"] = out / "line_glb.toml"
    projects["line_glb"].write_text(glb_project)
    return projects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", choices=list(SIZES), default="full")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for name, path in write_scale_line(args.out, args.size, args.seed).items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
