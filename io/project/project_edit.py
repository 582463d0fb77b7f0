"""Edit a project file in place: add a signal, undo the last edit.

The user's file is theirs: comments, blank lines, key order and formatting all
stay exactly as they were. A new ``[[signals]]`` table is rendered with tomlkit
and *inserted* as text right after the last existing signal (before any
comment that introduces the next section), so every original byte is kept.
The result must mean exactly "the old document plus one signal" (checked with
``tomllib``) and must load with :func:`~linetwin.io.project.project_file.load_project`
before anything is written; then the file is replaced atomically and the
previous version kept as ``<file>.bak`` for :func:`undo_last_edit`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit

from linetwin.io.project import project_schema as schema
from linetwin.io.opcua.node_ids import parse_node_id
from linetwin.io.project.project_file import ProjectFileError, load_project, parse_project_text
from linetwin.io.project.toml_lines import scan_lines, split_key
from linetwin.twin.model import Project

_BOM = b"\xef\xbb\xbf"
_HEADER = re.compile(r"^[ \t]*\[(\[?)([^\[\]]*)\](\]?)[ \t]*(?:#.*)?$")
_FIELD_ORDER = tuple(schema.SignalEntry.model_fields)


class ProjectEditError(Exception):
    """An edit was refused or failed; nothing was written. ``problems``: the details."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        super().__init__("\n".join([message, *("  " + p for p in self.problems)]))


def backup_path(project_path: str | Path) -> Path:
    """Where the version before the last edit is kept: ``<file>.bak``."""
    path = Path(project_path)
    return path.with_name(path.name + ".bak")


def add_signal(project_path: str | Path, proposal_or_fields: Any) -> Project:
    """Add one ``[[signals]]`` table to the project file.

    Parameters
    ----------
    project_path : the project file (``*.toml``)
    proposal_or_fields : a mapping of signal keys (``id``, ``asset``, ``node``,
        ``kind``, ``unit``...) or an object with ``to_fields()`` such as
        :class:`~linetwin.io.opcua.address_space.SignalProposal`

    Returns
    -------
    Project
        The project as it now is on disk (already loaded and checked).

    Raises
    ------
    ProjectEditError
        Duplicate id, node already bound to the asset, unknown asset, invalid
        field, unreadable or already broken file... The file is then untouched.
    """
    path = Path(project_path)
    fields = _fields_of(proposal_or_fields)
    data = _read(path)
    bom = _BOM if data.startswith(_BOM) else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        raise ProjectEditError(f"{path}: not UTF-8 text; cannot edit it") from None
    _refuse_conflicts(path, text, fields)
    newline = "\r\n" if "\r\n" in text else "\n"
    table = _render(fields).replace("\n", newline)
    new_text = _insert_table(path, text, table, newline)
    project = _write_checked(path, bom + new_text.encode("utf-8"), data)
    return project


def undo_last_edit(project_path: str | Path) -> None:
    """Put back the version saved before the last edit (its exact bytes).

    The backup is used up: a second undo raises :class:`ProjectEditError`.
    """
    path = Path(project_path)
    backup = backup_path(path)
    if not backup.is_file():
        raise ProjectEditError(f"{path}: nothing to undo (no backup {backup.name})")
    try:
        os.replace(backup, path)
    except OSError as error:
        raise ProjectEditError(f"{path}: cannot restore {backup.name}: {error.strerror or error}") from None


# -- checks -------------------------------------------------------------------------------


def _fields_of(source: Any) -> dict[str, Any]:
    if hasattr(source, "to_fields"):
        source = source.to_fields()
    if not isinstance(source, Mapping):
        raise TypeError(f"expected signal fields or a proposal, got {type(source).__name__}")
    fields = {key: _plain_value(value) for key, value in source.items() if value is not None}
    missing = [key for key in ("id", "asset", "node", "kind") if not fields.get(key)]
    if missing:
        raise ProjectEditError(f"cannot add the signal: missing {', '.join(missing)}")
    return fields


