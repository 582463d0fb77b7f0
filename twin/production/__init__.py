"""Production as the twin sees it: units inspected, operator steps, lots."""
