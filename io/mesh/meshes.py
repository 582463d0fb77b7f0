"""Asset meshes -> placed :class:`~linetwin.twin.geometry.AssetGeometry`.

Assets sharing one file share its parsed parts: every such asset's geometry
holds the same ``local_parts`` tuple and its own placement matrix, so a line
of 2,000 assets over 20 files keeps 20 meshes in memory, not 2,000.

A bad mesh never stops a line from opening: the asset gets a placeholder box at
its position, and ``AssetGeometry.problem`` says what went wrong, naming the
asset and the file (e.g. ``asset 'sealer': meshes/heat_sealer.glb: file is
empty``). :func:`load_line_meshes` also keeps what ``linetwin check`` reports per
asset: format, size in metres, declared units and the reader's warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from linetwin.io.mesh.mesh_cache import MeshCache, PartsStore
from linetwin.io.mesh.mesh_lod import lod_parts
from linetwin.io.mesh.mesh_reader import (
    FORMATS,
    MeshRead,
    MeshReadError,
    parse_mesh_bytes,
    read_file_contents,
)
from linetwin.twin.geometry import AssetGeometry, MeshPart, placeholder_box, placement_matrix
from linetwin.twin.model import Asset, Project

PLACEHOLDER_SIZE = 0.8  # metres: about a station's footprint, visible but not alarming

Progress = Callable[[int, int, str], None]
"""``progress(done, total, asset_id)``, called after each asset's mesh is loaded."""


@dataclass(frozen=True)
class AssetMesh:
    """An asset's placed geometry and what its file said while being read.

    ``read`` is None when the mesh could not be loaded (``geometry.problem``
    says why); ``shown`` is the file as messages name it.
    """

    geometry: AssetGeometry
    shown: str | None = None
    read: MeshRead | None = None

    @property
    def format(self) -> str | None:
        return FORMATS.get(Path(self.shown).suffix.lower()) if self.shown else None

    @property
    def warnings(self) -> tuple[str, ...]:
        """Each warning as a full sentence naming the asset and the file."""
        if self.read is None:
            return ()
        prefix = f"asset '{self.geometry.asset_id}': {self.shown}: "
        return tuple(prefix + w for w in self.read.warnings)


def load_asset_mesh(
    asset: Asset, cache: PartsStore | None = None, base: Path | None = None
) -> AssetMesh:
    """Load, check and place the mesh of ``asset``; never raises for a bad mesh.

    Parameters
    ----------
    asset
        An asset with ``mesh`` set (absolute path).
    cache
        Parsed-mesh cache; None parses every time (pass a ``MeshCache`` for the
        user's cache folder).
    base
        Folder that file names in problem messages are shown relative to
        (usually the project file's folder); None shows the full path.
    """
    if asset.mesh is None:
        return AssetMesh(_placeholder(asset, f"asset '{asset.id}': has no mesh"))
    shown = _shown(asset.mesh, base)
    try:
        if isinstance(cache, MemoCache):
            read = cache.read(asset.mesh, asset.mesh_units)
        else:
            read = read_mesh(asset.mesh, asset.mesh_units, cache)
    except MeshReadError as error:
        return AssetMesh(_placeholder(asset, f"asset '{asset.id}': {shown}: {error}"), shown)
    except Exception as error:  # noqa: BLE001 - last line of defence, see module doc
        message = f"unexpected error: {error} ({type(error).__name__})"
        return AssetMesh(_placeholder(asset, f"asset '{asset.id}': {shown}: {message}"), shown)
    t = asset.transform
    matrix = placement_matrix(t.position, t.rotation, t.scale)
    return AssetMesh(AssetGeometry(asset.id, _shared_parts(read), matrix, lod_parts=read.lod),
                     shown, read)


def load_asset_geometry(
    asset: Asset, cache: PartsStore | None = None, base: Path | None = None
) -> AssetGeometry:
    """The placed geometry of ``asset`` (see :func:`load_asset_mesh`)."""
    return load_asset_mesh(asset, cache, base).geometry