def _plain_value(value: Any) -> Any:
    """Limits given as ``(low, high)`` or as a dataclass become a table."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, tuple) and len(value) == 2:
        value = {"low": value[0], "high": value[1]}
    if isinstance(value, Mapping):
        return {k: v for k, v in value.items() if v is not None}
    return value


def _refuse_conflicts(path: Path, text: str, fields: dict[str, Any]) -> None:
    """Refuse a file that is already broken, a taken id, an unknown asset, a node bound twice."""
    try:
        document = parse_project_text(path, text)
    except ProjectFileError as error:
        raise ProjectEditError(
            f"{path} has problems already; fix them before adding a signal", [str(p) for p in error.problems]
        ) from None
    signal_id, asset, node = fields["id"], fields["asset"], fields["node"]
    if any(s.id == signal_id for s in document.signals):
        raise ProjectEditError(f"{path}: a signal with id '{signal_id}' exists already; choose another id")
    assets = [a.id for a in document.assets]
    if asset not in assets:
        raise ProjectEditError(
            f"{path}: cannot add signal '{signal_id}': asset '{asset}' is not in the project "
            f"(assets: {', '.join(assets) or 'none'})"
        )
    for sig in document.signals:
        if sig.asset == asset and _same_node(sig.node, str(node)):
            raise ProjectEditError(
                f"{path}: node {node} is already bound to asset '{asset}' as signal '{sig.id}'"
            )


def _same_node(a: str, b: str) -> bool:
    try:
        return parse_node_id(a) == parse_node_id(b)
    except ValueError:
        return a.strip() == b.strip()


# -- text -----------------------------------------------------------------------------


def _render(fields: dict[str, Any]) -> str:
    """``[[signals]]`` plus its keys in schema order, as tomlkit writes them."""
    table = tomlkit.table()
    order = [k for k in _FIELD_ORDER if k in fields] + [k for k in fields if k not in _FIELD_ORDER]
    for key in order:
        value = fields[key]
        if isinstance(value, Mapping):  # limits, states, alerts: inline, as the demo file has them
            inline = tomlkit.inline_table()
            inline.update(value)
            value = inline
        table[key] = value
    tables = tomlkit.aot()
    tables.append(table)
    try:
        return tomlkit.dumps({"signals": tables})
    except (TypeError, ValueError) as error:  # a value TOML cannot hold
        raise ProjectEditError(f"cannot write signal '{fields['id']}': {error}") from None


def _insert_table(path: Path, text: str, table: str, newline: str) -> str:
    """``text`` with ``table`` inserted after the last signal (else at the end).

    Pure insertion: the original text stays byte for byte. The result is
    accepted only if it parses to the old document plus this one signal.
    """
    old = tomllib.loads(text)
    added = tomllib.loads(table)["signals"][0]
    candidates = []
    offset = _end_of_last_signal(text)
    if offset is not None:
        candidates.append(offset)
    candidates.append(len(text))
    for offset in candidates:
        before = text[:offset]
        gap = "" if before == "" or before.endswith("\n") else newline
        new_text = before + gap + (newline if before else "") + table + text[offset:]
        if _means(new_text, old, added):
            return new_text
    raise ProjectEditError(
        f"{path}: cannot add a [[signals]] table to this file's layout "
        "(are signals written as an inline array?); add it by hand"
    )


def _means(text: str, old: dict[str, Any], added: dict[str, Any]) -> bool:
    try:
        new = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    expected = dict(old, signals=[*old.get("signals", []), added])
    return new == expected


def _end_of_last_signal(text: str) -> int | None:
    """Offset just after the last key line of the last ``[[signals]]`` table.

    Comments and blank lines after it stay below the new table: they usually
    introduce what follows (``# First-pass yield ...`` above ``[[fpy]]``).
    """
    lines = text.splitlines(keepends=True)
    headers: list[tuple[int, list[str], bool]] = []
    content: list[bool] = []
    for index, (line, top, has_content) in enumerate(scan_lines(lines)):
        content.append(has_content)
        match = _HEADER.match(line.rstrip("\r\n")) if top else None
        if match and bool(match.group(1)) == bool(match.group(3)):
            headers.append((index, split_key(match.group(2)), bool(match.group(1))))
    signal_headers = [i for i, parts, array in headers if parts == ["signals"] and array]
    if not signal_headers:
        return None
    start = signal_headers[-1]
    end = next((i for i, parts, _ in headers if i > start and parts[:1] != ["signals"]), len(lines))
    last = max(i for i in range(start, end) if content[i])
    return sum(len(line) for line in lines[: last + 1])


# -- writing -----------------------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ProjectEditError(f"{path}: project file not found") from None
    except OSError as error:
        raise ProjectEditError(f"{path}: cannot read: {error.strerror or error}") from None


def _write_checked(path: Path, new_data: bytes, old_data: bytes) -> Project:
    """Load ``new_data`` from a temp file beside ``path``; only if it loads, keep
    ``old_data`` as the backup and move the temp file over ``path``."""
    temp = _temp_file(path, new_data)
    try:
        try:
            project = load_project(temp)
        except ProjectFileError as error:
            problems = [str(dataclasses.replace(p, file=path)) for p in error.problems]
            raise ProjectEditError(f"{path}: the signal was not added; the file would be invalid", problems) from None
        backup = _temp_file(path, old_data)
        try:
            os.replace(backup, backup_path(path))
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(backup)
            raise
        os.replace(temp, path)
    except OSError as error:
        raise ProjectEditError(f"{path}: cannot write: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)  # gone already after a successful replace
    return dataclasses.replace(project, path=path.resolve())


def _temp_file(path: Path, data: bytes) -> Path:
    """A new file in ``path``'s folder (same file system: os.replace is atomic)."""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise ProjectEditError(f"{path}: cannot write in {path.parent}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            shutil.copymode(path, name)  # keep the file's permissions, not mkstemp's 0600
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise ProjectEditError(f"{path}: cannot write: {error.strerror or error}") from None
    return Path(name)
