"""Smaller Qt widgets and helpers of the main window (legend, help, dialogs...)."""
