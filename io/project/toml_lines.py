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
from collections.abc import Iterator, Sequence

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
        self._text: str | None = text
        self._lines: dict[KeyPath, int] = {}

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Line of ``path``, else of its closest enclosing key or element, else None.

        A missing key thus points at the header of the table or ``[[array]]``
        element that should hold it.
        """
        if self._text is not None:  # scanned on first use: a file without problems never is
            self._scan(self._text)
            self._text = None
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
        for number, (raw, top, has_content) in enumerate(scan_lines(text.splitlines()), start=1):
            if not (top and has_content):  # inside a multi-line value, or only a comment
                continue
            line = _strip_comment(raw).strip()
            if line.startswith("[["):
                name = split_key(line[2:].rstrip("]"))
                parent = self._resolve((), name[:-1], array_counts)
                array = parent + (name[-1],)
                index = array_counts.get(array, 0)
                array_counts[array] = index + 1
                table = array + (index,)
                self._lines.setdefault(array, number)
                self._lines[table] = number
            elif line.startswith("["):
                table = self._resolve((), split_key(line[1:].rstrip("]")), array_counts)
                self._lines.setdefault(table, number)
            elif "=" in line:
                self._lines[table + tuple(_assigned_key(line))] = number

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


def _assigned_key(line: str) -> list[str]:
    """The key of ``key = value``: split at the first ``=`` outside a quoted key."""
    quote: str | None = None
    for i, char in enumerate(line):
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "=":
            return split_key(line[:i])
    return split_key(line)


def split_key(key: str) -> list[str]:
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


def scan_lines(lines: list[str]) -> Iterator[tuple[str, bool, bool]]:
    """Per line: ``(line, starts at top level, holds more than comments/blanks)``.

    The one TOML lexer of the project (key lines here, text-preserving edits in
    :mod:`~linetwin.io.project.project_edit`): it tracks multi-line strings and
    arrays/inline tables spanning lines, so a ``[`` or ``=`` inside a value is
    never taken for a header or a key.
    """
    open_string: str | None = None
    depth = 0
    for line in lines:
        top = open_string is None and depth == 0
        has_content = open_string is not None
        if top and line.strip().startswith("["):  # a header: its brackets are not a value's
            yield line, True, True
            continue
        i = 0
        while i < len(line):
            if open_string is not None:
                end = line.find(open_string, i)
                if end < 0:
                    break
                i, open_string = end + 3, None
                continue
            char = line[i]
            if char == "#":
                break
            if not char.isspace():
                has_content = True
            if line.startswith(('"""', "'''"), i):
                open_string, i = line[i : i + 3], i + 3
                continue
            if char in "\"'":
                i = _string_end(line, i)
                continue
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth = max(depth - 1, 0)
            i += 1
        yield line, top, has_content


def _string_end(line: str, start: int) -> int:
    """Index just after the one-line string starting at ``start``."""
    quote, i = line[start], start + 1
    while i < len(line):
        if quote == '"' and line[i] == "\\":
            i += 2
            continue
        if line[i] == quote:
            return i + 1
        i += 1
    return i
