"""Line numbers for key paths in a TOML document.

``tomllib`` returns plain dicts with no positions, yet every error in a project
file must name its line. This module scans the text once and records the line of
every table header and every ``key =`` line under its full key path, with array
of tables elements numbered in order of appearance, so that a pydantic error
``loc`` such as ``("assets", 3, "mesh_units")`` maps straight to a line.

It is not a TOML parser: it relies on the file having parsed already, and only
has to be right about where headers and keys start.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence

KeyPath = tuple[str | int, ...]

_SYNTAX_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def syntax_error_line(error: tomllib.TOMLDecodeError) -> int | None:
    """The 1-based line of a TOML syntax error, or None if it carries none."""
    line = getattr(error, "lineno", None)  # Python >= 3.14 sets it
    if isinstance(line, int):
        return line
    match = _SYNTAX_POSITION.search(str(error))
    return int(match.group(1)) if match else None


def syntax_error_message(error: tomllib.TOMLDecodeError) -> str:
    """The message of a TOML syntax error without its ``(at line X, column Y)``."""
    message = getattr(error, "msg", None) or str(error)
    return _SYNTAX_POSITION.sub("", message).strip()


class KeyLines:
    """Maps key paths of a TOML document to 1-based line numbers.

    Parameters
    ----------
    text
        The TOML source, which is assumed to parse.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[KeyPath, int] = {}
        self._scan(text)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Line of ``path``, else of its closest enclosing key or element, else None.

        A missing key thus points at the header of the table or ``[[array]]``
        element that should hold it.
        """
        path = tuple(path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None

    # -- scanning -----------------------------------------------------------------

    def _scan(self, text: str) -> None:
        table: KeyPath = ()
        array_counts: dict[KeyPath, int] = {}  # resolved array path -> elements seen
        in_multiline: str | None = None  # the closing quote of an open """ or ''' string
        depth = 0  # open [ and { of a value that spans lines
        for number, raw in enumerate(text.splitlines(), start=1):
            if in_multiline is not None:
                if in_multiline in raw:
                    in_multiline = _open_multiline(raw.split(in_multiline, 1)[1])
                continue
            line = _strip_comment(raw).strip()
            if depth > 0:
                depth = max(0, depth + _bracket_balance(line))
                continue
            if not line:
                continue
            if line.startswith("[["):
                name = _split_key(line[2:].rstrip("]"))
                parent = self._resolve((), name[:-1], array_counts)
                array = parent + (name[-1],)
                index = array_counts.get(array, 0)
                array_counts[array] = index + 1
                table = array + (index,)
                self._lines.setdefault(array, number)
                self._lines[table] = number
            elif line.startswith("["):
                table = self._resolve((), _split_key(line[1:].rstrip("]")), array_counts)
                self._lines.setdefault(table, number)
            elif "=" in line:
                key, value = _split_assignment(line)
                self._lines[table + tuple(key)] = number
                in_multiline = _open_multiline(value)
                depth = max(0, _bracket_balance(value))

    @staticmethod
    def _resolve(root: KeyPath, names: list[str], counts: dict[KeyPath, int]) -> KeyPath:
        """Turn header names into a key path, entering the latest element of any array.

        ``[visual_rules.colors]`` after the second ``[[visual_rules]]`` is
        ``("visual_rules", 1, "colors")``.
        """
        path = root
        for name in names:
            path = path + (name,)
            if path in counts:
                path = path + (counts[path] - 1,)
        return path


def _strip_comment(line: str) -> str:
    """Drop a ``#`` comment that is not inside a quoted string."""
    quote: str | None = None
    escaped = False
    for i, char in enumerate(line):
        if quote == '"' and escaped:
            escaped = False
        elif quote == '"' and char == "\\":
            escaped = True
        elif quote is not None:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:i]
    return line


def _without_strings(text: str) -> str:
    """``text`` with the contents of quoted strings removed."""
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', '""', text)


def _bracket_balance(text: str) -> int:
    bare = _without_strings(text)
    return bare.count("[") + bare.count("{") - bare.count("]") - bare.count("}")


def _open_multiline(value: str) -> str | None:
    """The delimiter of a multi-line string left open at the end of ``value``."""
    for delimiter in ('"""', "'''"):
        if value.count(delimiter) % 2 == 1:
            return delimiter
    return None


def _split_assignment(line: str) -> tuple[list[str], str]:
    """Split ``key = value`` at the first ``=`` outside a quoted key."""
    quote: str | None = None
    for i, char in enumerate(line):
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "=":
            return _split_key(line[:i]), line[i + 1 :]
    return _split_key(line), ""


def _split_key(key: str) -> list[str]:
    """Split a dotted key (``a."b.c".d``) into its parts, unquoted."""
    parts: list[str] = []
    rest = key.strip()
    while rest:
        if rest[0] in "\"'":
            end = rest.find(rest[0], 1)
            end = len(rest) if end < 0 else end
            parts.append(rest[1:end])
            rest = rest[end + 1 :]
        else:
            match = _BARE_KEY.match(rest)
            token = match.group(0) if match else rest.split(".", 1)[0]
            parts.append(token.strip())
            rest = rest[len(token) :] if token else rest[1:]
        rest = rest.strip()
        if rest.startswith("."):
            rest = rest[1:].strip()
    return parts
