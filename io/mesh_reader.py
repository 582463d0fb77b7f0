"""Read one mesh file into named parts, in metres, through trimesh.

This is the boundary with trimesh: whatever a file holds, the result is either a
list of checked :class:`~linetwin.twin.geometry.MeshPart` or a
:class:`MeshReadError` whose message says what is wrong in words. trimesh raises
many exception types on bad input (IndexError, ValueError, BadZipFile, XML
errors, ModuleNotFoundError, ...) and on some broken files raises nothing and
returns an empty scene, so both are handled here.

Axes: files are read as written. trimesh does not convert glTF's nominal Y-up
to Z-up on import, nor on export: a Z-up mesh exported by trimesh to GLB comes
back Z-up (checked by a round trip in tests/io/test_meshes.py). COLLADA's
``<up_axis>`` is likewise ignored. The demo meshes are Z-up as written.
"""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import re
from pathlib import Path
from urllib.parse import unquote

import numpy as np

from linetwin.twin.geometry import MeshPart

# trimesh logs warnings (some with tracebacks) through a logger with no handler,
# which Python then prints to stderr. Give it one, so a broken file shows up as
# our message only; an application that configures logging still receives them.
_trimesh_log = logging.getLogger("trimesh")
if not _trimesh_log.handlers:
    _trimesh_log.addHandler(logging.NullHandler())

FORMATS: dict[str, str] = {
    ".stl": "STL",
    ".obj": "OBJ",
    ".ply": "PLY",
    ".off": "OFF",
    ".glb": "glTF binary",
    ".gltf": "glTF",
    ".3mf": "3MF",
    ".dae": "COLLADA",
}
if importlib.util.find_spec("cascadio") is not None:  # optional STEP support
    FORMATS.update({".step": "STEP", ".stp": "STEP"})

UNIT_SCALE = {"m": 1.0, "mm": 0.001}


class MeshReadError(Exception):
    """A mesh file cannot be used; the message says why, without the path."""


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
    try:
        data = path.read_bytes()
    except OSError as error:
        raise MeshReadError(f"cannot read file: {error.strerror or error}") from None
    if not data:
        raise MeshReadError("file is empty")
    return data, [data] + _referenced_files(path, data)


def parse_mesh_bytes(data: bytes, path: Path, units: str = "m") -> list[MeshPart]:
    """Parse the bytes of a mesh file into checked parts scaled to metres.

    ``path`` gives the format (by suffix) and the folder for referenced files.
    """
    suffix = path.suffix.lower()
    if suffix == ".gltf":
        _check_json(data)
    scene = _load_scene(data, path)
    parts = _scene_parts(scene, path.stem)
    if not parts:
        raise MeshReadError(_why_empty(scene, data, suffix))
    scale = UNIT_SCALE[units]
    return [MeshPart(p.name, p.vertices * scale, p.faces) for p in parts]


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
        raise MeshReadError(f"cannot read as {FORMATS[suffix]}: {_describe(error)}") from None


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
    if suffix == ".stl":
        detail = _stl_diagnosis(data)
        if detail:
            return detail
    return f"no geometry found: the file is damaged or not a valid {FORMATS[suffix]} file"


def _stl_diagnosis(data: bytes) -> str | None:
    """Say what is wrong with an STL that trimesh silently read as empty."""
    if data.lstrip()[:5].lower() == b"solid" and b"facet" not in data:
        return "ASCII STL with no facets"
    if len(data) < 84:
        return f"too short for a binary STL ({len(data)} bytes, the header alone is 84)"
    count = int.from_bytes(data[80:84], "little")
    expected = 84 + 50 * count
    if len(data) < expected:
        return (
            f"not a valid STL: the binary header says {count} triangles ({expected} bytes) "
            f"but the file has {len(data)} bytes (truncated, or not an STL file)"
        )
    return None


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
