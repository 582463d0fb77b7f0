"""The `train` command: SOP training sessions, records, sign-off and users."""
