"""Wiring of the live path for the GUI and the headless commands (monitor, record)."""
