"""The bookmarks panel: mark a moment of a replay, reopen it as it was.

A bookmark keeps the time range (the loop, or the cursor +- 30 s), the camera,
the selected asset, a note and its author, in the history file itself (so a
colleague who opens the file, or the incident report, sees it). Reopening
sets the loop to the range, seeks to its start and restores the camera and
the selection. Deleting asks first.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout, QInputDialog, QListWidget, QListWidgetItem, QMessageBox, QPushButton,
    QVBoxLayout, QWidget,
)

from linetwin.io.history.bookmarks import add_bookmark, bookmarks, delete_bookmark
from linetwin.io.history.history_store import HistoryStoreError
from linetwin.scene.camera import CameraPose
from linetwin.ui.qt.replay.annotations import AUTHOR_KEY
from linetwin.ui.qt.replay.timeline import clock_text

AROUND_S = 30.0  # a bookmark with no loop set: the cursor +- this


class BookmarksPanel(QWidget):
    """Bookmarks of ``session``'s history. ``changed(list)`` after an add or a delete."""

    changed = Signal(list)
    reopened = Signal(int)

    def __init__(self, session, bridge, scene, selection, render, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("replayBookmarks")
        self.session, self.bridge, self.scene, self.selection = session, bridge, scene, selection
        self.render = render
        self.items = list(session.data.bookmarks)
        self.list = QListWidget()
        self.list.setObjectName("bookmarkList")
        self.list.itemDoubleClicked.connect(lambda item: self.reopen(item.data(Qt.ItemDataRole.UserRole)))
        self.add_button = QPushButton("Add bookmark…")
        self.add_button.clicked.connect(lambda: self.add())
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(self._delete_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.list)
        reason = session.read_only_reason if hasattr(session, "read_only_reason") else "read-only"
        if session.store.read_only:
            for button in (self.add_button, self.delete_button):
                button.setEnabled(False)
                button.setToolTip(f"Bookmarks cannot be saved: {reason}")
        self._fill()

    # -- listing ----------------------------------------------------------------------

    def _fill(self) -> None:
        self.list.clear()
        for b in self.items:
            span = f"{clock_text(b['start'], False)[:8]}–{clock_text(b['end'], False)[:8]}"
            item = QListWidgetItem(f"{span}  {b['note'] or '(no note)'}  — {b['author']}")
            item.setData(Qt.ItemDataRole.UserRole, int(b["bookmark_id"]))
            item.setToolTip(f"{clock_text(b['start'])} .. {clock_text(b['end'])}\n"
                            f"selected: {b['selection'] or 'nothing'}\n{b['note']}")
            self.list.addItem(item)

    def _reload(self) -> None:
        self.items = bookmarks(self.session.store)
        self._fill()
        self.changed.emit(self.items)

    def bookmark(self, bookmark_id: int) -> dict:
        return next(b for b in self.items if b["bookmark_id"] == bookmark_id)

    # -- adding, reopening, deleting --------------------------------------------------

    def current_range(self) -> tuple[float, float]:
        cursor = self.session.cursor
        if cursor.loop is not None:
            return cursor.loop
        t = cursor.position
        return cursor.clamp(t - AROUND_S), cursor.clamp(t + AROUND_S)

    @property
    def author(self) -> str:
        """The investigator's name, shared with annotations and remembered (never the OS login)."""
        return str(QSettings().value(AUTHOR_KEY, "") or "")

    def add(self, note: str | None = None) -> int | None:
        """Bookmark what is shown now; ``note`` None asks for it (and for the author's
        name the first time). The new id, or None."""
        if note is None:
            if not self.author and not self._ask_author():
                return None
            note, ok = QInputDialog.getMultiLineText(self, "Add bookmark", "Note:")
            if not ok:
                return None
        start, end = self.current_range()
        pose = self.scene.current_pose()
        camera = {"position": pose.position, "focal_point": pose.focal_point, "view_up": pose.view_up}
        try:
            bookmark_id = add_bookmark(self.session.store, start, end, camera, self.selection.asset_id,
                                       note, self.author or "unnamed")
        except HistoryStoreError as exc:
            QMessageBox.warning(self, "Bookmark not saved", str(exc))
            return None
        self._reload()
        return bookmark_id

    def _ask_author(self) -> bool:
        name, ok = QInputDialog.getText(self, "Add bookmark", "Your name (kept with the bookmark):")
        if ok and name.strip():
            QSettings().setValue(AUTHOR_KEY, name.strip())
        return bool(ok and name.strip())

    def reopen(self, bookmark_id: int) -> None:
        """Loop the bookmarked range from its start, with its camera and selection."""
        b = self.bookmark(bookmark_id)
        cursor = self.session.cursor
        cursor.playing = False
        if b["end"] > b["start"]:
            cursor.loop = (b["start"], b["end"])
        self.bridge.seek(b["start"])
        self.selection.select(b["selection"])
        camera = b["camera"]
        if camera:
            self.scene.set_pose(CameraPose(tuple(camera["position"]), tuple(camera["focal_point"]),
                                           tuple(camera["view_up"])))
        self.render()
        self.reopened.emit(bookmark_id)

    def _delete_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.delete(item.data(Qt.ItemDataRole.UserRole))

    def delete(self, bookmark_id: int, confirm: bool = True) -> bool:
        b = self.bookmark(bookmark_id)
        if confirm and QMessageBox.question(
                self, "Delete bookmark", f"Delete the bookmark “{b['note'] or clock_text(b['start'])}”"
                f" from {self.session.path.name}?") != QMessageBox.StandardButton.Yes:
            return False
        try:
            delete_bookmark(self.session.store, bookmark_id)
        except HistoryStoreError as exc:
            QMessageBox.warning(self, "Bookmark not deleted", str(exc))
            return False
        self._reload()
        return True
