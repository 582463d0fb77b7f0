"""Mesh loading: LineTwin's loader against VTK's own readers, in the same run.

Loads the demo line's seven GLB files (and the same geometry written as binary
STL) several times each way and prints medians and ratios:

- baseline: VTK's vtkGLTFReader / vtkSTLReader (through ``pyvista.read``)
- LineTwin cold: trimesh parse + checks (``read_mesh_parts`` with no cache)
- LineTwin warm: the content-hash cache hit a second open gets

Ratios below 1 mean LineTwin is faster than the VTK reader. Run:
``.venv/bin/python benchmarks/mesh_load.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pyvista as pv
import trimesh

from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.mesh.meshes import read_mesh_parts

MESHES = Path(__file__).resolve().parents[1] / "resources" / "demo" / "meshes"


def _median_seconds(load, paths, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for path in paths:
            load(path)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _as_stl(glbs: list[Path], folder: Path) -> list[Path]:
    out = []
    for glb in glbs:
        mesh = trimesh.load_scene(glb, process=False).to_mesh()
        path = folder / f"{glb.stem}.stl"
        mesh.export(path)
        out.append(path)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    glbs = sorted(MESHES.glob("*.glb"))
    with tempfile.TemporaryDirectory() as tmp:
        cache = MeshCache(Path(tmp) / "cache")
        stls = _as_stl(glbs, Path(tmp))
        print(f"{'format':<6} {'VTK reader':>11} {'cold':>9} {'warm':>9} {'cold/VTK':>9} {'warm/VTK':>9}")
        for label, paths in (("GLB", glbs), ("STL", stls)):
            for path in paths:  # fill the cache once
                read_mesh_parts(path, cache=cache)
            vtk = _median_seconds(pv.read, paths, args.repeat)
            cold = _median_seconds(read_mesh_parts, paths, args.repeat)
            warm = _median_seconds(lambda p: read_mesh_parts(p, cache=cache), paths, args.repeat)
            print(f"{label:<6} {vtk * 1e3:9.1f}ms {cold * 1e3:7.1f}ms {warm * 1e3:7.1f}ms "
                  f"{cold / vtk:9.2f} {warm / vtk:9.2f}")


if __name__ == "__main__":
    main()
