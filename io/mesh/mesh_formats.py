"""What each mesh format says about itself: declared units, and what is wrong
with a broken file in that format's own terms.

trimesh reads the geometry; this module knows the formats well enough to say
"line 12: face refers to vertex 0" instead of an IndexError from deep inside a
parser, and which unit a file was drawn in (COLLADA ``<unit meter=...>``, 3MF
``unit="millimeter"``, glTF always metres).
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import tempfile
import threading
import zipfile
from dataclasses import dataclass

STEP_SUFFIXES = (".step", ".stp")
STEP_INSTALL_HINT = "pip install 'linetwin[step]'"

_UNIT_NAMES = {1.0: "metres", 0.001: "millimetres", 0.01: "centimetres", 0.0254: "inches",
               0.3048: "feet", 1e-6: "micrometres"}
_TRIMESH_UNITS = {"meters": 1.0, "meter": 1.0, "millimeters": 0.001, "millimeter": 0.001,
                  "centimeters": 0.01, "centimeter": 0.01, "inches": 0.0254, "inch": 0.0254,
                  "feet": 0.3048, "foot": 0.3048, "micron": 1e-6, "microns": 1e-6}


def unit_name(metres_per_unit: float) -> str:
    """``0.001`` -> ``"millimetres"``; an unusual factor is shown as metres."""
    for factor, name in _UNIT_NAMES.items():
        if abs(metres_per_unit - factor) <= 1e-9 * factor:
            return name
    return f"units of {metres_per_unit:g} m"


@dataclass(frozen=True)
class DeclaredUnits:
    """The unit a file says it is drawn in, and where it says so."""

    metres_per_unit: float
    source: str  # in the file's terms, e.g. '<unit meter="0.001">'

    def describe(self) -> str:
        return f"{unit_name(self.metres_per_unit)} ({self.source})"


def declared_units(scene, suffix: str) -> DeclaredUnits | None:
    """The units ``scene`` (as trimesh read it from a ``suffix`` file) declares.

    STL, OBJ, PLY and OFF have no way to declare units: None.
    """
    if suffix in (".gltf", ".glb"):
        return DeclaredUnits(1.0, "glTF is in metres by specification")
    if suffix in STEP_SUFFIXES:
        return DeclaredUnits(1.0, "STEP, converted to metres by the STEP reader")
    raw = scene.metadata.get("units") if suffix == ".3mf" else getattr(scene, "units", None)
    if not raw:
        return None
    factor = _metres_per_unit(str(raw))
    if factor is None:
        return None
    if suffix == ".dae":
        return DeclaredUnits(factor, f'<unit meter="{factor:g}">')
    if suffix == ".3mf":  # trimesh fills in the plural spelling when the attribute is absent
        source = 'unit="millimeter" by default' if raw == "millimeters" else f'unit="{raw}"'
        return DeclaredUnits(factor, source)
    return DeclaredUnits(factor, f"declares {raw}")


def _metres_per_unit(raw: str) -> float | None:
    """trimesh's unit strings: ``"millimeter"``, ``"0.0254 * meters"``."""
    text = raw.strip().lower()
    if text in _TRIMESH_UNITS:
        return _TRIMESH_UNITS[text]
    match = re.fullmatch(r"([0-9.eE+-]+)\s*\*\s*meters?", text)
    if match:
        try:
            value = float(match.group(1))
        except ValueError:
            return None
        return value if value > 0 else None
    return None


# -- broken files, in their own terms ---------------------------------------------------

_OBJ_ZERO_INDEX = re.compile(rb"^[ \t]*f[ \t][^\n]*?(?<=[ \t])0(?=[/ \t\r]|$)", re.MULTILINE)


def obj_problem(data: bytes, after_error: bool = False) -> str | None:
    """A face that refers to vertex 0 (OBJ counts from 1) or past the last vertex.

    The zero check is one regular-expression scan, cheap enough for every file
    (trimesh silently turns index 0 into a wrong triangle); the range check walks
    the lines, so it only runs once trimesh has failed (``after_error``).
    """
    zero = _OBJ_ZERO_INDEX.search(data)
    if zero is not None:
        line = data.count(b"\n", 0, zero.start()) + 1
        return f"line {line}: face refers to vertex 0; OBJ vertex numbers start at 1"
    if not after_error:
        return None
    vertices = sum(1 for line in data.splitlines() if line.lstrip()[:2] == b"v ")
    defined = 0
    for number, line in enumerate(data.splitlines(), start=1):
        fields = line.split()
        if fields[:1] == [b"v"]:
            defined += 1
        elif fields[:1] == [b"f"]:
            for token in fields[1:]:
                index = _obj_index(token)
                if index is not None and (index > vertices or -index > defined):
                    return (f"line {number}: face refers to vertex {index}, but the file "
                            f"defines only {vertices} vertices")
    return None


