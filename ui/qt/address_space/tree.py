"""The node tree of the address-space panel: items, "loading…" placeholders,
and which items still need their children fetched. No network here: the panel
fetches children on a worker and hands them to :meth:`NodeTree.fill`."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QHeaderView, QStyle, QTreeWidget, QTreeWidgetItem

from linetwin.io.opcua.address_space import BrowseNode

NODE_ROLE = Qt.ItemDataRole.UserRole  # the item's BrowseNode (None: a placeholder)
LOAD_ROLE = Qt.ItemDataRole.UserRole + 1  # "unloaded", "loading" or "loaded"
PLACEHOLDER_TEXT = "loading…"
MUTED_COLOR = "#6B7280"


class NodeTree(QTreeWidget):
    """Name and type of each node; children are added when they arrive."""

    variable_entered = Signal(object)  # BrowseNode: Enter pressed on a variable

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("addressSpaceTree")
        self.setHeaderLabels(["Node", "Type"])
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(False)
        self.setUniformRowHeights(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt naming)
        # Handled here, not by an event filter on the panel: a filter can be
        # called while its owner is half destroyed, which crashes PySide.
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.node_of(item) is not None:
            event.accept()
            node = self.current_variable()
            if node is not None:
                self.variable_entered.emit(node)
            elif item.childIndicatorPolicy() == QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator \
                    or item.childCount():
                item.setExpanded(not item.isExpanded())  # Enter on a folder opens it
            return
        super().keyPressEvent(event)

    @staticmethod
    def node_of(item: QTreeWidgetItem | None) -> BrowseNode | None:
        return item.data(0, NODE_ROLE) if item is not None else None

    def current_variable(self) -> BrowseNode | None:
        node = self.node_of(self.currentItem())
        return node if node is not None and node.node_class == "Variable" else None

    def needs_loading(self, item: QTreeWidgetItem) -> bool:
        return item.data(0, LOAD_ROLE) == "unloaded" and self.node_of(item) is not None

    def start_loading(self, item: QTreeWidgetItem | None) -> None:
        """Show a "loading…" child under ``item`` (``None``: the top level)."""
        placeholder = QTreeWidgetItem([PLACEHOLDER_TEXT, ""])
        placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
        placeholder.setForeground(0, QBrush(QColor(MUTED_COLOR)))
        font = placeholder.font(0)
        font.setItalic(True)
        placeholder.setFont(0, font)
        self._parent(item).addChild(placeholder)
        if item is not None:
            item.setData(0, LOAD_ROLE, "loading")

    def fill(self, item: QTreeWidgetItem | None, nodes: list[BrowseNode]) -> None:
        """Replace the placeholder under ``item`` by ``nodes``."""
        parent = self._parent(item)
        parent.takeChildren()
        parent.addChildren([self._item_for(node) for node in nodes])
        if item is not None:
            item.setData(0, LOAD_ROLE, "loaded")
            if not nodes:
                item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicator)

    def fail(self, item: QTreeWidgetItem | None) -> None:
        """Loading failed: drop the placeholder; expanding ``item`` again retries."""
        self._parent(item).takeChildren()
        if item is not None:
            item.setData(0, LOAD_ROLE, "unloaded")
            item.setExpanded(False)

    def _parent(self, item: QTreeWidgetItem | None) -> QTreeWidgetItem:
        return item if item is not None else self.invisibleRootItem()

    def _item_for(self, node: BrowseNode) -> QTreeWidgetItem:
        is_variable = node.node_class == "Variable"
        kind = (node.data_type or "Variable") if is_variable else node.node_class
        item = QTreeWidgetItem([node.display_name or node.browse_name, kind])
        item.setData(0, NODE_ROLE, node)
        item.setToolTip(0, f"{node.node_id}\nbrowse name: {node.browse_name}")
        icon = QStyle.StandardPixmap.SP_FileIcon if is_variable else QStyle.StandardPixmap.SP_DirIcon
        item.setIcon(0, self.style().standardIcon(icon))
        item.setForeground(1, QBrush(QColor(MUTED_COLOR)))
        if node.has_children:
            item.setData(0, LOAD_ROLE, "unloaded")
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        return item
