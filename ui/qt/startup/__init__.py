"""The window's start and end: splash, start-up marks, quitting on signals."""