def load_line_meshes(
    project: Project, cache: MeshCache | None = None, progress: Progress | None = None
) -> dict[str, AssetMesh]:
    """:class:`AssetMesh` of every asset of ``project`` that has a mesh, keyed by asset id.

    Assets sharing one file (ten identical conveyors) parse it only once.
    """
    base = project.path.parent if project.path is not None else None
    meshed = [a for a in project.assets if a.mesh is not None]
    memo = MemoCache(cache)
    result: dict[str, AssetMesh] = {}
    for done, asset in enumerate(meshed, start=1):
        result[asset.id] = load_asset_mesh(asset, memo, base)
        if progress is not None:
            progress(done, len(meshed), asset.id)
    return result


def load_line_geometry(
    project: Project, cache: MeshCache | None = None, progress: Progress | None = None
) -> dict[str, AssetGeometry]:
    """Geometry of every asset of ``project`` that has a mesh, keyed by asset id."""
    meshes = load_line_meshes(project, cache, progress)
    return {asset_id: mesh.geometry for asset_id, mesh in meshes.items()}


def read_mesh(path: Path, units: str | None = None, cache: PartsStore | None = None) -> MeshRead:
    """The mesh file at ``path`` read into metres, before any asset placement.

    ``units`` ("m" or "mm") overrides the units the file declares.

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
    read = parse_mesh_bytes(data, path, units)
    # One tuple, kept by the memo below; the simplified copy made once, cached with it.
    read = replace(read, parts=_shared_parts(read), lod=lod_parts(read.parts))
    if key is not None:
        cache.put(key, read)
    return read


def read_mesh_parts(
    path: Path, units: str | None = None, cache: PartsStore | None = None
) -> list[MeshPart]:
    """Parts of the mesh file at ``path`` in metres (see :func:`read_mesh`)."""
    return list(read_mesh(path, units, cache).parts)


def _shared_parts(read: MeshRead) -> tuple[MeshPart, ...]:
    """``read``'s parts as a tuple; the memo below keeps reads holding a tuple,
    so every asset of one file gets the very same object."""
    return read.parts if isinstance(read.parts, tuple) else tuple(read.parts)


def coarse_geometry(asset: Asset) -> AssetGeometry:
    """The stand-in drawn for ``asset`` while its mesh is read: a box of
    placeholder size where the asset stands, marked ``pending``. Every stand-in
    shares one box, so they all draw through one mapper."""
    t = asset.transform
    matrix = placement_matrix(t.position, t.rotation, (1.0, 1.0, 1.0))
    return AssetGeometry(asset.id, _COARSE_BOX, matrix, pending=True)


def _placeholder(asset: Asset, problem: str) -> AssetGeometry:
    """A box standing where the asset stands, turned like it, at its natural size."""
    box = placeholder_box(asset.id, PLACEHOLDER_SIZE, problem)
    t = asset.transform
    matrix = placement_matrix(t.position, t.rotation, (1.0, 1.0, 1.0))
    return AssetGeometry(asset.id, box.local_parts, matrix, placeholder=True, problem=problem)


def _shown(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


_COARSE_BOX = tuple(replace(p, name="pending") for p in
                    placeholder_box("", PLACEHOLDER_SIZE, "").local_parts)


class MemoCache:
    """Keeps meshes parsed during one line load in memory, in front of the disk cache."""

    def __init__(self, disk: MeshCache | None) -> None:
        self._disk = disk
        self._reads: dict[str, MeshRead] = {}
        self._files: dict[tuple[Path, str | None], MeshRead] = {}

    def read(self, path: Path, units: str | None) -> MeshRead:
        """:func:`read_mesh` of ``path``, once per file and units during this
        load: 2,000 assets over 20 files read and hash 20 files, not 2,000."""
        read = self._files.get((path, units))
        if read is None:
            read = self._files[(path, units)] = read_mesh(path, units, self)
        return read

    def get(self, key: str) -> MeshRead | None:
        if key not in self._reads and self._disk is not None:
            cached = self._disk.get(key)
            if cached is not None:
                self._reads[key] = replace(cached, parts=_shared_parts(cached))
        return self._reads.get(key)

    def put(self, key: str, read: MeshRead) -> None:
        self._reads[key] = read
        if self._disk is not None:
            self._disk.put(key, read)
