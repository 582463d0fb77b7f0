"""Read one mesh file into named parts, in metres, through trimesh.

This is the boundary with trimesh: whatever a file holds, the result is either a
:class:`MeshRead` (checked :class:`~linetwin.twin.geometry.MeshPart` in metres,
the units the file declares, warnings) or a :class:`MeshReadError` whose message
says what is wrong in the file's own terms (see :mod:`linetwin.io.mesh.mesh_formats`). trimesh raises
many exception types on bad input (IndexError, ValueError, BadZipFile, XML
errors, ModuleNotFoundError, ...) and on some broken files raises nothing and
returns an empty scene, so both are handled here.

Axes: files are read as written. trimesh does not convert glTF's nominal Y-up
to Z-up on import, nor on export: a Z-up mesh exported by trimesh to GLB comes
back Z-up (checked by a round trip in tests/io/mesh/test_meshes.py). COLLADA's
``<up_axis>`` is likewise ignored. The demo meshes are Z-up as written.

Units: a file's declared unit is honoured (COLLADA ``<unit meter>``, 3MF
``unit``, glTF and STEP in metres); STL, OBJ, PLY and OFF declare none and are
read as metres. An asset's ``mesh_units`` overrides either, with a warning when
it disagrees with the file.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import numpy as np

from linetwin.io.mesh import mesh_formats
from linetwin.io.mesh.mesh_formats import DeclaredUnits, unit_name
from linetwin.twin.geometry import MeshPart

FORMATS: dict[str, str] = {
    ".stl": "STL",
    ".obj": "OBJ",
    ".ply": "PLY",
    ".off": "OFF",
    ".glb": "glTF binary",
    ".gltf": "glTF",
    ".3mf": "3MF",
    ".dae": "COLLADA",
    ".step": "STEP",  # needs the optional cascadio reader
    ".stp": "STEP",
}

UNIT_SCALE = {"m": 1.0, "mm": 0.001}

# A station is a metre or a few; a file far outside this range was most likely
# drawn in other units than it is read in.
PLAUSIBLE_SIZE_M = (0.01, 200.0)


class MeshReadError(Exception):
    """A mesh file cannot be used; the message says why, without the path."""


@dataclass(frozen=True)
class MeshRead:
    """What one mesh file gave: parts in metres, its declared units, warnings.

    ``metres_per_unit`` is the scale that was applied (the override's, else the
    declared one, else 1).
    """

    parts: list[MeshPart]
    declared: DeclaredUnits | None = None
    metres_per_unit: float = 1.0
    warnings: tuple[str, ...] = ()
    lod: tuple[MeshPart, ...] | None = None  # simplified parts for far views (mesh_lod)

    def size(self) -> np.ndarray:
        """Extent of the file's geometry in metres (x, y, z), before placement."""
        stacked = np.vstack([p.vertices for p in self.parts])
        return stacked.max(axis=0) - stacked.min(axis=0)


