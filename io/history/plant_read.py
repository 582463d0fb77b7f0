"""Reading a plant's export (CSV, Parquet, JSON lines) with DuckDB, guessing nothing.

- CSV: every column is read as text (``all_varchar``) so no value is silently
  turned into a date or a number; the separator (``;`` ``,`` tab ``|``) is the
  one the header line uses most; a UTF-8 byte-order mark, blank lines and
  quoted separators or line breaks are handled. Rows are named by their line
  in the file, as an editor or a spreadsheet counts them (the header is line 1).
- JSON lines: each line's object as JSON (``read_json_objects``), values as
  written (numbers stay numbers, text stays text); rows named by their line.
- Parquet: the file's own types; a timestamp with a zone becomes POSIX
  seconds, one without stays a local time (it needs ``--tz``); rows are
  named "data row N" (1-based, as the file stores them).

Column names are normalised (lower case, every run of characters other than
letters, digits and ``_`` as one ``_``, none at either end), so " Unit ID " is
``unit_id`` and "Seal Temp [°C]" is ``seal_temp_c``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

SEPARATORS = (";", ",", "\t", "|")
FORMATS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
           ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


class PlantFileError(Exception):
    """The export cannot be read at all; the message names the file."""


@dataclass
class PlantRows:
    """What a reader found: normalised column names and rows keyed by them."""

    path: Path
    columns: list[str]
    rows: list[tuple[str, dict[str, Any]]]  # (where, {column: value})
    convention: str  # how ``where`` counts, for the report


def normalise(name: str) -> str:
    return re.sub(r"\W+", "_", name.strip().lower()).strip("_")


def export_format(path: Path) -> str:
    """``csv``, ``parquet`` or ``jsonl``, by the file's extension."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise PlantFileError(f"{path}: unknown export format {path.suffix!r}; "
                             "expected .csv, .parquet or .jsonl")
    return kind


def read_plant_file(path: Path) -> PlantRows:
    kind = export_format(path)
    if not path.is_file():
        raise PlantFileError(f"{path}: no such file")
    con = duckdb.connect()
    try:
        return {"csv": _read_csv, "parquet": _read_parquet, "jsonl": _read_jsonl}[kind](con, path)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PlantFileError(f"{path}: cannot read it as {kind}: {first}") from None
    finally:
        con.close()


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path) -> PlantRows:
    text = _decoded(path)
    lines = list(_record_lines(text))
    if not lines:
        raise PlantFileError(f"{path}: the file is empty (no header line)")
    header = _lines(text)[lines[0] - 1]
    delim = max(SEPARATORS, key=header.count)
    cur = con.execute("SELECT * FROM read_csv(?, all_varchar = true, header = true, delim = ?, "
                      "quote = '\"', escape = '\"', null_padding = true, parallel = false)",
                      [str(path), delim])
    columns, records = _fetch(cur)
    starts = lines[1:]
    name = path.name
    if len(starts) == len(records):
        rows = [(f"line {line} of {name}", rec) for line, rec in zip(starts, records)]
        convention = "lines as a text editor counts them: line 1 is the header"
    else:  # a layout our line count reads otherwise: fall back to counting rows
        rows = [(f"data row {i} of {name}", rec) for i, rec in enumerate(records, 1)]
        convention = "data rows counted from 1, the header and blank lines not counted"
    blank = [where for where, rec in rows if all(v is None or not v.strip() for v in rec.values())]
    rows = [(where, rec) for where, rec in rows if where not in blank]  # spaces only: a blank line
    return PlantRows(path, columns, rows, convention)


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> PlantRows:
    described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    select = []
    for name, sql_type, *_ in described:
        quoted = '"' + name.replace('"', '""') + '"'
        if sql_type == "TIMESTAMP WITH TIME ZONE":
            select.append(f"epoch({quoted}) AS {quoted}")  # an instant: no zone needed
        elif sql_type.startswith("TIMESTAMP") or sql_type == "DATE":
            select.append(f"strftime({quoted}, '%Y-%m-%dT%H:%M:%S.%f') AS {quoted}")  # local time
        else:
            select.append(quoted)
    cur = con.execute(f"SELECT {', '.join(select)} FROM read_parquet(?)", [str(path)])
    columns, records = _fetch(cur)
    rows = [(f"data row {i} of {path.name}", rec) for i, rec in enumerate(records, 1)]
    return PlantRows(path, columns, rows, "data rows counted from 1 as the file stores them")


def _read_jsonl(con: duckdb.DuckDBPyConnection, path: Path) -> PlantRows:
    lines = [n for n, line in enumerate(_lines(_decoded(path)), 1) if line.strip()]
    objects = [row[0] for row in con.execute(
        "SELECT json FROM read_json_objects(?, format = 'newline_delimited')", [str(path)]).fetchall()]
    if len(lines) != len(objects):
        lines = list(range(1, len(objects) + 1))
    rows, columns = [], {}
    for line, raw in zip(lines, objects):
        value = json.loads(raw)
        where = f"line {line} of {path.name}"
        if not isinstance(value, dict):
            rows.append((where, {}))  # reported as missing every field
            continue
        record = {normalise(str(k)): v for k, v in value.items()}
        columns.update(dict.fromkeys(record))
        rows.append((where, record))
    return PlantRows(path, list(columns), rows, "lines as a text editor counts them")


def _fetch(cur: duckdb.DuckDBPyConnection) -> tuple[list[str], list[dict[str, Any]]]:
    names = [normalise(d[0]) for d in cur.description]
    return names, [dict(zip(names, values)) for values in cur.fetchall()]


def _decoded(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlantFileError(f"{path}: not UTF-8 text (byte {exc.start}); save the export as UTF-8") from None


def _record_lines(text: str) -> Iterator[int]:
    """The line on which each non-blank CSV record starts (a quoted field may span lines)."""
    quoted = False
    for number, line in enumerate(_lines(text), 1):
        if not quoted and line == "":  # DuckDB skips empty lines, keeps "  " as a row
            continue
        if not quoted:
            yield number
        quoted ^= line.count('"') % 2 == 1


def _lines(text: str) -> list[str]:
    """Lines as a CSV reader splits them (``str.splitlines`` also splits on form feeds...)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
