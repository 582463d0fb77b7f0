"""Training records (issue 9): the LineTwin users a record names, the records in a
history store with their trainer sign-off and certification expiry, and their
exports (CSV, xAPI statements)."""
