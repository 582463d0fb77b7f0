"""The command-line side of LineTwin: printing, exit codes (no Qt here)."""
