"""The asset hierarchy on the left, kept in sync with the shared selection."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from linetwin.twin.model import AssetLevel, Project
from linetwin.twin.selection import Selection
from linetwin.ui.qt.widgets.part_names import display_names

ASSET_ID_ROLE = Qt.ItemDataRole.UserRole
COMPONENT_ROLE = Qt.ItemDataRole.UserRole + 1  # the raw mesh node name
DISPLAY_NAME_ROLE = Qt.ItemDataRole.UserRole + 2


class AssetTree(QTreeWidget):
    """Factory / system / asset / component tree; selecting an item selects the asset."""

    def __init__(self, project: Project, selection: Selection,
                 problems: dict[str, str] | None = None,
                 components: dict[str, list[str]] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.items: dict[str, QTreeWidgetItem] = {}
        self.components: list[QTreeWidgetItem] = []  # part leaves
        self.setHeaderLabels(["Asset", "Level"])
        self.setObjectName("assetTree")
        self._populate(project, problems or {})
        self.add_components(components or {})
        self.resizeColumnToContents(0)
        self.itemSelectionChanged.connect(self._on_item_selection_changed)
        selection.changed.connect(self._on_selection_change)

    def _populate(self, project: Project, problems: dict[str, str]) -> None:
        def add(parent_item, asset) -> None:
            item = QTreeWidgetItem([asset.name, asset.level.value])
            item.setData(0, ASSET_ID_ROLE, asset.id)
            item.setToolTip(0, asset.id)
            (parent_item.addChild if parent_item else self.addTopLevelItem)(item)
            self.items[asset.id] = item
            children = project.children(asset.id)
            for child in children:
                add(item, child)
            # Open down to the stations; their components and mesh parts stay
            # folded (a line of 2,000 machines would list 2,000 leaves between them).
            item.setExpanded(any(c.level is not AssetLevel.COMPONENT for c in children))

        for root in project.children(None):
            add(None, root)
        self.mark_problems(problems)

    def mark_problems(self, problems: dict[str, str]) -> None:
        """Flag assets whose mesh is not drawn (broken, or not loaded), saying why."""
        for asset_id, problem in problems.items():
            item = self.items.get(asset_id)
            if item is not None and not item.text(0).endswith("⚠"):
                item.setText(0, f"{item.text(0)}  ⚠")
            if item is not None:
                item.setToolTip(0, problem)

    def add_components(self, components: dict[str, list[str]]) -> None:
        """Mesh parts as leaves under their asset (so a part can be shown in 3D),
        named as people say them; the raw node name stays in the tooltip."""
        for asset_id, names in components.items():
            for raw, shown in zip(names, display_names(names)):
                leaf = QTreeWidgetItem([shown, "component"])
                leaf.setData(0, ASSET_ID_ROLE, asset_id)
                leaf.setData(0, COMPONENT_ROLE, raw)
                leaf.setData(0, DISPLAY_NAME_ROLE, shown)
                leaf.setToolTip(0, raw)
                self.items[asset_id].addChild(leaf)
                self.components.append(leaf)

    def show_raw_names(self, raw: bool) -> None:
        """Show the mesh files' own node names (View > Show raw part names)."""
        role = COMPONENT_ROLE if raw else DISPLAY_NAME_ROLE
        for leaf in self.components:
            leaf.setText(0, leaf.data(0, role))

    def _on_item_selection_changed(self) -> None:
        items = self.selectedItems()
        if not items:
            self.selection.select(None)
            return
        self.selection.select(items[0].data(0, ASSET_ID_ROLE), items[0].data(0, COMPONENT_ROLE))

    def _on_selection_change(self, asset_id: str | None) -> None:
        item = self.items.get(asset_id) if asset_id else None
        self.blockSignals(True)
        self.clearSelection()
        if item is not None:
            item.setSelected(True)
            self.scrollToItem(item)
        self.blockSignals(False)
