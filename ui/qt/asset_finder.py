"""The Assets dock: a find field over the asset tree.

On a line of 2,000 machines nobody scrolls to "Machine 1437": they type
"1437". The tree shows only the assets whose name or id contains what was
typed (and the assets above them, so a match keeps its place); Enter selects
the first match and flies to it; Escape clears the field. Ctrl+F goes to the
field from anywhere in the window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QLineEdit, QTreeWidgetItem, QVBoxLayout, QWidget

from linetwin.ui.qt.asset_tree import ASSET_ID_ROLE, COMPONENT_ROLE, AssetTree

TYPING_PAUSE_MS = 150  # filter once typing pauses: each pass walks every tree item


class AssetFinder(QWidget):
    """The find field, a line saying how many assets match, and the tree."""

    def __init__(self, tree: AssetTree, fly_to: Callable[[str], None], parent=None) -> None:
        super().__init__(parent)
        self.tree, self._fly_to = tree, fly_to
        self.field = QLineEdit()
        self.field.setObjectName("assetFind")
        self.field.setPlaceholderText("Find asset (Ctrl+F): name or id")
        self.field.setClearButtonEnabled(True)
        self.count = QLabel()
        self.count.setObjectName("assetFindCount")
        self.count.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for widget in (self.field, self.count, tree):
            layout.addWidget(widget)
        self._pause = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._pause.timeout.connect(self.apply)
        self.field.textChanged.connect(lambda _text: self._pause.start())
        self.field.returnPressed.connect(self.select_first)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if event.key() == Qt.Key.Key_Escape and self.field.text():
            self.field.clear()
            self.apply()
            return
        super().keyPressEvent(event)

    def focus(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def apply(self) -> list[str]:
        """Show only what matches the field; returns the matching asset ids, in tree order."""
        self._pause.stop()
        text = self.field.text().strip().casefold()
        matches: list[str] = []
        for index in range(self.tree.topLevelItemCount()):
            self._filter(self.tree.topLevelItem(index), text, matches)
        if text:
            self.count.setText(f"{len(matches):,} asset{'s' if len(matches) != 1 else ''} match"
                               + ("" if len(matches) != 1 else "es"))
        self.count.setVisible(bool(text))
        return matches

    def select_first(self) -> None:
        """Enter: select the first match and fly to it (the filter applied first)."""
        matches = self.apply()
        if matches:
            self.tree.selection.select(matches[0])
            self._fly_to(matches[0])

    def _filter(self, item: QTreeWidgetItem, text: str, matches: list[str]) -> bool:
        """Hide ``item`` unless it or something below it matches; True if shown."""
        is_part = item.data(0, COMPONENT_ROLE) is not None
        asset_id = item.data(0, ASSET_ID_ROLE)
        hit = not text or (not is_part and (text in item.text(0).casefold()
                                            or text in str(asset_id).casefold()))
        if hit and text:
            matches.append(asset_id)
        below = False
        for index in range(item.childCount()):
            # The parts of a matching asset stay with it (folded, as before).
            below |= self._filter(item.child(index), "" if hit else text, matches)
        shown = hit or below
        item.setHidden(not shown)
        return shown