def read_file_contents(path: Path) -> tuple[bytes, list[bytes]]:
    """The bytes of ``path`` and of the files it references (glTF buffers).

    The referenced files take part in the cache key, so editing a ``.bin`` next
    to a ``.gltf`` invalidates the cached parse.
    """
    suffix = path.suffix.lower()
    if not path.exists():
        raise MeshReadError("file not found")
    if path.is_dir():
        raise MeshReadError("is a folder, not a mesh file")
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise MeshReadError(f"unsupported mesh format '{path.suffix}' (supported: {known})")
    if suffix in mesh_formats.STEP_SUFFIXES and not mesh_formats.step_available():
        raise MeshReadError(f"{suffix} needs the optional STEP reader: "
                            f"{mesh_formats.STEP_INSTALL_HINT}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise MeshReadError(f"cannot read file: {error.strerror or error}") from None
    if not data:
        raise MeshReadError("file is empty")
    return data, [data] + _referenced_files(path, data)


def parse_mesh_bytes(data: bytes, path: Path, units: str | None = None) -> MeshRead:
    """Parse the bytes of a mesh file into checked parts scaled to metres.

    ``path`` gives the format (by suffix) and the folder for referenced files;
    ``units`` ("m" or "mm") overrides what the file declares.
    """
    suffix = path.suffix.lower()
    _precheck(data, suffix)
    scene = _load_scene(data, path)
    parts = _scene_parts(scene, path.stem)
    if not parts:
        raise MeshReadError(_why_empty(scene, data, suffix))
    declared = mesh_formats.declared_units(scene, suffix)
    scale = UNIT_SCALE[units] if units else (declared.metres_per_unit if declared else 1.0)
    parts = [MeshPart(p.name, p.vertices * scale, p.faces) for p in parts]
    read = MeshRead(parts, declared, scale)
    warnings = _unit_warnings(read, units) + _geometry_warnings(read)
    return MeshRead(parts, declared, scale, tuple(warnings))


def _precheck(data: bytes, suffix: str) -> None:
    """Format checks trimesh does not make, or makes with a misleading error."""
    problem = None
    if suffix == ".gltf":
        _check_json(data)
    elif suffix == ".obj":
        problem = mesh_formats.obj_problem(data)
    elif suffix == ".stl":
        problem = mesh_formats.stl_problem(data)
    elif suffix == ".3mf":
        problem = mesh_formats.threemf_problem(data)
    elif suffix == ".glb":
        problem = mesh_formats.glb_problem(data)
    if problem:
        raise MeshReadError(problem)


def _unit_warnings(read: MeshRead, units: str | None) -> list[str]:
    declared = read.declared
    if units is None or declared is None:
        return []
    if abs(declared.metres_per_unit - UNIT_SCALE[units]) <= 1e-9:
        return []
    return [f"the file declares {declared.describe()} but the project's "
            f'mesh_units = "{units}" reads it as {unit_name(UNIT_SCALE[units])}']


def _geometry_warnings(read: MeshRead) -> list[str]:
    """What would make the asset invisible or absurdly sized, though it loaded."""
    warnings = []
    flat = [p for p in read.parts if not _triangle_areas(p).any()]
    if len(flat) == len(read.parts):
        count = sum(len(p.faces) for p in flat)
        warnings.append(f"all {count} triangles have zero area: nothing of it would be visible")
    else:
        warnings += [f"part '{p.name}': all {len(p.faces)} triangles have zero area "
                     "(invisible)" for p in flat]
    largest = float(read.size().max())
    low, high = PLAUSIBLE_SIZE_M
    if largest > 0 and not low <= largest <= high:
        shown = f"{largest:.4g} m" if largest >= 1 else f"{largest * 1000:.3g} mm"
        how = "as the file declares" if read.declared else "no units declared"
        warnings.append(f"it is {shown} across (read in {unit_name(read.metres_per_unit)}, "
                        f"{how}): if that is not its real size, its units are wrong "
                        "(mesh_units sets them)")
    return warnings


def _triangle_areas(part: MeshPart) -> np.ndarray:
    a, b, c = (part.vertices[part.faces[:, i]] for i in range(3))
    return np.linalg.norm(np.cross(b - a, c - a), axis=1)


def _check_json(data: bytes) -> None:
    # trimesh reads a .gltf that is not JSON as some other container and fails
    # with a confusing "model.gltf" FileNotFoundError; say what is wrong instead.
    try:
        json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise MeshReadError(f"not a glTF file: not valid JSON ({_describe(error)})") from None


def _load_scene(data: bytes, path: Path):
    import trimesh  # imported here: only this module needs it, and it is slow to import

    suffix = path.suffix.lower()
    if suffix in mesh_formats.STEP_SUFFIXES:  # OpenCASCADE tessellates it to GLB first
        try:
            data, suffix = mesh_formats.step_to_glb(data), ".glb"
        except ValueError as error:
            raise MeshReadError(f"cannot read as STEP: {error}") from None
    try:
        return trimesh.load_scene(
            io.BytesIO(data),
            file_type=suffix[1:],
            resolver=trimesh.resolvers.FilePathResolver(str(path)),
            process=False,  # keep the file's vertices and faces exactly as written
        )
    except FileNotFoundError as error:  # a buffer, texture or material the file names
        missing = error.filename or str(error)
        raise MeshReadError(f"a file it refers to is missing: {missing}") from None
    except ModuleNotFoundError as error:
        raise MeshReadError(
            f"reading {FORMATS[suffix]} needs the optional package '{error.name}'"
        ) from None
    except Exception as error:  # noqa: BLE001 - trimesh raises many types; all mean "bad file"
        suffix = path.suffix.lower()
        detail = mesh_formats.obj_problem(data, after_error=True) if suffix == ".obj" else None
        raise MeshReadError(detail or f"cannot read as {FORMATS[suffix]}: {_describe(error)}") from None


def _scene_parts(scene, stem: str) -> list[MeshPart]:
    """One part per geometry node that has triangles, in world (file) coordinates."""
    nodes = []
    for node in scene.graph.nodes_geometry:
        transform, geometry_name = scene.graph[node]
        geometry = scene.geometry.get(geometry_name)
        faces = getattr(geometry, "faces", None)
        if faces is not None and len(faces) > 0:  # point clouds and paths have no surface
            nodes.append((str(node), geometry, transform))
    names = _part_names([node for node, _, _ in nodes], stem)
    parts = []
    for name, (_, geometry, transform) in zip(names, nodes):
        label = f"part '{name}': " if len(nodes) > 1 else ""
        vertices = np.asarray(geometry.vertices, dtype=np.float64)
        faces = np.asarray(geometry.faces)
        _check_arrays(label, vertices, faces)
        matrix = np.asarray(transform, dtype=np.float64)
        placed = vertices @ matrix[:3, :3].T + matrix[:3, 3]
        if not np.isfinite(placed).all():
            raise MeshReadError(f"{label}its placement in the file is not finite")
        parts.append(MeshPart(name, placed, faces.astype(np.int64)))
    return parts


_GENERATED_NAME = re.compile(r"^geometry(_\d+)?$")


def _part_names(nodes: list[str], stem: str) -> list[str]:
    """Node names, except that names trimesh made up (``geometry_0``, the file
    name for single-mesh formats such as STL) become the file's stem."""
    names = []
    for node in nodes:
        generated = _GENERATED_NAME.match(node) or node.startswith(stem + ".")
        names.append(stem if generated else node)
    if len(set(names)) < len(names):  # keep names unique within the asset
        names = [name if names.count(name) == 1 else f"{name}_{i}" for i, name in enumerate(names)]
    return names


def _check_arrays(label: str, vertices: np.ndarray, faces: np.ndarray) -> None:
    """Reject what would crash or corrupt rendering: NaN/inf, indices out of range."""
    if vertices.ndim != 2 or vertices.shape[1] != 3:
        raise MeshReadError(f"{label}vertices are not (n, 3)")
    if faces.ndim != 2 or faces.shape[1] != 3 or not np.issubdtype(faces.dtype, np.integer):
        raise MeshReadError(f"{label}faces are not triangles of vertex indices")
    bad = ~np.isfinite(vertices).all(axis=1)
    if bad.any():
        raise MeshReadError(
            f"{label}{int(bad.sum())} of {len(vertices)} vertices are NaN or infinite"
        )
    low, high = int(faces.min()), int(faces.max())
    if low < 0 or high >= len(vertices):
        raise MeshReadError(
            f"{label}face indices run from {low} to {high}, "
            f"outside the {len(vertices)} vertices (0..{len(vertices) - 1})"
        )


def _why_empty(scene, data: bytes, suffix: str) -> str:
    points = sum(len(getattr(g, "vertices", ())) for g in scene.geometry.values())
    if points:
        return f"contains no triangles, only {points} points or lines"
    return f"no geometry found: the file is damaged or not a valid {FORMATS[suffix]} file"


def _describe(error: Exception) -> str:
    text = " ".join(str(error).split()) or "no details"
    text = text.removeprefix(f"{type(error).__name__}: ")
    text = text if len(text) <= 160 else text[:157] + "..."
    return f"{text} ({type(error).__name__})"


def _referenced_files(path: Path, data: bytes) -> list[bytes]:
    """Bytes of the external buffers and images a ``.gltf`` names (best effort)."""
    if path.suffix.lower() != ".gltf":
        return []
    try:
        document = json.loads(data)
        uris = [item.get("uri") for key in ("buffers", "images") for item in document.get(key, [])]
    except (ValueError, AttributeError, TypeError):
        return []  # the parse will report the broken file
    contents = []
    for uri in uris:
        if isinstance(uri, str) and not uri.startswith("data:"):
            try:
                contents.append((path.parent / unquote(uri)).read_bytes())
            except OSError:
                contents.append(b"missing:" + uri.encode())
    return contents