def _obj_index(token: bytes) -> int | None:
    try:
        return int(token.split(b"/")[0])
    except ValueError:
        return None


def stl_problem(data: bytes) -> str | None:
    """Say what is wrong with a broken STL, telling ASCII from binary first."""
    count = int.from_bytes(data[80:84], "little") if len(data) >= 84 else -1
    if count >= 0 and len(data) == 84 + 50 * count:
        return None  # a consistent binary STL, even if its header starts with "solid"
    head = data.lstrip()[:5].lower()
    if head == b"solid" and _looks_like_text(data[:2048]):
        return _ascii_stl_problem(data)
    if len(data) < 84:
        return f"too short for a binary STL ({len(data)} bytes, the header alone is 84)"
    expected = 84 + 50 * count
    if len(data) < expected:
        return (f"not a valid STL: the binary header says {count} triangles ({expected} bytes) "
                f"but the file has {len(data)} bytes (truncated, or not an STL file)")
    return None


def _looks_like_text(chunk: bytes) -> bool:
    return all(b in b"\t\n\r" or 32 <= b < 127 for b in chunk)


def _ascii_stl_problem(data: bytes) -> str | None:
    started = data.count(b"facet normal")
    finished = data.count(b"endfacet")
    if started == 0:
        return "ASCII STL with no facets"
    if b"endsolid" not in data[-1024:]:
        if started > finished:
            return (f"ASCII STL ends inside facet {finished + 1} (no endsolid): "
                    "the file is truncated")
        return f"ASCII STL ends after facet {finished} with no endsolid: the file is truncated"
    return None


def glb_problem(data: bytes) -> str | None:
    """A GLB starts with the magic ``glTF`` and its total length."""
    if len(data) < 12 or data[:4] != b"glTF":
        return "not a glTF binary file: it does not start with the GLB magic 'glTF'"
    declared = int.from_bytes(data[8:12], "little")
    if declared > len(data):
        return (f"the GLB header says {declared} bytes but the file has {len(data)}: "
                "the file is truncated")
    return None


def threemf_problem(data: bytes) -> str | None:
    """A 3MF is a ZIP package with a 3D model part; say which of the two is missing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "not a 3MF file: a 3MF is a ZIP package, and this is not a readable one"
    if not any(name.lower().endswith(".model") for name in names):
        return "3MF has no 3D model part (3D/3dmodel.model)"
    return None


# -- STEP through the optional cascadio reader ---------------------------------------

_STEP_ERROR = re.compile(r"Line\s+(\d+):\s*(?:Incorrect syntax:\s*)?([^*\n]+)")
_capture_lock = threading.Lock()


def step_available() -> bool:
    return importlib.util.find_spec("cascadio") is not None


def step_to_glb(data: bytes) -> bytes:
    """Tessellate a STEP file to GLB bytes (metres) with OpenCASCADE (cascadio).

    OpenCASCADE reports syntax errors by printing to the process's stdout and
    stderr and returning nothing; those lines are captured here and become the
    message of the ValueError, e.g. "line 582: unexpected end of file".
    """
    import cascadio  # optional: only installed with linetwin[step]

    glb, printed = _capturing_output(lambda: cascadio.load(data, file_type="step"))
    if glb:
        return glb
    match = _STEP_ERROR.search(printed)
    if match:
        raise ValueError(f"line {match.group(1)}: {match.group(2).strip()}")
    raise ValueError("OpenCASCADE found no shape to tessellate in it")


def _capturing_output(call):
    """Run ``call`` with file descriptors 1 and 2 sent to a temporary file.

    The C++ library writes to the descriptors, not to ``sys.stdout``; a lock keeps
    two loads from swapping each other's descriptors.
    """
    with _capture_lock, tempfile.TemporaryFile() as sink:
        saved = [os.dup(1), os.dup(2)]
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            result = call()
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
        sink.seek(0)
        printed = sink.read().decode("utf-8", "replace")
    return result, re.sub(r"\x1b\[[0-9;]*m", "", printed)
