"""The address-space panel: browse the OPC UA server's node tree, watch a
variable's live value, and bind it to the selected asset as a new signal.

Every browser call (children, read, suggest) and every file edit runs on the
panel's :class:`~linetwin.ui.qt.address_space.tasks.TaskRunner`; the GUI thread
only builds tree items and labels from the results (DESIGN section 3).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter, QTreeWidgetItem, QVBoxLayout,
    QWidget,
)

from linetwin.io.opcua.address_space import AddressSpaceBrowser, BrowseNode, NodeValue
from linetwin.io.project.signal_proposal import SignalProposal
from linetwin.twin.model import Project
from linetwin.twin.selection import Selection
from linetwin.ui.qt.address_space.binding import BindController
from linetwin.ui.qt.address_space.tasks import TaskRunner
from linetwin.ui.qt.address_space.tree import NodeTree
from linetwin.ui.qt.address_space.value import NodeValueView

POLL_MS = 1000
ERROR_COLOR, MUTED_COLOR = "#B42318", "#6B7280"
BROWSE = "browse"  # task group dropped on refresh; edits are never dropped


class AddressSpacePanel(QWidget):
    """Browse ``endpoint``'s address space; bind variables to ``selection``'s asset.

    Parameters
    ----------
    project : the open project; ``project.path`` is the file a bind edits
    selection : the shared asset selection (the bind target)
    endpoint : ``opc.tcp://...``; ``None``: the project's ``[source]`` endpoint
    make_browser : how to build a browser for an endpoint (security settings);
        default ``AddressSpaceBrowser(endpoint)``
    """

    project_changed = Signal(object)  # the Project as saved, after a bind or an undo

    def __init__(self, project: Project, selection: Selection, endpoint: str | None,
                 parent: QWidget | None = None, *,
                 make_browser: Callable[[str], AddressSpaceBrowser] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addressSpacePanel")
        self.project, self.selection = project, selection
        self._make_browser = make_browser or AddressSpaceBrowser
        self._browser: AddressSpaceBrowser | None = None
        self._closers: list[threading.Thread] = []
        self._read_task: int | None = None
        self._shut = False
        self.tasks = TaskRunner(self)
        self._build(endpoint or project.source.endpoint)
        self.binding = BindController(self)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self.poll_value)
        selection.changed.connect(self._on_selection_change)
        app = QCoreApplication.instance()
        if app is not None:  # child widgets get no closeEvent when the app quits
            app.aboutToQuit.connect(self.shutdown)
        self._on_selection_change(selection.asset_id)
        self.refresh()

    # -- layout -----------------------------------------------------------------
    def _build(self, endpoint: str) -> None:
        self.endpoint_edit = QLineEdit(endpoint)
        self.endpoint_edit.setObjectName("addressSpaceEndpoint")
        self.endpoint_edit.setPlaceholderText("opc.tcp://host:4840/path")
        self.endpoint_edit.returnPressed.connect(self.refresh)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Reconnect and reload the node tree (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        connect_row = QHBoxLayout()
        connect_row.addWidget(QLabel("Server:"))
        connect_row.addWidget(self.endpoint_edit, 1)
        connect_row.addWidget(self.refresh_button)

        self.tree = NodeTree()
        self.tree.itemExpanded.connect(self._on_expanded)
        self.tree.currentItemChanged.connect(self._on_current_change)
        self.tree.variable_entered.connect(self._on_variable_entered)
        self.value_view = NodeValueView()

        self.asset_label = QLabel()
        self.asset_label.setObjectName("bindTarget")
        self.asset_label.setWordWrap(True)
        self.bind_button = QPushButton("Bind to selected asset…")
        self.bind_button.setObjectName("bindButton")
        self.bind_button.setToolTip("Add the selected variable to the project as a signal of "
                                    "the selected asset (Enter)")
        bind_row = QHBoxLayout()
        bind_row.addWidget(self.asset_label, 1)
        bind_row.addWidget(self.bind_button)

        self.banner_label = QLabel()
        self.banner_label.setObjectName("bindBanner")
        self.banner_label.setWordWrap(True)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("undoBindButton")
        self.banner = QFrame()
        self.banner.setObjectName("bindBannerFrame")
        self.banner.setStyleSheet("#bindBannerFrame { background: #E8F3EC; border: 1px solid #B7D9C2;"
                                  " border-radius: 4px; }")
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(8, 4, 4, 4)
        banner_row.addWidget(self.banner_label, 1)
        banner_row.addWidget(self.undo_button)
        self.banner.hide()

        self.status_label = QLabel()
        self.status_label.setObjectName("addressSpaceStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.value_view)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(connect_row)
        layout.addWidget(split, 1)
        layout.addLayout(bind_row)
        layout.addWidget(self.banner)
        layout.addWidget(self.status_label)

    # -- connecting and browsing ----------------------------------------------------
    def refresh(self) -> None:
        """(Re)create the browser for the endpoint field and reload the tree from the top."""
        if self._shut:
            return
        self.tasks.cancel(BROWSE)
        self.binding.on_refresh()
        self._read_task = None
        self._close_browser()
        self.tree.clear()
        self.value_view.clear("Select a variable in the tree to see its live value")
        self.poll_timer.stop()
        endpoint = self.endpoint_edit.text().strip()
        try:
            self._browser = self._make_browser(endpoint)
        except (ValueError, TypeError) as error:
            self.set_status(f"Cannot browse {endpoint or 'an empty endpoint'}: {error}", error=True)
            return
        self.set_status(f"Connecting to {endpoint}…")
        self._load_children(None)
        self.update_bind_button()

    def _load_children(self, item: QTreeWidgetItem | None) -> None:
        node_id = None if item is None else self.tree.node_of(item).node_id
        self.tree.start_loading(item)
        self.run_browser(lambda b: b.children(node_id),
                         lambda nodes: self._on_children(item, nodes),
                         lambda error: self._on_children_failed(item, error))

    def _on_children(self, item: QTreeWidgetItem | None, nodes: list[BrowseNode]) -> None:
        self.tree.fill(item, nodes)
        if item is None:
            self.set_status("")

    def _on_children_failed(self, item: QTreeWidgetItem | None, error: BaseException) -> None:
        self.tree.fail(item)
        self.set_status(str(error), error=True)

    def _on_expanded(self, item: QTreeWidgetItem) -> None:
        if self.tree.needs_loading(item):
            self._load_children(item)

    def run_browser(self, call: Callable[[AddressSpaceBrowser], Any],
                    on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> None:
        """``call(browser)`` on a worker; the callbacks are dropped if the browser is replaced."""
        browser = self._browser
        if browser is None or self._shut:
            return
        self.tasks.submit(lambda: call(browser), on_done, on_error, group=BROWSE)

    # -- the selected node and its live value ------------------------------------------
    def selected_variable(self) -> BrowseNode | None:
        return self.tree.current_variable()

    def _on_current_change(self, current: QTreeWidgetItem | None, _previous=None) -> None:
        self._read_task = None
        node = self.tree.node_of(current)
        if node is None or node.node_class != "Variable":
            self.poll_timer.stop()
            hint = "Objects have no value: select a variable" if node is not None else \
                "Select a variable in the tree to see its live value"
            self.value_view.clear(hint)
        else:
            self.value_view.show_node(node.display_name or node.browse_name, node.node_id)
            self._start_polling()
        self.update_bind_button()

    def _start_polling(self) -> None:
        if self.isVisible() and self.selected_variable() is not None and not self._shut:
            self.poll_timer.start()
            self.poll_value()

    def poll_value(self) -> None:
        """Read the selected variable once (the poll timer calls this every second)."""
        node = self.selected_variable()
        if node is None or not self.isVisible() or self.tasks.is_pending(self._read_task):
            return  # a slow server gets one read at a time, not a pile of them
        browser = self._browser
        if browser is None or self._shut:
            return
        node_id = node.node_id
        self._read_task = self.tasks.submit(
            lambda: browser.read(node_id), lambda value: self._on_value(node_id, value),
            lambda error: self._on_read_failed(node_id, error), group=BROWSE)

    def _on_value(self, node_id: str, value: NodeValue) -> None:
        node = self.selected_variable()
        if node is None or node.node_id != node_id:
            return
        self.value_view.show_value(value)
        if self.status_label.property("readError"):
            self.set_status("")

    def _on_read_failed(self, node_id: str, error: BaseException) -> None:
        node = self.selected_variable()
        if node is None or node.node_id != node_id:
            return
        self.value_view.show_failure(str(error))
        self.set_status(str(error), error=True)
        self.status_label.setProperty("readError", True)

    # -- the bind target ----------------------------------------------------------
    def _on_selection_change(self, asset_id: str | None) -> None:
        if self._shut:
            return
        name = self.asset_name(asset_id) if asset_id else None
        if name is None:
            self.asset_label.setText(f"<span style='color:{MUTED_COLOR}'>Select an asset in the "
                                     "3D view or the asset tree to bind a variable to it</span>")
        else:
            self.asset_label.setText(f"Bind target: <b>{html.escape(name)}</b> "
                                     f"<span style='color:{MUTED_COLOR}'>({html.escape(asset_id)})</span>")
        self.update_bind_button()

    def asset_name(self, asset_id: str) -> str | None:
        try:
            return self.project.asset(asset_id).name
        except KeyError:
            return None

    def update_bind_button(self) -> None:
        ready = (self.selected_variable() is not None and self.selection.asset_id is not None
                 and self.asset_name(self.selection.asset_id) is not None)
        self.bind_button.setEnabled(ready and not self.binding.busy and not self._shut)

    def bind_selected(self) -> None:
        """Propose, confirm and save a signal for the selected variable (Enter, the button)."""
        self.binding.start()

    def confirm_fields(self, proposal: SignalProposal) -> dict[str, Any] | None:
        """Ask the user to confirm ``proposal``: the fields to save, or None (cancel).

        Tests replace this with a function that answers without a dialog.
        """
        return self.binding.ask(proposal)

    # -- status and life cycle ----------------------------------------------------
    @property
    def is_shut_down(self) -> bool:
        return self._shut

    def set_status(self, text: str, error: bool = False) -> None:
        self.status_label.setProperty("readError", False)
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {ERROR_COLOR if error else MUTED_COLOR}")
        self.status_label.setVisible(bool(text))

    def _on_variable_entered(self, _node: BrowseNode) -> None:
        if self.bind_button.isEnabled():
            self.bind_selected()
        elif self.selection.asset_id is None:
            self.set_status("To bind, select an asset in the 3D view or the asset tree first.")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # F5 wherever the focus is inside the panel (children pass keys they ignore up).
        if event.key() == Qt.Key.Key_F5:
            self.refresh()
            return
        super().keyPressEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._start_polling()

    def hideEvent(self, event) -> None:  # noqa: N802
        self.poll_timer.stop()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop polling and close the browser (on a helper thread: closing may wait
        on the network). Safe to call twice; the panel is inert afterwards."""
        if self._shut:
            return
        self._shut = True
        self.poll_timer.stop()
        self.tasks.cancel(BROWSE)
        try:
            self.selection.changed.disconnect(self._on_selection_change)
        except (RuntimeError, ValueError, TypeError):
            pass
        self._close_browser()

    def _close_browser(self) -> None:
        browser, self._browser = self._browser, None
        if browser is None:
            return
        # Not daemon: at exit Python waits for it, and close() is bounded (a few s).
        closer = threading.Thread(target=browser.close, name="linetwin-address-space-close")
        closer.start()
        self._closers = [t for t in self._closers if t.is_alive()] + [closer]

    def wait_closed(self, timeout_s: float = 10.0) -> bool:
        """Wait for browser closes and worker calls to end (tests, shutdown)."""
        for thread in self._closers:
            thread.join(timeout_s)
        return self.tasks.wait(int(timeout_s * 1000)) and not any(t.is_alive() for t in self._closers)
