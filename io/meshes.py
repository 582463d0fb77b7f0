"""Asset meshes -> placed :class:`~linetwin.twin.geometry.AssetGeometry`.

A bad mesh never stops a line from opening: the asset gets a placeholder box at
its position, and ``AssetGeometry.problem`` says what went wrong, naming the
asset and the file (e.g. ``asset 'sealer': meshes/heat_sealer.glb: file is
empty``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from linetwin.io.mesh_cache import MeshCache, PartsStore
from linetwin.io.mesh_reader import MeshReadError, parse_mesh_bytes, read_file_contents
from linetwin.twin.geometry import AssetGeometry, MeshPart, place, placeholder_box
from linetwin.twin.model import Asset, Project

PLACEHOLDER_SIZE = 0.8  # metres: about a station's footprint, visible but not alarming

Progress = Callable[[int, int, str], None]
"""``progress(done, total, asset_id)``, called after each asset's mesh is loaded."""


def load_asset_geometry(
    asset: Asset, cache: PartsStore | None = None, base: Path | None = None
) -> AssetGeometry:
    """Load, check and place the mesh of ``asset``; never raises for a bad mesh.

    Parameters
    ----------
    asset
        An asset with ``mesh`` set (absolute path).
    cache
        Parsed-mesh cache; None parses every time (pass ``MeshCache()`` for the
        user's cache folder).
    base
        Folder that file names in problem messages are shown relative to
        (usually the project file's folder); None shows the full path.
    """
    if asset.mesh is None:
        return _placeholder(asset, f"asset '{asset.id}': has no mesh")
    try:
        parts = read_mesh_parts(asset.mesh, asset.mesh_units, cache)
    except MeshReadError as error:
        return _placeholder(asset, f"asset '{asset.id}': {_shown(asset.mesh, base)}: {error}")
    except Exception as error:  # noqa: BLE001 - last line of defence, see module doc
        message = f"unexpected error: {error} ({type(error).__name__})"
        return _placeholder(asset, f"asset '{asset.id}': {_shown(asset.mesh, base)}: {message}")
    return AssetGeometry(asset_id=asset.id, parts=tuple(_placed(p, asset) for p in parts))


def load_line_geometry(
    project: Project, cache: MeshCache | None = None, progress: Progress | None = None
) -> dict[str, AssetGeometry]:
    """Geometry of every asset of ``project`` that has a mesh, keyed by asset id.

    Assets sharing one file (ten identical conveyors) parse it only once.
    """
    base = project.path.parent if project.path is not None else None
    meshed = [a for a in project.assets if a.mesh is not None]
    memo = _MemoCache(cache)
    result: dict[str, AssetGeometry] = {}
    for done, asset in enumerate(meshed, start=1):
        result[asset.id] = load_asset_geometry(asset, memo, base)
        if progress is not None:
            progress(done, len(meshed), asset.id)
    return result


def read_mesh_parts(
    path: Path, units: str = "m", cache: PartsStore | None = None
) -> list[MeshPart]:
    """Parts of the mesh file at ``path`` in metres, before any asset placement.

    Raises
    ------
    MeshReadError
        If the file is missing, unreadable, empty, unsupported or broken.
    """
    data, contents = read_file_contents(path)
    key = MeshCache.key(contents, path.suffix, units) if cache is not None else None
    if key is not None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    parts = parse_mesh_bytes(data, path, units)
    if key is not None:
        cache.put(key, parts)
    return parts


def _placed(part: MeshPart, asset: Asset) -> MeshPart:
    t = asset.transform
    return MeshPart(part.name, place(part.vertices, t.position, t.rotation, t.scale), part.faces)


def _placeholder(asset: Asset, problem: str) -> AssetGeometry:
    """A box standing where the asset stands, turned like it, at its natural size."""
    box = placeholder_box(asset.id, PLACEHOLDER_SIZE, problem)
    t = asset.transform
    parts = tuple(
        MeshPart(p.name, place(p.vertices, t.position, t.rotation, (1.0, 1.0, 1.0)), p.faces)
        for p in box.parts
    )
    return AssetGeometry(asset.id, parts, placeholder=True, problem=problem)


def _shown(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


class _MemoCache:
    """Keeps parts parsed during one line load in memory, in front of the disk cache."""

    def __init__(self, disk: MeshCache | None) -> None:
        self._disk = disk
        self._parts: dict[str, list[MeshPart]] = {}

    def get(self, key: str) -> list[MeshPart] | None:
        if key not in self._parts and self._disk is not None:
            cached = self._disk.get(key)
            if cached is not None:
                self._parts[key] = cached
        return self._parts.get(key)

    def put(self, key: str, parts: list[MeshPart]) -> None:
        self._parts[key] = parts
        if self._disk is not None:
            self._disk.put(key, parts)
