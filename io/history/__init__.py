"""The DuckDB history store: schema, rows, audit chain and the threaded recorder."""
