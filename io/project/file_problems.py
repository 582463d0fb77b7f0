"""Problems of TOML files (project, SOP), each located at FILE:LINE.

Shared by the project file and the SOP files it references: reading the text,
turning pydantic's schema errors into :class:`Problem` s with the line of the
offending key, and naming the element they are about (``step 'heat_up'``).
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from linetwin.io.project.toml_lines import KeyLines, syntax_error_line, syntax_error_message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located as precisely as known."""

    file: Path
    line: int | None
    key: str | None
    message: str

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}: {self.message}"
        if self.key and not self.message.startswith(self.key):
            return f"{self.file}: {self.key}: {self.message}"
        return f"{self.file}: {self.message}"


class ProjectFileError(Exception):
    """A project file (or a file it references) could not be loaded; ``problems``
    says everything wrong with it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Vocabulary:
    """How one kind of file names its parts in messages.

    ``nouns``: array of tables -> what one element is called (``steps`` -> ``step``);
    ``id_keys``: the key naming an element where it is not ``id``; ``tables``:
    key path (without indices) -> model, for did-you-mean hints; ``unions``: arrays
    whose elements take their model from a ``kind`` key.
    """

    nouns: dict[str, str]
    tables: dict[tuple[str, ...], type[BaseModel]]
    id_keys: dict[str, str] = field(default_factory=dict)
    unions: dict[str, dict[str, type[BaseModel]]] = field(default_factory=dict)


def read_toml_text(path: Path, what: str = "project file") -> str:
    """The text of a TOML file, or ProjectFileError saying why it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ProjectFileError([Problem(path, None, None, f"{what} not found")]) from None
    except IsADirectoryError:
        raise ProjectFileError([Problem(path, None, None, f"is a folder, not a {what}")]) from None
    except OSError as error:
        message = f"cannot read {what}: {error.strerror or error}"
        raise ProjectFileError([Problem(path, None, None, message)]) from None
    try:
        # utf-8-sig: tolerate the byte order mark some Windows editors write.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        raise ProjectFileError([Problem(path, line, None, message)]) from None


def parse_toml(path: Path, text: str) -> tuple[dict, KeyLines]:
    """The TOML document and its key lines; a syntax error is a ProjectFileError."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = f"TOML syntax error: {syntax_error_message(error)}"
        raise ProjectFileError([Problem(path, syntax_error_line(error), None, message)]) from None
    return raw, KeyLines(text)


def problem_at(path: Path, lines: KeyLines, loc: Sequence[str | int], message: str) -> Problem:
    """A Problem for the key at ``loc``, with its line where the text has one."""
    return Problem(path, lines.line_of(loc), format_key(loc) or None, message)


def format_key(loc: Sequence[str | int]) -> str:
    """``("assets", 3, "mesh_units")`` -> ``"assets[3].mesh_units"``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# -- schema errors -> problems ------------------------------------------------------


def schema_problems(error: ValidationError, path: Path, lines: KeyLines, raw: dict,
                    words: Vocabulary) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = _clean_loc(item["loc"], words)
        if item["type"] == "union_tag_invalid":
            loc = loc + ("kind",)  # point at the bad kind, not the element's header
        # for a missing or unknown key (or a bad kind), the message itself names it
        names_key = item["type"] in ("missing", "extra_forbidden", "union_tag_invalid")
        subject, key = _describe(loc[:-1] if names_key else loc, raw, words)
        text = _friendly(item, loc, raw, words)
        message = ": ".join(part for part in (subject, key, text) if part)
        problems.append(Problem(path, lines.line_of(loc), format_key(loc) or None, message))
    # pydantic reports in field order; a reader fixes a file top to bottom.
    return sorted(problems, key=lambda p: p.line if p.line is not None else 1 << 30)


def _clean_loc(loc: tuple, words: Vocabulary) -> tuple[str | int, ...]:
    """Drop pydantic's own markers: the union tag of an element, ``[key]`` of dict keys."""
    parts = [p for p in loc if p != "[key]"]
    if len(parts) > 2 and parts[0] in words.unions and parts[2] in words.unions[parts[0]]:
        del parts[2]
    return tuple(parts)


def _describe(loc: tuple[str | int, ...], raw: dict, words: Vocabulary) -> tuple[str, str]:
    """Who the error is about (``asset 'sealer'``) and the key inside it."""
    if len(loc) >= 2 and loc[0] in words.nouns and isinstance(loc[1], int):
        element = _get(raw, loc[:2])
        id_key = words.id_keys.get(str(loc[0]), "id")
        ident = element.get(id_key) if isinstance(element, dict) else None
        noun = words.nouns[str(loc[0])]
        subject = f"{noun} '{ident}'" if isinstance(ident, str) else f"{loc[0]}[{loc[1]}]"
        return subject, format_key(loc[2:])
    if loc:
        return f"[{loc[0]}]", format_key(loc[1:])
    return "", ""


def _friendly(item: dict[str, Any], loc: tuple[str | int, ...], raw: dict, words: Vocabulary) -> str:
    kind, message, value = item["type"], item["msg"], item.get("input")
    if kind == "missing":
        if len(loc) == 1:
            return f"missing required table [{loc[0]}]"
        return f"missing required key '{loc[-1]}'"
    if kind == "extra_forbidden":
        known = _known_keys(loc[:-1], raw, words)
        return f"unknown key '{loc[-1]}'{_did_you_mean(str(loc[-1]), known)}"
    kinds = " or ".join(repr(k) for k in words.unions.get(str(loc[0]) if loc else "", {}))
    if kind == "union_tag_invalid":
        return f"kind must be {kinds}, got {item['ctx']['tag']!r}"
    if kind == "union_tag_not_found":
        return f"missing required key 'kind' ({kinds})"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind.endswith("_type") and isinstance(value, (dict, list)):
        return message
    return f"{message}, got {value!r}"


def _did_you_mean(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _known_keys(table: tuple[str | int, ...], raw: dict, words: Vocabulary) -> set[str]:
    """The keys allowed in the table at ``table``, for a did-you-mean hint."""
    names = tuple(str(p) for p in table if not isinstance(p, int))
    if len(names) == 1 and names[0] in words.unions:
        kind = _get(raw, table + ("kind",))
        models = words.unions[names[0]]
        chosen = [models[kind]] if kind in models else list(models.values())
        return {name for model in chosen for name in model.model_fields}
    model = words.tables.get(names)
    return set(model.model_fields) if model else set()


def _get(raw: Any, loc: Sequence[str | int]) -> Any:
    for part in loc:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    return raw
