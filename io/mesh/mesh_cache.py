"""On-disk cache of parsed meshes, keyed by file content.

Parsing a CAD export through trimesh is the slow part of opening a line; the
parsed parts (names, vertices, faces, already in metres but before the asset's
placement), with the units the file declares and the reader's warnings, are
saved as one ``.npz`` per file content, so a second open of the
same bytes is a single ``numpy.load``. The key is a content hash, not a path or
mtime: a copied or touched file still hits, an edited one misses.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import numpy as np
import platformdirs

from linetwin.io.mesh.mesh_formats import DeclaredUnits
from linetwin.io.mesh.mesh_reader import MeshRead
from linetwin.twin.geometry import MeshPart

log = logging.getLogger(__name__)

# Bump when what is stored (or how a file is turned into parts) changes, so old
# entries are never read back as if they were current.
FORMAT_VERSION = 3  # 2: declared units and warnings stored; 3: simplified parts (LOD)


class PartsStore(Protocol):
    """Anything that stores parsed meshes by content key (the cache, a memo)."""

    def get(self, key: str) -> MeshRead | None: ...

    def put(self, key: str, read: MeshRead) -> None: ...


def user_cache_folder() -> Path:
    """The user's mesh cache, ``platformdirs.user_cache_dir("linetwin")/meshes``:
    what the app and the commands pass to :class:`MeshCache` (tests pass a
    temporary folder; nothing picks the user's folder silently)."""
    return Path(platformdirs.user_cache_dir("linetwin")) / "meshes"


class MeshCache:
    """A folder of cached mesh parts.

    Parameters
    ----------
    folder
        Where entries live (e.g. :func:`user_cache_folder`). Created on first write.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    @staticmethod
    def key(contents: Iterable[bytes], suffix: str, units: str | None) -> str:
        """Hash of the file bytes (and any files it references), format and units.

        The suffix is part of the key because the same bytes parse differently
        as, say, STL and OBJ; the units override (None: the file's own) because
        entries are stored in metres.
        """
        override = units or "file"
        digest = hashlib.sha256(
            f"linetwin-mesh/{FORMAT_VERSION}/{suffix.lower()}/{override}/".encode())
        for content in contents:
            digest.update(len(content).to_bytes(8, "little"))
            digest.update(content)
        return digest.hexdigest()

    def entry_path(self, key: str) -> Path:
        return self.folder / f"{key}.npz"

    def get(self, key: str) -> MeshRead | None:
        """The cached read for ``key``, or None if absent or unreadable."""
        path = self.entry_path(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                return _read_from_arrays(data)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            # A torn or foreign file: treat as a miss; put() will overwrite it.
            log.info("ignoring unreadable mesh cache entry %s: %s", path, error)
            return None

    def put(self, key: str, read: MeshRead) -> None:
        """Store ``read`` under ``key`` atomically; failures only cost speed."""
        arrays = _arrays_of(read)
        for i, part in enumerate(read.parts):
            arrays[f"vertices_{i}"] = np.ascontiguousarray(part.vertices, dtype=np.float64)
            arrays[f"faces_{i}"] = np.ascontiguousarray(part.faces, dtype=np.int64)
        for i, part in enumerate(read.lod or ()):
            arrays[f"lod_vertices_{i}"] = np.ascontiguousarray(part.vertices, dtype=np.float64)
            arrays[f"lod_faces_{i}"] = np.ascontiguousarray(part.faces, dtype=np.int64)
        tmp_name = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Write beside the target then rename: readers never see half an entry,
            # and two processes caching the same file just replace each other's copy.
            with tempfile.NamedTemporaryFile(
                dir=self.folder, prefix=".tmp-", suffix=".npz", delete=False
            ) as tmp:
                tmp_name = tmp.name
                np.savez(tmp, **arrays)
            os.replace(tmp_name, self.entry_path(key))
            tmp_name = None
        except OSError as error:
            log.warning("cannot write mesh cache entry in %s: %s", self.folder, error)
        finally:
            if tmp_name is not None:
                Path(tmp_name).unlink(missing_ok=True)


def _arrays_of(read: MeshRead) -> dict[str, np.ndarray]:
    declared = read.declared
    return {
        "names": np.array([p.name for p in read.parts], dtype=str),
        "scale": np.array([read.metres_per_unit], dtype=np.float64),
        "declared_factor": np.array([declared.metres_per_unit if declared else np.nan]),
        "declared_source": np.array([declared.source if declared else ""], dtype=str),
        "warnings": np.array(list(read.warnings), dtype=str),
    }


def _read_from_arrays(data) -> MeshRead:
    factor = float(data["declared_factor"][0])
    declared = None if np.isnan(factor) else DeclaredUnits(factor, str(data["declared_source"][0]))
    warnings = tuple(str(w) for w in data["warnings"].tolist())
    parts = _parts_from_arrays(data)
    lod = tuple(_parts_from_arrays(data, "lod_")) if "lod_faces_0" in data.files else None
    return MeshRead(parts, declared, float(data["scale"][0]), warnings, lod)


def _parts_from_arrays(data, prefix: str = "") -> list[MeshPart]:
    names = data["names"]
    parts = []
    for i, name in enumerate(names.tolist()):
        vertices, faces = data[f"{prefix}vertices_{i}"], data[f"{prefix}faces_{i}"]
        consistent = (
            vertices.ndim == 2
            and vertices.shape[1] == 3
            and faces.ndim == 2
            and faces.shape[1] == 3
            and np.issubdtype(faces.dtype, np.integer)
            and (faces.size == 0 or (faces.min() >= 0 and faces.max() < len(vertices)))
        )
        if not consistent:
            raise ValueError(f"part {i} has inconsistent arrays")
        parts.append(MeshPart(name=str(name), vertices=vertices, faces=faces))
    if not parts:
        raise ValueError("entry holds no parts")
    return parts
