"""Project files: load, schema, consistency checks, `check`, text-preserving edits, state files."""
