"""Incident packages (``.ltpkg``): one file that reopens an investigation anywhere, offline.

A package is a zip holding

- ``project/<name>.toml``: the project file, its mesh paths rewritten to the
  copies inside the package (``meshes/...``, relative to the project file);
- ``project/meshes/...``: every mesh file the project references;
- ``project/sops/...``: its SOP files (their step images in ``sops/images/``),
  so a replay judges the operator steps against the same SOPs;
- ``history.duckdb``: the slice ``[start - warmup, end]`` of every table (from
  further back when an alert active at ``start`` was raised earlier) as a
  history of its own (:mod:`.data_slice`), bookmarks and annotations of the
  range included, so it opens as any recorded history;
- ``manifest.json``: the range, and the sha256 of every other member.

:func:`open_package` extracts a package into the user's cache folder, in a
folder named by the package's own hash (a second open of the same file reuses
it), and checks every member against the manifest: a tampered or truncated
package is refused naming the member, never replayed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import platformdirs
import tomlkit

from linetwin.io.history.data_slice import SliceError, copy_slice
from linetwin.io.history.history_store import HistoryStore, HistoryStoreError

FORMAT = "linetwin-incident-package"
VERSION = 1
MANIFEST = "manifest.json"
HISTORY = "history.duckdb"
WARMUP_S = 1800.0  # history kept before the range: rule windows and alerts at its start
_CHUNK = 1 << 20


def _models(history: Path) -> list[dict[str, str]]:
    """The what-if models fitted on the history (version and sha256), for the manifest's reader."""
    with HistoryStore(history, read_only=True) as store:
        rows = store.fetch_dicts("SELECT version, station, model_hash FROM whatif_models ORDER BY created_at")
    return [{"version": r["version"], "station": r["station"], "sha256": r["model_hash"]} for r in rows]


class PackageError(Exception):
    """A package cannot be written or opened; the message names the file and the member."""


def write_package(project_path: Path, history_path: Path, start: float, end: float, out: Path,
                  warmup_s: float = WARMUP_S) -> Path:
    """Write the package of ``[start, end]`` to ``out``; ``out``."""
    project_path, history_path, out = Path(project_path), Path(history_path), Path(out)
    if not end > start:
        raise PackageError(f"{out}: the range must end after it starts")
    if not out.parent.is_dir():
        raise PackageError(f"{out}: the folder {out.parent} does not exist")
    with tempfile.TemporaryDirectory(prefix="ltpkg-") as tmp:
        staging = Path(tmp)
        project_member, meshes = _stage_project(project_path, staging / "project")
        try:
            rows = copy_slice(history_path, staging / HISTORY,
                              slice_start(history_path, start, warmup_s), end)
        except SliceError as exc:
            raise PackageError(str(exc)) from None
        members = [project_member, *meshes, HISTORY]
        manifest = {"format": FORMAT, "version": VERSION, "project": project_member,
                    "history": HISTORY, "start": start, "end": end, "warmup_s": warmup_s,
                    "rows": rows, "sha256": {m: file_sha256(staging / m) for m in members},
                    "models": _models(staging / HISTORY)}
        partial = out.with_name(out.name + ".part")
        try:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
                for member in members:
                    zf.write(staging / member, member)
            partial.replace(out)  # a crash leaves no half package under the real name
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise PackageError(f"{out}: cannot write the package: {exc.strerror or exc}") from None
    return out


def slice_start(history_path: Path, start: float, warmup_s: float) -> float:
    """Where the package's data begins: ``warmup_s`` before ``start``, or before the
    raise of the oldest alert still active at ``start`` if that is earlier, so the
    package replays that alert as raised when it was (not again, later, at its cut)."""
    try:
        with HistoryStore(history_path, read_only=True) as store:
            [row] = store.fetch_dicts(
                "SELECT min(raised_at) AS first FROM alerts WHERE raised_at <= $t "
                "AND coalesce(cleared_at, 'Infinity'::DOUBLE) > $t", {"t": start})
    except HistoryStoreError as exc:
        raise PackageError(str(exc)) from None
    first = row["first"]
    return start - warmup_s if first is None else min(start, first) - warmup_s


