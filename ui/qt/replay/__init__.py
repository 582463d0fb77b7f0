"""The window in replay mode: timeline, transport, event table, bookmarks."""
