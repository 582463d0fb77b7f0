"""F1: every keyboard shortcut, read from the window's own actions so the help
cannot drift from what the keys do, plus the mouse controls of the 3D view."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QMainWindow, QMenu, QTableWidget, QTableWidgetItem,
    QVBoxLayout,
)

MOUSE_CONTROLS = [
    ("Click a station", "select it (the tree and inspector follow)"),
    ("Double-click a station", "select it and fly the camera to it"),
    ("Left drag", "rotate"),
    ("Right drag or wheel", "zoom"),
    ("Middle drag or Shift+left drag", "pan"),
]


def _clean(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def _keys(action: QAction) -> str:
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText)
                     for s in action.shortcuts() if not s.isEmpty())


def _menu_rows(menu: QMenu, path: str, seen: set) -> list[tuple[str, str, str]]:
    rows = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        if action.menu() is not None:
            rows += _menu_rows(action.menu(), f"{path} › {_clean(action.text())}", seen)
            continue
        seen.add(action)
        keys = _keys(action)
        if keys:
            rows.append((keys, _clean(action.text()), path))
    return rows


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str, str]]:
    """``(keys, what it does, where)`` for every action or shortcut with a key."""
    seen: set = set()
    rows = []
    for top in window.menuBar().actions():
        if top.menu() is not None:
            rows += _menu_rows(top.menu(), _clean(top.text()), seen)
    for action in window.findChildren(QAction):  # window-wide keys outside the menus
        if action not in seen and _keys(action):
            seen.add(action)
            rows.append((_keys(action), _clean(action.text() or action.toolTip()), "Window"))
    for shortcut in window.findChildren(QShortcut):
        keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((keys, shortcut.whatsThis() or shortcut.objectName(), "Window"))
    return rows


class ShortcutsDialog(QDialog):
    """The F1 help: keys from :func:`shortcut_rows`, then the mouse controls."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard and mouse")
        self.setObjectName("shortcutsDialog")
        rows = [(k, what, where) for k, what, where in shortcut_rows(window)]
        rows += [(gesture, what, "3D view") for gesture, what in MOUSE_CONTROLS]
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Key or gesture", "Does", "Where"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, cells in enumerate(rows):
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(620, 520)

    def rows(self) -> list[tuple[str, str, str]]:
        return [tuple(self.table.item(r, c).text() for c in range(3))
                for r in range(self.table.rowCount())]