def _stage_project(project_path: Path, folder: Path) -> tuple[str, list[str]]:
    """Copy the project file (mesh paths rewritten) and its meshes; their member names."""
    try:
        doc = tomlkit.parse(project_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        raise PackageError(f"{project_path}: cannot read the project file: {exc}") from None
    (folder / "meshes").mkdir(parents=True)
    copied: dict[Path, str] = {}  # source mesh -> its path relative to the project file
    for asset in doc.get("assets", []):
        mesh = asset.get("mesh")
        if not mesh:
            continue
        source = (project_path.parent / str(mesh)).resolve()
        if source not in copied:
            if not source.is_file():
                raise PackageError(f"{project_path}: asset {asset.get('id')!r}: mesh {source} "
                                   "does not exist")
            name = _unique_name(source.name, set(copied.values()))
            shutil.copyfile(source, folder / name)
            copied[source] = name
        asset["mesh"] = copied[source]
    sops = _stage_sops(doc, project_path, folder)
    project_name = project_path.name if project_path.suffix == ".toml" else "project.toml"
    (folder / project_name).write_text(tomlkit.dumps(doc), encoding="utf-8")
    return f"project/{project_name}", sorted(f"project/{m}" for m in [*copied.values(), *sops])


def _stage_sops(doc: tomlkit.TOMLDocument, project_path: Path, folder: Path) -> list[str]:
    """Copy the project's SOP files (and their step images), rewriting the paths; the
    copies' names relative to the project file."""
    if "sops" not in doc:
        return []
    staged: list[str] = []
    names: list[str] = []
    for entry in doc["sops"]:
        source = (project_path.parent / str(entry)).resolve()
        try:
            sop = tomlkit.parse(source.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
            raise PackageError(f"{project_path}: SOP file {source}: cannot be read: {exc}") from None
        for step in sop.get("steps", []):
            if step.get("image"):
                image = (source.parent / str(step["image"])).resolve()
                if not image.is_file():
                    raise PackageError(f"{source}: step {step.get('id')!r}: image {image} does not exist")
                name = _unique_name(image.name, set(staged), folder="sops/images")
                (folder / "sops" / "images").mkdir(parents=True, exist_ok=True)
                shutil.copyfile(image, folder / name)
                staged.append(name)
                step["image"] = name.removeprefix("sops/")
        name = _unique_name(source.name, set(staged), folder="sops")
        (folder / "sops").mkdir(exist_ok=True)
        (folder / name).write_text(tomlkit.dumps(sop), encoding="utf-8")
        staged.append(name)
        names.append(name)
    doc["sops"] = names
    return staged


def _unique_name(name: str, taken: set[str], folder: str = "meshes") -> str:
    """``FOLDER/NAME``, numbered when two different files share a name."""
    candidate, n = f"{folder}/{name}", 1
    while candidate in taken:
        candidate, n = f"{folder}/{n}-{name}", n + 1
    return candidate


def open_package(path: Path, cache_root: Path | None = None) -> tuple[Path, Path]:
    """Extract and verify ``path``; (project file, history file) inside the cache folder."""
    path = Path(path)
    if not path.is_file():
        raise PackageError(f"{path}: no such incident package")
    folder = (cache_root or package_cache_root()) / file_sha256(path)[:32]
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = _manifest(path, zf)
            if not _verified(folder, manifest):
                _extract(path, zf, manifest, folder)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise PackageError(f"{path}: not a readable incident package ({exc})") from None
    return folder / manifest["project"], folder / manifest["history"]


def package_cache_root() -> Path:
    """Where packages are extracted: ``platformdirs.user_cache_dir("linetwin")/packages``."""
    return Path(platformdirs.user_cache_dir("linetwin")) / "packages"


def read_manifest(path: Path) -> dict:
    """The manifest of the package at ``path`` (PackageError if it has none)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return _manifest(Path(path), zf)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise PackageError(f"{path}: not a readable incident package ({exc})") from None


def _manifest(path: Path, zf: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise PackageError(f"{path}: no {MANIFEST}: not an incident package") from None
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise PackageError(f"{path}: member {MANIFEST} is damaged ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageError(f"{path}: {MANIFEST} does not describe an incident package")
    if manifest.get("version", 0) > VERSION:
        raise PackageError(f"{path}: written by a newer LineTwin (package version "
                           f"{manifest['version']}; this one reads up to {VERSION})")
    hashes = manifest.get("sha256")
    if not isinstance(hashes, dict) or manifest.get("project") not in hashes \
            or manifest.get("history") not in hashes:
        raise PackageError(f"{path}: {MANIFEST} lists no project or history")
    for member in hashes:
        if Path(member).is_absolute() or ".." in Path(member).parts:
            raise PackageError(f"{path}: member {member!r} points outside the package")
    return manifest


def _verified(folder: Path, manifest: dict) -> bool:
    """True if ``folder`` already holds every member with its manifest hash."""
    return all((folder / m).is_file() and file_sha256(folder / m) == digest
               for m, digest in manifest["sha256"].items())


def _extract(path: Path, zf: zipfile.ZipFile, manifest: dict, folder: Path) -> None:
    """Extract every listed member into a fresh folder, checking each hash on the way."""
    staging = Path(tempfile.mkdtemp(prefix=folder.name + "-", dir=_made(folder.parent)))
    try:
        names = set(zf.namelist())
        for member, digest in manifest["sha256"].items():
            if member not in names:
                raise PackageError(f"{path}: member {member} is missing")
            target = staging / member
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
                raise PackageError(f"{path}: member {member} is damaged ({exc})") from None
            if file_sha256(target) != digest:
                raise PackageError(f"{path}: member {member} does not match its hash in "
                                   f"{MANIFEST}: the package was changed or damaged")
        shutil.rmtree(folder, ignore_errors=True)  # a half or stale earlier extraction
        staging.replace(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()
