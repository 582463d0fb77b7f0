"""What the Open dialog checks before handing a file to the project loader."""

from __future__ import annotations

from pathlib import Path

DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
PROJECT_FILTER = "LineTwin projects (*.toml);;All files (*)"


def is_history_file(path: Path) -> bool:
    """A LineTwin history (a DuckDB file), by its magic bytes or its extension."""
    try:
        with path.open("rb") as f:
            head = f.read(12)
    except OSError:
        return path.suffix.lower() == ".duckdb"
    return head[8:12] == DUCKDB_MAGIC or path.suffix.lower() == ".duckdb"


def not_a_project_message(path: Path) -> str | None:
    """Why ``path`` cannot be opened as a project, when it is clearly something else."""
    if is_history_file(path):
        return (f"{path.name} is a LineTwin history, not a project file; open it with replay "
                f"(a project is a .toml file).")
    return None
